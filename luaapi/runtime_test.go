package luaapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
)

// run runs code in a fresh runtime with opts and returns its output and
// error; DIR is a fresh directory.
func run(t *testing.T, code string, opts Options) (string, error) {
	t.Helper()
	var out bytes.Buffer
	opts.Stdout = &out
	if opts.Stderr == nil {
		opts.Stderr = &out
	}
	rt, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("DIR", t.TempDir())
	err = runCode(context.Background(), rt, code, "=t")
	return out.String(), err
}

// runCode compiles code (named chunkname) and runs it in rt under ctx.
func runCode(ctx context.Context, rt *Runtime, code, chunkname string) error {
	prog, err := Compile(code, chunkname)
	if err != nil {
		return err
	}
	_, err = rt.Run(ctx, prog)
	return err
}

func TestEncoders(t *testing.T) {
	out, err := run(t, `
		print(ini.hex(ini.u8(255)), ini.hex(ini.u16(258)), ini.hex(ini.u32(16909060)), ini.hex(ini.i32(-1)))
		print(ini.hex(ini.strz("ab")), ini.hex(ini.strings{"a", "bc"}), ini.hex(ini.strings{}))
		print(ini.hex("\0\255 z"), ini.unhex("00ff20") == "\0\255 ", ini.unhex("00FF20") == "\0\255 ")
		print(ini.decode(ini.u16(513), "u16"), ini.decode(ini.i32(-5), "i32"), ini.decode("ab\0", "string"))
		print(table.concat(ini.decode("a\0b\0\0", "strings"), ","), ini.decode("\1\2", "hex"))
		print(#ini.types > 0)
	`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "FF\t0201\t04030201\tFFFFFFFF\n" +
		"616200\t610062630000\t00\n" +
		"00FF207A\ttrue\ttrue\n" +
		"513\t-5\tab\n" +
		"a,b\t0102\n" +
		"true\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestEncoderErrors(t *testing.T) {
	for _, c := range []struct{ code, want string }{
		{`ini.u8(256)`, "bad argument #1 to u8 (u8 value: 256 out of range"},
		{`ini.u16(-1)`, "bad argument #1 to u16 (u16 value: -1 out of range"},
		{`ini.u32(4294967296)`, "bad argument #1 to u32"},
		{`ini.i32(2147483648)`, "bad argument #1 to i32"},
		{`ini.u8(1.5)`, "bad argument #1 to u8 (1.5 is not an integer"},
		{`ini.u8("1")`, "bad argument #1 to u8 (number expected, got string)"},
		{`ini.strz(1)`, "bad argument #1 to strz (text must be a string, got number)"},
		{`ini.strings{"a", 1}`, "bad argument #1 to strings (element 2 is a number, want a string)"},
		{`ini.strings{"a\0b"}`, "bad argument #1 to strings (strings value: element 1 contains NUL"},
		{`ini.hex(nil)`, "bad argument #1 to hex (bytes must be a string, got nil)"},
		{`ini.unhex("0g")`, "bad argument #1 to unhex (not hex text"},
		{`ini.unhex("abc")`, "bad argument #1 to unhex (not hex text"},
		{`ini.decode("abc", "u32")`, "decode: as u32: u32 value: 3 bytes, want exactly 4"},
		{`ini.decode("abc", "nope")`, `bad argument #2 to decode (unknown value type "nope"`},
		{`ini.decode("a", "strings")`, "decode: as strings: strings value"},
	} {
		_, err := run(t, c.code, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.code, err, c.want)
		}
	}
}

