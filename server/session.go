package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/os2path"
	"github.com/inilua/inilua/internal/wire"
)

// preLoginMaxLine caps a command's parameter, in bytes, until a correct P
// (deliberate: clients send only P and Q before logging in, and an
// unauthenticated client must not make the server buffer MaxLine bytes).
const preLoginMaxLine = 4096

// session is one client connection and the protocol state of §2.
type session struct {
	srv      *Server
	conn     net.Conn
	id       uint64
	client   string // remote address
	clientIP string // remote address without port (throttling key)
	preLogin bool   // counted in srv.preLogin: no correct P yet (guarded by srv.mu)
	loopback bool   // accepted on a loopback listener
	log      *slog.Logger
	ctx      context.Context
	cancel   context.CancelFunc

	r *bufio.Reader
	w *bufio.Writer
	// readSeq is the server sequence number drawn after the last read from
	// the connection returned: every command consumed so far was received
	// before it was drawn (see fileEntry.load).
	readSeq uint64

	timeout     time.Duration // idle timeout in force (0: none)
	deadlineSet time.Time     // when the read deadline was last pushed
	loginBy     time.Time     // close if not logged in by then; zero: no limit
	loginLimit  bool          // the read deadline is currently loginBy's
	slow        bool          // the last command may have taken long
	commands    int
	endReason   string
	scratch     []byte          // reply scratch
	splice      *splicer        // sends big V replies (nil: none yet, or noSplice)
	noSplice    bool            // big V replies are written (no splicer can be had)
	werr        error           // a reply was cut off by this error: the session ends
	wbuf        []byte          // decoded W data scratch
	lines       wire.LineReader // command lines from r; Max = parameter cap + the command letter
	loggedIn    bool
	cwd         location
	file        *fileEntry // nil: no current file
	fileName    string     // the current file as an OS/2 path, for logs
	app, key    []byte
	offset      uint32
	limit       uint32
	maxParam    int
	staged      *stagedValue // chunks of a value being written (staging.go); nil: none
	last        lastItem     // the last item item looked up
}

// lastItem is the result of a session's last lookup of an item (app and
// key both set) in a file: pipelined clients read one application's keys,
// and one item (S then V, or V of each chunk), one after the other. It
// holds while the entry's gen is the same, and it answers a command
// without the entry's lock while that command needs no check of the disk
// (see fileEntry.load).
type lastItem struct {
	e       *fileEntry // nil: none
	gen     uint64     // e.gen when looked up
	checked uint64     // e.checked when looked up
	app     []byte
	a       *ini.Application // app in e.file; nil: absent
	key     []byte           // the key looked up in a (when a is not nil)
	v       []byte           // key's value
	ok      bool             // key exists in a
}

// newSession returns the session for connection c with idle timeout
// timeout (0: none); run serves it.
func newSession(s *Server, c net.Conn, id uint64, loopback bool, timeout time.Duration) *session {
	ctx, cancel := context.WithCancel(s.baseCtx)
	client := c.RemoteAddr().String()
	ip := client
	if h, _, err := net.SplitHostPort(client); err == nil {
		ip = h
	}
	ss := &session{
		srv: s, conn: c, id: id, client: client, clientIP: ip, loopback: loopback,
		log:      s.log.With("session", id, "client", client),
		ctx:      ctx,
		cancel:   cancel,
		w:        bufio.NewWriterSize(c, 64<<10),
		limit:    wire.DefaultLimit,
		maxParam: s.maxLine(),
		timeout:  timeout,
	}
	ss.r = bufio.NewReaderSize(seqReader{ss}, 64<<10)
	// a session waits for a long-line slot no longer than its idle timeout
	ss.lines = wire.LineReader{R: ss.r, Max: ss.maxParam + 1, Long: func() (func(), error) { return s.longLine(timeout) }}
	if lt := s.loginTimeout(); lt > 0 {
		ss.loginBy = time.Now().Add(lt)
	}
	return ss
}

