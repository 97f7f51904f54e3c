package luaapi

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runWith is run with extra string globals.
func runWith(t *testing.T, globals map[string]string, code string, opts Options) (string, error) {
	t.Helper()
	var out bytes.Buffer
	opts.Stdout = &out
	opts.Stderr = &out
	rt, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	for k, v := range globals {
		if err := rt.SetGlobal(k, v); err != nil {
			t.Fatal(err)
		}
	}
	err = runCode(context.Background(), rt, code, "=t")
	return out.String(), err
}

// TestJSONRoundTrip: decode then encode gives the same document, nulls
// and holes included, and values keep their types.
func TestJSONRoundTrip(t *testing.T) {
	doc := `{"a":[1,null,3],"b":{"c":"xé\u0000y","d":true},"e":-0.5,"f":[],"g":9007199254740992,"h":"<&>"}`
	out, err := runWith(t, map[string]string{"DOC": doc}, `
		local v = json.decode(DOC)
		print(#v.a, v.a[1], v.a[2] == json.null, v.a[3], tostring(json.null))
		print(v.b.c == "x\195\169\0y", v.b.d, v.e, type(v.f), #v.f, v.g == 2^53)
		print(json.encode(v))
		print(require("json") == json, json.encode(nil), json.encode("a\"b"), json.encode(1e300), json.encode({x = {}}))
	`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "3\t1\ttrue\t3\tjson.null\n" +
		"true\ttrue\t-0.5\ttable\t0\ttrue\n" +
		doc + "\n" +
		"true\tnull\t\"a\\\"b\"\t1e+300\t{\"x\":[]}\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

// TestJSONIndent: the indent option pretty-prints, keys sorted.
func TestJSONIndent(t *testing.T) {
	out, err := run(t, `io.write(json.encode({b = {1, 2}, a = "x"}, {indent = "  "}))`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    2\n  ]\n}"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

// TestJSONDecodeErrors: syntax errors name the line and column; invalid
// UTF-8 and inexact integers are refused.
func TestJSONDecodeErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"{\n  \"a\": 1,\n  \"b\": }", `t:1: json.decode: line 3, column 8: invalid character '}' looking for beginning of value`},
		{`[1, 2`, `json.decode: at the end of the text: unexpected end of JSON input`},
		{`[1] x`, `json.decode: line 1, column 5: invalid character 'x' after top-level value`},
		{"[\"caf\xe9\"]", `json.decode: line 1, column 6: byte 0xE9 is not valid UTF-8 (JSON text must be UTF-8)`},
		{`{"u": [{"id": 9007199254740993}]}`, `json.decode: u[1].id: integer 9007199254740993 cannot be held exactly by a Lua number`},
		{`[1e400]`, `json.decode: [1]: number 1e400 is out of the range of a Lua number`},
		{``, `json.decode: at the end of the text: unexpected end of JSON input`},
		{strings.Repeat("[", 20000) + strings.Repeat("]", 20000), `exceeded max depth`},
	} {
		_, err := runWith(t, map[string]string{"DOC": c.text}, `json.decode(DOC)`, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.40q: error %v, want %q", c.text, err, c.want)
		}
		var ae *Error
		if err != nil && !errors.As(err, &ae) {
			t.Errorf("%.40q: %v is not an *Error", c.text, err)
		}
	}
	// an integer over 2^53 that a float64 holds exactly is accepted
	out, err := run(t, `print(json.decode("[9007199254740994]")[1] == 2^53 + 2)`, Options{})
	if err != nil || out != "true\n" {
		t.Errorf("2^53+2: %q %v", out, err)
	}
}

