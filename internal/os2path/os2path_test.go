package os2path

import (
	"slices"
	"strings"
	"testing"
)

// show renders a Lex result: "pseudo" for the root pseudo-directory, the
// OS/2 path otherwise, "!" for ErrPath.
func show(d Dir, err error) string {
	if err != nil {
		return "!"
	}
	if d.Drive == 0 {
		return "pseudo"
	}
	return d.String()
}

func TestLex(t *testing.T) {
	c := Dir{Drive: 'C', Comps: []string{"a", "b"}}
	croot := Dir{Drive: 'C'}
	tests := []struct {
		cur  Dir
		p    string
		want string
	}{
		{c, "", `C:\a\b\`},
		{c, "x", `C:\a\b\x\`},
		{c, `..\x`, `C:\a\x\`},
		{c, "..", `C:\a\`},
		{c, `..\..\..`, "pseudo"},
		{c, `..\..\..\x`, "!"},
		{c, `..\..\..\..`, "!"},
		{c, `..\..\..\D:\y`, `D:\y\`},
		{croot, `..\D:`, `D:\`},
		{croot, `..\d:\x`, `D:\x\`},
		{croot, `..\D:x`, "!"},
		{c, `\etc\passwd`, `C:\etc\passwd\`},
		{c, `/etc/passwd`, `C:\etc\passwd\`},
		{c, `d:`, `D:\`},
		{c, `D:foo\.\bar\`, `D:\foo\bar\`},
		{c, `x/./y//z`, `C:\a\b\x\y\z\`},
		{c, `.`, `C:\a\b\`},
		{Root, `..`, "!"},
		{Root, `.`, "pseudo"},
		{Root, ``, "pseudo"},
		{Root, `x`, "!"},
		{Root, `\x`, "!"},
		{Root, `C:`, `C:\`},
		{Root, `d:\x\y`, `D:\x\y\`},
		{Root, `C:\x\..\..`, "pseudo"},
		{c, "a\x00b", "!"},
		{croot, "x\\\x00", "!"},
		{Root, "\x00", "!"},
	}
	for _, tt := range tests {
		if got := show(Lex(tt.cur, tt.p)); got != tt.want {
			t.Errorf("Lex(%q, %q) = %s, want %s", tt.cur, tt.p, got, tt.want)
		}
	}
	// Lex must not share the components of cur
	d, _ := Lex(c, "x")
	d.Comps[0] = "changed"
	if c.Comps[0] != "a" {
		t.Errorf("Lex changed cur: %q", c.Comps)
	}
}

func TestEntry(t *testing.T) {
	c := Dir{Drive: 'C', Comps: []string{"a", "b"}}
	for _, tt := range []struct {
		cur  Dir
		p    string
		want string // "!" for ErrPath
	}{
		{c, `f.ini`, `C:\a\b\f.ini`},
		{c, `..\f.ini`, `C:\a\f.ini`},
		{c, `C:f.ini`, `C:\f.ini`},
		{c, `d:\x\f.ini\`, `D:\x\f.ini`},
		{c, `..\..\..\D:\f.ini`, `D:\f.ini`},
		{Root, `f.ini`, "!"},
		{Root, `..\f.ini`, "!"},
		{c, ``, "!"},
		{c, `.`, "!"},
		{c, `x\..`, "!"},
		{c, `C:`, "!"},
		{c, `C:\`, "!"},
		{c, `..\..\..\D:`, "!"},
		{c, "f\x00.ini", "!"},
	} {
		d, name, err := Entry(tt.cur, tt.p)
		got := d.Path(name)
		if err != nil {
			got = "!"
		}
		if got != tt.want {
			t.Errorf("Entry(%q, %q) = %q, want %q", tt.cur, tt.p, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	names := []string{"b", "A", "a", "_x", "Zed", "help", "HELP", "é"}
	slices.SortFunc(names, FoldCompare)
	want := []string{"A", "a", "b", "HELP", "help", "Zed", "_x", "é"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted %q, want %q", names, want)
	}
	if !FoldEqual("Weasel.INI", "wEASEL.ini") || FoldEqual("é", "É") || FoldEqual("a", "ab") {
		t.Error("FoldEqual folds other than ASCII letters")
	}
	if got := UpperString("c:\\dé\\x"); got != "C:\\Dé\\X" {
		t.Errorf("UpperString = %q", got)
	}
	if !strings.EqualFold(string(Upper('q')), "Q") || Upper('1') != '1' || Lower('Q') != 'q' {
		t.Error("Upper/Lower")
	}
}
