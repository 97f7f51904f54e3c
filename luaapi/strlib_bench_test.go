package luaapi

import (
	"context"
	"fmt"
	"io"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// gsubBenchCases are the calls BenchmarkGsub times on a subject of n bytes
// S: a plain Lua byte loop over S (the reference), s:gsub('.', 'b') and
// the same with a function replacement.
var gsubBenchCases = []struct{ name, code string }{
	{"byteloop", `local n = 0 for i = 1, #S do n = n + S:byte(i) end return n`},
	{"gsub", `return S:gsub(".", "b")`},
	{"gsubFunc", `return S:gsub(".", function(c) return "b" end)`},
}

// BenchmarkGsub times string.gsub over 16 KiB and 64 KiB subjects, ours
// (package luapat) and gopher-lua's own (a bare gopher-lua state, the
// "before"), beside a plain Lua byte loop over the same subject in the
// same state (the reference of docs/PERFORMANCE.md). MB/s counts subject
// bytes.
func BenchmarkGsub(b *testing.B) {
	for _, n := range []int{16 << 10, 64 << 10} {
		for _, impl := range []string{"ours", "gopher"} {
			for _, c := range gsubBenchCases {
				b.Run(fmt.Sprintf("%s/%s/%dKiB", impl, c.name, n>>10), func(b *testing.B) {
					var L *lua.LState
					if impl == "ours" {
						rt, err := New(context.Background(), Options{Stdout: io.Discard, Stderr: io.Discard})
						if err != nil {
							b.Fatal(err)
						}
						defer rt.Close()
						L = rt.State()
					} else {
						L = lua.NewState()
						defer L.Close()
					}
					L.SetGlobal("S", lua.LString(make([]byte, n)))
					fn, err := L.LoadString(c.code)
					if err != nil {
						b.Fatal(err)
					}
					b.SetBytes(int64(n))
					b.ReportAllocs()
					for b.Loop() {
						L.Push(fn)
						if err := L.PCall(0, 1, nil); err != nil {
							b.Fatal(err)
						}
						L.Pop(1)
					}
				})
			}
		}
	}
}
