// Package client is a Go client for the INIServe protocol
// (../shared/spec/iniserve-protocol.md). It relies only on what the spec
// says, so it works against package server and against the original OS/2
// server.
//
// A Session is one TCP connection (no pool, no reconnect). It pipelines:
// a Get sends A, K and V in one write and reads the three replies together
// (one round trip); Fetch downloads a whole file in three round trips per
// window of keys. It remembers the A, K, O and F it last sent and skips them when
// they would change nothing. Large values are read and written in chunks of
// Options.ChunkSize bytes with O, invisibly to the caller.
//
// # Values larger than one chunk
//
// A value up to Options.ChunkSize bytes is read with one V and written
// with one W, so it is read and written whole (the server answers each
// command from one state of the file). A longer value takes several
// commands, and another client may change it in between:
//
//   - Reads: each pipelined window of chunks of a value reads its first
//     chunk again, then S, the chunks, S, and the first chunk once more.
//     The value is returned only when every size seen agrees with the
//     bytes received, every copy of the first chunk is the same and every
//     chunk but the last was full, and it is then read a second time
//     (from the first chunk read last, all further chunks again) and
//     returned only when both reads give the same bytes; otherwise it is
//     read again, up to 5 times, then the error wraps ErrValueChanging
//     naming the application and key. So a value larger than one chunk
//     costs at least two more round trips. One read's checks catch every
//     change of size or of the first chunk that is still in place at the
//     next check; a change and a change back between two checks (the
//     first chunk of one value, the size and later chunks of another)
//     passes them, and the second read catches it unless the same
//     interleaving happens again at the same points. The protocol has no
//     version or checksum to ask for, so no client can rule that out
//     entirely, nor a rewrite that keeps the size and the first chunk but
//     changes later bytes twice in the same way, nor, against a server
//     that stores chunks as they arrive, a writer's half-written value
//     that passes these checks.
//   - Writes: every chunk but the last is sent with the chunk size as
//     limit and the last with the default limit (spec §8). Package server
//     stores the value only when the last chunk arrives, so a failed write
//     leaves the old value. The original INIServe stores each chunk as it
//     arrives: a write cut off after a chunk leaves a mix there, and the
//     error wraps ErrPartialWrite.
//
// Every call takes a context: its deadline bounds the call, and cancelling
// it while a command is on the wire closes the connection (the reply stream
// would be out of step otherwise), after which every call returns an error
// wrapping ErrConnectionLost.
package client

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/inilua/inilua/internal/os2path"
	"github.com/inilua/inilua/internal/wire"
)

// Options configure Dial and NewSession. The zero value is usable: no
// password, no TLS, default timeouts, a plain TCP connection.
type Options struct {
	// Password is sent with P after the greeting. It never appears in
	// traces or errors (shown as ***). It cannot contain LF.
	Password string
	// DialTimeout bounds connecting, the TLS handshake, the greeting and
	// the login; 0 means DefaultDialTimeout (10 s).
	DialTimeout time.Duration
	// DialContext, when not nil, opens the connection for Dial instead of
	// a net.Dialer: network is "tcp" and addr is host:port (the default
	// port added). A tunnel (SSH, SOCKS) or a test's hook goes here; the
	// connection it returns is then used as NewSession uses it.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// CommandTimeout bounds the wait for each reply (and the writing of
	// the commands before it); 0 means DefaultCommandTimeout (30 s). A
	// pipelined window of many commands may take longer in all, as long as
	// replies keep coming. A reply that does not come in time closes the
	// connection (ErrConnectionLost).
	CommandTimeout time.Duration
	// TLS, when not nil, wraps the connection in TLS (our own server only;
	// the original OS/2 server speaks plain TCP). An empty ServerName is set
	// to the host of addr.
	TLS *tls.Config
	// Logger receives the wire trace at Debug level (one "send" record per
	// command line, one "recv" record per reply line; passwords shown as
	// ***, long data cut) and a Warn record when the server accepted an
	// empty password. nil: no logging.
	Logger *slog.Logger
	// ChunkSize is the number of value bytes per O/V or O/W chunk; 0
	// means DefaultChunkSize (32 KiB). Values up to this size take a
	// single V or W.
	ChunkSize int
	// CheckMode makes the session a dry run: W, D, M, R, X, E and ^ are
	// never sent, only recorded (see Recorded); reads still go to the
	// server, and later reads in the same session see the simulated
	// writes and deletes of W and D. A file that does not exist on the
	// server is never selected with F (the original server creates it on
	// F): it reads as empty plus the simulated changes; one named in a
	// directory that does not exist is refused with ErrNoDirectory, as F
	// would refuse it.
	CheckMode bool
}

