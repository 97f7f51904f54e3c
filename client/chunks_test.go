package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wire"
	"github.com/inilua/inilua/internal/wiretest"
)

// TestChunkedWriteCommands: a value over the chunk size goes out as spec §8
// describes a chunked write: every chunk but the last with the chunk size
// as limit (more follows), the last with the default limit (it ends the
// value), so a server that stages chunks (package server) stores the
// value only with the last one; the stored value is exact, also over a
// longer old value whose tail the last chunk must cut.
func TestChunkedWriteCommands(t *testing.T) {
	ts := startServer(t, nil)
	old := ini.New()
	old.Put(b("A"), b("K"), bytes.Repeat([]byte{0xEE}, 200))
	ts.writeFile(t, "c.tni", old)
	var log wireLog
	s := ts.dial(t, Options{ChunkSize: 64, Logger: log.logger()})
	f, err := s.Open(bg, "c.tni")
	must(t, err)
	v := make([]byte, 150)
	for i := range v {
		v[i] = byte(i)
	}
	log.reset()
	must(t, f.Put(b("A"), b("K"), v))
	var ol []string
	for _, l := range log.sent() {
		if l[0] == 'O' {
			ol = append(ol, l)
		}
	}
	if got := strings.Join(ol, " "); got != "O0,40 O40,40 O80,FFFFFFFF" {
		t.Errorf("O commands %s", got)
	}
	if got, _ := ts.readFile(t, "c.tni").Lookup(b("A"), b("K")); !bytes.Equal(got, v) {
		t.Errorf("stored %x", got)
	}
}

// TestPartialWriteError: against a host that stores each chunk as it
// arrives and drops the connection in the middle of a value (as the
// original INIServe would leave it), Put's error says that the value on
// the host may be partial and names it; a failure before any chunk went out
// does not.
func TestPartialWriteError(t *testing.T) {
	ws := 0
	addr := fakeServer(t, func(line string, w io.Writer) bool {
		if line[0] == 'W' {
			ws++
			if ws == 2 {
				return false // drop on the second chunk
			}
		}
		io.WriteString(w, "+\r\n")
		return true
	})
	s, err := Dial(bg, addr, Options{ChunkSize: 64})
	must(t, err)
	f, err := s.Open(bg, "x.tni")
	must(t, err)
	err = f.Put(b("App"), b("Key"), make([]byte, 150))
	mustErrIs(t, err, ErrPartialWrite)
	mustErrIs(t, err, ErrConnectionLost)
	for _, want := range []string{"may be partial", `application "App" key "Key"`, "x.tni"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	// refused before any chunk: not partial
	addr = fakeServer(t, func(line string, w io.Writer) bool {
		if line[0] == 'W' {
			io.WriteString(w, "-Write failed\r\n")
			return true
		}
		io.WriteString(w, "+\r\n")
		return true
	})
	s, err = Dial(bg, addr, Options{ChunkSize: 64})
	must(t, err)
	f, err = s.Open(bg, "x.tni")
	must(t, err)
	err = f.Put(b("App"), b("Key"), make([]byte, 150))
	if err == nil || errors.Is(err, ErrPartialWrite) {
		t.Errorf("every chunk refused: %v", err)
	}

	// Push: the value is named too
	ws = 0
	addr = fakeServer(t, func(line string, w io.Writer) bool {
		switch {
		case line == "V":
			io.WriteString(w, "+00\r\n")
			return true
		case line[0] == 'W':
			ws++
			if ws == 2 {
				return false
			}
		}
		io.WriteString(w, "+\r\n")
		return true
	})
	s, err = Dial(bg, addr, Options{ChunkSize: 64})
	must(t, err)
	local := ini.New()
	local.Put(b("Small"), b("k"), b("1"))
	local.Put(b("Big"), b("k"), make([]byte, 150))
	err = s.Push(bg, "x.tni", local, PushOptions{})
	mustErrIs(t, err, ErrPartialWrite)
	if !strings.Contains(err.Error(), `application "Big" key "k"`) || strings.Contains(err.Error(), `"Small"`) {
		t.Errorf("push error %q", err)
	}
}

// changingHost serves one value (any application and key) whose version
// the test chooses per V command: version(nth V) returns the value's bytes
// at the time of the nth V (1-based); S answers with the size of the
// version of the last V.
func changingHost(t *testing.T, version func(n int) []byte) string {
	return wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		var off, lim uint32 = 0, wire.DefaultLimit
		vs := 0
		cur := version(1)
		return func(line string, w io.Writer) bool {
			switch line[0] {
			case 'O':
				off, lim = wire.ParseOffsetLimit([]byte(line[1:]))
			case 'S':
				fmt.Fprintf(w, "+%X\r\n", len(cur))
				return true
			case 'V':
				vs++
				cur = version(vs)
				v := cur[min(int(off), len(cur)):]
				v = v[:min(uint64(len(v)), uint64(lim))]
				fmt.Fprintf(w, "+%X\r\n", v)
				return true
			}
			io.WriteString(w, "+\r\n")
			return true
		}
	})
}

