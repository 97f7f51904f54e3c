package server

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
)

// TestRefusedSessionsDoNotStallAccept: connections refused over
// MaxSessions are closed gracefully (which waits for the peer up to a
// second) without holding up the accept loop for the next client.
func TestRefusedSessionsDoNotStallAccept(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxSessions = 1 })
	first := dial(t, ts.addr).login()
	const refused = 40 // 40 s of stall if each held the accept loop 1 s
	conns := make([]*client, refused)
	for i := range conns {
		conns[i] = dial(t, ts.addr) // queued before any is refused
	}
	deadline := time.Now().Add(15 * time.Second)
	for _, c := range conns {
		// kept open, never closed: the server's graceful close waits
		c.conn.SetReadDeadline(deadline)
		if got := c.line(); got != "-Too many sessions" {
			t.Fatalf("refused session got %q", got)
		}
	}
	first.expect("Q", "+")
	if !first.closed() {
		t.Fatal("Q did not close")
	}
	for ts.srv.Sessions() > 0 {
		time.Sleep(time.Millisecond) // polling a counter, not synchronising
	}
	c := dial(t, ts.addr)
	c.conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	if got := c.line(); got != "+" {
		t.Fatalf("greeting %q", got)
	}
}

// TestReplyAfterCommandLongerThanIdleTimeout: a command that runs longer
// than the idle timeout (here an E action) still gets its reply; the idle
// timeout counts from the last command, not across one.
func TestReplyAfterCommandLongerThanIdleTimeout(t *testing.T) {
	const idle = 100 * time.Millisecond
	ts := startServer(t, func(s *Server) {
		s.IdleTimeout = idle
		s.Events = map[string]Event{"slow": {Func: func(ctx context.Context, name string) error {
			// a slow action, not synchronisation: it must outlast the timeout
			select {
			case <-time.After(4 * idle):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}}}
	})
	c := dial(t, ts.addr).login()
	c.expect("Eslow", "+")
	c.expect("Eslow", "+")
	if !c.closed() { // and the idle timeout still works afterwards
		t.Fatal("idle session not closed")
	}
}

// mkfifo creates a named pipe at path.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o666); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// TestFIFONeverBlocks: a named pipe put where an INI or FMT file is
// expected (also after F, by another program) gives '-', never a hang.
func TestFIFONeverBlocks(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	mkfifo(t, filepath.Join(vol, "pipe.INI"))
	writeINI(t, filepath.Join(vol, "x.INI"), sampleFile())
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	c.expect(`Fpipe.INI`, "-*")
	c.expect(`Fx.INI`, "+")
	c.expect(`A`, "+")
	c.expect(`V`, "+*")
	// swapped for a pipe between commands
	mkfifo(t, filepath.Join(vol, "tmp"))
	if err := os.Rename(filepath.Join(vol, "tmp"), filepath.Join(vol, "x.INI")); err != nil {
		t.Fatal(err)
	}
	c.expect(`V`, "-*")
	c.expect(`Aa`, "+")
	c.expect(`Kk`, "+")
	c.expect(`W00`, "-*")
	// an FMT file that is a pipe
	mkfifo(t, filepath.Join(vol, "t.FMT"))
	c.expect(`Ft.TNI`, "+")
	c.expect(`W00`, "-*")
	c.expect(`Q`, "+")
}

// TestNoTargetMeansNoTarget: X, R, M and F with an empty parameter, "."
// or ".." as the last component never act on the current directory or
// its parent.
func TestNoTargetMeansNoTarget(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	os.MkdirAll(filepath.Join(vol, "a", "b"), 0o777)
	c := dial(t, ts.addr).login()
	c.expect(`CC:\a\b`, "+")
	for _, p := range []string{"", ".", "..", `.\`, `..\`, `..\b\.`} {
		c.expect("X"+p, "-*")
		c.expect("M"+p, "-*")
		c.expect("F"+p, "-*")
		c.expect("A"+p, "+")
		c.expect("Rmoved", "-*")
	}
	c.expect("L", "+")
	if got := c.line(); got != "../" {
		t.Fatalf("listing starts %q", got)
	}
	c.line()
	for _, d := range []string{"a", "a/b"} {
		if fi, err := os.Stat(filepath.Join(vol, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", d, err)
		}
	}
	// a trailing separator after a real name still names it
	c.expect(`C..`, "+")
	c.expect(`Xb\`, "+")
	if _, err := os.Stat(filepath.Join(vol, "a", "b")); !os.IsNotExist(err) {
		t.Errorf("Xb\\ did not delete b: %v", err)
	}
}

// TestSymlinkAliasNoLostUpdate: sessions writing one file under two names
// (a symbolic link in another directory, inside the volume) lose no
// update: both names share one cache entry and one lock.
func TestSymlinkAliasNoLostUpdate(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	writeINI(t, filepath.Join(vol, "real", "x.INI"), ini.New())
	os.Mkdir(filepath.Join(vol, "alias"), 0o777)
	if err := os.Symlink("../real/x.INI", filepath.Join(vol, "alias", "x.INI")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(vol, "dirlink")); err != nil {
		t.Fatal(err)
	}
	paths := []string{`C:\real\x.INI`, `C:\alias\X.INI`, `C:\dirlink\x.ini`}
	const sessions, writes = 6, 60
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, ts.addr)
			c.line()
			send := func(cmd string) bool {
				c.send(cmd)
				if got := c.line(); got != "+" {
					t.Errorf("session %d: %q: %q", i, cmd, got)
					return false
				}
				return true
			}
			if !send("Psecret") || !send("F"+paths[i%len(paths)]) || !send("Aapp") {
				return
			}
			for j := range writes {
				if !send(fmt.Sprintf("Kk%d.%d", i, j)) || !send("W01") {
					return
				}
			}
		}()
	}
	wg.Wait()
	if fi, err := os.Lstat(filepath.Join(vol, "alias", "x.INI")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi, err)
	}
	f := readINI(t, filepath.Join(vol, "real", "x.INI"))
	if n := f.NumKeys([]byte("app")); n != sessions*writes {
		t.Fatalf("%d keys, want %d: updates lost", n, sessions*writes)
	}
}

// TestSymlinkSwappedOut: a directory or file replaced by a link leading
// out of the volume between commands is refused at the next command.
func TestSymlinkSwappedOut(t *testing.T) {
	ts := startServer(t, nil)
	vol := ts.dirs['C']
	outside := t.TempDir()
	secret := filepath.Join(outside, "x.INI")
	writeINI(t, secret, sampleFile())
	before, _ := os.ReadFile(secret)
	writeINI(t, filepath.Join(vol, "d", "x.INI"), sampleFile())
	c := dial(t, ts.addr).login()
	c.expect(`CC:\d`, "+")
	c.expect(`Fx.INI`, "+")
	c.expect(`A$SYS`, "+")
	c.expect(`KTimeOut`, "+")
	c.expect(`V`, "+84030000")
	// the directory becomes a link out of the volume (absolute, then relative)
	os.Rename(filepath.Join(vol, "d"), filepath.Join(vol, "d.old"))
	for _, target := range []string{outside, "../" + filepath.Base(outside)} {
		os.Remove(filepath.Join(vol, "d"))
		if err := os.Symlink(target, filepath.Join(vol, "d")); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{`V`, `S`, `W00`, `D`, `Fx.INI`, `Xx.INI`, `Mnew`} {
			c.expect(cmd, "-*")
		}
		c.expect(`L`, "+")
		if got := c.line(); got != "" {
			t.Fatalf("listing through the link: %q", got)
		}
	}
	// the file itself becomes a link out of the volume
	os.Remove(filepath.Join(vol, "d"))
	os.Rename(filepath.Join(vol, "d.old"), filepath.Join(vol, "d"))
	c.expect(`Fx.INI`, "+")
	os.Remove(filepath.Join(vol, "d", "x.INI"))
	os.Symlink(secret, filepath.Join(vol, "d", "x.INI"))
	for _, cmd := range []string{`V`, `W00`, `D`} {
		c.expect(cmd, "-*")
	}
	if after, _ := os.ReadFile(secret); string(after) != string(before) {
		t.Fatal("the file outside the volume changed")
	}
}

// TestUnauthenticatedLineCap: before a correct P a line may not exceed
// preLoginMaxLine bytes, so unauthenticated clients cannot make the
// server buffer MaxLine bytes each.
func TestUnauthenticatedLineCap(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.line()
	c.expect("A"+strings.Repeat("x", 100), "-Not logged in "+strings.Repeat("x", 64))
	c.conn.Write([]byte("P" + strings.Repeat("x", preLoginMaxLine+10)))
	if got := c.line(); got != "-Command too long" {
		t.Fatalf("reply %q", got)
	}
	if !c.closed() {
		t.Fatal("not closed")
	}
	// after P, the full cap applies
	c = dial(t, ts.addr).login()
	c.expect("A"+strings.Repeat("x", 4*preLoginMaxLine), "+")
	// a P pipelined with a long command: the long line is read after P
	c = dial(t, ts.addr)
	c.line()
	c.send("Psecret", "A"+strings.Repeat("y", 4*preLoginMaxLine))
	c.expect("Q", "+")
}

// TestFileSizeCap: F of a file larger than MaxFileSize fails without
// reading it all, and a W that would make the file larger fails.
func TestFileSizeCap(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxFileSize = 4096 })
	vol := ts.dirs['C']
	os.WriteFile(filepath.Join(vol, "big.INI"), make([]byte, 5000), 0o666)
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	c.expect(`Fbig.INI`, "-*")
	c.expect(`Fsmall.TNI`, "+")
	c.expect(`Aa`, "+")
	c.expect(`Kk`, "+")
	c.expect("W"+strings.Repeat("41", 1000), "+")
	c.expect("W"+strings.Repeat("41", 5000), "-*")
	c.expect(`S`, "+3E8")
}

// TestSameSizeSameMtime: a rewrite in place with the same size and the
// mtime set back to its old value is still seen by the next command
// (ctime and the racy check reveal it).
func TestSameSizeSameMtime(t *testing.T) {
	ts := startServer(t, nil)
	path := filepath.Join(ts.dirs['C'], "x.INI")
	f := ini.New()
	f.Put([]byte("a"), []byte("k"), []byte("1111"))
	writeINI(t, path, f)
	fi, _ := os.Stat(path)
	c := dial(t, ts.addr).login()
	for _, cmd := range []string{`CC:`, `Fx.INI`, `Aa`, `Kk`} {
		c.expect(cmd, "+")
	}
	c.expect(`V`, "+31313131")
	for _, v := range []string{"2222", "3333"} {
		f.Put([]byte("a"), []byte("k"), []byte(v))
		data, _ := f.Marshal(ini.FormatINI)
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fh.WriteAt(data, 0)
		fh.Close()
		os.Chtimes(path, fi.ModTime(), fi.ModTime())
		c.expect(`V`, "+"+hexOf([]byte(v)))
	}
}

// TestSameTickRewrite: a rewrite in place that leaves size, timestamps and
// inode as they were (two writes within one tick of the file system's
// clock) is seen while the entry is racy. The identity the stat shows is
// forced equal to the cached one, as the file system would report it.
func TestSameTickRewrite(t *testing.T) {
	dir := t.TempDir()
	srv := &Server{Volumes: map[byte]string{'C': dir}}
	if err := srv.init(); err != nil {
		t.Fatal(err)
	}
	defer srv.vols['C'].root.Close()
	path := filepath.Join(dir, "x.INI")
	f := ini.New()
	f.Put([]byte("a"), []byte("k"), []byte("1111"))
	writeINI(t, path, f)
	e := srv.cache.acquire(srv.vols['C'], "x.INI")
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.load(always); err != nil {
		t.Fatal(err)
	}
	if !e.racy {
		t.Fatal("an entry read right after its file was written is not racy")
	}
	f.Put([]byte("a"), []byte("k"), []byte("2222"))
	data, _ := f.Marshal(ini.FormatINI)
	if err := os.WriteFile(path, data, 0o666); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	e.id = idOf(fi) // same tick: the identity did not change
	if err := e.load(always); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.file.Lookup([]byte("a"), []byte("k")); string(v) != "2222" {
		t.Fatalf("value %q after a same-tick rewrite, want 2222", v)
	}
	// a settled entry is trusted: no read while the identity is unchanged
	if !racy(idOf(fi), fi.ModTime()) || racy(idOf(fi), fi.ModTime().Add(racyWindowCoarse)) {
		t.Error("racy() does not follow the window")
	}
}

// TestConcurrentSameKey: sessions writing one key of one file at once
// leave one of the written values (whole, never mixed) and a file that
// parses, with the other keys untouched.
func TestConcurrentSameKey(t *testing.T) {
	ts := startServer(t, nil)
	path := filepath.Join(ts.dirs['C'], "same.INI")
	writeINI(t, path, sampleFile())
	const sessions, writes = 8, 40
	values := make(map[string]bool)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range sessions {
		v := strings.Repeat(fmt.Sprintf("%02X", i+1), 1000+i)
		values[v] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, ts.addr)
			c.line()
			for _, cmd := range []string{"Psecret", `FC:\same.INI`, "Aapp", "Kkey"} {
				c.send(cmd)
				if got := c.line(); got != "+" {
					mu.Lock()
					t.Errorf("%q: %q", cmd, got)
					mu.Unlock()
					return
				}
			}
			for range writes {
				c.send("W" + v)
				if got := c.line(); got != "+" {
					mu.Lock()
					t.Errorf("W: %q", got)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	f := readINI(t, path)
	v, _ := f.Lookup([]byte("app"), []byte("key"))
	if !values[hexOf(v)] {
		t.Fatalf("final value of %d bytes is none of the written ones", len(v))
	}
	want := sampleFile()
	for _, a := range want.Apps {
		for _, e := range a.Entries {
			if got, _ := f.Lookup(a.Name, e.Key); !bytes.Equal(got, e.Value) {
				t.Errorf("%s/%s changed", a.Name, e.Key)
			}
		}
	}
}

// flakyListener fails its first Accept with EMFILE, as a listener does when
// a flood of connections has used up the process's descriptors.
type flakyListener struct {
	net.Listener
	failed bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if !l.failed {
		l.failed = true
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// TestAcceptOutOfDescriptors: running out of descriptors does not stop
// the server; it retries and serves the next client.
func TestAcceptOutOfDescriptors(t *testing.T) {
	pw := "secret"
	srv := &Server{Volumes: map[byte]string{'C': t.TempDir()}, Password: &pw}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(&flakyListener{Listener: l}) }()
	dial(t, l.Addr().String()).login().expect("Q", "+")
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != ErrServerClosed {
		t.Fatalf("Serve: %v", err)
	}
}

// TestLoginTimeout: a connection that does not log in is closed after
// LoginTimeout although the idle timeout is long, so idle unauthenticated
// connections cannot hold every session slot; a logged-in session then
// follows the idle timeout only, even with no idle timeout at all.
func TestLoginTimeout(t *testing.T) {
	ts := startServer(t, func(s *Server) {
		s.LoginTimeout = 300 * time.Millisecond
		s.IdleTimeout = -1 // none
	})
	c := dial(t, ts.addr)
	c.line()
	c.expect("Awrong", "-Not logged in wrong") // activity does not extend it
	if !c.closed() {
		t.Fatal("not closed")
	}

	// logged in before the login timeout: still served after it passed
	c = dial(t, ts.addr).login()
	c.conn.SetReadDeadline(time.Now().Add(900 * time.Millisecond))
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("unexpected data from the server")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("logged-in session ended: %v", err)
	}
	c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	c.expect("A", "+")
}
