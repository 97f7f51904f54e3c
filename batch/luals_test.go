package batch

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/luaapi/luals"
)

// TestAnnotationsOfBatchGlobals: the LuaLS annotations (package luals)
// declare every global a batch script gets beyond Lua's own, and exactly
// the fields of HOST the runner sets.
func TestAnnotationsOfBatchGlobals(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	hosts[0].Vars = map[string]string{"site": "ams"}
	hosts[0].VarOrder = []string{"site"}
	code := []byte(`
local g = {}
for k in pairs(_G) do g[#g + 1] = k end
table.sort(g)
print("globals " .. table.concat(g, " "))
local h = {}
for k in pairs(HOST) do if k ~= "site" then h[#h + 1] = k end end
table.sort(h)
print("host " .. table.concat(h, " "))
print("args " .. type(ARGS) .. " " .. tostring(ARGS.x))
`)
	results, err := Run(context.Background(), hosts, Options{Script: "g.lua", Code: code, Args: []string{"x=1"}})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != StatusOK {
		t.Fatalf("%s: %s", results[0].Status, results[0].Err)
	}
	lines := map[string][]string{}
	for _, l := range strings.Split(string(results[0].Output), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = f[1:]
		}
	}
	var declared []string
	for _, m := range regexp.MustCompile(`(?m)^([A-Za-z_]\w*) = `).FindAllSubmatch(luals.Annotations, -1) {
		declared = append(declared, string(m[1]))
	}
	plain := lua.NewState()
	defer plain.Close()
	for _, g := range lines["globals"] {
		if plain.GetGlobal(g) == lua.LNil && g != "arg" && !slices.Contains(declared, g) {
			t.Errorf("batch scripts get the global %s, which luaapi/luals/inilua.lua does not annotate", g)
		}
	}
	for _, g := range []string{"HOST", "ARGS"} {
		if !slices.Contains(lines["globals"], g) {
			t.Errorf("no global %s in a batch script: %v", g, lines["globals"])
		}
	}
	want := luals.Fields("inilua.Host")
	sort.Strings(want)
	if got := lines["host"]; !slices.Equal(got, want) {
		t.Errorf("HOST has fields %v, the annotations declare %v", got, want)
	}
	if got := strings.Join(lines["args"], " "); got != "table 1" {
		t.Errorf("ARGS: %q", got)
	}
}