func TestOpenAndSave(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]*ini.File{"S.INI": ini.Sample()})
	os.WriteFile(filepath.Join(dir, "BAD.INI"), []byte("\xff\xff\xff\xff\x00\x00"), 0o644)
	os.WriteFile(filepath.Join(dir, "BAD.TNI"), []byte("[App]\nkey=(1)300 400\n[x\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "TEXT.INI"), []byte("[App]\r\nKey=value\r\n[/App]\r\n"), 0o644)
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("DIR", dir)
	err = runCode(context.Background(), rt, `
		local f = ini.open(DIR .. "/S.INI")
		print(f:format(), f:name() == DIR .. "/S.INI", #f)
		f.MailServer.MaxUsers = ini.u32(500)
		f:save()
		f:save(DIR .. "/S.TNI")                       -- format by name
		f:save{path = DIR .. "/COPY", format = "tni"}  -- explicit format
		f.MailServer.MaxUsers = ini.u32(600)
		f:save{backup = true}
		local t = ini.open(DIR .. "/TEXT.INI")        -- TNI text despite the name
		print(t:format(), t.App.Key)
		local n = ini.open(DIR .. "/NEW.TNI", {create = true})
		print(n:format(), #n)
		n.A.B = "c"
		n:save()
		local e = ini.new()
		e.A.B = "c"
		print(pcall(e.save, e))
		e:save(DIR .. "/E.INI")
		print(e:name() == DIR .. "/E.INI")
	`, "=t")
	if err != nil {
		t.Fatal(err)
	}
	want := "ini\ttrue\t3\n" +
		"tni\tvalue\n" +
		"tni\t0\n" +
		"false\t=t:18: save: the file has no path: use f:save(path)\n" +
		"true\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
	read := func(name string) (*ini.File, ini.Format) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		format := ini.DetectFormat(data)
		f, err := ini.Parse(name, data, format)
		if err != nil {
			t.Fatal(err)
		}
		return f, format
	}
	u32 := func(f *ini.File) uint32 {
		v, _ := f.Lookup([]byte("MailServer"), []byte("MaxUsers"))
		n, _ := ini.U32(v)
		return n
	}
	for name, want := range map[string]struct {
		format ini.Format
		n      uint32
	}{
		"S.INI": {ini.FormatINI, 600}, "S.INI.BAK": {ini.FormatINI, 500},
		"S.TNI": {ini.FormatTNI, 500}, "COPY": {ini.FormatTNI, 500},
	} {
		f, format := read(name)
		if format != want.format || u32(f) != want.n {
			t.Errorf("%s: format %v MaxUsers %d, want %v %d", name, format, u32(f), want.format, want.n)
		}
	}
	if f, format := read("NEW.TNI"); format != ini.FormatTNI || !f.Equal(mkfile(t, "A", "B", "c")) {
		t.Errorf("NEW.TNI: %v %v", format, f.Apps)
	}
	if f, _ := read("E.INI"); !f.Equal(mkfile(t, "A", "B", "c")) {
		t.Errorf("E.INI: %v", f.Apps)
	}

	for _, c := range []struct{ code, want string }{
		{`ini.open(DIR .. "/MISSING.INI")`, `file "` + dir + `/MISSING.INI": open: open ` + dir + `/MISSING.INI: no such file`},
		{`ini.open(DIR .. "/BAD.INI")`, dir + `/BAD.INI: offset `},
		{`ini.open(DIR .. "/BAD.TNI")`, dir + `/BAD.TNI:`},
		{`ini.open(5)`, `bad argument #1 to open (path must be a string, got number)`},
		{`ini.open("x", 5)`, `bad argument #2 to open (options table expected, got number)`},
		{`ini.parse("\255\255\255\255\0")`, `parse: <input>: offset`},
		{`local f = ini.new(); f:save(DIR .. "/no/such/dir/X.INI")`, `/no/such/dir/X.INI": save: `},
		{`local f = ini.new(); f:save{format = "xml"}`, `bad argument #2 to save (opts.format must be "ini" or "tni", got "xml")`},
		{`local f = ini.new(); f:save(5)`, `bad argument #2 to save (path or options table expected, got number)`},
		{`ini.new().get(5)`, `bad argument #1 to get (INI file expected, got number)`},
		{`local f = ini.new(); f.A.get(f, "x")`, `attempt to call a non-function object`},
	} {
		rt2, _ := New(context.Background(), Options{Stdout: &out})
		rt2.SetGlobal("DIR", dir)
		err := runCode(context.Background(), rt2, c.code, "=t")
		rt2.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.code, err, c.want)
		}
	}
}

