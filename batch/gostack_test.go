package batch

import (
	"bytes"
	"context"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/luaapi"
)

// TestGoStack: with Options.GoStack, a host whose script fails on a Go
// panic in the API gets the traceback in its output, naming the Go
// function that panicked and the script's line; without, its output holds
// no traceback and the host still fails with the panic's message.
func TestGoStack(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	for _, goStack := range []bool{false, true} {
		results, err := Run(context.Background(), hosts, Options{
			Script: "boom.lua", Out: &bytes.Buffer{}, GoStack: goStack,
			Code:  []byte("local s = ...\nboom()\n"),
			setup: func(rt *luaapi.Runtime) { rt.SetGlobal("boom", rt.State().NewFunction(panickyAPICall)) },
		})
		if err != nil {
			t.Fatal(err)
		}
		r := results[0]
		if r.Status != StatusFailed || !strings.Contains(r.Err, "index out of range") {
			t.Fatalf("GoStack %v: status %s, error %q", goStack, r.Status, r.Err)
		}
		out := string(r.Output)
		if has := strings.Contains(out, "batch.panickyAPICall"); has != goStack {
			t.Errorf("GoStack %v: output names the panicking Go function: %v\n%s", goStack, has, out)
		}
		if has := strings.Contains(out, "boom.lua:2:"); has != goStack {
			t.Errorf("GoStack %v: output has the Lua traceback: %v\n%s", goStack, has, out)
		}
	}
}

// panickyAPICall stands for an API function with a bug.
func panickyAPICall(L *lua.LState) int {
	var s []int
	return s[L.GetTop()+3]
}
