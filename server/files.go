package server

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sync"
	"sync/atomic"

	"github.com/inilua/inilua/ini"
)

// fileCache holds one entry per INI file selected by some session, keyed
// by drive and on-disk path. Entries not selected by any session are kept
// up to maxIdleEntries and then dropped.
type fileCache struct {
	mu      sync.Mutex
	entries map[string]*fileEntry
	seq     *atomic.Uint64 // the server's event sequence (see session.readSeq)
}

const maxIdleEntries = 64

func newFileCache(seq *atomic.Uint64) *fileCache {
	return &fileCache{entries: make(map[string]*fileEntry), seq: seq}
}

// fileEntry is the cached state of one INI file.
type fileEntry struct {
	key    string // drive letter, ':', volume-relative path
	vol    *volume
	rel    string // volume-relative path, on-disk case (or as typed when new)
	format ini.Format
	refs   int // sessions that have it selected; guarded by fileCache.mu
	seq    *atomic.Uint64

	mu    sync.Mutex // guards everything below and the contents of file
	valid bool       // file and id describe the file on disk as last seen
	// checked is the server sequence number taken just before the last
	// stat that found file up to date: any command received before that
	// number was drawn may use file without another stat.
	checked uint64
	exists  bool
	id      fileID
	file    *ini.File
}

// acquire returns the entry for rel on v, creating it, with one more
// reference; release drops the reference.
func (c *fileCache) acquire(v *volume, rel string) *fileEntry {
	key := string(v.letter) + ":" + rel
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil {
		if len(c.entries) >= maxIdleEntries {
			for k, old := range c.entries {
				if old.refs == 0 {
					delete(c.entries, k)
				}
			}
		}
		e = &fileEntry{key: key, vol: v, rel: rel, format: ini.FormatForName(rel), seq: c.seq}
		c.entries[key] = e
	}
	e.refs++
	return e
}

func (c *fileCache) release(e *fileEntry) {
	if e == nil {
		return
	}
	c.mu.Lock()
	e.refs--
	c.mu.Unlock()
}

// errIsDir is returned when a selected file has become a directory.
var errIsDir = errors.New("is a directory")

// formatFile reads the FMT file that goes with a TNI file (ini-formats.md
// §5.1: NAME.FMT beside NAME.TNI, looked up case-insensitively), or nil
// when there is none. It is read at every save, as GenINI does.
func (e *fileEntry) formatFile() (*ini.FormatFile, error) {
	dir, base := path.Split(e.rel)
	dir = path.Clean(dir + ".")
	name, _, err := e.vol.lookup(dir, path.Base(ini.FormatFileFor(base)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	data, err := e.vol.root.ReadFile(join(dir, name))
	if err != nil {
		return nil, err
	}
	ff, err := ini.ParseFormatFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", join(dir, name), err)
	}
	return ff, nil
}

// always makes load check the disk whatever the entry's last check.
const always = ^uint64(0)

// load brings e up to date with the file on disk for a command received
// before the server sequence number received was drawn; e.mu must be held.
// When the last check of the disk began after that (e.checked >
// received), the command cannot have been sent after a change that check
// missed, so the cached file is used without a stat: this is what makes
// pipelined reads cheap while keeping the visible behaviour of
// open-act-close (§7). A file that does not exist is an empty file. On a
// read or parse error the entry is invalid and the error is returned.
func (e *fileEntry) load(received uint64) error {
	if e.valid && received != always && e.checked > received {
		return nil
	}
	seq := e.seq.Add(1) // drawn before the stat
	err := e.stat()
	if err == nil {
		e.checked = seq
	}
	return err
}

// stat compares the file on disk with the cached one and re-reads it when
// it changed.
func (e *fileEntry) stat() error {
	fi, err := e.vol.root.Stat(e.rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if !e.valid || e.exists {
				e.file, e.exists, e.id, e.valid = ini.New(), false, fileID{}, true
			}
			return nil
		}
		e.valid = false
		return err
	}
	if fi.IsDir() {
		e.valid = false
		return fmt.Errorf("%s: %w", e.rel, errIsDir)
	}
	if e.valid && e.exists && e.id == idOf(fi) {
		return nil
	}
	e.valid = false
	f, err := e.vol.root.Open(e.rel)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", e.rel)
	}
	data := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	pf, err := ini.Parse(e.vol.letter2()+e.rel, data, e.format)
	if err != nil {
		return err
	}
	e.file, e.exists, e.id, e.valid = pf, true, idOf(fi), true
	return nil
}

func (v *volume) letter2() string { return string(v.letter) + ":" }

// update runs fn on the up-to-date file under the entry's lock, the file's
// directory lock and an advisory flock on the directory, and when fn
// reports a change saves the file atomically before returning. fn must
// leave the file unchanged when it returns an error. On a failed save the
// entry is invalidated so the next command re-reads the disk.
func (e *fileEntry) update(fn func(f *ini.File) (changed bool, err error)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	dir := path.Dir(e.rel)
	unlock, err := lockDir(e.vol.root, dir)
	if err != nil {
		return err
	}
	defer unlock()
	if err := e.load(always); err != nil {
		return err
	}
	changed, err := fn(e.file)
	if err != nil || !changed {
		return err
	}
	e.valid = false // until saved
	var data []byte
	if e.format == ini.FormatTNI {
		ff, ferr := e.formatFile()
		if ferr != nil {
			return ferr
		}
		var rep ini.TNIReport
		data, rep, err = e.file.MarshalTNIWith(ini.TNIOptions{Format: ff})
		for _, n := range rep.Notes {
			if n.Code.Kind == ini.CodeOmit {
				// a save must never drop keys the client did not delete
				return fmt.Errorf("the FMT file beside %s would omit %s", e.rel, n)
			}
		}
	} else {
		data, err = e.file.MarshalBinary()
	}
	if err != nil {
		return err
	}
	if err := ini.WriteFileRoot(e.vol.root, e.rel, data, ini.SaveOptions{}); err != nil {
		return err
	}
	seq := e.seq.Add(1)
	fi, err := e.vol.root.Stat(e.rel)
	if err != nil {
		return err
	}
	e.exists, e.id, e.valid, e.checked = true, idOf(fi), true, seq
	return nil
}
