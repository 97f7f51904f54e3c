package server

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"github.com/inilua/inilua/ini"
)

// fileCache holds one entry per INI file selected by some session, keyed
// by drive and on-disk path. Entries not selected by any session are kept
// up to maxIdleEntries and then dropped.
type fileCache struct {
	mu      sync.Mutex
	entries map[string]*fileEntry
	seq     *atomic.Uint64         // the server's event sequence (see session.readSeq)
	maxSize int64                  // largest file read or written, in bytes
	seed    maphash.Seed           // for the content hashes of racy entries
	warn    func(*ini.FormatError) // what a read tolerates (ini.ParseWarn); nil: silence
}

const maxIdleEntries = 64

func newFileCache(seq *atomic.Uint64, maxSize int64) *fileCache {
	return &fileCache{entries: make(map[string]*fileEntry), seq: seq, maxSize: maxSize, seed: maphash.MakeSeed()}
}

// fileEntry is the cached state of one INI file.
type fileEntry struct {
	key    string // drive letter, ':', volume-relative path
	vol    *volume
	rel    string // volume-relative path, on-disk case (or as typed when new); guarded by mu
	format ini.Format
	refs   int // sessions that have it selected; guarded by fileCache.mu
	seq    *atomic.Uint64
	cache  *fileCache

	qmu        sync.Mutex // guards pending and committing
	pending    []*writeReq
	committing bool // a writer is committing a batch

	mu    sync.Mutex // guards everything below and the contents of file
	valid bool       // file and id describe the file on disk as last seen
	// checked is the server sequence number taken just before the last
	// stat that found file up to date: any command received before that
	// number was drawn may use file without another stat.
	checked uint64
	exists  bool
	id      fileID
	sum     uint64 // hash of the file's bytes when exists
	racy    bool   // id may not reveal the next change (see stat)
	file    *ini.File
	// gen changes (under mu) before file or its contents change, and when
	// a check failed or replaced file or changed valid, right after: a
	// lookup made under mu at one gen holds while gen is the same. It is
	// read without mu by session.item's fast path.
	gen atomic.Uint64
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
		e = &fileEntry{key: key, vol: v, rel: rel, format: ini.FormatForName(rel), seq: c.seq, cache: c}
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
	data, _, err := e.vol.readFile(join(dir, name), e.cache.maxSize)
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
	file, valid := e.file, e.valid
	err := e.stat()
	if err == nil {
		e.checked = seq
	}
	if err != nil || e.file != file || e.valid != valid {
		e.gen.Add(1)
	}
	return err
}

// stat compares the file on disk with the cached one and re-reads it when
// it changed.
//
// The identity compared is size, mtime, ctime, inode and device. A file
// rewritten in place within one tick of the file system's clock keeps all
// of them, so an entry whose timestamps are within racyWindow of the
// moment its identity was taken is "racy" (as in Git's index): until a
// later stat shows it settled, every check reads the file again and
// compares a hash of its bytes.
func (e *fileEntry) stat() error {
	start := time.Now() // before the stat (see racy)
	fi, err := e.vol.root.Stat(e.rel)
	if errors.Is(err, fs.ErrNotExist) {
		// OS/2 names are case-insensitive: a file created meanwhile under
		// another case (by another session or program) is this file.
		dir, base := path.Split(e.rel)
		dir = path.Clean(dir + ".")
		if name, _, lerr := e.vol.lookup(dir, base); lerr == nil && name != base {
			e.rel, e.valid = join(dir, name), false
			fi, err = e.vol.root.Stat(e.rel)
		}
	}
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
	if !fi.Mode().IsRegular() {
		e.valid = false
		return fmt.Errorf("%s: not a regular file", e.rel)
	}
	if e.valid && e.exists && e.id == idOf(fi) && !e.racy {
		return nil
	}
	data, fi, err := e.vol.readFile(e.rel, e.cache.maxSize)
	if err != nil {
		e.valid = false
		return err
	}
	id, sum := idOf(fi), maphash.Bytes(e.cache.seed, data)
	if e.valid && e.exists && e.sum == sum {
		// same bytes (touched, or racy and unchanged): no need to parse
		e.id, e.racy = id, racy(id, start)
		return nil
	}
	e.valid = false
	pf, err := ini.ParseWarn(e.vol.letter2()+e.rel, data, e.format, e.cache.warn)
	if err != nil {
		return err
	}
	e.file, e.exists, e.valid = pf, true, true
	e.id, e.sum, e.racy = id, sum, racy(id, start)
	return nil
}

// readFile returns the bytes of the regular file rel and its identity
// taken before reading. It never blocks on a named pipe (opened
// non-blocking, refused as not a regular file) and refuses a file larger
// than maxSize bytes without reading it.
func (v *volume) readFile(rel string, maxSize int64) ([]byte, fs.FileInfo, error) {
	f, err := v.root.OpenFile(rel, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", rel)
	}
	tooBig := fmt.Errorf("%s: larger than %d bytes", rel, maxSize)
	if fi.Size() > maxSize {
		return nil, nil, tooBig
	}
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, maxSize+1)); err != nil {
		return nil, nil, err
	}
	if int64(buf.Len()) > maxSize {
		return nil, nil, tooBig // it grew while being read
	}
	return buf.Bytes(), fi, nil
}