// Dial connects to addr (host or host:port; default port 3560) with
// opts.DialContext or a net.Dialer, then does what NewSession does: TLS
// when opts.TLS is set, the greeting, the login with opts.Password.
//
// Errors: a *ConnectError ("ADDR: no greeting within 3s", "ADDR: login
// refused (server replied ...)") for ctx or DialTimeout expiring, a
// refused connection, a server that closes or does not greet; it wraps a
// *CommandError and ErrAuth when the password is refused (the connection
// is closed then), a *CommandError with Cmd "(greeting)" when the server
// greets with '-'. A failed TLS handshake reads "ADDR: TLS handshake: ...".
// Port 0, and an address with one IPv6 bracket but not the other
// ("[::1"), are refused before dialling.
func Dial(ctx context.Context, addr string, opts Options) (*Session, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	if strings.HasPrefix(addr, "[") != strings.Contains(addr, "]") {
		return nil, fmt.Errorf("%s: not an address: an IPv6 address goes in brackets, both of them ([::1] or [::1]:3560)", addr)
	}
	addr = withPort(addr)
	if _, port, err := net.SplitHostPort(addr); err == nil {
		if n, err := strconv.ParseUint(port, 10, 16); err == nil && n == 0 {
			// the system would dial it (and fail oddly) or, on some, pick
			// a port: never what the caller meant
			return nil, fmt.Errorf("%s: port 0 is not a port a server listens on (INIServe's is %d)", addr, wire.DefaultPort)
		}
	}
	dctx, cancel := dialContext(ctx, opts)
	defer cancel()
	dial := opts.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(dctx, "tcp", addr)
	if err != nil {
		return nil, dialError(ctx, dctx, addr, dialTimeout(opts), err)
	}
	return start(ctx, dctx, conn, addr, opts)
}

// NewSession starts a session on conn, a connection already open to an
// INIServe server (a tunnel, a pipe, a connection a caller dialled
// itself): it wraps conn in TLS when opts.TLS is set (an empty ServerName
// is set to the host of conn.RemoteAddr()), reads the greeting and logs in
// with opts.Password, all within opts.DialTimeout. opts.DialContext is not
// used. The session owns conn from then on: Close closes it, and so does a
// failure here. Addr reports conn.RemoteAddr().
//
// Errors: as Dial's, without the connecting ones.
func NewSession(ctx context.Context, conn net.Conn, opts Options) (*Session, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if conn == nil {
		return nil, errors.New("NewSession: nil connection")
	}
	if err := checkOptions(opts); err != nil {
		conn.Close()
		return nil, err
	}
	addr := "(connection)"
	if ra := conn.RemoteAddr(); ra != nil {
		addr = ra.String()
	}
	dctx, cancel := dialContext(ctx, opts)
	defer cancel()
	return start(ctx, dctx, conn, addr, opts)
}

// checkOptions refuses options no session can use.
func checkOptions(opts Options) error {
	if strings.IndexByte(opts.Password, '\n') >= 0 {
		return errors.New("password contains LF, which the protocol cannot send")
	}
	if opts.ChunkSize < 0 {
		return fmt.Errorf("chunk size %d is negative", opts.ChunkSize)
	}
	if opts.ChunkSize > wire.DefaultMaxLine/4 {
		return fmt.Errorf("chunk size %d is over %d bytes", opts.ChunkSize, wire.DefaultMaxLine/4)
	}
	return nil
}

// dialTimeout returns opts.DialTimeout or its default.
func dialTimeout(opts Options) time.Duration {
	if opts.DialTimeout <= 0 {
		return DefaultDialTimeout
	}
	return opts.DialTimeout
}

// dialContext returns ctx bounded by the dial timeout, whose cause names
// the limit, so a silent server reads "no greeting or login reply within
// 30s (dial timeout)", not "context deadline exceeded".
func dialContext(ctx context.Context, opts Options) (context.Context, context.CancelFunc) {
	dt := dialTimeout(opts)
	return context.WithTimeoutCause(ctx, dt,
		fmt.Errorf("no greeting or login reply within %v (dial timeout): %w", dt, context.DeadlineExceeded))
}

// start does TLS, the greeting and the login on conn; dctx bounds them.
// conn is closed on failure.
func start(ctx, dctx context.Context, conn net.Conn, addr string, opts Options) (*Session, error) {
	s := newSession(addr, opts)
	if opts.TLS != nil {
		cfg := opts.TLS.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(s.addr)
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%s: TLS handshake: %w", s.addr, err)
		}
		conn = tc
	}
	if err := s.login(ctx, dctx, conn, dialTimeout(opts)); err != nil {
		return nil, err
	}
	return s, nil
}

