package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/inilua/inilua/ini"
)

// Sentinel errors; every error returned by this package that means one of
// these wraps it, so errors.Is works.
var (
	// ErrNotLoggedIn: the server answered "-Not logged in" (spec §2).
	ErrNotLoggedIn = errors.New("not logged in")
	// ErrAuth: the server refused the password given to Dial (P answered
	// '-'). The connection is closed.
	ErrAuth = errors.New("authentication failed")
	// ErrNotFound is ini.ErrNotFound: no such application or key (S, T or
	// V answered '-'), so errors.Is(err, ini.ErrNotFound) works for remote
	// and local files alike.
	ErrNotFound = ini.ErrNotFound
	// ErrConnectionLost: the connection broke, timed out, was aborted by a
	// cancelled context, or the server sent a reply this package cannot
	// read. The session is unusable afterwards and every later call returns
	// an error wrapping ErrConnectionLost. There is no silent reconnect.
	ErrConnectionLost = errors.New("connection lost")
	// ErrMalformedReply: the server sent a reply that breaks the protocol
	// (not starting with '+' or '-', bad hex in a V reply, a bad number in
	// an S reply, a line longer than any valid reply). Errors wrapping it
	// also wrap ErrConnectionLost: the session is closed.
	ErrMalformedReply = errors.New("malformed reply")
	// ErrClosed: the session was closed by Close or Restart.
	ErrClosed = errors.New("session closed")
	// ErrPartialWrite: a value written in several chunks (larger than
	// Options.ChunkSize) failed after at least one of its chunks was sent
	// (connection lost, a chunk refused). A server that stores each chunk
	// as it arrives, as the original INIServe does, may now hold neither
	// the old value nor the new one but a mix; package server stages the
	// chunks and keeps the old value (its doc, "Values written in
	// chunks"). The client cannot tell which kind of server it talks to,
	// so the error says "may". Errors wrapping it also wrap the cause.
	ErrPartialWrite = errors.New("the value on the host may be partial")
	// ErrValueChanging: a value larger than Options.ChunkSize, read in
	// chunks, changed between its chunks at every one of several reads
	// (another client keeps rewriting it). No torn value is returned.
	ErrValueChanging = errors.New("value changed while it was read in chunks")
	// ErrValueTooLarge: Put or Push of a value over 65535 bytes into a file
	// whose name does not end in .TNI (spec §9). Nothing was sent.
	ErrValueTooLarge = errors.New("value too large for a binary INI file")
)

// CommandError is a '-' reply: the command line sent (with W data cut and
// any password shown as ***) and the server's reply text after '-' (bytes
// below 0x20 and 0x7F shown as '?', cut to 256 bytes). Err is one of the
// sentinels ErrNotFound (S, T or V refused), ErrNotLoggedIn (reply text
// starting "Not logged in"), ErrAuth (P refused), or nil.
type CommandError struct {
	// Cmd is the command line as sent, without CR LF ("Fweasel.ini",
	// "S", "W0102...(40000 bytes)", "P***"); "(greeting)" for a greeting
	// of '-'.
	Cmd string
	// Reply is the server's text after '-', possibly empty.
	Reply string
	// Err is a sentinel above, or nil.
	Err error
}

// Error returns `command CMD: server replied "-REPLY"`, followed by ": " and
// the sentinel's text when Err is set.
func (e *CommandError) Error() string {
	s := "command " + e.Cmd + `: server replied "-` + e.Reply + `"`
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns Err, so errors.Is(err, ErrNotFound) works.
func (e *CommandError) Unwrap() error { return e.Err }

// ConnectError is a failure of Dial or NewSession to open a session. Its
// text is one clause after the address, never the address twice nor
// "connection lost" for a host that never connected:
//
//	10.0.0.5:3560: connection refused
//	10.0.0.5:3560: no connection within 3s
//	10.0.0.5:3560: no greeting within 3s
//	10.0.0.5:3560: no login reply within 3s
//	10.0.0.5:3560: server closed the connection before its greeting
//	10.0.0.5:3560: login refused (server replied "-Bad password")
//
// Unwrap yields the underlying errors, so errors.Is finds ErrAuth (login
// refused; errors.As then finds the *CommandError of P),
// context.DeadlineExceeded (DialTimeout or the caller's deadline),
// context.Canceled, ErrConnectionLost (the connection was open and broke
// before the login completed) and the net package's errors.
type ConnectError struct {
	// Addr is the address dialled, host:port.
	Addr string
	// What says what went wrong, without the address.
	What string
	errs []error
}

// Error returns "ADDR: WHAT".
func (e *ConnectError) Error() string { return e.Addr + ": " + e.What }

// Unwrap returns the underlying errors.
func (e *ConnectError) Unwrap() []error { return e.errs }

// dialError words a failure to connect to addr; dctx is ctx bounded by the
// dial timeout dt.
func dialError(ctx, dctx context.Context, addr string, dt time.Duration, err error) error {
	e := &ConnectError{Addr: addr, errs: []error{err}}
	var se *os.SyscallError
	var dns *net.DNSError
	var oe *net.OpError
	switch {
	case ctx.Err() != nil:
		e.What = "connect: " + context.Cause(ctx).Error()
		e.errs = append(e.errs, ctx.Err())
	case dctx.Err() != nil:
		e.What = fmt.Sprintf("no connection within %v", dt)
		e.errs = append(e.errs, context.DeadlineExceeded)
	case errors.As(err, &dns):
		e.What = "lookup " + dns.Name + ": " + dns.Err
	case errors.As(err, &se):
		e.What = se.Err.Error()
	case errors.As(err, &oe) && oe.Err != nil:
		e.What = oe.Err.Error()
	default:
		e.What = err.Error()
	}
	return e
}

// loginError words a failure while awaiting phase ("greeting", "login
// reply") on a connection to addr; err is what the session run returned
// (wrapping ErrConnectionLost, or a *CommandError).
func loginError(ctx, dctx context.Context, addr, phase string, dt time.Duration, err error) error {
	e := &ConnectError{Addr: addr, errs: []error{err}}
	var ce *CommandError
	var m *malformed
	var oe *net.OpError
	switch {
	case errors.As(err, &ce) && errors.Is(ce.Err, ErrAuth):
		e.What = fmt.Sprintf(`login refused (server replied "-%s")`, ce.Reply)
	case errors.As(err, &ce):
		e.What = fmt.Sprintf(`server refused the session (greeting "-%s")`, ce.Reply)
	case ctx.Err() != nil:
		e.What = fmt.Sprintf("interrupted awaiting the %s: %v", phase, context.Cause(ctx))
	case dctx.Err() != nil:
		e.What = fmt.Sprintf("no %s within %v", phase, dt)
	case errors.Is(err, errServerClosed):
		e.What = "server closed the connection before its " + phase
	case errors.As(err, &m):
		e.What = phase + ": " + m.Error()
	case errors.As(err, &oe) && oe.Err != nil:
		e.What = phase + ": " + oe.Err.Error()
	default:
		e.What = phase + ": " + err.Error()
	}
	return e
}

// errServerClosed is wrapped by the error of a command whose connection
// the server closed (end of file before or within the reply).
var errServerClosed = errors.New("server closed the connection")
