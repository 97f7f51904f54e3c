package server

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
)

// writeConfig writes an INIServe configuration file with the given
// password, timeout (seconds) and, when useTNI >= 0, a 1-byte UseTNI.
func writeConfig(t *testing.T, path, password string, timeout uint32, useTNI int) {
	t.Helper()
	f := ini.New()
	sys := []byte("$SYS")
	f.Put(sys, []byte("Password"), append([]byte(password), 0))
	f.Put(sys, []byte("TimeOut"), binary.LittleEndian.AppendUint32(nil, timeout))
	if useTNI >= 0 {
		f.Put(sys, []byte("UseTNI"), []byte{byte(useTNI)})
	}
	writeINI(t, path, f)
}

func TestConfigFile(t *testing.T) {
	cfgDir := t.TempDir()
	stem := filepath.Join(cfgDir, "INIServe")
	writeConfig(t, stem+".INI", "pw1", 600, -1)
	ts := startServer(t, func(s *Server) { s.Password = nil; s.ConfigFile = stem })
	if got := ts.srv.idleTimeout(); got != 600*time.Second {
		t.Errorf("idle timeout %v, want 600s from TimeOut", got)
	}
	c := dial(t, ts.addr)
	c.line()
	c.expect("Ppw1", "+")
	// the password is re-read at every P
	writeConfig(t, stem+".INI", "pw2", 600, -1)
	c.expect("Ppw1", "-")
	c.expect("Ppw2", "+")
	// a TNI file that says UseTNI wins; the stale INI is ignored entirely
	writeConfig(t, stem+".TNI", "tni", 30, 1)
	c.expect("Ppw2", "-")
	c.expect("Ptni", "+")
	// ^ reloads (TimeOut now from the TNI file) and closes without a reply
	c.send("^")
	if !c.closed() {
		t.Fatal("^ did not close the session")
	}
	if got := ts.srv.idleTimeout(); got != 30*time.Second {
		t.Errorf("idle timeout after ^ = %v, want 30s from the TNI file", got)
	}
	// -I forces the INI file
	ts2 := startServer(t, func(s *Server) { s.Password = nil; s.ConfigFile = stem; s.ConfigFormat = ini.ForceINI })
	c2 := dial(t, ts2.addr)
	c2.line()
	c2.expect("Ptni", "-")
	c2.expect("Ppw2", "+")
	if got := ts2.srv.idleTimeout(); got != 600*time.Second {
		t.Errorf("-I: idle timeout %v, want 600s", got)
	}
	// Reload keeps the old settings when the file is broken
	os.WriteFile(stem+".INI", []byte("garbage"), 0o666)
	if err := ts2.srv.Reload(); err == nil {
		t.Error("Reload of a broken file succeeded")
	}
	if got := ts2.srv.idleTimeout(); got != 600*time.Second {
		t.Errorf("after a failed Reload: idle timeout %v, want 600s", got)
	}
	writeConfig(t, stem+".INI", "pw3", 5, -1)
	if err := ts2.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := ts2.srv.idleTimeout(); got != 5*time.Second {
		t.Errorf("after Reload: idle timeout %v, want 5s", got)
	}
}

func TestConfigServerPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	f := ini.New()
	f.Put([]byte("$SYS"), []byte("ServerPort"), binary.LittleEndian.AppendUint32(nil, uint32(port)))
	f.Put([]byte("$SYS"), []byte("Password"), []byte("x\x00"))
	path := filepath.Join(t.TempDir(), "MyServe.TNI")
	writeINI(t, path, f)
	srv := &Server{Volumes: map[byte]string{'C': t.TempDir()}, ConfigFile: path}
	l, err = srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := l.Addr().(*net.TCPAddr).Port; got != port {
		t.Errorf("listening on port %d, want %d from ServerPort", got, port)
	}
}

// TestReloadFailureLog: a failed reload tells the operator what it means:
// with the password taken from the configuration file, logins fail until
// the file is fixed (P re-reads it), so "keeping the previous settings"
// alone would mislead; with a password given otherwise it is the whole story.
func TestReloadFailureLog(t *testing.T) {
	for _, fromFile := range []bool{true, false} {
		stem := filepath.Join(t.TempDir(), "INIServe")
		writeConfig(t, stem+".INI", "pw1", 600, -1)
		var log lockedBuffer
		ts := startServer(t, func(s *Server) {
			if fromFile {
				s.Password = nil
			}
			s.ConfigFile = stem
			s.Logger = slog.New(slog.NewTextHandler(&log, nil))
		})
		os.WriteFile(stem+".INI", []byte("garbage"), 0o666)
		if err := ts.srv.Reload(); err == nil {
			t.Fatal("Reload of a broken file succeeded")
		}
		c := dial(t, ts.addr)
		c.line()
		pw, want := "Psecret", "+"
		if fromFile {
			pw, want = "Ppw1", "-*"
		}
		c.expect(pw, want)
		says := strings.Contains(log.String(), "logins fail until the file is fixed")
		if says != fromFile {
			t.Errorf("password from the file %v: log %q; want the login warning %v", fromFile, log.String(), fromFile)
		}
		if !strings.Contains(log.String(), "reload failed") {
			t.Errorf("log %q does not report the failed reload", log.String())
		}
	}
}

