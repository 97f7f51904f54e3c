package repl

import (
	"errors"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

func TestIsText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", true},
		{"hello world ~", true},
		{"with final NUL\x00", true},
		{"\x00", true},
		{"two NULs\x00\x00", false},
		{"inner\x00NUL", false},
		{"tab\t", false},
		{"line\n", false},
		{"\x7F", false},
		{"caf\xe9", false},
	} {
		if got := IsText(tc.in); got != tc.want {
			t.Errorf("IsText(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestQuoteReadsBack(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, s := range []string{"", "plain", `quo"te`, `back\slash`, "nul\x00", "\x001\x002", "\xff\xfe", "]]", "new\nline"} {
		q := Quote(s)
		if err := L.DoString("return " + q); err != nil {
			t.Fatalf("Quote(%q) = %s: %v", s, q, err)
		}
		if got := L.ToString(-1); got != s {
			t.Errorf("Quote(%q) = %s reads back as %q", s, q, got)
		}
		L.Pop(1)
	}
}

func TestHexDump(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\x01", "0000  01  |.|  -- u8 1"},
		{"\xE8\x0D", "0000  E8 0D  |..|  -- u16 3560"},
		{"\xE8\x0D\x00\x00", "0000  E8 0D 00 00  |....|  -- u32 3560"},
		{"\xFF\xFF\xFF\xFF", "0000  FF FF FF FF  |....|  -- u32 4294967295, i32 -1"},
		{"ab\x00c\x01", "0000  61 62 00 63 01  |ab.c.|"},
		{"0123456789abcdef\x00\x01",
			"0000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  |0123456789abcdef|\n" +
				"0010  00 01                                            |..|"},
	} {
		if got := HexDump(tc.in); got != tc.want {
			t.Errorf("HexDump(%q) =\n%s\nwant\n%s", tc.in, got, tc.want)
		}
	}
	big := HexDump(strings.Repeat("\x00", 0x10010))
	if !strings.Contains(big, "\n00010000  00") {
		t.Error("offsets of values of 64 KiB or more are not 8 digits")
	}
}

func TestFormatTables(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	f := &Formatter{L: L}
	eval := func(code string) lua.LValue {
		t.Helper()
		if err := L.DoString("return " + code); err != nil {
			t.Fatal(err)
		}
		v := L.Get(-1)
		L.Pop(1)
		return v
	}
	for _, tc := range []struct{ code, want string }{
		{"{}", "{}"},
		{"{1, 2, 'x'}", `{ 1, 2, "x" }`},
		{"{b = 1, a = 'A', [10] = true, [2] = false, ['not ident'] = 0, ['end'] = 1}",
			"{\n  [2] = false,\n  [10] = true,\n  a = \"A\",\n  b = 1,\n  [\"end\"] = 1,\n  [\"not ident\"] = 0,\n}"},
		{"{v = '\\1\\0'}", "{\n  v = ini.unhex(\"0100\"),\n}"},
		{"{a = {b = {c = {d = {e = 1}}}}}",
			"{\n  a = {\n    b = {\n      c = {\n        d = {...},\n      },\n    },\n  },\n}"},
		{"setmetatable({}, {__tostring = function() return 'custom' end})", "custom"},
	} {
		if got := f.Value(eval(tc.code)); got != tc.want {
			t.Errorf("%s prints\n%s\nwant\n%s", tc.code, got, tc.want)
		}
	}
	// a cycle prints as <cycle> instead of recursing forever
	cyc := eval("(function() local t = {} t.self = t return t end)()")
	if got := f.Value(cyc); got != "{\n  self = <cycle>,\n}" {
		t.Errorf("cycle prints %q", got)
	}
	// long tables are cut
	long := eval("(function() local t = {} for i = 1, 250 do t['k'..i] = i end return t end)()")
	if got := f.Value(long); !strings.Contains(got, "-- 50 more") {
		t.Error("a table of 250 entries is not cut at 200")
	}
}

func TestIncompleteDetection(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, tc := range []struct {
		text       string
		incomplete bool
	}{
		{"function f()", true},
		{"t = {", true},
		{"if x then", true},
		{"s = [[long", true},
		{"1 +", true},
		{"print(", true},
		{"x = 1", false},
		{"1 + 1", false},
		{"end", false},
		{"x = = 1", false},
		{"f() f(", true},
	} {
		_, err := compile(L, tc.text, true, 1)
		if got := errors.Is(err, errIncomplete); got != tc.incomplete {
			t.Errorf("compile(%q): incomplete = %v (err %v), want %v", tc.text, got, err, tc.incomplete)
		}
	}
	// the decision rests on the parser's EOF position, not on messages
	_, err := parse.Parse(strings.NewReader("while true do"), "x")
	if !IsIncomplete(err) {
		t.Errorf("IsIncomplete(%v) = false", err)
	}
	_, err = parse.Parse(strings.NewReader("while true do ) end"), "x")
	if IsIncomplete(err) {
		t.Errorf("IsIncomplete(%v) = true", err)
	}
}

func TestHistoryEntries(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  []string
	}{
		{[]string{"x = 1"}, []string{"x = 1"}},
		{[]string{"for i = 1, 2 do", "  print(i)", "end"}, []string{"for i = 1, 2 do print(i) end"}},
		{[]string{"{", "1,", "2 }"}, []string{"{ 1, 2 }"}},
		{[]string{"x = 1 -- note", "+ 2"}, []string{"x = 1 -- note", "+ 2"}},
		{[]string{"s = [[a", "b]]"}, []string{"s = [[a", "b]]"}},
		// joined, the syntax error would become a valid statement
		{[]string{`s = "abc`, `"`}, []string{`s = "abc`, `"`}},
	} {
		got := entries(tc.lines)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("entries(%q) = %q, want %q", tc.lines, got, tc.want)
		}
	}
	for _, s := range []string{"iniserve.connect('h', {password = 'x'})", "{PASSWORD_ENV='P'}", "pw = secret", "passwd"} {
		if !IsSecret(s) {
			t.Errorf("IsSecret(%q) = false", s)
		}
	}
	if IsSecret("s:ls()") {
		t.Error("IsSecret(s:ls()) = true")
	}
}
