package luaapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
)

// Options configure a Runtime. The zero value is usable: output to the
// process's stdout and stderr, full standard library, real writes, warnings
// logged to stderr, plain TCP connections (Client.DialContext for a
// tunnel).
type Options struct {
	// Stdout receives print and io.write output; nil: os.Stdout.
	Stdout io.Writer
	// Stderr receives what the runtime reports outside the logger
	// (notifications not sent in check mode); nil: os.Stderr.
	Stderr io.Writer
	// Safe removes local file and process access for untrusted scripts
	// (see the package documentation for exactly what remains).
	Safe bool
	// CheckMode is the dry run: sessions are opened with
	// client.Options.CheckMode, remote writes are recorded in an overlay
	// and never sent, f:save() of a local file writes nothing, notifications
	// are reported, not posted.
	CheckMode bool
	// Logger receives warnings (empty password accepted) and, at Debug
	// level, the client's wire traces (passwords shown as ***). nil: a text
	// logger on Stderr at level Warn.
	Logger *slog.Logger
	// Client holds the defaults for sessions opened by iniserve.connect
	// (timeouts, TLS, chunk size, DialContext). Password, CheckMode and Logger are set
	// by the runtime.
	Client client.Options
	// Backup, when set, is called before the first write (put, delete,
	// rename, push) to each remote file of a session, and before s:remove
	// of an existing .INI or .TNI file, outside check mode. It may be
	// called again for a file already backed up (opened twice, or written
	// and then removed): keep the first backup. host is the session's
	// label (the host given to WrapSession, else its address), file the
	// remote file name as the script gave it; fetch downloads the file's
	// current content. A non-nil error cancels the write and is raised in
	// the script.
	Backup func(ctx context.Context, host, file string, fetch func(context.Context) (*ini.File, error)) error
	// Stop, when done, stops the Lua code of the call in progress (Run,
	// Call) at its next instruction or library-call check, while an API
	// call in progress finishes the command on the wire (the batch
	// runner's first Ctrl-C). The VM then runs under Stop (with the
	// deadline of the call's ctx, and cancelled when ctx is), so a
	// cancellation of Stop is seen at once by the next instruction. The
	// call fails with a *ScriptError whose Cause is context.Canceled. nil:
	// only the call's ctx stops it.
	Stop context.Context
	// GoStack adds the Go stack to the traceback of a Lua error raised by
	// a Go panic in the API (ScriptError.Traceback: the goroutine's stack
	// at the panic, up to 4 KiB, then the Lua traceback), for bug reports.
	// A panic is a bug of this package; its message alone names the
	// panic, not where it happened.
	GoStack bool
}

// Notification is a request made by s:notify(semaphore): post the event
// semaphore Semaphore on Host once, after the script, if that host changed.
type Notification struct {
	Host      string
	Semaphore string
}

// Runtime is one Lua state with the ini and iniserve modules loaded, plus
// everything a script opened through it: sessions, embedded servers and the
// changes recorded on every file. A Runtime is used by one goroutine at a
// time (gopher-lua states are not safe for concurrent use); Close may be
// called from another goroutine only after the running call returned.
type Runtime struct {
	ls   *lua.LState
	opts Options
	log  *slog.Logger
	ctx  context.Context

	changes changeLog
	notes   []Notification

	sessions []*sessionObj // every session seen (owned and wrapped)
	closers  []func() error

	exit    *ExitError
	coDepth int   // coroutines resumed inside one another now (see nested)
	failed  bool  // the last Call ended in an error (or os.exit with a non-zero code)
	lastErr error // the last error raised by an API function

	// onError, keepErrorFn, tracebackFn and guardCallFn are onErrorFunc,
	// keepError, debugTraceback and guardCall as Lua functions
	// (traceback.go); traceback is what onError kept of the last error of
	// a Call; broken, once set, is the error every Call returns (protect).
	onError, keepErrorFn, tracebackFn, guardCallFn *lua.LFunction
	traceback                                      string
	broken                                         error

	fileMT, appMT, sessMT *lua.LTable
	fileMethods           map[string]lua.LValue
	appMethods            map[string]lua.LValue
	sessMethods           map[string]lua.LValue
	modules               map[string]lua.LValue
	jsonNull              *lua.LUserData // json.null
	closed                bool
	maxGsub               int // the cap of a string.gsub result: MaxGsubBytes

	// keyBuf and valueBuf hold the key name and value of the table-view
	// access being executed (f[app][key], f[app][key] = v), so that an
	// access does not allocate them; profiles do not retain the slices
	// passed in (ini.Profile).
	keyBuf, valueBuf []byte
}

