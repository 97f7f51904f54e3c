package luaapi

import (
	"context"
	"fmt"
	"io"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
)

// benchScript writes N keys (100 applications of N/100 keys, 8-byte
// values) into f through the table view, reads them all back by index and
// by pairs, then overwrites every value with the same bytes (no change).
const benchScript = `
local f, n = ...
local per = math.floor(n / 100)
for a = 1, 100 do
	local app = f["App" .. a]
	for k = 1, per do app["Key" .. k] = string.format("%08d", k) end
end
local total = 0
for a = 1, 100 do
	local app = f["App" .. a]
	for k = 1, per do total = total + #app["Key" .. k] end
end
for name, app in pairs(f) do
	for key, value in pairs(app) do total = total + #value end
end
for a = 1, 100 do
	local app = f["App" .. a]
	for k = 1, per do app["Key" .. k] = string.format("%08d", k) end
end
assert(total == 16 * n, total)
`

func benchKeys(b *testing.B, n int, open func(rt *Runtime) lua.LValue) {
	rt, err := New(context.Background(), Options{Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	prog, err := Compile(benchScript, "=bench")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Run(context.Background(), prog, open(rt), lua.LNumber(n)); err != nil {
			b.Fatal(err)
		}
	}
	if got, want := len(rt.Changes()), n*b.N; got != want {
		b.Fatalf("%d changes recorded, want %d", got, want)
	}
	// each key is written, read twice and rewritten: 4 accesses
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(4*n), "ns/access")
}

// BenchmarkLocal100k: 100 000 keys written, read twice and rewritten in a
// local in-memory file per iteration.
func BenchmarkLocal100k(b *testing.B) {
	benchKeys(b, 100000, func(rt *Runtime) lua.LValue {
		f := ini.New()
		return rt.fileValue(rt.newFile(f, f, "", ini.FormatINI, nil, nil))
	})
}

// BenchmarkRemote2k: the same script with 2000 keys on package server over
// loopback (one round trip per read and per write).
func BenchmarkRemote2k(b *testing.B) {
	dir := b.TempDir()
	addr := startServer(b, dir)
	s := dial(b, addr, false)
	i := 0
	benchKeys(b, 2000, func(rt *Runtime) lua.LValue {
		i++
		so := rt.addSession(s, "", false)
		f, err := rt.openRemote(so, "B"+string(rune('A'+i%26))+string(rune('A'+i/26%26))+".INI")
		if err != nil {
			b.Fatal(err)
		}
		return rt.fileValue(f)
	})
}

// BenchmarkNew measures creating and closing a runtime (the batch runner
// makes one per host): time and memory per runtime.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		rt, err := New(context.Background(), Options{Stdout: io.Discard, Stderr: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		rt.Close()
	}
}

// accessScript reads (mode "read") or writes (mode "write") every key of
// application "App" of t, t[app][key] each time, total accesses in all. t is a
// file's table view or a plain Lua table of tables; the keys and values
// are built once in a Lua array so that the loop times the access alone.
const accessScript = `
local t, mode, keys, vals, total = ...
local app, n = "App", #keys
while total > 0 do
	local m = math.min(n, total)
	total = total - m
	if mode == "read" then
		for i = 1, m do local v = t[app][keys[i]] end
	else
		for i = 1, m do t[app][keys[i]] = vals[i] end
	end
end
`

// benchAccess times accessScript on the table view of a local in-memory
// file (kind "view"), on floorView over a plain table of the same 1000
// keys (kind "floor") or on a plain table of tables (kind "table"); ns/op
// and allocs/op are per access (one op = one t[app][key]). Writes store
// the value the key already holds, which the recorder compares and does
// not record (so memory does not grow with b.N).
func benchAccess(b *testing.B, mode, kind string) {
	rt, err := New(context.Background(), Options{Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	prog, err := Compile(accessScript, "=access")
	if err != nil {
		b.Fatal(err)
	}
	const n = 1000
	L := rt.ls
	keys, vals := L.CreateTable(n, 0), L.CreateTable(n, 0)
	f := ini.New()
	plain := L.CreateTable(0, n)
	for i := range n {
		k, v := fmt.Sprintf("Key%d", i), fmt.Sprintf("%08d", i)
		keys.Append(lua.LString(k))
		vals.Append(lua.LString(v))
		plain.RawSetString(k, lua.LString(v))
		if err := f.Put([]byte("App"), []byte(k), []byte(v)); err != nil {
			b.Fatal(err)
		}
	}
	var t lua.LValue
	switch kind {
	case "view":
		t = rt.fileValue(rt.newFile(f, f, "", ini.FormatINI, nil, nil))
	case "floor":
		t = floorView(L, "App", plain)
	default:
		top := L.CreateTable(0, 1)
		top.RawSetString("App", plain)
		t = top
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := rt.Run(context.Background(), prog, t, lua.LString(mode), keys, vals, lua.LNumber(b.N)); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if len(rt.Changes()) != 0 {
		b.Fatalf("%d changes recorded, want none", len(rt.Changes()))
	}
}

// BenchmarkViewRead reads t[app][key] through a local file's table view;
// BenchmarkTableRead, its reference, reads a plain Lua table of tables.
func BenchmarkViewRead(b *testing.B)  { benchAccess(b, "read", "view") }
func BenchmarkTableRead(b *testing.B) { benchAccess(b, "read", "table") }

// BenchmarkFloorRead reads t[app][key] through floorView: the least a
// read costs in gopher-lua through any view that sees every write.
func BenchmarkFloorRead(b *testing.B) { benchAccess(b, "read", "floor") }

// BenchmarkViewWrite writes t[app][key] through a local file's table view;
// BenchmarkTableWrite, its reference, writes a plain Lua table of tables.
func BenchmarkViewWrite(b *testing.B)  { benchAccess(b, "write", "view") }
func BenchmarkTableWrite(b *testing.B) { benchAccess(b, "write", "table") }

// floorView returns t with t[app] the plain table vals, through the least
// gopher-lua (v1.1.2) allows for a view that sees every write: Lua calls
// __newindex only for a key a table does not hold, so both t and t[app]
// must be userdata (or empty tables), and a read of either is a lookup of
// __index in its metatable before the lookup of the name. Here each
// metatable holds __index alone, a table, in Go's small-map form
// (newSmallTable: one group of slots to check), and no Go code runs: what a
// read through it costs beyond a plain table of tables is what gopher-lua
// charges for the two metatables, not anything luaapi does. (Writes
// through it would fail; the floor is for reads.)
func floorView(L *lua.LState, app string, vals *lua.LTable) *lua.LUserData {
	wrap := func(index *lua.LTable) *lua.LUserData {
		mt := newSmallTable(L)
		mt.RawSetString("__index", index)
		ud := L.NewUserData()
		ud.Metatable = mt
		return ud
	}
	apps := newSmallTable(L)
	apps.RawSetString(app, wrap(vals))
	return wrap(apps)
}