// seqReader reads from the session's connection and draws a new readSeq
// after every read.
type seqReader struct{ ss *session }

func (r seqReader) Read(b []byte) (int, error) {
	n, err := r.ss.conn.Read(b)
	r.ss.readSeq = r.ss.srv.seq.Add(1)
	return n, err
}

// interrupt makes a session waiting for a command return at once (used by
// Shutdown; a command being executed finishes first).
func (ss *session) interrupt() {
	ss.conn.SetReadDeadline(time.Unix(1, 0))
}

// lineBuffered reports whether a whole command line is already buffered
// (the next ReadLine reuses the search).
func (ss *session) lineBuffered() bool { return ss.lines.Ready() }

// run serves the session until it ends, then closes the connection.
func (ss *session) run() {
	start := time.Now()
	ss.log.Info("session start")
	defer func() {
		// a Q commits them first: only a session that breaks off loses them
		ss.dropStaged("session ended without Q: " + ss.endReason)
		ss.w.Flush() // replies to commands pipelined before the end
		ss.srv.cache.release(ss.file)
		ss.lines.Release()
		if ss.splice != nil {
			ss.splice.close()
		}
		ss.cancel()
		ss.conn.Close()
		ss.log.Info("session end", "reason", ss.endReason, "commands", ss.commands, "duration", time.Since(start).Round(time.Millisecond))
	}()
	ss.w.WriteString("+" + wire.CRLF)
	for {
		buffered := ss.lineBuffered()
		if ss.timeout > 0 && (!buffered || ss.slow || ss.commands%256 == 0) {
			// The idle time counts from the end of the last command: a
			// command that ran longer than the timeout (a slow E, a W
			// waiting for the disk) still gets its reply. Reading the clock
			// costs as much as a cheap command, so within a pipelined burst
			// it is read only after a slow command and every 256 commands.
			// The deadline itself is pushed at most every slack (a timer
			// update); the session closes after between timeout and
			// timeout+slack without a command. The write deadline is the
			// same: a client that stops reading its replies is dropped too.
			ss.slow = false
			slack := min(time.Second, ss.timeout/8)
			now := time.Now()
			if now.Sub(ss.deadlineSet) > slack {
				ss.deadlineSet = now
				ss.conn.SetDeadline(now.Add(ss.timeout + slack))
			}
		}
		if !buffered {
			if err := ss.w.Flush(); err != nil {
				ss.endReason = "write error: " + err.Error()
				return
			}
		}
		switch {
		case !ss.loggedIn && !ss.loginBy.IsZero():
			// not logged in: the login deadline, or the idle one if sooner
			d := ss.loginBy
			if ss.timeout > 0 && time.Now().Add(ss.timeout).Before(d) {
				d = time.Now().Add(ss.timeout)
			}
			ss.conn.SetReadDeadline(d)
			ss.loginLimit = true
			ss.deadlineSet = time.Time{} // the idle deadline is set anew after login
		case ss.loginLimit:
			ss.loginLimit = false
			if ss.timeout == 0 {
				ss.conn.SetReadDeadline(time.Time{})
			}
		}
		if ss.srv.closing.Load() {
			ss.endReason = "server shutdown"
			return
		}
		ss.lines.Max = ss.maxParam + 1 // + the command letter
		if !ss.loggedIn {
			ss.lines.Max = min(ss.maxParam, preLoginMaxLine) + 1
		}
		line, err := ss.lines.ReadLine()
		if err != nil {
			ss.readError(err)
			return
		}
		if len(line) == 0 {
			ss.endReason = "empty line"
			return
		}
		ss.commands++
		if ss.handle(line) {
			return
		}
		if ss.werr != nil {
			ss.endReason = "write error: " + ss.werr.Error()
			return
		}
	}
}

