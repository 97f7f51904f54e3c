package inidiff

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/luaapi"
)

// runScript runs a generated script with the public runtime, as `inilua
// script.lua args...` does, and returns what it printed.
func runScript(t *testing.T, script []byte, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	ctx := context.Background()
	rt, err := luaapi.New(ctx, luaapi.Options{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	proto, err := luaapi.Compile(string(script), "generated.lua")
	if err != nil {
		t.Fatalf("generated script does not compile: %v\n%s", err, script)
	}
	vals := make([]lua.LValue, len(args))
	for i, a := range args {
		vals[i] = lua.LString(a)
	}
	_, err = rt.Run(ctx, proto, vals...)
	return out.String(), err
}

func generate(t *testing.T, old, new *ini.File, oldPath string) []byte {
	t.Helper()
	var b bytes.Buffer
	h := Header{Old: SourceOf(old, oldPath, oldPath, false), New: SourceOf(new, "new", "new", false), Generator: "test"}
	if err := WriteLua(&b, Compare(old, new), h); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readBack reads a local file the way ini.open does (format by content).
func readBack(t *testing.T, path string) *ini.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ini.Parse(path, data, ini.DetectFormat(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLuaScriptLocal(t *testing.T) {
	dir := t.TempDir()
	old := file(t, "Mail", "Port", "\x19\x00\x00\x00", "Mail", "Old", "x\x00", "Gone", "a", "1", "Keep", "k", "v")
	new := file(t, "Mail", "Port", "\x2c\x01\x00\x00", "Mail", "Banner", "Hi\x00",
		"Keep", "k", "v", "strs", "l", "a\x00b\x00\x00", "bin", "b", "\x00\x01\x02\x03\x04")
	path := filepath.Join(dir, "MAIL.TNI")
	if err := old.Save(path, ini.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	script := generate(t, old, new, path)
	for _, want := range []string{"f:set(\"Mail\", \"Port\", ini.u32(300)) -- was 0x19000000 (25)",
		"f:delete(\"Gone\")", "ini.strings{\"a\", \"b\"}", "ini.unhex(\"0001020304\")", "f:delete(\"Mail\", \"Old\")"} {
		if !bytes.Contains(script, []byte(want)) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	// default file: the one it was made from
	out, err := runScript(t, script)
	if err != nil {
		t.Fatalf("%v\n%s", err, script)
	}
	if want := path + ": 6 changes\n"; out != want {
		t.Errorf("first run printed %q, want %q", out, want)
	}
	if got := readBack(t, path); !Same(got, new) {
		t.Errorf("result differs from the new file: %+v", Compare(got, new))
	}
	before, _ := os.ReadFile(path)
	out, err = runScript(t, script, "file="+path)
	if err != nil || out != path+": 0 changes\n" {
		t.Errorf("second run: %q, %v", out, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("second run rewrote the file")
	}
}

func TestLuaScriptArguments(t *testing.T) {
	old := file(t, "A", "k", "1")
	new := file(t, "A", "k", "2")
	var b bytes.Buffer
	h := Header{Old: SourceOf(old, `h1:C:\X.INI`, `C:\X.INI`, true), New: SourceOf(new, "n", "n", false)}
	if err := WriteLua(&b, Compare(old, new), h); err != nil {
		t.Fatal(err)
	}
	if _, err := runScript(t, b.Bytes()); err == nil || !strings.Contains(err.Error(), "give file=LOCAL.INI") {
		t.Errorf("remote-made script run locally without file=: %v", err)
	}
	if _, err := runScript(t, b.Bytes(), "fiel=x"); err == nil || !strings.Contains(err.Error(), `argument "fiel=x"`) {
		t.Errorf("unknown argument: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "NOPE.INI")
	if _, err := runScript(t, b.Bytes(), "file="+missing); err == nil || !strings.Contains(err.Error(), "NOPE.INI") {
		t.Errorf("missing file: %v", err)
	}
	// made from an empty file: a missing file is created
	created := filepath.Join(t.TempDir(), "NEW.INI")
	if _, err := runScript(t, generate(t, ini.New(), new, "x"), "file="+created); err != nil {
		t.Fatal(err)
	}
	if got := readBack(t, created); !Same(got, new) {
		t.Errorf("created file differs: %+v", Compare(got, new))
	}
}

func TestLuaScriptEmptyName(t *testing.T) {
	old := ini.New()
	old.Apps = append(old.Apps, &ini.Application{Name: []byte{}, Entries: []ini.Entry{{Key: []byte("k"), Value: []byte("v")}}})
	var b bytes.Buffer
	if err := WriteLua(&b, Compare(old, ini.New()), Header{}); err == nil || !strings.Contains(err.Error(), "empty name") {
		t.Errorf("empty application name: %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %d bytes before failing", b.Len())
	}
}
