package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wire"
)

// Defaults used when the corresponding Server field is zero.
const (
	// DefaultMaxSessions is the number of concurrent sessions allowed when
	// Server.MaxSessions is 0.
	DefaultMaxSessions = 256
	// DefaultIdleTimeout is the idle timeout when neither
	// Server.IdleTimeout nor the configuration file's $SYS TimeOut is set
	// (§2).
	DefaultIdleTimeout = 900 * time.Second
	// DefaultMaxPreLoginPerAddress is the number of sessions not logged in
	// yet allowed from one client IP address when
	// Server.MaxPreLoginPerAddress is 0.
	DefaultMaxPreLoginPerAddress = 32
	// DefaultMaxLongLines is the number of sessions that may hold a
	// command line longer than their read buffer at once when
	// Server.MaxLongLines is 0.
	DefaultMaxLongLines = 4
	// DefaultLoginTimeout is how long a connection may stay without a
	// correct P when Server.LoginTimeout is 0.
	DefaultLoginTimeout = 60 * time.Second
	// DefaultMaxTNIValue is the largest value, in bytes, a W may create in a
	// TNI file when Server.MaxTNIValue is 0 (8 MiB, §8).
	DefaultMaxTNIValue = 8 << 20
	// DefaultMaxFileSize is the largest INI or TNI file in bytes the server
	// reads or writes when Server.MaxFileSize is 0 (256 MiB).
	DefaultMaxFileSize = 256 << 20
	// MaxBinaryValue is the largest value, in bytes, of a binary INI file
	// (§9).
	MaxBinaryValue = 65535
	// DefaultEventTimeout is how long an E action may run when its Timeout
	// is 0 (§4).
	DefaultEventTimeout = 10 * time.Second
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown.
var ErrServerClosed = errors.New("server: closed")

// ErrEmptyPassword is wrapped by the error Serve returns when the password
// is empty and the listener is not on a loopback address.
var ErrEmptyPassword = errors.New("empty password is only allowed on a loopback listener")

// Server is an INIServe server. Set the fields, then call Serve or
// ListenAndServe; the fields must not change afterwards (use Reload to
// re-read the configuration file). The zero value with Volumes set is a
// usable server for a loopback listener (see the package documentation).
type Server struct {
	// Addr is the TCP address ListenAndServe listens on. Empty: ":" plus
	// the configuration file's $SYS ServerPort, else ":3560".
	Addr string

	// Volumes maps upper-case drive letters ('C') to host directories. Each
	// directory is opened with os.Root by Serve; nothing outside it is
	// reachable. A nil or empty map serves only the empty pseudo-directory.
	Volumes map[byte]string

	// Password, when not nil, is the password P must match (only its first
	// 32 bytes count, §4); it takes precedence over PasswordFile and the
	// configuration file. An empty password is allowed on loopback only.
	Password *string
	// PasswordFile, when not empty (and Password is nil), names a file whose
	// first line (without CR LF) is the password; it is re-read at every P.
	PasswordFile string

	// ConfigFile names the server's own INI file (§10). Empty: none. A name
	// ending in .INI or .TNI (any case) is used as it is; any other name is
	// a stem, and the file is stem.INI or stem.TNI chosen by the GenINI rules
	// (ini-formats.md §6.2) at every read, or as forced by ConfigFormat.
	// Settings ($SYS ServerPort, TimeOut, Password) come from the selected
	// file only. The password is re-read at every P; the rest at Reload.
	ConfigFile string
	// ConfigNamed says the user named ConfigFile (iniserve --config): when
	// it is missing, the start and each Reload log a warning before using
	// the defaults (a default name may be absent silently, as INIServe's).
	ConfigNamed bool
	// ConfigFormat forces the choice between stem.INI and stem.TNI
	// (ini.ForceINI for the -I option, ini.ForceTNI for -T);
	// ini.NoOverride applies the GenINI rules.
	ConfigFormat ini.Override

	// ReadOnly makes W, D, M, R and X fail with '-'.
	ReadOnly bool
	// MaxSessions caps concurrent sessions; a session over the cap gets
	// "-Too many sessions" instead of the greeting and is closed. 0 means
	// DefaultMaxSessions; negative means no cap.
	MaxSessions int
	// MaxLine caps a command's parameter in bytes (§1); 0 means
	// wire.DefaultMaxLine (16 MiB).
	MaxLine int
	// IdleTimeout closes a session that sends no command for this long
	// (§2). 0: the configuration file's $SYS TimeOut (seconds; 0 there
	// means none), else DefaultIdleTimeout. Negative: no idle timeout.
	IdleTimeout time.Duration
	// LoginTimeout closes a session that has not logged in (correct P)
	// this long after connecting, whatever the idle timeout, so that idle
	// unauthenticated connections cannot hold every session slot (a safety
	// addition: the reference applies only TimeOut). 0 means
	// DefaultLoginTimeout (60 s); negative: no login timeout.
	LoginTimeout time.Duration
	// MaxPreLoginPerAddress caps the sessions from one client IP address
	// (any port) that have not logged in yet: a connection over the cap
	// gets "-Too many sessions from this address" instead of the greeting
	// and is closed, so that one host opening connections and sending
	// nothing cannot hold every session slot (MaxSessions) until
	// LoginTimeout ends each. A session counts from its connection to its
	// first correct P. 0 means DefaultMaxPreLoginPerAddress; negative
	// means no cap.
	MaxPreLoginPerAddress int
	// MaxLongLines caps the sessions that read or carry out a command line
	// longer than a session's 64 KiB read buffer at the same time (a W of
	// a value over 32 KiB): each holds the line, the value decoded from
	// it and the file it goes into, up to about 3x MaxLine bytes, so the
	// cap bounds what concurrent large writes take. A session that needs
	// one more waits, reading nothing more of its line (TCP holds the
	// client back), until one of them reads its next command or ends, or
	// its idle timeout passes (it then gets "-Server busy" and is closed).
	// A slot is held at most as long as the idle timeout lets a command
	// line take to arrive (no limit without one). 0 means
	// DefaultMaxLongLines; negative means no cap.
	MaxLongLines int
	// MaxTNIValue is the largest value in bytes a W may create in a TNI
	// file; 0 means DefaultMaxTNIValue (8 MiB).
	MaxTNIValue int
	// MaxFileSize is the largest INI or TNI file in bytes the server reads
	// (F of a larger file fails with '-', without reading it) or writes (a
	// W that would make the file larger fails with '-'); 0 means
	// DefaultMaxFileSize (256 MiB).
	MaxFileSize int64

	// Events maps E semaphore names (matched case-insensitively, ASCII
	// letters folded) to actions (§4). Names not in the table get '-'.
	Events map[string]Event

	// MaxPasswordFailures is the number of failed P commands from one client
	// address (IP, any port) after which its sessions are closed after the
	// failed reply, until PasswordWindow has passed without a failure or a
	// correct P from that address resets the count. 0 means 10.
	MaxPasswordFailures int
	// PasswordDelay is the delay before the reply to the first failed P from
	// an address; it doubles with each further failure, up to 8 times this
	// value. 0 means 250 ms; negative means no delay.
	PasswordDelay time.Duration
	// PasswordWindow is how long failures from an address are remembered.
	// 0 means 15 minutes.
	PasswordWindow time.Duration

	// Logger receives one line per session start and end, per change (W, D,
	// M, R, X) and per refused or failed operation worth an administrator's
	// attention. nil: nothing is logged.
	Logger *slog.Logger

	// hooks for tests (nil: the real thing)
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	initOnce sync.Once
	initErr  error
	vols     map[byte]*volume
	cache    *fileCache
	throttle *throttle
	log      *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*session]struct{}
	preLogin  map[string]int // sessions not logged in yet, by client IP (MaxPreLoginPerAddress)
	cfg       settings       // from the configuration file, updated by Reload
	closing   atomic.Bool
	nextID    atomic.Uint64
	seq       atomic.Uint64 // orders reads from clients and checks of files
	active    atomic.Int64
	done      chan struct{} // closed when the last session ends after Shutdown
	refusing  chan struct{} // one token per refused connection being closed
	longLines chan struct{} // one token per session holding a long line (MaxLongLines); nil: no cap
	stopping  chan struct{} // closed by Shutdown: ends the waits for longLines
	stopOnce  sync.Once
	doneOnce  sync.Once
	baseCtx   context.Context
	cancel    context.CancelFunc
}

