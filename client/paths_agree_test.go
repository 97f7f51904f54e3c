package client

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/internal/os2path"
)

// TestPathsAgree runs every path case through the client's tracking of the
// current directory (Chdir, AbsPath) and through a real server's
// resolution, and fails where the two disagree. Each directory of the two
// volumes holds a marker file here.INI whose ($where, path) value is that
// directory's OS/2 path, so what the server resolved is read back over the
// wire.
func TestPathsAgree(t *testing.T) {
	ts := startServer(t, nil)
	dirs := map[string]string{ // OS/2 path -> host path
		`C:\`:     ts.dir,
		`C:\a\`:   filepath.Join(ts.dir, "a"),
		`C:\a\b\`: filepath.Join(ts.dir, "a", "b"),
		`D:\`:     ts.srv.Volumes['D'],
		`D:\y\`:   filepath.Join(ts.srv.Volumes['D'], "y"),
	}
	for os2, host := range dirs {
		if err := os.MkdirAll(host, 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := fileOf("$where", "path", os2).Marshal(0)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(host, "here.INI"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	s, err := Dial(ctx, ts.addr, Options{Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// serverSays returns the directory of the marker the server opens for
	// name, or "" when it refuses name.
	serverSays := func(name string) string {
		f, err := s.Fetch(ctx, name)
		if err != nil {
			return ""
		}
		v, _ := f.Get([]byte("$where"), []byte("path"))
		return string(v)
	}
	// agree checks that the client's absolute path for name is the marker
	// the server opens.
	agree := func(what, name string) {
		t.Helper()
		srv := serverSays(name)
		want := ""
		if srv != "" {
			want = srv + "here.INI"
		}
		got := s.AbsPath(name)
		if !os2path.FoldEqual(got, want) {
			t.Errorf("%s: client AbsPath(%q) = %q, server opened %q", what, name, got, want)
		}
	}

	cases := []struct {
		from string // absolute C to start from; "" for the pseudo-directory
		p    string // C parameter, then "here.INI" is opened
		file string // F parameter instead, when not ""
	}{
		{from: `C:\`, p: `..\D:`},
		{from: `C:\`, p: `..\d:\y`},
		{from: `C:\`, p: `..\D:y`},
		{from: `C:\`, p: `..`},
		{from: `C:\`, p: `..\..`},
		{from: `C:\`, p: `..\x`},
		{from: `C:\`, p: `a\b`},
		{from: `C:\a\b`, p: `..`},
		{from: `C:\a\b`, p: `..\..\..\D:\y`},
		{from: `C:\a\b`, p: `\a`},
		{from: `C:\a\b`, p: `/`},
		{from: `C:\a\b`, p: `.\.\`},
		{from: `C:\a\b`, p: `A\..\..\B`},
		{from: `C:\a`, p: `B`},
		{from: `C:\a`, p: "b\x00"},
		{from: `C:\a`, p: `d:y\`},
		{from: ``, p: `C:`},
		{from: ``, p: `.`},
		{from: ``, p: `..`},
		{from: ``, p: `a`},
		{from: ``, p: `\a`},
		{from: ``, p: `c:\a\..\..`},
		{from: `C:\a`, file: `b\here.INI`},
		{from: `C:\a`, file: `..\here.ini`},
		{from: `C:\a`, file: `..\..\D:\here.INI`},
		{from: `C:\a`, file: `..\..\D:\y\HERE.ini`},
		{from: `C:\a`, file: `C:here.INI`},
		{from: `C:\a`, file: `d:y\here.INI`},
		{from: `C:\a`, file: `/a/b/./here.INI`},
		{from: `C:\a`, file: "b\\here.INI\x00"},
		{from: `C:\a`, file: "b\x00\\here.INI"},
		{from: `C:\a`, file: `..\..\here.INI`},
		{from: ``, file: `here.INI`},
		{from: ``, file: `C:\a\here.INI`},
		{from: ``, file: `C:\a\..\..\here.INI`},
	}
	for _, tc := range cases {
		what := strings.TrimSpace(tc.from + " then C " + tc.p)
		if tc.file != "" {
			what = tc.from + " then F " + tc.file
		}
		if tc.from == "" {
			if err := s.Chdir(ctx, `C:\`); err != nil {
				t.Fatal(err)
			}
			if err := s.Chdir(ctx, `..`); err != nil {
				t.Fatal(err)
			}
		} else if err := s.Chdir(ctx, tc.from); err != nil {
			t.Fatal(err)
		}
		if tc.file != "" {
			agree(what, tc.file)
			continue
		}
		s.Chdir(ctx, tc.p) // a refusal leaves the directory as it was, on both sides
		agree(what, "here.INI")
	}
}
