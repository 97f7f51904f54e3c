package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/inilua/inilua/internal/os2path"
	"github.com/inilua/inilua/internal/wire"
)

// Defaults of Options.
const (
	// DefaultDialTimeout bounds Dial when Options.DialTimeout is 0.
	DefaultDialTimeout = 10 * time.Second
	// DefaultCommandTimeout bounds the wait for each reply when
	// Options.CommandTimeout is 0.
	DefaultCommandTimeout = 30 * time.Second
	// DefaultChunkSize is the number of value bytes per O/V or O/W chunk
	// when Options.ChunkSize is 0 (32 KiB).
	DefaultChunkSize = 32 << 10
)

const (
	// syncWriteMax is the largest request written before reading replies;
	// a larger one is written by a goroutine while replies are read, so
	// that neither side can block the other with full socket buffers.
	syncWriteMax = 8 << 10
	// maxListEntries caps the entries of one L reply.
	maxListEntries = 1 << 20
	// maxWindowOps caps the commands of one pipelined window.
	maxWindowOps = 4096
	// maxWindowBytes caps the request bytes (W data) or expected reply
	// bytes (V data) of one pipelined window.
	maxWindowBytes = 4 << 20
)

// state is what the client knows of the server's session state (spec §2),
// so that redundant A, K, O and F commands are not sent. A field whose ok
// flag is false is unknown and its command is always sent.
type state struct {
	app, key     []byte
	appOK, keyOK bool
	off, lim     uint32
	olOK         bool
	file         string // fileRef.key of the selected file
	fileOK       bool
	cwd          os2path.Dir // current directory, resolved lexically
	cwdOK        bool        // cwd is known
	gen          uint64      // incremented by every C sent
}

// forget marks every cached item unknown.
func (st *state) forget() {
	st.appOK, st.keyOK, st.olOK, st.fileOK = false, false, false, false
}

type opKind uint8

const (
	opPlain   opKind = iota // '+' or '-'; text ignored
	opF                     // F: a '-' clears the selected file
	opS                     // S or T: '+' and a hex number
	opV                     // V: '+' and hex data, decoded into *dst
	opL                     // L: '+' then lines up to an empty line
	opNoReply               // ^: no reply
)

// op is one command of a pipelined batch and, after run, its result.
type op struct {
	start, end int // the command line in batch.buf, without CR LF
	kind       opKind
	dst        *[]byte // opV: decoded bytes are appended here
	tag        int     // caller's use (which item the command belongs to); -1: none

	chunk int  // W of a value written in several chunks: its value bytes; 0: other
	last  bool // that W ends the value

	read  bool // its reply was read (ok and reply are valid)
	ok    bool
	reply string   // text after '-' (cleaned)
	num   uint64   // opS
	lines []string // opL
}

// batch is a group of commands written in one Write, whose replies are
// read in order (spec §1: replies come strictly in order).
type batch struct {
	buf    []byte
	ops    []op
	tag    int  // stamped into every op added
	failed int  // after run: index of the first refused op, or -1
	sent   bool // run began writing buf (the commands may have been carried out)
}

func (b *batch) reset() {
	b.buf = b.buf[:0]
	if cap(b.buf) > 1<<20 {
		b.buf = nil // do not keep a big write's buffer for the session's life
	}
	clear(b.ops)
	b.ops = b.ops[:0]
	if cap(b.ops) > 1<<12 {
		b.ops = nil
	}
	b.tag = -1
	b.failed = -1
	b.sent = false
}

// add appends the command letter+param and returns its op index.
func (b *batch) add(kind opKind, letter byte, param []byte) int {
	start := b.begin(letter)
	b.buf = append(b.buf, param...)
	return b.end(kind, start)
}

// addString is add with a string parameter.
func (b *batch) addString(kind opKind, letter byte, param string) int {
	start := b.begin(letter)
	b.buf = append(b.buf, param...)
	return b.end(kind, start)
}

// addW appends W with data as hex.
func (b *batch) addW(data []byte) int {
	start := b.begin('W')
	b.buf = wire.AppendHex(b.buf, data)
	return b.end(opPlain, start)
}

// begin appends a command letter and returns where its line starts.
func (b *batch) begin(letter byte) int {
	start := len(b.buf)
	b.buf = append(b.buf, letter)
	return start
}

// end records the command line that started at start (its parameter
// appended since begin), appends CR LF and returns its op index.
func (b *batch) end(kind opKind, start int) int {
	b.ops = append(b.ops, op{start: start, end: len(b.buf), kind: kind, tag: b.tag})
	b.buf = append(b.buf, '\r', '\n')
	return len(b.ops) - 1
}

