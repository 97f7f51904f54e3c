package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/version"
)

// syncBuffer is a bytes.Buffer safe for the server's log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHelpAndBadFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--help"}, &out, &errb, nil); code != 0 {
		t.Errorf("--help: exit %d", code)
	}
	for _, f := range []string{"--listen", "--volume", "--config", "-I", "-T", "--password-file", "--timeout", "--login-timeout", "--max-sessions", "--read-only", "--event", "--event-timeout", "--log-format"} {
		if !strings.Contains(out.String(), "\n  "+f+" ") && !strings.Contains(out.String(), "\n  "+f+"\n") {
			t.Errorf("--help does not mention %s:\n%s", f, out.String())
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--volume", "CC=/x"}, `--volume "CC=/x": want a drive letter`},
		{[]string{"--volume", "C"}, `--volume "C": want a drive letter`},
		{[]string{"--volume", "C=" + filepath.Join(dir, "nodir")}, `--volume "C=` + filepath.Join(dir, "nodir") + `": stat ` + filepath.Join(dir, "nodir") + `: no such file or directory`},
		{[]string{"--volume", "C=" + file}, `--volume "C=` + file + `": ` + file + " is not a directory"},
		{[]string{"--log-format", "xml"}, `--log-format: "xml" is not text or json`},
		{[]string{"-I", "-T"}, "-I and -T exclude each other"},
		{[]string{"--event", "noequals"}, `--event "noequals": want NAME=COMMAND`},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--password-file", filepath.Join(dir, "nopw")}, "--password-file: open " + filepath.Join(dir, "nopw") + ": no such file or directory"},
		{[]string{"--password-file", dir}, "--password-file: read " + dir + ": is a directory"},
		{[]string{"--max-prelogin", "0"}, "--max-prelogin: 0 is not at least 1"},
		{[]string{"--max-long-lines", "0"}, "--max-long-lines: 0 is not at least 1"},
		{[]string{"--timeout", "-5s"}, "--timeout: -5s is negative (0 = none)"},
		{[]string{"--login-timeout", "-1m"}, "--login-timeout: -1m0s is negative (0 = none)"},
		{[]string{"--event-timeout", "0"}, "--event-timeout: must be more than 0"},
		{[]string{"--timeout", "soon"}, `--timeout: "soon" is not a duration (e.g. 30s, 5m, 1h)`},
		{[]string{"--max-sessions", "0"}, "--max-sessions: 0 is not at least 1"},
		{[]string{"--nope"}, "unknown flag --nope"},
	} {
		errb.Reset()
		code := run(append(c.args, "--listen", "127.0.0.1:0", "--config", filepath.Join(dir, "none")), &out, &errb, nil)
		want := "iniserve: " + c.want
		if lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n"); code != 1 || len(lines) != 2 ||
			!strings.HasPrefix(lines[0], want) || lines[1] != "run 'iniserve -h' for the flags" {
			t.Errorf("%q: exit %d, stderr %q; want 1 and %q", c.args, code, errb.String(), want)
		}
	}
}

func TestEmptyPasswordRefused(t *testing.T) {
	var out, errb bytes.Buffer
	dir := t.TempDir()
	code := run([]string{"--listen", "0.0.0.0:0", "--volume", "C=" + dir, "--config", filepath.Join(dir, "none")}, &out, &errb, nil)
	if code != 1 || !strings.Contains(errb.String(), "empty password") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// TestServeSignals runs the command: it prints its address, serves, reloads
// on SIGHUP and shuts down on SIGTERM.
func TestServeSignals(t *testing.T) {
	dir := t.TempDir()
	vol := filepath.Join(dir, "c")
	os.Mkdir(vol, 0o777)
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte("letmein\n"), 0o600)
	marker := filepath.Join(dir, "posted")
	pr, pw := io.Pipe()
	var errb syncBuffer
	sig := make(chan os.Signal, 1)
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"--listen", "127.0.0.1:0", "--volume", "c=" + vol, "--config", filepath.Join(dir, "INIServe"),
			"--password-file", pwFile, "--log-format", "json", "--event", `\SEM32\X=touch ` + marker}, pw, &errb, sig)
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "iniserve: listening on ")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	go io.Copy(io.Discard, pr)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	for _, step := range [][2]string{{"", "+"}, {"Pletmein", "+"}, {"CC:", "+"}, {"Fnew.INI", "+"}, {"Aa", "+"}, {"Kk", "+"}, {"W2A", "+"}, {`E\sem32\x`, "+"}} {
		if step[0] != "" {
			c.Write([]byte(step[0] + "\r\n"))
		}
		if got, err := r.ReadString('\n'); err != nil || got != step[1]+"\r\n" {
			t.Fatalf("%q: %q %v", step[0], got, err)
		}
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("event command did not run: %v", err)
	}
	f, _, err := ini.ReadFile(filepath.Join(vol, "new.INI"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Lookup([]byte("a"), []byte("k")); string(v) != "*" {
		t.Errorf("a/k = %q", v)
	}
	sig <- syscall.SIGHUP
	sig <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	logs := errb.String()
	for _, want := range []string{`"msg":"configuration reloaded"`, `"msg":"change"`, `"application":"a"`, `"new_size":1`, `"msg":"session start"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

// TestVersion: --version prints the build identity on stdout and exits 0
// without serving.
func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--version"}, &out, &errb, nil); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if want := "iniserve " + version.Get().String() + "\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
}

// TestStartupWarnsUseTNISize: a configuration stem whose TNI file has
// UseTNI=1 (4 bytes, which GenINI's rule ignores) starts on the INI file
// and says why on stderr, naming the file.
func TestStartupWarnsUseTNISize(t *testing.T) {
	dir := t.TempDir()
	stem := filepath.Join(dir, "INIServe")
	cfg := ini.New()
	cfg.Put([]byte("$SYS"), []byte("Password"), []byte("ini\x00"))
	data, err := cfg.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(stem+".INI", data, 0o600)
	os.WriteFile(stem+".TNI", []byte("[$SYS]\n   Password='tni'0\n   UseTNI=1\n[/$SYS]\n"), 0o600)
	pr, pw := io.Pipe()
	var errb syncBuffer
	sig := make(chan os.Signal, 1)
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"--listen", "127.0.0.1:0", "--volume", "C=" + dir, "--config", stem}, pw, &errb, sig)
	}()
	if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	sig <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if want := stem + ".TNI: ($SYS, UseTNI) is 4 bytes long, not 1"; !strings.Contains(errb.String(), want) ||
		!strings.Contains(errb.String(), "level=WARN") {
		t.Errorf("stderr lacks the warning %q:\n%s", want, errb.String())
	}
}
