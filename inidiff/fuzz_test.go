package inidiff

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/luaapi"
)

// realSeeds adds names and values of the real files (when ../shared is
// there) to f's corpus, at most max of them.
func realSeeds(f *testing.F, max int) {
	n := 0
	filepath.WalkDir(realDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || n >= max {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(data, []byte{0xFF, 0xFF, 0xFF, 0xFF}) {
			return nil
		}
		file, err := ini.ParseBinary(data)
		if err != nil {
			return nil
		}
		for _, a := range file.Apps {
			f.Add(a.Name)
			for _, e := range a.Entries {
				f.Add(e.Key)
				f.Add(e.Value)
				n++
			}
		}
		return nil
	})
}

// FuzzLuaString: every byte string comes back unchanged from the Lua
// literal LuaString makes.
func FuzzLuaString(f *testing.F) {
	for _, s := range []string{"", "\x00", "a\"b\\c", "\x011", "\r\n\t\x7f\x80\xff", "]]", "[==["} {
		f.Add([]byte(s))
	}
	realSeeds(f, 200)
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := L.DoString("return " + LuaString(b)); err != nil {
			t.Fatalf("LuaString(%q) = %s: %v", b, LuaString(b), err)
		}
		got := L.Get(-1)
		L.Pop(1)
		if s, ok := got.(lua.LString); !ok || string(s) != string(b) {
			t.Fatalf("LuaString(%q) = %s reads back as %q", b, LuaString(b), got)
		}
	})
}

// FuzzLuaValue: the expression LuaValue makes evaluates, with the ini
// module, to exactly the value's bytes.
func FuzzLuaValue(f *testing.F) {
	for _, s := range []string{"", "text\x00", "\x2c\x01\x00\x00", "a\x00b\x00\x00", "\x00\x01\x02", "\xff", "\x01\x02", "\x00\x00"} {
		f.Add([]byte(s))
	}
	realSeeds(f, 200)
	ctx := context.Background()
	var out bytes.Buffer
	rt, err := luaapi.New(ctx, luaapi.Options{Stdout: &out, Stderr: &out, Safe: true})
	if err != nil {
		f.Fatal(err)
	}
	defer rt.Close()
	f.Fuzz(func(t *testing.T, v []byte) {
		expr := LuaValue(v)
		prog, err := luaapi.Compile("return "+expr, "value")
		if err != nil {
			t.Fatalf("LuaValue(%q) = %s: %v", v, expr, err)
		}
		res, err := rt.Run(ctx, prog)
		if err != nil {
			t.Fatalf("LuaValue(%q) = %s: %v", v, expr, err)
		}
		if len(res) != 1 || res[0].String() != string(v) {
			t.Fatalf("LuaValue(%q) = %s gives %v", v, expr, res)
		}
	})
}