// Event is the action for one E semaphore name: Func when not nil, else the
// command Command (argv; Command[0] is looked up in PATH) run with the
// environment variable INISERVE_EVENT set to the name. E answers '+' when
// the action returns nil (exit status 0) within Timeout, '-' otherwise.
type Event struct {
	Command []string
	Func    func(ctx context.Context, name string) error
	Timeout time.Duration // 0: DefaultEventTimeout
}

// init opens the volumes and reads the configuration once.
func (s *Server) init() error {
	s.initOnce.Do(func() {
		s.log = s.Logger
		if s.log == nil {
			s.log = slog.New(slog.DiscardHandler)
		}
		if s.now == nil {
			s.now = time.Now
		}
		if s.sleep == nil {
			s.sleep = sleepCtx
		}
		s.vols = make(map[byte]*volume)
		for letter, dir := range s.Volumes {
			if letter >= 'a' && letter <= 'z' {
				letter -= 'a' - 'A'
			}
			if letter < 'A' || letter > 'Z' {
				s.initErr = fmt.Errorf("server: volume %q: drive must be a letter A-Z", letter)
				return
			}
			root, err := os.OpenRoot(dir)
			if err != nil {
				s.initErr = fmt.Errorf("server: volume %c: %w", letter, err)
				return
			}
			s.vols[letter] = &volume{letter: letter, dir: dir, root: root}
		}
		maxFile := s.MaxFileSize
		if maxFile <= 0 {
			maxFile = DefaultMaxFileSize
		}
		s.cache = newFileCache(&s.seq, maxFile)
		s.cache.warn = func(e *ini.FormatError) { s.log.Warn("reading a file: " + e.Error()) }
		s.throttle = newThrottle()
		s.listeners = make(map[net.Listener]struct{})
		s.conns = make(map[*session]struct{})
		s.preLogin = make(map[string]int)
		s.done = make(chan struct{})
		s.refusing = make(chan struct{}, 64)
		s.stopping = make(chan struct{})
		if s.MaxLongLines >= 0 {
			s.longLines = make(chan struct{}, limit(s.MaxLongLines, DefaultMaxLongLines))
		}
		s.baseCtx, s.cancel = context.WithCancel(context.Background())
		cfg, err := s.readSettings()
		if err != nil {
			s.initErr = err
			return
		}
		s.cfg = cfg
	})
	return s.initErr
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Listen opens the TCP listener ListenAndServe uses: Addr, or when Addr is
// empty ":" plus the configuration file's $SYS ServerPort (default 3560).
// Like Serve, it refuses an empty password on a non-loopback address.
func (s *Server) Listen() (net.Listener, error) {
	if err := s.init(); err != nil {
		return nil, err
	}
	addr := s.Addr
	if addr == "" {
		s.mu.Lock()
		port := s.cfg.port
		s.mu.Unlock()
		addr = ":" + strconv.Itoa(port)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if err := s.checkPassword(l.Addr()); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// checkPassword refuses an empty password on a listener that is not on
// loopback.
func (s *Server) checkPassword(a net.Addr) error {
	if isLoopback(a) {
		return nil
	}
	pw, err := s.password()
	if err != nil {
		return fmt.Errorf("server: reading the password: %w", err)
	}
	if len(pw) == 0 {
		return fmt.Errorf("server: refusing to serve on %s (not loopback): %w; set a password (--password-file, or $SYS Password in the configuration file)", a, ErrEmptyPassword)
	}
	return nil
}

// ListenAndServe calls Listen, then Serve. It returns ErrServerClosed after
// Shutdown, or the listen or Serve error.
func (s *Server) ListenAndServe() error {
	l, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// isLoopback reports whether a listener address is on the loopback
// interface (or is not a network address at all, like a Unix socket).
func isLoopback(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback() || host == "localhost"
}

// Serve accepts sessions on l, one goroutine each, until Shutdown. It
// closes l when it returns. It refuses to start (returning an error
// wrapping ErrEmptyPassword) when the password is empty and l is not a
// loopback listener. After Shutdown it returns ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	if err := s.init(); err != nil {
		l.Close()
		return err
	}
	loop := isLoopback(l.Addr())
	if err := s.checkPassword(l.Addr()); err != nil {
		l.Close()
		return err
	}
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			if retryAccept(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "delay", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("server: accept: %w", err)
		}
		backoff = 0
		s.startSession(c, loop)
	}
}

// retryAccept reports whether an Accept error is passing: a timeout, or
// running out of descriptors or buffers (a flood of connections must not
// stop the server), or a connection aborted before it was accepted.
func retryAccept(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// limit returns the cap a Server field sets: v, def when v is 0, no cap
// (the largest int) when v is negative.
func limit(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return int(^uint(0) >> 1)
	}
	return v
}

func (s *Server) maxSessions() int { return limit(s.MaxSessions, DefaultMaxSessions) }

func (s *Server) startSession(c net.Conn, loopback bool) {
	id := s.nextID.Add(1)
	timeout := s.idleTimeout()
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		c.Close()
		return
	}
	if len(s.conns) >= s.maxSessions() {
		s.mu.Unlock()
		s.log.Warn("session refused: too many sessions", "session", id, "client", c.RemoteAddr().String(), "max", s.maxSessions())
		s.refuse(c, "Too many sessions")
		return
	}
	ss := newSession(s, c, id, loopback, timeout)
	if max := s.maxPreLoginPerAddress(); s.preLogin[ss.clientIP] >= max {
		s.mu.Unlock()
		s.log.Warn("session refused: too many sessions not logged in from this address", "session", id, "client", ss.client, "max", max)
		ss.cancel()
		s.refuse(c, "Too many sessions from this address")
		return
	}
	s.preLogin[ss.clientIP]++
	ss.preLogin = true
	s.conns[ss] = struct{}{}
	s.active.Add(1)
	s.mu.Unlock()
	go func() {
		ss.run()
		s.mu.Lock()
		s.leavePreLogin(ss)
		delete(s.conns, ss)
		last := len(s.conns) == 0 && s.closing.Load()
		s.mu.Unlock()
		s.active.Add(-1)
		if last {
			s.closeDone()
		}
	}()
}

