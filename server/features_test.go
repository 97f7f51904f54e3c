package server

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
)

func TestLazyCreate(t *testing.T) {
	ts := startServer(t, nil)
	path := filepath.Join(ts.dirs['C'], "lazy.INI")
	c := dial(t, ts.addr).login()
	for _, cmd := range []string{`CC:`, `Flazy.INI`, `A`, `V`, `S`, `Aapp`, `Kkey`, `D`, `K`, `D`} {
		c.do(cmd)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lazy.INI exists before any W: %v", err)
	}
	c.expect("Kkey", "+")
	c.expect("W0102", "+")
	// on disk before the '+' arrived
	if v, _ := readINI(t, path).Lookup([]byte("app"), []byte("key")); string(v) != "\x01\x02" {
		t.Fatalf("after W, lazy.INI holds %X", v)
	}
}

// TestExternalChange: a change made by another program is seen by the
// next command, as if the file were opened for every command.
func TestExternalChange(t *testing.T) {
	ts := startServer(t, nil)
	path := filepath.Join(ts.dirs['C'], "x.INI")
	f := ini.New()
	f.Put([]byte("a"), []byte("k"), []byte("1111"))
	writeINI(t, path, f)
	c := dial(t, ts.addr).login()
	c.expect(`CC:`, "+")
	c.expect(`Fx.INI`, "+")
	c.expect(`Aa`, "+")
	c.expect(`Kk`, "+")
	c.expect(`V`, "+31313131")
	// same size, rewritten in place (same inode)
	f.Put([]byte("a"), []byte("k"), []byte("2222"))
	data, _ := f.Marshal(ini.FormatINI)
	fh, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteAt(data, 0)
	fh.Close()
	os.Chtimes(path, time.Now(), time.Now().Add(time.Hour)) // mtime differs for sure
	c.expect(`V`, "+32323232")
	// replaced by rename
	f.Put([]byte("a"), []byte("k"), []byte("33"))
	writeINI(t, path+".new", f)
	os.Rename(path+".new", path)
	c.expect(`V`, "+3333")
	// a W by us keeps the other program's change to another key
	f.Put([]byte("a"), []byte("other"), []byte("o"))
	writeINI(t, path+".new", f)
	os.Rename(path+".new", path)
	c.expect(`W34`, "+")
	g := readINI(t, path)
	if v, _ := g.Lookup([]byte("a"), []byte("other")); string(v) != "o" {
		t.Errorf("W lost the external change: other = %q", v)
	}
	// removed: an empty file
	os.Remove(path)
	c.expect(`V`, "-*")
	c.expect(`A`, "+")
	c.expect(`V`, "+00")
	// garbage: every read fails, W too
	os.WriteFile(path, []byte("garbage"), 0o666)
	c.expect(`V`, "-*")
	c.expect(`Aa`, "+")
	c.expect(`W00`, "-*")
	if data, _ := os.ReadFile(path); string(data) != "garbage" {
		t.Errorf("a file we cannot parse was rewritten: %q", data)
	}
}

func TestFailedFClearsFile(t *testing.T) {
	ts := startServer(t, nil)
	good := filepath.Join(ts.dirs['C'], "good.INI")
	writeINI(t, good, sampleFile())
	before, _ := os.ReadFile(good)
	os.WriteFile(filepath.Join(ts.dirs['C'], "bad.INI"), []byte("nonsense"), 0o666)
	c := dial(t, ts.addr).login()
	for _, cmd := range []string{`CC:`, `Fgood.INI`, `A$SYS`, `KPassword`} {
		c.expect(cmd, "+")
	}
	c.expect(`Fbad.INI`, "-*")
	for _, cmd := range []string{`S`, `T`, `V`, `W00`, `D`} {
		c.expect(cmd, "-*")
	}
	if after, _ := os.ReadFile(good); string(after) != string(before) {
		t.Error("a W after a failed F changed the previously selected file")
	}
}

func TestReadOnly(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.ReadOnly = true })
	writeINI(t, filepath.Join(ts.dirs['C'], "r.INI"), sampleFile())
	c := dial(t, ts.addr).login()
	for _, cmd := range []string{`CC:`, `Fr.INI`, `A$SYS`, `KTimeOut`} {
		c.expect(cmd, "+")
	}
	c.expect(`V`, "+84030000")
	for _, cmd := range []string{`W00`, `D`, `Mdir`, `Xr.INI`, `Rz.INI`} {
		c.expect(cmd, "-*")
	}
	c.expect(`Ar.INI`, "+")
	c.expect(`Rz.INI`, "-*")
	if _, err := os.Stat(filepath.Join(ts.dirs['C'], "r.INI")); err != nil {
		t.Error(err)
	}
}

func TestLineTooLong(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxLine = 100 })
	c := dial(t, ts.addr).login()
	c.expect("A"+strings.Repeat("x", 100), "+") // exactly the cap
	// more than the cap, and no line end yet: the reply comes anyway
	c.conn.Write([]byte("W" + strings.Repeat("00", 60)))
	if got := c.line(); got != "-Command too long" {
		t.Fatalf("reply %q", got)
	}
	if !c.closed() {
		t.Fatal("session not closed")
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.IdleTimeout = 100 * time.Millisecond })
	c := dial(t, ts.addr).login()
	if !c.closed() {
		t.Fatal("idle session not closed")
	}
}

