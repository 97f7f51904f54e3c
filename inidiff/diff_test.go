package inidiff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

func file(t *testing.T, entries ...string) *ini.File {
	t.Helper()
	f := ini.New()
	for i := 0; i+2 < len(entries)+1; i += 3 {
		if err := f.Put([]byte(entries[i]), []byte(entries[i+1]), []byte(entries[i+2])); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestCompareSameEntriesOtherOrder(t *testing.T) {
	a := file(t, "B", "y", "2", "A", "x", "1", "A", "z", "3")
	b := file(t, "A", "z", "3", "A", "x", "1", "B", "y", "2")
	if d := Compare(a, b); !d.Empty() {
		t.Fatalf("same entries in another order differ: %+v", d)
	}
	// an application without keys counts as absent
	if err := b.AddApplication([]byte("Empty")); err != nil {
		t.Fatal(err)
	}
	if !Same(a, b) || !Same(b, a) {
		t.Error("an application without keys made a difference")
	}
}

func TestCompareAndText(t *testing.T) {
	old := file(t,
		"Mail", "Port", "\x19\x00\x00\x00",
		"Mail", "Old", "x\x00",
		"Mail", "Same", "s",
		"Obsolete", "a", "1",
		"Obsolete", "b", "",
	)
	new := file(t,
		"Mail", "Same", "s",
		"Mail", "Port", "\xdd\x09\x00\x00",
		"Mail", "Banner", "Welcome\x00",
		"New\r\n", "k", "\x01\x02\x03",
	)
	d := Compare(old, new)
	added, removed, changed := d.Counts()
	if added != 2 || removed != 3 || changed != 1 {
		t.Errorf("counts added %d removed %d changed %d, want 2 3 1", added, removed, changed)
	}
	var b bytes.Buffer
	if err := WriteText(&b, d, "old.ini", "new.ini"); err != nil {
		t.Fatal(err)
	}
	want := `--- old.ini
+++ new.ini
[Mail] Banner: (absent) -> "Welcome\x00"
[Mail] Old: "x\x00" -> (absent)
[Mail] Port: 0x19000000 (25) -> 0xDD090000 (2525)
["New\r\n"]: application added (1 key)
["New\r\n"] k: (absent) -> 0x010203
[Obsolete]: application removed (2 keys)
[Obsolete] a: "1" -> (absent)
[Obsolete] b: "" -> (absent)
`
	if b.String() != want {
		t.Errorf("text diff:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WriteText(&b, Compare(old, old.Clone()), "a", "b")
	if b.Len() != 0 {
		t.Errorf("no difference printed %q", b.String())
	}
}

func TestLuaValue(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"", `""`},
		{"text\x00", `"text\0"`},
		{"\x2c\x01\x00\x00", "ini.u32(300)"},
		{"\x01\x02", "ini.u16(513)"},
		{"\xff", "ini.u8(255)"},
		{"a\x00bc\x00\x00", `ini.strings{"a", "bc"}`},
		{"\x00\x01\x02", `ini.unhex("000102")`},
		{`q"b\`, `"q\"b\\"`},
		{"caf\xe9 1", `"caf\233 1"`},
	} {
		if got := LuaValue([]byte(c.in)); got != c.want {
			t.Errorf("LuaValue(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	if got := LuaString([]byte("\x011\x012\x00")); got != `"\0011\0012\0"` {
		t.Errorf("LuaString of a control byte before a digit: %s", got)
	}
	if s := LuaString([]byte("\x00\x7f\x80\xff\n\t\r")); strings.ContainsFunc(s, func(r rune) bool { return r >= 0x7f || r < 0x20 }) {
		t.Errorf("LuaString is not plain printable ASCII: %q", s)
	}
}
