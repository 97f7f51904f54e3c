package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/inilua/inilua/ini"
)

// Fetch downloads the whole file name into a local *ini.File, pipelined:
// one round trip for the application list, one per window of applications
// for the key lists, one per window of keys for the values (a window is up
// to 4096 commands: about 2000 keys), plus, for values that fill their first
// chunk, one for S and their second chunks, one per window of further
// chunks and one per window to read them again and confirm them (see
// readRests). A file of 200 keys takes 3 round trips. A file that does not
// exist reads as empty (spec §7). An application or key deleted by another
// program while Fetch runs is left out. In check mode the simulated changes
// are applied to the result.
func (s *Session) Fetch(ctx context.Context, name string) (*ini.File, error) {
	ctx = nonNil(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkFileName(name); err != nil {
		return nil, err
	}
	ref := s.ref(name)
	return s.fetch(ctx, &ref) // errors name the command that failed
}

// fetch downloads ref's file, with the simulated changes in check mode.
func (s *Session) fetch(ctx context.Context, ref *fileRef) (*ini.File, error) {
	var ov *overlay
	if s.opts.CheckMode {
		var err error
		if ov, err = s.overlayFor(ctx, ref); err != nil {
			return nil, err
		}
		if ov.missing {
			return ov.apply(ini.New()), nil
		}
	}
	f, err := s.download(ctx, ref)
	if err != nil {
		return nil, err
	}
	if ov != nil {
		f = ov.apply(f)
	}
	return f, nil
}

// download reads ref's file from the server.
func (s *Session) download(ctx context.Context, ref *fileRef) (*ini.File, error) {
	s.st.fileOK = false // send F: a file the server cannot use is reported as such
	apps, err := s.readList(ctx, ref, nil)
	if err != nil {
		return nil, err
	}
	for _, a := range apps { // a name with LF would inject commands
		if err := sendable(a, nil); err != nil {
			return nil, fmt.Errorf("application %q: %w", a, err)
		}
	}
	lists := make([]readItem, len(apps))
	for i, a := range apps {
		lists[i] = readItem{app: a}
	}
	if err := s.readMany(ctx, ref, lists); err != nil {
		return nil, err
	}
	var items []readItem
	f := ini.New()
	for i := range lists {
		if !lists[i].found {
			continue // deleted meanwhile
		}
		keys, err := ini.ParseNameList(lists[i].val)
		if err != nil {
			return nil, fmt.Errorf("key list of application %q from the server: %w", apps[i], err)
		}
		f.Apps = append(f.Apps, &ini.Application{Name: apps[i]})
		for _, k := range keys {
			if err := sendable(apps[i], k); err != nil { // would inject commands
				return nil, fmt.Errorf("application %q key %q: %w", apps[i], k, err)
			}
			items = append(items, readItem{app: apps[i], key: k, withKey: true, pos: len(f.Apps) - 1})
		}
	}
	if err := s.readMany(ctx, ref, items); err != nil {
		return nil, err
	}
	for i := range items {
		it := &items[i]
		if it.found {
			a := f.Apps[it.pos]
			a.Entries = append(a.Entries, ini.Entry{Key: it.key, Value: it.val})
		}
	}
	return f, nil
}

// readItem is one value (or key list, withKey false) to read with
// readMany, and its result.
type readItem struct {
	app, key []byte
	withKey  bool
	pos      int // caller's use

	val   []byte
	found bool
}

// readMany reads items pipelined in windows of up to windowOps commands
// (A when the application changes, K, V), then the rest of values that
// filled their first chunk. A '-' reply to V marks the item not found
// (deleted meanwhile); any other '-' is returned.
func (s *Session) readMany(ctx context.Context, ref *fileRef, items []readItem) error {
	for start := 0; start < len(items); {
		s.b.reset()
		if err := s.needFile(ref, false); err != nil {
			return err
		}
		end := start
		for ; end < len(items) && len(s.b.ops) < s.windowOps; end++ {
			it := &items[end]
			s.b.tag = end
			s.needApp(it.app)
			if it.withKey {
				s.needKey(it.key)
			} else {
				s.needKey(nil)
			}
			s.needReadWindow()
			j := s.b.add(opV, 'V', nil)
			s.b.ops[j].dst = &it.val
		}
		if err := s.run(ctx); err != nil {
			var ce *CommandError
			if !errors.As(err, &ce) {
				return err
			}
			for i := range s.b.ops {
				if o := &s.b.ops[i]; !o.ok {
					if ce := s.cmdError(i); ce.Err != ErrNotFound {
						return ce
					}
				}
			}
		}
		var long []longValue
		for i := range s.b.ops {
			o := &s.b.ops[i]
			if o.tag < 0 || o.kind != opV {
				continue
			}
			it := &items[o.tag]
			it.found = o.ok
			if it.found && it.val == nil {
				it.val = []byte{}
			}
			if it.found && len(it.val) == s.chunk {
				long = append(long, longValue{app: it.app, key: it.key, withKey: true, dst: &it.val})
			}
		}
		if len(long) > 0 {
			if err := s.readRests(ctx, ref, long); err != nil {
				for _, lv := range long {
					if lv.failed {
						return fmt.Errorf("application %q key %q: %w", lv.app, lv.key, err)
					}
				}
				return err
			}
		}
		start = end
	}
	return nil
}

// PushOptions configure Push.
type PushOptions struct {
	// Delete also deletes remote applications and keys missing in the
	// local file (an application with no keys in the local file is
	// deleted).
	Delete bool
}

// change is one write or delete of Push.
type change struct {
	del             bool // key nil: the whole application
	app, key, value []byte
}

// Push makes the remote file name equal to f with the fewest writes: it
// fetches the remote file (see Fetch), then writes only the keys that are
// missing or different, in f's order, pipelined in windows, and with
// opts.Delete deletes what f does not hold (after the writes, so an
// interrupted run loses nothing). Entries that exist on both sides keep
// their remote position. Applications without keys in f are not created
// (the protocol cannot). A missing remote file is created by the first
// write.
//
// Every name and value is checked before anything is sent (empty names or
// names with NUL or LF: ini.ErrInvalidName; values over 65535 bytes for a
// non-TNI name: ErrValueTooLarge). The first refused command stops Push;
// the error names the application and key. Commands already sent in the
// same window after it may have been carried out. In check mode the
// changes are recorded, not sent.
func (s *Session) Push(ctx context.Context, name string, f *ini.File, opts PushOptions) error {
	ctx = nonNil(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return err
	}
	if err := checkFileName(name); err != nil {
		return err
	}
	ref := s.ref(name)
	for _, a := range f.Apps {
		for _, e := range a.Entries {
			if err := checkPut(&ref, a.Name, e.Key, e.Value); err != nil {
				return fmt.Errorf("%s: push application %q key %q: %w", name, a.Name, e.Key, err)
			}
		}
	}
	remote, err := s.fetch(ctx, &ref)
	if err != nil {
		return fmt.Errorf("%s: push: %w", name, err)
	}
	changes := diff(remote, f, opts.Delete)
	if s.opts.CheckMode {
		for _, c := range changes {
			if c.del {
				s.simDelete(&ref, c.app, c.key)
			} else {
				s.simPut(&ref, c.app, c.key, c.value)
			}
		}
		return nil
	}
	s.b.reset()
	if err := s.needFile(&ref, false); err != nil {
		return err
	}
	s.inflight = nil
	for i, c := range changes {
		if c.del {
			s.b.tag = i
			s.needApp(c.app)
			s.needKey(c.key)
			s.b.add(opPlain, 'D', nil)
			err = s.flushIfFull(ctx, &ref)
		} else {
			err = s.writeValue(ctx, &ref, c.app, c.key, c.value, i, false)
		}
		if err != nil {
			return s.pushError(name, changes, err)
		}
	}
	if err := s.run(ctx); err != nil {
		return s.pushError(name, changes, err)
	}
	return nil
}

// pushError names the change whose command was refused, and wraps
// ErrPartialWrite naming the values written in chunks that the host may
// hold in part.
func (s *Session) pushError(name string, changes []change, err error) error {
	if partial := s.partialWrites(); len(partial) > 0 {
		tags := slices.Sorted(maps.Keys(partial))
		names := make([]string, len(tags))
		for i, t := range tags {
			names[i] = fmt.Sprintf("application %q key %q", changes[t].app, changes[t].key)
		}
		err = fmt.Errorf("%w: %s (a server that stores each chunk as it arrives, as the original INIServe does, keeps the chunks sent; package server does not): %w",
			ErrPartialWrite, strings.Join(names, ", "), err)
	}
	if i := s.b.failed; i >= 0 && s.b.ops[i].tag >= 0 {
		c := changes[s.b.ops[i].tag]
		what := "put"
		if c.del {
			what = "delete"
		}
		if c.key == nil {
			return fmt.Errorf("%s: push: %s application %q: %w", name, what, c.app, err)
		}
		return fmt.Errorf("%s: push: %s application %q key %q: %w", name, what, c.app, c.key, err)
	}
	return fmt.Errorf("%s: push: %w", name, err)
}

// diff returns the writes (and with del the deletes) that make remote equal
// to local.
func diff(remote, local *ini.File, del bool) []change {
	var out []change
	for _, a := range local.Apps {
		for _, e := range a.Entries {
			if v, ok := remote.Lookup(a.Name, e.Key); !ok || !bytes.Equal(v, e.Value) {
				out = append(out, change{app: a.Name, key: e.Key, value: e.Value})
			}
		}
	}
	if !del {
		return out
	}
	for _, ra := range remote.Apps {
		if local.NumKeys(ra.Name) == 0 {
			out = append(out, change{del: true, app: ra.Name})
			continue
		}
		for _, e := range ra.Entries {
			if _, ok := local.Lookup(ra.Name, e.Key); !ok {
				out = append(out, change{del: true, app: ra.Name, key: e.Key})
			}
		}
	}
	return out
}