func (ss *session) readError(err error) {
	var ne net.Error
	switch {
	case errors.Is(err, wire.ErrLineTooLong):
		ss.endReason = "command too long"
		ss.log.Warn("command longer than the limit; closing", "limit", ss.lines.Max-1, "logged_in", ss.loggedIn)
		ss.w.WriteString("-Command too long" + wire.CRLF)
		ss.w.Flush()
		gracefulClose(ss.conn)
	case errors.Is(err, errLongLineWait):
		ss.endReason = "long-line wait"
		ss.log.Warn("no long-line slot within the idle timeout; closing", "timeout", ss.timeout, "max", cap(ss.srv.longLines))
		ss.w.WriteString("-Server busy" + wire.CRLF)
		ss.w.Flush()
		gracefulClose(ss.conn)
	case ss.srv.closing.Load():
		ss.endReason = "server shutdown"
	case errors.As(err, &ne) && ne.Timeout() && ss.loginLimit && !time.Now().Before(ss.loginBy):
		ss.endReason = "login timeout"
		ss.log.Info("no login in time; closing", "timeout", ss.srv.loginTimeout())
	case errors.As(err, &ne) && ne.Timeout():
		ss.endReason = "idle timeout"
		ss.log.Info("idle timeout; closing", "timeout", ss.timeout)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		ss.endReason = "client closed"
	default:
		ss.endReason = "read error: " + err.Error()
	}
}

// reply helpers: every line ends in CR LF (§1).

func (ss *session) ok() { ss.w.WriteString("+" + wire.CRLF) }

// fail writes '-' and msg (cleaned so that it can never break the line).
// errValueTooLarge is wrapped by a W whose value would exceed the file
// format's largest value (§8).
var errValueTooLarge = errors.New("value too large")

// updateFailure is the reply text for a W or D (msg: "Write failed",
// "Delete failed") that failed with err: msg, plus the reason when it is
// one the client can act on. Clients look only at the "-" (§1); the text
// never holds a host path (the log has the full error).
func updateFailure(msg string, err error) string {
	switch {
	case errors.Is(err, ini.ErrReadOnly):
		return msg + ": file is read-only"
	case errors.Is(err, errValueTooLarge):
		return msg + ": value too large"
	case errors.Is(err, ini.ErrInvalidName):
		return msg + ": invalid name"
	case errors.Is(err, ini.ErrNameTooLong):
		return msg + ": name too long for the binary INI format"
	case errors.Is(err, ini.ErrValueTooLong):
		return msg + ": value too large"
	case errors.Is(err, ini.ErrTooLong):
		return msg + ": file too large for the binary INI format"
	}
	return msg
}

func (ss *session) fail(msg string) {
	ss.w.WriteByte('-')
	ss.w.Write(wire.Clean([]byte(msg), 200))
	ss.w.WriteString(wire.CRLF)
}

func (ss *session) number(n int) {
	ss.scratch = append(ss.scratch[:0], '+')
	ss.scratch = wire.AppendNumber(ss.scratch, uint64(n))
	ss.scratch = append(ss.scratch, '\r', '\n')
	ss.w.Write(ss.scratch)
}

// hexReply writes '+', v as hex, CR LF. A reply that fits the writer's
// buffer is encoded straight into it (after the pending replies are
// flushed, when they leave too little room). A bigger one is sent after the
// pending replies, encoded in pieces into the writer's empty buffer: on
// Linux through the session's splicer (splice_linux.go), else each piece
// written at once, so that the client receives one piece while the next
// is encoded.
func (ss *session) hexReply(v []byte) {
	if n := 2*len(v) + 3; n > ss.w.Available() && n <= ss.w.Size() {
		// fits once the pending replies are out
		if ss.w.Flush() != nil {
			return
		}
	}
	if 2*len(v)+3 <= ss.w.Available() {
		b := append(ss.w.AvailableBuffer(), '+')
		b = wire.AppendHex(b, v)
		ss.w.Write(append(b, '\r', '\n'))
		return
	}
	if ss.w.Flush() != nil {
		return
	}
	if ss.splice == nil && !ss.noSplice {
		ss.splice = newSplicer(ss.conn)
		ss.noSplice = ss.splice == nil
	}
	if ss.splice != nil {
		started, err := ss.splice.sendHex(ss.w.AvailableBuffer(), v)
		if err == nil {
			return
		}
		ss.splice.close()
		ss.splice, ss.noSplice = nil, true
		if started {
			// part of the reply is out: the connection cannot go on
			ss.werr = err
			return
		}
		ss.log.Debug("splice failed; big replies are written from now on", "err", err)
	}
	b := append(ss.w.AvailableBuffer(), '+')
	for len(v) > 0 {
		n := min(len(v), hexPiece)
		b = wire.AppendHex(b, v[:n])
		if v = v[n:]; len(v) == 0 {
			b = append(b, '\r', '\n')
		}
		ss.w.Write(b)
		if ss.w.Flush() != nil {
			return
		}
		b = ss.w.AvailableBuffer()
	}
}

