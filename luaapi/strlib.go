package luaapi

import (
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/internal/luapat"
)

// MaxGsubBytes caps the result of string.gsub (256 MiB, as MaxRepBytes):
// a larger result raises an error instead of exhausting memory.
const MaxGsubBytes = MaxRepBytes

// The pattern functions of the string library (gsub, find, match,
// gmatch) on package luapat, Lua 5.1's own matcher: gopher-lua's gsub
// takes time quadratic in the number of matches, and none of its pattern
// functions can be interrupted inside one call. These check the Lua
// state's context (the script's deadline, Ctrl-C, Options.Stop) every
// luapat.CheckEvery steps and raise its error when it is done.

// patternCheck returns the matcher's Check for L: the context's error.
func patternCheck(L *lua.LState) func() error {
	ctx := L.Context()
	if ctx == nil {
		return nil
	}
	return ctx.Err
}

// raisePattern raises err (a malformed pattern, the context's error) as a
// Lua error.
func raisePattern(L *lua.LState, err error) {
	L.RaiseError("%s", err.Error())
}

// posrelat is lstrlib.c's posrelat: a negative position counts from the
// end; the result is at least 0.
func posrelat(pos, n int) int {
	if pos < 0 {
		pos += n + 1
	}
	return max(pos, 0)
}

// pushCapture pushes capture i of the last match of m (the whole match
// s..e when the pattern has no captures and i is 0).
func pushCapture(L *lua.LState, m *luapat.Matcher, src string, i, s, e int) {
	L.Push(captureValue(L, m, src, i, s, e))
}

// captureValue is push_onecapture: capture i as a Lua value.
func captureValue(L *lua.LState, m *luapat.Matcher, src string, i, s, e int) lua.LValue {
	if i >= m.Level() {
		if i == 0 {
			return lua.LString(src[s:e])
		}
		L.RaiseError("invalid capture index")
	}
	c, err := m.Capture(i)
	if err != nil {
		raisePattern(L, err)
	}
	if c.Len == luapat.Position {
		return lua.LNumber(c.Start + 1)
	}
	return lua.LString(src[c.Start : c.Start+c.Len])
}

// pushCaptures is push_captures: every capture of the last match, or the
// whole match s..e when there are none (wholeIfNone); it returns how many
// values it pushed.
func pushCaptures(L *lua.LState, m *luapat.Matcher, src string, s, e int, wholeIfNone bool) int {
	n := m.Level()
	if n == 0 && wholeIfNone {
		n = 1
	}
	for i := range n {
		pushCapture(L, m, src, i, s, e)
	}
	return n
}

// strFind is string.find(s, pattern [, init [, plain]]) of Lua 5.1.
func strFind(L *lua.LState) int { return strFindAux(L, true) }

// strMatch is string.match(s, pattern [, init]) of Lua 5.1.
func strMatch(L *lua.LState) int { return strFindAux(L, false) }

// strFindAux is lstrlib.c's str_find_aux.
func strFindAux(L *lua.LState, find bool) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	init := posrelat(L.OptInt(3, 1), len(src)) - 1
	if init < 0 {
		init = 0
	} else if init > len(src) {
		init = len(src)
	}
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(pat, "^$*+?.([%-")) {
		// a plain search
		if i := strings.Index(src[init:], pat); i >= 0 {
			L.Push(lua.LNumber(init + i + 1))
			L.Push(lua.LNumber(init + i + len(pat)))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	m := luapat.New(src, pat, patternCheck(L))
	p := 0
	anchor := m.Anchored()
	if anchor {
		p = 1
	}
	for s := init; ; s++ {
		e, err := m.Match(s, p)
		if err != nil {
			raisePattern(L, err)
		}
		if e != -1 {
			if find {
				L.Push(lua.LNumber(s + 1))
				L.Push(lua.LNumber(e))
				return pushCaptures(L, m, src, s, e, false) + 2
			}
			return pushCaptures(L, m, src, s, e, true)
		}
		if s >= len(src) || anchor {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

// strGmatch is string.gmatch(s, pattern) of Lua 5.1: an iterator that
// finds the next match each time it is called (a "^" is an ordinary
// character here, as in Lua 5.1).
func strGmatch(L *lua.LState) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		m := luapat.New(src, pat, patternCheck(L))
		for s := pos; s <= len(src); s++ {
			e, err := m.Match(s, 0)
			if err != nil {
				raisePattern(L, err)
			}
			if e != -1 {
				pos = e
				if e == s {
					pos++ // an empty match: go at least one position on
				}
				return pushCaptures(L, m, src, s, e, true)
			}
		}
		pos = len(src) + 1
		return 0
	}))
	return 1
}

