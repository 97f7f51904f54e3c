package repl

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// fakeFile, fakeApp and fakeSession stand for luaapi's objects: userdata
// that Lua cannot look into, indexed through Go functions.
type fakeFile struct{ apps map[string][]string }
type fakeApp struct {
	f    *fakeFile
	name string
}
type fakeSession struct {
	dirs  map[string][]string // directory -> entries
	block bool                // Names waits for its context to end
}

// objHost is plainHost plus repl.Objects over the fake objects.
type objHost struct {
	plainHost
	mu       sync.Mutex
	deadline time.Duration // time left on the context of the last Names
}

func (h *objHost) Kind(v lua.LValue) string {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return ""
	}
	switch ud.Value.(type) {
	case *fakeFile:
		return "file"
	case *fakeApp:
		return "application"
	case *fakeSession:
		return "session"
	}
	return ""
}

func (h *objHost) Describe(ctx context.Context, v lua.LValue) (string, bool) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return "", false
	}
	if f, ok := ud.Value.(*fakeFile); ok {
		return "<file with " + strings.Repeat("*", len(f.apps)) + ">", true
	}
	return "", false
}

func (h *objHost) Methods(v lua.LValue) []string {
	switch h.Kind(v) {
	case "file":
		return []string{"apps", "get", "save", "set"}
	case "application":
		return []string{"keys"}
	case "session":
		return []string{"cd", "close", "ls", "open"}
	}
	return nil
}

func (h *objHost) Names(ctx context.Context, v lua.LValue, arg string) ([]string, error) {
	if d, ok := ctx.Deadline(); ok {
		h.mu.Lock()
		h.deadline = time.Until(d)
		h.mu.Unlock()
	}
	switch o := v.(*lua.LUserData).Value.(type) {
	case *fakeFile:
		var names []string
		for n := range o.apps {
			names = append(names, n)
		}
		return names, nil
	case *fakeApp:
		return o.f.apps[o.name], nil
	case *fakeSession:
		if o.block {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return o.dirs[arg], nil
	}
	return nil, nil
}

// newObjREPL returns a REPL (not running) over a state holding the fake
// objects f (a file), s (a session), slow (a session that never answers),
// a plain table tbl, and trap, a table whose __index function records
// calls.
func newObjREPL(t testing.TB) (*REPL, *objHost) {
	L := lua.NewState()
	t.Cleanup(L.Close)
	h := &objHost{plainHost: plainHost{L}}
	file := &fakeFile{apps: map[string][]string{
		"App1":     {"Key1", "Key2", "Other"},
		"My App":   {"a key", `say "hi"`},
		`Quote"d`:  {"k"},
		"Br]acket": {"k"},
		"caf\x82":  {"k"},
		"a'b":      {"k"},
	}}
	fileMT := L.NewTable()
	appMT := L.NewTable()
	fileMT.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		f := L.CheckUserData(1).Value.(*fakeFile)
		ud := L.NewUserData()
		ud.Value = &fakeApp{f: f, name: L.CheckString(2)}
		L.SetMetatable(ud, appMT)
		L.Push(ud)
		return 1
	}))
	fileMT.RawSetString("__metatable", lua.LString("INI file"))
	appMT.RawSetString("__metatable", lua.LString("application view"))
	// reading a key of an application view would be a network read
	appMT.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.SetGlobal("valueRead", lua.LTrue)
		L.Push(lua.LString("value"))
		return 1
	}))
	ud := L.NewUserData()
	ud.Value = file
	L.SetMetatable(ud, fileMT)
	L.SetGlobal("f", ud)

	for name, sess := range map[string]*fakeSession{
		"s": {dirs: map[string][]string{
			"":        {"C:/", "D:/"},
			"C:/":     {"OS2/", "MPTN/", "WEASEL.INI", "weasel.tni", "CONFIG.SYS"},
			"C:/OS2/": {"OS2.INI", "OS2SYS.INI", "DLL/"},
			`C:\`:     {"OS2/", "MPTN/", "WEASEL.INI"},
		}},
		"slow": {block: true},
	} {
		ud := L.NewUserData()
		ud.Value = sess
		L.SetGlobal(name, ud)
	}
	if err := L.DoString(`
		tbl = {alpha = 1, beta = {gamma = 2, ["with space"] = 3}, [1] = "one", fn = function() end}
		tbl.beta.sub = setmetatable({}, {__index = {inherited = true}})
		trapped = false
		trap = setmetatable({}, {__index = function(t, k) trapped = true return {} end})
	`); err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Host: h, Interactive: true, CompletionTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return r, h
}

// complete runs the completer on line (cursor at its end) and returns the
// candidates and the length of the text they complete.
func complete(r *REPL, line string) ([]string, int) {
	rs := []rune(line)
	cands, n := (&completer{r: r}).Do(rs, len(rs))
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = string(c)
	}
	return out, n
}

func TestCompletion(t *testing.T) {
	r, _ := newObjREPL(t)
	for _, tc := range []struct {
		line string
		want []string
		n    int
	}{
		// globals, keywords, fields and methods
		{"tb", []string{"l"}, 2},
		{"x = pri", []string{"nt"}, 3},
		{"fun", []string{"ction"}, 3},
		{"tbl.", []string{"alpha", "beta", "fn"}, 0},
		{"tbl.be", []string{"ta"}, 2},
		{"tbl.beta.", []string{"gamma", "sub"}, 0},
		{"tbl.beta.sub.", []string{"inherited"}, 0},
		{"tbl:", []string{"fn"}, 0},
		{"string.up", []string{"per"}, 2},
		{"f:", []string{"apps", "get", "save", "set"}, 0},
		{"f:s", []string{"ave", "et"}, 1},
		{"s:c", []string{"d", "lose"}, 1},
		// a complete name that starts longer ones lists them all ("" is
		// the name itself) instead of completing the longer one
		{"trap", []string{"", "ped"}, 4},
		{"tbl.alph", []string{"a"}, 4},
		{"tbl.alpha", nil, 5},
		// application names, escaped for the quote in use
		{`f["`, []string{`App1"]`, `Br]acket"]`, `My App"]`, `Quote\"d"]`, `a'b"]`, `caf\130"]`}, 0},
		{`f['`, []string{`App1']`, `Br]acket']`, `My App']`, `Quote"d']`, `a\'b']`, `caf\130']`}, 0},
		{`f["My`, []string{` App"]`}, 2},
		{`print(f["Q`, []string{`uote\"d"]`}, 1},
		{`f["Quote\"`, []string{`d"]`}, 7},
		// key names after f[app][", with the application given any way
		{`f["My App"]["`, []string{`a key"]`, `say \"hi\""]`}, 0},
		{`f.App1["K`, []string{`ey1"]`, `ey2"]`}, 1},
		{`f['App1']['O`, []string{`ther']`}, 1},
		{`tbl.beta["w`, []string{`ith space"]`}, 1},
		// remote paths: directories stay open and end in the separator
		// typed (\ when none was), files close the literal and the call
		// when the path is the only argument
		{`s:cd("`, []string{`C:\\`, `D:\\`}, 0},
		{`s:cd("C:/`, []string{`MPTN/`, `OS2/`}, 3},
		{`s:cd("C:\\`, []string{`MPTN\\`, `OS2\\`}, 4},
		{`s:open("C:\\O`, []string{`S2\\`}, 5},
		{`s:open("C:/`, []string{`CONFIG.SYS")`, `MPTN/`, `OS2/`, `WEASEL.INI")`, `weasel.tni")`}, 3},
		{`s:open("C:/OS2/OS2S`, []string{`YS.INI")`}, 11},
		{`s:open("C:/w`, []string{`EASEL.INI")`, `easel.tni")`}, 4},
		{`s:push("C:/W`, []string{`EASEL.INI"`, `easel.tni"`}, 4},
		// nothing for calls, unknown variables, comments, sessions indexed
		{`f:get("`, nil, 0},
		{`tbl.fn()["`, nil, 0},
		{`nosuch["`, nil, 0},
		{`x = 1 -- tb`, nil, 0},
		{`s["`, nil, 0},
		{`tbl.alpha.`, nil, 0},
	} {
		got, n := complete(r, tc.line)
		if !slices.Equal(got, tc.want) || n != tc.n {
			t.Errorf("complete(%s) = %q, %d; want %q, %d", tc.line, got, n, tc.want, tc.n)
		}
	}
}

