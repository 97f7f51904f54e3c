package ini

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseFormatFileCodes(t *testing.T) {
	in := "\r\n[A]\n" +
		"   s='\r\n" +
		"\ts2='xyz\r\n" +
		"   z='0\r\n" +
		"   l=\"\r\n" +
		"   n=(2)  \r\n" +
		"   n2=(2 bytes\r\n" +
		"   n3=(007)\r\n" +
		"   x2=(Xyz\r\n" +
		"   w2=() x\r\n" +
		"   o2=*ignored\r\n" +
		"   l2=\"x\r\n" +
		"   w=()\r\n" +
		"   b=(65535)\r\n" +
		"   x=(X)\r\n" +
		"   y=(x)\r\n" +
		"   o=*\r\n" +
		"   k =(1)\r\n" +
		"   s=(4)\r\n" + // a later code replaces an earlier one
		"[/A]\r\n" +
		"[B]\r\n[/B]\r\n" +
		"[A]\r\n   m='\r\n[/A]\r\n\x1a"
	ff, err := ParseFormatFile([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]FormatCode{
		"s":  {Kind: CodeNumeric, Width: 4},
		"s2": {Kind: CodeString},
		"z":  {Kind: CodeString0},
		"l":  {Kind: CodeStringOfStrings},
		"n":  {Kind: CodeNumeric, Width: 2},
		"n2": {Kind: CodeNumeric, Width: 2},
		"n3": {Kind: CodeNumeric, Width: 7},
		"x2": {Kind: CodeHex},
		"w2": {Kind: CodeNumeric, Width: 4},
		"o2": {Kind: CodeOmit},
		"l2": {Kind: CodeStringOfStrings},
		"w":  {Kind: CodeNumeric, Width: 4},
		"b":  {Kind: CodeNumeric, Width: 65535},
		"x":  {Kind: CodeHex},
		"y":  {Kind: CodeHex},
		"o":  {Kind: CodeOmit},
		"k ": {Kind: CodeNumeric, Width: 1},
		"m":  {Kind: CodeString},
	}
	if ff.Len() != len(want) {
		t.Fatalf("%d codes, want %d", ff.Len(), len(want))
	}
	for k, c := range want {
		got, ok := ff.Code([]byte("A"), []byte(k))
		if !ok || got != c {
			t.Errorf("%q: got %v %v, want %v", k, got, ok, c)
		}
	}
	if _, ok := ff.Code([]byte("a"), []byte("s")); ok {
		t.Error("application names must match case-sensitively")
	}
	if _, ok := (*FormatFile)(nil).Code([]byte("A"), []byte("s")); ok {
		t.Error("nil FormatFile has codes")
	}
	for _, c := range want {
		back, err := parseFormatCode([]byte(c.String()))
		if err != nil || back != c {
			t.Errorf("%v: String %q parses back as %v, %v", c, c.String(), back, err)
		}
	}
}

func TestParseFormatFileRefusals(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"comment", "; x\r\n", 1, "not an application header"},
		{"missing close (GenINI loses [B])", "[A]\r\n k='\r\n[B]\r\n k='\r\n[/B]\r\n", 3, "\"[B]\" does not close application [A]"},
		{"wrong close", "[A]\r\n[/B]\r\n", 2, "does not close application [A]"},
		{"open at end", "[A]\r\n k='\r\n", 1, "application [A] is not closed"},
		{"no =", "[A]\r\n k\r\n[/A]\r\n", 2, "has no '='"},
		{"empty key", "[A]\r\n ='\r\n[/A]\r\n", 2, "empty key name"},
		{"empty app", "[]\r\n[/]\r\n", 1, "empty application name"},
		{"empty code", "[A]\r\n k=\r\n[/A]\r\n", 2, "empty format code"},
		{"space before code", "[A]\r\n k= '\r\n[/A]\r\n", 2, "unknown format code"},
		{"unknown code", "[A]\r\n k=s\r\n[/A]\r\n", 2, "unknown format code \"s\""},
		{"W7 (0)", "[A]\r\n k=(0)\r\n[/A]\r\n", 2, "is not (N)"},
		{"W7 (", "[A]\r\n k=(\r\n[/A]\r\n", 2, "is not (N)"},
		{"W7 (abc)", "[A]\r\n k=(abc)\r\n[/A]\r\n", 2, "is not (N)"},
		{"too wide", "[A]\r\n k=(65536)\r\n[/A]\r\n", 2, "is not (N)"},
		{"signed", "[A]\r\n k=(+2)\r\n[/A]\r\n", 2, "is not (N)"},
		{"huge", "[A]\r\n k=(99999999999999999999999)\r\n[/A]\r\n", 2, "is not (N)"},
		{"CR", "[A]\r\n k='\r'\r\n[/A]\r\n", 2, "CR byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ff, err := ParseFormatFile([]byte(tt.in))
			if ff != nil {
				t.Error("refusal returned a FormatFile too")
			}
			wantRefused(t, err, tt.line, tt.msg)
		})
	}
}

func TestReadFormatFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.FMT")
	if err := os.WriteFile(path, []byte("[A]\r\n k=?\r\n[/A]\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFormatFile(path)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.File != path || fe.Line != 2 {
		t.Fatalf("got %v", err)
	}
	if _, err := ReadFormatFile(filepath.Join(dir, "none.FMT")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

// TestRealFormatFiles parses the two real FMT files of INIServe.
func TestRealFormatFiles(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(tniRealDir, "iniserve", "*.FMT"))
	if len(paths) == 0 {
		t.Skip("real FMT files not present (../shared absent)")
	}
	if len(paths) != 2 {
		t.Fatalf("%d FMT files, SOURCES.md lists 2", len(paths))
	}
	for _, p := range paths {
		ff, err := ReadFormatFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := ff.Code([]byte("$SYS"), []byte("Password")); !ok || c.Kind != CodeString {
			t.Errorf("%s: $SYS/Password code %v %v, want '", p, c, ok)
		}
		// the code makes a short password a string instead of a number
		f := New()
		if err := f.Put([]byte("$SYS"), []byte("Password"), []byte("abc")); err != nil {
			t.Fatal(err)
		}
		out, err := f.MarshalTNI(ff)
		if err != nil || string(out) != "[$SYS]\r\n   Password=abc\r\n[/$SYS]\r\n" {
			t.Errorf("%s: %q, %v", p, out, err)
		}
	}
}

func TestFormatFileFor(t *testing.T) {
	tests := map[string]string{
		"Admin.INI":          "Admin.FMT",
		"dir/Admin.tni":      "dir/Admin.FMT",
		"dir.d/Admin":        "dir.d/Admin.FMT",
		"a.b.INI":            "a.b.FMT",
		"/x/INIServe.INI":    "/x/INIServe.FMT",
		"relative/name.conf": "relative/name.FMT",
	}
	for in, want := range tests {
		if got := FormatFileFor(in); got != want {
			t.Errorf("FormatFileFor(%q) = %q, want %q", in, got, want)
		}
	}
}
