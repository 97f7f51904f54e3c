package repl

import (
	"context"
	"slices"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// completer implements readline.AutoCompleter for the REPL. It runs in the
// editor's goroutine while the REPL goroutine waits inside Readline, so it
// has the Lua state to itself.
type completer struct{ r *REPL }

// step is one link of a name/field/index chain: a field or index key.
type step struct{ key lua.LValue }

// pathMethods are the session methods whose first argument is a remote
// path; dirsOnly marks those that take a directory, only those whose path
// is their only argument (a completed file name closes the call).
var pathMethods = map[string]struct{ dirsOnly, only bool }{
	"cd": {true, true}, "ls": {true, true}, "mkdir": {true, true},
	"open": {false, true}, "fetch": {false, true}, "push": {false, false}, "remove": {false, true}, "move": {false, false},
	"choose": {false, true},
}

// Do returns the completions of the text before the cursor: candidate
// suffixes and the length (in runes) of the text they complete, as
// readline.AutoCompleter requires. Nothing is completed when the text is
// not one of the supported forms. No Lua code runs but the index
// metamethods of the host's own objects (f[app] of luaapi sends nothing):
// values are found by reading a plain name/field/index chain (see eval),
// and names are listed through the host's Objects, all under the
// completion timeout.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	text := string(line[:pos])
	toks, ok := lexLine(text)
	if !ok {
		return nil, 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.r.cfg.CompletionTimeout)
	defer cancel()
	cands, n := c.complete(ctx, text, toks)
	out := make([][]rune, len(cands))
	for i, s := range cands {
		out[i] = []rune(s)
	}
	return out, n
}

// complete dispatches on the form of the text's end.
func (c *completer) complete(ctx context.Context, text string, toks []token) ([]string, int) {
	n := len(toks)
	if n == 0 {
		return nil, 0
	}
	last := toks[n-1]
	endsInSpace := strings.HasSuffix(text, " ") || strings.HasSuffix(text, "\t")
	switch {
	case last.kind == tOpen:
		return c.completeString(ctx, toks)
	case endsInSpace:
		return nil, 0
	case last.kind == tPunct && (last.raw == "." || last.raw == ":"):
		return c.completeField(ctx, toks[:n-1], last.raw, "")
	case last.kind == tName:
		if n >= 2 && toks[n-2].kind == tPunct && (toks[n-2].raw == "." || toks[n-2].raw == ":") {
			return c.completeField(ctx, toks[:n-2], toks[n-2].raw, last.raw)
		}
		return c.completeGlobal(last.raw), len([]rune(last.raw))
	}
	return nil, 0
}

// completeGlobal lists globals and keywords starting with prefix.
func (c *completer) completeGlobal(prefix string) []string {
	names := map[string]bool{}
	collectKeys(c.r.L, c.r.L.G.Global, names, false)
	for k := range keywords {
		names[k] = true
	}
	return suffixes(names, prefix)
}

// completeField lists the fields (sep ".") or methods (sep ":") of the
// value named by chain that start with prefix.
func (c *completer) completeField(ctx context.Context, chain []token, sep, prefix string) ([]string, int) {
	v, ok := c.eval(ctx, chain)
	if !ok {
		return nil, 0
	}
	names := map[string]bool{}
	if c.r.objs != nil {
		for _, m := range c.r.objs.Methods(v) {
			names[m] = true
		}
	}
	collectKeys(c.r.L, v, names, sep == ":")
	for k := range names {
		if !isIdent(k) {
			delete(names, k)
		}
	}
	return suffixes(names, prefix), len([]rune(prefix))
}

// collectKeys adds the string keys of v (a table) and of the tables its
// metatable's __index chain leads to; funcsOnly keeps only functions.
func collectKeys(L *lua.LState, v lua.LValue, names map[string]bool, funcsOnly bool) {
	for range 8 { // bounded walk of __index tables
		if t, ok := v.(*lua.LTable); ok {
			t.ForEach(func(k, val lua.LValue) {
				if s, ok := k.(lua.LString); ok {
					if _, fn := val.(*lua.LFunction); fn || !funcsOnly {
						names[string(s)] = true
					}
				}
			})
		}
		mt, ok := L.GetMetatable(v).(*lua.LTable)
		if !ok {
			return
		}
		next, ok := mt.RawGetString("__index").(*lua.LTable)
		if !ok {
			return
		}
		v = next
	}
}

