package luaapi

import (
	"fmt"
	"testing"
)

func TestZZProbe(t *testing.T) {
	for _, code := range []string{
		`print(package.loaded.package)`,
		`local p = package.loaded.package; print(p and p.loaders, p and p.loadlib)`,
		`local p = package.loaded.package; print(pcall(p.loaders[2], "x"))`,
		`print(pcall(string.dump, print))`,
		`print(pcall(load, "\27Lua"))`,
		`print(getfenv(0) == _G, getfenv(print))`,
		`print(newproxy, collectgarbage("count"))`,
		`print(pcall(string.rep, "x", 2^62))`,
		`print(pcall(unpack, {}, 1, 1e8))`,
		`print(pcall(error, {}))`,
		`error(setmetatable({}, {__tostring = function() error("boom") end}))`,
		`error(ini.new())`,
		`local f = ini.new(); print(pcall(f.get, nil)); print(pcall(f.get, "x")); print(pcall(ini.new().A.keys, 1))`,
		`local f = ini.new(); print(pcall(getmetatable(f).__index, 1, 2))`,
		`print(getmetatable(ini.new()), getmetatable(ini.new().A))`,
		`local co = coroutine.wrap(function() local f = ini.new(); f.a.b="c"; for k, v in pairs(f) do coroutine.yield(k) end end); print(co(), pcall(co), pcall(co))`,
		`local co = coroutine.create(function() for k in pairs(setmetatable({}, {__pairs=function(t) coroutine.yield(1); return next, {a=1}, nil end})) do print(k) end end); print(coroutine.resume(co)); print(coroutine.resume(co))`,
		`print(pcall(os.date, "%Ez"), pcall(os.date, "*t", 1e300))`,
		`print(pcall(string.format, "%99999999999d", 1))`,
		`print(pcall(string.find, string.rep("a", 30), string.rep("a*", 30).."b"))`,
		`print(pcall(ini.decode, "\1\2", "u16"), pcall(ini.decode, "\1", "u16"))`,
		`local f = ini.new(); print(pcall(f.set, f, "A", "K", "zz", "hex"))`,
		`local f = ini.new(); print(pcall(f.set, f, "A", "K", "x\0y", "string0"))`,
		`local f = ini.new(); print(pcall(f.set, f, "A", "K", 1.5, "u32"))`,
		`local f = ini.new(); print(pcall(f.set, f, "A", "K", {1}, "strings"))`,
		`local f = ini.new(); print(pcall(f.set, f, "A", "K", "x", "u32"))`,
		`local f = ini.new(); f.A.K="\1"; print(pcall(f.get, f, "A", "K", "string0"))`,
		`local f = ini.new(); f.A.K="\1"; print(pcall(f.get, f, "A", "K", "strings"))`,
		`local f = ini.new(); print(pcall(function() f[""].x = "y" end))`,
		`local f = ini.new(); print(pcall(function() f.a[""] = "y" end))`,
		`local f = ini.new(); print(pcall(function() f["a\0b"].x = "y" end))`,
		`print(select('#', pcall(setfenv, 1, {})))`,
		`print(pcall(ini.strings, {"a", 1}))`,
		`print(pcall(ini.u8, -1), pcall(ini.u8, 0/0), pcall(ini.u32, 1/0))`,
		`print(pcall(ini.unhex, "0"))`,
		`print(tostring(ini.new()), tostring(ini.new().X))`,
		`local s = string.rep("x", 10); print(#s)`,
	} {
		out, err := run(t, code, Options{Safe: true})
		fmt.Printf("=== %s\n%s   err=%v\n", code, out, err)
	}
}