// newSession returns a session for addr with opts applied, not connected.
func newSession(addr string, opts Options) *Session {
	s := &Session{
		addr:    addr,
		opts:    opts,
		chunk:   opts.ChunkSize,
		timeout: opts.CommandTimeout,
		log:     opts.Logger,

		windowOps:   maxWindowOps,
		windowBytes: maxWindowBytes,
	}
	if s.chunk == 0 {
		s.chunk = DefaultChunkSize
	}
	if s.timeout <= 0 {
		s.timeout = DefaultCommandTimeout
	}
	// the initial session state of spec §2: A and K empty, O 0,FFFFFFFF,
	// no file, the root pseudo-directory
	s.st.lim, s.st.appOK, s.st.keyOK, s.st.olOK, s.st.cwdOK = wire.DefaultLimit, true, true, true, true
	return s
}

// login reads the greeting on conn and sends P; dctx and dt bound both.
// The connection is closed on failure.
func (s *Session) login(ctx, dctx context.Context, conn net.Conn, dt time.Duration) error {
	s.conn = conn
	s.r = wire.LineReader{R: bufio.NewReaderSize(conn, 64<<10), Max: max(2*s.chunk+64, 64<<10)}
	saved := s.timeout
	s.timeout = dt

	// greeting: an op that sends nothing
	s.b.reset()
	s.b.ops = append(s.b.ops, op{kind: opPlain})
	if err := s.run(dctx); err != nil {
		conn.Close()
		return loginError(ctx, dctx, s.addr, "greeting", dt, err)
	}
	s.b.reset()
	s.b.addString(opPlain, 'P', s.opts.Password)
	err := s.run(dctx)
	s.timeout = saved
	if err != nil {
		var ce *CommandError
		if errors.As(err, &ce) {
			ce.Err = ErrAuth
		}
		conn.Close()
		return loginError(ctx, dctx, s.addr, "login reply", dt, err)
	}
	if s.opts.Password == "" && s.log != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, WarnEmptyPassword, slog.String("addr", s.addr))
	}
	return nil
}

// WarnEmptyPassword is the message of the Warn record Options.Logger
// receives (with the attribute addr) when the server accepted the empty
// password, so that a caller running many sessions can tell it from other
// records and say it once.
const WarnEmptyPassword = "server accepts the empty password"

// withPort adds the default port 3560 to an address without one.
func withPort(addr string) string {
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if port == "" {
			port = strconv.Itoa(wire.DefaultPort)
		}
		return net.JoinHostPort(host, port)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	return net.JoinHostPort(host, strconv.Itoa(wire.DefaultPort))
}

// Addr returns the address the session is connected to, as host:port.
func (s *Session) Addr() string { return s.addr }

// CheckMode reports whether the session is a dry run (Options.CheckMode).
func (s *Session) CheckMode() bool { return s.opts.CheckMode }

// checkParam refuses a parameter the protocol cannot carry (LF ends a
// command line, spec §1).
func checkParam(what, p string) error {
	if strings.IndexByte(p, '\n') >= 0 {
		return fmt.Errorf("%s %q contains LF, which the protocol cannot send", what, p)
	}
	return nil
}

// simple runs one command letter+param that answers '+' or '-'.
func (s *Session) simple(ctx context.Context, letter byte, param string) error {
	s.b.reset()
	s.b.addString(opPlain, letter, param)
	return s.run(ctx)
}

// Chdir sends C path (spec §5): absolute with a drive letter ("D:\x"),
// absolute on the current drive with a leading separator, else relative;
// ".." at a drive's root leads to the root pseudo-directory of drives.
// A '-' reply (no such directory; the directory is unchanged) is a
// *CommandError.
func (s *Session) Chdir(ctx context.Context, path string) error {
	ctx = nonNil(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return err
	}
	if err := checkParam("path", path); err != nil {
		return err
	}
	s.st.gen++ // names given from now on are relative to another directory
	err := s.simple(ctx, 'C', path)
	if err == nil && (s.st.cwdOK || os2path.HasDrive(path)) {
		// a path with a drive letter does not depend on where it starts
		s.st.cwd, s.st.cwdOK = trackChdir(s.st.cwd, path)
	}
	return err
}

