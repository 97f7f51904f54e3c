package luaapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// MaxJSONDepth is how deeply json.encode nests tables (arrays and objects
// inside one another) before it refuses the value, as lua-cjson's default
// encode_max_depth. json.decode accepts what Go's encoding/json accepts
// (10000 levels).
const MaxJSONDepth = 1000

// maxExactInt is 2^53: every integer up to it in magnitude is a float64
// (a Lua 5.1 number) exactly.
const maxExactInt = 1 << 53

// jsonModule builds the json module table: encode, decode and the null
// sentinel. The text is read and written by Go's encoding/json; this file
// only maps Lua values to Go values and back (docs/lua-api.md, "The json
// module", says why layeh.com/gopher-json is not used).
func (r *Runtime) jsonModule() *lua.LTable {
	L := r.ls
	null := L.NewUserData()
	null.Value = jsonNull{}
	mt := L.NewTable()
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("json.null"))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("json.null"))
	L.SetMetatable(null, mt)
	r.jsonNull = null

	m := L.NewTable()
	m.RawSetString("null", null)
	m.RawSetString("encode", L.NewFunction(r.jsonEncode))
	m.RawSetString("decode", L.NewFunction(r.jsonDecode))
	return m
}

// jsonNull is the Go value of json.null.
type jsonNull struct{}

// jsonEncode is json.encode(value [, opts]) → string. opts.indent (a
// string of spaces or tabs) pretty-prints with one element per line.
func (r *Runtime) jsonEncode(L *lua.LState) int {
	v := L.CheckAny(1)
	indent := ""
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		opts, ok := L.Get(2).(*lua.LTable)
		if !ok {
			argError(L, 2, "options must be a table, got "+typeName(L.Get(2)))
		}
		var bad string
		opts.ForEach(func(k, val lua.LValue) {
			ks, _ := k.(lua.LString)
			switch {
			case bad != "":
			case ks == "indent":
				s, ok := val.(lua.LString)
				if !ok || strings.Trim(string(s), " \t") != "" {
					bad = "indent must be a string of spaces or tabs"
				}
				indent = string(s)
			default:
				bad = fmt.Sprintf("unknown option %s (json.encode takes indent)", k.String())
			}
		})
		if bad != "" {
			argError(L, 2, bad)
		}
	}
	enc := jsonEncoder{null: r.jsonNull, active: map[*lua.LTable]bool{}}
	gv, err := enc.value(v, "", 0)
	if err != nil {
		r.raise(L, &Error{Op: "json.encode", Err: err})
	}
	var b bytes.Buffer
	je := json.NewEncoder(&b)
	je.SetEscapeHTML(false)
	je.SetIndent("", indent)
	if err := je.Encode(gv); err != nil {
		r.raise(L, &Error{Op: "json.encode", Err: err})
	}
	L.Push(lua.LString(bytes.TrimSuffix(b.Bytes(), []byte("\n"))))
	return 1
}

// jsonEncoder converts a Lua value to the Go value encoding/json writes:
// nil, bool, float64, string, []any or map[string]any.
type jsonEncoder struct {
	null   *lua.LUserData
	active map[*lua.LTable]bool // tables being converted (on the path to the current value)
}

// where names a path for error messages ("the value" for the root).
func where(path string) string {
	if path == "" {
		return "the value"
	}
	return path
}

// child returns the path of key k inside path: name for an identifier,
// [n] for an array index, ["any text"] otherwise.
func child(path string, k lua.LValue) string {
	switch k := k.(type) {
	case lua.LNumber:
		return path + "[" + k.String() + "]"
	case lua.LString:
		s := string(k)
		if isIdent(s) {
			if path == "" {
				return s
			}
			return path + "." + s
		}
		return path + "[" + strconv.Quote(s) + "]"
	}
	return path + "[" + k.String() + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// utf8Error describes the first invalid UTF-8 sequence of s.
func utf8Error(s string) error {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Errorf("not valid UTF-8 (byte 0x%02X at offset %d); JSON strings are Unicode text: encode binary data with ini.hex", s[i], i)
		}
		i += n
	}
	return nil
}

func (e *jsonEncoder) value(v lua.LValue, path string, depth int) (any, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(v), nil
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%s: %v cannot be written in JSON", where(path), f)
		}
		return f, nil
	case lua.LString:
		if err := utf8Error(string(v)); err != nil {
			return nil, fmt.Errorf("%s: string %w", where(path), err)
		}
		return string(v), nil
	case *lua.LUserData:
		if v == e.null {
			return nil, nil
		}
	case *lua.LTable:
		return e.table(v, path, depth)
	}
	return nil, fmt.Errorf("%s: a %s cannot be written in JSON", where(path), typeName(v))
}

