package client

import (
	"bytes"
	"context"
	"fmt"

	"github.com/inilua/inilua/ini"
)

// RemoteFile is a file on the server; it implements ini.Profile with each
// call going to the server at once (a W or D is on disk when it returns).
// Methods use the context set with WithContext (default
// context.Background()).
//
// Names are checked like ini.File does, so local and remote files answer
// alike: Get, Size and Keys of an empty name give ErrNotFound, Delete and
// DeleteApplication of an empty name do nothing, Put refuses an empty name
// or one containing NUL (ini.ErrInvalidName). A name containing LF cannot
// be sent (spec §1) and is refused with ini.ErrInvalidName by every method.
//
// Errors name the file, the operation, the application and key, and wrap
// the cause (a *CommandError naming the refused command, or an error
// wrapping ErrConnectionLost).
type RemoteFile struct {
	s   *Session
	ref fileRef
	ctx context.Context
}

var _ ini.Profile = (*RemoteFile)(nil)

// WithContext returns a shallow copy of r whose calls use ctx.
func (r *RemoteFile) WithContext(ctx context.Context) *RemoteFile {
	c := *r
	c.ctx = ctx
	return &c
}

// Name returns the file name given to Open.
func (r *RemoteFile) Name() string { return r.ref.name }

// Path returns the file's absolute OS/2 path ("C:\APPS\OS2.INI"), resolved
// against the session's current directory when Open was called by the
// rules of spec §5, or Name when the client could not tell the current
// directory then (after a C the rules say the server should have refused).
func (r *RemoteFile) Path() string {
	if r.ref.abs != "" {
		return r.ref.abs
	}
	return r.ref.name
}

// Format returns the file's format, decided by its name (spec §7).
func (r *RemoteFile) Format() ini.Format { return r.ref.fmt }

// Session returns the session the file belongs to.
func (r *RemoteFile) Session() *Session { return r.s }

func (r *RemoteFile) context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

func (r *RemoteFile) errorf(what string, app, key []byte, err error) error {
	switch {
	case app == nil && key == nil:
		return fmt.Errorf("%s: %s: %w", r.ref.name, what, err)
	case key == nil:
		return fmt.Errorf("%s: %s application %q: %w", r.ref.name, what, app, err)
	}
	return fmt.Errorf("%s: %s application %q key %q: %w", r.ref.name, what, app, key, err)
}

// nameOK reports whether name can exist in a file: not empty, no NUL. Other
// names are absent by definition (reads: ErrNotFound, deletes: nothing).
func nameOK(name []byte) bool { return len(name) > 0 && bytes.IndexByte(name, 0) < 0 }

// sendable refuses names the protocol cannot carry.
func sendable(app, key []byte) error {
	if bytes.IndexByte(app, '\n') >= 0 || bytes.IndexByte(key, '\n') >= 0 {
		return fmt.Errorf("name contains LF, which the protocol cannot send: %w", ini.ErrInvalidName)
	}
	return nil
}

// begin locks the session and checks that it can run a command.
func (r *RemoteFile) begin(app, key []byte) (context.Context, error) {
	r.s.mu.Lock()
	ctx := r.context()
	if err := r.s.ready(ctx); err != nil {
		return ctx, err
	}
	return ctx, sendable(app, key)
}

// Applications lists the application names (A empty, V): file order for a
// binary INI file, byte order for a TNI file.
func (r *RemoteFile) Applications() ([][]byte, error) {
	s := r.s
	ctx, err := r.begin(nil, nil)
	defer s.mu.Unlock()
	if err == nil {
		var names [][]byte
		if names, err = r.applications(ctx); err == nil {
			return names, nil
		}
	}
	return nil, r.errorf("list applications", nil, nil, err)
}

func (r *RemoteFile) applications(ctx context.Context) ([][]byte, error) {
	s := r.s
	if s.opts.CheckMode {
		return s.simApplications(ctx, &r.ref)
	}
	return s.readList(ctx, &r.ref, nil)
}

// readList reads the application list (app nil) or the key list of app.
func (s *Session) readList(ctx context.Context, ref *fileRef, app []byte) ([][]byte, error) {
	v, err := s.readValue(ctx, ref, app, nil, app != nil)
	if err != nil {
		return nil, err
	}
	names, err := ini.ParseNameList(v)
	if err != nil {
		return nil, fmt.Errorf("name list from the server: %w", err)
	}
	return names, nil
}

// Keys lists the key names of app (A app, K empty, V); ErrNotFound when the
// application does not exist.
func (r *RemoteFile) Keys(app []byte) ([][]byte, error) {
	s := r.s
	ctx, err := r.begin(app, nil)
	defer s.mu.Unlock()
	if err == nil {
		var names [][]byte
		if names, err = r.keys(ctx, app); err == nil {
			return names, nil
		}
	}
	return nil, r.errorf("list keys of", app, nil, err)
}

func (r *RemoteFile) keys(ctx context.Context, app []byte) ([][]byte, error) {
	if !nameOK(app) {
		return nil, ErrNotFound
	}
	if r.s.opts.CheckMode {
		return r.s.simKeys(ctx, &r.ref, app)
	}
	return r.s.readList(ctx, &r.ref, app)
}

// Get reads a value: A, K and V pipelined, one round trip (O is sent once
// per session so that V returns at most one chunk). A value that fills its
// first chunk takes one more round trip for S and the second chunk, and one
// per window of further chunks. ErrNotFound when absent. The returned
// slice is the caller's.
func (r *RemoteFile) Get(app, key []byte) ([]byte, error) {
	s := r.s
	ctx, err := r.begin(app, key)
	defer s.mu.Unlock()
	if err == nil {
		var v []byte
		if v, err = r.get(ctx, app, key); err == nil {
			return v, nil
		}
	}
	return nil, r.errorf("get", app, key, err)
}

