package luaapi

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// Tracebacks with a bound. gopher-lua (v1.1.2, LState.stackTrace) lists a
// frame's tail calls one line each, from a counter a tail call increments:
// `local function f(n) return f(n+1) end` runs in constant memory, but the
// traceback of an error raised in it (its timeout, say) holds one line per
// call made, 100 million lines (GBs, seconds) after a few seconds of
// running. PCall builds that traceback for every error when it is given
// no error handler, pcall too. So the runtime calls scripts with an error
// handler (onError) that counts the levels first (stackLevels) and lists
// them only up to maxTracebackLevels; its pcall has a handler that builds
// no traceback (keepError), and its debug.traceback has the same bound.

// maxTracebackLevels is the most levels (calls, each tail call counted as
// one, as gopher-lua lists them) a traceback is listed for; a deeper stack
// is summed up in one line. gopher-lua shows at most 15 lines of any
// traceback, so nothing is lost to a reader below the bound.
const maxTracebackLevels = 10000

// debugTraceback is gopher-lua's debug.traceback (arguments: message,
// level; result: the message, a newline and the traceback from that
// level), taken from a debug library opened once in a state of its own so
// that a runtime in safe mode, which has no debug library, can call it.
var debugTraceback = sync.OnceValue(func() lua.LGFunction {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	L.Push(L.NewFunction(lua.OpenDebug))
	L.Call(0, 1)
	return L.Get(-1).(*lua.LTable).RawGetString("traceback").(*lua.LFunction).GFunction
})

