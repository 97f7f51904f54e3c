package luaapi

import (
	"context"
	"crypto/tls"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/os2path"
)

// sessionObj is the Go side of a Lua session object.
type sessionObj struct {
	rt     *Runtime
	s      *client.Session
	host   string // label used in errors and changes
	owned  bool   // opened by the script: closed (and notified) by the runtime
	closed bool
	notes  []string // semaphores requested with s:notify (owned sessions)
}

// WrapSession returns the Lua session object for a session the caller
// opened (the batch runner passes it as the first value of "..."). host
// labels the session in errors and in Change.Host; "" uses s.Addr(). The
// runtime never closes such a session and never posts its notifications:
// s:close() in the script only stops the script from using it; the caller
// closes it and posts Notifications() after the script.
func (r *Runtime) WrapSession(s *client.Session, host string) lua.LValue {
	if host == "" {
		host = s.Addr()
	}
	return r.sessionValue(r.addSession(s, host, false))
}

func (r *Runtime) addSession(s *client.Session, host string, owned bool) *sessionObj {
	so := &sessionObj{rt: r, s: s, host: host, owned: owned}
	r.sessions = append(r.sessions, so)
	return so
}

func (r *Runtime) sessionValue(so *sessionObj) *lua.LUserData {
	ud := r.ls.NewUserData()
	ud.Value = so
	ud.Metatable = r.sessMT
	return ud
}

// checkSession returns the session at stack index n or raises.
func checkSession(L *lua.LState, n int) *sessionObj {
	return checkObj[*sessionObj](L, n, "session")
}

// live returns the session object at index 1, raising when it is closed.
func (r *Runtime) live(L *lua.LState, op string) *sessionObj {
	so := checkSession(L, 1)
	if so.closed {
		r.raise(L, &Error{Host: so.host, Op: op, Err: ErrClosed})
	}
	return so
}

func (so *sessionObj) fail(op, file string, err error) *Error {
	return &Error{Host: so.host, File: file, Op: op, Err: err}
}

// failPath is fail for operations on paths that are not INI files.
func (so *sessionObj) failPath(op, path string, err error) *Error {
	return &Error{Host: so.host, Path: path, Op: op, Err: err}
}

// shutdown posts the pending notifications of an owned session when its
// host changed (reporting them instead in check mode), then closes it.
func (so *sessionObj) shutdown(ctx context.Context) error {
	if so.closed {
		return nil
	}
	so.closed = true
	var first error
	if len(so.notes) > 0 && so.rt.hostChanged(so.host) {
		for _, sem := range so.notes {
			if so.rt.opts.CheckMode {
				fmt.Fprintf(so.rt.opts.Stderr, "check mode: would post %s on %s\n", sem, so.host)
				continue
			}
			if err := so.s.PostEvent(ctx, sem); err != nil && first == nil {
				first = so.failPath("notify", sem, fmt.Errorf("posting: %w", err))
			}
		}
	}
	if err := so.s.Close(); err != nil && first == nil {
		first = so.fail("close", "", err)
	}
	return first
}

