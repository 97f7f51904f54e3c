package server

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// slotLog is a slog.Handler that passes the messages of records to ch.
type slotLog struct{ ch chan string }

func (h slotLog) Enabled(context.Context, slog.Level) bool { return true }
func (h slotLog) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.ch <- r.Message:
	default: // a test that does not read them does not block the server
	}
	return nil
}
func (h slotLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h slotLog) WithGroup(string) slog.Handler      { return h }

// TestMaxLongLines: with MaxLongLines 1, a second session sending a line
// longer than its read buffer waits while the first is in the middle of
// one, and goes on when the first's command is done; a short command of a
// third session is not held up meanwhile.
func TestMaxLongLines(t *testing.T) {
	msgs := make(chan string, 1000)
	ts := startServer(t, func(s *Server) {
		s.MaxLongLines = 1
		s.Logger = slog.New(slotLog{msgs})
	})
	writeINI(t, ts.dirs['C']+"/A.INI", sampleFile())
	a, b, c := dial(t, ts.addr).login(), dial(t, ts.addr).login(), dial(t, ts.addr).login()
	for _, cl := range []*client{a, b} {
		cl.expect("FC:\\A.INI", "+")
		cl.expect("AApp", "+")
	}
	a.expect("KkeyA", "+")
	b.expect("KkeyB", "+")
	value := strings.Repeat("41", 48<<10) // 96 KiB of hex: past the 64 KiB buffer
	// a: the first 80 KiB of its W, no line end yet: it holds the slot
	a.deadline()
	if _, err := a.conn.Write([]byte("W" + value[:80<<10])); err != nil {
		t.Fatal(err)
	}
	// b: a whole long W; it must wait for a's
	b.send("W" + value)
	timeout := time.After(replyTimeout) // a safety net, not a measure
	for waiting := false; !waiting; {
		select {
		case m := <-msgs:
			waiting = m == "waiting for a long-line slot"
		case <-timeout:
			t.Fatal("b's long line did not wait for a's")
		}
	}
	c.expect("FC:\\A.INI", "+") // short commands go on
	a.send(value[80<<10:])
	if got := a.line(); got != "+" {
		t.Fatalf("a's W: %q", got)
	}
	if got := b.line(); got != "+" {
		t.Fatalf("b's W: %q", got)
	}
	f := readINI(t, ts.dirs['C']+"/A.INI")
	for _, k := range []string{"keyA", "keyB"} {
		if v, ok := f.Lookup([]byte("App"), []byte(k)); !ok || len(v) != 48<<10 {
			t.Errorf("App/%s: %d bytes, %v", k, len(v), ok)
		}
	}
}

// TestMaxPreLoginPerAddress: with MaxPreLoginPerAddress 2, a third
// connection from the same address while two have not logged in is
// refused with a reply saying why; once one logs in, a new one is let in.
func TestMaxPreLoginPerAddress(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxPreLoginPerAddress = 2 })
	a, b := dial(t, ts.addr), dial(t, ts.addr)
	for _, cl := range []*client{a, b} {
		if g := cl.line(); g != "+" {
			t.Fatalf("greeting %q", g)
		}
	}
	c := dial(t, ts.addr)
	if g := c.line(); g != "-Too many sessions from this address" {
		t.Fatalf("third connection: %q", g)
	}
	if !c.closed() {
		t.Fatal("refused connection left open")
	}
	a.expect("Psecret", "+")
	d := dial(t, ts.addr).login()
	d.expect("FC:\\N.INI", "+*")
	b.expect("Psecret", "+") // b logs in as well: it was never dropped
}

// TestLongLineWaitEnds: a wait for a long-line slot ends with
// errLongLineWait after the wait given, and with errShutdown at Shutdown.
func TestLongLineWaitEnds(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxLongLines = 1 })
	release, err := ts.srv.longLine(0)
	if err != nil || release == nil {
		t.Fatalf("first slot: %v", err)
	}
	if _, err := ts.srv.longLine(time.Millisecond); err != errLongLineWait {
		t.Fatalf("second slot, 1 ms wait: %v, want errLongLineWait", err)
	}
	release()
	again, err := ts.srv.longLine(time.Millisecond)
	if err != nil {
		t.Fatalf("slot after release: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ts.srv.longLine(0); done <- err }()
	ctx, cancel := context.WithTimeout(context.Background(), replyTimeout)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != errShutdown {
		t.Fatalf("wait at shutdown: %v, want errShutdown", err)
	}
	again()
}