// registryGrowStep is how many slots the Lua value stack grows by beyond
// what a push needs: 64Ki slots (1 MiB), so a stack filled up to its 1M
// slots is reallocated at most 16 times.
const registryGrowStep = 1 << 16

// New returns a Runtime with a fresh Lua state: the Lua 5.1 standard
// library (or the safe subset), the ini, iniserve and json modules as
// globals and through require, a pairs that honours __pairs, print and io.write routed
// to opts.Stdout, os.exit that ends the script instead of the process, and
// the global CHECK (true when opts.CheckMode is set).
// ctx becomes the default context of calls that are given none; the
// runtime does not keep using it after Close.
func New(ctx context.Context, opts Options) (*Runtime, error) {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(opts.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	r := &Runtime{opts: opts, log: log, ctx: ctx, modules: map[string]lua.LValue{}, maxGsub: MaxGsubBytes}
	// The registry (Lua's value stack) starts at gopher-lua's default size
	// and may grow to 1M slots (16 MiB), so unpack of a large table works.
	// It grows by registryGrowStep slots at a time: gopher-lua's default
	// step (32) reallocates the whole stack every 32 values pushed, so
	// unpack({}, 1, 1e6) or string.byte(s, 1, -1) took minutes and ignored
	// the script's deadline.
	L := lua.NewState(lua.Options{SkipOpenLibs: true, RegistryMaxSize: 1 << 20, RegistryGrowStep: registryGrowStep,
		IncludeGoStackTrace: opts.GoStack})
	r.ls = L
	r.onError = L.NewFunction(r.onErrorFunc)
	r.keepErrorFn = L.NewFunction(keepError)
	r.tracebackFn = L.NewFunction(debugTraceback())
	r.guardCallFn = L.NewFunction(r.guardCall)
	if err := r.openLibs(); err != nil {
		L.Close()
		return nil, err
	}
	r.initTypes()
	r.register("ini", r.iniModule())
	r.register("iniserve", r.iniserveModule())
	r.register("json", r.jsonModule()) // pure: in safe mode too
	// CHECK tells a script it runs as a dry run (nothing is written), so it
	// can say "would change" instead of "changed".
	L.SetGlobal("CHECK", lua.LBool(opts.CheckMode))
	return r, nil
}

// State returns the Lua state, for the REPL (which compiles statements and
// inspects values itself) and for tests. Run scripts with Run, functions
// with Call, so that context, os.exit and errors are handled.
func (r *Runtime) State() *lua.LState { return r.ls }

// Options returns the options the runtime was created with (defaults
// filled in).
func (r *Runtime) Options() Options { return r.opts }

// Context returns the context of the call in progress (the one given to
// New between calls). Go functions added by callers that wait on the
// network must use it.
func (r *Runtime) Context() context.Context { return r.ctx }

// register makes a module available as a global and through require.
func (r *Runtime) register(name string, mod *lua.LTable) {
	r.ls.SetGlobal(name, mod)
	r.modules[name] = mod
	if pkg, ok := r.ls.GetGlobal("package").(*lua.LTable); ok {
		if loaded, ok := r.ls.GetField(pkg, "loaded").(*lua.LTable); ok {
			loaded.RawSetString(name, mod)
		}
	}
}

// Call calls fn (a function value of this runtime: a REPL statement, a
// callback) with args under ctx and returns all its results. ctx cancels
// the call: the Lua VM stops between instructions and network calls in
// progress are cancelled; give ctx a deadline for a time limit (see Run
// for Options.Stop). Errors: *ExitError when the script called os.exit;
// *ScriptError for a Lua error (Cause is the *Error of the API call that
// raised it, or ctx.Err() when cancelled, context.Canceled after
// Options.Stop).
func (r *Runtime) Call(ctx context.Context, fn lua.LValue, args ...lua.LValue) ([]lua.LValue, error) {
	if r.closed {
		return nil, errors.New("luaapi: runtime is closed")
	}
	if r.broken != nil {
		return nil, r.broken
	}
	if ctx == nil {
		ctx = context.Background()
	}
	L := r.ls
	saved := r.ctx
	r.ctx = ctx
	// The VM runs under vm: ctx, and Options.Stop on top of it (network
	// calls keep using ctx, so the command in progress completes).
	vm := ctx
	if r.opts.Stop != nil {
		var cancel context.CancelFunc
		if d, ok := ctx.Deadline(); ok {
			vm, cancel = context.WithDeadline(r.opts.Stop, d)
		} else {
			vm, cancel = context.WithCancel(r.opts.Stop)
		}
		defer cancel()
		defer context.AfterFunc(ctx, cancel)()
	}
	prevVM := L.Context()
	if vm.Done() != nil {
		L.SetContext(vm)
	}
	defer func() {
		r.ctx = saved
		switch {
		case prevVM != nil:
			L.SetContext(prevVM)
		case vm.Done() != nil:
			L.RemoveContext()
		}
	}()
	r.exit = nil
	r.lastErr = nil
	base := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	// With an error handler, gopher-lua builds no traceback of its own (a
	// line per tail call: traceback.go); with Options.GoStack it is left
	// to do so, as only then does it add the Go stack of a panic.
	var onError *lua.LFunction
	if !r.opts.GoStack {
		onError = r.onError
	}
	r.traceback = ""
	err := r.protect(L, len(args), onError)
	if r.broken != nil {
		r.failed = true
		return nil, r.scriptError(ctx, vm, err)
	}
	if r.exit != nil {
		e := r.exit
		r.exit = nil
		r.failed = e.Code != 0
		L.SetTop(base)
		return nil, e
	}
	r.failed = err != nil
	if err != nil {
		L.SetTop(base)
		return nil, r.scriptError(ctx, vm, err)
	}
	n := L.GetTop() - base
	out := make([]lua.LValue, n)
	for i := range n {
		out[i] = L.Get(base + 1 + i)
	}
	L.SetTop(base)
	return out, nil
}

// scriptError converts a gopher-lua error into a *ScriptError.
// ctx is the call's context, vm the Lua VM's (ctx, or ctx with
// Options.Stop).
func (r *Runtime) scriptError(ctx, vm context.Context, err error) error {
	se := &ScriptError{Msg: err.Error()}
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		switch obj := ae.Object.(type) {
		case nil:
		case lua.LString, lua.LNumber:
			se.Msg = obj.String()
		default:
			// as lua.c does: a table (or other) error object has no
			// useful text unless it says how to print itself
			se.Msg = fmt.Sprintf("(error object is a %s value)", obj.Type())
			if fn, ok := r.ls.GetMetaField(obj, "__tostring").(*lua.LFunction); ok {
				if r.ls.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, obj) == nil {
					if s, ok := r.ls.Get(-1).(lua.LString); ok {
						se.Msg = string(s)
					}
					r.ls.Pop(1)
				}
			}
		}
		se.Traceback = ae.StackTrace
		if se.Traceback == "" {
			se.Traceback = r.traceback
		}
	}
	deadline, hasDeadline := ctx.Deadline()
	switch {
	case ctx.Err() != nil:
		se.Cause = ctx.Err()
	case hasDeadline && !time.Now().Before(deadline):
		// a network deadline derived from ctx fired a moment before ctx
		se.Cause = context.DeadlineExceeded
	case vm.Err() != nil:
		se.Cause = context.Canceled // Options.Stop
	case r.lastErr != nil && strings.Contains(se.Msg, r.lastErr.Error()):
		se.Cause = r.lastErr
	}
	return se
}

