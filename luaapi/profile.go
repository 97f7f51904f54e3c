package luaapi

import (
	"bytes"
	"context"
	"errors"
	"slices"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
)

// Change is one key changed by a script: the value before and after, as raw
// bytes. Old is nil when the key did not exist before; New is nil when the
// change deleted it. A zero-length value is a non-nil empty slice.
//
// Op is "" for a change of a value. Changes to the remote file system are
// recorded too, with Op "mkdir" (File is the directory), "move" (File is the
// source, Key the destination) or "remove" (File is the path); their
// Application, Old and New are empty.
type Change struct {
	Host        string // session address, "" for a local file
	File        string // local path, or remote file name as given to s:open
	Application string // application name (raw bytes)
	Key         string // key name (raw bytes)
	Old         []byte // nil: absent before
	New         []byte // nil: deleted (or Partial)
	Op          string // "" for values; "mkdir", "move", "remove"
	// Partial marks a write of a value in several chunks that failed
	// after some of its chunks were sent (client.ErrPartialWrite): the
	// host may hold part of the new value, so the change is recorded
	// (with New nil) although the write raised an error; Old is what to
	// restore.
	Partial bool
}

// changeLog stores changes in fixed-size chunks: appending never copies
// what is stored (a long run records hundreds of thousands of changes).
type changeLog struct {
	chunks [][]Change
	n      int
}

const changeChunk = 4096

// add appends c and returns its index. A chunk starts small and grows by
// append up to changeChunk entries (a batch runs one runtime per host, most
// recording a handful of changes: a full chunk up front would cost 512 KiB
// each); only the last chunk is ever copied.
func (l *changeLog) add(c Change) int {
	if l.n%changeChunk == 0 {
		l.chunks = append(l.chunks, make([]Change, 0, 8))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, c)
	l.n++
	return l.n - 1
}

// at returns change i.
func (l *changeLog) at(i int) Change { return l.chunks[i/changeChunk][i%changeChunk] }

// all returns a copy of every change in order.
func (l *changeLog) all() []Change {
	out := make([]Change, 0, l.n)
	for _, c := range l.chunks {
		out = append(out, c...)
	}
	return out
}

// recorder is an ini.Profile wrapper that records every change in the
// runtime's change list and skips writes that would store the bytes already
// there. before, when set, is called once before the first write (the backup
// hook).
type recorder struct {
	p      ini.Profile
	host   string
	file   string
	sink   func(Change) // appends to the runtime and the file
	before func() error
	done   bool // before has run
}

func (r *recorder) Applications() ([][]byte, error)   { return r.p.Applications() }
func (r *recorder) Keys(app []byte) ([][]byte, error) { return r.p.Keys(app) }
func (r *recorder) Get(app, key []byte) ([]byte, error) {
	return r.p.Get(app, key)
}
func (r *recorder) Size(app, key []byte) (int, error) { return r.p.Size(app, key) }

