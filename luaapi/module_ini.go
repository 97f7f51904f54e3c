package luaapi

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
)

// iniModule builds the ini module table.
func (r *Runtime) iniModule() *lua.LTable {
	L := r.ls
	m := L.NewTable()
	fns := map[string]lua.LGFunction{
		"open":  r.iniOpen,
		"new":   r.iniNew,
		"parse": r.iniParse,
		"u8":    intEncoder("u8"),
		"u16":   intEncoder("u16"),
		"u32":   intEncoder("u32"),
		"i32":   intEncoder("i32"),
		"strz": func(L *lua.LState) int {
			s := checkString(L, 1, "text")
			L.Push(lua.LString(s + "\x00"))
			return 1
		},
		"strings": func(L *lua.LState) int {
			b, err := encodeStrings(L.CheckTable(1))
			if err != nil {
				argError(L, 1, err.Error())
			}
			L.Push(lua.LString(b))
			return 1
		},
		"hex": func(L *lua.LState) int {
			s := checkString(L, 1, "bytes")
			L.Push(lua.LString(strings.ToUpper(hex.EncodeToString([]byte(s)))))
			return 1
		},
		"unhex": func(L *lua.LState) int {
			s := checkString(L, 1, "text")
			b, err := hex.DecodeString(s)
			if err != nil {
				argError(L, 1, "not hex text: "+err.Error())
			}
			L.Push(lua.LString(b))
			return 1
		},
		"decode": func(L *lua.LState) int {
			s := checkString(L, 1, "bytes")
			typ := checkString(L, 2, "type")
			if err := checkType(typ); err != nil {
				argError(L, 2, err.Error())
			}
			v, err := decodeValue(L, []byte(s), typ)
			if err != nil {
				r.raise(L, &Error{Op: "decode", Err: fmt.Errorf("as %s: %w", typ, err)})
			}
			L.Push(v)
			return 1
		},
		"choose": r.iniChoose,
	}
	for name, fn := range fns {
		m.RawSetString(name, L.NewFunction(fn))
	}
	types := L.NewTable()
	for _, t := range valueTypes {
		types.Append(lua.LString(t))
	}
	m.RawSetString("types", types)
	return m
}

// checkString returns argument n, which must be a Lua string (numbers are
// not converted: bytes are bytes).
func checkString(L *lua.LState, n int, what string) string {
	s, ok := L.Get(n).(lua.LString)
	if !ok {
		argError(L, n, what+" must be a string, got "+typeName(L.Get(n)))
	}
	return string(s)
}

// intEncoder returns ini.u8 and friends.
func intEncoder(typ string) lua.LGFunction {
	return func(L *lua.LState) int {
		n, ok := L.Get(1).(lua.LNumber)
		if !ok {
			argError(L, 1, "number expected, got "+typeName(L.Get(1)))
		}
		b, err := encodeInt(n, typ)
		if err != nil {
			argError(L, 1, err.Error())
		}
		L.Push(lua.LString(b))
		return 1
	}
}

// iniOpen is ini.open(path [, opts]).
func (r *Runtime) iniOpen(L *lua.LState) int {
	path := checkString(L, 1, "path")
	create := false
	switch o := L.Get(2).(type) {
	case *lua.LNilType:
	case *lua.LTable:
		create = lua.LVAsBool(o.RawGetString("create"))
	default:
		argError(L, 2, "options table expected, got "+typeName(o))
	}
	if r.opts.Safe {
		r.raise(L, &Error{File: path, Op: "open", Err: ErrSafeMode})
	}
	data, err := os.ReadFile(path)
	var f *ini.File
	format := ini.FormatForName(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		f = ini.New()
	case err != nil:
		r.raise(L, &Error{File: path, Op: "open", Err: err})
	default:
		if len(data) > 0 {
			format = ini.DetectFormat(data)
		}
		f, err = ini.ParseWarn(path, data, format, r.warnFormat)
		if err != nil {
			// the *ini.FormatError names the file and offset or line
			r.raise(L, &Error{Op: "open", Err: notBinaryHint(path, data, format, err)})
		}
	}
	given := path
	if abs, err := filepath.Abs(path); err == nil {
		path = abs // changes and errors name local files by their absolute path
	}
	fo := r.newFile(f, f, path, format, nil, nil)
	fo.given = given
	fo.disk = stateOf(data, err == nil)
	L.Push(r.fileValue(fo))
	return 1
}

// notBinaryHint explains a parse error of a file whose name says binary INI
// (not .TNI) but whose content was read as TNI text because it lacks the
// FF FF FF FF signature: without it, a corrupt X.INI reports a TNI syntax
// error at line 1, which reads as if the wrong file had been opened. err is
// wrapped (%w), so the *ini.FormatError stays reachable with errors.As.
func notBinaryHint(path string, data []byte, format ini.Format, err error) error {
	if format != ini.FormatTNI || ini.FormatForName(path) != ini.FormatINI {
		return err
	}
	return fmt.Errorf("%s: not a binary INI file (starts with % X, not FF FF FF FF), so it was read as TNI text: %w",
		path, data[:min(4, len(data))], err)
}

// iniNew is ini.new(): an empty local file without a path.
func (r *Runtime) iniNew(L *lua.LState) int {
	f := ini.New()
	L.Push(r.fileValue(r.newFile(f, f, "", ini.FormatINI, nil, nil)))
	return 1
}

// iniParse is ini.parse(bytes [, name]): binary INI or TNI text by content;
// name appears in parse errors only.
func (r *Runtime) iniParse(L *lua.LState) int {
	data := []byte(checkString(L, 1, "bytes"))
	name := ""
	if L.Get(2) != lua.LNil {
		name = checkString(L, 2, "name")
	}
	format := ini.DetectFormat(data)
	f, err := ini.ParseWarn(name, data, format, r.warnFormat)
	if err != nil {
		r.raise(L, &Error{Op: "parse", Err: err})
	}
	// name is for the error above only: the file has no path to save to
	L.Push(r.fileValue(r.newFile(f, f, "", format, nil, nil)))
	return 1
}

// iniChoose is ini.choose(base): GenINI's choice between base.INI and
// base.TNI on the local disk (spec ini-formats.md §6.2).
func (r *Runtime) iniChoose(L *lua.LState) int {
	base := checkString(L, 1, "base name")
	if r.opts.Safe {
		r.raise(L, &Error{File: base, Op: "choose", Err: ErrSafeMode})
	}
	name, err := chooseLocal(base, r.warnFormat)
	if err != nil {
		r.raise(L, &Error{File: base, Op: "choose", Err: err})
	}
	L.Push(lua.LString(name))
	return 1
}