// lockedBuffer is a bytes.Buffer that server goroutines may log into while
// the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestConfigUseTNIWrongSize: a ($SYS, UseTNI) of 4 bytes (UseTNI=1 in TNI
// instead of (1)1) counts as absent, so the INI file is used, and the
// server says so at startup, naming the file; a login (which re-reads the
// file) does not repeat it.
func TestConfigUseTNIWrongSize(t *testing.T) {
	stem := filepath.Join(t.TempDir(), "INIServe")
	writeConfig(t, stem+".INI", "ini", 600, -1)
	os.WriteFile(stem+".TNI", []byte("[$SYS]\n  Password='tni'\n  UseTNI=1\n[/$SYS]\n"), 0o666)
	var log lockedBuffer
	ts := startServer(t, func(s *Server) {
		s.Password = nil
		s.ConfigFile = stem
		s.Logger = slog.New(slog.NewTextHandler(&log, nil))
	})
	want := stem + ".TNI: ($SYS, UseTNI) is 4 bytes long, not 1"
	if got := log.String(); strings.Count(got, want) != 1 || !strings.Contains(got, "level=WARN") {
		t.Fatalf("startup log %q; want one warning %q", got, want)
	}
	c := dial(t, ts.addr)
	c.line()
	c.expect("Pini", "+") // the INI file's password: UseTNI was absent
	if got := log.String(); strings.Count(got, want) != 1 {
		t.Errorf("the login repeated the warning: %q", got)
	}
}

// TestReadWarnsAnomalies: a binary INI file whose header length field is
// unlike the file size is served (spec §2.7: tolerated) and the log says
// so, naming the file.
func TestReadWarnsAnomalies(t *testing.T) {
	var log lockedBuffer
	ts := startServer(t, func(s *Server) { s.Logger = slog.New(slog.NewTextHandler(&log, nil)) })
	f := ini.New()
	f.Put([]byte("A"), []byte("k"), []byte("v"))
	data, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(data[8:], 9999)
	os.WriteFile(filepath.Join(ts.dirs['C'], "ODD.INI"), data, 0o666)
	c := dial(t, ts.addr)
	c.line()
	c.expect("Psecret", "+")
	c.expect(`CC:\`, "+")
	c.expect("FODD.INI", "+")
	c.expect("AA", "+")
	c.expect("Kk", "+")
	c.expect("V", "+76")
	if got := log.String(); !strings.Contains(got, "C:ODD.INI: offset 0 (0x0): header: file length field says 9999") {
		t.Errorf("log %q lacks the header warning", got)
	}
}

// TestConfigNamedMissing: a configuration file the user named but that is
// missing is logged as a warning naming it (the defaults apply); the
// default name may be absent without one.
func TestConfigNamedMissing(t *testing.T) {
	for _, c := range []struct {
		name  string
		named bool
		want  string
	}{
		{"X.INI", true, "configuration file DIR/X.INI not found: using the defaults (port 3560"},
		{"Stem", true, "configuration file DIR/Stem.INI or DIR/Stem.TNI not found"},
		{"INIServe", false, ""},
	} {
		dir := t.TempDir()
		var log bytes.Buffer
		srv := &Server{Addr: "127.0.0.1:0", Volumes: map[byte]string{'C': dir}, ConfigFile: filepath.Join(dir, c.name),
			ConfigNamed: c.named, Logger: slog.New(slog.NewTextHandler(&log, nil))}
		l, err := srv.Listen()
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
		got := strings.ReplaceAll(log.String(), dir, "DIR")
		if c.want == "" && strings.Contains(got, "not found") || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s (named %v): log %q, want %q", c.name, c.named, got, c.want)
		}
	}
}

// TestConfigBadValueMessages: a ServerPort out of range is named as a
// number, a value that is no number as its bytes.
func TestConfigBadValueMessages(t *testing.T) {
	for _, c := range []struct {
		key, want string
		value     []byte
	}{
		{"ServerPort", "$SYS ServerPort: 99999 is not a TCP port (1-65535)", binary.LittleEndian.AppendUint32(nil, 99999)},
		{"ServerPort", "$SYS ServerPort: value 61 62 63 is not a 1-, 2- or 4-byte little-endian number", []byte("abc")},
		{"TimeOut", "$SYS TimeOut: value 61 62 63 is not a 1-, 2- or 4-byte little-endian number of seconds", []byte("abc")},
	} {
		f := ini.New()
		f.Put([]byte("$SYS"), []byte(c.key), c.value)
		path := filepath.Join(t.TempDir(), "C.TNI")
		writeINI(t, path, f)
		srv := &Server{Addr: "127.0.0.1:0", Volumes: map[byte]string{'C': t.TempDir()}, ConfigFile: path}
		if l, err := srv.Listen(); err == nil {
			l.Close()
			t.Errorf("%s=% X: accepted", c.key, c.value)
		} else if !strings.Contains(err.Error(), path+": "+c.want) {
			t.Errorf("%s=% X: %v, want %q", c.key, c.value, err, c.want)
		}
	}
}
