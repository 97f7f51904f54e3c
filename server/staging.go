package server

import (
	"bytes"
	"fmt"
	"math/bits"
	"slices"

	"github.com/inilua/inilua/ini"
)

// stagedValue is a value being written in chunks (§8): the data of the W
// commands of one session that said more would follow (N >= limit), not
// yet on disk. The W that ends the value (N < limit) commits the staged
// chunks and itself in one save; until then other sessions see the old
// value and this session sees the value with the chunks applied.
//
// The chunks are kept as an overlay on whatever value the file holds when
// it is read or committed: buf holds the bytes written so far, at their
// offsets, and covered has one bit per byte of buf that a chunk wrote.
// Replaying the chunks on a value in order gives the same bytes as the
// overlay: later chunks overwrite earlier ones, a byte no chunk wrote
// keeps the value's byte, and the gap between the value's end and a chunk
// beyond it reads as zero bytes (§8).
type stagedValue struct {
	file     *fileEntry
	app, key []byte
	buf      []byte   // len: the highest end of a chunk so far
	covered  []uint64 // bit i%64 of word i/64: buf[i] was written
	chunks   int      // W commands staged
}

// stagedFor reports whether st holds chunks for the item (e, app, key).
func (st *stagedValue) stagedFor(e *fileEntry, app, key []byte) bool {
	return st != nil && st.file == e && bytes.Equal(st.app, app) && bytes.Equal(st.key, key)
}

// add stages data at offset.
func (st *stagedValue) add(offset uint64, data []byte) {
	end := int(offset) + len(data)
	if end > len(st.buf) {
		st.buf = append(st.buf, make([]byte, end-len(st.buf))...)
		if words := (end + 63) / 64; words > len(st.covered) {
			st.covered = append(st.covered, make([]uint64, words-len(st.covered))...)
		}
	}
	copy(st.buf[offset:], data)
	for i := int(offset); i < end; {
		if i%64 == 0 && end-i >= 64 {
			st.covered[i/64] = ^uint64(0)
			i += 64
			continue
		}
		st.covered[i/64] |= 1 << (i % 64)
		i++
	}
	st.chunks++
}

// size returns the length of the staged value over a value of n bytes.
func (st *stagedValue) size(n int) int { return max(n, len(st.buf)) }

// over returns the staged value over base (nil: the item is missing), in a
// new slice.
func (st *stagedValue) over(base []byte) []byte {
	out := make([]byte, st.size(len(base)))
	copy(out, base)
	for w, bitsSet := range st.covered {
		lo := w * 64
		if bitsSet == ^uint64(0) {
			copy(out[lo:lo+64], st.buf[lo:lo+64])
			continue
		}
		for bitsSet != 0 {
			i := lo + bits.TrailingZeros64(bitsSet)
			out[i] = st.buf[i]
			bitsSet &= bitsSet - 1
		}
	}
	return out
}

// applyW returns the value that W of data at offset with limit makes of
// old (§8), or an error wrapping errValueTooLarge when it would be longer
// than maxLen bytes (then nothing may change).
func applyW(old []byte, offset, limit uint64, data []byte, maxLen int) ([]byte, error) {
	n := uint64(len(data))
	end := offset + n
	size := end
	if n >= limit && uint64(len(old)) > end {
		size = uint64(len(old))
	}
	if size > uint64(maxLen) {
		return nil, fmt.Errorf("value of %d bytes exceeds the limit of %d: %w", size, maxLen, errValueTooLarge)
	}
	nv := make([]byte, size)
	copy(nv, old[:min(uint64(len(old)), offset)])
	copy(nv[offset:], data)
	if size > end {
		copy(nv[end:], old[end:])
	}
	return nv, nil
}

// stagedNames adds the staged item's name to a name list of the current
// file (app nil: the application list; else the key list of app) when the
// item does not exist there yet, so that the writing session's lists show
// it as the reference server's would (appended; a TNI list is sorted by
// nameList).
func (ss *session) stagedNames(names [][]byte, app []byte) [][]byte {
	st := ss.staged
	if st == nil || st.file != ss.file {
		return names
	}
	name := st.app
	if app != nil {
		if !bytes.Equal(app, st.app) {
			return names
		}
		name = st.key
	}
	if slices.ContainsFunc(names, func(n []byte) bool { return bytes.Equal(n, name) }) {
		return names
	}
	return append(names, name)
}

// wCmd is a W that ends a value (N < limit): its data at offset, with
// limit, for a file whose values may hold at most maxLen bytes.
type wCmd struct {
	offset, limit uint64
	data          []byte
	maxLen        int
}

// store applies the staged chunks st (nil: none) and then w (nil: none) to
// the item (app, key) of e and saves the file once. It returns the old
// size (-1: the item was missing) and the new size. On error nothing
// changed.
func store(e *fileEntry, app, key []byte, st *stagedValue, w *wCmd) (oldSize, newSize int, err error) {
	oldSize = -1
	err = e.update(func(f *ini.File) (bool, error) {
		old, had := f.Lookup(app, key)
		nv := old
		if st != nil {
			nv = st.over(old)
		}
		if w != nil {
			var err error
			if nv, err = applyW(nv, w.offset, w.limit, w.data, w.maxLen); err != nil {
				return false, err
			}
		}
		if had {
			oldSize = len(old)
			if bytes.Equal(old, nv) {
				newSize = len(nv)
				return false, nil
			}
		}
		newSize = len(nv)
		if err := f.Put(app, key, nv); err != nil {
			return false, err
		}
		return true, nil
	})
	return oldSize, newSize, err
}

// commitStaged saves the session's staged chunks, if any. It runs before
// every command but O, A, K, S, T, V and W, and before a W for another
// item, so that a client that ends a value with a full chunk (which the
// reference server stores at once) finds it stored when it moves on (E
// after saving, Q). A failed save is logged: the chunks were answered '+'
// already.
func (ss *session) commitStaged() {
	st := ss.staged
	if st == nil {
		return
	}
	ss.staged = nil
	oldSize, newSize, err := store(st.file, st.app, st.key, st, nil)
	log := ss.itemLogFor(st.app, st.key)
	if err != nil {
		log.Warn("chunked write failed", "err", err, "chunks", st.chunks)
		return
	}
	log.Info("change", "op", "W", "old_size", oldSize, "new_size", newSize, "chunks", st.chunks)
}

// dropStaged discards the session's staged chunks: the session ended
// without Q, or a chunk was refused. The value stays as it was.
func (ss *session) dropStaged(why string) {
	st := ss.staged
	if st == nil {
		return
	}
	ss.staged = nil
	ss.itemLogFor(st.app, st.key).Warn("chunked write dropped; the value is unchanged", "reason", why, "chunks", st.chunks, "bytes", len(st.buf))
}