// suffixes returns, sorted, the rest of each name that starts with prefix.
// A name equal to prefix counts (as "") only when longer names exist too,
// so that Tab after "ini" lists ini and iniserve instead of completing
// iniserve, and does nothing after a complete name with no longer ones.
func suffixes(names map[string]bool, prefix string) []string {
	var out []string
	for n := range names {
		if strings.HasPrefix(n, prefix) && n != prefix {
			out = append(out, n[len(prefix):])
		}
	}
	if len(out) > 0 && names[prefix] {
		out = append(out, "")
	}
	slices.Sort(out)
	return out
}

// completeString completes inside an unterminated string literal: an
// application or key name after v[" or v[', a remote path after
// s:cd(", s:open(" and the other path methods.
func (c *completer) completeString(ctx context.Context, toks []token) ([]string, int) {
	n := len(toks)
	open := toks[n-1]
	if open.badEnd {
		return nil, 0
	}
	var names []string
	closing := string(open.q)
	switch {
	case n >= 2 && toks[n-2].raw == "[":
		v, ok := c.eval(ctx, toks[:n-2])
		if !ok {
			return nil, 0
		}
		names = c.indexNames(ctx, v)
		closing += "]"
	case n >= 4 && toks[n-2].raw == "(" && toks[n-3].kind == tName && toks[n-4].raw == ":":
		m, ok := pathMethods[toks[n-3].raw]
		if !ok {
			return nil, 0
		}
		s, ok := c.eval(ctx, toks[:n-4])
		if !ok {
			return nil, 0
		}
		return c.completePath(ctx, s, open, m.dirsOnly, m.only)
	default:
		return nil, 0
	}
	var out []string
	for _, name := range names {
		if strings.HasPrefix(name, open.val) {
			out = append(out, literalRest(open, name[len(open.val):])+closing)
		}
	}
	slices.Sort(out)
	return out, len([]rune(open.raw))
}

// literalRest escapes rest for appending to the open literal tok so that
// the literal stays valid and reads back as the full name. A digit right
// after a short decimal escape is itself written as an escape.
func literalRest(tok token, rest string) string {
	if tok.partialDec && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		return escapeDigit(rest[0]) + escapeLiteral(rest[1:], tok.q)
	}
	return escapeLiteral(rest, tok.q)
}

// escapeDigit writes an ASCII digit as a three-digit decimal escape.
func escapeDigit(d byte) string {
	return "\\0" + string('0'+d/10) + string('0'+d%10)
}

