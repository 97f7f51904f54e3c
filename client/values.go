package client

import (
	"bytes"
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
	iS       int    // op index of the S that opens the current window, or -1
	iCheck   int    // op index of the S that closes it, or -1
	lead     []byte // the first chunk, read again at the window's start
	check    []byte // the first chunk, read again at the window's end
	asked    bool   // in the current window
	want     uint64 // bytes requested so far
	tries    int    // reads begun again after a change
	prev     []byte // the previous complete, consistent read
	hasPrev  bool
	failed   bool // readRests gave up on it (ErrValueChanging)
	done     bool
}

// maxReadTries is how many times a value read in chunks is read again
// after it changed between its chunks, before ErrValueChanging.
const maxReadTries = 5

// readRests reads the remaining chunks of long values, pipelined in
// windows of at most windowBytes of value data. The first window asks the
// second chunk before the size is known (so a value of up to two chunks,
// such as any binary INI value at the default chunk size, takes two more
// round trips with the confirming read); the next windows ask all
// remaining chunks.
//
// Every window checks for a change between chunks: for each value it
// reads the first chunk again, then S, its chunks, S, and the first chunk
// once more. The value is accepted when every size seen agrees with the
// bytes received, every copy of the first chunk (the one read first
// included) is the same, and every chunk but the last was full, and
// then only when a second such read, from the first chunk read last and
// with the size already known, gives the same bytes (one window's checks
// pass when the value changes and changes back between two of them: the
// first chunk of one value with the size and later chunks of another).
// Otherwise it is read again from the newest first chunk, up to
// maxReadTries times; then the error wraps ErrValueChanging. A value
// missing at some point gives the '-' reply's *CommandError (ErrNotFound).
func (s *Session) readRests(ctx context.Context, ref *fileRef, long []longValue) error {
	for i := range long {
		long[i].want = uint64(len(*long[i].dst))
	}
	for {
		s.b.reset()
		if err := s.needFile(ref, false); err != nil {
			return err
		}
		budget := max(s.windowBytes/s.chunk, 3)
		pending := false
		for i := range long {
			lv := &long[i]
			lv.iS, lv.iCheck, lv.asked = -1, -1, false
			if lv.done || budget < 3 {
				continue
			}
			s.needApp(lv.app)
			if lv.withKey {
				s.needKey(lv.key)
			}
			s.addFirst(&lv.lead)
			lv.iS = s.b.add(opS, 'S', nil)
			budget -= 3 // the two copies of the first chunk and one chunk
			s.addChunk(lv)
			for lv.sized && lv.want < lv.size && budget > 0 {
				s.addChunk(lv)
				budget--
			}
			lv.iCheck = s.b.add(opS, 'S', nil)
			s.addFirst(&lv.check)
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
			if !lv.sized {
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
			got := uint64(len(*lv.dst))
			first := (*lv.dst)[:min(len(*lv.dst), s.chunk)]
			consistent := got == min(lv.want, lv.size) && // every chunk so far full, none past the size
				s.b.ops[lv.iS].num == lv.size && s.b.ops[lv.iCheck].num == lv.size &&
				bytes.Equal(lv.lead, first) && bytes.Equal(lv.check, first)
			complete := consistent && lv.want >= lv.size
			switch {
			case complete && lv.hasPrev && bytes.Equal(lv.prev, *lv.dst):
				lv.done = true // two reads in a row agree
			case complete && (!lv.hasPrev || lv.tries+1 < maxReadTries):
				// read it once more and accept it only when both reads
				// agree: the checks of one read are fooled by a change
				// and a change back between two of them (first chunk of
				// one value, size and further chunks of another); the
				// second read, with the size known, checks it against
				// the first
				if lv.hasPrev {
					lv.tries++
				}
				lv.prev, lv.hasPrev = append(lv.prev[:0], *lv.dst...), true
				*lv.dst = append((*lv.dst)[:0], lv.check...)
				lv.want = uint64(len(lv.check))
			case consistent && !complete:
				// more chunks to read
			case lv.tries+1 >= maxReadTries:
				lv.failed = true
				return fmt.Errorf("%w: read %d times in chunks, changed every time (another client is rewriting it)", ErrValueChanging, lv.tries+1)
			default:
				// again, from the newest first chunk (which is the whole
				// value, read by one V, when it is short)
				lv.tries++
				lv.sized = false
				*lv.dst = append((*lv.dst)[:0], lv.check...)
				lv.want = uint64(len(lv.check))
				lv.done = len(lv.check) < s.chunk
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

// addFirst adds O and V of the first chunk, read into *dst.
func (s *Session) addFirst(dst *[]byte) {
	s.needOL(0, uint32(s.chunk))
	j := s.b.add(opV, 'V', nil)
	*dst = (*dst)[:0]
	s.b.ops[j].dst = dst
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
	s.noteChunks()
	s.b.reset()
	return s.needFile(ref, false)
}

// noteChunks records, after a window was answered without error, the
// chunks it carried of values written in several chunks (inflight), and
// forgets the values it finished.
func (s *Session) noteChunks() {
	for i := range s.b.ops {
		o := &s.b.ops[i]
		switch {
		case o.chunk == 0:
		case o.last:
			delete(s.inflight, o.tag)
		default:
			if s.inflight == nil {
				s.inflight = map[int]int{}
			}
			s.inflight[o.tag] += o.chunk
		}
	}
}

// partialWrites returns, after the window in s.b failed, the values
// written in several chunks that a server storing each chunk as it
// arrives (the original INIServe) may now hold in part: those of which
// some chunk was answered '+', or sent with no reply read, while the chunk
// that ends the value was not answered '+'. The map goes from tag to the
// value bytes sent in such chunks. inflight is cleared.
func (s *Session) partialWrites() map[int]int {
	out := map[int]int{}
	done := map[int]bool{}
	for tag, n := range s.inflight {
		out[tag] = n
	}
	s.inflight = nil
	for i := range s.b.ops {
		o := &s.b.ops[i]
		if o.chunk == 0 || !s.b.sent {
			continue
		}
		if o.ok || !o.read {
			out[o.tag] += o.chunk
		}
		if o.last && o.ok {
			done[o.tag] = true
		}
	}
	for tag, n := range out {
		if done[tag] || n == 0 {
			delete(out, tag)
		}
	}
	return out
}

// partialError wraps err, the failure of a value of total bytes written in
// chunks of which sent bytes may have been stored, with ErrPartialWrite.
func partialError(sent, total int, err error) error {
	return fmt.Errorf("%w (%d of its %d bytes were sent in chunks before the failure; a server that stores each chunk as it arrives, as the original INIServe does, keeps them; package server does not): %w",
		ErrPartialWrite, min(sent, total), total, err)
}

// writeValue adds the commands that store value into (app, key) to the
// batch (ref already selected in it), flushing full windows, and runs the
// batch when last is true. A value up to one chunk is one W with offset 0
// and a limit above its length (so the value ends after it, spec §8). A
// longer one is written chunk by chunk as spec §8 describes: every chunk
// but the last with O <offset>,<chunk size> (N = limit: the bytes after it
// are kept, more follows), the last with O <offset>,FFFFFFFF (it ends the
// value). A server that stages chunks (package server) stores the value
// only with the last chunk; see partialWrites for one that does not.
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
			end := min(off+s.chunk, len(value))
			lim := uint32(s.chunk)
			if end == len(value) {
				lim = wire.DefaultLimit
			}
			s.needOL(uint32(off), lim)
			i := s.b.addW(value[off:end])
			s.b.ops[i].chunk, s.b.ops[i].last = end-off, end == len(value)
		}
	}
	if last {
		if err := s.run(ctx); err != nil {
			return err
		}
		s.noteChunks()
		return nil
	}
	return s.flushIfFull(ctx, ref)
}