// Session is one logged-in INIServe connection (exactly one TCP connection:
// no pool, no reconnect). Its methods lock a mutex, so concurrent calls are
// serialised, but one goroutine at a time is the intended use.
//
// A Session remembers the A, K, O and F it last sent and does not resend
// them (the server keeps them, spec §2); the current directory is tracked
// too, so a RemoteFile opened before a Chdir still selects its own file
// (by its absolute path, worked out by the rules of spec §5).
type Session struct {
	mu      sync.Mutex
	conn    net.Conn
	r       wire.LineReader // reply lines from the connection; Max = the reply line cap
	addr    string
	opts    Options
	chunk   int
	timeout time.Duration
	log     *slog.Logger

	lost     error // non-nil once the connection is unusable
	closed   bool
	ctxBound bool // the running round trip's deadline is the context's

	ctxDeadline time.Time  // of the running round trip's context; zero: none
	deadlineSet time.Time  // when the connection's deadline was last moved
	dl          sync.Mutex // orders deadline moves against an abort
	aborted     bool       // the running round trip's context is done

	windowOps, windowBytes int // maxWindowOps, maxWindowBytes; smaller in tests

	st state
	b  batch

	records  []Record
	overlays map[string]*overlay

	// inflight maps the tag of each value being written in several
	// chunks, whose earlier chunks went out in windows already answered,
	// to the bytes of those chunks (see partialWrites).
	inflight map[int]int
}

var aLongTimeAgo = time.Unix(1, 0)

// ready returns an error when the session cannot run a command now: closed,
// connection lost, or ctx already done (nothing is sent then and the
// session stays usable).
func (s *Session) ready(ctx context.Context) error {
	if s.closed {
		return fmt.Errorf("%s: %w", s.addr, ErrClosed)
	}
	if s.lost != nil {
		return fmt.Errorf("%s: %w (earlier: %v)", s.addr, ErrConnectionLost, s.lost)
	}
	return ctx.Err()
}

// needApp adds A app to b unless the server's application is app.
func (s *Session) needApp(app []byte) {
	if s.st.appOK && bytes.Equal(s.st.app, app) {
		return
	}
	s.b.add(opPlain, 'A', app)
	s.st.app = append(s.st.app[:0], app...)
	s.st.appOK = true
}

// needKey adds K key to b unless the server's key is key.
func (s *Session) needKey(key []byte) {
	if s.st.keyOK && bytes.Equal(s.st.key, key) {
		return
	}
	s.b.add(opPlain, 'K', key)
	s.st.key = append(s.st.key[:0], key...)
	s.st.keyOK = true
}

// needOL adds O off,lim to b unless those are in force.
func (s *Session) needOL(off, lim uint32) {
	if s.st.olOK && s.st.off == off && s.st.lim == lim {
		return
	}
	var p [20]byte
	q := strconv.AppendUint(p[:0], uint64(off), 16)
	q = append(q, ',')
	q = strconv.AppendUint(q, uint64(lim), 16)
	s.b.add(opPlain, 'O', bytes.ToUpper(q))
	s.st.off, s.st.lim, s.st.olOK = off, lim, true
}

// needReadWindow makes V return the first chunk of a value.
func (s *Session) needReadWindow() { s.needOL(0, uint32(s.chunk)) }

// needFile adds F unless r's file is selected. The name is sent as given
// when the directory has not changed since; otherwise its absolute path.
func (s *Session) needFile(r *fileRef, force bool) error {
	if !force && s.st.fileOK && s.st.file == r.key {
		return nil
	}
	param := r.name
	if r.gen != s.st.gen {
		if r.abs == "" {
			return fmt.Errorf("file %q: the current directory changed since it was opened and its absolute path is unknown; open it again", r.name)
		}
		param = r.abs
	}
	s.b.addString(opF, 'F', param)
	s.st.file, s.st.fileOK = r.key, true
	return nil
}