// hexPiece is the number of value bytes hexReply encodes per write of a
// big reply without a splicer: 32 KiB of hex, half the writer's buffer
// (the CR LF and the '+' must fit beside it).
const hexPiece = 16 << 10

// slowCommand marks the commands that may wait (for the disk, a lock, an
// action or the password delay).
var slowCommand = [256]bool{'P': true, 'W': true, 'D': true, 'M': true, 'R': true, 'X': true, 'E': true}

// handle executes one command line (not empty) and reports whether the
// session ends.
func (ss *session) handle(line []byte) bool {
	c := os2path.Upper(line[0])
	param := line[1:]
	// commands that may wait (for the disk, a lock, an action or the
	// password delay) make the session read the clock afterwards
	ss.slow = slowCommand[c]
	if ss.staged != nil && strings.IndexByte("OAKSTVW", c) < 0 {
		ss.commitStaged()
	}
	if !ss.loggedIn && c != 'P' && c != 'Q' {
		ss.w.WriteString("-Not logged in ")
		ss.w.Write(wire.Clean(param, 64))
		ss.w.WriteString(wire.CRLF)
		return false
	}
	switch c {
	case 'P':
		return ss.cmdP(param)
	case 'Q':
		ss.ok()
		ss.endReason = "Q"
		return true
	case 'C':
		ss.cmdC(string(param))
	case 'L':
		ss.cmdL(string(param))
	case 'F':
		ss.cmdF(string(param))
	case 'A':
		ss.app = append(ss.app[:0], param...)
		ss.ok()
	case 'K':
		ss.key = append(ss.key[:0], param...)
		ss.ok()
	case 'O':
		ss.offset, ss.limit = wire.ParseOffsetLimit(param)
		ss.ok()
	case 'S', 'T', 'V':
		ss.cmdRead(c)
	case 'W':
		ss.cmdW(param)
	case 'D':
		ss.cmdD()
	case 'M':
		ss.cmdM(string(param))
	case 'R':
		ss.cmdR(string(param))
	case 'X':
		ss.cmdX(string(param))
	case 'E':
		ss.cmdE(string(param))
	case '^':
		ss.endReason = "restart (^)"
		ss.log.Info("restart requested: reloading the configuration")
		ss.srv.Reload()
		return true
	default:
		ss.w.WriteString("-Unknown command ")
		ss.w.Write(wire.Clean(line, 64))
		ss.w.WriteString(wire.CRLF)
	}
	return false
}