// TestJSONEncodeErrors: what JSON cannot hold is refused with the path of
// the value, never written changed.
func TestJSONEncodeErrors(t *testing.T) {
	for _, c := range []struct{ code, want string }{
		{`json.encode({users = {{name = "caf\233"}}})`, `json.encode: users[1].name: string not valid UTF-8 (byte 0xE9 at offset 3); JSON strings are Unicode text: encode binary data with ini.hex`},
		{`json.encode({["a b"] = {["\255"] = 1}})`, `json.encode: ["a b"]: key "\xff" not valid UTF-8`},
		{`local t = {}; t.self = t; json.encode(t)`, `json.encode: self: the table contains itself (a cycle)`},
		{`json.encode({1, 2, nil, 4})`, `json.encode: the value: the array has index 4 but no index 3 (use json.null for a hole)`},
		{`json.encode({1, x = 2})`, `json.encode: the value: the table mixes string keys ("x") and array indexes (1)`},
		{`json.encode({[1.5] = 1})`, `key 1.5: an array index must be a whole number from 1`},
		{`json.encode({[0] = 1})`, `key 0: an array index must be a whole number from 1`},
		{`json.encode({[true] = 1})`, `a boolean key cannot be written in JSON`},
		{`json.encode({f = print})`, `json.encode: f: a function cannot be written in JSON`},
		{`json.encode({v = ini.new()})`, `json.encode: v: a INI file cannot be written in JSON`},
		{`json.encode(0/0)`, `json.encode: the value: NaN cannot be written in JSON`},
		{`json.encode({x = 1/0})`, `json.encode: x: +Inf cannot be written in JSON`},
		{`local t = {}; for i = 1, 1500 do t = {t} end; json.encode(t)`, `tables nested more than 1000 deep`},
		{`json.encode(1, {indent = 4})`, `bad argument #2 to encode (indent must be a string of spaces or tabs)`},
		{`json.encode(1, {pretty = true})`, `bad argument #2 to encode (unknown option pretty`},
		{`json.decode(1)`, `bad argument #1 to decode (JSON text must be a string, got number)`},
	} {
		_, err := run(t, c.code, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.code, err, c.want)
		}
	}
	// a table used twice (not a cycle) is written twice
	out, err := run(t, `local s = {1}; print(json.encode({a = s, b = {s, s}}))`, Options{})
	if err != nil || out != `{"a":[1],"b":[[1],[1]]}`+"\n" {
		t.Errorf("shared table: %q %v", out, err)
	}
	// binary data goes through hex and back
	out, err = run(t, `local b = "\0\255\233"; print(ini.unhex(json.decode(json.encode({v = ini.hex(b)})).v) == b)`, Options{})
	if err != nil || out != "true\n" {
		t.Errorf("hex round trip: %q %v", out, err)
	}
}

// TestJSONSafeModeAndFiles: json is there in safe mode (it is pure), and
// a migration reads its data with io.open(...):read("a") as in Lua 5.3.
func TestJSONSafeModeAndFiles(t *testing.T) {
	out, err := run(t, `print(json.encode(json.decode('{"a":[true]}')))`, Options{Safe: true})
	if err != nil || out != `{"a":[true]}`+"\n" {
		t.Errorf("safe mode: %q %v", out, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "users.json")
	if err := os.WriteFile(path, []byte("[{\"name\": \"ann\"},\n {\"name\": \"bob\"}]\nsecond line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runWith(t, map[string]string{"P": path}, `
		local f = io.open(P)
		local first = f:read("l")
		f:close()
		print(first)
		local users = json.decode((io.open(P):read("a"):gsub("second line\n$", "")))
		for i, u in ipairs(users) do print(i, u.name) end
		print(io.open(P):read("*a") == io.open(P):read("a"))
	`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[{\"name\": \"ann\"},\n1\tann\n2\tbob\ntrue\n"; out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

// FuzzJSON: json.decode never panics or hangs; what it accepts encodes,
// and the encoding decodes and encodes to the same text.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,null,3],"b":{"c":"x"}}`, `[]`, `"\ud800"`, `1e400`, `[9007199254740993]`, "\"\xff\"", `{"a":1,"a":2}`} {
		f.Add(s)
	}
	rt, err := New(context.Background(), Options{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if err != nil {
		f.Fatal(err)
	}
	defer rt.Close()
	prog, err := Compile(`
		local ok, v = pcall(json.decode, DOC)
		if not ok then return end
		local once = json.encode(v)
		local twice = json.encode(json.decode(once))
		if once ~= twice then error("not stable: " .. once .. " / " .. twice) end
	`, "=fuzz")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if err := rt.SetGlobal("DOC", doc); err != nil {
			t.Fatal(err)
		}
		if _, err := rt.Run(context.Background(), prog); err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
	})
}
