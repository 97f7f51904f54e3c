package luaapi

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/plural"
)

// fileObj is the Go side of a Lua file object, local or remote. All access
// goes through p, the recorded (and, for remote check runs, overlaid)
// profile.
type fileObj struct {
	rt      *Runtime
	p       ini.Profile        // what the views use: recorder on top
	local   *ini.File          // local files: the data; nil for remote files
	name    string             // absolute local path ("" for ini.new/parse) or absolute OS/2 path: for messages and changes
	given   string             // the path or name as the script gave it: f:name()
	format  ini.Format         // local: format read; remote: by name
	sess    *sessionObj        // remote files: the session
	rf      *client.RemoteFile // remote files: the client's file
	changes []int              // indices into the runtime's change list
	disk    *diskState         // local files with a path: what name held when read or last saved
	// views holds the application views handed out (f[app], f:app(app),
	// pairs(f)), by name, so that f[app][key] in a loop does not create
	// one per access and every view of a name shares one value cache. At
	// most maxViews names; views of further names are made per access and
	// read the profile each time.
	views map[string]*lua.LUserData
	// mt is the metatable of the file's userdata: r.fileMT's fields with
	// __index set to index, so that f[name] for a method or a view already
	// handed out is a table lookup in the VM, with no call into Go.
	mt *lua.LTable
	// index holds the views in views whose names are not method names; a
	// name not in it reaches fileMiss through index's own metatable. The
	// methods are not in it: a table of at most 8 names is a faster Go map,
	// and a method is found by one call into Go, once per call of it.
	index *lua.LTable
}

// maxViews is the most application views (and so value caches) a file
// keeps.
const maxViews = 4096

// appObj is the Go side of an application view f[app].
type appObj struct {
	f    *fileObj
	name []byte
	// kept: a view of a local file kept in f.views, which counts its
	// reads through appIndex (reads) and, once they pass the number of
	// keys of its application (budget, counted again each time reads
	// passes it), that is once the script reads keys again, gets a value
	// cache (startCache). A script that reads each value once pays for no
	// cache.
	kept          bool
	reads, budget int
	// vals, once the view has a cache, is its metatable's __index: the
	// values read so far, by key, so that reading a key read before is a
	// table lookup in the VM. A key not in it reaches appMiss, which
	// returns the method of that name or reads the profile and keeps the
	// value. Every change to the file goes through the recorder, whose
	// sink drops the key from vals (forget). nil for remote files (a read
	// asks the host each time), for views made per access and for views
	// that have not read keys again.
	vals *lua.LTable
}

func (f *fileObj) host() string {
	if f.sess != nil {
		return f.sess.host
	}
	return ""
}

// fail builds an *Error for this file.
func (f *fileObj) fail(op string, app, key []byte, err error) *Error {
	return &Error{Host: f.host(), File: f.name, Application: string(app), Key: string(key), Op: op, Err: err}
}

// newFile wraps profile p (the raw local *ini.File or remote profile) with
// change recording and returns the file object.
func (r *Runtime) newFile(p ini.Profile, local *ini.File, name string, format ini.Format, sess *sessionObj, before func() error) *fileObj {
	f := &fileObj{rt: r, local: local, name: name, given: name, format: format, sess: sess}
	if local != nil && format == ini.FormatTNI {
		p = tniOrder{p}
	}
	f.p = &recorder{p: p, host: f.host(), file: name, before: before, sink: func(c Change) {
		f.changes = append(f.changes, r.record(c))
		f.forget(c.Application, c.Key)
	}}
	return f
}

// fileValue returns the Lua value (userdata) for f, with f's own
// metatable (made on first use).
func (r *Runtime) fileValue(f *fileObj) *lua.LUserData {
	if f.mt == nil {
		L := r.ls
		f.index = newSmallTable(L)
		f.index.Metatable = newSmallTable(L)
		f.index.Metatable.(*lua.LTable).RawSetString("__index", metaFunc(L, "index", func(L *lua.LState) int {
			return r.fileMiss(L, f)
		}))
		f.mt = metatableWith(L, r.fileMT, f.index)
	}
	ud := r.ls.NewUserData()
	ud.Value = f
	ud.Metatable = f.mt
	return ud
}

