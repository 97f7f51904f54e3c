package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/os2path"
)

// Record is one state-changing command that a check-mode session kept from
// the server (Options.CheckMode). Cmd is the command letter; the other
// fields that apply to it are set:
//
//	'W' File, App, Key, Value   a Put (or a write of Push)
//	'D' File, App, Key          a Delete; Key nil: DeleteApplication
//	'M' Path                    Mkdir
//	'R' Path, Dst               Move (Path is the source)
//	'X' Path                    Remove
//	'E' Path                    PostEvent (Path is the semaphore name)
//	'^'                         Restart
//
// File is the file name as given to Open, Fetch or Push. Names and values
// are the caller's bytes, copied.
type Record struct {
	Cmd      byte
	File     string
	App, Key []byte
	Value    []byte
	Path     string
	Dst      string
}

// String renders r for a dry-run report, e.g.
// `W WEASEL.INI [$SYS] ServerPort = 19000000 (4 bytes)`; values longer than
// 32 bytes are cut; control bytes in names show as '?'.
func (r Record) String() string {
	switch r.Cmd {
	case 'W':
		v := fmt.Sprintf("%X", r.Value)
		if len(r.Value) > 32 {
			v = fmt.Sprintf("%X...", r.Value[:32])
		}
		return fmt.Sprintf("W %s [%s] %s = %s (%d bytes)", r.File, clean(r.App), clean(r.Key), v, len(r.Value))
	case 'D':
		if r.Key == nil {
			return fmt.Sprintf("D %s [%s]", r.File, clean(r.App))
		}
		return fmt.Sprintf("D %s [%s] %s", r.File, clean(r.App), clean(r.Key))
	case 'R':
		return fmt.Sprintf("R %s -> %s", r.Path, r.Dst)
	case '^':
		return "^"
	}
	return string(r.Cmd) + " " + r.Path
}

func clean(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return '?'
		}
		return r
	}, string(b))
}

// Recorded returns the commands a check-mode session kept from the server,
// in the order they were asked for (a copy). It is empty for a normal
// session.
func (s *Session) Recorded() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records)
}

// simOp is one simulated W or D.
type simOp struct {
	del             bool // D; key nil: the whole application
	app, key, value []byte
}

// overlay holds the simulated writes and deletes of one file in check mode.
type overlay struct {
	missing bool // the file did not exist: never selected, reads as empty
	format  ini.Format
	ops     []simOp
}

// get looks (app, key) up in the simulated changes: decided is false when
// they do not touch it (ask the server); else found and v give the answer.
func (o *overlay) get(app, key []byte) (v []byte, found, decided bool) {
	for i := len(o.ops) - 1; i >= 0; i-- {
		op := &o.ops[i]
		if !bytes.Equal(op.app, app) {
			continue
		}
		if op.key == nil {
			return nil, false, true
		}
		if bytes.Equal(op.key, key) {
			if op.del {
				return nil, false, true
			}
			return op.value, true, true
		}
	}
	return nil, false, false
}

// deletesIn reports whether a simulated delete touches app.
func (o *overlay) deletesIn(app []byte) bool {
	for i := range o.ops {
		if o.ops[i].del && bytes.Equal(o.ops[i].app, app) {
			return true
		}
	}
	return false
}

// apply replays the simulated changes on f, which holds the server's
// state, and returns the result (sorted for a TNI file, as the server keeps
// it).
func (o *overlay) apply(f *ini.File) *ini.File {
	for _, op := range o.ops {
		switch {
		case !op.del:
			f.Put(op.app, op.key, op.value)
		case op.key == nil:
			f.DeleteApplication(op.app)
		default:
			f.Delete(op.app, op.key)
		}
	}
	if o.format == ini.FormatTNI {
		f = sortFile(f)
	}
	return f
}

// sortFile returns f with applications and keys in ascending byte order.
func sortFile(f *ini.File) *ini.File {
	slices.SortStableFunc(f.Apps, func(a, b *ini.Application) int { return bytes.Compare(a.Name, b.Name) })
	for _, a := range f.Apps {
		slices.SortStableFunc(a.Entries, func(x, y ini.Entry) int { return bytes.Compare(x.Key, y.Key) })
	}
	return f.Clone() // rebuilds the lookup indexes
}

