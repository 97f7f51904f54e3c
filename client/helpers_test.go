package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
	"github.com/inilua/inilua/server"
)

// testServer is package server on a loopback listener over a temporary
// directory as volume C:.
type testServer struct {
	srv  *server.Server
	addr string
	dir  string
}

// startServer starts a server with volume C: in a temporary directory
// (and D: in another), password "secret", and configure applied.
func startServer(t testing.TB, configure func(*server.Server)) *testServer {
	t.Helper()
	pw := "secret"
	ts := &testServer{dir: t.TempDir()}
	ts.srv = &server.Server{Volumes: map[byte]string{'C': ts.dir, 'D': t.TempDir()}, Password: &pw}
	if configure != nil {
		configure(ts.srv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	done := make(chan error, 1)
	go func() { done <- ts.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ts.srv.Shutdown(ctx)
		<-done
	})
	return ts
}

// dial connects to ts with password "secret", changes to C:\ and closes the
// session at cleanup.
func (ts *testServer) dial(t testing.TB, opts Options) *Session {
	t.Helper()
	opts.Password = "secret"
	s, err := Dial(context.Background(), ts.addr, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Chdir(context.Background(), `C:\`); err != nil {
		t.Fatalf("Chdir: %v", err)
	}
	return s
}

// writeFile stores f under the volume directory (format by name).
func (ts *testServer) writeFile(t testing.TB, name string, f *ini.File) {
	t.Helper()
	data, err := f.Marshal(ini.FormatForName(name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(ts.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readFile parses a file of the volume from disk.
func (ts *testServer) readFile(t testing.TB, name string) *ini.File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ts.dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ini.Parse(name, data, ini.FormatForName(name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// wireLog collects the client's wire trace.
type wireLog struct {
	mu    sync.Mutex
	lines []string // "send X..." / "recv X..."
	all   bytes.Buffer
}

func (w *wireLog) logger() *slog.Logger {
	return slog.New(&traceHandler{w: w})
}

// sent returns the command lines sent since the last reset.
func (w *wireLog) sent() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, l := range w.lines {
		if s, ok := strings.CutPrefix(l, "send "); ok {
			out = append(out, s)
		}
	}
	return out
}

func (w *wireLog) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = nil
}

// text returns everything ever logged.
func (w *wireLog) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// letters returns the command letters of the lines sent.
func letters(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteByte(l[0])
		}
	}
	return b.String()
}

type traceHandler struct{ w *wireLog }

func (h *traceHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *traceHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *traceHandler) WithGroup(string) slog.Handler            { return h }
func (h *traceHandler) Handle(_ context.Context, r slog.Record) error {
	line := ""
	var all strings.Builder
	all.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "line" {
			line = a.Value.String()
		}
		all.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	h.w.mu.Lock()
	defer h.w.mu.Unlock()
	h.w.lines = append(h.w.lines, r.Message+" "+line)
	h.w.all.WriteString(all.String() + "\n")
	return nil
}

// fakeServer is a tiny scripted server for misbehaviour tests: it greets,
// accepts any P, then calls handle for every further command line. handle
// writes what it likes to w and returns false to close the connection.
func fakeServer(t testing.TB, handle func(line string, w io.Writer) bool) string {
	t.Helper()
	return wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		return func(line string, w io.Writer) bool {
			if strings.HasPrefix(line, "P") {
				io.WriteString(w, "+\r\n")
				return true
			}
			return handle(line, w)
		}
	})
}

// mustErrIs fails unless errors.Is(err, target).
func mustErrIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v; want one wrapping %v", err, target)
	}
}
