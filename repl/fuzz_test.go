package repl

import (
	"strings"
	"testing"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// FuzzQuote checks that every byte string prints as a Lua literal that
// reads back as the same bytes, and that HexDump never panics.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "q\"uote", "\\", "\x00\x01\xff", "]]", "\n"} {
		f.Add(s)
	}
	L := lua.NewState()
	defer L.Close()
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		fn, err := L.LoadString("return " + q)
		if err != nil {
			t.Fatalf("Quote(%q) = %s does not compile: %v", s, q, err)
		}
		L.Push(fn)
		L.Call(0, 1)
		if got := L.ToString(-1); got != s {
			t.Fatalf("Quote(%q) = %s reads back as %q", s, q, got)
		}
		L.Pop(1)
		HexDump(s)
	})
}

// FuzzComplete runs the completer on arbitrary lines: it must not panic,
// and every candidate inside a string literal must keep the literal valid.
func FuzzComplete(f *testing.F) {
	for _, s := range []string{
		`f["`, `f['My`, `f["My App"]["`, `s:open("C:/`, `tbl.beta.`, `x = f["Q\"`,
		`f["\1`, `f["\`, `-- f["`, `[[f["`, `f[1]["`, `tbl[0x1]`, `a.b:c`, "\"\x00",
	} {
		f.Add(s)
	}
	r, _ := newObjREPL(f)
	f.Fuzz(func(t *testing.T, line string) {
		if !utf8.ValidString(line) {
			return // readline hands the completer runes
		}
		cands, _ := complete(r, line)
		toks, ok := lexLine(line)
		if !ok || len(toks) == 0 || toks[len(toks)-1].kind != tOpen {
			return
		}
		for _, c := range cands {
			full := line + c
			if i := strings.LastIndexAny(full, `"'`); i < 0 {
				continue
			}
			// the completed literal must lex as a complete string
			tk, ok := lexLine(full)
			if !ok || len(tk) == 0 {
				t.Fatalf("%q + %q does not lex", line, c)
			}
			for _, x := range tk {
				if x.kind == tOpen && strings.HasSuffix(c, string(x.q)+"]") {
					t.Fatalf("%q + %q leaves the literal open", line, c)
				}
			}
		}
	})
}

// FuzzNesting checks the line-by-line nesting scanner of piped input
// against the parser: it never panics, and code that parses as a complete
// chunk is never left open (which would hold its statements back until the
// end of the input).
func FuzzNesting(f *testing.F) {
	for _, s := range []string{
		"t = {\n  1, 2,\n}", "function f(x)\n  if x then return 'end' end\nend",
		"s = [==[ end ]] (\n{ ]==]", "x = 1 --[[ function\n]] y = 2", "s = \"a\\\nb\" x = (\n1)",
		"repeat\n x = x + 1\nuntil x > 3", "t[ [[k]] ] = 1e-5 x = 0x1F", "a = 'it''s' -- (",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n := newNesting()
		for _, line := range strings.Split(text, "\n") {
			n.scan(line)
		}
		if _, err := parse.Parse(strings.NewReader(text), chunkName); err == nil && n.open() {
			t.Fatalf("%q parses but the nesting scanner leaves it open: %+v", text, n)
		}
	})
}