// stackLevels returns the number of levels L's stack has: the least n
// for which L.GetStack(n) fails (GetStack counts tail calls as levels).
// It asks GetStack O(log n) times, each walking the frames (at most
// gopher-lua's call stack size), never the tail calls one by one.
func stackLevels(L *lua.LState) int {
	hi := 1
	for {
		if _, ok := L.GetStack(hi); !ok {
			break
		}
		if hi > 1<<52 {
			return hi
		}
		hi *= 2
	}
	lo := hi / 2 // GetStack(lo) succeeded (or lo is 0)
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if _, ok := L.GetStack(mid); ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// boundedTraceback returns "stack traceback:" and the levels of L's stack
// from level on, as gopher-lua's debug.traceback writes them, when the
// stack has at most maxTracebackLevels levels; else one line giving where
// the error is and how many levels there are.
func (r *Runtime) boundedTraceback(L *lua.LState, level int) string {
	if n := stackLevels(L); n > maxTracebackLevels {
		where := "?"
		for i := level; i < level+3; i++ {
			if w := L.Where(i); w != "" && !strings.HasPrefix(w, "[G]") { // not a Go function (error, say)
				where = w
				break
			}
		}
		return fmt.Sprintf("stack traceback:\n\t%s (%d levels, tail calls counted one by one: not listed)", strings.TrimSuffix(where, ":"), n)
	}
	if err := L.CallByParam(lua.P{Fn: r.tracebackFn, NRet: 1, Protect: true}, lua.LNil, lua.LNumber(level+1)); err != nil {
		return ""
	}
	tb, _ := L.Get(-1).(lua.LString)
	L.Pop(1)
	return string(tb)
}

// An error handler has two traps in gopher-lua (v1.1.2). PCall pushes
// it and the error value before it protects their call, so an error that
// left the value stack full (registry overflow: unpack({}, 1, 1e8))
// panics out of PCall altogether, with the call stack not put back
// (protect; guardCall for pcall). And while a handler is set, an error
// does not close the open upvalues of the frames it unwinds, so a closure
// made in them would read a stack slot reused since (closeUpvalues).

// protect is L.PCall(nargs, MultRet, onError) for Call, catching the
// panic PCall lets out when the value stack was full: the state's call
// stack is then lost, so the runtime is marked broken (r.broken: every
// later Call fails with it) and the error returned.
func (r *Runtime) protect(L *lua.LState, nargs int, onError *lua.LFunction) (err error) {
	defer func() {
		if rec := recover(); rec != nil {
			ae, ok := rec.(*lua.ApiError)
			if !ok {
				panic(rec)
			}
			r.broken = fmt.Errorf("luaapi: the Lua state cannot be used after an error that filled its value stack (%s): start a new one", ae.Object)
			err = ae
		}
	}()
	return L.PCall(nargs, lua.MultRet, onError)
}

// errUpvaluesClosed is the panic closeUpvalues raises and recovers.
var errUpvaluesClosed = errors.New("upvalues closed")

// closeUpvalues closes the open upvalues of every Lua frame on L's stack,
// as gopher-lua's error raising does when no error handler is set (it
// skips that with one). Called from an error handler, where gopher-lua
// has cleared its "handler set" flag, it has L.Error do it: L.Error of a
// non-string value closes them, pushes the value and calls L.Panic, here
// a function whose panic this one recovers.
func closeUpvalues(L *lua.LState) {
	saved, top := L.Panic, L.GetTop()
	defer func() {
		L.Panic = saved
		if rec := recover(); rec != nil && rec != errUpvaluesClosed {
			panic(rec)
		}
		L.SetTop(top)
	}()
	L.Panic = func(*lua.LState) { panic(errUpvaluesClosed) }
	L.Error(lua.LNil, 0)
}

// onErrorFunc is the error handler of a script's PCall (Call): it keeps
// the traceback of the error (boundedTraceback, from the frame that
// raised it) in r.traceback, closes the upvalues (closeUpvalues) and
// returns the error value unchanged.
func (r *Runtime) onErrorFunc(L *lua.LState) int {
	r.traceback = r.boundedTraceback(L, 1)
	L.SetTop(1)
	closeUpvalues(L)
	return 1
}

// keepError is the error handler of pcall: it closes the upvalues
// (closeUpvalues) and returns the error value unchanged, so that no
// traceback is built.
func keepError(L *lua.LState) int {
	L.SetTop(1)
	closeUpvalues(L)
	return 1
}

// guardCall is pcall's inner call: it runs the function and arguments on
// the stack under a PCall with keepError as its handler and returns true
// and the results, or false and the error value. luaPcall runs it under a
// PCall without a handler, which catches the panic a full value stack
// lets out of this one and puts the call stack back.
func (r *Runtime) guardCall(L *lua.LState) int {
	if err := L.PCall(L.GetTop()-1, lua.MultRet, r.keepErrorFn); err != nil {
		L.Push(lua.LFalse)
		L.Push(errorValue(err))
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// errorValue returns the Lua value of an error from PCall: the value
// raised, or the error's text.
func errorValue(err error) lua.LValue {
	if ae, ok := err.(*lua.ApiError); ok {
		return ae.Object
	}
	return lua.LString(err.Error())
}

// luaPcall is pcall(f, ...) as gopher-lua's (false and the error value on
// an error, true and f's results otherwise) but building no traceback:
// guardCall calls f with an error handler, keepError.
func (r *Runtime) luaPcall(L *lua.LState) int {
	L.CheckAny(1)
	v := L.Get(1)
	if v.Type() != lua.LTFunction && L.GetMetaField(v, "__call").Type() != lua.LTFunction {
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + v.Type().String() + " value"))
		return 2
	}
	n := L.GetTop()
	L.Insert(r.guardCallFn, 1)
	if err := L.PCall(n, lua.MultRet, nil); err != nil {
		L.Push(lua.LFalse)
		L.Push(errorValue(err))
		return 2
	}
	return L.GetTop()
}

// luaTraceback is debug.traceback([message [, level]]) with the bound of
// boundedTraceback: the message, a newline and the traceback from level
// (default 1, the caller).
func (r *Runtime) luaTraceback(L *lua.LState) int {
	if _, ok := L.Get(1).(*lua.LState); ok {
		return debugTraceback()(L) // another coroutine's stack
	}
	msg := ""
	if s, ok := L.Get(1).(lua.LString); ok {
		msg = string(s)
	}
	level := L.OptInt(2, 1)
	tb := strings.TrimSpace(r.boundedTraceback(L, level))
	if msg != "" {
		tb = msg + "\n" + tb
	}
	L.Push(lua.LString(tb))
	return 1
}
