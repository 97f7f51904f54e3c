package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/term"

	"github.com/inilua/inilua/luaapi"
	"github.com/inilua/inilua/repl"
)

// closeTimeout bounds how long leaving the REPL waits for the runtime to
// close its sessions and embedded servers.
const closeTimeout = time.Second

// apiHelp is the API summary printed by :help (docs/lua-api.md has the
// full reference).
const apiHelp = `Files (local and remote alike):
  f = ini.open(path [, {create=true}])   ini.new()   ini.parse(bytes)
  f[app][key]  value bytes or nil       f[app][key] = bytes | nil   f[app] = nil
  for app, a in pairs(f)   for key, v in pairs(f[app])   #f   #f[app]
  f:get(app, key [, type])   f:set(app, key, value [, type])
      types: bytes string string0 strings u8 u16 u32 i8 i16 i32 hex
  f:delete(app [, key])   f:app(name)   f:apps()   f[app]:keys()   f:changes()
  f:rename_app(old, new)   f:rename_key(app, old, new)   f:name()  f:host()  f:format()
  f:save([path | {format=, backup=}])   f:tni()   f:binary()
Values: ini.u8/u16/u32/i32(n)  ini.strz(s)  ini.strings{...}  ini.hex(b)  ini.unhex(t)
  ini.decode(bytes, type)  ini.choose(base)
Hosts: s = iniserve.connect(addr [, {password_env=, timeout=, tls=}])   iniserve.serve(dir)
  s:cd(dir)  s:ls([mask])  s:open(name)  s:fetch(name)  s:push(name, f)  s:choose(base)
  s:mkdir(dir)  s:move(from, to)  s:remove(path)  s:post(sem)  s:notify(sem)
  s:host()  s:restart()  s:close()
Reference: docs/lua-api.md
`

// runREPL runs the interactive REPL (package repl) and returns the exit status.
// rt is the runtime of the -e chunks and script that ran before (-i), or
// nil: then the REPL creates one (arg set from cmdline, the command line
// after the command's name) and closes it at the end, waiting at most
// closeTimeout (a runtime passed in is closed by the caller).
//
// With a terminal on stdin: prompts, line editing, completion and history
// (in $INILUA_HISTORY when set, "" for none, else DefaultHistoryFile); Ctrl-C
// interrupts the running statement only, so the signal context of main is
// not used. Without a terminal, statements are read from stdin and run as
// they complete; the first error ends the run with status 1.
func runREPL(ctx context.Context, o cliOptions, cmdline []string, rt *luaapi.Runtime, e env) (code int) {
	ctx = context.WithoutCancel(ctx) // Ctrl-C interrupts a statement, not the REPL
	if rt == nil {
		var err error
		rt, err = newRuntime(ctx, o, cmdline, e)
		if err != nil {
			fmt.Fprintf(e.stderr, "inilua: %v\n", err)
			return 1
		}
		defer func() {
			if err := closeWithin(rt, closeTimeout); err != nil {
				fmt.Fprintf(e.stderr, "inilua: %v\n", err)
			}
		}()
	}
	interactive := stdinIsTerminal(e.stdin)
	cfg := repl.Config{
		Host:        replHost{rt},
		Stdin:       e.stdin,
		Stdout:      e.stdout,
		Stderr:      e.stderr,
		Interactive: interactive,
		Signals:     true,
		Help:        apiHelp,
		ErrorPrefix: "inilua: ",
		ExitCode: func(err error) (int, bool) {
			var exit *luaapi.ExitError
			if errors.As(err, &exit) {
				return exit.Code, true
			}
			return 0, false
		},
		Traceback: func(err error) string {
			var se *luaapi.ScriptError
			if errors.As(err, &se) {
				return se.Traceback
			}
			var ae *lua.ApiError
			if errors.As(err, &ae) {
				return ae.StackTrace
			}
			return ""
		},
	}
	if interactive {
		cfg.HistoryFile = historyFile(e.stderr)
		mode := ""
		if o.check {
			mode = " [check mode: nothing is written]"
		}
		fmt.Fprintf(e.stdout, "inilua: Lua 5.1 with ini and iniserve%s. :help for help, Ctrl-D to leave.\n", mode)
	}
	r, err := repl.New(cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "inilua: %v\n", err)
		return 1
	}
	err = r.Run(ctx)
	var exit *repl.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.Code
	case err != nil:
		return 1
	}
	return 0
}

