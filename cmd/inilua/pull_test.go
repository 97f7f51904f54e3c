package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPullCommand(t *testing.T) {
	hosts, _ := sampleHosts(t, 2)
	list := hosts[0].Address + "," + hosts[1].Address
	to := filepath.Join(t.TempDir(), "new", "tree") // created when missing
	code, out, errs := runLine(t, "pull", "--hosts", list, `C:\MAILSRV\MAILSRV.INI`, "--to", to)
	if code != 0 || !strings.Contains(out, "2 hosts, 2 files") {
		t.Fatalf("status %d, out %q, err %q", code, out, errs)
	}
	entries, _ := os.ReadDir(to)
	if len(entries) != 2 {
		t.Errorf("%d host directories in %s", len(entries), to)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pull", "--hosts", list, `C:\X.INI`}, "--to DIR is required"},
		{[]string{"pull", "--hosts", list, "--to", to}, "no file or mask given"},
		{[]string{"pull", "--hosts", list, "--to", to, `MAILSRV\*.INI`}, "not an absolute OS/2 path"},
		{[]string{"pull", "--to", to, `C:\X.INI`}, "no hosts selected"},
	} {
		if code, _, errs := runLine(t, tc.args...); code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: status %d, err %q, want %q", tc.args, code, errs, tc.want)
		}
	}
	if code, _, _ := runLine(t, "pull", "--hosts", "127.0.0.1:1", "--to", to, `C:\X.INI`); code != 2 {
		t.Errorf("unreachable host: status %d", code)
	}
	if code, out, _ := runLine(t, "pull", "-h"); code != 0 || !strings.Contains(out, "usage: inilua pull") || !strings.Contains(out, "--binary") {
		t.Errorf("-h: %d %q", code, out)
	}
}
