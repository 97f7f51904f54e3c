package luaapi

import (
	"errors"
	"fmt"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
)

// fileMethodFuncs returns the methods of file objects (f:get, f:set, ...).
func (r *Runtime) fileMethodFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"get": func(L *lua.LState) int {
			f := checkFile(L, 1)
			app, key := checkName(L, 2, "application"), checkName(L, 3, "key")
			L.Push(f.luaGet(L, app, key, optType(L, 4)))
			return 1
		},
		"set": func(L *lua.LState) int {
			f := checkFile(L, 1)
			app, key := checkName(L, 2, "application"), checkName(L, 3, "key")
			typ := optType(L, 5)
			v := L.Get(4)
			if v == lua.LNil {
				argError(L, 4, "value expected (use f:delete to delete)")
			}
			f.luaSet(L, app, key, v, typ)
			return 0
		},
		"delete": func(L *lua.LState) int {
			f := checkFile(L, 1)
			app := checkName(L, 2, "application")
			if L.Get(3) == lua.LNil {
				f.deleteApp(L, app)
				return 0
			}
			key := checkName(L, 3, "key")
			f.luaSet(L, app, key, lua.LNil, "bytes")
			return 0
		},
		"app": func(L *lua.LState) int {
			f := checkFile(L, 1)
			L.Push(r.appView(f, checkName(L, 2, "application")))
			return 1
		},
		"apps": func(L *lua.LState) int {
			f := checkFile(L, 1)
			apps, err := f.p.Applications()
			if err != nil {
				r.raise(L, f.fail("applications", nil, nil, err))
			}
			L.Push(namesTable(L, apps))
			return 1
		},
		"keys": func(L *lua.LState) int {
			f := checkFile(L, 1)
			app := checkName(L, 2, "application")
			keys, err := f.keys(app)
			if err != nil {
				r.raise(L, f.fail("keys", app, nil, err))
			}
			L.Push(namesTable(L, keys))
			return 1
		},
		"changes": func(L *lua.LState) int {
			f := checkFile(L, 1)
			cs := make([]Change, len(f.changes))
			for i, n := range f.changes {
				cs[i] = r.changes.at(n)
			}
			L.Push(changesTable(L, cs))
			return 1
		},
		"name": func(L *lua.LState) int {
			f := checkFile(L, 1)
			if f.given == "" {
				L.Push(lua.LNil)
			} else {
				L.Push(lua.LString(f.given))
			}
			return 1
		},
		"host": func(L *lua.LState) int {
			f := checkFile(L, 1)
			if f.sess == nil {
				L.Push(lua.LNil)
			} else {
				L.Push(lua.LString(f.sess.host))
			}
			return 1
		},
		"format": func(L *lua.LState) int {
			L.Push(lua.LString(checkFile(L, 1).format.String()))
			return 1
		},
		"rename_app": func(L *lua.LState) int {
			f := checkFile(L, 1)
			from, to := checkName(L, 2, "application"), checkName(L, 3, "application")
			n, err := renameApp(f.p, from, to)
			if err != nil {
				r.raise(L, f.fail("rename_app", from, nil, fmt.Errorf("to %q: %w", to, err)))
			}
			L.Push(lua.LNumber(n))
			return 1
		},
		"rename_key": func(L *lua.LState) int {
			f := checkFile(L, 1)
			app := checkName(L, 2, "application")
			from, to := checkName(L, 3, "key"), checkName(L, 4, "key")
			ok, err := renameKey(f.p, app, from, to)
			if err != nil {
				r.raise(L, f.fail("rename_key", app, from, fmt.Errorf("to %q: %w", to, err)))
			}
			L.Push(lua.LBool(ok))
			return 1
		},
		"save":   r.fileSave,
		"tni":    r.fileTNI,
		"binary": r.fileBinary,
	}
}

// renameApp copies every key of from into to (overwriting keys of the same
// name), then deletes from: an interrupted run leaves both, and a rerun
// completes it. Returns the number of keys moved; 0 when from is missing.
func renameApp(p ini.Profile, from, to []byte) (int, error) {
	if err := ini.CheckName("application", to); err != nil {
		return 0, err
	}
	if string(from) == string(to) {
		return 0, nil
	}
	keys, err := p.Keys(from)
	if errors.Is(err, ini.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		v, ok, err := lookup(p, from, k)
		if err != nil {
			return n, err
		}
		if !ok {
			continue
		}
		if err := p.Put(to, k, v); err != nil {
			return n, err
		}
		n++
	}
	return n, p.DeleteApplication(from)
}

// renameKey writes to, then deletes from. false when from is missing.
func renameKey(p ini.Profile, app, from, to []byte) (bool, error) {
	if err := ini.CheckName("key", to); err != nil {
		return false, err
	}
	v, ok, err := lookup(p, app, from)
	if err != nil || !ok || string(from) == string(to) {
		return false, err
	}
	if err := p.Put(app, to, v); err != nil {
		return false, err
	}
	return true, p.Delete(app, from)
}

