package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wire"
)

// sessionEnds is a slog handler that signals every "session end" record.
type sessionEnds struct{ ch chan string }

func (h sessionEnds) Enabled(context.Context, slog.Level) bool { return true }
func (h sessionEnds) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "session end" {
		reason := ""
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "reason" {
				reason = a.Value.String()
			}
			return true
		})
		h.ch <- reason
	}
	return nil
}
func (h sessionEnds) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h sessionEnds) WithGroup(string) slog.Handler      { return h }

// chunkCmds returns the O and W commands that write v in chunks of n bytes
// as the spec's §8 describes: every chunk but the last with limit n (N >=
// limit: more follows), the last with the default limit (it ends the
// value).
func chunkCmds(v []byte, n int) []string {
	var out []string
	for off := 0; off < len(v); off += n {
		end := min(off+n, len(v))
		lim := uint64(n)
		if end == len(v) {
			lim = wire.DefaultLimit
		}
		out = append(out, fmt.Sprintf("O%X,%X", off, lim), "W"+strings.ToUpper(fmt.Sprintf("%x", v[off:end])))
	}
	return out
}

// TestChunkedWriteStaged: the chunks of a value written with O/W are held
// by the session until the W that ends it: a session that breaks off after
// the first chunk leaves the old value in place (binary INI and TNI);
// meanwhile other sessions read the old value while the writer reads its
// own chunks back, sizes and key lists included, as it would from the
// reference server; the last chunk stores the whole value with one save.
func TestChunkedWriteStaged(t *testing.T) {
	for _, name := range []string{"V.INI", "V.TNI"} {
		t.Run(name, func(t *testing.T) {
			ends := sessionEnds{make(chan string, 16)}
			ts := startServer(t, func(s *Server) { s.Logger = slog.New(ends) })
			path := filepath.Join(ts.dirs['C'], name)
			oldV := bytes.Repeat([]byte{0xAA}, 40000)
			f := ini.New()
			f.Put([]byte("App"), []byte("Key"), oldV)
			writeINI(t, path, f)
			newV := make([]byte, 60000)
			for i := range newV {
				newV[i] = byte(i)
			}
			cmds := chunkCmds(newV, 32768)
			if len(cmds) != 4 {
				t.Fatalf("%d commands", len(cmds))
			}

			// breaks off after the first chunk
			w := dial(t, ts.addr).login()
			for _, c := range []string{`CC:\`, "F" + name, "AApp", "KKey", cmds[0], cmds[1]} {
				w.expect(c, "+")
			}
			w.expect("S", "+9C40") // the writer sees its chunk over the old value: 40000 bytes
			w.expect("O0,4", "+")
			w.expect("V", "+00010203")
			w.expect("O7FFE,4", "+")
			w.expect("V", "+FEFFAAAA")
			r := dial(t, ts.addr).login()
			for _, c := range []string{`CC:\`, "F" + name, "AApp", "KKey"} {
				r.expect(c, "+")
			}
			r.expect("S", "+9C40")
			r.expect("O0,2", "+")
			r.expect("V", "+AAAA")
			w.conn.Close()
			if reason := <-ends.ch; reason != "client closed" {
				t.Fatalf("session ended with %q", reason)
			}
			if v, _ := readINI(t, path).Lookup([]byte("App"), []byte("Key")); !bytes.Equal(v, oldV) {
				t.Fatalf("after a session broke off mid-value the file holds %d bytes, want the old %d", len(v), len(oldV))
			}

			// a new key: listed for the writer only, not created
			w2 := dial(t, ts.addr).login()
			for _, c := range []string{`CC:\`, "F" + name, "AApp", "KNew", "O0,4", "W01020304", "K", "O"} {
				w2.expect(c, "+")
			}
			w2.expect("V", "+"+hexOf([]byte("Key\x00New\x00\x00")))
			w2.expect("A", "+")
			w2.expect("V", "+"+hexOf([]byte("App\x00\x00")))
			r.expect("K", "+")
			r.expect("O", "+")
			r.expect("V", "+"+hexOf([]byte("Key\x00\x00")))
			w2.conn.Close()
			if reason := <-ends.ch; reason != "client closed" {
				t.Fatalf("session ended with %q", reason)
			}
			if _, ok := readINI(t, path).Lookup([]byte("App"), []byte("New")); ok {
				t.Fatal("a key of which only a chunk was sent was created")
			}

			// the whole value: stored by the last chunk
			r.expect("KKey", "+")
			for i, c := range cmds {
				r.expect(c, "+")
				if i == 1 {
					if v, _ := readINI(t, path).Lookup([]byte("App"), []byte("Key")); !bytes.Equal(v, oldV) {
						t.Fatal("a chunk that says more follows was written to disk")
					}
				}
			}
			if v, _ := readINI(t, path).Lookup([]byte("App"), []byte("Key")); !bytes.Equal(v, newV) {
				t.Fatalf("after the last chunk the file holds %d bytes, want %d", len(v), len(newV))
			}
			r.expect("O", "+")
			r.expect("S", "+EA60")
		})
	}
}

// TestChunkedWriteEndsWithFullChunk: a client that ends a value with a
// full chunk (N = limit), which the reference server stores at once, finds
// it stored as soon as it sends any other command (here E) or Q; a W for another item stores the previous one first.
func TestChunkedWriteEndsWithFullChunk(t *testing.T) {
	ends := sessionEnds{make(chan string, 16)}
	ts := startServer(t, func(s *Server) { s.Logger = slog.New(ends) })
	path := filepath.Join(ts.dirs['C'], "F.INI")
	c := dial(t, ts.addr).login()
	for _, cmd := range []string{`CC:\`, "FF.INI", "AA", "KOne", "O0,2", "W0102", "O2,2", "W0304"} {
		c.expect(cmd, "+")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("staged chunks on disk before the session moved on (%v)", err)
	}
	c.expect(`E\SEM32\NONE`, "-Unknown event semaphore")
	if v, _ := readINI(t, path).Lookup([]byte("A"), []byte("One")); !bytes.Equal(v, []byte{1, 2, 3, 4}) {
		t.Fatalf("after E: %x", v)
	}
	for _, cmd := range []string{"KTwo", "O0,1", "W05", "KThree", "O0,1", "W06"} {
		c.expect(cmd, "+")
	}
	if v, _ := readINI(t, path).Lookup([]byte("A"), []byte("Two")); !bytes.Equal(v, []byte{5}) {
		t.Fatalf("after a W of another key: Two = %x", v)
	}
	c.expect("Q", "+")
	if reason := <-ends.ch; reason != "Q" {
		t.Fatalf("session ended with %q", reason)
	}
	if v, _ := readINI(t, path).Lookup([]byte("A"), []byte("Three")); !bytes.Equal(v, []byte{6}) {
		t.Fatalf("after Q: Three = %x", v)
	}
}

// TestChunkedWriteRefusedChunk: a refused chunk drops the chunks staged
// before it, so the value is as it was before the first of them (the
// reference server would keep the earlier chunks).
func TestChunkedWriteRefusedChunk(t *testing.T) {
	ts := startServer(t, nil)
	path := filepath.Join(ts.dirs['C'], "B.INI")
	f := ini.New()
	f.Put([]byte("A"), []byte("K"), []byte("old"))
	writeINI(t, path, f)
	c := dial(t, ts.addr).login()
	for _, cmd := range []string{`CC:\`, "FB.INI", "AA", "KK", "O0,2", "W0102"} {
		c.expect(cmd, "+")
	}
	c.expect("O2,2", "+")
	c.expect("W03zz", "-*")
	c.expect("O", "+")
	c.expect("V", "+"+hexOf([]byte("old")))
	c.expect("O10000,1", "+") // past the binary limit
	c.expect("W00", "-Write failed: value too large")
	c.expect("Q", "+")
	if v, _ := readINI(t, path).Lookup([]byte("A"), []byte("K")); string(v) != "old" {
		t.Fatalf("K = %q", v)
	}
}

// TestStagedOverlayIsReplay: the overlay of staged chunks over a value
// gives the bytes that applying the same W commands to it one by one
// gives (§8), for chunks at any offsets, overlapping or past the end.
func TestStagedOverlayIsReplay(t *testing.T) {
	rnd := uint64(1)
	next := func(n int) int { // xorshift: reproducible without math/rand state
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return int(rnd % uint64(n))
	}
	for round := range 2000 {
		base := make([]byte, next(300))
		for i := range base {
			base[i] = byte(next(256))
		}
		var st stagedValue
		want := base
		for range 1 + next(6) {
			off := next(400)
			data := make([]byte, next(150))
			for i := range data {
				data[i] = byte(next(256))
			}
			st.add(uint64(off), data)
			var err error
			if want, err = applyW(want, uint64(off), uint64(len(data)), data, 1<<20); err != nil {
				t.Fatal(err)
			}
		}
		if got := st.over(base); !bytes.Equal(got, want) {
			t.Fatalf("round %d: overlay\n%x\nreplay\n%x", round, got, want)
		}
		if st.size(len(base)) != len(want) {
			t.Fatalf("round %d: size %d, want %d", round, st.size(len(base)), len(want))
		}
	}
}