// lookup returns the value of (app, key) and whether it exists; other
// errors are returned.
func lookup(p ini.Profile, app, key []byte) ([]byte, bool, error) {
	switch q := p.(type) {
	case *ini.File:
		// fast path: no error value built for a missing key
		v, ok := q.Lookup(app, key)
		return v, ok, nil
	case *recorder:
		return lookup(q.p, app, key)
	case tniOrder:
		return lookup(q.Profile, app, key)
	}
	v, err := p.Get(app, key)
	if errors.Is(err, ini.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

func (r *recorder) beforeWrite() error {
	if r.done || r.before == nil {
		return nil
	}
	if err := r.before(); err != nil {
		return err
	}
	r.done = true
	return nil
}

// Put writes value unless (app, key) already holds exactly those bytes.
func (r *recorder) Put(app, key, value []byte) error {
	if err := ini.CheckName("application", app); err != nil {
		return err
	}
	if err := ini.CheckName("key", key); err != nil {
		return err
	}
	old, ok, err := lookup(r.p, app, key)
	if err != nil {
		return err
	}
	return r.putKnown(app, key, value, old, ok)
}

// putKnown is Put when the current value (old, ok) is already known.
func (r *recorder) putKnown(app, key, value, old []byte, ok bool) error {
	if ok && bytes.Equal(old, value) {
		return nil
	}
	if err := r.beforeWrite(); err != nil {
		return err
	}
	if ok {
		old = bytes.Clone(old)
		if old == nil {
			old = []byte{}
		}
	} else {
		old = nil
	}
	if err := r.p.Put(app, key, value); err != nil {
		if errors.Is(err, client.ErrPartialWrite) {
			r.sink(Change{Host: r.host, File: r.file, Application: string(app), Key: string(key), Old: old, Partial: true})
		}
		return err
	}
	nv := bytes.Clone(value)
	if nv == nil {
		nv = []byte{}
	}
	r.sink(Change{Host: r.host, File: r.file, Application: string(app), Key: string(key), Old: old, New: nv})
	return nil
}

// Delete removes (app, key) when it exists.
func (r *recorder) Delete(app, key []byte) error {
	old, ok, err := lookup(r.p, app, key)
	if err != nil || !ok {
		return err
	}
	return r.deleteKnown(app, key, old)
}

// deleteKnown deletes (app, key), known to hold old.
func (r *recorder) deleteKnown(app, key, old []byte) error {
	old = bytes.Clone(old)
	if old == nil {
		old = []byte{}
	}
	if err := r.beforeWrite(); err != nil {
		return err
	}
	if err := r.p.Delete(app, key); err != nil {
		return err
	}
	r.sink(Change{Host: r.host, File: r.file, Application: string(app), Key: string(key), Old: old})
	return nil
}

// DeleteApplication removes app, recording one change per key it held.
func (r *recorder) DeleteApplication(app []byte) error {
	keys, err := r.p.Keys(app)
	if errors.Is(err, ini.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var recs []Change
	for _, k := range keys {
		v, ok, err := lookup(r.p, app, k)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		v = bytes.Clone(v)
		if v == nil {
			v = []byte{}
		}
		recs = append(recs, Change{Host: r.host, File: r.file, Application: string(app), Key: string(k), Old: v})
	}
	if err := r.beforeWrite(); err != nil {
		return err
	}
	if err := r.p.DeleteApplication(app); err != nil {
		return err
	}
	for _, c := range recs {
		r.sink(c)
	}
	return nil
}

// remoteProfile adapts a *client.RemoteFile so that every call uses the
// runtime's current context (cancellation of a running script reaches the
// network call) and fails with ErrClosed once the script closed the
// session.
type remoteProfile struct {
	rf  *client.RemoteFile
	ctx func() context.Context
	so  *sessionObj
}

func (p remoteProfile) f() (*client.RemoteFile, error) {
	if p.so.closed {
		return nil, ErrClosed
	}
	return p.rf.WithContext(p.ctx()), nil
}

// plain returns the cause of an error of a *client.RemoteFile method
// without the client's prefix (RemoteFile wraps every cause once, with the
// file, operation, application and key, which the Lua error names
// already): a *client.CommandError, an error wrapping
// client.ErrConnectionLost, ini.ErrNotFound, ...
func plain(err error) error {
	if cause := errors.Unwrap(err); cause != nil {
		return cause
	}
	return err
}

func (p remoteProfile) Applications() ([][]byte, error) {
	f, err := p.f()
	if err != nil {
		return nil, err
	}
	v, err := f.Applications()
	return v, plain(err)
}

func (p remoteProfile) Keys(app []byte) ([][]byte, error) {
	f, err := p.f()
	if err != nil {
		return nil, err
	}
	v, err := f.Keys(app)
	return v, plain(err)
}

func (p remoteProfile) Get(app, key []byte) ([]byte, error) {
	f, err := p.f()
	if err != nil {
		return nil, err
	}
	v, err := f.Get(app, key)
	return v, plain(err)
}

func (p remoteProfile) Size(app, key []byte) (int, error) {
	f, err := p.f()
	if err != nil {
		return 0, err
	}
	v, err := f.Size(app, key)
	return v, plain(err)
}

func (p remoteProfile) Put(app, key, value []byte) error {
	f, err := p.f()
	if err != nil {
		return err
	}
	return plain(f.Put(app, key, value))
}

func (p remoteProfile) Delete(app, key []byte) error {
	f, err := p.f()
	if err != nil {
		return err
	}
	return plain(f.Delete(app, key))
}

func (p remoteProfile) DeleteApplication(app []byte) error {
	f, err := p.f()
	if err != nil {
		return err
	}
	return plain(f.DeleteApplication(app))
}

// tniOrder presents a local TNI file in the order a TNI file has on disk
// and on a server (ascending unsigned bytes: spec ini-formats.md §7.1), so
// that listing a local TNI file gives what listing it on a host gives.
type tniOrder struct{ ini.Profile }

func (p tniOrder) Applications() ([][]byte, error) {
	names, err := p.Profile.Applications()
	return sortedNames(names), err
}

func (p tniOrder) Keys(app []byte) ([][]byte, error) {
	names, err := p.Profile.Keys(app)
	return sortedNames(names), err
}

func sortedNames(names [][]byte) [][]byte {
	out := slices.Clone(names)
	slices.SortFunc(out, bytes.Compare)
	return out
}