func TestEmptyLineAndEchoes(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.addr)
	c.line()
	c.expect("A\x01\x7fb"+strings.Repeat("y", 100), "-Not logged in ??b"+strings.Repeat("y", 61))
	c.expect("Psecret", "+")
	c.expect("z\x1b"+strings.Repeat("q", 100), "-Unknown command z?"+strings.Repeat("q", 62))
	c.expect("Ax\ry", "+") // a CR inside the line stays
	c.expect("CC:", "+")
	c.expect("Fcr.INI", "+")
	c.expect("Kk", "+")
	c.expect("W00", "+")
	c.expect("A", "+")
	c.expect("V", "+780D790000")
	c.send("")
	if !c.closed() {
		t.Fatal("empty line did not end the session")
	}
}

// TestPasswordThrottle checks the growing delay and the disconnect, and
// that a delayed reply does not hold up other sessions.
func TestPasswordThrottle(t *testing.T) {
	var mu sync.Mutex
	var delays []time.Duration
	gate := make(chan struct{})
	ts := startServer(t, func(s *Server) {
		s.MaxPasswordFailures = 4
		s.sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			delays = append(delays, d)
			first := len(delays) == 1
			mu.Unlock()
			if first {
				<-gate // hold the first failed reply until another session worked
			}
			return nil
		}
	})
	other := dial(t, ts.addr).login()
	bad := dial(t, ts.addr)
	bad.line()
	bad.send("Pwrong1")
	other.expect("CC:", "+") // served while bad's reply is held
	other.expect("L", "+")
	for other.line() != "" {
	}
	close(gate)
	if got := bad.line(); got != "-" {
		t.Fatalf("failed P reply %q", got)
	}
	bad.expect("CC:", "-Not logged in C:")
	bad.expect("Pwrong2", "-")
	bad.expect("Pwrong3", "-")
	bad.expect("Pwrong4", "-")
	if !bad.closed() {
		t.Fatal("session not closed after 4 failures")
	}
	mu.Lock()
	got := append([]time.Duration(nil), delays...)
	mu.Unlock()
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}
	if len(got) != len(want) {
		t.Fatalf("delays %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v, want %v", got, want)
		}
	}
	// a correct password resets the count
	c := dial(t, ts.addr).login()
	c.expect("Pwrong", "-")
	mu.Lock()
	last := delays[len(delays)-1]
	mu.Unlock()
	if last != 250*time.Millisecond {
		t.Errorf("delay after a good login = %v, want 250ms", last)
	}
	// passwords: only 32 bytes count, longer ones never match
	long := strings.Repeat("p", 40)
	ts2 := startServer(t, func(s *Server) { s.Password = &long; s.PasswordDelay = -1 })
	c2 := dial(t, ts2.addr)
	c2.line()
	c2.expect("P"+long, "-")
	c2.expect("P"+long[:32], "+")
	c2.expect("P"+long[:31], "-")
	c2.expect("CC:", "-Not logged in C:") // a failed P logs out
}

func TestEmptyPassword(t *testing.T) {
	dir := t.TempDir()
	srv := &Server{Volumes: map[byte]string{'C': dir}}
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(l); !errors.Is(err, ErrEmptyPassword) {
		t.Fatalf("Serve on 0.0.0.0 with an empty password: %v", err)
	}
	// the embedded case: loopback, no password
	ts := startServer(t, func(s *Server) { s.Password = nil })
	c := dial(t, ts.addr)
	c.line()
	c.expect("Pxx", "-")
	c.expect("P", "+")
	c.expect("CC:", "+")
}

func TestMaxSessions(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxSessions = 2 })
	a := dial(t, ts.addr)
	a.line()
	b := dial(t, ts.addr)
	b.line()
	c := dial(t, ts.addr)
	if got := c.line(); got != "-Too many sessions" {
		t.Fatalf("third session got %q", got)
	}
	if !c.closed() {
		t.Fatal("third session not closed")
	}
	a.expect("Q", "+")
	if !a.closed() {
		t.Fatal("Q did not close")
	}
	// a slot is free again once the server has seen a's end
	for deadline := time.Now().Add(10 * time.Second); ts.srv.Sessions() >= 2; {
		if time.Now().After(deadline) {
			t.Fatal("session count did not drop")
		}
		time.Sleep(time.Millisecond) // polling a counter, not synchronising
	}
	d := dial(t, ts.addr)
	if got := d.line(); got != "+" {
		t.Fatalf("greeting %q", got)
	}
}

