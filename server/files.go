package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"

	"github.com/inilua/inilua/ini"
)

// fileCache holds one entry per INI file selected by some session, keyed
// by drive and on-disk path. Entries not selected by any session are kept
// up to maxIdleEntries and then dropped.
type fileCache struct {
	mu      sync.Mutex
	entries map[string]*fileEntry
}

const maxIdleEntries = 64

func newFileCache() *fileCache {
	return &fileCache{entries: make(map[string]*fileEntry)}
}

// fileEntry is the cached state of one INI file.
type fileEntry struct {
	key    string // drive letter, ':', volume-relative path
	vol    *volume
	rel    string // volume-relative path, on-disk case (or as typed when new)
	format ini.Format
	refs   int // sessions that have it selected; guarded by fileCache.mu

	mu     sync.Mutex // guards everything below and the contents of file
	valid  bool       // file and id describe the file on disk as last seen
	exists bool
	id     fileID
	file   *ini.File
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
		e = &fileEntry{key: key, vol: v, rel: rel, format: ini.FormatForName(rel)}
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

// load brings e up to date with the file on disk; e.mu must be held. A
// file that does not exist is an empty file (§7). On a read or parse error
// the entry is invalid and the error is returned.
func (e *fileEntry) load() error {
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
	if err := e.load(); err != nil {
		return err
	}
	changed, err := fn(e.file)
	if err != nil || !changed {
		return err
	}
	e.valid = false // until saved
	data, err := e.file.Marshal(e.format)
	if err != nil {
		return err
	}
	if err := saveAtomic(e.vol.root, e.rel, data); err != nil {
		return err
	}
	fi, err := e.vol.root.Stat(e.rel)
	if err != nil {
		return err
	}
	e.exists, e.id, e.valid = true, idOf(fi), true
	return nil
}

// saveAtomic replaces rel in root with data: a temporary file in the same
// directory, written and fsynced, renamed over rel, then the directory is
// fsynced. The replaced file's permission bits are kept; a new file gets
// 0666 less the umask. On error the old file is untouched and the
// temporary file removed.
func saveAtomic(root *os.Root, rel string, data []byte) (err error) {
	dir, base := path.Split(rel)
	perm := fs.FileMode(0o666)
	if fi, err := root.Stat(rel); err == nil {
		perm = fi.Mode().Perm()
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := dir + "." + base + ".tmp" + hex.EncodeToString(rnd[:])
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if perm != 0o666 {
		if err = f.Chmod(perm); err != nil {
			return err
		}
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = root.Rename(tmp, rel); err != nil {
		return err
	}
	if d, err := root.Open(path.Clean(dir + ".")); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