// completePath completes a remote path inside s:method(" from a listing
// of the directory typed so far (Objects.Names of the session).
// Directories end in the separator the user typed last (\ when none was
// typed, OS/2's own; escaped in the literal: "C:\\APPS\\") and leave the
// literal open; files close it, and close the call too when the path is
// the method's only argument (only): s:open("HEXEDIT2.INI").
func (c *completer) completePath(ctx context.Context, s lua.LValue, open token, dirsOnly, only bool) ([]string, int) {
	dir, base := "", open.val
	sep := `\`
	if i := strings.LastIndexAny(open.val, `/\`); i >= 0 {
		dir, base = open.val[:i+1], open.val[i+1:]
		sep = open.val[i : i+1]
	}
	if c.r.objs == nil || c.r.objs.Kind(s) != "session" {
		return nil, 0
	}
	entries, err := c.r.objs.Names(ctx, s, dir)
	if err != nil {
		return nil, 0
	}
	var out []string
	for _, e := range entries {
		isDir := strings.HasSuffix(e, "/")
		if e == "../" || dirsOnly && !isDir {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(e), strings.ToLower(base)) { // OS/2 names ignore case
			continue
		}
		name := e[len(base):]
		if isDir {
			name = strings.TrimSuffix(name, "/") + sep
		}
		rest := literalRest(open, name)
		if !isDir {
			rest += string(open.q)
			if only {
				rest += ")"
			}
		}
		out = append(out, rest)
	}
	slices.Sort(out)
	return out, len([]rune(open.raw))
}

// indexNames lists the names that may follow v[": the applications of an
// INI file, the keys of an application view, or the string keys of a
// table.
func (c *completer) indexNames(ctx context.Context, v lua.LValue) []string {
	if c.r.objs != nil {
		switch c.r.objs.Kind(v) {
		case "file", "application":
			names, _ := c.r.objs.Names(ctx, v, "")
			return names
		case "":
		default:
			return nil
		}
	}
	set := map[string]bool{}
	collectKeys(c.r.L, v, set, false)
	names := make([]string, 0, len(set))
	for k := range set {
		names = append(names, k)
	}
	return names
}

// rawIndex looks key up in v (a table) and then along its metatable's
// __index tables, calling no function.
func (c *completer) rawIndex(v, key lua.LValue) (lua.LValue, bool) {
	for range 8 {
		if t, ok := v.(*lua.LTable); ok {
			if x := t.RawGet(key); x != lua.LNil {
				return x, true
			}
		}
		mt, ok := c.r.L.GetMetatable(v).(*lua.LTable)
		if !ok {
			return lua.LNil, false
		}
		next, ok := mt.RawGetString("__index").(*lua.LTable)
		if !ok {
			return lua.LNil, false
		}
		v = next
	}
	return lua.LNil, false
}

// eval evaluates a chain of tokens Name { .Name | [literal] } without
// calling functions: tables are read raw (following __index tables), and
// the host's INI files are indexed through the host (Call under ctx),
// which sends nothing. Any other form (a call, an operator) gives false.
func (c *completer) eval(ctx context.Context, toks []token) (lua.LValue, bool) {
	var steps []step
	i := len(toks) - 1
	for {
		if i < 0 {
			return nil, false
		}
		t := toks[i]
		switch {
		case t.kind == tName && !keywords[t.raw]:
			if i >= 1 && toks[i-1].raw == "." {
				steps = append(steps, step{lua.LString(t.raw)})
				i -= 2
				continue
			}
			if i >= 1 && toks[i-1].raw == ":" {
				return nil, false
			}
			v := c.r.L.G.Global.RawGetString(t.raw)
			for j := len(steps) - 1; j >= 0; j-- {
				var ok bool
				if v, ok = c.index(ctx, v, steps[j].key); !ok {
					return nil, false
				}
			}
			return v, v != lua.LNil
		case t.raw == "]" && i >= 2 && toks[i-2].raw == "[":
			k := toks[i-1]
			switch k.kind {
			case tString:
				steps = append(steps, step{lua.LString(k.val)})
			case tNumber:
				n, err := parseNumber(k.raw)
				if err != nil {
					return nil, false
				}
				steps = append(steps, step{n})
			default:
				return nil, false
			}
			i -= 3
		default:
			return nil, false
		}
	}
}

// index reads v[key] for completion: raw for tables and __index tables,
// through the host for its INI files, never through other functions.
func (c *completer) index(ctx context.Context, v, key lua.LValue) (lua.LValue, bool) {
	if x, ok := c.rawIndex(v, key); ok {
		return x, true
	}
	// Only a file is indexed through the host: f[app] is an application
	// view and sends nothing, while indexing a view would read a value.
	if c.r.objs == nil || c.r.objs.Kind(v) != "file" {
		return nil, false
	}
	getter := c.r.L.NewFunction(func(L *lua.LState) int {
		L.Push(L.GetTable(L.Get(1), L.Get(2)))
		return 1
	})
	rets, err := c.r.cfg.Host.Call(ctx, getter, v, key)
	if err != nil || len(rets) == 0 || rets[0] == lua.LNil {
		return nil, false
	}
	return rets[0], true
}

// parseNumber converts a numeric literal (decimal or 0x hexadecimal) as
// Lua does.
func parseNumber(s string) (lua.LNumber, error) {
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		n, err := strconv.ParseUint(h, 16, 64)
		return lua.LNumber(n), err
	}
	f, err := strconv.ParseFloat(s, 64)
	return lua.LNumber(f), err
}
