package main

import (
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/luaapi"
)

// argTable builds the global arg: arg[0] = script, arg[1..n] = args.
func argTable(rt *luaapi.Runtime, script string, args []string) *lua.LTable {
	t := rt.State().NewTable()
	t.RawSetInt(0, lua.LString(script))
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
	return t
}

// luaStrings converts args to Lua strings (the values of "...").
func luaStrings(args []string) []lua.LValue {
	out := make([]lua.LValue, len(args))
	for i, a := range args {
		out[i] = lua.LString(a)
	}
	return out
}

// stripShebang blanks a first line starting with # (keeping line numbers).
func stripShebang(code string) string {
	if strings.HasPrefix(code, "#") {
		if i := strings.IndexByte(code, '\n'); i >= 0 {
			return "--" + code[i:]
		}
		return ""
	}
	return code
}
