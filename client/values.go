package client

import (
	"context"
	"fmt"

	"github.com/inilua/inilua/internal/wire"
)

// readValue reads the value of (app, key), or with withKey false the list
// pseudo-value of app (all applications when app is empty): A, K and V in
// one round trip (O once per session, to limit V to one chunk), then the
// rest of a value that filled its first chunk (see readRests).
func (s *Session) readValue(ctx context.Context, ref *fileRef, app, key []byte, withKey bool) ([]byte, error) {
	s.b.reset()
	if err := s.needFile(ref, false); err != nil {
		return nil, err
	}
	s.needApp(app)
	if withKey {
		s.needKey(key)
	}
	s.needReadWindow()
	var v []byte
	iV := s.b.add(opV, 'V', nil)
	s.b.ops[iV].dst = &v
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	if len(v) == s.chunk {
		long := []longValue{{app: app, key: key, withKey: withKey, dst: &v}}
		if err := s.readRests(ctx, ref, long); err != nil {
			return nil, err
		}
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// longValue is a value whose first chunk came back full, so it may be
// longer.
type longValue struct {
	app, key []byte
	withKey  bool
	dst      *[]byte
	size     uint64 // from S, once sized
	sized    bool
	iS       int    // op index of S in the current window, or -1
	asked    bool   // in the current window
	want     uint64 // bytes requested so far
	done     bool
}

// readRests reads the remaining chunks of long values, pipelined in
// windows of at most windowBytes of value data. The first window asks S
// together with the second chunk (so a value of up to two chunks, such as
// any binary INI value at the default chunk size, takes one more round
// trip); the next windows ask all remaining chunks. A value that turns out
// shorter than its S size (changed meanwhile) ends at its first short
// chunk.
func (s *Session) readRests(ctx context.Context, ref *fileRef, long []longValue) error {
	for i := range long {
		long[i].want = uint64(len(*long[i].dst))
	}
	for {
		s.b.reset()
		if err := s.needFile(ref, false); err != nil {
			return err
		}
		budget := max(s.windowBytes/s.chunk, 1)
		pending := false
		for i := range long {
			lv := &long[i]
			lv.iS, lv.asked = -1, false
			if lv.done || budget == 0 {
				continue
			}
			s.needApp(lv.app)
			if lv.withKey {
				s.needKey(lv.key)
			}
			if !lv.sized {
				lv.iS = s.b.add(opS, 'S', nil)
				s.addChunk(lv) // the second chunk, before the size is known
				budget--
			}
			for lv.sized && lv.want < lv.size && budget > 0 {
				s.addChunk(lv)
				budget--
			}
			lv.asked, pending = true, true
		}
		if !pending {
			return nil
		}
		if err := s.run(ctx); err != nil {
			return err
		}
		for i := range long {
			lv := &long[i]
			if !lv.asked {
				continue
			}
			if lv.iS >= 0 {
				lv.size, lv.sized = s.b.ops[lv.iS].num, true
				if lv.size > wire.DefaultLimit {
					return s.broken(fmt.Errorf("%w: %s: command S: size %d is over 4 GiB (%w)", ErrMalformedReply, s.addr, lv.size, ErrConnectionLost))
				}
				if d := *lv.dst; uint64(cap(d)) < lv.size {
					grown := make([]byte, len(d), min(lv.size, 64<<20))
					copy(grown, d)
					*lv.dst = grown
				}
			}
			if n := uint64(len(*lv.dst)); n >= lv.size || n < lv.want {
				lv.done = true // complete, or a short chunk: the value shrank
			}
		}
	}
}

// addChunk adds O and V for the next chunk of lv.
func (s *Session) addChunk(lv *longValue) {
	s.needOL(uint32(lv.want), uint32(s.chunk))
	j := s.b.add(opV, 'V', nil)
	s.b.ops[j].dst = lv.dst
	lv.want += uint64(s.chunk)
}

// flushIfFull runs the batch when it holds a full window, then starts a new
// one with ref selected.
func (s *Session) flushIfFull(ctx context.Context, ref *fileRef) error {
	if len(s.b.ops) < s.windowOps && len(s.b.buf) < s.windowBytes {
		return nil
	}
	if err := s.run(ctx); err != nil {
		return err
	}
	s.b.reset()
	return s.needFile(ref, false)
}

// writeValue adds the commands that store value into (app, key) to the
// batch (ref already selected in it), flushing full windows, and runs the
// batch when last is true. A value up to one chunk is one W with offset 0
// and a limit above its length (so the value ends after it, spec §8); a
// longer one is written chunk by chunk, each with O <offset>,FFFFFFFF so
// that every chunk ends the value and the next extends it.
func (s *Session) writeValue(ctx context.Context, ref *fileRef, app, key, value []byte, tag int, last bool) error {
	s.b.tag = tag
	s.needApp(app)
	s.needKey(key)
	if len(value) <= s.chunk {
		if !(s.st.olOK && s.st.off == 0 && uint64(s.st.lim) > uint64(len(value))) {
			s.needOL(0, wire.DefaultLimit)
		}
		s.b.addW(value)
	} else {
		for off := 0; off < len(value); off += s.chunk {
			if err := s.flushIfFull(ctx, ref); err != nil {
				return err
			}
			s.b.tag = tag
			s.needApp(app)
			s.needKey(key)
			s.needOL(uint32(off), wire.DefaultLimit)
			s.b.addW(value[off:min(off+s.chunk, len(value))])
		}
	}
	if last {
		return s.run(ctx)
	}
	return s.flushIfFull(ctx, ref)
}