func TestCheckModeLocalSave(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]*ini.File{"S.INI": ini.Sample()})
	before := readDir(t, dir)
	var out bytes.Buffer
	rt, _ := New(context.Background(), Options{Stdout: &out, CheckMode: true})
	rt.SetGlobal("DIR", dir)
	err := runCode(context.Background(), rt, `
		local f = ini.open(DIR .. "/S.INI")
		f["$SYS"].TimeOut = ini.u32(60)
		f:save(); f:save(DIR .. "/OTHER.INI"); f:save{backup = true}
		print(#f:changes(), f:get("$SYS", "TimeOut", "u32"))
	`, "=t")
	rt.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "1\t60\n" {
		t.Errorf("output %q", out.String())
	}
	after := readDir(t, dir)
	if len(after) != len(before) || !bytes.Equal(after["S.INI"], before["S.INI"]) {
		t.Errorf("check mode wrote files: %v", names(after))
	}
	if c := rt.Changes(); len(c) != 1 || c[0].Application != "$SYS" || c[0].Key != "TimeOut" || c[0].File != dir+"/S.INI" {
		t.Errorf("changes %+v", c)
	}
}

func TestExitPrintPairsRequire(t *testing.T) {
	out, err := run(t, `
		print(1, nil, "x", true)
		io.write("a", 2, "\n")
		local t = setmetatable({}, {__pairs = function(t) return function(_, k) if not k then return 1, "one" end end, t, nil end})
		for k, v in pairs(t) do print(k, v) end
		for k, v in pairs({x = 1}) do print(k, v) end
		print(require("ini") == ini, require("iniserve") == iniserve)
		print(pcall(os.exit, 7))  -- not catchable
		print("not reached")
	`, Options{})
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 7 {
		t.Fatalf("error %v, want exit 7", err)
	}
	want := "1\tnil\tx\ttrue\na2\n1\tone\nx\t1\ntrue\ttrue\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	for code, want := range map[string]int{`os.exit()`: 0, `os.exit(true)`: 0, `os.exit(false)`: 1,
		`xpcall(function() os.exit(3) end, print)`:                      3,
		`coroutine.resume(coroutine.create(function() os.exit(4) end))`: 4} {
		_, err := run(t, code, Options{})
		if !errors.As(err, &exit) || exit.Code != want {
			t.Errorf("%s: %v, want exit %d", code, err, want)
		}
	}
	if _, err := run(t, `os.exit("x")`, Options{}); err == nil || !strings.Contains(err.Error(), "bad argument #1 to exit") {
		t.Errorf("os.exit(\"x\"): %v", err)
	}
}

