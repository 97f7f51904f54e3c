package luaapi

import (
	"context"
	"errors"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/ini"
)

// View describes a Lua value that is one of the runtime's objects, for a
// REPL that prints summaries and completes names.
type View struct {
	// Kind is "file", "application" or "session".
	Kind string
	// Host is the session address; "" for local files.
	Host string
	// File is the local path or remote file name ("" for ini.new() files
	// and for sessions).
	File string
	// Application is the application name of an application view.
	Application string
	// Format is "ini" or "tni" for files and application views.
	Format string
	// Remote reports whether the file is on a host.
	Remote bool
	// Closed reports whether a session was closed.
	Closed bool
}

// ViewOf reports whether v is a file, application view or session of this
// package and describes it without any network traffic.
func ViewOf(v lua.LValue) (View, bool) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return View{}, false
	}
	switch o := ud.Value.(type) {
	case *fileObj:
		return View{Kind: "file", Host: o.host(), File: o.name, Format: o.format.String(), Remote: o.sess != nil}, true
	case *appObj:
		return View{Kind: "application", Host: o.f.host(), File: o.f.name, Application: string(o.name), Format: o.f.format.String(), Remote: o.f.sess != nil}, true
	case *sessionObj:
		return View{Kind: "session", Host: o.host, Closed: o.closed}, true
	}
	return View{}, false
}

// Names lists what completion offers after v: for a file, its application
// names; for an application view, its key names (none when the application
// does not exist); for a session, the entries of s:ls(arg) (arg: a
// directory or mask, "" for the current directory). ctx bounds the wait
// (give completion a short timeout): when it ends first, Names returns
// ctx's error at once, but the commands already sent are not abandoned:
// their replies are read in the background (each within the session's
// command timeout), so the session stays usable and the next call on it
// waits for them instead of finding the connection closed. Names must not
// be called while a Call is running on the same runtime.
func (r *Runtime) Names(ctx context.Context, v lua.LValue, arg string) ([]string, error) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return nil, fmt.Errorf("not a file, application view or session: %s", v.Type())
	}
	var list func(context.Context) ([]string, error)
	switch o := ud.Value.(type) {
	case *fileObj:
		if o.rf == nil { // local: no network, read here (a Call may change it next)
			return listNames(o.local, nil)
		}
		list = func(ctx context.Context) ([]string, error) { return listNames(o.profileCtx(ctx), nil) }
	case *appObj:
		if o.f.rf == nil {
			return listNames(o.f.local, o.name)
		}
		list = func(ctx context.Context) ([]string, error) { return listNames(o.f.profileCtx(ctx), o.name) }
	case *sessionObj:
		if o.closed {
			return nil, ErrClosed
		}
		list = func(ctx context.Context) ([]string, error) { return o.s.List(ctx, arg) }
	default:
		return nil, fmt.Errorf("not a file, application view or session")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		names []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		// not cancelled with ctx: cancelling a command on the wire closes
		// the connection (package client), and completion must never cost
		// the session
		n, err := list(context.WithoutCancel(ctx))
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		return res.names, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// listNames lists the application names of p (app nil) or the key names of
// app (none when it does not exist).
func listNames(p ini.Profile, app []byte) ([]string, error) {
	var list [][]byte
	var err error
	if app == nil {
		list, err = p.Applications()
	} else {
		list, err = p.Keys(app)
		if errors.Is(err, ini.ErrNotFound) {
			err = nil
		}
	}
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = string(n)
	}
	return out, err
}

// profileCtx returns a read profile of f whose network calls use ctx.
func (f *fileObj) profileCtx(ctx context.Context) ini.Profile {
	if f.rf != nil {
		return f.rf.WithContext(ctx)
	}
	return f.local
}