// errShutdown ends a session waiting for a long-line slot when the
// server shuts down.
var errShutdown = errors.New("server shutdown")

// errLongLineWait ends a session that waited for a long-line slot longer
// than its idle timeout.
var errLongLineWait = errors.New("no long-line slot within the idle timeout")

// longLine waits for one of the MaxLongLines slots (wire.LineReader.Long)
// and returns its release; errShutdown when the server shuts down first,
// errLongLineWait after wait (> 0; 0: no limit).
func (s *Server) longLine(wait time.Duration) (func(), error) {
	if s.longLines == nil {
		return nil, nil
	}
	select {
	case s.longLines <- struct{}{}:
		return func() { <-s.longLines }, nil
	default:
	}
	s.log.Debug("waiting for a long-line slot", "max", cap(s.longLines))
	var expired <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		expired = t.C
	}
	select {
	case s.longLines <- struct{}{}:
		return func() { <-s.longLines }, nil
	case <-s.stopping:
		return nil, errShutdown
	case <-expired:
		return nil, errLongLineWait
	}
}

// refuse answers c with "-" and msg instead of the greeting and closes
// it. Not in the accept loop: the graceful close waits for the peer up to
// a second. At most cap(s.refusing) such closes run at a time; beyond
// that a refused connection is closed at once.
func (s *Server) refuse(c net.Conn, msg string) {
	select {
	case s.refusing <- struct{}{}:
		go func() {
			defer func() { <-s.refusing }()
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			c.Write([]byte("-" + msg + wire.CRLF))
			gracefulClose(c)
		}()
	default:
		c.Close()
	}
}