// TestTornReadDetected: a value that another client rewrites between the
// chunks of a read is read again, so Get returns a value some writer wrote
// (never the start of one and the end of another): a change of size, or of
// the first chunk with the size kept, is seen; a value that changes at
// every read gives ErrValueChanging naming the key, in Get and Fetch.
func TestTornReadDetected(t *testing.T) {
	big, small := bytes.Repeat([]byte{0x11}, 100000), bytes.Repeat([]byte{0x22}, 40000)
	same := bytes.Repeat([]byte{0x33}, 100000)
	for _, tc := range []struct {
		name   string
		before []byte // served up to and including the first V
		after  []byte
	}{
		{"size changes", big, small},
		{"grows", small, big},
		{"same size", big, same},
	} {
		addr := changingHost(t, func(n int) []byte {
			if n == 1 {
				return tc.before
			}
			return tc.after
		})
		s, err := Dial(bg, addr, Options{})
		must(t, err)
		f, err := s.Open(bg, "x.tni")
		must(t, err)
		got, err := f.Get(b("A"), b("K"))
		if err != nil || !bytes.Equal(got, tc.after) {
			t.Errorf("%s: Get returned %d bytes (%x...), %v; want the %d bytes of the new value", tc.name, len(got), got[:min(len(got), 4)], err, len(tc.after))
		}
		s.Close()
	}

	addr := changingHost(t, func(n int) []byte {
		if n%2 == 1 {
			return big
		}
		return small
	})
	s, err := Dial(bg, addr, Options{})
	must(t, err)
	f, err := s.Open(bg, "x.tni")
	must(t, err)
	_, err = f.Get(b("App"), b("Key"))
	mustErrIs(t, err, ErrValueChanging)
	if !strings.Contains(err.Error(), `application "App" key "Key"`) {
		t.Errorf("error does not name the key: %v", err)
	}
	s.Close()
}

// TestTornReadsUnderWriter: with package server and a writer alternating
// a 40000- and a 65000-byte value (40000 and 100000 in a TNI file), every
// read in chunks returns one of the two values, or ErrValueChanging.
func TestTornReadsUnderWriter(t *testing.T) {
	ts := startServer(t, nil)
	for _, name := range []string{"w.ini", "w.tni"} {
		a, c := bytes.Repeat([]byte{0xA1}, 40000), bytes.Repeat([]byte{0xC3}, 65000)
		if name == "w.tni" {
			c = bytes.Repeat([]byte{0xC3}, 100000)
		}
		ws := ts.dial(t, Options{})
		wf, err := ws.Open(bg, name)
		must(t, err)
		must(t, wf.Put(b("A"), b("K"), a))
		stop := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				v := a
				if i%2 == 1 {
					v = c
				}
				if err := wf.Put(b("A"), b("K"), v); err != nil {
					done <- err
					return
				}
			}
		}()
		rs := ts.dial(t, Options{})
		rf, err := rs.Open(bg, name)
		must(t, err)
		torn := 0
		for range 150 {
			got, err := rf.Get(b("A"), b("K"))
			if err != nil {
				mustErrIs(t, err, ErrValueChanging)
				continue
			}
			if !bytes.Equal(got, a) && !bytes.Equal(got, c) {
				torn++
			}
		}
		close(stop)
		must(t, <-done)
		if torn > 0 {
			t.Errorf("%s: %d of 150 reads returned a value no writer wrote", name, torn)
		}
	}
}

// TestTornReadChangedBack: a value that changes and changes back within
// one window of a read in chunks (the first chunk of one value, the size
// and second chunk of another, the first chunk of the first value again)
// passes that window's checks; Get must still return a value some writer
// wrote, not the first chunk of one and the rest of the other.
func TestTornReadChangedBack(t *testing.T) {
	a, c := bytes.Repeat([]byte{0xA1}, 40000), bytes.Repeat([]byte{0xC3}, 65000)
	// the state each S or V is answered from, in order: the first V, then
	// the window lead V, S, V of the second chunk, S, check V; c after
	states := [][]byte{c, c, a, a, a, c}
	addr := wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		var off, lim uint32 = 0, wire.DefaultLimit
		n := 0
		return func(line string, w io.Writer) bool {
			cur := c
			if line[0] == 'S' || line[0] == 'V' {
				if n < len(states) {
					cur = states[n]
				}
				n++
			}
			switch line[0] {
			case 'O':
				off, lim = wire.ParseOffsetLimit([]byte(line[1:]))
			case 'S':
				fmt.Fprintf(w, "+%X\r\n", len(cur))
				return true
			case 'V':
				v := cur[min(int(off), len(cur)):]
				v = v[:min(uint64(len(v)), uint64(lim))]
				fmt.Fprintf(w, "+%X\r\n", v)
				return true
			}
			io.WriteString(w, "+\r\n")
			return true
		}
	})
	s, err := Dial(bg, addr, Options{})
	must(t, err)
	defer s.Close()
	f, err := s.Open(bg, "x.ini")
	must(t, err)
	got, err := f.Get(b("A"), b("K"))
	if err != nil && !errors.Is(err, ErrValueChanging) {
		t.Fatal(err)
	}
	if err == nil && !bytes.Equal(got, a) && !bytes.Equal(got, c) {
		t.Errorf("Get returned %d bytes (%x...%x), a value no writer wrote", len(got), got[0], got[len(got)-1])
	}
}