// initSessionType builds the session metatable.
func (r *Runtime) initSessionType() {
	L := r.ls
	r.sessMethods = map[string]lua.LValue{}
	for name, fn := range r.sessionMethodFuncs() {
		r.sessMethods[name] = L.NewFunction(fn)
	}
	r.sessMT = newSmallTable(L)
	r.sessMT.RawSetString("__index", metaFunc(L, "index", func(L *lua.LState) int {
		checkSession(L, 1)
		name, _ := L.Get(2).(lua.LString)
		if m, ok := r.sessMethods[string(name)]; ok {
			L.Push(m)
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}))
	r.sessMT.RawSetString("__newindex", metaFunc(L, "newindex", func(L *lua.LState) int {
		L.RaiseError("sessions have no fields to set")
		return 0
	}))
	r.sessMT.RawSetString("__len", metaFunc(L, "len", func(L *lua.LState) int {
		so := checkSession(L, 1)
		L.RaiseError("#: session %s has no length (it is a connection, not a table): s:ls() lists a directory, #s:open(name) counts a file's applications", so.host)
		return 0
	}))
	r.sessMT.RawSetString("__tostring", metaFunc(L, "tostring", func(L *lua.LState) int {
		so := checkSession(L, 1)
		s := "session " + so.host
		if so.closed {
			s += " (closed)"
		}
		L.Push(lua.LString(s))
		return 1
	}))
	r.sessMT.RawSetString("__metatable", lua.LString("session"))
}

// sessionMethodFuncs returns the methods of session objects.
func (r *Runtime) sessionMethodFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"host": func(L *lua.LState) int {
			L.Push(lua.LString(checkSession(L, 1).host))
			return 1
		},
		"cd": func(L *lua.LState) int {
			so := r.live(L, "cd")
			p := checkString(L, 2, "path")
			if err := so.s.Chdir(r.ctx, p); err != nil {
				r.raise(L, so.failPath("cd", p, err))
			}
			return 0
		},
		"ls": func(L *lua.LState) int {
			so := r.live(L, "ls")
			mask := ""
			if L.Get(2) != lua.LNil {
				mask = checkString(L, 2, "path or mask")
			}
			if err := lsAtRoot(so.s, mask); err != nil {
				r.raise(L, so.failPath("ls", mask, err))
			}
			names, err := so.s.List(r.ctx, mask)
			if err != nil {
				r.raise(L, so.failPath("ls", mask, err))
			}
			t := L.CreateTable(len(names), 0)
			for _, n := range names {
				t.Append(lua.LString(n))
			}
			L.Push(t)
			return 1
		},
		"mkdir": func(L *lua.LState) int {
			so := r.live(L, "mkdir")
			p := checkString(L, 2, "path")
			if err := so.s.Mkdir(r.ctx, p); err != nil {
				r.raise(L, so.failPath("mkdir", p, err))
			}
			r.record(Change{Host: so.host, File: absPath(so.s, p), Op: "mkdir"})
			return 0
		},
		"move": func(L *lua.LState) int {
			so := r.live(L, "move")
			src, dst := checkString(L, 2, "source"), checkString(L, 3, "destination")
			if err := so.s.Move(r.ctx, src, dst); err != nil {
				r.raise(L, so.failPath("move", src, fmt.Errorf("to %q: %w", dst, err)))
			}
			r.record(Change{Host: so.host, File: absPath(so.s, src), Key: absPath(so.s, dst), Op: "move"})
			return 0
		},
		"remove": func(L *lua.LState) int {
			so := r.live(L, "remove")
			p := checkString(L, 2, "path")
			// X of a missing file succeeds; only record a real removal
			existing, err := so.s.List(r.ctx, p)
			if err != nil {
				r.raise(L, so.failPath("remove", p, err))
			}
			abs := absPath(so.s, p)
			if len(existing) == 1 && !strings.HasSuffix(existing[0], "/") && isProfileName(p) {
				if err := r.backup(so, abs); err != nil {
					r.raise(L, so.failPath("remove", p, err))
				}
			}
			if err := so.s.Remove(r.ctx, p); err != nil {
				r.raise(L, so.failPath("remove", p, err))
			}
			if len(existing) > 0 {
				r.record(Change{Host: so.host, File: abs, Op: "remove"})
			}
			L.Push(lua.LBool(len(existing) > 0))
			return 1
		},
		"post": func(L *lua.LState) int {
			so := r.live(L, "post")
			sem := checkString(L, 2, "semaphore")
			if err := so.s.PostEvent(r.ctx, sem); err != nil {
				r.raise(L, so.failPath("post", sem, err))
			}
			return 0
		},
		"notify": func(L *lua.LState) int {
			so := r.live(L, "notify")
			sem := checkString(L, 2, "semaphore")
			for _, n := range r.notes {
				if n.Host == so.host && strings.EqualFold(n.Semaphore, sem) {
					return 0
				}
			}
			r.notes = append(r.notes, Notification{Host: so.host, Semaphore: sem})
			if so.owned {
				so.notes = append(so.notes, sem)
			}
			return 0
		},
		"restart": func(L *lua.LState) int {
			so := r.live(L, "restart")
			err := so.s.Restart(r.ctx)
			if err != nil {
				r.raise(L, so.fail("restart", "", err))
			}
			if !r.opts.CheckMode {
				so.closed = true
				if so.owned {
					so.s.Close()
				}
			}
			return 0
		},
		"close": func(L *lua.LState) int {
			so := checkSession(L, 1)
			if so.closed {
				return 0
			}
			if !so.owned {
				so.closed = true
				return 0
			}
			if err := so.shutdown(r.ctx); err != nil {
				r.raise(L, err)
			}
			return 0
		},
		"open": func(L *lua.LState) int {
			so := r.live(L, "open")
			name := checkString(L, 2, "file name")
			f, err := r.openRemote(so, name)
			if err != nil {
				r.raise(L, so.fail("open", name, err))
			}
			L.Push(r.fileValue(f))
			return 1
		},
		"fetch": func(L *lua.LState) int {
			so := r.live(L, "fetch")
			name := checkString(L, 2, "file name")
			lf, err := so.s.Fetch(r.ctx, name)
			if err != nil {
				r.raise(L, so.fail("fetch", name, err))
			}
			L.Push(r.fileValue(r.newFile(lf, lf, "", ini.FormatForName(name), nil, nil)))
			return 1
		},
		"push": r.sessionPush,
		"choose": func(L *lua.LState) int {
			so := r.live(L, "choose")
			base := checkString(L, 2, "base name")
			name, err := r.chooseRemote(so, base)
			if err != nil {
				r.raise(L, so.fail("choose", base, err))
			}
			L.Push(lua.LString(name))
			return 1
		},
	}
}