// SetArg sets the global arg the way the lua interpreter does: cmdline is
// the whole command line and cmdline[script] is arg[0] (the script's
// name), the strings after it arg[1..n] and those before it (options, the
// command's name) arg[-1], arg[-2] ... A batch run passes its script and
// arguments with script 0. script outside cmdline leaves arg[0] unset.
func (r *Runtime) SetArg(cmdline []string, script int) {
	t := r.ls.CreateTable(max(len(cmdline)-script-1, 0), script+1)
	for i, a := range cmdline {
		t.RawSetInt(i-script, lua.LString(a))
	}
	r.ls.SetGlobal("arg", t)
}

// SetGlobal sets the global name to v converted to Lua: nil, bool,
// string, []byte (a string), int, int64, float64 (numbers), []string and
// []any (arrays from 1), map[string]string and map[string]any (tables),
// and any lua.LValue as it is (such as WrapSession's result). Other types
// are an error naming name.
func (r *Runtime) SetGlobal(name string, v any) error {
	lv, err := r.toLua(v)
	if err != nil {
		return fmt.Errorf("luaapi: global %s: %w", name, err)
	}
	r.ls.SetGlobal(name, lv)
	return nil
}

// toLua converts a Go value for SetGlobal.
func (r *Runtime) toLua(v any) (lua.LValue, error) {
	switch v := v.(type) {
	case nil:
		return lua.LNil, nil
	case lua.LValue:
		return v, nil
	case bool:
		return lua.LBool(v), nil
	case string:
		return lua.LString(v), nil
	case []byte:
		return lua.LString(v), nil
	case int:
		return lua.LNumber(v), nil
	case int64:
		return lua.LNumber(v), nil
	case float64:
		return lua.LNumber(v), nil
	case []string:
		t := r.ls.CreateTable(len(v), 0)
		for _, s := range v {
			t.Append(lua.LString(s))
		}
		return t, nil
	case []any:
		t := r.ls.CreateTable(len(v), 0)
		for i, x := range v {
			lx, err := r.toLua(x)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i+1, err)
			}
			t.RawSetInt(i+1, lx)
		}
		return t, nil
	case map[string]string:
		t := r.ls.CreateTable(0, len(v))
		for k, s := range v {
			t.RawSetString(k, lua.LString(s))
		}
		return t, nil
	case map[string]any:
		t := r.ls.CreateTable(0, len(v))
		for k, x := range v {
			lx, err := r.toLua(x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			t.RawSetString(k, lx)
		}
		return t, nil
	}
	return nil, fmt.Errorf("cannot convert a %T to Lua", v)
}

