package client

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
	"github.com/inilua/inilua/server"
)

// TestRoundTrips counts round trips (at the client, with TripConn) through
// a proxy that adds 25 ms each way: what a slow link costs.
func TestRoundTrips(t *testing.T) {
	ts := startServer(t, nil)
	src := ini.New()
	for a := 0; a < 10; a++ {
		for k := 0; k < 20; k++ {
			src.Put(b("app"+string(rune('A'+a))), b("key"+string(rune('a'+k))), b(strings.Repeat("v", a*k)))
		}
	}
	src.Put(b("big"), b("value"), pattern(100_000))
	ts.writeFile(t, "f.tni", src)
	proxy := wiretest.StartProxy(t, ts.addr, 25*time.Millisecond)
	var p *wiretest.TripConn
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		p = &wiretest.TripConn{Conn: c}
		return p, nil
	}
	s, err := Dial(bg, proxy.Addr(), Options{Password: "secret", DialContext: dial})
	must(t, err)
	defer s.Close()
	must(t, s.Chdir(bg, `C:\`))
	f, err := s.Open(bg, "f.tni")
	must(t, err)

	trips := func(what string, want int, fn func() error) {
		t.Helper()
		p.Reset()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := p.RoundTrips(); got != want {
			t.Errorf("%s: %d round trips, want %d", what, got, want)
		}
	}
	trips("Get", 1, func() error { _, err := f.Get(b("appB"), b("keyc")); return err })
	trips("Get of another key", 1, func() error { _, err := f.Get(b("appC"), b("keyd")); return err })
	trips("Get of a missing key", 1, func() error {
		if _, err := f.Get(b("appC"), b("nokey")); !errors.Is(err, ini.ErrNotFound) {
			return err
		}
		return nil
	})
	trips("Put", 1, func() error { return f.Put(b("appA"), b("new"), b("x")) })
	trips("Delete", 1, func() error { return f.Delete(b("appA"), b("new")) })
	trips("Size", 1, func() error { _, err := f.Size(b("appA"), b("keyb")); return err })
	trips("Keys", 1, func() error { _, err := f.Keys(b("appA")); return err })
	trips("Applications", 1, func() error { _, err := f.Applications(); return err })
	// 65 535 bytes (the largest binary INI value) at 32 KiB: the first
	// chunk, then S and the second chunk, then the value once more to
	// confirm it
	must(t, f.Put(b("big"), b("value64"), pattern(65535)))
	trips("Get of 65535 bytes", 3, func() error { _, err := f.Get(b("big"), b("value64")); return err })
	// 100 000 bytes: the first chunk; S and the second; the last two;
	// the whole value once more to confirm it
	trips("Get of 100000 bytes", 4, func() error { _, err := f.Get(b("big"), b("value")); return err })
	trips("Put of a long value", 1, func() error { return f.Put(b("big"), b("value2"), pattern(100_000)) })

	// Fetch of 200 keys (plus 2 long ones): at most 5 round trips
	must(t, f.DeleteApplication(b("big")))
	p.Reset()
	g, err := s.Fetch(bg, "f.tni")
	must(t, err)
	src.DeleteApplication(b("big"))
	if !g.Equal(src) {
		t.Errorf("Fetch through the proxy differs")
	}
	if got := p.RoundTrips(); got > 5 {
		t.Errorf("Fetch of 200 keys: %d round trips, want <= 5", got)
	} else {
		t.Logf("Fetch of 200 keys: %d round trips", got)
	}
	// Push of 200 changed keys: one fetch (3) and one window of writes
	for _, a := range src.Apps {
		for i := range a.Entries {
			a.Entries[i].Value = append(a.Entries[i].Value, '!')
		}
	}
	trips("Push of 200 changed keys", 4, func() error { return s.Push(bg, "f.tni", src, PushOptions{}) })
}

// TestSkipRedundant checks that A, K, O and F are not resent.
func TestSkipRedundant(t *testing.T) {
	ts := startServer(t, nil)
	ts.writeFile(t, "f.ini", fileOf("a", "k1", "1", "a", "k2", "2", "b", "k1", "3"))
	var wl wireLog
	s := ts.dial(t, Options{Logger: wl.logger()})
	f, err := s.Open(bg, "f.ini")
	must(t, err)
	wl.reset()
	steps := []struct {
		do   func() error
		want string
	}{
		{func() error { _, err := f.Get(b("a"), b("k1")); return err }, "AKOV"},
		{func() error { _, err := f.Get(b("a"), b("k1")); return err }, "V"},
		{func() error { _, err := f.Get(b("a"), b("k2")); return err }, "KV"},
		{func() error { _, _ = f.Get(b("b"), b("k2")); return nil }, "AV"},
		{func() error { return f.Put(b("b"), b("k2"), b("x")) }, "W"}, // O 0,chunk already ends a short value
		{func() error { _, err := f.Size(b("b"), b("k2")); return err }, "S"},
		{func() error { return f.Delete(b("b"), b("k2")) }, "D"},
	}
	for i, st := range steps {
		wl.reset()
		if err := st.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := letters(wl.sent()); got != st.want {
			t.Errorf("step %d sent %q (%q), want %q", i, got, wl.sent(), st.want)
		}
	}
	// another file: F is sent once
	g, err := s.Open(bg, "g.ini")
	must(t, err)
	wl.reset()
	must(t, g.Put(b("b"), b("k2"), b("y")))
	must(t, g.Put(b("b"), b("k2"), b("z")))
	must(t, errOf(f.Get(b("b"), b("k1"))))
	if got := letters(wl.sent()); got != "WWFKV" {
		t.Errorf("switching files sent %q, want WWFKV", wl.sent())
	}
}

// TestPipelineStopsAtFirstFailure: a server refusing the second command of a
// group; the error names it and the session stays in step.
func TestPipelineStopsAtFirstFailure(t *testing.T) {
	addr := fakeServer(t, func(line string, w io.Writer) bool {
		switch {
		case line == "Kbad":
			io.WriteString(w, "-Bad key\r\n") // the spec says K always succeeds
		case line == "V":
			io.WriteString(w, "-No such item\r\n")
		case strings.HasPrefix(line, "W"):
			io.WriteString(w, "-Disk full\r\n")
		default:
			io.WriteString(w, "+\r\n")
		}
		return true
	})
	s, err := Dial(bg, addr, Options{})
	must(t, err)
	defer s.Close()
	f, err := s.Open(bg, "x.ini")
	must(t, err)
	_, err = f.Get(b("a"), b("bad"))
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Cmd != "Kbad" || ce.Reply != "Bad key" || errors.Is(err, ini.ErrNotFound) {
		t.Errorf("Get: %v; want the refused K named", err)
	}
	_, err = f.Get(b("a"), b("bad")) // K is unknown now, so it is sent again
	if !errors.As(err, &ce) || ce.Cmd != "Kbad" {
		t.Errorf("second Get: %v", err)
	}
	_, err = f.Get(b("a"), b("k"))
	if !errors.As(err, &ce) || ce.Cmd != "V" || ce.Reply != "No such item" || !errors.Is(err, ini.ErrNotFound) {
		t.Errorf("Get of a missing key: %v", err)
	}
	err = f.Put(b("a"), b("k"), b("v"))
	if !errors.As(err, &ce) || ce.Cmd != "W76" || errors.Is(err, ini.ErrNotFound) {
		t.Errorf("Put: %v", err)
	}
	// the replies stayed in step: the next command gets its own reply
	if err := s.Chdir(bg, `C:\`); err != nil {
		t.Errorf("Chdir after failures: %v", err)
	}
}

// TestDropMidReply: the server closes the connection in the middle of a V
// reply.
func TestDropMidReply(t *testing.T) {
	addr := fakeServer(t, func(line string, w io.Writer) bool {
		switch line {
		case "S":
			io.WriteString(w, "+10\r\n")
		case "V":
			io.WriteString(w, "+0102030405")
			return false
		default:
			io.WriteString(w, "+\r\n")
		}
		return true
	})
	s, err := Dial(bg, addr, Options{})
	must(t, err)
	f, err := s.Open(bg, "x.ini")
	must(t, err)
	_, err = f.Get(b("a"), b("k"))
	mustErrIs(t, err, ErrConnectionLost)
	if !strings.Contains(err.Error(), "command V") {
		t.Errorf("error does not name V: %v", err)
	}
	err = f.Put(b("a"), b("k"), b("v"))
	mustErrIs(t, err, ErrConnectionLost)
	mustErrIs(t, s.Chdir(bg, "x"), ErrConnectionLost)
	if err := s.Close(); err != nil {
		t.Errorf("Close after a lost connection: %v", err)
	}
}

// TestMalformedReplies: replies that break the protocol give a clear error,
// no hang, no panic.
func TestMalformedReplies(t *testing.T) {
	cases := []struct {
		name  string
		reply map[string]string
		want  string
	}{
		{"no sign", map[string]string{"V": "hello\r\n"}, "does not start with + or -"},
		{"empty line", map[string]string{"V": "\r\n"}, "empty reply line"},
		{"bad hex", map[string]string{"V": "+0G\r\n"}, "bad hex"},
		{"odd hex", map[string]string{"V": "+010\r\n"}, "bad hex"},
		{"bad size", map[string]string{"S": "+xyz\r\n", "V": "+" + strings.Repeat("00", 1000) + "\r\n"}, "bad size"},
		{"huge line", map[string]string{"V": "+" + strings.Repeat("00", 200_000) + "\r\n"}, "longer than"},
		{"huge size", map[string]string{"S": "+FFFFFFFFFFFF\r\n", "V": "+" + strings.Repeat("00", 1000) + "\r\n"}, "over 4 GiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := fakeServer(t, func(line string, w io.Writer) bool {
				r, ok := c.reply[line]
				if !ok {
					r = "+\r\n"
					if line == "S" {
						r = "+1\r\n"
					} else if line == "V" {
						r = "+00\r\n"
					}
				}
				io.WriteString(w, r)
				return true
			})
			s, err := Dial(bg, addr, Options{ChunkSize: 1000})
			must(t, err)
			defer s.Close()
			f, err := s.Open(bg, "x.ini")
			must(t, err)
			_, err = f.Get(b("a"), b("k"))
			mustErrIs(t, err, ErrMalformedReply)
			mustErrIs(t, err, ErrConnectionLost)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			mustErrIs(t, errOf(f.Get(b("a"), b("k"))), ErrConnectionLost)
		})
	}
}

// TestCancelMidReply: a server that never answers V; the context ends the
// call, the connection is closed, later calls say ErrConnectionLost.
func TestCancelMidReply(t *testing.T) {
	addr := fakeServer(t, func(line string, w io.Writer) bool {
		switch line {
		case "V":
			io.WriteString(w, "+01") // and then nothing
		case "S":
			io.WriteString(w, "+1\r\n")
		default:
			io.WriteString(w, "+\r\n")
		}
		return true
	})
	s, err := Dial(bg, addr, Options{})
	must(t, err)
	f, err := s.Open(bg, "x.ini")
	must(t, err)

	ctx, cancel := context.WithCancel(bg)
	errc := make(chan error, 1)
	go func() {
		_, err := f.WithContext(ctx).Get(b("a"), b("k"))
		errc <- err
	}()
	cancel() // whether before or during the call: never a hang
	err = <-errc
	mustErrIs(t, err, context.Canceled)
	if errors.Is(err, ErrConnectionLost) {
		// cancelled on the wire: the session is gone
		mustErrIs(t, errOf(f.Get(b("a"), b("k"))), ErrConnectionLost)
	}

	// a deadline during the reply always breaks the session
	s2, err := Dial(bg, addr, Options{})
	must(t, err)
	f2, err := s2.Open(bg, "x.ini")
	must(t, err)
	ctx2, cancel2 := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel2()
	_, err = f2.WithContext(ctx2).Get(b("a"), b("k"))
	mustErrIs(t, err, context.DeadlineExceeded)
	mustErrIs(t, err, ErrConnectionLost)
	err = f2.Put(b("a"), b("k"), b("v"))
	mustErrIs(t, err, ErrConnectionLost)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("later error still wraps the old cause: %v", err)
	}

	// CommandTimeout does the same without a context deadline
	s3, err := Dial(bg, addr, Options{CommandTimeout: 50 * time.Millisecond})
	must(t, err)
	f3, err := s3.Open(bg, "x.ini")
	must(t, err)
	_, err = f3.Get(b("a"), b("k"))
	mustErrIs(t, err, ErrConnectionLost)
	if !strings.Contains(err.Error(), "no reply within") {
		t.Errorf("timeout error: %v", err)
	}
}

// TestSmallWindows runs Fetch and Push with tiny pipelining windows, so
// that every window boundary (between keys and inside a long value) is
// crossed.
func TestSmallWindows(t *testing.T) {
	ts := startServer(t, nil)
	src := ini.New()
	for a := 0; a < 3; a++ {
		for k := 0; k < 15; k++ {
			v := []byte(strings.Repeat("x", k))
			if k%5 == 0 {
				v = pattern(2500 + k)
			}
			src.Put(b("app"+string(rune('0'+a))), b("key"+string(rune('a'+k))), v)
		}
	}
	ts.writeFile(t, "w.tni", src)
	s := ts.dial(t, Options{ChunkSize: 1000})
	s.windowOps, s.windowBytes = 10, 3000
	g, err := s.Fetch(bg, "w.tni")
	if err != nil || !g.Equal(src) {
		t.Fatalf("Fetch with small windows: %v (equal %v)", err, g != nil && g.Equal(src))
	}
	local := src.Clone()
	for _, a := range local.Apps {
		for i := range a.Entries {
			a.Entries[i].Value = append(a.Entries[i].Value, pattern(i*300)...)
		}
	}
	local.Put(b("app9"), b("long"), pattern(5500))
	must(t, s.Push(bg, "w.tni", local, PushOptions{Delete: true}))
	if disk := ts.readFile(t, "w.tni"); !disk.SameContent(local) {
		t.Errorf("Push with small windows: remote differs")
	}

	ro := startServer(t, func(s *server.Server) { s.ReadOnly = true })
	s2 := ro.dial(t, Options{ChunkSize: 1000})
	s2.windowOps, s2.windowBytes = 10, 3000
	err = s2.Push(bg, "w.tni", local, PushOptions{})
	if !strings.Contains(err.Error(), `push: put application "app0" key "keya"`) {
		t.Errorf("Push to a read-only server: %v", err)
	}
}

// TestTimeoutPerReply: CommandTimeout bounds each reply, not a whole
// pipelined window: a slow server that keeps answering is not cut off.
func TestTimeoutPerReply(t *testing.T) {
	addr := fakeServer(t, func(line string, w io.Writer) bool {
		time.Sleep(40 * time.Millisecond) // a slow server (injected latency)
		io.WriteString(w, "+\r\n")
		return true
	})
	// Each reply comes 40 ms after its command, well inside the 400 ms
	// limit even on a loaded machine; the window as a whole takes four
	// times the limit, so a limit on the window would fail.
	s, err := Dial(bg, addr, Options{ChunkSize: 10, CommandTimeout: 400 * time.Millisecond})
	must(t, err)
	defer s.Close()
	f, err := s.Open(bg, "x.tni")
	must(t, err)
	// 20 chunks: 40 commands in one window, about 1.6 s in all
	if err := f.Put(b("a"), b("k"), pattern(200)); err != nil {
		t.Fatalf("Put over a slow server: %v", err)
	}
}

// TestCancelRestart: Restart waits for the server to close the connection;
// cancelling its context ends that wait at once, not after the command
// timeout.
func TestCancelRestart(t *testing.T) {
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	addr := fakeServer(t, func(line string, w io.Writer) bool {
		if line == "^" {
			cancel() // and neither reply nor close
			return true
		}
		io.WriteString(w, "+\r\n")
		return true
	})
	s, err := Dial(bg, addr, Options{CommandTimeout: time.Hour})
	must(t, err)
	done := make(chan error, 1)
	go func() { done <- s.Restart(ctx) }()
	select {
	case <-done:
	case <-time.After(time.Minute): // a bound for a broken test, not synchronisation
		t.Fatal("Restart did not return after its context was cancelled")
	}
	mustErrIs(t, errOf(s.List(bg, "")), ErrClosed)
}