// appValue returns a view of a without a value cache: the shared
// metatable r.appMT, whose __index reads the profile.
func (r *Runtime) appValue(a *appObj) *lua.LUserData {
	ud := r.ls.NewUserData()
	ud.Value = a
	ud.Metatable = r.appMT
	return ud
}

// appView returns the view of application name of f: the one handed out
// before, or a new one kept in f.views (with a value cache for a local
// file) while f holds fewer than maxViews, else a view made for this
// access alone.
func (r *Runtime) appView(f *fileObj, name []byte) *lua.LUserData {
	if ud, ok := f.views[string(name)]; ok {
		return ud
	}
	a := &appObj{f: f, name: bytes.Clone(name)}
	ud := r.appValue(a)
	if len(f.views) >= maxViews {
		return ud
	}
	a.kept = f.local != nil
	if f.views == nil {
		f.views = make(map[string]*lua.LUserData)
	}
	f.views[string(name)] = ud
	if _, method := r.fileMethods[string(name)]; !method && f.index != nil {
		f.index.RawSetString(string(name), ud)
	}
	return ud
}

// startCache gives view ud of a its value cache: a.vals, and a metatable
// of its own (r.appMT's fields) with __index = a.vals.
func (r *Runtime) startCache(ud *lua.LUserData, a *appObj) {
	L := r.ls
	a.vals = newSmallTable(L) // small while the application has few keys read
	a.vals.Metatable = newSmallTable(L)
	a.vals.Metatable.(*lua.LTable).RawSetString("__index", metaFunc(L, "index", func(L *lua.LState) int {
		return r.appMiss(L, a)
	}))
	ud.Metatable = metatableWith(L, r.appMT, a.vals)
}

// forget drops (app, key) from the value cache of app's view, after a
// change to it.
func (f *fileObj) forget(app, key string) {
	ud, ok := f.views[app]
	if !ok {
		return
	}
	a := ud.Value.(*appObj)
	if a.vals == nil {
		return
	}
	if _, method := f.rt.appMethods[key]; method {
		return // never cached: the method answers for that key
	}
	a.vals.RawSetString(key, lua.LNil)
}

// smallTable is the most string keys a table made by newSmallTable holds
// in Go's small-map form: a Go map made for at most 8 entries is a single
// group of 8 slots, and a lookup in it checks that group alone, with no
// directory or table to walk and no probe sequence (internal/runtime/maps,
// Go 1.24 and later: Map.getWithoutKeySmallFastStr). Each metatable here
// holds at most 8 fields (TestMetatablesAreSmall).
const smallTable = 8

// newSmallTable returns an empty table whose string keys are a Go map
// made for smallTable entries. gopher-lua's L.NewTable makes that map for
// 32 entries on the first string key, past the small form, so every
// lookup walks the map's directory and table. gopher-lua looks __index up
// in a metatable on every f[name] and a[key], so a metatable in the small
// form makes each level of f[app][key] cheaper (docs/PERFORMANCE.md,
// luaapi). Past smallTable keys the map grows as any other.
func newSmallTable(L *lua.LState) *lua.LTable {
	return L.CreateTable(0, smallTable)
}

// metatableWith returns a new metatable holding mt's fields with __index
// set to index. gopher-lua looks __index up on every f[name] and a[key]
// (one Go map access: docs/PERFORMANCE.md, luaapi).
func metatableWith(L *lua.LState, mt, index *lua.LTable) *lua.LTable {
	c := newSmallTable(L)
	c.RawSetString("__index", index)
	mt.ForEach(func(k, v lua.LValue) {
		if k != lua.LString("__index") {
			c.RawSetH(k, v)
		}
	})
	return c
}

// checkObj returns the Go object of type T behind the userdata at stack
// index n, or raises an argument error naming what was expected.
func checkObj[T any](L *lua.LState, n int, what string) T {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if o, ok := ud.Value.(T); ok {
			return o
		}
	}
	argError(L, n, what+" expected, got "+typeName(L.Get(n)))
	var zero T
	return zero
}

// checkFile returns the file object at stack index n or raises an error
// naming the argument.
func checkFile(L *lua.LState, n int) *fileObj { return checkObj[*fileObj](L, n, "INI file") }

// checkApp returns the application view at stack index n or raises.
func checkApp(L *lua.LState, n int) *appObj { return checkObj[*appObj](L, n, "application view") }