// overlayFor returns the overlay of ref's file, creating it on first use:
// L tells whether the file exists; an existing file is selected with F, a
// missing one never is.
func (s *Session) overlayFor(ctx context.Context, ref *fileRef) (*overlay, error) {
	if ov := s.overlays[ref.key]; ov != nil {
		return ov, nil
	}
	entries, err := s.list(ctx, ref.name)
	if err != nil {
		return nil, err
	}
	base := ref.name[strings.LastIndexAny(ref.name, `/\`)+1:]
	ov := &overlay{missing: true, format: ref.fmt}
	for _, e := range entries {
		if os2path.FoldEqual(e, base) {
			ov.missing = false
		}
	}
	if !ov.missing {
		s.b.reset()
		if err := s.needFile(ref, true); err != nil {
			return nil, err
		}
		if err := s.run(ctx); err != nil {
			return nil, err
		}
	} else if err := s.checkParentDir(ctx, ref.name); err != nil {
		return nil, err
	}
	if s.overlays == nil {
		s.overlays = make(map[string]*overlay)
	}
	s.overlays[ref.key] = ov
	return ov, nil
}

// ErrNoDirectory: in check mode, a new file was named in a directory that
// does not exist, where the server would refuse F (spec §7).
var ErrNoDirectory = errors.New("directory does not exist")

// checkParentDir refuses, as F would, a new file in a directory that does
// not exist: the listing of the directory part of name (as a whole
// directory, so it holds at least "../") comes back empty. A name without
// a directory part, or directly under a drive's root (whose listing may
// hold nothing on the original server), is not checked.
func (s *Session) checkParentDir(ctx context.Context, name string) error {
	dir := name[:strings.LastIndexAny(name, `/\`)+1]
	root := strings.TrimRight(dir, `/\`)
	if root == "" || len(root) == 2 && root[1] == ':' {
		return nil
	}
	lines, err := s.listRaw(ctx, dir)
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return fmt.Errorf("file %q: %w: %q (check mode: F not sent)", name, ErrNoDirectory, dir)
	}
	return nil
}

// simPut records a W and adds it to the overlay.
func (s *Session) simPut(ref *fileRef, app, key, value []byte) {
	app, key, value = bytes.Clone(app), bytes.Clone(key), bytes.Clone(value)
	if value == nil {
		value = []byte{}
	}
	s.records = append(s.records, Record{Cmd: 'W', File: ref.name, App: app, Key: key, Value: value})
	ov := s.overlays[ref.key]
	ov.ops = append(ov.ops, simOp{app: app, key: key, value: value})
}

// simDelete records a D (key nil: the whole application) and adds it to
// the overlay.
func (s *Session) simDelete(ref *fileRef, app, key []byte) {
	app, key = bytes.Clone(app), bytes.Clone(key)
	s.records = append(s.records, Record{Cmd: 'D', File: ref.name, App: app, Key: key})
	ov := s.overlays[ref.key]
	ov.ops = append(ov.ops, simOp{del: true, app: app, key: key})
}

// simKeys lists the keys of app as the server has them with the simulated
// changes applied.
func (s *Session) simKeys(ctx context.Context, ref *fileRef, app []byte) ([][]byte, error) {
	ov := s.overlays[ref.key]
	f := ini.New()
	if !ov.missing {
		names, err := s.readList(ctx, ref, app)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if err == nil {
			f.AddApplication(app)
		}
		for _, k := range names {
			f.Put(app, k, nil)
		}
	}
	return ov.apply(f).Keys(app)
}

// simApplications lists the applications as the server has them with the
// simulated changes applied. An application touched by a simulated delete
// needs its key list (it disappears when no key is left).
func (s *Session) simApplications(ctx context.Context, ref *fileRef) ([][]byte, error) {
	ov := s.overlays[ref.key]
	f := ini.New()
	if !ov.missing {
		apps, err := s.readList(ctx, ref, nil)
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			if !ov.deletesIn(a) {
				f.AddApplication(a)
				continue
			}
			keys, err := s.readList(ctx, ref, a)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			f.AddApplication(a)
			for _, k := range keys {
				f.Put(a, k, nil)
			}
		}
	}
	return ov.apply(f).Applications()
}