func (ss *session) cmdP(supplied []byte) bool {
	pw, err := ss.srv.password()
	if err != nil {
		ss.loggedIn = false
		ss.log.Error("cannot read the password; login refused", "err", err)
		ss.fail("Password not available")
		return false
	}
	if len(pw) == 0 && !ss.loopback {
		ss.loggedIn = false
		ss.log.Warn("empty password refused on a non-loopback listener")
		ss.fail("Empty password not allowed here")
		return false
	}
	if len(supplied) <= maxPassword && len(supplied) == len(pw) && subtle.ConstantTimeCompare(supplied, pw) == 1 {
		ss.loggedIn = true
		ss.srv.throttle.reset(ss.clientIP)
		ss.srv.mu.Lock()
		ss.srv.leavePreLogin(ss)
		ss.srv.mu.Unlock()
		ss.ok()
		return false
	}
	ss.loggedIn = false // deliberate: a failed P logs out (§4)
	n := ss.srv.throttle.fail(ss.clientIP, ss.srv.now(), ss.srv.passwordWindow())
	delay := ss.srv.passwordDelay(n)
	ss.log.Warn("wrong password", "failures", n, "delay", delay)
	ss.w.Flush() // earlier replies are not held back by the delay
	if err := ss.srv.sleep(ss.ctx, delay); err != nil {
		ss.endReason = "server shutdown"
		ss.fail("")
		return true
	}
	ss.fail("")
	if n >= ss.srv.maxPasswordFailures() {
		ss.endReason = "too many wrong passwords"
		ss.log.Warn("too many wrong passwords; closing", "failures", n)
		return true
	}
	return false
}

func (ss *session) cmdC(p string) {
	if p == "" {
		ss.ok()
		return
	}
	drive, comps, err := lex(ss.cwd, p)
	if err != nil {
		ss.fail("No such directory")
		return
	}
	loc, err := ss.srv.resolveDir(drive, comps)
	if err != nil {
		ss.fail("No such directory")
		return
	}
	ss.cwd = loc
	ss.ok()
}

func (ss *session) cmdL(p string) {
	ss.ok()
	for _, e := range ss.srv.listing(ss.cwd, p) {
		ss.w.WriteString(e)
		ss.w.WriteString(wire.CRLF)
	}
	ss.w.WriteString(wire.CRLF)
}

func (ss *session) selectNone() {
	ss.srv.cache.release(ss.file)
	ss.file, ss.fileName = nil, ""
	ss.last.e, ss.last.a, ss.last.v = nil, nil, nil
}

func (ss *session) cmdF(p string) {
	ss.selectNone() // after a failed F there is no current file (§7)
	t, err := ss.srv.resolveTarget(ss.cwd, p)
	if err != nil {
		ss.fail("No such file or directory")
		return
	}
	if t.exists && !t.info.Mode().IsRegular() {
		ss.fail("Not a file")
		return
	}
	if !t.exists && !validNewName(t.name) {
		ss.fail("Invalid file name")
		return
	}
	rel, err := t.vol.realPath(t.rel())
	if err != nil {
		ss.fail("No such file or directory")
		return
	}
	e := ss.srv.cache.acquire(t.vol, rel)
	e.mu.Lock()
	err = e.load(always)
	e.mu.Unlock()
	if err != nil {
		ss.srv.cache.release(e)
		ss.log.Info("file refused", "file", t.display(), "err", err)
		ss.fail("Not a valid INI file")
		return
	}
	ss.file, ss.fileName = e, t.display()
	ss.ok()
}

// errNoItem is the error for a missing application or key.
var errNoItem = errors.New("no such item")

