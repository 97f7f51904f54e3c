package luaapi

import (
	"bytes"
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
)

// valueTypes lists the names accepted by f:get, f:set and ini.decode: the
// value types of package ini (ini.ValueTypeNames).
var valueTypes = ini.ValueTypeNames()

// checkType returns the ini.ValueType named typ, or an error listing the
// valid names.
func checkType(typ string) error {
	_, err := ini.ParseValueType(typ)
	return err
}

// toInteger converts a Lua number to int64; it must be a whole number.
func toInteger(n lua.LNumber, typ string) (int64, error) {
	f := float64(n)
	if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, fmt.Errorf("%v is not an integer (type %s)", f, typ)
	}
	return int64(f), nil
}

// encodeInt encodes n as a little-endian integer of type typ (u8, u16,
// u32, i8, i16, i32); n must be an integer in the type's range.
func encodeInt(n lua.LNumber, typ string) ([]byte, error) {
	t, err := ini.ParseValueType(typ)
	if err != nil {
		return nil, err
	}
	i, err := toInteger(n, typ)
	if err != nil {
		return nil, err
	}
	return ini.Encode(t, i)
}

// encodeStrings builds a string of strings from a Lua array of non-empty
// strings without NUL (ini.EncodeStrings).
func encodeStrings(t *lua.LTable) ([]byte, error) {
	list, err := stringList(t)
	if err != nil {
		return nil, err
	}
	return ini.EncodeStrings(list)
}

// stringList returns the elements of the Lua array t, which must all be
// strings.
func stringList(t *lua.LTable) ([][]byte, error) {
	n := t.Len()
	list := make([][]byte, 0, n)
	for i := 1; i <= n; i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok {
			return nil, fmt.Errorf("element %d is a %s, want a string", i, typeName(t.RawGetInt(i)))
		}
		list = append(list, []byte(s))
	}
	return list, nil
}

// encodeValue converts a Lua value to bytes according to typ. "bytes" and
// "string" store a Lua string as it is; the other types follow ini.Encode.
func encodeValue(v lua.LValue, typ string) ([]byte, error) {
	t, err := ini.ParseValueType(typ)
	if err != nil {
		return nil, err
	}
	switch t {
	case ini.TypeBytes, ini.TypeString, ini.TypeString0, ini.TypeHex:
		s, ok := v.(lua.LString)
		if !ok {
			return nil, fmt.Errorf("type %s needs a string, got %s", typ, typeName(v))
		}
		if t == ini.TypeBytes || t == ini.TypeString {
			return []byte(s), nil
		}
		return ini.Encode(t, string(s))
	case ini.TypeStrings:
		tab, ok := v.(*lua.LTable)
		if !ok {
			return nil, fmt.Errorf("type strings needs an array of strings, got %s", typeName(v))
		}
		list, err := stringList(tab)
		if err != nil {
			return nil, fmt.Errorf("strings value: %w", err) // as ini's own errors name the type
		}
		return ini.EncodeStrings(list)
	default:
		n, ok := v.(lua.LNumber)
		if !ok {
			return nil, fmt.Errorf("type %s needs a number, got %s", typ, typeName(v))
		}
		return encodeInt(n, typ)
	}
}

// decodeValue converts bytes to a Lua value according to typ. "string"
// gives the bytes before the first NUL (all of them when there is none);
// the other types follow ini.Decode (integer types need the exact length).
func decodeValue(L *lua.LState, b []byte, typ string) (lua.LValue, error) {
	if typ == "bytes" {
		return lua.LString(b), nil
	}
	t, err := ini.ParseValueType(typ)
	if err != nil {
		return nil, err
	}
	if t == ini.TypeString {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return lua.LString(b), nil
	}
	x, err := ini.Decode(t, b)
	if err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case []byte:
		return lua.LString(x), nil
	case string:
		return lua.LString(x), nil
	case int64:
		return lua.LNumber(x), nil
	case [][]byte:
		tab := L.CreateTable(len(x), 0)
		for _, s := range x {
			tab.Append(lua.LString(s))
		}
		return tab, nil
	}
	return nil, fmt.Errorf("type %s: unexpected decoded %T", typ, x)
}
