package server

import (
	"bufio"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// vReply is the V reply of v (spec §3), built independently of the server.
func vReply(v []byte) string { return "+" + strings.ToUpper(hex.EncodeToString(v)) + "\r\n" }

func testValue(n int) []byte {
	v := make([]byte, n)
	for i := range v {
		v[i] = byte(i*131 + i>>8)
	}
	return v
}

// readReply reads one line (up to LF) of at most 32 MiB from c, with a
// deadline so that a lost byte fails the test instead of hanging it.
func readReply(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReaderSize(c, 64<<10)
	var b []byte
	for {
		chunk, err := r.ReadSlice('\n')
		b = append(b, chunk...)
		if err == nil {
			return string(b)
		}
		if err != bufio.ErrBufferFull {
			t.Fatalf("reading the reply after %d bytes: %v", len(b), err)
		}
	}
}

// TestSplicerSendHex sends replies through pipes of one page and of the
// default size, with pieces from 4 bytes to 64 KiB: every pipe-full is
// spliced out before the next piece fits, and the peer must receive
// exactly the V reply.
func TestSplicerSendHex(t *testing.T) {
	for _, tc := range []struct {
		pipe, buf, value int
	}{
		{4096, 4, 10},
		{4096, 7, 5000},
		{4096, 64 << 10, 65535},
		{0, 64 << 10, 65535},
		{0, 64 << 10, 0},
		{0, 1000, 300_001},
		{0, 64 << 10, 3 << 20},
	} {
		srv, cli := tcpPair(t)
		sp := newSplicer(srv)
		if sp == nil {
			t.Fatal("no splicer for a TCP connection")
		}
		if tc.pipe > 0 {
			n, err := unix.FcntlInt(uintptr(sp.pw), unix.F_SETPIPE_SZ, tc.pipe)
			if err != nil {
				t.Fatal(err)
			}
			sp.size = n
		}
		v := testValue(tc.value)
		done := make(chan error, 1)
		go func() {
			started, err := sp.sendHex(make([]byte, 0, tc.buf), v)
			if err == nil && !started {
				err = io.ErrNoProgress // a reply always has bytes
			}
			done <- err
		}()
		got := readReply(t, cli)
		if err := <-done; err != nil {
			t.Fatalf("%+v: sendHex: %v", tc, err)
		}
		if want := vReply(v); got != want {
			t.Fatalf("%+v: reply of %d bytes differs from the %d expected", tc, len(got), len(want))
		}
		if n, err := unix.Read(sp.pr, make([]byte, 1)); n > 0 || err != unix.EAGAIN {
			t.Fatalf("%+v: pipe not empty after the reply (%d, %v)", tc, n, err)
		}
		sp.close()
	}
}

// testSession is a session on conn with just what hexReply uses.
func testSession(conn net.Conn) *session {
	return &session{conn: conn, w: bufio.NewWriterSize(conn, 64<<10), log: slog.New(slog.DiscardHandler)}
}

// TestHexReplySpliceFallback: a splicer that fails before any byte is out
// (here: it splices from /dev/null instead of its pipe) is dropped, and the reply
// is written the usual way, whole; the next big reply is written too.
func TestHexReplySpliceFallback(t *testing.T) {
	srv, cli := tcpPair(t)
	ss := testSession(srv)
	sp := newSplicer(srv)
	if sp == nil {
		t.Fatal("no splicer for a TCP connection")
	}
	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	pr := sp.pr
	defer unix.Close(pr) // hexReply closes the splicer's fds, not this one
	sp.pr = null         // splice from /dev/null moves nothing: it fails before a byte is out
	ss.splice = sp
	v := testValue(65535)
	for i := 0; i < 2; i++ {
		done := make(chan struct{})
		go func() {
			defer close(done)
			ss.hexReply(v)
			ss.w.Flush()
		}()
		got := readReply(t, cli)
		<-done
		if got != vReply(v) {
			t.Fatalf("reply %d: %d bytes, not the V reply of %d bytes", i, len(got), len(v))
		}
		if ss.werr != nil || ss.splice != nil || !ss.noSplice {
			t.Fatalf("reply %d: werr %v, splice %v, noSplice %v", i, ss.werr, ss.splice, ss.noSplice)
		}
	}
}

// TestHexReplyPeerGone: a big reply to a peer that closed its end returns
// (no hang, no panic) with the session marked to end: either the splice
// failed after the first bytes (werr) or the writer has failed.
func TestHexReplyPeerGone(t *testing.T) {
	srv, cli := tcpPair(t)
	ss := testSession(srv)
	srv.SetWriteDeadline(time.Now().Add(30 * time.Second))
	cli.(*net.TCPConn).SetLinger(0)
	cli.Close()
	v := testValue(8 << 20)
	ss.hexReply(v)
	ss.hexReply(v)
	if ss.werr == nil && ss.w.Flush() == nil {
		t.Fatal("replies to a closed peer reported no error")
	}
}