// strGsub is string.gsub(s, pattern, repl [, n]) of Lua 5.1: repl is a
// string (%0-%9 the captures, %% a %, % before another character that
// character), a table (indexed by the first capture) or a function
// (called with the captures); false or nil keeps the match. It builds the
// result in one buffer, so it takes time linear in the subject for
// ordinary patterns, and the result is capped at limit bytes
// (MaxGsubBytes).
func strGsub(L *lua.LState, limit int) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	repl := L.Get(3)
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTTable, lua.LTFunction:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	maxN := L.OptInt(4, len(src)+1)
	m := luapat.New(src, pat, patternCheck(L))
	p := 0
	anchor := m.Anchored()
	if anchor {
		p = 1
	}
	var b strings.Builder
	grow := func(n int) {
		if b.Len()+n > limit {
			L.RaiseError("string.gsub: result over the limit of %d bytes", limit)
		}
	}
	replStr := ""
	if repl.Type() == lua.LTNumber || repl.Type() == lua.LTString {
		replStr = lua.LVAsString(repl)
	}
	s, n := 0, 0
	for n < maxN {
		e, err := m.Match(s, p)
		if err != nil {
			raisePattern(L, err)
		}
		if e != -1 {
			n++
			addValue(L, m, &b, grow, src, s, e, repl, replStr)
		}
		switch {
		case e != -1 && e > s: // a non-empty match: skip it
			s = e
		case s < len(src):
			grow(1)
			b.WriteByte(src[s])
			s++
		default:
			goto done
		}
		if anchor {
			break
		}
		if err := m.Tick(1); err != nil {
			raisePattern(L, err)
		}
	}
done:
	grow(len(src) - s)
	b.WriteString(src[s:])
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

// addValue is lstrlib.c's add_value: the replacement of the match s..e.
func addValue(L *lua.LState, m *luapat.Matcher, b *strings.Builder, grow func(int), src string, s, e int, repl lua.LValue, replStr string) {
	var v lua.LValue
	switch r := repl.(type) {
	case lua.LNumber, lua.LString:
		addString(L, m, b, grow, src, s, e, replStr)
		return
	case *lua.LFunction:
		top := L.GetTop()
		L.Push(r)
		nargs := pushCaptures(L, m, src, s, e, true)
		L.Call(nargs, 1)
		v = L.Get(-1)
		L.SetTop(top)
	case *lua.LTable:
		v = L.GetTable(r, captureValue(L, m, src, 0, s, e))
	}
	switch v := v.(type) {
	case *lua.LNilType:
		grow(e - s)
		b.WriteString(src[s:e]) // keep the original text
	case lua.LBool:
		if !v {
			grow(e - s)
			b.WriteString(src[s:e])
			return
		}
		L.RaiseError("invalid replacement value (a %s)", v.Type())
	case lua.LString, lua.LNumber:
		str := lua.LVAsString(v)
		grow(len(str))
		b.WriteString(str)
	default:
		L.RaiseError("invalid replacement value (a %s)", v.Type())
	}
}

// addString is lstrlib.c's add_s: the replacement string with %0-%9
// replaced by the captures.
func addString(L *lua.LState, m *luapat.Matcher, b *strings.Builder, grow func(int), src string, s, e int, news string) {
	for i := 0; i < len(news); i++ {
		c := news[i]
		if c != '%' {
			grow(1)
			b.WriteByte(c)
			continue
		}
		i++ // skip the %
		var d byte
		if i < len(news) {
			d = news[i]
		}
		switch {
		case d < '0' || d > '9':
			grow(1)
			b.WriteByte(d) // "%%" is "%"; a % at the very end adds a NUL, as in Lua 5.1
		case d == '0':
			grow(e - s)
			b.WriteString(src[s:e])
		default:
			str := lua.LVAsString(captureValue(L, m, src, int(d-'1'), s, e))
			grow(len(str))
			b.WriteString(str)
		}
	}
}
