package luals

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/luaapi"
)

// declared lists what the annotations declare: "ini.open", "ini.types",
// "File:get", "CHECK", ...
func declared(t *testing.T) []string {
	t.Helper()
	var out []string
	re := regexp.MustCompile(`^(?:function ([A-Za-z_]\w*)([.:])(\w+)\(|([A-Za-z_]\w*)\.(\w+) = |([A-Za-z_]\w*) = )`)
	for _, line := range strings.Split(string(Annotations), "\n") {
		m := re.FindStringSubmatch(line)
		switch {
		case m == nil:
		case m[1] != "":
			out = append(out, m[1]+m[2]+m[3])
		case m[4] != "":
			out = append(out, m[4]+"."+m[5])
		default:
			out = append(out, m[6])
		}
	}
	sort.Strings(out)
	return out
}

// bound lists what the runtime really has, in the same notation: every
// global that luaapi adds to Lua's own, every field of the ini, iniserve
// and json modules, every method of files (File), application views
// (Application) and sessions (Session).
func bound(t *testing.T, opts luaapi.Options) []string {
	t.Helper()
	opts.Stdout, opts.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
	rt, err := luaapi.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	plain := lua.NewState()
	defer plain.Close()
	var out []string
	rt.State().G.Global.ForEach(func(k, v lua.LValue) {
		name := k.String()
		if plain.GetGlobal(name) != lua.LNil {
			return
		}
		out = append(out, name)
		if mod, ok := v.(*lua.LTable); ok {
			mod.ForEach(func(f, _ lua.LValue) { out = append(out, name+"."+f.String()) })
		}
	})
	if opts.Safe {
		sort.Strings(out)
		return out
	}
	if err := rt.SetGlobal("DIR", t.TempDir()); err != nil {
		t.Fatal(err)
	}
	prog, err := luaapi.Compile(`local f = ini.new(); local s = iniserve.serve(DIR); return f, f.App, s`, "=objects")
	if err != nil {
		t.Fatal(err)
	}
	vals, err := rt.Run(context.Background(), prog)
	if err != nil {
		t.Fatal(err)
	}
	for i, class := range []string{"File", "Application", "Session"} {
		methods := rt.Methods(vals[i])
		if len(methods) == 0 {
			t.Fatalf("no methods for the %s value", class)
		}
		for _, m := range methods {
			out = append(out, class+":"+m)
		}
	}
	sort.Strings(out)
	return out
}

// batchOnly are the globals only the batch runner sets (checked in
// package batch's tests).
var batchOnly = []string{"ARGS", "HOST"}

// TestAnnotationsMatchBindings: the annotations declare exactly what the
// runtime has, no more and no less.
func TestAnnotationsMatchBindings(t *testing.T) {
	decl := declared(t)
	have := bound(t, luaapi.Options{})
	for _, name := range have {
		if !slices.Contains(decl, name) {
			t.Errorf("%s exists in the Lua API but has no annotation in luaapi/luals/inilua.lua", name)
		}
	}
	for _, name := range decl {
		if !slices.Contains(have, name) && !slices.Contains(batchOnly, name) {
			t.Errorf("inilua.lua annotates %s, which the Lua API does not have", name)
		}
	}
	if len(have) < 40 {
		t.Errorf("only %d names found in the runtime: %v", len(have), have)
	}
	// safe mode removes functions but adds no global
	for _, name := range bound(t, luaapi.Options{Safe: true}) {
		if !strings.Contains(name, ".") && !slices.Contains(have, name) {
			t.Errorf("safe mode adds the global %s", name)
		}
	}
}

// TestValueTypes: the inilua.ValueType alias lists exactly the types of
// package ini, in its order.
func TestValueTypes(t *testing.T) {
	m := regexp.MustCompile(`(?s)---@alias inilua.ValueType\n((?:---\|[^\n]*\n)+)`).FindSubmatch(Annotations)
	if m == nil {
		t.Fatal("no inilua.ValueType alias")
	}
	var got []string
	for _, q := range regexp.MustCompile(`---\| "(\w+)"`).FindAllSubmatch(m[1], -1) {
		got = append(got, string(q[1]))
	}
	if want := ini.ValueTypeNames(); !slices.Equal(got, want) {
		t.Errorf("alias lists %v, package ini has %v", got, want)
	}
}

// TestAnnotationsCompile: the meta file is valid Lua 5.1, and every
// function annotation documents each parameter it takes with ---@param.
func TestAnnotationsCompile(t *testing.T) {
	if _, err := luaapi.Compile(string(Annotations), "inilua.lua"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(Annotations), "\n")
	fn := regexp.MustCompile(`^function [\w.:]+\(([^)]*)\) end$`)
	for i, line := range lines {
		m := fn.FindStringSubmatch(line)
		if m == nil {
			if strings.HasPrefix(line, "function") {
				t.Errorf("line %d: %q is not `function NAME(PARAMS) end`", i+1, line)
			}
			continue
		}
		var doc []string
		for j := i - 1; j >= 0 && strings.HasPrefix(lines[j], "---"); j-- {
			doc = append(doc, lines[j])
		}
		if len(doc) == 0 || strings.HasPrefix(doc[len(doc)-1], "---@") {
			t.Errorf("line %d: %s has no description", i+1, line)
		}
		for _, p := range strings.Split(m[1], ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if !slices.ContainsFunc(doc, func(d string) bool {
				return strings.HasPrefix(d, "---@param "+p+" ") || strings.HasPrefix(d, "---@param "+p+"? ")
			}) {
				t.Errorf("line %d: %s: no ---@param for %s", i+1, line, p)
			}
		}
	}
}

// TestFields reads ---@field names of a class.
func TestFields(t *testing.T) {
	if got, want := Fields("inilua.Host"), []string{"name", "address", "groups", "vars"}; !slices.Equal(got, want) {
		t.Errorf("Fields(inilua.Host) = %v, want %v", got, want)
	}
	if got := Fields("inilua.Nope"); got != nil {
		t.Errorf("Fields of a missing class: %v", got)
	}
}

// TestWrite: the files land in the directory; writing again is fine; a
// .luarc.json of the user's own is left alone with an error saying so.
func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scripts")
	for range 2 {
		paths, err := Write(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{filepath.Join(dir, LibDir, MetaFile), filepath.Join(dir, ".luarc.json")}
		if !slices.Equal(paths, want) {
			t.Errorf("paths %v, want %v", paths, want)
		}
		for i, content := range [][]byte{Annotations, LuaRC} {
			got, err := os.ReadFile(want[i])
			if err != nil || !bytes.Equal(got, content) {
				t.Errorf("%s: %v, content differs: %v", want[i], err, !bytes.Equal(got, content))
			}
		}
	}
	own := []byte(`{"diagnostics.globals": ["vim"]}`)
	rc := filepath.Join(dir, ".luarc.json")
	if err := os.WriteFile(rc, own, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Write(dir)
	if err == nil || !strings.Contains(err.Error(), `add "inilua-types" to its workspace.library`) {
		t.Errorf("error %v", err)
	}
	if got, _ := os.ReadFile(rc); !bytes.Equal(got, own) {
		t.Errorf(".luarc.json was changed: %s", got)
	}
}
