package luaapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/server"
)

// iniserveServe is iniserve.serve(dir [, opts]): an in-process server over
// dir as volume C: on 127.0.0.1 (a free port), and a session connected to
// it with the current directory C:\. opts: password (default empty),
// read_only, events (array of semaphore names that E accepts, doing
// nothing). The server is shut down by Runtime.Close.
func (r *Runtime) iniserveServe(L *lua.LState) int {
	dir := checkString(L, 1, "directory")
	srv := &server.Server{}
	password := ""
	switch o := L.Get(2).(type) {
	case *lua.LNilType:
	case *lua.LTable:
		password = optPassword(L, o)
		srv.ReadOnly = lua.LVAsBool(o.RawGetString("read_only"))
		if ev, ok := o.RawGetString("events").(*lua.LTable); ok {
			srv.Events = map[string]server.Event{}
			for i := 1; i <= ev.Len(); i++ {
				name, ok := ev.RawGetInt(i).(lua.LString)
				if !ok {
					argError(L, 2, "opts.events must be an array of semaphore names")
				}
				srv.Events[string(name)] = server.Event{Func: func(context.Context, string) error { return nil }}
			}
		}
	default:
		argError(L, 2, "options table expected, got "+typeName(o))
	}
	if r.opts.Safe {
		r.raise(L, &Error{File: dir, Op: "serve", Err: ErrSafeMode})
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		var st os.FileInfo
		st, err = os.Stat(abs)
		if err == nil && !st.IsDir() {
			err = fmt.Errorf("not a directory")
		}
	}
	if err != nil {
		r.raise(L, &Error{File: dir, Op: "serve", Err: err})
	}
	srv.Volumes = map[byte]string{'C': abs}
	srv.Password = &password
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.raise(L, &Error{File: dir, Op: "serve", Err: err})
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		if serr := <-done; serr != nil && !errors.Is(serr, server.ErrServerClosed) && err == nil {
			err = serr
		}
		return err
	}
	copts := r.opts.Client
	copts.CheckMode = r.opts.CheckMode
	copts.Logger = r.opts.Logger
	copts.Password = password
	copts.DialContext = nil // the server is in this process, not behind a tunnel
	addr := l.Addr().String()
	s, err := client.Dial(r.ctx, addr, copts)
	if err != nil {
		stop()
		r.raise(L, &Error{Host: addr, File: dir, Op: "serve", Err: err})
	}
	r.closers = append(r.closers, stop)
	if err := s.Chdir(r.ctx, `C:\`); err != nil {
		s.Close()
		r.raise(L, &Error{Host: addr, File: dir, Op: "serve", Err: err})
	}
	L.Push(r.sessionValue(r.addSession(s, addr, true)))
	return 1
}
