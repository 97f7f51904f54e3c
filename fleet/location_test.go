package fleet

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
)

func TestParseLocation(t *testing.T) {
	for in, want := range map[string]Location{
		`mail1:C:\MPTN\ETC\WEASEL.INI`: {Host: "mail1", Path: `C:\MPTN\ETC\WEASEL.INI`},
		`mail1:3561:C:/X.INI`:          {Host: "mail1:3561", Path: `C:/X.INI`},
		`10.0.0.5:d:\A.TNI`:            {Host: "10.0.0.5", Path: `d:\A.TNI`},
		`[::1]:3560:C:\X.INI`:          {Host: "[::1]:3560", Path: `C:\X.INI`},
		`[::1]:C:\X.INI`:               {Host: "[::1]", Path: `C:\X.INI`},
		`C:\X.INI`:                     {Path: `C:\X.INI`},
		`./a:b.ini`:                    {Path: `./a:b.ini`},
		`dir/x.ini`:                    {Path: `dir/x.ini`},
		`host:x.ini`:                   {Path: `host:x.ini`},
		`host:99999999:C:\X.INI`:       {Path: `host:99999999:C:\X.INI`},
		`a b:C:\X.INI`:                 {Path: `a b:C:\X.INI`},
	} {
		if got := ParseLocation(in); got != want {
			t.Errorf("ParseLocation(%q) = %+v, want %+v", in, got, want)
		}
		if got := ParseLocation(in).String(); got != in {
			t.Errorf("String of %q = %q", in, got)
		}
	}
}

// sampleServers serves n sample hosts (batch.WriteSampleHost) in-process
// and returns them with their directories.
func sampleServers(t *testing.T, n int) ([]*batch.Host, []string) {
	t.Helper()
	var dirs []string
	for i := range n {
		d := filepath.Join(t.TempDir(), "C")
		if err := batch.WriteSampleHost(d, i); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	hosts, stop, err := batch.LocalServers(dirs, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return hosts, dirs
}

// assertReadOnly fails when a command that changes a host went through p.
func assertReadOnly(t *testing.T, p *wiretest.Proxy) {
	t.Helper()
	lines := p.Received()
	if len(lines) == 0 {
		t.Fatal("nothing went through the proxy")
	}
	for _, l := range lines {
		if l != "" && strings.ContainsRune("WDMRXE^", rune(l[0])) {
			t.Errorf("a command that changes the host was sent: %q", l)
		}
	}
}

func TestReadFileRemote(t *testing.T) {
	hosts, dirs := sampleServers(t, 1)
	p := wiretest.StartProxy(t, hosts[0].Address, 0)
	hosts[0].Address = p.Addr()
	c := &Connector{Hosts: hosts}
	ctx := context.Background()
	f, err := c.ReadFile(ctx, ParseLocation(`host1:C:\MAILSRV\MAILSRV.INI`))
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := ini.ReadFile(filepath.Join(dirs[0], "MAILSRV", "MAILSRV.INI"))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Equal(want) {
		t.Error("the remote file read differs from the file on disk")
	}
	// by address, not in the inventory
	if _, err := (&Connector{}).ReadFile(ctx, ParseLocation(p.Addr()+`:C:\MAILSRV\USERS.TNI`)); err != nil {
		t.Errorf("by address: %v", err)
	}
	_, err = c.ReadFile(ctx, ParseLocation(`host1:C:\MAILSRV\NOPE.INI`))
	if !errors.Is(err, ErrNoFile) || !strings.Contains(err.Error(), `host1:C:\MAILSRV\NOPE.INI`) {
		t.Errorf("missing remote file: %v", err)
	}
	for _, l := range p.Received() {
		if strings.HasPrefix(l, "F") && strings.Contains(l, "NOPE") {
			t.Errorf("a missing file was selected (the original server would create it): %q", l)
		}
	}
	assertReadOnly(t, p)
	if _, err := c.ReadFile(ctx, ParseLocation(`127.0.0.1:1:C:\X.INI`)); err == nil {
		t.Error("unreachable host: no error")
	}
}

func TestReadLocal(t *testing.T) {
	dir := t.TempDir()
	f := ini.Sample()
	// TNI content under a .INI name (as inilua pull writes it) is read as TNI
	path := filepath.Join(dir, "X.INI")
	if err := f.Save(path, ini.SaveOptions{Format: ini.FormatTNI, FormatSet: true}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !bytes.HasPrefix(data, []byte("[")) {
		t.Fatalf("not saved as TNI: %q", data[:8])
	}
	g, err := ReadLocal(path)
	if err != nil || !g.SameContent(f) {
		t.Fatalf("ReadLocal of TNI text named .INI: %v", err)
	}
	if _, err := ReadLocal(filepath.Join(dir, "none.ini")); err == nil || !strings.Contains(err.Error(), "none.ini") {
		t.Errorf("missing: %v", err)
	}
}

// TestResolveErrorsNameNoFlag: a bad host in a location (HOST:D:\PATH) is
// reported as such, not as a bad --hosts value the user never gave.
func TestResolveErrorsNameNoFlag(t *testing.T) {
	c := &Connector{}
	for _, name := range []string{"127.0.0.1:99999", "[::1", "a\x01b"} {
		_, err := c.Resolve(name)
		if err == nil {
			t.Errorf("Resolve(%q): no error", name)
			continue
		}
		if strings.Contains(err.Error(), "--hosts") {
			t.Errorf("Resolve(%q): %v; want no mention of --hosts", name, err)
		}
	}
	if _, err := c.Resolve("127.0.0.1:99999"); err == nil || !strings.Contains(err.Error(), `bad port in address "127.0.0.1:99999"`) {
		t.Errorf("Resolve of a bad port: %v", err)
	}
}

// TestReadFileHintsAtHostWithoutDrive: a missing local file whose name
// starts like a file on a host but lacks the drive (mail1:WEASEL.INI) gets
// a hint at the HOST:C:\PATH form; a missing plain path or a drive-relative
// one (C:X.INI) does not.
func TestReadFileHintsAtHostWithoutDrive(t *testing.T) {
	t.Chdir(t.TempDir())
	var c Connector
	for _, tc := range []struct{ arg, name string }{
		{`mail1:WEASEL.INI`, `mail1:C:\PATH\FILE.INI`},
		{`mail1:3561:ETC\WEASEL.INI`, `mail1:3561:C:\PATH\FILE.INI`},
		{`[::1]:3561:X.INI`, `[::1]:3561:C:\PATH\FILE.INI`},
		{`mail1:C:WEASEL.INI`, `mail1:C:\WEASEL.INI`}, // the drive without its root
		{`mail1:3561:d:etc\x.ini`, `mail1:3561:d:\etc\x.ini`},
		{`none.ini`, ""},
		{`C:X.INI`, ""},
		{`mail1:`, ""},
		{`dir/a:b.ini`, ""},
	} {
		l := ParseLocation(tc.arg)
		if l.Remote() {
			t.Fatalf("%s read as remote", tc.arg)
		}
		_, err := c.ReadFile(context.Background(), l)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s: %v, want a missing file", tc.arg, err)
		}
		hint := "a file on a host is named with its drive and full path, " + tc.name + ")"
		if got := strings.Contains(err.Error(), "a file on a host"); got != (tc.name != "") || tc.name != "" && !strings.Contains(err.Error(), hint) {
			t.Errorf("%s: %v (want hint at %q)", tc.arg, err, tc.name)
		}
	}
}
