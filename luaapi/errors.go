package luaapi

import (
	"errors"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/client"
)

// ErrSafeMode is wrapped by the error raised when a script running in safe
// mode calls a function that safe mode removes access to (ini.open,
// ini.choose, f:save, iniserve.connect and its password_env option,
// iniserve.serve, require of a module not already loaded).
var ErrSafeMode = errors.New("not allowed in safe mode")

// ErrChangedOnDisk is wrapped by the error f:save() raises when the file at
// the handle's own path is no longer what the handle read (or last saved):
// another handle, another ini.open spelling of the same file, or another
// program wrote it in between. f:save{force = true} overwrites it anyway.
var ErrChangedOnDisk = errors.New("changed on disk since this handle read or last saved it")

// ErrClosed is wrapped by the error raised when a script uses a session
// after s:close() or after the runtime was closed.
var ErrClosed = errors.New("session is closed")

// ErrNoCurrentDir is wrapped by the error s:ls raises for a relative path
// or mask (or one starting with a separator, or "..") while the session is
// at the root pseudo-directory of drives, before any s:cd: there is no
// directory to resolve it against, and INIServe would list the drives.
var ErrNoCurrentDir = errors.New("relative path with no current directory (the session is at the root pseudo-directory of drives)")

// Error is a failure of an API call made by a script. The Lua error raised
// for it is the text of Error(); Runtime.Call returns a *ScriptError whose
// Unwrap yields this *Error, so errors.As finds it.
//
// Host is the session address ("" for local files), File the local path or
// remote file name, Path the argument of a session operation that is not
// an INI file (the directory of cd, the path of mkdir, move, remove, the
// semaphore of post), Application and Key the names involved (raw bytes, ""
// when not involved), Op the Lua function ("set", "open", "cd", ...), Err
// the cause (a *client.CommandError carries the server's reply). Passwords
// never appear in any field.
type Error struct {
	Host        string
	File        string
	Path        string
	Application string
	Key         string
	Op          string
	Err         error
}

// Error returns e.g. `host 127.0.0.1:3560: file "WEASEL.INI": application
// "$SYS": key "Port": set: u16 value: 70000 out of range 0..65535`: each
// part that is set, in this order (host, file, path, application, key,
// operation, cause). The host is left out when the cause is a
// *client.ConnectError, which names the address already: `connect: 10.0.0.5:3560: no
// greeting within 3s`.
func (e *Error) Error() string {
	var b strings.Builder
	var ce *client.ConnectError
	if e.Host != "" && !errors.As(e.Err, &ce) {
		fmt.Fprintf(&b, "host %s: ", e.Host)
	}
	if e.File != "" {
		fmt.Fprintf(&b, "file %q: ", e.File)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, "path %q: ", e.Path)
	}
	if e.Application != "" {
		fmt.Fprintf(&b, "application %q: ", e.Application)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "key %q: ", e.Key)
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("failed")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ExitError is returned by Runtime.Run and Runtime.Call when the script
// called os.exit. Code is the exit status (os.exit(true) is 0,
// os.exit(false) is 1, os.exit() is 0). os.exit does not end the process:
// the caller decides (cmd/inilua exits with Code after closing the runtime).
type ExitError struct {
	Code int
}

// Error returns "exit status N".
func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ScriptError is a Lua error that ended a script: Msg is the Lua error
// message (with the chunk name and line where Lua adds them), Traceback the
// Lua stack traceback, Cause the error of the API call that raised it
// (usually an *Error; nil when the script itself raised the error) or the
// context error when the script was cancelled or ran out of time.
type ScriptError struct {
	Msg       string
	Traceback string
	Cause     error
}

// Error returns Msg.
func (e *ScriptError) Error() string { return e.Msg }

// Unwrap returns Cause, so errors.As(err, &apiErr) and
// errors.Is(err, context.DeadlineExceeded) work.
func (e *ScriptError) Unwrap() error { return e.Cause }

// metaName marks the Go function of a metamethod (its first upvalue) with
// the name argError gives it.
type metaName string

// metaFunc returns fn as a Lua function that argError names name: gopher-lua
// names a Go function after the call expression that ran it, and a
// metamethod (f[app], #f, tostring(f)) has none, so its argument errors
// would name the function "(anonymous)".
func metaFunc(L *lua.LState, name string, fn lua.LGFunction) *lua.LFunction {
	return L.NewClosure(fn, &lua.LUserData{Value: metaName(name)})
}

// argError raises "bad argument #n to NAME (msg)" as L.ArgError does, with
// NAME the metamethod's name in quotes ('index', 'newindex', 'len', ...)
// for a function made by metaFunc.
func argError(L *lua.LState, n int, msg string) {
	if ud, ok := L.Get(lua.UpvalueIndex(1)).(*lua.LUserData); ok {
		if name, ok := ud.Value.(metaName); ok {
			L.RaiseError("bad argument #%d to '%s' (%s)", n, string(name), msg)
		}
	}
	L.ArgError(n, msg)
}