// racyWindow is how long after a file's last change its size, timestamps
// and inode are not trusted to reveal a further change: more than the
// timestamp tick of local file systems (a jiffy, at most 10 ms). Timestamps
// with no sub-millisecond part suggest a coarse file system (FAT: 2 s), for
// which racyWindowCoarse is used.
const (
	racyWindow       = 50 * time.Millisecond
	racyWindowCoarse = 2 * time.Second
)

// racy reports whether a file with identity id, taken at or after start,
// may still change without changing id (see fileEntry.stat).
func racy(id fileID, start time.Time) bool {
	stamp := id.stamp()
	window := racyWindow
	if stamp%int64(time.Millisecond) == 0 {
		window = racyWindowCoarse
	}
	return start.UnixNano() < stamp+int64(window)
}

func (v *volume) letter2() string { return string(v.letter) + ":" }

// writeReq is one W or D waiting to be committed.
type writeReq struct {
	fn   func(f *ini.File) (changed bool, err error)
	err  error
	done chan error // receives the result, or errLeader
}

// errLeader tells a waiting writer that it commits the next batch.
var errLeader = errors.New("commit the next batch")

// update runs fn on the up-to-date file under the entry's lock and an
// advisory flock on the file's directory, and when fn reports a change
// saves the file atomically before returning. fn must leave the file
// unchanged when it returns an error.
//
// Writers of one file are committed in groups: while one save is in
// progress, further updates queue up, and the next save applies them all
// (each still returns only after a save that includes it succeeded). On a
// failed save the entry is invalidated so the next command re-reads the
// disk.
func (e *fileEntry) update(fn func(f *ini.File) (changed bool, err error)) error {
	req := &writeReq{fn: fn, done: make(chan error, 1)}
	e.qmu.Lock()
	e.pending = append(e.pending, req)
	leader := !e.committing
	e.committing = true
	e.qmu.Unlock()
	if !leader {
		if err := <-req.done; err != errLeader {
			return err
		}
	}
	e.qmu.Lock()
	batch := e.pending
	e.pending = nil
	e.qmu.Unlock()

	e.commit(batch)

	e.qmu.Lock()
	if len(e.pending) > 0 {
		e.pending[0].done <- errLeader // hand over
	} else {
		e.committing = false
	}
	e.qmu.Unlock()
	for _, r := range batch {
		if r != req {
			r.done <- r.err
		}
	}
	return req.err
}

// commit applies the requests of batch and saves once, setting each
// request's err. When the save of several changes fails before the disk
// was touched (an encoding error caused by one of them), they are retried
// one by one so that only the culprit fails.
func (e *fileEntry) commit(batch []*writeReq) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.gen.Add(1) // the requests may change the file
	unlock, err := lockDir(e.vol.root, path.Dir(e.rel))
	if err == nil {
		defer unlock()
		err = e.load(always)
	}
	if err != nil {
		for _, r := range batch {
			r.err = err
		}
		return
	}
	var changed []*writeReq
	for _, r := range batch {
		c, err := r.fn(e.file)
		r.err = err
		if err == nil && c {
			changed = append(changed, r)
		}
	}
	if len(changed) == 0 {
		return
	}
	e.valid = false // until saved
	data, err := e.marshal()
	if err != nil && len(changed) > 1 {
		for _, r := range changed {
			if err := e.load(always); err != nil {
				r.err = err
				continue
			}
			c, err := r.fn(e.file)
			r.err = err
			if err == nil && c {
				r.err = e.save()
			}
		}
		return
	}
	if err == nil {
		err = e.write(data)
	}
	for _, r := range changed {
		r.err = err
	}
}

// save encodes and writes the file; e.mu and the flock are held.
func (e *fileEntry) save() error {
	e.valid = false // until saved
	data, err := e.marshal()
	if err != nil {
		return err
	}
	return e.write(data)
}

// marshal encodes the cached file in its format; a TNI file uses the FMT
// file beside it.
func (e *fileEntry) marshal() ([]byte, error) {
	if e.format != ini.FormatTNI {
		return e.file.MarshalBinary()
	}
	ff, err := e.formatFile()
	if err != nil {
		return nil, err
	}
	data, rep, err := e.file.MarshalTNIWith(ini.TNIOptions{Format: ff})
	for _, n := range rep.Notes {
		if n.Code.Kind == ini.CodeOmit {
			// a save must never drop keys the client did not delete
			return nil, fmt.Errorf("the FMT file beside %s would omit %s", e.rel, n)
		}
	}
	return data, err
}

// write replaces the file atomically with data (ini.WriteFileRoot) and
// records its new identity.
func (e *fileEntry) write(data []byte) error {
	if int64(len(data)) > e.cache.maxSize {
		return fmt.Errorf("%s would be %d bytes, more than %d", e.rel, len(data), e.cache.maxSize)
	}
	if err := ini.WriteFileRoot(e.vol.root, e.rel, data, ini.SaveOptions{}); err != nil {
		return err
	}
	seq := e.seq.Add(1)
	start := time.Now()
	fi, err := e.vol.root.Stat(e.rel)
	if err != nil {
		return err
	}
	id := idOf(fi)
	e.exists, e.id, e.valid, e.checked = true, id, true, seq
	e.sum, e.racy = maphash.Bytes(e.cache.seed, data), racy(id, start)
	return nil
}