// run sends the batch in one write and reads one reply per command. It
// returns the first *CommandError ('-' reply) after reading every reply, or
// a fatal error (wrapping ErrConnectionLost) after closing the connection.
// Per-command results are in s.b.ops.
func (s *Session) run(ctx context.Context) error {
	b := &s.b
	if len(b.ops) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		// nothing sent: the optimistic state updates did not happen
		s.st.forget()
		return err
	}
	s.ctxDeadline, _ = ctx.Deadline()
	s.dl.Lock()
	s.aborted = false
	s.dl.Unlock()
	if err := s.extend(true); err != nil {
		return s.fail(ctx, 0, err)
	}
	if ctx.Done() != nil {
		done := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			defer close(done)
			s.dl.Lock()
			defer s.dl.Unlock()
			s.aborted = true
			s.conn.SetDeadline(aLongTimeAgo) // abort pending I/O
		})
		defer func() {
			if !stop() {
				<-done
			}
		}()
	}
	if s.log != nil && s.log.Enabled(ctx, slog.LevelDebug) {
		for i := range b.ops {
			if b.ops[i].start == b.ops[i].end {
				continue // the greeting: nothing sent
			}
			s.log.LogAttrs(ctx, slog.LevelDebug, "send", slog.String("addr", s.addr),
				slog.String("line", traceCmd(b.buf[b.ops[i].start:b.ops[i].end])))
		}
	}
	var werr chan error
	b.sent = true
	if len(b.buf) <= syncWriteMax {
		if _, err := s.conn.Write(b.buf); err != nil {
			return s.fail(ctx, 0, err)
		}
	} else {
		werr = make(chan error, 1)
		buf := b.buf
		go func() {
			_, err := s.conn.Write(buf)
			werr <- err
		}()
	}
	var first error
	for i := range b.ops {
		if i > 0 {
			if err := s.extend(false); err != nil {
				return s.fail(ctx, i, err)
			}
		}
		if err := s.readReply(ctx, &b.ops[i]); err != nil {
			b.ops[i].read = false // cut short: it may have been carried out
			ferr := s.fail(ctx, i, err)
			if werr != nil {
				<-werr
			}
			return ferr
		}
		if !b.ops[i].ok && first == nil && b.ops[i].kind != opNoReply {
			first = s.cmdError(i)
			b.failed = i
		}
	}
	if werr != nil {
		if err := <-werr; err != nil {
			return s.fail(ctx, len(b.ops)-1, err)
		}
	}
	return first
}

// extend moves the connection's deadline to CommandTimeout from now (or the
// context's deadline, when earlier): each reply gets the full timeout, so a
// long pipelined window is not cut off while the server makes progress.
// Unless force is set, the deadline is moved only when an eighth of the
// timeout has passed since the last move (a move costs a timer update).
// After the context has aborted the round trip, nothing is moved.
func (s *Session) extend(force bool) error {
	now := time.Now()
	if !force && now.Sub(s.deadlineSet) < s.timeout/8 {
		return nil
	}
	s.deadlineSet = now
	d := now.Add(s.timeout)
	s.ctxBound = false
	if !s.ctxDeadline.IsZero() && s.ctxDeadline.Before(d) {
		d, s.ctxBound = s.ctxDeadline, true
	}
	s.dl.Lock()
	defer s.dl.Unlock()
	if s.aborted {
		return nil
	}
	return s.conn.SetDeadline(d)
}

// malformed is a reply that breaks the protocol.
type malformed struct {
	msg  string
	line []byte
}

func (m *malformed) Error() string {
	return fmt.Sprintf("%s: %q", m.msg, wire.Clean(m.line, 64))
}

// readReply reads the reply of o and stores its result in o.
func (s *Session) readReply(ctx context.Context, o *op) error {
	if o.kind == opNoReply {
		return nil
	}
	line, err := s.readLine(ctx)
	if err != nil {
		return err
	}
	o.read = true
	if len(line) == 0 {
		return &malformed{"empty reply line", line}
	}
	switch line[0] {
	case '+':
		o.ok = true
	case '-':
		o.reply = string(wire.Clean(line[1:], 256))
		s.refused(o)
		return nil
	default:
		return &malformed{"reply does not start with + or -", line}
	}
	switch o.kind {
	case opS:
		n, err := wire.ParseReplyNumber(line[1:])
		if err != nil {
			return &malformed{"bad size in reply", line}
		}
		o.num = n
	case opV:
		d, err := wire.AppendUnhex(*o.dst, line[1:])
		if err != nil {
			return &malformed{"bad hex data in reply (" + err.Error() + ")", line}
		}
		*o.dst = d
	case opL:
		for {
			line, err := s.readLine(ctx)
			if err != nil {
				return err
			}
			if len(line) == 0 {
				break
			}
			if len(o.lines) >= maxListEntries {
				return &malformed{"listing too long", line}
			}
			o.lines = append(o.lines, string(line))
		}
	}
	return nil
}

// refused updates the cached state after a '-' reply to o: a server that
// refuses A, K or O (the spec says they always succeed) leaves them unknown;
// a refused F leaves no file selected (spec §7).
func (s *Session) refused(o *op) {
	if o.start == o.end {
		return // the greeting
	}
	switch s.b.buf[o.start] {
	case 'A':
		s.st.appOK = false
	case 'K':
		s.st.keyOK = false
	case 'O':
		s.st.olOK = false
	case 'F':
		s.st.fileOK = false
	}
}