// Changes returns every change recorded so far by every file of this
// runtime, local and remote, in the order they were made (a copy).
func (r *Runtime) Changes() []Change {
	return r.changes.all()
}

// Notifications returns the s:notify requests made so far, one per host
// and semaphore, in the order first requested (a copy). Sessions the
// runtime opened itself post theirs when closed; the caller posts those of
// sessions it passed in with WrapSession.
func (r *Runtime) Notifications() []Notification {
	return append([]Notification(nil), r.notes...)
}

// Close closes every session the script opened (iniserve.connect,
// iniserve.serve: posting their pending notifications first, see s:notify,
// unless the last call failed: like Ansible handlers, notifications are not
// sent after a failure), shuts the embedded servers down and closes the
// Lua state.
// Sessions given to WrapSession are left open for their owner. Close
// returns the first error and is safe to call twice.
func (r *Runtime) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	var first error
	for _, s := range r.sessions {
		if s.owned && !s.closed {
			if r.failed {
				s.notes = nil
			}
			if err := s.shutdown(r.ctx); err != nil && first == nil {
				first = err
			}
		}
	}
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	r.ls.Close()
	return first
}

// record appends a change to the runtime's list and returns its index.
func (r *Runtime) record(c Change) int { return r.changes.add(c) }

// hostChanged reports whether any change was recorded for host.
func (r *Runtime) hostChanged(host string) bool {
	for _, chunk := range r.changes.chunks {
		for _, c := range chunk {
			if c.Host == host {
				return true
			}
		}
	}
	return false
}

// raise raises err as a Lua error (an *Error is remembered so Call can
// return it as the cause). It does not return.
func (r *Runtime) raise(L *lua.LState, err error) {
	r.lastErr = err
	L.RaiseError("%s", err.Error())
}

