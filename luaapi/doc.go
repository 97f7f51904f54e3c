// Package luaapi is the Lua face of inilua: a gopher-lua (Lua 5.1) runtime
// in which INI files, local (*ini.File) and remote (*client.RemoteFile), are
// Lua tables, and INIServe sessions are Lua objects. The Lua API itself is
// documented in docs/lua-api.md; this comment is for Go callers (cmd/inilua,
// the REPL, the batch runner).
//
// # Go API
//
//	rt, err := luaapi.New(ctx, luaapi.Options{Stdout: w, CheckMode: check})
//	defer rt.Close()                       // closes sessions and embedded servers the script opened
//	prog, err := luaapi.Compile(code, "script.lua") // once; shareable between goroutines and runtimes
//	rt.SetArg([]string{"script.lua", "a"}, 0)       // the global arg, numbered like lua's
//	rt.SetGlobal("HOST", map[string]any{"name": "h1"}) // Go values as Lua globals
//	vals, err := rt.Run(ctx, prog, rt.WrapSession(sess, "host1"), lua.LString("a")) // "..." = args
//	vals, err = rt.Call(ctx, fn)           // a function value (REPL statements, callbacks)
//	rt.Changes()                           // []Change: every value changed, every host and file
//	rt.Notifications()                     // []Notification: s:notify requests
//	luaapi.ViewOf(v)                       // describe a file, application view or session (no I/O)
//	rt.Names(ctx, v, arg)                  // application/key names, or a session's listing (completion)
//	rt.Methods(v)                          // method names of a file, view or session (completion)
//
// Run is the one way to run a script: the command line, -e chunks and the
// batch runner compile a Program and Run it. Errors from Run and Call:
// *ExitError when the script called
// os.exit (the process is never ended by the runtime), *ScriptError for a
// Lua error, whose Cause is the *Error of the API call that failed (host,
// file, application, key, operation, and the client's *client.CommandError
// with the server's reply) or ctx.Err() when ctx was cancelled or its
// deadline passed. Compile returns a *SyntaxError worded as lua words it.
//
// Context: the ctx given to Run or Call is set on the Lua state (the VM
// stops between instructions when it is done, and string.gsub, find,
// match and gmatch, which are Lua 5.1's matcher from internal/luapat
// rather than gopher-lua's, check it inside one call) and is the context of
// every network call made by the script, so cancelling it interrupts a
// script waiting on a slow host and a deadline on it bounds the whole
// script (the batch runner's --script-timeout). Options.Stop stops only
// the Lua code, letting the command in progress finish. Go functions added
// by callers that wait must use Runtime.Context().
//
// One Runtime per goroutine: a gopher-lua state is not safe for concurrent
// use. A batch runner creates one Runtime per host.
//
// # Table view, typed access, change recording, dry run
//
// All of it is built once on ini.Profile: a recorder wraps the profile of
// every file (local *ini.File, or the remote file of a session) and records
// a Change for each value that really changes (a write of the bytes already
// there is neither recorded nor sent). Remote writes go to the host at once;
// local files change in memory until f:save().
//
// Dry run (Options.CheckMode): sessions are dialled with
// client.Options.CheckMode, so the client never sends W, D, M, R, X, E or ^
// and later reads of the same session see the simulated writes; local files
// change in memory and f:save() writes nothing. Changes are recorded exactly
// as in a real run.
//
// Backups: Options.Backup is called before the first write to each remote
// file (outside check mode), with a function that downloads the file.
//
// # Notifications
//
// s:notify(semaphore) records a Notification (once per host and semaphore).
// For sessions the runtime opened (iniserve.connect, iniserve.serve), the
// runtime posts them with E when the session is closed (s:close() or
// Runtime.Close), only if something changed on that host, and at
// Runtime.Close only if the last call did not fail (as Ansible skips
// handlers after a failure); in check mode it writes "check mode: would
// post ..." to Options.Stderr instead. For
// sessions passed in with WrapSession the runtime never posts: the caller
// (the batch runner) reads Notifications() after the script and posts them
// if the host changed.
//
// # Safe mode
//
// Options.Safe is for untrusted scripts. What remains: the base library
// without dofile, loadfile and module (load and loadstring of strings stay),
// string, table, math, coroutine, os.time, os.clock, os.date, os.difftime
// and os.exit (which ends the script, not the process), require of modules
// already loaded, print (to Options.Stdout), the json module (pure), the ini
// module without local
// file access (ini.new, ini.parse, the encoders, f:tni(), f:binary()) and
// sessions passed in with WrapSession. Removed: io, debug, the rest of os,
// package searchers, ini.open, ini.choose, f:save(), iniserve.connect and
// iniserve.serve (they raise an error wrapping ErrSafeMode). Safe mode
// does not limit memory or CPU: give the context a deadline. (In every
// mode string.rep and string.gsub refuse results over MaxRepBytes and
// MaxGsubBytes; the pattern functions stop inside one call when the
// context is done, even on a pathological pattern; other library calls
// are linear in their input and are not interrupted inside one call.)
//
// # Output
//
// print and io.write go to Options.Stdout (io.stdout:write does not: it is
// the process's stdout).
package luaapi
