package server

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
)

// testServer is a server on a loopback listener over temporary volumes.
type testServer struct {
	srv  *Server
	addr string
	dirs map[byte]string
}

// startServer starts a server with volume C: (and D: when two is true) in
// temporary directories, password "secret", and the given changes applied.
func startServer(t testing.TB, configure func(*Server)) *testServer {
	t.Helper()
	pw := "secret"
	ts := &testServer{dirs: map[byte]string{'C': t.TempDir(), 'D': t.TempDir()}}
	ts.srv = &Server{Volumes: ts.dirs, Password: &pw}
	if configure != nil {
		configure(ts.srv)
	}
	if err := ts.srv.init(); err != nil {
		t.Fatal(err)
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
		if err := ts.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

// writeINI writes f as a binary INI file at path (directories created).
func writeINI(t testing.TB, path string, f *ini.File) {
	t.Helper()
	data, err := f.Marshal(ini.FormatForName(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o666); err != nil {
		t.Fatal(err)
	}
}

// readINI parses the file at path.
func readINI(t testing.TB, path string) *ini.File {
	t.Helper()
	f, _, err := ini.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// client is a raw protocol connection for tests.
type client struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
	eol  string
}

func dial(t testing.TB, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &client{t: t, conn: c, r: bufio.NewReaderSize(c, 1<<20), eol: "\r\n"}
	cl.deadline()
	return cl
}

// replyTimeout bounds each send and reply read of a test client: a safety
// net against a server that hangs, not a measure of speed. It restarts at
// every command, so a test of many commands (each W is a save with fsync)
// on a loaded machine is not cut off partway.
const replyTimeout = 30 * time.Second

// deadline sets the connection's deadline replyTimeout from now.
func (c *client) deadline() { c.conn.SetDeadline(time.Now().Add(replyTimeout)) }

// line reads one reply line, checks that it ends in CR LF and returns it
// without.
func (c *client) line() string {
	c.t.Helper()
	s, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading reply: %v (got %q)", err, s)
	}
	if !strings.HasSuffix(s, "\r\n") {
		c.t.Fatalf("reply %q does not end in CR LF", s)
	}
	return s[:len(s)-2]
}

func (c *client) send(lines ...string) {
	c.t.Helper()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(c.eol)
	}
	c.deadline()
	if _, err := c.conn.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
}

// do sends one command and returns its one-line reply.
func (c *client) do(cmd string) string {
	c.t.Helper()
	c.send(cmd)
	return c.line()
}

// expect sends cmd and checks the reply.
func (c *client) expect(cmd, want string) {
	c.t.Helper()
	if got := c.do(cmd); !match(got, want) {
		c.t.Fatalf("%q: reply %q, want %q", cmd, got, want)
	}
}

// match compares a reply with a wanted one; "-*" matches any failure,
// "+*" any success.
func match(got, want string) bool {
	if want == "-*" || want == "+*" {
		return strings.HasPrefix(got, want[:1])
	}
	return got == want
}

// greet reads the greeting and logs in with "secret".
func (c *client) login() *client {
	c.t.Helper()
	if g := c.line(); g != "+" {
		c.t.Fatalf("greeting %q", g)
	}
	c.expect("Psecret", "+")
	return c
}

// closed reports whether the server has closed the connection: the next
// read gives EOF (or a reset) within 10 s, not data or a timeout.
func (c *client) closed() bool {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := c.r.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// sampleFile returns a small binary INI profile.
func sampleFile() *ini.File { return ini.Sample() }