// openRemote opens name on the session as a file object: change recording
// on top, the dry-run overlay in check mode, the backup hook before the
// first write otherwise.
func (r *Runtime) openRemote(so *sessionObj, name string) (*fileObj, error) {
	rf, err := so.s.Open(r.ctx, name)
	if err != nil {
		return nil, err
	}
	var p ini.Profile = remoteProfile{rf: rf, ctx: r.Context, so: so}
	// In check mode the session itself simulates writes (client.Options
	// CheckMode): nothing is sent, later reads see the simulated values.
	// Changes, errors and backups name the file by its absolute path, so
	// two files named alike in two directories never look the same.
	path := rf.Path()
	before := func() error { return r.backup(so, path) }
	f := r.newFile(p, nil, path, rf.Format(), so, before)
	f.rf, f.given = rf, name
	return f, nil
}

// backup calls Options.Backup for the remote file name (outside check
// mode, when set).
func (r *Runtime) backup(so *sessionObj, name string) error {
	if r.opts.CheckMode || r.opts.Backup == nil {
		return nil
	}
	err := r.opts.Backup(r.ctx, so.host, name, func(ctx context.Context) (*ini.File, error) {
		return so.s.Fetch(ctx, name)
	})
	if err != nil {
		return fmt.Errorf("backup before the first write: %w", err)
	}
	return nil
}

// absPath returns the absolute OS/2 path p names on s (client
// Session.AbsPath), or p itself when the client cannot tell: what change
// lists and messages name a remote file or directory by.
// lsAtRoot returns an error wrapping ErrNoCurrentDir when the session is
// known to be at the root pseudo-directory (no s:cd yet, or cd'd above a
// drive's root) and p, not empty, does not lead anywhere from there by the
// rules of spec §5 (a relative name or mask, a leading separator, ".."):
// INIServe answers such an L with the drive list (spec §6), which s:ls
// would hand back as if it were the listing asked for. It returns nil
// for "" and "." (the drives are what was asked for), for a path with a
// drive letter, and when the current directory is not the pseudo-directory
// or unknown (the server resolves p).
func lsAtRoot(s *client.Session, p string) error {
	if p == "" {
		return nil
	}
	if dir, known := s.Cwd(); !known || dir != "" {
		return nil
	}
	if _, err := os2path.Lex(os2path.Root, p); err != nil {
		return fmt.Errorf("%w: give a path with a drive letter or call s:cd first", ErrNoCurrentDir)
	}
	return nil
}

func absPath(s *client.Session, p string) string {
	if abs := s.AbsPath(p); abs != "" {
		return abs
	}
	return p
}

// isProfileName reports whether a path names an INI or TNI file (.INI or
// .TNI, any case).
func isProfileName(p string) bool {
	i := strings.LastIndexByte(p, '.')
	return i >= 0 && (strings.EqualFold(p[i:], ".ini") || strings.EqualFold(p[i:], ".tni"))
}

// sessionPush is s:push(name, f [, opts]): make the remote file name hold
// f's content (opts.delete: also delete what f lacks), creating it when
// missing. Every change is recorded; returns the number of changes.
func (r *Runtime) sessionPush(L *lua.LState) int {
	so := r.live(L, "push")
	name := checkString(L, 2, "file name")
	src := checkFile(L, 3)
	del := false
	switch o := L.Get(4).(type) {
	case *lua.LNilType:
	case *lua.LTable:
		del = lua.LVAsBool(o.RawGetString("delete"))
	default:
		argError(L, 4, "options table expected, got "+typeName(o))
	}
	snap, err := src.snapshot()
	if err != nil {
		r.raise(L, src.fail("push", nil, nil, err))
	}
	dst, err := r.openRemote(so, name)
	if err != nil {
		r.raise(L, so.fail("push", name, err))
	}
	// one download, then only the differing keys are written
	cur, err := so.s.Fetch(r.ctx, name)
	if err != nil {
		r.raise(L, so.fail("push", name, err))
	}
	rec := dst.p.(*recorder)
	before := len(dst.changes)
	for _, a := range snap.Apps {
		for _, e := range a.Entries {
			old, ok := cur.Lookup(a.Name, e.Key)
			if err := rec.putKnown(a.Name, e.Key, e.Value, old, ok); err != nil {
				r.raise(L, dst.fail("push", a.Name, e.Key, err))
			}
		}
	}
	if del {
		for _, a := range cur.Apps {
			for _, e := range a.Entries {
				if _, ok := snap.Lookup(a.Name, e.Key); !ok {
					if err := rec.deleteKnown(a.Name, e.Key, e.Value); err != nil {
						r.raise(L, dst.fail("push", a.Name, e.Key, err))
					}
				}
			}
		}
	}
	L.Push(lua.LNumber(len(dst.changes) - before))
	return 1
}