// stdinIsTerminal reports whether r is a terminal.
func stdinIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// historyFile returns the history file: $INILUA_HISTORY when set (empty:
// no history), else repl.DefaultHistoryFile; "" with a warning when the
// state directory cannot be created or $INILUA_HISTORY is a directory.
func historyFile(stderr io.Writer) string {
	if p, ok := os.LookupEnv("INILUA_HISTORY"); ok {
		if fi, err := os.Stat(p); p != "" && err == nil && fi.IsDir() {
			fmt.Fprintf(stderr, "inilua: no history: INILUA_HISTORY=%s is a directory (name a file in it)\n", p)
			return ""
		}
		return p
	}
	p, err := repl.DefaultHistoryFile()
	if err != nil {
		fmt.Fprintf(stderr, "inilua: no history: %v\n", err)
		return ""
	}
	return p
}

// closeWithin closes rt, giving up after d so that leaving the REPL never
// hangs on a host that does not answer (the process exits anyway).
func closeWithin(rt *luaapi.Runtime, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- rt.Close() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("closing sessions: gave up after %v", d)
	}
}

// replHost adapts a luaapi.Runtime to the REPL: it runs code (State and
// Call) and implements repl.Objects with luaapi.ViewOf, Runtime.Methods and
// Runtime.Names.
type replHost struct{ *luaapi.Runtime }

// Kind returns the kind of a luaapi object ("file", "application",
// "session"), "" for other values.
func (h replHost) Kind(v lua.LValue) string {
	view, ok := luaapi.ViewOf(v)
	if !ok {
		return ""
	}
	return view.Kind
}

// Describe summarises a luaapi object: for a file its name (quoted as a
// Lua literal, repl.Quote), format, number of applications and host; for an application view its name, number of
// keys and file, or "(absent)" when it holds no key; for a session its host. Counting asks the host (one
// listing, bounded by ctx); a failed count is left out.
func (h replHost) Describe(ctx context.Context, v lua.LValue) (string, bool) {
	view, ok := luaapi.ViewOf(v)
	if !ok {
		return "", false
	}
	// count is ", N units" (", 1 unit"), or "" when listing failed.
	count := func(unit string) string {
		names, err := h.Names(ctx, v, "")
		if err != nil {
			return ""
		}
		if len(names) == 1 {
			unit = unit[:len(unit)-1]
		}
		return fmt.Sprintf(", %d %s", len(names), unit)
	}
	where := ""
	if view.Host != "" {
		where = " on " + view.Host
	}
	name := "(new)"
	if view.File != "" {
		name = repl.Quote(view.File)
	}
	switch view.Kind {
	case "file":
		return fmt.Sprintf("<INI file %s (%s%s)%s>", name, view.Format, count("applications"), where), true
	case "application":
		// an application without keys does not exist in an INI file (OS/2
		// and INIServe list only applications that hold keys): say so, so a
		// typo in the name is visible
		if keys, err := h.Names(ctx, v, ""); err == nil && len(keys) == 0 {
			return fmt.Sprintf("<application %s (absent) of INI file %s%s>", repl.Quote(view.Application), name, where), true
		}
		return fmt.Sprintf("<application %s (%s%s) of INI file %s%s>", repl.Quote(view.Application),
			view.Format, count("keys"), name, where), true
	case "session":
		closed := ""
		if view.Closed {
			closed = " (closed)"
		}
		return fmt.Sprintf("<session %s%s>", view.Host, closed), true
	}
	return "", false
}