// typeName names the Lua type of v, with our userdata kinds spelt out.
func typeName(v lua.LValue) string {
	if ud, ok := v.(*lua.LUserData); ok {
		switch ud.Value.(type) {
		case *fileObj:
			return "INI file"
		case *appObj:
			return "application view"
		case *sessionObj:
			return "session"
		}
	}
	return v.Type().String()
}

// checkName returns the string argument n as a name, raising an error that
// names the argument (what: "application", "key") when it is not a string.
func checkName(L *lua.LState, n int, what string) []byte {
	s, ok := L.Get(n).(lua.LString)
	if !ok {
		argError(L, n, what+" name must be a string, got "+typeName(L.Get(n)))
	}
	return []byte(s)
}

// optType returns the optional type argument n (default "bytes").
func optType(L *lua.LState, n int) string {
	v := L.Get(n)
	if v == lua.LNil {
		return "bytes"
	}
	s, ok := v.(lua.LString)
	if !ok {
		argError(L, n, "type must be a string, got "+typeName(v))
	}
	if err := checkType(string(s)); err != nil {
		argError(L, n, err.Error())
	}
	return string(s)
}

// get reads (app, key); nil, false when absent.
func (f *fileObj) get(app, key []byte) ([]byte, bool, error) {
	return lookup(f.p, app, key)
}

// keys lists the keys of app; nil when it does not exist.
func (f *fileObj) keys(app []byte) ([][]byte, error) {
	keys, err := f.p.Keys(app)
	if errors.Is(err, ini.ErrNotFound) {
		return nil, nil
	}
	return keys, err
}

// luaGet reads a value for the views and f:get, raising on failure.
func (f *fileObj) luaGet(L *lua.LState, app, key []byte, typ string) lua.LValue {
	v, ok, err := f.get(app, key)
	if err != nil {
		f.rt.raise(L, f.fail("get", app, key, err))
	}
	if !ok {
		return lua.LNil
	}
	lv, err := decodeValue(L, v, typ)
	if err != nil {
		f.rt.raise(L, f.fail("get", app, key, fmt.Errorf("as %s: %w", typ, err)))
	}
	return lv
}

// luaSet writes (app, key) = v (nil deletes) for the views and f:set.
func (f *fileObj) luaSet(L *lua.LState, app, key []byte, v lua.LValue, typ string) {
	if v == lua.LNil {
		if err := f.p.Delete(app, key); err != nil {
			f.rt.raise(L, f.fail("delete", app, key, err))
		}
		return
	}
	b, err := encodeValue(v, typ)
	if err != nil {
		if typ == "bytes" {
			err = fmt.Errorf("value must be a string of bytes, got %s (use tostring(n) for text or ini.u32(n) etc. for binary numbers)", typeName(v))
		}
		f.rt.raise(L, f.fail("set", app, key, err))
	}
	if err := f.p.Put(app, key, b); err != nil {
		f.rt.raise(L, f.fail("set", app, key, err))
	}
}

// deleteApp deletes app (missing: nothing happens), raising on failure.
func (f *fileObj) deleteApp(L *lua.LState, app []byte) {
	if err := f.p.DeleteApplication(app); err != nil {
		f.rt.raise(L, f.fail("delete application", app, nil, err))
	}
}