// openLibs opens the standard library (or its safe subset) and installs
// the overrides: print, io.write, os.exit, pairs, pcall/xpcall and
// coroutine.resume (so os.exit cannot be caught).
func (r *Runtime) openLibs() error {
	L := r.ls
	type lib struct {
		name string
		fn   lua.LGFunction
	}
	libs := []lib{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
		{lua.OsLibName, lua.OpenOs},
	}
	if !r.opts.Safe {
		libs = append(libs, lib{lua.IoLibName, lua.OpenIo}, lib{lua.DebugLibName, lua.OpenDebug})
	}
	for _, l := range libs {
		L.Push(L.NewFunction(l.fn))
		L.Push(lua.LString(l.name))
		if err := L.PCall(1, 0, nil); err != nil {
			return fmt.Errorf("luaapi: opening %s: %w", l.name, err)
		}
	}
	g := L.G.Global
	g.RawSetString("print", L.NewFunction(r.luaPrint))
	osT := L.GetGlobal("os").(*lua.LTable)
	osT.RawSetString("exit", L.NewFunction(r.luaExit))
	if io, ok := L.GetGlobal("io").(*lua.LTable); ok {
		io.RawSetString("write", L.NewFunction(r.luaWrite))
		io.RawSetString("read", readFormats(L, io.RawGetString("read"), 1))
		if mt, ok := L.GetTypeMetatable("FILE*").(*lua.LTable); ok {
			mt.RawSetString("read", readFormats(L, mt.RawGetString("read"), 2))
		}
	}
	origPairs := L.GetGlobal("pairs")
	g.RawSetString("pairs", L.NewFunction(func(L *lua.LState) int {
		v := L.CheckAny(1)
		if mf := L.GetMetaField(v, "__pairs"); mf.Type() == lua.LTFunction {
			L.Push(mf)
			L.Push(v)
			L.Call(1, 3)
			return 3
		}
		L.Push(origPairs)
		L.Push(v)
		L.Call(1, 3)
		return 3
	}))
	g.RawSetString("pcall", r.exitAware(L.NewFunction(r.luaPcall)))
	g.RawSetString("xpcall", r.exitAware(L.GetGlobal("xpcall")))
	if dbg, ok := L.GetGlobal("debug").(*lua.LTable); ok {
		dbg.RawSetString("traceback", L.NewFunction(r.luaTraceback))
	}
	if str, ok := L.GetGlobal("string").(*lua.LTable); ok {
		str.RawSetString("rep", L.NewFunction(strRep))
		// Lua 5.1's matcher: linear gsub, every call interruptible
		str.RawSetString("gsub", L.NewFunction(func(L *lua.LState) int { return strGsub(L, r.maxGsub) }))
		str.RawSetString("find", L.NewFunction(strFind))
		str.RawSetString("match", L.NewFunction(strMatch))
		gmatch := L.NewFunction(strGmatch)
		str.RawSetString("gmatch", gmatch)
		str.RawSetString("gfind", gmatch)
	}
	co := L.GetGlobal("coroutine").(*lua.LTable)
	co.RawSetString("resume", r.exitAware(r.nested(co.RawGetString("resume"))))
	wrap := co.RawGetString("wrap")
	co.RawSetString("wrap", L.NewFunction(func(L *lua.LState) int {
		L.Push(wrap)
		L.Push(L.Get(1))
		L.Call(1, 1)
		L.Push(r.nested(L.Get(-1)))
		return 1
	}))
	if r.opts.Safe {
		for _, name := range []string{"dofile", "loadfile", "module", "_printregs"} {
			g.RawSetString(name, lua.LNil)
		}
		safeOS := L.NewTable()
		for _, name := range []string{"clock", "date", "difftime", "time", "exit"} {
			safeOS.RawSetString(name, osT.RawGetString(name))
		}
		g.RawSetString("os", safeOS)
		// package stays for package.loaded; its searchers that read files
		// go, and require only returns loaded modules.
		pkg := L.GetGlobal("package").(*lua.LTable)
		loaded := pkg.RawGetString("loaded")
		safePkg := L.NewTable()
		safePkg.RawSetString("loaded", loaded)
		loaded.(*lua.LTable).RawSetString("os", safeOS)
		g.RawSetString("package", safePkg)
		g.RawSetString("require", L.NewFunction(func(L *lua.LState) int {
			name := L.CheckString(1)
			if v := L.GetField(loaded, name); v != lua.LNil {
				L.Push(v)
				return 1
			}
			r.raise(L, fmt.Errorf("module %q not found: %w (only loaded modules can be required)", name, ErrSafeMode))
			return 0
		}))
	}
	return nil
}