func (s *Server) maxPreLoginPerAddress() int {
	return limit(s.MaxPreLoginPerAddress, DefaultMaxPreLoginPerAddress)
}

// leavePreLogin takes ss out of the count of sessions not logged in from
// its address, once (at its first correct P, or its end). s.mu must be
// held.
func (s *Server) leavePreLogin(ss *session) {
	if !ss.preLogin {
		return
	}
	ss.preLogin = false
	if s.preLogin[ss.clientIP]--; s.preLogin[ss.clientIP] <= 0 {
		delete(s.preLogin, ss.clientIP)
	}
}

func (s *Server) closeDone() {
	s.doneOnce.Do(func() { close(s.done) })
}

// Shutdown stops accepting sessions, lets every session finish the command
// it is executing (a session waiting for a command is closed at once), and
// waits until all sessions have ended or ctx is done; then it closes the
// remaining connections and the volumes' directories. It returns ctx.Err() when ctx
// ended first, else nil.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.init(); err != nil {
		return err
	}
	s.mu.Lock()
	s.closing.Store(true)
	s.stopOnce.Do(func() { close(s.stopping) })
	for l := range s.listeners {
		l.Close()
	}
	conns := make([]*session, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	empty := len(s.conns) == 0
	s.mu.Unlock()
	if empty {
		s.closeDone()
	}
	for _, c := range conns {
		c.interrupt()
	}
	var err error
	select {
	case <-s.done:
	case <-ctx.Done():
		err = ctx.Err()
		s.cancel()
		s.mu.Lock()
		for c := range s.conns {
			c.conn.Close()
		}
		s.mu.Unlock()
	}
	s.cancel()
	for _, v := range s.vols {
		v.root.Close()
	}
	return err
}