// table converts t: an array when its keys are exactly 1..n, an object when
// they are all strings, [] when it is empty.
func (e *jsonEncoder) table(t *lua.LTable, path string, depth int) (any, error) {
	if depth >= MaxJSONDepth {
		return nil, fmt.Errorf("%s: tables nested more than %d deep", where(path), MaxJSONDepth)
	}
	if e.active[t] {
		return nil, fmt.Errorf("%s: the table contains itself (a cycle)", where(path))
	}
	e.active[t] = true
	defer delete(e.active, t)

	var strKeys, numKeys int
	var firstStr, firstNum lua.LValue
	var maxIndex float64
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		switch k := k.(type) {
		case lua.LString:
			strKeys++
			if firstStr == nil {
				firstStr = k
			}
		case lua.LNumber:
			f := float64(k)
			if f != math.Trunc(f) || f < 1 || f > maxExactInt {
				return nil, fmt.Errorf("%s: key %s: an array index must be a whole number from 1", where(path), k.String())
			}
			numKeys++
			if firstNum == nil {
				firstNum = k
			}
			maxIndex = max(maxIndex, f)
		default:
			return nil, fmt.Errorf("%s: a %s key cannot be written in JSON (keys are strings, or 1..n for an array)", where(path), typeName(k))
		}
	}
	switch {
	case strKeys > 0 && numKeys > 0:
		return nil, fmt.Errorf("%s: the table mixes string keys (%s) and array indexes (%s); JSON has arrays or objects", where(path), strconv.Quote(firstStr.String()), firstNum.String())
	case strKeys > 0:
		obj := make(map[string]any, strKeys)
		for k, val := t.Next(lua.LNil); k != lua.LNil; k, val = t.Next(k) {
			ks := string(k.(lua.LString))
			if err := utf8Error(ks); err != nil {
				return nil, fmt.Errorf("%s: key %s %w", where(path), strconv.Quote(ks), err)
			}
			gv, err := e.value(val, child(path, k), depth+1)
			if err != nil {
				return nil, err
			}
			obj[ks] = gv
		}
		return obj, nil
	case float64(numKeys) != maxIndex:
		var missing int
		for i := 1; ; i++ {
			if t.RawGetInt(i) == lua.LNil {
				missing = i
				break
			}
		}
		return nil, fmt.Errorf("%s: the array has index %.0f but no index %d (use json.null for a hole)", where(path), maxIndex, missing)
	}
	arr := make([]any, numKeys)
	for i := range arr {
		gv, err := e.value(t.RawGetInt(i+1), child(path, lua.LNumber(i+1)), depth+1)
		if err != nil {
			return nil, err
		}
		arr[i] = gv
	}
	return arr, nil
}

// jsonDecode is json.decode(text) → value.
func (r *Runtime) jsonDecode(L *lua.LState) int {
	data := []byte(checkString(L, 1, "JSON text"))
	fail := func(err error) {
		r.raise(L, &Error{Op: "json.decode", Err: err})
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			c, n := utf8.DecodeRune(data[off:])
			if c == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		fail(fmt.Errorf("%s: byte 0x%02X is not valid UTF-8 (JSON text must be UTF-8)", position(data, off), data[off]))
	}
	// Unmarshal checks the whole text first, so a syntax error carries the
	// offset in data; the value is then read with UseNumber so that large
	// integers are not rounded silently.
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := int(se.Offset) - 1 // the byte that was wrong
			if off < 0 || strings.HasPrefix(se.Error(), "unexpected end") {
				off = len(data)
			}
			fail(fmt.Errorf("%s: %s", position(data, off), se.Error()))
		}
		fail(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		fail(err)
	}
	lv, err := r.jsonToLua(L, v, "")
	if err != nil {
		fail(err)
	}
	L.Push(lv)
	return 1
}

// position gives "line L, column C" (both from 1, column in bytes) of
// byte offset off in data; an offset at the end names the end of the text.
func position(data []byte, off int) string {
	if off >= len(data) {
		return "at the end of the text"
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// jsonToLua converts a value decoded by encoding/json (with UseNumber) to Lua.
func (r *Runtime) jsonToLua(L *lua.LState, v any, path string) (lua.LValue, error) {
	switch v := v.(type) {
	case nil:
		return r.jsonNull, nil
	case bool:
		return lua.LBool(v), nil
	case string:
		return lua.LString(v), nil
	case json.Number:
		f, err := jsonNumber(string(v))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where(path), err)
		}
		return lua.LNumber(f), nil
	case []any:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			lv, err := r.jsonToLua(L, e, child(path, lua.LNumber(i+1)))
			if err != nil {
				return nil, err
			}
			t.RawSetInt(i+1, lv)
		}
		return t, nil
	case map[string]any:
		t := L.CreateTable(0, len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // errors name the same key every run
		for _, k := range keys {
			lv, err := r.jsonToLua(L, v[k], child(path, lua.LString(k)))
			if err != nil {
				return nil, err
			}
			t.RawSetString(k, lv)
		}
		return t, nil
	}
	return nil, fmt.Errorf("%s: unexpected %T", where(path), v)
}

// jsonNumber converts a JSON number to a Lua number. Integers (no fraction
// or exponent) must be held exactly: one over 2^53 that a float64 cannot
// hold is an error rather than a silently different number.
func jsonNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("number %s is out of the range of a Lua number", s)
	}
	if strings.ContainsAny(s, ".eE") || math.Abs(f) < maxExactInt {
		return f, nil
	}
	want, _ := new(big.Int).SetString(s, 10)
	got, _ := new(big.Float).SetFloat64(f).Int(nil)
	if want == nil || got.Cmp(want) != 0 {
		return 0, fmt.Errorf("integer %s cannot be held exactly by a Lua number (whole numbers are exact up to 2^53); write it as a string", s)
	}
	return f, nil
}