func TestEventCommands(t *testing.T) {
	ts := startServer(t, func(s *Server) {
		s.Events = map[string]Event{
			`\SEM32\OK`:   {Command: []string{"/bin/sh", "-c", `test "$INISERVE_EVENT" = '\sem32\ok'`}},
			`\SEM32\FAIL`: {Command: []string{"/bin/sh", "-c", "exit 3"}},
			`\SEM32\SLOW`: {Command: []string{"/bin/sh", "-c", "sleep 30"}, Timeout: 50 * time.Millisecond},
			`\SEM32\FUNC`: {Func: func(ctx context.Context, name string) error { return errors.New("no") }},
		}
	})
	c := dial(t, ts.addr).login()
	c.expect(`E\sem32\ok`, "+")
	c.expect(`E\SEM32\FAIL`, "-*")
	start := time.Now()
	c.expect(`E\SEM32\SLOW`, "-*")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("slow event took %v", d)
	}
	c.expect(`E\SEM32\FUNC`, "-*")
	c.expect(`E\SEM32\NONE`, "-*")
}

// TestShutdown: an idle session is closed at once, a session executing a
// command gets its reply first.
func TestShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	pw := "secret"
	srv := &Server{Volumes: map[byte]string{'C': t.TempDir()}, Password: &pw,
		Events: map[string]Event{"block": {Func: func(ctx context.Context, name string) error {
			close(started)
			<-release
			return nil
		}}}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	idle := dial(t, l.Addr().String()).login()
	busy := dial(t, l.Addr().String()).login()
	busy.send("Eblock", "Q")
	<-started
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	if !idle.closed() {
		t.Fatal("idle session not closed by Shutdown")
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v before the running command finished", err)
	default:
	}
	close(release)
	if got := busy.line(); got != "+" {
		t.Fatalf("running command got %q", got)
	}
	if !busy.closed() {
		t.Fatal("busy session not closed after its command")
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Error("still accepting after Shutdown")
	}
}

// TestTNIAndLimits: a .TNI name is a TNI file (sorted, text), values may
// exceed 65535 bytes up to MaxTNIValue; a binary value stops at 65535.
func TestTNIAndLimits(t *testing.T) {
	ts := startServer(t, func(s *Server) { s.MaxTNIValue = 100000; s.MaxLine = 1 << 20 })
	vol := ts.dirs['C']
	c := dial(t, ts.addr).login()
	for _, cmd := range []string{`CC:`, `Fnew.tni`, `Azeta`, `Kk`, `W01`, `Aalpha`, `Kk`, `W02`} {
		c.expect(cmd, "+")
	}
	c.expect("A", "+")
	c.expect("V", "+"+hexOf([]byte("alpha\x00zeta\x00\x00"))) // sorted
	c.expect("Aalpha", "+")
	c.expect("W"+strings.Repeat("AB", 70000), "+")
	c.expect("S", "+11170")
	c.expect("W"+strings.Repeat("AB", 100001), "-*")
	c.expect("O186A0", "+") // offset 100000
	c.expect("W00", "-*")
	c.expect("O", "+")
	data, err := os.ReadFile(filepath.Join(vol, "new.tni"))
	if err != nil || !strings.Contains(string(data), "[alpha]") {
		t.Fatalf("new.tni: %v\n%.200s", err, data)
	}
	f, err := ini.Parse("new.tni", data, ini.FormatTNI)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Lookup([]byte("alpha"), []byte("k")); len(v) != 70000 {
		t.Errorf("alpha/k has %d bytes", len(v))
	}
	// binary: 65535 bytes at most
	c.expect("Fbin.INI", "+")
	c.expect("W"+strings.Repeat("CD", 65535), "+")
	c.expect("W"+strings.Repeat("CD", 65536), "-*")
	c.expect("OFFFF", "+")
	c.expect("W01", "-*")
	c.expect("OFFFE", "+")
	c.expect("W01", "+")
	// an FMT file that would omit a key makes W fail rather than lose it
	os.WriteFile(filepath.Join(vol, "new.fmt"), []byte("[zeta]\r\nk=*\r\n[/zeta]\r\n"), 0o666)
	c.expect("O", "+")
	c.expect("Fnew.tni", "+")
	c.expect("W03", "-*")
	os.WriteFile(filepath.Join(vol, "new.fmt"), []byte("[zeta]\r\nk=(1)\r\n[/zeta]\r\n"), 0o666)
	c.expect("W03", "+")
	if f := readINI(t, filepath.Join(vol, "new.tni")); f.NumKeys([]byte("zeta")) != 1 {
		t.Error("zeta/k lost")
	}
}

// TestNewFileCase: two sessions selecting the same new file under
// different cases write one file, as on OS/2.
func TestNewFileCase(t *testing.T) {
	ts := startServer(t, nil)
	a := dial(t, ts.addr).login()
	b := dial(t, ts.addr).login()
	for _, cmd := range []string{`CC:`, `Fnew.ini`, `Aa`, `Kk1`} {
		a.expect(cmd, "+")
	}
	for _, cmd := range []string{`CC:`, `FNEW.INI`, `Aa`, `Kk2`} {
		b.expect(cmd, "+")
	}
	a.expect("W01", "+")
	b.expect("W02", "+")
	a.expect("K", "+")
	a.expect("V", "+"+hexOf([]byte("k1\x00k2\x00\x00")))
	ents, _ := os.ReadDir(ts.dirs['C'])
	if len(ents) != 1 || ents[0].Name() != "new.ini" {
		t.Errorf("volume holds %v", ents)
	}
}
