package repl

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// waitLimit bounds every wait for expected output.
const waitLimit = 10 * time.Second

// plainHost is a Host over a bare gopher-lua state (the REPL's contract
// without package luaapi): Call runs fn protected under ctx.
type plainHost struct{ L *lua.LState }

func (h plainHost) State() *lua.LState { return h.L }

func (h plainHost) Call(ctx context.Context, fn lua.LValue, args ...lua.LValue) ([]lua.LValue, error) {
	L := h.L
	L.SetContext(ctx)
	defer L.RemoveContext()
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), lua.MultRet, nil); err != nil {
		L.SetTop(top)
		return nil, err
	}
	out := make([]lua.LValue, L.GetTop()-top)
	for i := range out {
		out[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return out, nil
}

// screen collects output written by several goroutines and lets a test
// wait, with a deadline, for text to appear.
type screen struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	mark   int
	notify chan struct{}
}

func newScreen() *screen { return &screen{notify: make(chan struct{}, 1)} }

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.buf.Write(p)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return len(p), nil
}

// String returns everything written so far.
func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// expect waits until want appears after the previous match and moves past
// it; it fails the test when waitLimit passes first.
func (s *screen) expect(t *testing.T, want string) {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		rest := s.buf.String()[s.mark:]
		if i := strings.Index(rest, want); i >= 0 {
			s.mark += i + len(want)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-deadline.C:
			t.Fatalf("waiting for %q; output after last match:\n%q", want, rest)
		}
	}
}

// session is a REPL running over pipes in a goroutine.
type session struct {
	t    *testing.T
	in   *io.PipeWriter
	out  *screen
	errs *screen
	r    *REPL
	L    *lua.LState
	done chan error
}

// startREPL runs an interactive REPL over pipes; setup may add globals and
// adjust the config before it starts.
func startREPL(t *testing.T, setup func(L *lua.LState, cfg *Config)) *session {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	pr, pw := io.Pipe()
	s := &session{t: t, in: pw, out: newScreen(), L: L, done: make(chan error, 1)}
	s.errs = s.out
	cfg := Config{Host: plainHost{L}, Stdin: pr, Stdout: s.out, Stderr: s.out, Interactive: true}
	if setup != nil {
		setup(L, &cfg)
	}
	if w, ok := cfg.Stderr.(*screen); ok {
		s.errs = w
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.r = r
	go func() { s.done <- r.Run(context.Background()) }()
	t.Cleanup(func() {
		pw.Close()
		select {
		case <-s.done:
		case <-time.After(waitLimit):
			t.Error("REPL did not end after its input closed")
		}
	})
	s.out.expect(t, Prompt)
	return s
}

// send types text into the REPL.
func (s *session) send(text string) {
	s.t.Helper()
	if _, err := io.WriteString(s.in, text); err != nil {
		s.t.Fatal(err)
	}
}

// wait returns Run's result, failing when it does not end in time.
func (s *session) wait() error {
	s.t.Helper()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(waitLimit):
		s.t.Fatal("REPL did not end")
		return nil
	}
}