// fileSave is f:save([path | opts]).
func (r *Runtime) fileSave(L *lua.LState) int {
	f := checkFile(L, 1)
	if f.local == nil {
		if L.Get(2) != lua.LNil {
			// a copy elsewhere is asked for, which a remote file cannot make
			r.raise(L, f.fail("save", nil, nil, errors.New("a remote file is saved on the host by every write: to keep a local copy, use s:fetch(name) and save that")))
		}
		// remote writes are on disk already: nothing to do
		return 0
	}
	path, format := f.name, f.format
	backup, force := false, false
	var ff *ini.FormatFile
	switch v := L.Get(2).(type) {
	case *lua.LNilType:
	case lua.LString:
		path = string(v)
		format = ini.FormatForName(path)
	case *lua.LTable:
		if p, ok := v.RawGetString("path").(lua.LString); ok {
			path = string(p)
			format = ini.FormatForName(path)
		}
		switch fv := v.RawGetString("format").(type) {
		case *lua.LNilType:
		case lua.LString:
			switch fv {
			case "ini":
				format = ini.FormatINI
			case "tni":
				format = ini.FormatTNI
			default:
				argError(L, 2, fmt.Sprintf("opts.format must be \"ini\" or \"tni\", got %q", string(fv)))
			}
		default:
			argError(L, 2, "opts.format must be a string")
		}
		backup = lua.LVAsBool(v.RawGetString("backup"))
		force = lua.LVAsBool(v.RawGetString("force"))
		ff = optFormatFile(L, 2, v.RawGetString("fmt"), "opts.fmt")
	default:
		argError(L, 2, "path or options table expected, got "+typeName(v))
	}
	if path == "" {
		r.raise(L, f.fail("save", nil, nil, errors.New("the file has no path: use f:save(path)")))
	}
	if r.opts.Safe {
		r.raise(L, &Error{File: path, Op: "save", Err: ErrSafeMode})
	}
	if r.opts.CheckMode {
		return 0
	}
	data := f.local
	if f.format == ini.FormatTNI {
		// a TNI file keeps its sorted order in any format it is saved in
		snap, err := f.snapshot()
		if err != nil {
			r.raise(L, f.fail("save", nil, nil, err))
		}
		data = snap
	}
	own := f.name == "" || samePath(path, f.name)
	if own && !force && f.disk != nil {
		if err := f.disk.check(path); err != nil {
			r.raise(L, &Error{File: path, Op: "save", Err: err})
		}
	}
	written, err := saveLocal(path, data, format, backup, ff)
	if err != nil {
		r.raise(L, &Error{File: path, Op: "save", Err: err})
	}
	if own {
		// the name as the script gave it stays unless it gave another,
		// and a plain f:save() then keeps the format just written
		if L.Get(2) != lua.LNil && path != f.name {
			f.given = path
		}
		f.format, f.disk = format, stateOf(written, true)
		f.name = path
		if abs, err := filepath.Abs(path); err == nil {
			f.name = abs
		}
	}
	return 0
}

// optFormatFile parses an optional FMT format file given as its text (spec
// ini-formats.md §5); nil when v is nil. A parse error raises an argument
// error naming what.
func optFormatFile(L *lua.LState, n int, v lua.LValue, what string) *ini.FormatFile {
	switch t := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LString:
		ff, err := ini.ParseFormatFile([]byte(t))
		if err != nil {
			argError(L, n, what+": "+err.Error())
		}
		return ff
	}
	argError(L, n, what+" must be the text of a format file, got "+typeName(v))
	return nil
}

// fileTNI is f:tni([fmt]): the TNI text of the file, laid out by the
// format file whose text is fmt.
func (r *Runtime) fileTNI(L *lua.LState) int {
	f := checkFile(L, 1)
	ff := optFormatFile(L, 2, L.Get(2), "format file")
	snap, err := f.snapshot()
	if err != nil {
		r.raise(L, f.fail("tni", nil, nil, err))
	}
	data, err := snap.MarshalTNI(ff)
	if err != nil {
		r.raise(L, f.fail("tni", nil, nil, err))
	}
	L.Push(lua.LString(data))
	return 1
}

// fileBinary is f:binary(): the binary INI bytes of the file.
func (r *Runtime) fileBinary(L *lua.LState) int {
	f := checkFile(L, 1)
	snap, err := f.snapshot()
	if err != nil {
		r.raise(L, f.fail("binary", nil, nil, err))
	}
	data, err := snap.MarshalBinary()
	if err != nil {
		r.raise(L, f.fail("binary", nil, nil, err))
	}
	L.Push(lua.LString(data))
	return 1
}
