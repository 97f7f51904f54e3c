package repl

import (
	"context"
	"io"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/internal/screentest"
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

// screen is the output of a REPL under test (see screentest.Screen).
type screen = screentest.Screen

func newScreen() *screen { return screentest.New(waitLimit) }

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
	s.out.Expect(t, Prompt)
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

// blockingFuncs defines started(), which signals the returned channel, and
// wait(), which signals it too and blocks like a network call until its
// context ends, in L.
func blockingFuncs(L *lua.LState) (started <-chan struct{}) {
	ch := make(chan struct{}, 1)
	L.SetGlobal("started", L.NewFunction(func(L *lua.LState) int {
		ch <- struct{}{}
		return 0
	}))
	L.SetGlobal("wait", L.NewFunction(func(L *lua.LState) int {
		// signal too (if nobody has yet), so a test can interrupt once
		// the Go call blocks rather than while the VM is still running
		select {
		case ch <- struct{}{}:
		default:
		}
		<-L.Context().Done()
		L.RaiseError("wait: %v", L.Context().Err())
		return 0
	}))
	return ch
}
