package luaapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// evalAll runs code (which returns a list of results) in L and returns
// them formatted, or "error" when it raised one.
func evalAll(L *lua.LState, code string) string {
	if err := L.DoString(code); err != nil {
		return "error"
	}
	defer L.SetTop(0)
	var parts []string
	for i := 1; i <= L.GetTop(); i++ {
		v := L.Get(i)
		parts = append(parts, fmt.Sprintf("%s:%q", v.Type(), v.String()))
	}
	return strings.Join(parts, " ")
}

// luaStr quotes s as a Lua string literal (every byte escaped).
func luaStr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "\\%d", s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// Subjects, patterns and replacements of the differential tests.
var (
	patSubjects = []string{"", "a", "abc", "hello world", "aaa", "  x = 1, y = 22 ", "(a(b)c)", "THE (quick) fox",
		"abab", "a.b.c", "x^y$z", "%d", "one\ntwo", "\x00a\x00", "áé", "key=val; k2=v2", "[[x]]", "f(a,b)", "1234567890"}
	patPatterns = []string{"", ".", "a", "b", "%a+", "%d+", "%s*", "%w+", "^a", "a$", "^$", "^", "$", "a*", "a-", "a?b",
		"(a)", "(a)(b)", "()a()", "(%w+)=(%w+)", "%((.-)%)", "%b()", "[abc]", "[^abc]", "[a-c]+", "[%a_]",
		"(.)%1", "x*", ".-", ".*", "%.", "%%", "[%]]", "%u%l", "%x+", "%p", "%c", "%z", "[]a]", "(o)", "h(.-)o", ".-b",
		"(((a)))", "a+", "%S+", "[^%s]+", "(%d)(%d)(%d)"}
)

// TestPatternsMatchGopherLua compares string.gsub, find, match and gmatch
// of the runtime (package luapat) with gopher-lua's own on every subject,
// pattern and replacement above: the same results, or an error in both.
// The cases where gopher-lua differs from Lua 5.1 are in
// TestPatternsLua51.
func TestPatternsMatchGopherLua(t *testing.T) {
	ref := lua.NewState()
	defer ref.Close()
	rt, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	ours := rt.State()
	repls := []string{`"<%0>"`, `"%1-%1"`, `"x"`, `""`, `"%%"`, `"[%2]"`, `{a = "A", b = false, hello = 1, x = "X"}`,
		`function(a, b) return b or a:upper() end`, `function() return nil end`, `function(a) if a == "a" then return false end return "#" end`}
	n, diff := 0, 0
	check := func(code string) {
		n++
		want, got := evalAll(ref, code), evalAll(ours, code)
		if want == "" && got == `nil:"nil"` {
			return // gopher-lua's match returns nothing where Lua 5.1 returns nil
		}
		if want != got {
			diff++
			if diff <= 400 {
				t.Errorf("%s\n gopher-lua: %s\n ours:       %s", code, want, got)
			}
		}
	}
	for _, s := range patSubjects {
		for _, p := range patPatterns { // malformed ones, %f: see TestPatternsLua51
			subj, pat := luaStr(s), luaStr(p)
			for _, r := range repls {
				check(fmt.Sprintf("return string.gsub(%s, %s, %s)", subj, pat, r))
			}
			for _, max := range []int{1, 2} { // 0: see TestPatternsLua51
				check(fmt.Sprintf("return string.gsub(%s, %s, \"<%%0>\", %d)", subj, pat, max))
			}
			check(fmt.Sprintf("return string.find(%s, %s)", subj, pat))
			if len(s) >= 1 && p != "" { // an init past the end, "" with init: see TestPatternsLua51
				check(fmt.Sprintf("return string.find(%s, %s, 2)", subj, pat))
			}
			if p != "" {
				check(fmt.Sprintf("return string.find(%s, %s, -3)", subj, pat))
			}
			check(fmt.Sprintf("return string.find(%s, %s, 1, true)", subj, pat))
			check(fmt.Sprintf("return string.match(%s, %s)", subj, pat))
			if len(s) >= 2 {
				check(fmt.Sprintf("return string.match(%s, %s, 3)", subj, pat))
			}
			if p == "" || p[0] != '^' {
				check(fmt.Sprintf("local t = {} for a, b in string.gmatch(%s, %s) do t[#t+1] = tostring(a) .. '|' .. tostring(b) end return table.concat(t, ',')", subj, pat))
			}
		}
	}
	t.Logf("%d cases, %d differ", n, diff)
}