func TestSafeMode(t *testing.T) {
	out, err := run(t, `
		print(io, debug, os.getenv, os.execute, os.remove, dofile, loadfile, ini.open ~= nil)
		print(type(os.time()), type(string.rep), type(loadstring("return 1")), require("string") == string)
		local f = ini.new(); f.A.B = "c"; print(#ini.parse(f:binary()), #f:tni() > 0)
	`, Options{Safe: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "nil\tnil\tnil\tnil\tnil\tnil\tnil\ttrue\nnumber\tfunction\tfunction\ttrue\n1\ttrue\n"; out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	for _, code := range []string{
		`ini.open(DIR .. "/x.ini", {create = true})`,
		`ini.new():save(DIR .. "/x.ini")`,
		`ini.choose(DIR .. "/x")`,
		`iniserve.connect("127.0.0.1:1")`,
		`iniserve.serve(DIR)`,
		`require("io")`,
	} {
		_, err := run(t, code, Options{Safe: true})
		if !errors.Is(err, ErrSafeMode) {
			t.Errorf("%s: %v, want ErrSafeMode", code, err)
		}
	}
}

// stallServer accepts connections, greets and logs in, then never answers
// again: for cancellation tests.
func stallServer(t *testing.T) string {
	return fakeHost(t, func() func(string) (string, bool) {
		return func(line string) (string, bool) { return "+", strings.HasPrefix(line, "P") }
	})
}

func TestCancel(t *testing.T) {
	addr := stallServer(t)
	for _, c := range []struct {
		name string
		code string
	}{
		{"network", `local s = iniserve.connect(ADDR); s:ls()`},
		{"busy loop", `while true do end`},
		{"pcall loop", `while true do pcall(function() while true do end end) end`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt, err := New(context.Background(), Options{Stderr: io.Discard, Client: client.Options{CommandTimeout: time.Minute}})
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			rt.SetGlobal("ADDR", addr)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			err = runCode(ctx, rt, c.code, "=t")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error %v, want DeadlineExceeded", err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			// the runtime is usable afterwards
			if err := runCode(context.Background(), rt, `x = 1`, "=t"); err != nil {
				t.Errorf("after cancel: %v", err)
			}
		})
	}
}

func TestBackupHook(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "old"), "B.INI": mkfile(t, "X", "Y", "z")})
	addr := startServer(t, dir)
	s := dial(t, addr, false)
	type call struct {
		host, file string
		content    *ini.File
	}
	var calls []call
	rt, err := New(context.Background(), Options{Stdout: &bytes.Buffer{},
		Backup: func(ctx context.Context, host, file string, fetch func(context.Context) (*ini.File, error)) error {
			f, err := fetch(ctx)
			if err != nil {
				return err
			}
			calls = append(calls, call{host, file, f})
			if file == `C:\B.INI` {
				return errors.New("disk full")
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("S", rt.WrapSession(s, "h"))
	err = runCode(context.Background(), rt, `
		local a = S:open("A.INI")
		local x = a.App.Key          -- reads: no backup
		a.App.Key = "old"            -- no change: no backup
		a.App.Key = "new"            -- backup, then write
		a.App.Key2 = "new"           -- no second backup
		local b = S:open("B.INI")
		print(pcall(function() b.X.Y = "w" end))
		print(pcall(S.remove, S, "B.INI"))   -- backup fails: not removed
		S:mkdir("D")
		S:remove("D")                        -- a directory: no backup
	`, "=t")
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 || calls[2].file != `C:\B.INI` || calls[0].host != "h" || calls[0].file != `C:\A.INI` || !calls[0].content.Equal(mkfile(t, "App", "Key", "old")) || calls[1].file != `C:\B.INI` {
		t.Fatalf("backup calls %+v", calls)
	}
	f, _, _ := ini.ReadFile(filepath.Join(dir, "B.INI"))
	if !f.Equal(mkfile(t, "X", "Y", "z")) {
		t.Errorf("B.INI written although its backup failed")
	}
	if n := len(rt.Changes()); n != 4 { // Key, Key2, mkdir D, remove D
		t.Errorf("%d changes, want 4", n)
	}
}

func TestViewOfAndNames(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]*ini.File{"A.INI": mkfile(t, "App", "Key", "v", "App", "K2", "w")})
	addr := startServer(t, dir)
	s := dial(t, addr, false)
	rt, _ := New(context.Background(), Options{})
	defer rt.Close()
	L := rt.State()
	rt.SetGlobal("S", rt.WrapSession(s, "h"))
	if err := runCode(context.Background(), rt, `F = S:open("A.INI"); A = F.App; L = ini.new(); L.x.y = "z"`, "=t"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		global string
		view   View
		names  string
	}{
		{"F", View{Kind: "file", Host: "h", File: `C:\A.INI`, Format: "ini", Remote: true}, "App"},
		{"A", View{Kind: "application", Host: "h", File: `C:\A.INI`, Application: "App", Format: "ini", Remote: true}, "Key,K2"},
		{"S", View{Kind: "session", Host: "h"}, "A.INI"},
		{"L", View{Kind: "file", Format: "ini"}, "x"},
	} {
		v := L.GetGlobal(c.global)
		got, ok := ViewOf(v)
		if !ok || got != c.view {
			t.Errorf("ViewOf(%s) = %+v, %v", c.global, got, ok)
		}
		names, err := rt.Names(ctx, v, "")
		if err != nil || strings.Join(names, ",") != c.names {
			t.Errorf("Names(%s) = %v, %v; want %s", c.global, names, err, c.names)
		}
	}
	if _, ok := ViewOf(lua.LString("x")); ok {
		t.Error("ViewOf(string) reported an object")
	}
}

// TestNoCrash: runaway recursion and Go panics become Lua errors.
func TestNoCrash(t *testing.T) {
	for _, code := range []string{
		`local function f() return 1 + f() end f()`,
		`local t = setmetatable({}, {__index = function(t, k) return t[k] end}); local x = t.a`,
		// allocations the Go runtime cannot satisfy would end the process
		`local s = string.rep("x", 1e12)`,
		`local s = ("ab"):rep(2^40)`,
		// error values that are not strings, or fail to convert
		`error({})`,
		`error(setmetatable({}, {__tostring = function() error("inner") end}))`,
		`error(ini.new())`,
		// methods called with the wrong self, or none
		`local f = ini.new(); f.get(nil, "a", "b")`,
		`local f = ini.new(); f.get("x", "a", "b")`,
		`ini.new().A.keys(1)`,
		`local f = ini.new(); f.apps(f.A)`,
		`getmetatable(ini.new()).__index(1, 2)`,
		// coroutines resumed inside coroutines nest Go stacks: a bound, not
		// a fatal stack overflow
		`local function f() return coroutine.wrap(f)() end f()`,
		`local function f() assert(coroutine.resume(coroutine.create(f))) end f()`,
		`local function f() pcall(f) end f() error("done")`,
		// a yield across the Go pairs
		`local co = coroutine.create(function()
			for k in pairs(setmetatable({}, {__pairs = function() coroutine.yield(1) end})) do end
		end)
		coroutine.resume(co); assert(coroutine.resume(co))`,
	} {
		_, err := run(t, code, Options{})
		if err == nil {
			t.Errorf("%s: no error", code)
		}
	}
	if out, err := run(t, `local n = 0
		local function f() n = n + 1 if n < 150 then return coroutine.wrap(f)() end return n end
		print(f(), coroutine.wrap(function(a) return a + coroutine.yield(a) end)(1))`, Options{}); err != nil || out != "150\t1\n" {
		t.Errorf("nested coroutines within the bound: %q, %v", out, err)
	}
	if out, err := run(t, `print(#string.rep("ab", 3), #string.rep("x", 0), #string.rep("", 1e12), #string.rep("x", -1))`, Options{}); err != nil || out != "6\t0\t0\t0\n" {
		t.Errorf("string.rep: %q, %v", out, err)
	}
	// the value stack grows when needed
	out, err := run(t, `local t = {} for i = 1, 100000 do t[i] = i end print(select("#", unpack(t)))`, Options{})
	if err != nil || out != "100000\n" {
		t.Errorf("unpack of 100000 values: %q, %v", out, err)
	}
}

// rt0Run runs a nil Program.
func rt0Run() ([]lua.LValue, error) {
	rt, err := New(context.Background(), Options{})
	if err != nil {
		return nil, err
	}
	defer rt.Close()
	return rt.Run(context.Background(), nil)
}

// TestCompileShared runs one compiled script in several runtimes at once.
func TestCompileShared(t *testing.T) {
	proto, err := Compile("#!/usr/bin/env inilua\nlocal n = ...\nprint(arg[0], n, arg[1])\nerror('line 4')", "shared.lua")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 4)
	for i := range 4 {
		go func() {
			var out bytes.Buffer
			rt, err := New(context.Background(), Options{Stdout: &out})
			if err != nil {
				done <- err.Error()
				return
			}
			defer rt.Close()
			a := string(rune('a' + i))
			rt.SetArg([]string{"shared.lua", a}, 0)
			_, err = rt.Run(context.Background(), proto, lua.LString(a))
			done <- out.String() + "|" + fmt.Sprint(err)
		}()
	}
	for range 4 {
		got := <-done
		if !strings.HasPrefix(got, "shared.lua\t") || !strings.HasSuffix(got, "|shared.lua:4: line 4") {
			t.Errorf("got %q", got)
		}
	}
	if _, err := Compile("x = = 1", "bad.lua"); err == nil || !strings.Contains(err.Error(), "bad.lua") {
		t.Errorf("syntax error: %v", err)
	}
	if _, err := rt0Run(); err == nil || !strings.Contains(err.Error(), "nil Program") {
		t.Errorf("Run of a nil Program: %v", err)
	}
}