// replaceApp makes app hold exactly the keys of t (a table of strings or
// an application view): new values are written first (in byte order of
// the key names, for a table), then keys not in t are deleted. An empty t
// deletes the application.
func (f *fileObj) replaceApp(L *lua.LState, app []byte, v lua.LValue) {
	type kv struct{ k, v []byte }
	var entries []kv
	switch t := v.(type) {
	case *lua.LTable:
		var bad error
		t.ForEach(func(k, val lua.LValue) {
			if bad != nil {
				return
			}
			ks, ok := k.(lua.LString)
			if !ok {
				bad = fmt.Errorf("key names must be strings, got %s", typeName(k))
				return
			}
			vs, ok := val.(lua.LString)
			if !ok {
				bad = fmt.Errorf("key %q: value must be a string of bytes, got %s", string(ks), typeName(val))
				return
			}
			if err := ini.CheckName("key", []byte(ks)); err != nil {
				bad = err
				return
			}
			entries = append(entries, kv{[]byte(ks), []byte(vs)})
		})
		if bad != nil {
			f.rt.raise(L, f.fail("replace application", app, nil, bad))
		}
		slices.SortFunc(entries, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	case *lua.LUserData:
		src, ok := t.Value.(*appObj)
		if !ok {
			f.rt.raise(L, f.fail("replace application", app, nil, fmt.Errorf("value must be a table or an application view, got %s", typeName(v))))
		}
		keys, err := src.f.keys(src.name)
		if err != nil {
			f.rt.raise(L, src.f.fail("keys", src.name, nil, err))
		}
		for _, k := range keys {
			val, ok, err := src.f.get(src.name, k)
			if err != nil {
				f.rt.raise(L, src.f.fail("get", src.name, k, err))
			}
			if ok {
				entries = append(entries, kv{bytes.Clone(k), bytes.Clone(val)})
			}
		}
	default:
		f.rt.raise(L, f.fail("replace application", app, nil, fmt.Errorf("value must be nil, a table or an application view, got %s", typeName(v))))
	}
	if len(entries) == 0 {
		f.deleteApp(L, app)
		return
	}
	if err := ini.CheckName("application", app); err != nil {
		f.rt.raise(L, f.fail("replace application", app, nil, err))
	}
	for _, e := range entries {
		if err := f.p.Put(app, e.k, e.v); err != nil {
			f.rt.raise(L, f.fail("set", app, e.k, err))
		}
	}
	old, err := f.keys(app)
	if err != nil {
		f.rt.raise(L, f.fail("keys", app, nil, err))
	}
	for _, k := range old {
		if !slices.ContainsFunc(entries, func(e kv) bool { return bytes.Equal(e.k, k) }) {
			if err := f.p.Delete(app, k); err != nil {
				f.rt.raise(L, f.fail("delete", app, k, err))
			}
		}
	}
}

// snapshot copies the whole file into a local *ini.File (for f:tni and
// f:binary of remote files; local files return their own data).
func (f *fileObj) snapshot() (*ini.File, error) {
	if f.local != nil && f.format == ini.FormatINI {
		return f.local, nil
	}
	return snapshotProfile(f.p) // remote, or local TNI in sorted order
}

// snapshotProfile reads every application and key of p into a new File.
func snapshotProfile(p ini.Profile) (*ini.File, error) {
	out := ini.New()
	apps, err := p.Applications()
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		keys, err := p.Keys(a)
		if errors.Is(err, ini.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("application %q: %w", a, err)
		}
		for _, k := range keys {
			v, ok, err := lookup(p, a, k)
			if err != nil {
				return nil, fmt.Errorf("application %q key %q: %w", a, k, err)
			}
			if ok {
				if err := out.Put(a, k, v); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// changesTable converts changes to the Lua array of f:changes().
func changesTable(L *lua.LState, cs []Change) *lua.LTable {
	t := L.CreateTable(len(cs), 0)
	for _, c := range cs {
		e := L.CreateTable(0, 6)
		if c.Op != "" {
			e.RawSetString("op", lua.LString(c.Op))
			e.RawSetString("file", lua.LString(c.File))
			if c.Key != "" {
				e.RawSetString("to", lua.LString(c.Key))
			}
		} else {
			e.RawSetString("application", lua.LString(c.Application))
			e.RawSetString("key", lua.LString(c.Key))
			if c.Old != nil {
				e.RawSetString("old", lua.LString(c.Old))
			}
			if c.New != nil {
				e.RawSetString("new", lua.LString(c.New))
			}
			if c.Partial {
				e.RawSetString("partial", lua.LTrue)
			}
			e.RawSetString("file", lua.LString(c.File))
		}
		if c.Host != "" {
			e.RawSetString("host", lua.LString(c.Host))
		}
		t.Append(e)
	}
	return t
}

// namesTable converts names to a Lua array of strings.
func namesTable(L *lua.LState, names [][]byte) *lua.LTable {
	t := L.CreateTable(len(names), 0)
	for _, n := range names {
		t.Append(lua.LString(n))
	}
	return t
}

// initTypes builds the metatables and method tables of files, application
// views and sessions.
func (r *Runtime) initTypes() {
	L := r.ls
	r.fileMethods = map[string]lua.LValue{}
	for name, fn := range r.fileMethodFuncs() {
		r.fileMethods[name] = L.NewFunction(fn)
	}
	r.appMethods = map[string]lua.LValue{
		"keys": L.NewFunction(func(L *lua.LState) int {
			a := checkApp(L, 1)
			keys, err := a.f.keys(a.name)
			if err != nil {
				r.raise(L, a.f.fail("keys", a.name, nil, err))
			}
			L.Push(namesTable(L, keys))
			return 1
		}),
	}
	// r.fileMT has no __index: each file's copy (fileValue) sets its own.
	r.fileMT = newSmallTable(L)
	r.fileMT.RawSetString("__newindex", metaFunc(L, "newindex", r.fileNewIndex))
	r.fileMT.RawSetString("__len", metaFunc(L, "len", r.fileLen))
	r.fileMT.RawSetString("__pairs", metaFunc(L, "pairs", r.filePairs))
	r.fileMT.RawSetString("__tostring", metaFunc(L, "tostring", r.fileString))
	r.fileMT.RawSetString("__metatable", lua.LString("INI file"))
	r.appMT = newSmallTable(L)
	r.appMT.RawSetString("__index", metaFunc(L, "index", r.appIndex))
	r.appMT.RawSetString("__newindex", metaFunc(L, "newindex", r.appNewIndex))
	r.appMT.RawSetString("__len", metaFunc(L, "len", r.appLen))
	r.appMT.RawSetString("__pairs", metaFunc(L, "pairs", r.appPairs))
	r.appMT.RawSetString("__tostring", metaFunc(L, "tostring", r.appString))
	r.appMT.RawSetString("__metatable", lua.LString("application view"))
	// Calling an application view is always a mistake, typically f:nosuch()
	// for a method that does not exist (f.nosuch is the application
	// "nosuch"): say so instead of "attempt to call a non-function object".
	r.appMT.RawSetString("__call", metaFunc(L, "call", func(L *lua.LState) int {
		a := checkApp(L, 1)
		L.RaiseError("attempt to call application view %q: INI files have no method of that name (methods: %s)",
			a.name, strings.Join(slices.Sorted(maps.Keys(r.fileMethods)), ", "))
		return 0
	}))
	r.initSessionType()
}

// fileMiss is __index of f.index: f[name] for a method, or a name not
// handed out as a view before. Argument 1 is f.index, not the file.
func (r *Runtime) fileMiss(L *lua.LState, f *fileObj) int {
	if s, ok := L.Get(2).(lua.LString); ok {
		if m, ok := r.fileMethods[string(s)]; ok {
			L.Push(m)
			return 1
		}
	}
	L.Push(r.appView(f, checkName(L, 2, "application")))
	return 1
}

func (r *Runtime) fileNewIndex(L *lua.LState) int {
	f := checkFile(L, 1)
	app := checkName(L, 2, "application")
	if L.Get(3) == lua.LNil {
		f.deleteApp(L, app)
		return 0
	}
	f.replaceApp(L, app, L.Get(3))
	return 0
}

func (r *Runtime) fileLen(L *lua.LState) int {
	f := checkFile(L, 1)
	apps, err := f.p.Applications()
	if err != nil {
		r.raise(L, f.fail("applications", nil, nil, err))
	}
	L.Push(lua.LNumber(len(apps)))
	return 1
}

// filePairs returns an iterator over a snapshot of the application names,
// yielding name and application view.
func (r *Runtime) filePairs(L *lua.LState) int {
	f := checkFile(L, 1)
	apps, err := f.p.Applications()
	if err != nil {
		r.raise(L, f.fail("applications", nil, nil, err))
	}
	i := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if i >= len(apps) {
			L.Push(lua.LNil)
			return 1
		}
		a := apps[i]
		i++
		L.Push(lua.LString(a))
		L.Push(r.appView(f, a))
		return 2
	}))
	L.Push(L.Get(1))
	L.Push(lua.LNil)
	return 3
}

func (r *Runtime) fileString(L *lua.LState) int {
	f := checkFile(L, 1)
	L.Push(lua.LString(f.describe()))
	return 1
}

// describe returns e.g. `INI file "C:\x.ini" on host h` without touching
// the network.
func (f *fileObj) describe() string {
	s := "INI file"
	if f.name != "" {
		s += fmt.Sprintf(" %q", f.name)
	}
	if f.sess != nil {
		s += " on " + f.sess.host
	} else {
		s += fmt.Sprintf(" (%s, %s)", f.format, plural.Count(len(f.local.Apps), "application"))
	}
	return s
}

func (r *Runtime) appIndex(L *lua.LState) int {
	a := checkApp(L, 1)
	return r.appRead(L, a, L.Get(1).(*lua.LUserData))
}

// appMiss is __index of a.vals: a[key] for a method, or a key not read
// since its last change. Argument 1 is a.vals, not the view.
func (r *Runtime) appMiss(L *lua.LState, a *appObj) int {
	return r.appRead(L, a, nil)
}

// appRead answers a[key], the key at stack index 2, for appIndex (ud the
// view) and appMiss (ud nil): the method of that name, else the value
// read from the profile. A kept view counts the read and starts its cache
// when the reads pass its budget; a value found is kept in a.vals once
// the view has a cache.
func (r *Runtime) appRead(L *lua.LState, a *appObj, ud *lua.LUserData) int {
	if s, ok := L.Get(2).(lua.LString); ok {
		if m, ok := r.appMethods[string(s)]; ok {
			L.Push(m)
			return 1
		}
	}
	key := r.scratchName(L, 2, "key")
	v := a.f.luaGet(L, a.name, key, "bytes")
	if a.kept && ud != nil {
		a.reads++
		if a.reads > a.budget {
			a.budget = 0
			if app := a.f.local.Application(a.name); app != nil {
				a.budget = len(app.Entries)
			}
			if a.reads > a.budget {
				a.kept = false // from now on the cache answers
				r.startCache(ud, a)
			}
		}
	}
	if a.vals != nil && v != lua.LNil {
		a.vals.RawSetString(string(L.Get(2).(lua.LString)), v)
	}
	L.Push(v)
	return 1
}

func (r *Runtime) appNewIndex(L *lua.LState) int {
	a := checkApp(L, 1)
	key := r.scratchName(L, 2, "key")
	v := L.Get(3)
	if s, ok := v.(lua.LString); ok {
		// a string stored as its bytes: copied by the profile, or by the
		// recorder for the change list, so the runtime's buffer will do
		r.valueBuf = append(r.valueBuf[:0], s...)
		if err := a.f.p.Put(a.name, key, r.valueBuf); err != nil {
			r.raise(L, a.f.fail("set", a.name, key, err))
		}
		return 0
	}
	a.f.luaSet(L, a.name, key, v, "bytes")
	return 0
}

// scratchName is checkName returning the name in r.keyBuf: valid until
// the next table-view access, for profiles, which do not retain it.
func (r *Runtime) scratchName(L *lua.LState, n int, what string) []byte {
	s, ok := L.Get(n).(lua.LString)
	if !ok {
		argError(L, n, what+" name must be a string, got "+typeName(L.Get(n)))
	}
	r.keyBuf = append(r.keyBuf[:0], s...)
	return r.keyBuf
}

func (r *Runtime) appLen(L *lua.LState) int {
	a := checkApp(L, 1)
	keys, err := a.f.keys(a.name)
	if err != nil {
		r.raise(L, a.f.fail("keys", a.name, nil, err))
	}
	L.Push(lua.LNumber(len(keys)))
	return 1
}

// appPairs iterates a snapshot of the key names, reading each value when
// reached (keys deleted meanwhile are skipped).
func (r *Runtime) appPairs(L *lua.LState) int {
	a := checkApp(L, 1)
	keys, err := a.f.keys(a.name)
	if err != nil {
		r.raise(L, a.f.fail("keys", a.name, nil, err))
	}
	i := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		for i < len(keys) {
			k := keys[i]
			i++
			v, ok, err := a.f.get(a.name, k)
			if err != nil {
				r.raise(L, a.f.fail("get", a.name, k, err))
			}
			if !ok {
				continue
			}
			L.Push(lua.LString(k))
			L.Push(lua.LString(v))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}))
	L.Push(L.Get(1))
	L.Push(lua.LNil)
	return 3
}

func (r *Runtime) appString(L *lua.LState) int {
	a := checkApp(L, 1)
	L.Push(lua.LString(fmt.Sprintf("application %q of %s", a.name, a.f.describe())))
	return 1
}