// TestPatternsLua51 checks the cases where gopher-lua's pattern functions
// differ from Lua 5.1 (lstrlib.c), which ours follow: each result is what
// Lua 5.1 gives.
func TestPatternsLua51(t *testing.T) {
	rt, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	L := rt.State()
	for _, c := range []struct{ code, want string }{
		// max 0: no replacement (gopher-lua replaces every match)
		{`return string.gsub("abc", "%w", "x", 0)`, `string:"abc" number:"0"`},
		{`return string.gsub("abc", "%w", "x", -1)`, `string:"abc" number:"0"`},
		{`return string.gsub("abc", "%w", "x", 2)`, `string:"xxc" number:"2"`},
		// no match: one nil (gopher-lua's match returns nothing)
		{`return select("#", string.match("abc", "x")), string.match("abc", "x")`, `number:"1" nil:"nil"`},
		// init past the end is clamped to the end; "" matches at init
		{`return string.find("abc", "", 10)`, `number:"4" number:"3"`},
		{`return string.find("abc", "", 2)`, `number:"2" number:"1"`},
		{`return string.find("abc", "%s*", 10)`, `number:"4" number:"3"`},
		{`return string.match("abc", ".-", 9)`, `string:""`},
		// %f, the frontier pattern of lstrlib.c 5.1
		{`return string.gsub("THE (quick) fox", "%f[%a]%a+", "W")`, `string:"W (W) W" number:"3"`},
		{`return string.find("x THE", "%f[%u]")`, `number:"3" number:"2"`},
		// malformed patterns are found as the matcher reaches them
		{`return string.find("", "%")`, `error`},
		{`return string.find("abc", "[a")`, `error`},
		{`return string.find("", "(a")`, `nil:"nil"`},
		{`return string.find("a", "(a")`, `error`},
		{`return string.find("a", "a)")`, `nil:"nil"`}, // no special character: a plain search
		{`return string.find("a", "a)x*")`, `error`},
		{`return string.gsub("abc", "(b)", "%2")`, `error`},
		{`return string.gsub("abc", "b", "%1")`, `string:"abc" number:"1"`},
		// in gmatch, ^ is an ordinary character
		{`local t = {} for m in string.gmatch("a^b^b", "^b") do t[#t+1] = m end return table.concat(t, ",")`, `string:"^b,^b"`},
		// a % at the end of the replacement adds a NUL; % before another character is that character
		{`return string.gsub("a", "a", "%")`, `string:"\x00" number:"1"`},
		{`return string.gsub("a", "a", "%x%%")`, `string:"x%" number:"1"`},
		// a number replacement is its string; other values are an error
		{`return string.gsub("abc", "b", 5)`, `string:"a5c" number:"1"`},
		{`return string.gsub("abc", "b", function() return 2.5 end)`, `string:"a2.5c" number:"1"`},
		{`return string.gsub("abc", "b", function() return {} end)`, `error`},
		{`return string.gsub("abc", "b", true)`, `error`},
		// empty matches, anchors, position captures, back references
		{`return string.gsub("abc", "%w*", "x")`, `string:"xx" number:"2"`},
		{`return string.gsub("hello", "", "-")`, `string:"-h-e-l-l-o-" number:"6"`},
		{`return string.gsub("aaa", "^a", "b")`, `string:"baa" number:"1"`},
		{`return string.gsub("abc", "$", "!")`, `string:"abc!" number:"1"`},
		{`return string.gsub("abc", "()", "%1")`, `string:"1a2b3c4" number:"4"`},
		{`return string.gsub("xaax bccb", "(%w)(%w)%2%1", "<%0>")`, `string:"<xaax> <bccb>" number:"2"`},
		{`return string.gsub("f(a(b)c) g()", "%b()", "")`, `string:"f g" number:"2"`},
		{`return string.gsub("k=v, a=b", "(%w+)=(%w+)", "%2=%1")`, `string:"v=k, b=a" number:"2"`},
		{`return string.gsub("abc", "%w", {a = 1, b = true})`, `error`},
		{`return string.gsub("abc", "%w", setmetatable({}, {__index = function(_, k) return k:upper() end}))`, `string:"ABC" number:"3"`},
		{`return string.find("a+b", "+", 1, true)`, `number:"2" number:"2"`},
		{`return string.find("a.b", ".", 2)`, `number:"2" number:"2"`},
		{`return ("x"):rep(10):find(("x?"):rep(10) .. ("x"):rep(10))`, `number:"1" number:"10"`},
	} {
		if got := evalAll(L, c.code); got != c.want {
			t.Errorf("%s\n got  %s\n want %s", c.code, got, c.want)
		}
	}
	if _, err := run(t, `string.find("x", ("(x?)"):rep(33))`, Options{}); err == nil || !strings.Contains(err.Error(), "too many captures") {
		t.Errorf("33 captures: %v", err)
	}
	if _, err := run(t, `string.find(("a"):rep(1e5), ("a?"):rep(1e5))`, Options{}); err == nil || !strings.Contains(err.Error(), "pattern too complex") {
		t.Errorf("a pattern nesting 1e5 deep: %v", err)
	}
	rt.maxGsub = 1<<20 - 1
	if got := evalAll(L, `local s = ("x"):rep(1024) return #s:gsub(".", s, 1023)`); got != `number:"1047553"` {
		t.Errorf("a gsub result under the limit: %s", got)
	}
	if err := L.DoString(`local s = ("x"):rep(1024) s:gsub(".", s)`); err == nil || !strings.Contains(err.Error(), "string.gsub: result over the limit of 1048575 bytes") {
		t.Errorf("a gsub result over the limit: %v", err)
	}
}

// TestPatternsInterrupted: one call of string.find, match, gmatch or gsub
// with a pathological pattern (exponential backtracking: it would run for
// longer than the test) stops when the script's context is done, with the
// context's error as the cause.
func TestPatternsInterrupted(t *testing.T) {
	rt, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	const setup = `local s, p = ("a"):rep(40), ("a*"):rep(40) .. "b" `
	for _, code := range []string{
		setup + `return s:find(p)`,
		setup + `return s:match(p)`,
		setup + `for m in s:gmatch(p) do end`,
		setup + `return s:gsub(p, "x")`,
		setup + `return s:gsub(p, function() end)`,
	} {
		prog, err := Compile(code, "p.lua")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err = rt.Run(ctx, prog)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want a deadline error", code, err)
		}
	}
	// Options.Stop stops one long call too
	stop, cancel := context.WithCancel(context.Background())
	rt2, err := New(context.Background(), Options{Stop: stop})
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close()
	prog, _ := Compile(setup+`return s:gsub(p, "x")`, "p.lua")
	done := make(chan error)
	go func() { _, err := rt2.Run(context.Background(), prog); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("after Stop: %v, want context.Canceled", err)
	}
}