func (s *Session) readLine(ctx context.Context) ([]byte, error) {
	line, err := s.r.ReadLine()
	if err != nil {
		if errors.Is(err, wire.ErrLineTooLong) {
			return nil, &malformed{fmt.Sprintf("reply line longer than %d bytes", s.r.Max), nil}
		}
		return nil, err
	}
	if s.log != nil && s.log.Enabled(ctx, slog.LevelDebug) {
		s.log.LogAttrs(ctx, slog.LevelDebug, "recv", slog.String("addr", s.addr), slog.String("line", traceReply(line)))
	}
	return line, nil
}

// cmdText returns the command line of op i for messages: W data cut, the
// password hidden.
func (s *Session) cmdText(i int) string {
	if i < 0 || i >= len(s.b.ops) {
		return "(none)"
	}
	o := &s.b.ops[i]
	return traceCmd(s.b.buf[o.start:o.end])
}

// cmdError returns the *CommandError of the refused op i.
func (s *Session) cmdError(i int) *CommandError {
	o := &s.b.ops[i]
	e := &CommandError{Cmd: s.cmdText(i), Reply: o.reply}
	switch {
	case len(o.reply) >= 13 && os2path.FoldEqual(o.reply[:13], "Not logged in"):
		e.Err = ErrNotLoggedIn
	case o.kind == opS || o.kind == opV:
		e.Err = ErrNotFound
	}
	return e
}

// fail closes the connection after an I/O or protocol error while op i was
// outstanding and returns the error to report (wrapping ErrConnectionLost).
func (s *Session) fail(ctx context.Context, i int, err error) error {
	cmd := s.cmdText(i)
	var m *malformed
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		err = fmt.Errorf("%w: %s: command %s aborted: %w", ErrConnectionLost, s.addr, cmd, context.Cause(ctx))
	case errors.As(err, &m):
		err = fmt.Errorf("%w: %s: command %s: %w (%w)", ErrMalformedReply, s.addr, cmd, err, ErrConnectionLost)
	case errors.As(err, &ne) && ne.Timeout() && s.ctxBound:
		// the context's deadline, a moment before its timer fires: wait for
		// the timer (bounded, for a context whose Done never closes) so that
		// a cause set with context.WithDeadlineCause names the limit
		cause := error(context.DeadlineExceeded)
		select {
		case <-ctx.Done():
			cause = context.Cause(ctx)
		case <-time.After(time.Second):
		}
		err = fmt.Errorf("%w: %s: command %s aborted: %w", ErrConnectionLost, s.addr, cmd, cause)
	case errors.As(err, &ne) && ne.Timeout():
		err = fmt.Errorf("%w: %s: command %s: no reply within %v: %w", ErrConnectionLost, s.addr, cmd, s.timeout, os.ErrDeadlineExceeded)
	case errors.Is(err, io.EOF):
		err = fmt.Errorf("%w: %s: command %s: %w", ErrConnectionLost, s.addr, cmd, errServerClosed)
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%w: %s: command %s: %w in the middle of a reply", ErrConnectionLost, s.addr, cmd, errServerClosed)
	default:
		err = fmt.Errorf("%w: %s: command %s: %w", ErrConnectionLost, s.addr, cmd, err)
	}
	return s.broken(err)
}

// broken closes the connection for good: err (wrapping ErrConnectionLost)
// is returned, and later calls report it.
func (s *Session) broken(err error) error {
	s.lost = err
	s.st.forget()
	s.conn.Close()
	return err
}

// traceCmd renders a command line for traces and errors: the password as
// ***, W data cut after 32 hex digits, control bytes as '?', at most 300
// bytes.
func traceCmd(line []byte) string {
	if len(line) == 0 {
		return "(greeting)"
	}
	switch line[0] {
	case 'P', 'p':
		return string(line[:1]) + "***"
	case 'W', 'w':
		if len(line) > 33 {
			return fmt.Sprintf("%s...(%d bytes)", wire.Clean(line[:33], 33), (len(line)-1)/2)
		}
	}
	return string(wire.Clean(line, 300))
}

// traceReply renders a reply line for traces: long data cut after 64
// bytes, control bytes as '?'.
func traceReply(line []byte) string {
	if len(line) > 65 {
		return fmt.Sprintf("%s...(%d bytes)", wire.Clean(line[:65], 65), len(line))
	}
	return string(wire.Clean(line, 65))
}

// nonNil returns ctx, or context.Background() for a nil ctx (a nil context
// must not panic).
func nonNil(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
