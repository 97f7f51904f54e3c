package luaapi

import (
	"context"
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
	fn, err := rt.Load(benchScript, "=bench")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Call(context.Background(), fn, open(rt), lua.LNumber(n)); err != nil {
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