func TestCompletionCallsNoLuaFunction(t *testing.T) {
	r, _ := newObjREPL(t)
	for _, line := range []string{"trap.x.", `trap["a"]["`, "trap.", `trap["`} {
		complete(r, line)
	}
	if r.L.GetGlobal("trapped") != lua.LFalse {
		t.Error("completion called an __index function that is not the host's")
	}
	for _, line := range []string{"f.App1.Key1:", `f["App1"]["Key1"].`} {
		complete(r, line)
	}
	if r.L.GetGlobal("valueRead") != lua.LNil {
		t.Error("completion read a value through an application view")
	}
}

func TestCompletionTimeout(t *testing.T) {
	r, h := newObjREPL(t)
	r.cfg.CompletionTimeout = 50 * time.Millisecond
	done := make(chan []string, 1)
	go func() {
		got, _ := complete(r, `slow:open("C:/`)
		done <- got
	}()
	select {
	case got := <-done:
		if len(got) != 0 {
			t.Errorf("a host that never answers completed %q", got)
		}
	case <-time.After(waitLimit):
		t.Fatal("completion did not give up on a host that never answers")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.deadline <= 0 || h.deadline > 50*time.Millisecond {
		t.Errorf("listing context had %v left, want at most the 50ms completion timeout", h.deadline)
	}
}

func TestCompletionAtThePrompt(t *testing.T) {
	s := startREPL(t, func(L *lua.LState, cfg *Config) {
		if err := L.DoString(`tbl = {beta = {gamma = 40}}`); err != nil {
			t.Fatal(err)
		}
	})
	s.send("tbl.bet\t.gam\t + 2\r")
	s.out.Expect(t, "\n42\n")
}

func TestObjectSummary(t *testing.T) {
	r, _ := newObjREPL(t)
	got := r.results(context.Background(), []lua.LValue{r.L.GetGlobal("f")})
	if got != "<file with ******>" {
		t.Errorf("file prints %q", got)
	}
}