func TestParseName(t *testing.T) {
	out, err := run(t, `
		local f = ini.parse("[A]\nk=v\n[/A]\n", "given.tni")
		print(f:name(), f:format(), f.A.k, pcall(f.save, f))
		print(pcall(ini.parse, "[A]\nk=v\n", "given.tni"))`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "nil\ttni\tv\tfalse\t=t:3: save: the file has no path: use f:save(path)\n" +
		"false\t=t:4: parse: given.tni:"
	if !strings.HasPrefix(out, want) {
		t.Errorf("output %q, want prefix %q", out, want)
	}
}

// TestOpenCorruptBinaryNamedINI: a corrupt X.INI without the FF FF FF FF
// signature is read as TNI text (content decides); the error must say so,
// not only report a TNI syntax error at line 1, and must still wrap the
// *ini.FormatError. A .TNI name keeps the plain TNI error.
func TestOpenCorruptBinaryNamedINI(t *testing.T) {
	dir := t.TempDir()
	garbage := []byte("\x80\x0d\x4f\xdd\x01\x02")
	os.WriteFile(filepath.Join(dir, "RAND.INI"), garbage, 0o644)
	os.WriteFile(filepath.Join(dir, "RAND.TNI"), garbage, 0o644)
	_, err := run(t, fmt.Sprintf("ini.open(%q)", filepath.Join(dir, "RAND.INI")), Options{})
	if err == nil {
		t.Fatal("ini.open of a corrupt RAND.INI succeeded")
	}
	for _, want := range []string{"RAND.INI: not a binary INI file (starts with 80 0D 4F DD, not FF FF FF FF), so it was read as TNI text: ", "RAND.INI:1: CR byte not followed by LF"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	var fe *ini.FormatError
	if !errors.As(err, &fe) || fe.Line != 1 {
		t.Errorf("error %v does not wrap the *ini.FormatError of line 1", err)
	}
	_, err = run(t, fmt.Sprintf("ini.open(%q)", filepath.Join(dir, "RAND.TNI")), Options{})
	if err == nil || strings.Contains(err.Error(), "not a binary INI file") || !strings.Contains(err.Error(), "RAND.TNI:1: CR byte not followed by LF") {
		t.Errorf("RAND.TNI: error %v, want the plain TNI error", err)
	}
}

// TestValueStackGrowsInFewSteps: pushing many values (unpack, string.byte)
// reallocates the Lua value stack a few times, not once every 32 values
// (which made unpack({}, 1, 1e6) take minutes, past any --script-timeout),
// and pushing past its 1M slots is an error, not a hang.
func TestValueStackGrowsInFewSteps(t *testing.T) {
	rt, err := New(context.Background(), Options{Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	prog, err := Compile(`return select("#", unpack({}, 1, 200000))`, "=t")
	if err != nil {
		t.Fatal(err)
	}
	var before, after goruntime.MemStats
	goruntime.ReadMemStats(&before)
	vals, err := rt.Run(context.Background(), prog)
	goruntime.ReadMemStats(&after)
	if err != nil || len(vals) != 1 || vals[0] != lua.LNumber(200000) {
		t.Fatalf("unpack of 200000 values: %v, %v", vals, err)
	}
	// nils allocate nothing: what is left is the stack's reallocations,
	// over 6000 at 32 values per step
	if n := after.Mallocs - before.Mallocs; n > 1000 {
		t.Errorf("pushing 200000 values made %d allocations, want a few stack reallocations", n)
	}
	if out, err := run(t, `print(select("#", string.byte(string.rep("a", 200000), 1, -1)))`, Options{}); err != nil || out != "200000\n" {
		t.Errorf("string.byte of 200000 bytes: %q, %v", out, err)
	}
	out, err := run(t, `print(pcall(unpack, {}, 1, 1e8))`, Options{})
	if err != nil || !strings.HasPrefix(out, "false\t") {
		t.Errorf("unpack of 1e8 values: %q, %v; want false and an error", out, err)
	}
}