// Sessions returns the number of sessions currently connected.
func (s *Server) Sessions() int { return int(s.active.Load()) }

// Reload re-reads the configuration file (§10; the `^` command and SIGHUP
// call it). On error the previous settings (TimeOut) stay in force and the
// error is returned; a password from the file is not cached, so P, which
// re-reads the file, fails until the file is fixed (not so with Password or
// PasswordFile set).
func (s *Server) Reload() error {
	if err := s.init(); err != nil {
		return err
	}
	cfg, err := s.readSettings()
	if err != nil {
		msg := "reload failed; keeping the previous settings"
		if s.Password == nil && s.PasswordFile == "" {
			// the password is not cached: P re-reads this file (§4)
			msg = "reload failed; keeping the previous TimeOut, but logins fail until the file is fixed (P re-reads the password from it)"
		}
		s.log.Error(msg, "err", err)
		return err
	}
	s.mu.Lock()
	old := s.cfg
	s.cfg = cfg
	s.mu.Unlock()
	if old.port != cfg.port && s.Addr == "" {
		s.log.Warn("ServerPort changed; it takes effect at the next start", "old", old.port, "new", cfg.port)
	}
	s.log.Info("configuration reloaded", "file", cfg.file, "timeout", cfg.timeout)
	return nil
}

// idleTimeout returns the idle timeout in force (0: none).
func (s *Server) loginTimeout() time.Duration {
	switch {
	case s.LoginTimeout > 0:
		return s.LoginTimeout
	case s.LoginTimeout < 0:
		return 0
	}
	return DefaultLoginTimeout
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	if s.IdleTimeout < 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.timeout
}

func (s *Server) maxLine() int {
	if s.MaxLine > 0 {
		return s.MaxLine
	}
	return wire.DefaultMaxLine
}

func (s *Server) maxTNIValue() int {
	if s.MaxTNIValue > 0 {
		return s.MaxTNIValue
	}
	return DefaultMaxTNIValue
}

// drives returns the volume letters in order.
func (s *Server) drives() []byte {
	out := make([]byte, 0, len(s.vols))
	for l := range s.vols {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// gracefulClose shuts down the write side of c, discards input for a short
// while so that the peer reads what was sent before its stack sees a reset,
// and closes c (§1).
func gracefulClose(c net.Conn) {
	type closeWriter interface{ CloseWrite() error }
	if cw, ok := c.(closeWriter); ok {
		cw.CloseWrite()
		c.SetReadDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 32<<10)
		for total := 0; total < 64<<20; {
			n, err := c.Read(buf)
			total += n
			if err != nil {
				break
			}
		}
	}
	c.Close()
}
