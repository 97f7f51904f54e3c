package fleet

import "testing"

// FuzzParseLocation: any argument parses without panicking, String gives
// it back, and a remote location has a host and an absolute drive path.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{`mail1:C:\MPTN\ETC\WEASEL.INI`, `[::1]:3560:C:/X.INI`, `C:\X.INI`, `./a:b.ini`, `h:1:2:C:\x`, `[:C:\`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := ParseLocation(s)
		if l.String() != s {
			t.Fatalf("ParseLocation(%q).String() = %q", s, l.String())
		}
		if l.Remote() && !isDrivePath(l.Path) {
			t.Fatalf("ParseLocation(%q): remote path %q is not a drive path", s, l.Path)
		}
		if !l.Remote() && l.Path != s {
			t.Fatalf("ParseLocation(%q): local path %q", s, l.Path)
		}
	})
}