// chooseRemote applies the GenINI rules (spec ini-formats.md §6.2) to
// base.INI and base.TNI on the host: existence by listing, UseTNI by
// fetching both files when both exist.
func (r *Runtime) chooseRemote(so *sessionObj, base string) (string, error) {
	read := func(name string) ([]byte, error) {
		entries, err := so.s.List(r.ctx, name)
		if err != nil {
			return nil, err
		}
		if len(entries) == 0 || strings.HasSuffix(entries[0], "/") {
			return nil, fs.ErrNotExist
		}
		f, err := so.s.Fetch(r.ctx, name)
		if err != nil {
			return nil, err
		}
		return f.Marshal(ini.FormatForName(name))
	}
	warn := func(e *ini.FormatError) {
		r.log.Warn(e.Error(), slog.String("host", so.host))
	}
	p, _, err := ini.Choose(base, ini.ChooseOptions{ReadFile: read, Warn: warn})
	return p, err
}

// iniserveModule builds the iniserve module table.
func (r *Runtime) iniserveModule() *lua.LTable {
	L := r.ls
	m := L.NewTable()
	m.RawSetString("connect", L.NewFunction(r.iniserveConnect))
	m.RawSetString("serve", L.NewFunction(r.iniserveServe))
	m.RawSetString("port", lua.LNumber(3560))
	return m
}

// optPassword returns opts.password of the options table o (argument 2),
// "" when absent; a value that is not a string raises an argument error.
func optPassword(L *lua.LState, o *lua.LTable) string {
	v := o.RawGetString("password")
	if v == lua.LNil {
		return ""
	}
	s, ok := v.(lua.LString)
	if !ok {
		argError(L, 2, "opts.password must be a string")
	}
	return string(s)
}

// iniserveConnect is iniserve.connect(addr [, opts]).
func (r *Runtime) iniserveConnect(L *lua.LState) int {
	addr := checkString(L, 1, "address")
	copts := r.opts.Client
	copts.CheckMode = r.opts.CheckMode
	copts.Logger = r.log // the client warns there when the empty password is accepted
	copts.Password = ""
	switch o := L.Get(2).(type) {
	case *lua.LNilType:
	case *lua.LTable:
		copts.Password = optPassword(L, o)
		if v := o.RawGetString("password_env"); v != lua.LNil {
			s, ok := v.(lua.LString)
			if !ok {
				argError(L, 2, "opts.password_env must be a string")
			}
			if r.opts.Safe {
				r.raise(L, &Error{Host: addr, Op: "connect", Err: fmt.Errorf("password_env: %w", ErrSafeMode)})
			}
			pw, found := os.LookupEnv(string(s))
			if !found {
				r.raise(L, &Error{Host: addr, Op: "connect", Err: fmt.Errorf("environment variable %s is not set", string(s))})
			}
			copts.Password = pw
		}
		switch v := o.RawGetString("timeout").(type) {
		case *lua.LNilType:
		case lua.LNumber:
			d := time.Duration(float64(v) * float64(time.Second))
			copts.DialTimeout, copts.CommandTimeout = d, d
		case lua.LString:
			d, err := time.ParseDuration(string(v))
			if err != nil {
				argError(L, 2, "opts.timeout: "+err.Error())
			}
			copts.DialTimeout, copts.CommandTimeout = d, d
		default:
			argError(L, 2, "opts.timeout must be seconds or a duration string")
		}
		switch v := o.RawGetString("tls").(type) {
		case *lua.LNilType:
		case lua.LBool:
			if v {
				copts.TLS = &tls.Config{}
			}
		case *lua.LTable:
			cfg := &tls.Config{}
			if sn, ok := v.RawGetString("server_name").(lua.LString); ok {
				cfg.ServerName = string(sn)
			}
			cfg.InsecureSkipVerify = lua.LVAsBool(v.RawGetString("insecure"))
			copts.TLS = cfg
		default:
			argError(L, 2, "opts.tls must be a boolean or a table")
		}
	default:
		argError(L, 2, "options table expected, got "+typeName(o))
	}
	if r.opts.Safe {
		r.raise(L, &Error{Host: addr, Op: "connect", Err: ErrSafeMode})
	}
	s, err := client.Dial(r.ctx, addr, copts)
	if err != nil {
		r.raise(L, &Error{Host: addr, Op: "connect", Err: err})
	}
	L.Push(r.sessionValue(r.addSession(s, addr, true)))
	return 1
}