// readFormats wraps io.read or the read method of files (formats from
// argument first on) so that the Lua 5.3 formats "a", "l" and "n" work as
// their Lua 5.1 spellings "*a", "*l" and "*n" (gopher-lua knows only
// those): io.open(path):read("a") reads the whole file in both.
func readFormats(L *lua.LState, orig lua.LValue, first int) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		top := L.GetTop()
		L.Push(orig)
		for i := 1; i <= top; i++ {
			v := L.Get(i)
			if s, ok := v.(lua.LString); ok && i >= first && (s == "a" || s == "l" || s == "n") {
				v = "*" + s
			}
			L.Push(v)
		}
		L.Call(top, lua.MultRet)
		return L.GetTop() - top
	})
}

// maxCoroutineDepth bounds coroutines resumed from inside coroutines:
// each level runs another Lua VM loop on the Go stack, and running out of
// Go stack ends the whole process, not just the script (C Lua's limit for
// nested C calls is 200 too).
const maxCoroutineDepth = 200

// nested wraps a function that resumes a coroutine (coroutine.resume, the
// function coroutine.wrap returns) so that nesting deeper than
// maxCoroutineDepth raises an error instead.
func (r *Runtime) nested(orig lua.LValue) *lua.LFunction {
	return r.ls.NewFunction(func(L *lua.LState) int {
		if r.coDepth >= maxCoroutineDepth {
			L.RaiseError("coroutines nested more than %d deep", maxCoroutineDepth)
		}
		r.coDepth++
		defer func() { r.coDepth-- }()
		top := L.GetTop()
		L.Push(orig)
		for i := 1; i <= top; i++ {
			L.Push(L.Get(i))
		}
		L.Call(top, lua.MultRet)
		return L.GetTop() - top
	})
}

// exitAware wraps a function that catches errors (pcall, xpcall,
// coroutine.resume) so that os.exit inside it still ends the script.
func (r *Runtime) exitAware(orig lua.LValue) *lua.LFunction {
	return r.ls.NewFunction(func(L *lua.LState) int {
		top := L.GetTop()
		L.Push(orig)
		for i := 1; i <= top; i++ {
			L.Push(L.Get(i))
		}
		L.Call(top, lua.MultRet)
		if r.exit != nil {
			L.Error(lua.LString("os.exit"), 0)
		}
		return L.GetTop() - top
	})
}

// MaxRepBytes caps the result of string.rep (256 MiB): a larger result
// raises an error instead of asking the Go runtime for memory it may not
// have (an allocation failure ends the whole process, not just the script).
const MaxRepBytes = 256 << 20

// strRep is string.rep(s, n) with the result capped at MaxRepBytes.
func strRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := float64(L.CheckNumber(2))
	if n < 1 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n*float64(len(s)) > MaxRepBytes {
		L.RaiseError("string.rep: result of %.0f bytes is over the limit of %d bytes", n*float64(len(s)), MaxRepBytes)
	}
	L.Push(lua.LString(strings.Repeat(s, int(n))))
	return 1
}

// luaPrint is print writing to Options.Stdout.
func (r *Runtime) luaPrint(L *lua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	b.WriteByte('\n')
	io.WriteString(r.opts.Stdout, b.String())
	return 0
}

// luaWrite is io.write writing to Options.Stdout.
func (r *Runtime) luaWrite(L *lua.LState) int {
	for i := 1; i <= L.GetTop(); i++ {
		v := L.Get(i)
		switch v.(type) {
		case lua.LString, lua.LNumber:
			io.WriteString(r.opts.Stdout, v.String())
		default:
			argError(L, i, "string expected, got "+v.Type().String())
		}
	}
	return 0
}

// luaExit is os.exit([code]): it ends the script, not the process.
func (r *Runtime) luaExit(L *lua.LState) int {
	code := 0
	switch v := L.Get(1).(type) {
	case lua.LBool:
		if !v {
			code = 1
		}
	case lua.LNumber:
		code = int(v)
	case *lua.LNilType:
	default:
		argError(L, 1, "number or boolean expected")
	}
	r.exit = &ExitError{Code: code}
	L.Error(lua.LString("os.exit"), 0)
	return 0
}
