package client

import (
	"context"
	"errors"
	"net"
	"testing"
)

// TestNewSession starts a session on a connection the test dialled itself
// and uses it; a refused password closes the connection given.
func TestNewSession(t *testing.T) {
	ts := startServer(t, nil)
	ctx := context.Background()
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(ctx, conn, Options{Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Addr() != conn.RemoteAddr().String() {
		t.Errorf("Addr = %q, want %q", s.Addr(), conn.RemoteAddr())
	}
	must(t, s.Chdir(ctx, `C:\`))
	f, err := s.Open(ctx, "n.ini")
	must(t, err)
	must(t, f.Put(b("a"), b("k"), b("v")))
	if got := ts.readFile(t, "n.ini"); !got.Equal(fileOf("a", "k", "v")) {
		t.Errorf("file on disk after Put over NewSession: %v", got)
	}
	must(t, s.Close())
	if _, err := conn.Write([]byte("L\r\n")); err == nil {
		t.Error("Close left the connection given to NewSession open")
	}

	conn, err = net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewSession(ctx, conn, Options{Password: "wrong"})
	mustErrIs(t, err, ErrAuth)
	if _, err := conn.Write([]byte("L\r\n")); err == nil {
		t.Error("a failed NewSession left its connection open")
	}
	if _, err := NewSession(ctx, nil, Options{}); err == nil {
		t.Error("NewSession(nil) succeeded")
	}
}

// TestDialContext routes Dial through Options.DialContext (a tunnel): it
// is called with "tcp" and host:port with the default port added, and its
// error is Dial's.
func TestDialContext(t *testing.T) {
	ts := startServer(t, nil)
	_, port, _ := net.SplitHostPort(ts.addr)
	var got []string
	tunnel := func(ctx context.Context, network, addr string) (net.Conn, error) {
		got = append(got, network+" "+addr)
		var d net.Dialer
		return d.DialContext(ctx, network, "127.0.0.1:"+port) // wherever the tunnel leads
	}
	s, err := Dial(context.Background(), "os2box", Options{Password: "secret", DialContext: tunnel})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	must(t, s.Chdir(context.Background(), `C:\`))
	if len(got) != 1 || got[0] != "tcp os2box:3560" {
		t.Errorf("DialContext calls = %q, want [tcp os2box:3560]", got)
	}
	boom := errors.New("tunnel down")
	_, err = Dial(context.Background(), "os2box", Options{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, boom
	}})
	mustErrIs(t, err, boom)
}