// List sends L pathOrMask (spec §6: "" for the current directory, a
// directory ending in a separator, a mask with * and ?, or a name) and
// returns the entry names in the server's order, directories with a
// trailing "/", without the "../" entry. A missing directory gives an
// empty list, not an error.
func (s *Session) List(ctx context.Context, pathOrMask string) ([]string, error) {
	ctx = nonNil(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkParam("path", pathOrMask); err != nil {
		return nil, err
	}
	return s.list(ctx, pathOrMask)
}

func (s *Session) list(ctx context.Context, p string) ([]string, error) {
	lines, err := s.listRaw(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l != "../" {
			out = append(out, l)
		}
	}
	return out, nil
}

// listRaw sends L p and returns the entries as the server sent them,
// "../" included.
func (s *Session) listRaw(ctx context.Context, p string) ([]string, error) {
	s.b.reset()
	i := s.b.addString(opL, 'L', p)
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	return s.b.ops[i].lines, nil
}

// Mkdir sends M path (create a directory). A '-' reply (it exists or cannot
// be made) is a *CommandError. In check mode it is only recorded.
func (s *Session) Mkdir(ctx context.Context, path string) error {
	ctx = nonNil(ctx)
	return s.change(ctx, Record{Cmd: 'M', Path: path}, func() error { return s.simple(ctx, 'M', path) })
}

// Move sends A src then R dst: moves the file or directory src (resolved
// against the current directory) to dst; a file moved onto an existing
// directory goes into it. A '-' reply (src missing, dst exists) is a
// *CommandError. In check mode it is only recorded.
func (s *Session) Move(ctx context.Context, src, dst string) error {
	ctx = nonNil(ctx)
	return s.change(ctx, Record{Cmd: 'R', Path: src, Dst: dst}, func() error {
		s.b.reset()
		s.needApp([]byte(src))
		s.b.addString(opPlain, 'R', dst)
		return s.run(ctx)
	})
}

// Remove sends X path: deletes a file or an empty directory; a missing file
// counts as success. A '-' reply is a *CommandError. In check mode it is
// only recorded.
func (s *Session) Remove(ctx context.Context, path string) error {
	ctx = nonNil(ctx)
	return s.change(ctx, Record{Cmd: 'X', Path: path}, func() error { return s.simple(ctx, 'X', path) })
}

// PostEvent sends E name (post an OS/2 event semaphore such as
// \SEM32\WEASEL\UPDATED). A '-' reply (unknown name, failed action) is a
// *CommandError. In check mode it is only recorded.
func (s *Session) PostEvent(ctx context.Context, name string) error {
	ctx = nonNil(ctx)
	return s.change(ctx, Record{Cmd: 'E', Path: name}, func() error { return s.simple(ctx, 'E', name) })
}

// change runs a state-changing session command, or records it in check
// mode.
func (s *Session) change(ctx context.Context, rec Record, send func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return err
	}
	for _, p := range []string{rec.Path, rec.Dst} {
		if err := checkParam("parameter", p); err != nil {
			return err
		}
	}
	if s.opts.CheckMode {
		s.records = append(s.records, rec)
		return nil
	}
	return send()
}

// Restart sends ^ (the server reloads its configuration and closes the
// session without a reply) and waits until the server has closed the
// connection, at most the command timeout. The session is closed
// afterwards (ErrClosed). A '-' line instead of the close is returned as a
// *CommandError. Cancelling ctx ends the wait at once (the session is
// closed all the same). In check mode ^ is only recorded and the session stays
// open.
func (s *Session) Restart(ctx context.Context) error {
	ctx = nonNil(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return err
	}
	if s.opts.CheckMode {
		s.records = append(s.records, Record{Cmd: '^'})
		return nil
	}
	s.b.reset()
	s.b.add(opNoReply, '^', nil)
	if err := s.run(ctx); err != nil {
		return err
	}
	deadline := time.Now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	s.conn.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { s.conn.SetReadDeadline(aLongTimeAgo) })
	line, err := s.r.ReadLine()
	stop()
	s.closed = true
	s.conn.Close()
	if err == nil && len(line) > 0 && line[0] == '-' {
		return &CommandError{Cmd: "^", Reply: string(wire.Clean(line[1:], 256))}
	}
	return nil
}

// Close sends Q, reads its reply and closes the connection. Closing a
// closed session, or one whose connection was lost, returns nil.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.lost != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(s.timeout, 5*time.Second))
	defer cancel()
	err := s.simple(ctx, 'Q', "")
	s.conn.Close()
	if errors.Is(err, ErrConnectionLost) {
		return nil
	}
	return err
}

// Open selects the INI/TNI file name with F (sent even when it is already
// selected, so that a file the server cannot use is reported now) and
// returns a remote file bound to the session. A '-' reply to F is returned
// as a *CommandError. The format follows the name: ".TNI" (any case) is a
// TNI file, anything else binary INI (spec §7).
//
// In check mode Open first lists the name with L: a missing file is not
// selected (that could create it) and reads as empty.
func (s *Session) Open(ctx context.Context, name string) (*RemoteFile, error) {
	ctx = nonNil(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkFileName(name); err != nil {
		return nil, err
	}
	r := &RemoteFile{s: s, ref: s.ref(name), ctx: context.Background()}
	if s.opts.CheckMode {
		if _, err := s.overlayFor(ctx, &r.ref); err != nil {
			return nil, err
		}
		return r, nil
	}
	s.b.reset()
	if err := s.needFile(&r.ref, true); err != nil {
		return nil, err
	}
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// checkFileName refuses an empty file name or one the protocol cannot
// carry.
func checkFileName(name string) error {
	if name == "" {
		return errors.New("empty file name")
	}
	return checkParam("file name", name)
}