// item returns the current item's bytes: the value, or a list pseudo-value
// (§4). The slice is never modified afterwards, so it may be used after
// the entry's lock is released.
func (ss *session) item() ([]byte, error) {
	e := ss.file
	if c := &ss.last; c.e == e && ss.readSeq < c.checked && ss.staged == nil && c.gen == e.gen.Load() &&
		c.a != nil && len(ss.key) > 0 && bytes.Equal(c.app, ss.app) && bytes.Equal(c.key, ss.key) {
		// as looked up last, with no change since, and load would not
		// check the disk: the same value without the lock
		if !c.ok {
			return nil, errNoItem
		}
		return c.v, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.load(ss.readSeq); err != nil {
		return nil, err
	}
	f := e.file
	if len(ss.app) == 0 {
		names, _ := f.Applications()
		return nameList(ss.stagedNames(names, nil), e.format), nil
	}
	if len(ss.key) == 0 {
		names, err := f.Keys(ss.app)
		if err != nil && !(ss.staged != nil && ss.staged.file == e && bytes.Equal(ss.staged.app, ss.app)) {
			return nil, errNoItem
		}
		return nameList(ss.stagedNames(names, ss.app), e.format), nil
	}
	v, ok := ss.lookup(e)
	if ss.staged.stagedFor(e, ss.app, ss.key) {
		// this session's own chunks, not yet on disk (staging.go)
		return ss.staged.over(v), nil
	}
	if !ok {
		return nil, errNoItem
	}
	return v, nil
}

// lookup returns the value of the current item in e (loaded, e.mu held)
// and whether it exists, through the session's last lookup when e has not
// changed since.
func (ss *session) lookup(e *fileEntry) ([]byte, bool) {
	c := &ss.last
	gen := e.gen.Load()
	fresh := c.e != e || c.gen != gen || !bytes.Equal(c.app, ss.app)
	if fresh {
		c.e, c.gen = e, gen
		c.app = append(c.app[:0], ss.app...)
		c.a = e.file.Application(ss.app)
	}
	switch {
	case c.a == nil:
		c.key, c.v, c.ok = c.key[:0], nil, false
	case fresh || !bytes.Equal(c.key, ss.key):
		c.key = append(c.key[:0], ss.key...)
		c.v, c.ok = c.a.Lookup(ss.key)
	}
	c.checked = e.checked
	return c.v, c.ok
}

// nameList encodes a list pseudo-value (§4): names in file order for a
// binary INI file, in ascending byte order for a TNI file (TNI files are
// kept sorted: ini-formats.md §7.1).
func nameList(names [][]byte, format ini.Format) []byte {
	if format == ini.FormatTNI {
		slices.SortFunc(names, bytes.Compare)
	}
	return ini.NameList(names)
}

// window clips v to the current offset and limit (§8).
func (ss *session) window(v []byte) []byte {
	if uint64(ss.offset) >= uint64(len(v)) {
		return nil
	}
	v = v[ss.offset:]
	if uint64(len(v)) > uint64(ss.limit) {
		v = v[:ss.limit]
	}
	return v
}

func (ss *session) cmdRead(c byte) {
	if ss.file == nil {
		ss.fail("No file selected")
		return
	}
	v, err := ss.item()
	if err != nil {
		if !errors.Is(err, errNoItem) {
			ss.log.Warn("file cannot be read", "file", ss.fileName, "err", err)
		}
		ss.fail("No such item")
		return
	}
	switch c {
	case 'S':
		ss.number(len(v))
	case 'T':
		ss.number(len(ss.window(v)))
	default:
		ss.hexReply(ss.window(v))
	}
}

// maxValue returns the largest value W may create in the current file.
func (ss *session) maxValue() int {
	if ss.file.format == ini.FormatTNI {
		return ss.srv.maxTNIValue()
	}
	return MaxBinaryValue
}

func (ss *session) readOnly() bool {
	if ss.srv.ReadOnly {
		ss.fail("Read-only server")
		return true
	}
	return false
}

// itemLog returns the session's logger with the current file, application
// and key (cleaned for a one-line log) attached.
func (ss *session) itemLog() *slog.Logger { return ss.itemLogFor(ss.app, ss.key) }

// itemLogFor returns the session's logger with the current file and the
// item (app, key), cleaned for a one-line log, attached.
func (ss *session) itemLogFor(app, key []byte) *slog.Logger {
	return ss.log.With("file", ss.fileName, "application", string(wire.Clean(app, 64)), "key", string(wire.Clean(key, 64)))
}

// cmdW stores a chunk (§8). A W with at least limit bytes says that more
// chunks follow: it is staged (staging.go) and answered '+' at once; the
// W that ends the value (fewer than limit bytes) writes the staged chunks
// and itself with one save before its '+'. A refused W drops the staged
// chunks, so the value stays as it was before the first of them.
func (ss *session) cmdW(hexdata []byte) {
	if ss.readOnly() {
		ss.dropStaged("refused W")
		return
	}
	if ss.file == nil {
		ss.fail("No file selected")
		return
	}
	if len(ss.app) == 0 || len(ss.key) == 0 {
		ss.dropStaged("refused W")
		ss.fail("No application or key")
		return
	}
	if ss.staged != nil && !ss.staged.stagedFor(ss.file, ss.app, ss.key) {
		ss.commitStaged() // a W for another item: the last one is complete
	}
	data, err := wire.AppendUnhex(ss.wbuf[:0], hexdata)
	if err != nil {
		ss.dropStaged("refused W")
		ss.fail("Bad hex data")
		return
	}
	ss.wbuf = data[:0]
	if cap(ss.wbuf) > 1<<20 {
		ss.wbuf = nil // do not keep a big buffer for the session's life
	}
	w := wCmd{offset: uint64(ss.offset), limit: uint64(ss.limit), data: data, maxLen: ss.maxValue()}
	if uint64(len(data)) >= w.limit {
		if err := ss.stageW(&w); err != nil {
			ss.dropStaged("refused W")
			ss.itemLog().Warn("write failed", "err", err)
			ss.fail(updateFailure("Write failed", err))
			return
		}
		ss.ok()
		return
	}
	st := ss.staged
	ss.staged = nil
	oldSize, newSize, err := store(ss.file, ss.app, ss.key, st, &w)
	if err != nil {
		if st != nil {
			ss.dropStaged("refused W")
		}
		ss.itemLog().Warn("write failed", "err", err)
		ss.fail(updateFailure("Write failed", err))
		return
	}
	chunks := 1
	if st != nil {
		chunks += st.chunks
	}
	ss.itemLog().Info("change", "op", "W", "old_size", oldSize, "new_size", newSize, "chunks", chunks)
	ss.ok()
}

// stageW stages a W that says more chunks follow, after the checks the
// save would make: the names and the size the value would have now.
func (ss *session) stageW(w *wCmd) error {
	if err := ini.CheckName("application", ss.app); err != nil {
		return err
	}
	if err := ini.CheckName("key", ss.key); err != nil {
		return err
	}
	e := ss.file
	e.mu.Lock()
	err := e.load(ss.readSeq)
	var cur int
	if err == nil {
		v, _ := e.file.Lookup(ss.app, ss.key)
		cur = len(v)
	}
	e.mu.Unlock()
	if err != nil {
		return err
	}
	if ss.staged != nil {
		cur = ss.staged.size(cur)
	}
	end := w.offset + uint64(len(w.data))
	if size := max(uint64(cur), end); size > uint64(w.maxLen) {
		return fmt.Errorf("value of %d bytes exceeds the limit of %d: %w", size, w.maxLen, errValueTooLarge)
	}
	if ss.staged == nil {
		ss.staged = &stagedValue{file: e, app: bytes.Clone(ss.app), key: bytes.Clone(ss.key)}
	}
	ss.staged.add(w.offset, w.data)
	return nil
}

func (ss *session) cmdD() {
	if ss.readOnly() {
		return
	}
	if ss.file == nil {
		ss.fail("No file selected")
		return
	}
	if len(ss.app) == 0 {
		ss.fail("No application")
		return
	}
	oldSize := -1
	err := ss.file.update(func(f *ini.File) (bool, error) {
		if len(ss.key) == 0 {
			a := f.Application(ss.app)
			if a == nil {
				return false, nil
			}
			oldSize = len(a.Entries)
			return true, f.DeleteApplication(ss.app)
		}
		v, ok := f.Lookup(ss.app, ss.key)
		if !ok {
			return false, nil
		}
		oldSize = len(v)
		return true, f.Delete(ss.app, ss.key)
	})
	if err != nil {
		ss.itemLog().Warn("delete failed", "err", err)
		ss.fail(updateFailure("Delete failed", err))
		return
	}
	if oldSize >= 0 {
		// for an application, old_size is its number of keys
		ss.itemLog().Info("change", "op", "D", "old_size", oldSize, "new_size", -1)
	}
	ss.ok()
}

func (ss *session) cmdM(p string) {
	if ss.readOnly() {
		return
	}
	t, err := ss.srv.resolveTarget(ss.cwd, p)
	if err != nil || t.exists {
		ss.fail("Cannot create directory")
		return
	}
	if !validNewName(t.name) {
		ss.fail("Invalid directory name")
		return
	}
	if err := t.vol.root.Mkdir(t.rel(), 0o777); err != nil {
		ss.log.Info("mkdir failed", "path", t.display(), "err", err)
		ss.fail("Cannot create directory")
		return
	}
	ss.log.Info("change", "op", "M", "path", t.display())
	ss.ok()
}

func (ss *session) cmdR(p string) {
	if ss.readOnly() {
		return
	}
	src, err := ss.srv.resolveTarget(ss.cwd, string(ss.app))
	if err != nil || !src.exists {
		ss.fail("No such file or directory")
		return
	}
	dst, err := ss.srv.resolveTarget(ss.cwd, p)
	if err != nil {
		ss.fail("Bad destination")
		return
	}
	if dst.vol != src.vol {
		ss.fail("Cannot move between drives")
		return
	}
	if (!dst.exists || dst.rel() == src.rel()) && !validNewName(dst.typed) {
		ss.fail("Invalid file name")
		return
	}
	dstRel, dstShow := dst.rel(), dst.display()
	switch {
	case dst.exists && dst.rel() == src.rel():
		// the same entry: a change of case only, allowed as on HPFS and JFS
		if dst.typed == src.name {
			ss.fail("Destination exists")
			return
		}
		dstRel, dstShow = join(dst.dir.rel(), dst.typed), dst.dir.String()+dst.typed
	case dst.exists:
		if !dst.info.IsDir() || src.info.IsDir() {
			ss.fail("Destination exists")
			return
		}
		// a file moved onto an existing directory goes into it (§4)
		dir := location{drive: dst.dir.drive, parts: append(append([]string(nil), dst.dir.parts...), dst.name)}
		if _, _, err := dst.vol.lookup(dir.rel(), src.name); !errors.Is(err, fs.ErrNotExist) {
			ss.fail("Destination exists")
			return
		}
		dstRel, dstShow = join(dir.rel(), src.name), dir.String()+src.name
	}
	if err := src.vol.root.Rename(src.rel(), dstRel); err != nil {
		ss.log.Info("rename failed", "from", src.display(), "to", dstShow, "err", err)
		ss.fail("Cannot move")
		return
	}
	ss.log.Info("change", "op", "R", "from", src.display(), "to", dstShow)
	ss.ok()
}

func (ss *session) cmdX(p string) {
	if ss.readOnly() {
		return
	}
	t, err := ss.srv.resolveTarget(ss.cwd, p)
	if err != nil {
		ss.fail("No such directory")
		return
	}
	if !t.exists {
		ss.ok() // a missing file counts as success (§4)
		return
	}
	if err := t.vol.root.Remove(t.rel()); err != nil && !errors.Is(err, os.ErrNotExist) {
		ss.log.Info("delete failed", "path", t.display(), "err", err)
		ss.fail("Cannot delete")
		return
	}
	ss.log.Info("change", "op", "X", "path", t.display())
	ss.ok()
}

func (ss *session) cmdE(name string) {
	log := ss.log.With("event", string(wire.Clean([]byte(name), 64)))
	if err := ss.srv.postEvent(ss.ctx, name); err != nil {
		log.Warn("event failed", "err", err)
		if errors.Is(err, errUnknownEvent) {
			ss.fail("Unknown event semaphore")
		} else {
			ss.fail("Event failed")
		}
		return
	}
	log.Info("event posted")
	ss.ok()
}

// wireClean makes command output safe for a one-line log or reply.
func wireClean(b []byte) string { return string(wire.Clean(bytes.TrimSpace(b), 200)) }