func (r *RemoteFile) get(ctx context.Context, app, key []byte) ([]byte, error) {
	s := r.s
	if !nameOK(app) || !nameOK(key) {
		return nil, ErrNotFound
	}
	if s.opts.CheckMode {
		ov := s.overlays[r.ref.key]
		if v, found, decided := ov.get(app, key); decided {
			if !found {
				return nil, ErrNotFound
			}
			return bytes.Clone(v), nil
		}
		if ov.missing {
			return nil, ErrNotFound
		}
	}
	return s.readValue(ctx, &r.ref, app, key, true)
}

// Size reads a value's size in bytes with S; ErrNotFound when absent.
func (r *RemoteFile) Size(app, key []byte) (int, error) {
	s := r.s
	ctx, err := r.begin(app, key)
	defer s.mu.Unlock()
	if err == nil {
		var n int
		if n, err = r.size(ctx, app, key); err == nil {
			return n, nil
		}
	}
	return 0, r.errorf("size of", app, key, err)
}

func (r *RemoteFile) size(ctx context.Context, app, key []byte) (int, error) {
	s := r.s
	if !nameOK(app) || !nameOK(key) {
		return 0, ErrNotFound
	}
	if s.opts.CheckMode {
		ov := s.overlays[r.ref.key]
		if v, found, decided := ov.get(app, key); decided {
			if !found {
				return 0, ErrNotFound
			}
			return len(v), nil
		}
		if ov.missing {
			return 0, ErrNotFound
		}
	}
	s.b.reset()
	if err := s.needFile(&r.ref, false); err != nil {
		return 0, err
	}
	s.needApp(app)
	s.needKey(key)
	i := s.b.add(opS, 'S', nil)
	if err := s.run(ctx); err != nil {
		return 0, err
	}
	return int(s.b.ops[i].num), nil
}

// Put writes a value (A, K, W in one round trip; values over the chunk
// size are written in chunks with O, pipelined). When a value written in
// several chunks fails after a chunk went out, the error wraps
// ErrPartialWrite: the host may hold part of the new value (see
// ErrPartialWrite for which servers). A value over 65535 bytes
// for a file whose name does not end in .TNI is refused with
// ErrValueTooLarge before anything is sent. In check mode the write is
// recorded, not sent, and later reads see it.
func (r *RemoteFile) Put(app, key, value []byte) error {
	s := r.s
	ctx, err := r.begin(app, key)
	defer s.mu.Unlock()
	if err == nil {
		if err = r.put(ctx, app, key, value); err == nil {
			return nil
		}
	}
	return r.errorf("put", app, key, err)
}

func (r *RemoteFile) put(ctx context.Context, app, key, value []byte) error {
	s := r.s
	if err := checkPut(&r.ref, app, key, value); err != nil {
		return err
	}
	if s.opts.CheckMode {
		s.simPut(&r.ref, app, key, value)
		return nil
	}
	s.b.reset()
	if err := s.needFile(&r.ref, false); err != nil {
		return err
	}
	s.inflight = nil
	err := s.writeValue(ctx, &r.ref, app, key, value, -1, true)
	if err != nil && len(value) > s.chunk {
		if n, ok := s.partialWrites()[-1]; ok {
			return partialError(n, len(value), err)
		}
	}
	return err
}

// checkPut checks names and the size limit of spec §9 before a write.
func checkPut(ref *fileRef, app, key, value []byte) error {
	if err := ini.CheckName("application", app); err != nil {
		return err
	}
	if err := ini.CheckName("key", key); err != nil {
		return err
	}
	if err := sendable(app, key); err != nil {
		return err
	}
	if ref.fmt != ini.FormatTNI && len(value) > 65535 {
		return fmt.Errorf("%d bytes: %w (limit 65535)", len(value), ErrValueTooLarge)
	}
	return nil
}

// Delete deletes a key (A, K, D). Deleting a missing key is not an error;
// an application left without keys disappears (spec §4 "Deleting"). In
// check mode the delete is recorded, not sent.
func (r *RemoteFile) Delete(app, key []byte) error {
	s := r.s
	ctx, err := r.begin(app, key)
	defer s.mu.Unlock()
	if err == nil {
		if !nameOK(app) || !nameOK(key) {
			return nil // no such key; K empty + D would delete the application
		}
		if err = r.del(ctx, app, key); err == nil {
			return nil
		}
	}
	return r.errorf("delete", app, key, err)
}

// DeleteApplication deletes an application (A, K empty, D). A missing
// application is not an error. In check mode the delete is recorded, not
// sent.
func (r *RemoteFile) DeleteApplication(app []byte) error {
	s := r.s
	ctx, err := r.begin(app, nil)
	defer s.mu.Unlock()
	if err == nil {
		if !nameOK(app) {
			return nil
		}
		if err = r.del(ctx, app, nil); err == nil {
			return nil
		}
	}
	return r.errorf("delete", app, nil, err)
}

func (r *RemoteFile) del(ctx context.Context, app, key []byte) error {
	s := r.s
	if s.opts.CheckMode {
		s.simDelete(&r.ref, app, key)
		return nil
	}
	s.b.reset()
	if err := s.needFile(&r.ref, false); err != nil {
		return err
	}
	s.needApp(app)
	s.needKey(key)
	s.b.add(opPlain, 'D', nil)
	return s.run(ctx)
}
