// Package client is a Go client for the INIServe protocol
// (../shared/spec/iniserve-protocol.md). It relies only on what the spec
// says, so it works against package server and against the original OS/2
// server.
package client

// API CONTRACT (stubs; the client owner replaces the bodies, may add
// methods and fields, but keeps these names and signatures because luaapi
// codes against them).

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"time"

	"github.com/inilua/inilua/ini"
)

// Sentinel errors; every error returned by this package that means one of
// these wraps it, so errors.Is works.
var (
	ErrNotLoggedIn    = errors.New("not logged in")
	ErrAuth           = errors.New("authentication failed")
	ErrNotFound       = ini.ErrNotFound // no such item (S/T/V answered '-')
	ErrConnectionLost = errors.New("connection lost")
)

// CommandError is a '-' reply: the command line sent (with W data cut and
// any password shown as ***) and the server's reply text after '-'.
type CommandError struct {
	Cmd   string
	Reply string
	Err   error // a sentinel above, or nil
}

func (e *CommandError) Error() string {
	s := "command " + e.Cmd + ": server replied -" + e.Reply
	return s
}

func (e *CommandError) Unwrap() error { return e.Err }

// Options configure Dial. The zero value is usable: no password, no TLS,
// default timeouts.
type Options struct {
	Password       string
	DialTimeout    time.Duration // 0: 10 s
	CommandTimeout time.Duration // per command round trip; 0: 30 s
	TLS            *tls.Config   // nil: plain TCP
	Logger         *slog.Logger  // wire trace at Debug level; nil: none
	ChunkSize      int           // bytes per O/V or O/W chunk; 0: 32 KiB
	CheckMode      bool          // dry run: W D M R X E ^ are recorded, never sent
}

// Session is one logged-in INIServe connection (exactly one TCP connection).
// A Session is safe for use by one goroutine at a time.
type Session struct{}

// Dial connects to addr (host or host:port; default port 3560), reads the
// greeting and logs in with opts.Password.
func Dial(ctx context.Context, addr string, opts Options) (*Session, error) {
	return nil, errors.New("not implemented")
}

// Addr returns the address the session is connected to.
func (s *Session) Addr() string { return "" }

// Chdir sends C path.
func (s *Session) Chdir(ctx context.Context, path string) error { return errors.New("not implemented") }

// List sends L pathOrMask and returns the entry names (directories with a
// trailing "/"), without the "../" entry.
func (s *Session) List(ctx context.Context, pathOrMask string) ([]string, error) {
	return nil, errors.New("not implemented")
}

// Mkdir sends M path.
func (s *Session) Mkdir(ctx context.Context, path string) error { return errors.New("not implemented") }

// Move sends A src then R dst.
func (s *Session) Move(ctx context.Context, src, dst string) error {
	return errors.New("not implemented")
}

// Remove sends X path.
func (s *Session) Remove(ctx context.Context, path string) error {
	return errors.New("not implemented")
}

// PostEvent sends E name.
func (s *Session) PostEvent(ctx context.Context, name string) error {
	return errors.New("not implemented")
}

// Restart sends ^; the server closes the session.
func (s *Session) Restart(ctx context.Context) error { return errors.New("not implemented") }

// Close sends Q and closes the connection.
func (s *Session) Close() error { return nil }

// Open selects the INI/TNI file name with F and returns a remote file bound
// to the session. A '-' reply to F is returned as a *CommandError.
func (s *Session) Open(ctx context.Context, name string) (*RemoteFile, error) {
	return nil, errors.New("not implemented")
}

// Fetch downloads the whole file name into a local *ini.File.
func (s *Session) Fetch(ctx context.Context, name string) (*ini.File, error) {
	return nil, errors.New("not implemented")
}

// PushOptions configure Push.
type PushOptions struct {
	Delete bool // also delete remote applications/keys missing in the local file
}

// Push makes the remote file name equal to f with the fewest writes.
func (s *Session) Push(ctx context.Context, name string, f *ini.File, opts PushOptions) error {
	return errors.New("not implemented")
}

// RemoteFile is a file on the server; it implements ini.Profile with each
// call going to the server at once (a W or D is on disk when it returns).
// Methods use the context set with WithContext (default
// context.Background()).
type RemoteFile struct{}

var _ ini.Profile = (*RemoteFile)(nil)

// WithContext returns a shallow copy of r whose calls use ctx.
func (r *RemoteFile) WithContext(ctx context.Context) *RemoteFile { return r }

// Name returns the file name given to Open.
func (r *RemoteFile) Name() string { return "" }

// Applications lists the application names (A empty, V).
func (r *RemoteFile) Applications() ([][]byte, error) { return nil, errors.New("not implemented") }

// Keys lists the key names of app (A app, K empty, V); ErrNotFound when the
// application does not exist.
func (r *RemoteFile) Keys(app []byte) ([][]byte, error) { return nil, errors.New("not implemented") }

// Get reads a value (A, K, V pipelined); ErrNotFound when absent.
func (r *RemoteFile) Get(app, key []byte) ([]byte, error) { return nil, errors.New("not implemented") }

// Size reads a value's size with S; ErrNotFound when absent.
func (r *RemoteFile) Size(app, key []byte) (int, error) { return 0, errors.New("not implemented") }

// Put writes a value (A, K, W; chunked with O for large values).
func (r *RemoteFile) Put(app, key, value []byte) error { return errors.New("not implemented") }

// Delete deletes a key (A, K, D).
func (r *RemoteFile) Delete(app, key []byte) error { return errors.New("not implemented") }

// DeleteApplication deletes an application (A, K empty, D).
func (r *RemoteFile) DeleteApplication(app []byte) error { return errors.New("not implemented") }
