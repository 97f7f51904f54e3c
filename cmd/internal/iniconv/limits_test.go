package iniconv

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

// TestLoadiniNameTooLong: a key name over the binary limit is reported as
// a name too long (not "file too large"), beside a value too long, and
// nothing is written.
func TestLoadiniNameTooLong(t *testing.T) {
	t.Chdir(t.TempDir())
	long := strings.Repeat("n", ini.MaxNameLen+1)
	tni := "[A]\n   " + long + "=1\n[/A]\n[B]\n   v=(65535)0 0\n[/B]\n"
	if err := os.WriteFile("L.TNI", []byte(tni), 0o666); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if status := Loadini([]string{"L"}, &stdout, &stderr); status != ExitFailure {
		t.Fatalf("status %d, want %d; stderr %q", status, ExitFailure, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	var msgs []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "loadini: warning: ") { // the long line itself is warned about
			msgs = append(msgs, l)
		}
	}
	if len(msgs) != 3 ||
		!strings.HasPrefix(msgs[0], `loadini: L.TNI: cannot write application "A" key "`+long[:64]+`"... (65535 bytes): key name`) ||
		!strings.HasSuffix(msgs[0], `: key name of 65535 bytes exceeds 65534: too long for the binary INI format`) ||
		msgs[1] != `loadini: L.TNI: cannot write application "B" key "v": value of 131070 bytes exceeds 65535: too long for the binary INI format` ||
		msgs[2] != "loadini: L.TNI: 2 items cannot be written in the binary INI format; nothing written" {
		t.Errorf("stderr:\n%s", strings.Join(msgs, "\n"))
	}
	if strings.Contains(stderr.String(), "file too large") {
		t.Errorf("a long name blamed on the file: %s", stderr.String())
	}
	if _, err := os.Stat("L.INI"); !os.IsNotExist(err) {
		t.Errorf("L.INI written: %v", err)
	}
}

// TestDumpiniWarnsAnomalies: a binary INI file whose header length field
// is unlike its size converts, with a warning naming the file.
func TestDumpiniWarnsAnomalies(t *testing.T) {
	t.Chdir(t.TempDir())
	data, err := sampleINI()
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(data[8:], 12345)
	if err := os.WriteFile("S.INI", data, 0o666); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if status := Dumpini([]string{"S"}, &stdout, &stderr); status != ExitOK {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	if want := "dumpini: warning: S.INI: offset 0 (0x0): header: file length field says 12345"; !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("stderr %q, want %q...", stderr.String(), want)
	}
}

// TestDumpiniLongNames: an application and a key name of 65000 bytes (which
// TNI cannot hold) are each reported on one short line naming the input
// file, the name cut to its first 64 bytes with its length, with and
// without --skip-unrepresentable.
func TestDumpiniLongNames(t *testing.T) {
	t.Chdir(t.TempDir())
	longApp, longKey := strings.Repeat("a", 65000), strings.Repeat("k", 65000)
	f := ini.New()
	for _, e := range [][2]string{{longApp, "k"}, {"App", longKey}, {"App", "ok"}} {
		if err := f.Put([]byte(e[0]), []byte(e[1]), []byte("v\x00")); err != nil {
			t.Fatal(err)
		}
	}
	data, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("BIG.INI", data, 0o666); err != nil {
		t.Fatal(err)
	}
	wantApp := `application "` + longApp[:64] + `"... (65000 bytes): name longer than 256 bytes`
	wantKey := `application "App" key "` + longKey[:64] + `"... (65000 bytes): name longer than 128 bytes`
	for _, c := range []struct {
		args   []string
		status int
		verb   string
	}{
		{[]string{"BIG"}, ExitFailure, "cannot write"},
		{[]string{"--skip-unrepresentable", "BIG"}, ExitSkipped, "left out"},
	} {
		var stdout, stderr strings.Builder
		if status := Dumpini(c.args, &stdout, &stderr); status != c.status {
			t.Fatalf("%v: status %d, want %d; stderr %.500q", c.args, status, c.status, stderr.String())
		}
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Errorf("%v: %d lines on stderr, want 3: %.1000q", c.args, len(lines), stderr.String())
			continue
		}
		for _, l := range lines {
			if len(l) > 200 {
				t.Errorf("%v: a line of %d bytes on stderr: %.300q...", c.args, len(l), l)
			}
		}
		for i, want := range []string{wantKey, wantApp} { // output order: "App" < "aaa..."
			prefix := "dumpini: BIG.INI: " + c.verb + " "
			if !strings.HasPrefix(lines[i], prefix+want) {
				t.Errorf("%v: line %d %.300q, want %q...", c.args, i+1, lines[i], prefix+want)
			}
		}
	}
}
