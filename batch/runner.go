package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/plural"
	"github.com/inilua/inilua/luaapi"
)

// DefaultForks is the number of hosts run at once when Options.Forks is 0.
const DefaultForks = 20

// DefaultTimeout is the per-host timeout (connecting, and each command)
// when Options.Timeout is 0.
const DefaultTimeout = 30 * time.Second

// DefaultScriptTimeout bounds the script on one host when
// Options.ScriptTimeout is 0 (inilua batch --script-timeout's default).
const DefaultScriptTimeout = 10 * time.Minute

// maxOutput caps what is kept of one host's script output (print,
// io.write), so a chatty script cannot exhaust memory on a large batch.
const maxOutput = 64 << 10

// Options configure Run.
type Options struct {
	// Script is the path of the Lua script (for messages and arg[0]).
	Script string
	// Code is the script's source; when nil, Run reads Script.
	Code []byte
	// Args are the name=value arguments after the script, in order: each
	// becomes ARGS[name] = value, and the strings themselves follow the
	// session in "..." and in arg[1..n].
	Args []string

	// Forks is how many hosts run at once; 0 means DefaultForks.
	Forks int
	// Timeout bounds connecting to a host and each command sent to it; 0
	// means DefaultTimeout.
	Timeout time.Duration
	// ScriptTimeout bounds the whole script on one host, from its first
	// Lua instruction to its return: Lua code, every command it sends
	// (and the backups they take) and long library calls. When it
	// expires the script is stopped where it is (a command in progress is
	// abandoned) and the host is failed with "script timed out after D";
	// other hosts go on. Connecting and logging in before the script
	// (Timeout) and posting its notifications after it (Timeout per
	// command) are outside it, so a host ends within Timeout +
	// ScriptTimeout + Timeout. 0 means DefaultScriptTimeout; a negative
	// value means no limit.
	ScriptTimeout time.Duration
	// MaxFail stops starting hosts once more hosts than this have failed
	// or been unreachable; the zero Threshold means no limit.
	MaxFail Threshold
	// Serial runs hosts in rolling batches of this size (count or percent
	// of all hosts); a batch starts only when the previous one finished
	// within MaxFail. The zero Threshold means one batch.
	Serial Threshold

	// Check is the dry run: nothing is written or created on any host
	// (client check mode), statuses say what a real run would do, no
	// backups are taken and notifications are reported, not posted.
	Check bool
	// Diff prints every change (application/key old -> new) as each host
	// finishes.
	Diff bool
	// BackupDir, when set, receives each remote file's content before its
	// first change (see BackupStore).
	BackupDir string
	// Password is the password for hosts without password_env or
	// password_file in the inventory.
	Password string
	// Shard, when set, runs only the hosts that fall in it (Shard.Select);
	// the results are those hosts', with Result.Position their position
	// in the hosts given to Run. MaxFail and Serial percentages are of the
	// shard's hosts.
	Shard Shard

	// Out receives host output, diffs and plain progress lines; nil:
	// io.Discard.
	Out io.Writer
	// ProgressBar draws a progress bar on Out (a terminal) instead of one
	// line per finished host.
	ProgressBar bool
	// HostLines prints each host's result line ("[2/3] host2: changed (3
	// changes; notified ...)") above the progress bar too, as without it.
	HostLines bool
	// OKNote, when not empty, is added to the result line of a host that
	// ended ok, saying why it had nothing to change ("already migrated").
	OKNote string
	// Stop, when closed, is the first Ctrl-C: no new host starts (those not
	// started are reported skipped), and each running host finishes the
	// API call in progress (the command on the wire completes) and then
	// stops, reported failed "interrupted". Cancelling the ctx given to Run
	// (the second Ctrl-C) also aborts the commands in progress.
	Stop <-chan struct{}
	// DialContext, when not nil, opens the connection to each host and to
	// the hosts a script connects to (a tunnel; see
	// client.Options.DialContext); nil: a plain TCP connection.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger receives warnings of the Lua runtime and client; nil: warnings
	// go to the host's output. That a host accepted the empty password
	// (client.WarnEmptyPassword) is not logged per host but said once, at
	// the end of the run, on Out: "warning: 2 of 3 hosts accepted the
	// empty password (host1, host2): ...".
	Logger *slog.Logger
	// EmptyPasswordExpected drops that end-of-run warning: the hosts have
	// no password on purpose (Demo's sample servers on loopback).
	EmptyPasswordExpected bool
	// GoStack adds the Go stack to the traceback of a Lua error raised by
	// a Go panic in the API (luaapi.Options.GoStack), for bug reports; the
	// output of a host whose script failed with a traceback ends with it
	// (without GoStack no traceback is printed, only the error).
	GoStack bool

	// setup, when not nil, is called with each host's Lua runtime before
	// its script runs (tests add functions to it).
	setup func(*luaapi.Runtime)
}

// Threshold is a count or a percentage of the hosts, as given to --max-fail
// and --serial ("5" or "10%").
type Threshold struct {
	N       int
	Percent bool
	Set     bool
}

// ParseThreshold parses "N" or "P%" (N >= 0, 0 <= P <= 100). Any other
// text is an error reading `"abc" is not N or P%` (with why for a
// percentage over 100).
func ParseThreshold(s string) (Threshold, error) {
	t := Threshold{Set: true}
	num := strings.TrimSuffix(s, "%")
	t.Percent = num != s
	if _, err := fmt.Sscanf(num, "%d", &t.N); err != nil || fmt.Sprint(t.N) != num || t.N < 0 {
		return Threshold{}, fmt.Errorf("%q is not N or P%%", s)
	}
	if t.Percent && t.N > 100 {
		return Threshold{}, fmt.Errorf("%q is not N or P%%: a percentage is at most 100%%", s)
	}
	return t, nil
}

// Of returns the threshold as a count of total hosts (a percentage is
// rounded down).
func (t Threshold) Of(total int) int {
	if t.Percent {
		return total * t.N / 100
	}
	return t.N
}

// String returns the threshold as given ("5", "10%"), or "" when not set.
func (t Threshold) String() string {
	switch {
	case !t.Set:
		return ""
	case t.Percent:
		return fmt.Sprintf("%d%%", t.N)
	}
	return fmt.Sprint(t.N)
}

// Run runs the script once on each host and returns one result per host,
// in the order of hosts. The error is non-nil only when nothing could be
// run (unreadable or invalid script, unusable backup directory); the
// failure of a host is in its Result.
func Run(ctx context.Context, hosts []*Host, opts Options) ([]*Result, error) {
	if opts.Code == nil {
		code, err := os.ReadFile(opts.Script)
		if err != nil {
			return nil, err
		}
		opts.Code = code
	}
	// compiled once: every host's Lua state runs the same prototype
	prog, err := luaapi.Compile(string(opts.Code), opts.Script)
	if err != nil {
		return nil, err
	}
	args := map[string]string{}
	for _, a := range opts.Args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("argument %q is not name=value", a)
		}
		args[k] = v
	}
	setDefaults(&opts.Forks, &opts.Timeout, &opts.Out)
	RaiseOpenFileLimit() // best effort: without it, hosts wait for descriptors (dial)
	hosts, positions := opts.Shard.Select(hosts)
	if opts.ScriptTimeout == 0 {
		opts.ScriptTimeout = DefaultScriptTimeout
	}
	r := &runner{opts: opts, prog: prog, args: args, results: make([]*Result, len(hosts))}
	if opts.BackupDir != "" && !opts.Check {
		if err := os.MkdirAll(opts.BackupDir, 0o755); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		r.backups = &BackupStore{Dir: opts.BackupDir}
	}
	warnSharedAddresses(opts.Out, hosts)
	r.progress = newProgress(opts.Out, opts.ProgressBar, len(hosts))
	r.progress.hostLines, r.progress.okNote = opts.HostLines, opts.OKNote
	// soft is cancelled by Stop (or ctx): running scripts stop between Lua
	// instructions (luaapi.Options.Stop), while their network calls keep
	// using ctx.
	soft, cancelSoft := context.WithCancel(ctx)
	defer cancelSoft()
	if opts.Stop != nil {
		go func() {
			select {
			case <-opts.Stop:
				cancelSoft()
			case <-soft.Done():
			}
		}()
	}
	r.soft, r.cancelSoft = soft, cancelSoft
	r.run(ctx, hosts)
	r.progress.finish()
	r.warnEmptyPassword()
	for i, res := range r.results {
		res.Position = positions[i]
	}
	return r.results, nil
}

// warnSharedAddresses writes a warning on w for each address that more
// than one of hosts has (two inventory names for one machine): their
// scripts run at the same time on the same files, and a restore of their
// backups is refused (Restore).
func warnSharedAddresses(w io.Writer, hosts []*Host) {
	names := map[string][]string{}
	var order []string
	for _, h := range hosts {
		a := strings.ToLower(h.Address)
		if names[a] == nil {
			order = append(order, a)
		}
		names[a] = append(names[a], h.Name)
	}
	for _, a := range order {
		if n := names[a]; len(n) > 1 {
			fmt.Fprintf(w, "warning: hosts %s have one address, %s: their scripts run at the same time on the same files\n", strings.Join(n, ", "), a)
		}
	}
}

type runner struct {
	opts       Options
	prog       *luaapi.Program
	args       map[string]string
	backups    *BackupStore
	progress   *progress
	soft       context.Context // the Lua VM's context: cancelled by Stop
	cancelSoft context.CancelFunc

	freed release // signalled as each host finishes (its descriptors are closed)

	mu       sync.Mutex
	results  []*Result
	failures int
	emptyPW  map[*Host]bool // hosts that accepted the empty password
}

// maxEmptyPWNames is how many hosts the empty-password warning names.
const maxEmptyPWNames = 10

// warnEmptyPassword writes, once per run, which hosts accepted the empty
// password (the client's warning is kept out of each host's output).
func (r *runner) warnEmptyPassword() {
	var all []string // in the order of the hosts
	for _, res := range r.results {
		if res != nil && r.emptyPW[res.Host] {
			all = append(all, res.Host.Name)
		}
	}
	n := len(all)
	if n == 0 || r.opts.EmptyPasswordExpected {
		return
	}
	names := strings.Join(all[:min(n, maxEmptyPWNames)], ", ")
	if n > maxEmptyPWNames {
		names += fmt.Sprintf(" and %d more", n-maxEmptyPWNames)
	}
	fmt.Fprintf(r.opts.Out, "warning: %d of %d %s accepted the empty password (%s): give a password with --password-env VAR, --password-file FILE or password_env=/password_file= in the inventory\n",
		n, len(r.results), plural.Noun(len(r.results), "host"), names)
}

// dropEmptyPassword is a slog.Handler that passes every record to its
// inner handler except the client's empty-password warning, which the
// runner says once per run instead.
type dropEmptyPassword struct{ slog.Handler }

func (h dropEmptyPassword) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level == slog.LevelWarn && rec.Message == client.WarnEmptyPassword {
		return nil
	}
	return h.Handler.Handle(ctx, rec)
}

func (h dropEmptyPassword) WithAttrs(as []slog.Attr) slog.Handler {
	return dropEmptyPassword{h.Handler.WithAttrs(as)}
}

func (h dropEmptyPassword) WithGroup(name string) slog.Handler {
	return dropEmptyPassword{h.Handler.WithGroup(name)}
}

// run schedules the hosts: rolling batches of Serial hosts, at most Forks
// at once, no new host after Stop or once MaxFail is exceeded.
func (r *runner) run(ctx context.Context, hosts []*Host) {
	total := len(hosts)
	size := total
	if r.opts.Serial.Set {
		size = max(r.opts.Serial.Of(total), 1)
	}
	schedule(ctx, total, size, r.opts.Forks, r.opts.Stop,
		func() string { return r.stopReason(ctx, total) },
		func(i int) { r.finish(i, r.runHost(ctx, hosts[i])) },
		func(from int, reason string) { r.skip(hosts, from, reason) })
}

// schedule calls work(i) for i = 0..total-1, each in its own goroutine:
// in batches of size, the next batch only when the previous one has
// finished, at most forks at once. Before each start it asks stop why no
// further work may start ("": none); on a reason it calls skip(i, reason)
// for the index not started (skip is responsible for every later index
// too), waits for the running work and returns. stopCh and ctx wake it
// while it waits for a free fork.
func schedule(ctx context.Context, total, size, forks int, stopCh <-chan struct{}, stop func() string, work func(i int), skip func(from int, reason string)) {
	sem := make(chan struct{}, forks)
	for start := 0; start < total; start += size {
		end := min(start+size, total)
		var wg sync.WaitGroup
		stopped := false
		for i := start; i < end && !stopped; i++ {
			acquired := false
			if stop() == "" {
				select {
				case sem <- struct{}{}:
					acquired = true
				case <-stopCh:
				case <-ctx.Done():
				}
			}
			if reason := stop(); reason != "" {
				if acquired {
					<-sem
				}
				skip(i, reason)
				stopped = true
				break
			}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				defer func() { <-sem }()
				work(i)
			}(i)
		}
		wg.Wait()
		if stopped {
			return
		}
	}
}

// setDefaults fills the zero values of the options Options and
// RestoreOptions share.
func setDefaults(forks *int, timeout *time.Duration, out *io.Writer) {
	if *forks <= 0 {
		*forks = DefaultForks
	}
	if *timeout <= 0 {
		*timeout = DefaultTimeout
	}
	if *out == nil {
		*out = io.Discard
	}
}

// skip marks hosts[from:] (none of them started) as skipped.
func (r *runner) skip(hosts []*Host, from int, reason string) {
	for j := from; j < len(hosts); j++ {
		r.finish(j, &Result{Host: hosts[j], Status: StatusSkipped, Err: reason})
	}
}

// stopReason returns why no further host may start, or "".
func (r *runner) stopReason(ctx context.Context, total int) string {
	select {
	case <-r.opts.Stop:
		r.cancelSoft() // before any host is reported skipped
		return "not started: interrupted"
	case <-ctx.Done():
		return "not started: interrupted"
	default:
	}
	if r.opts.MaxFail.Set {
		r.mu.Lock()
		n := r.failures
		r.mu.Unlock()
		if limit := r.opts.MaxFail.Of(total); n > limit {
			what := "hosts failed or were unreachable"
			if n == 1 {
				what = "host failed or was unreachable"
			}
			return fmt.Sprintf("not started: %d %s, more than --max-fail %s", n, what, r.opts.MaxFail)
		}
	}
	return ""
}

// finish stores a host's result and reports it.
func (r *runner) finish(i int, res *Result) {
	r.freed.signal()
	r.mu.Lock()
	r.results[i] = res
	if res.Status == StatusFailed || res.Status == StatusUnreachable {
		r.failures++
	}
	r.mu.Unlock()
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(res.Output, []byte("\n")) {
		if len(line) > 0 {
			fmt.Fprintf(&b, "%s | %s", res.Host.Name, line)
			if line[len(line)-1] != '\n' {
				b.WriteByte('\n')
			}
		}
	}
	if r.opts.Diff {
		WriteDiff(&b, res)
	}
	r.progress.done(res, b.Bytes())
}

// noPassword is added to a refused login when the password was empty.
const noPassword = "; the password was empty: give one with --password-env VAR, --password-file FILE or password_env=/password_file= in the inventory"

// dialStatus returns the status and error text of a host whose session
// could not be opened: failed for a refused login (the host answered;
// with a hint naming the password flags when pw is empty), unreachable
// for anything else.
func dialStatus(err error, pw string) (Status, string) {
	if errors.Is(err, client.ErrAuth) {
		msg := err.Error()
		if pw == "" {
			msg += noPassword
		}
		return StatusFailed, msg
	}
	return StatusUnreachable, err.Error()
}

// runHost connects to h, runs the script and closes the session.
func (r *runner) runHost(ctx context.Context, h *Host) *Result {
	start := time.Now()
	res := &Result{Host: h, Start: start}
	defer func() { res.End = time.Now(); res.Duration = res.End.Sub(start) }()
	out := &capWriter{max: maxOutput}
	defer func() { res.Output = out.buf.Bytes() }()

	pw, err := h.Password(r.opts.Password)
	if err != nil {
		res.Status, res.Err = StatusFailed, err.Error()
		return res
	}
	logger := r.opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	copts := client.Options{
		Password: pw, DialTimeout: r.opts.Timeout, CommandTimeout: r.opts.Timeout,
		CheckMode: r.opts.Check, Logger: logger, DialContext: r.opts.DialContext,
	}
	dopts := copts
	dopts.Logger = slog.New(dropEmptyPassword{logger.Handler()})
	sess, err := r.dial(ctx, h, dopts, out)
	if err != nil {
		res.Status, res.Err = dialStatus(err, pw)
		return res
	}
	if pw == "" { // logged in: the host accepts the empty password
		r.mu.Lock()
		if r.emptyPW == nil {
			r.emptyPW = map[*Host]bool{}
		}
		r.emptyPW[h] = true
		r.mu.Unlock()
	}
	defer sess.Close()

	var hb *HostBackup
	if r.backups != nil {
		if hb, err = r.backups.Host(h); err != nil {
			res.Status, res.Err = StatusFailed, err.Error()
			return res
		}
	}
	lopts := luaapi.Options{
		Stdout: out, Stderr: out, CheckMode: r.opts.Check, Logger: logger,
		Client: copts,
		// after Stop, the VM stops at its next instruction, while the API
		// call in progress finishes its command (network calls use ctx)
		Stop:    r.soft,
		GoStack: r.opts.GoStack,
	}
	lopts.Client.Password = ""
	if hb != nil {
		lopts.Backup = func(ctx context.Context, host, file string, fetch func(context.Context) (*ini.File, error)) error {
			return backupRemote(ctx, hb, sess, file, fetch)
		}
	}
	rt, err := luaapi.New(ctx, lopts)
	if err != nil {
		res.Status, res.Err = StatusFailed, err.Error()
		return res
	}
	defer rt.Close()

	if err := r.setGlobals(rt, h); err != nil {
		res.Status, res.Err = StatusFailed, err.Error()
		return res
	}
	if r.opts.setup != nil {
		r.opts.setup(rt)
	}
	vals := []lua.LValue{rt.WrapSession(sess, h.Name)}
	for _, a := range r.opts.Args {
		vals = append(vals, lua.LString(a))
	}
	sctx := ctx // the script's context: ctx with the script deadline
	if r.opts.ScriptTimeout > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, r.opts.ScriptTimeout)
		defer cancel()
	}
	_, err = rt.Run(sctx, r.prog, vals...)
	var exit *luaapi.ExitError
	if errors.As(err, &exit) && exit.Code == 0 {
		err = nil
	}
	var se *luaapi.ScriptError
	if r.opts.GoStack && errors.As(err, &se) && se.Traceback != "" {
		fmt.Fprintln(out, strings.TrimRight(se.Traceback, "\n"))
	}

	for _, c := range rt.Changes() {
		if c.Host == "" { // local files (exports, snapshots) are not host changes
			continue
		}
		res.Changes = append(res.Changes, Change{Host: c.Host, File: c.File, Application: c.Application, Key: c.Key, Old: c.Old, New: c.New, Op: c.Op, Partial: c.Partial})
	}
	if hb != nil {
		if aerr := recordAfter(ctx, hb, sess, h.Name, res.Changes); aerr != nil && err == nil {
			err = aerr
		}
	}
	if err != nil {
		res.Status, res.Err = StatusFailed, err.Error()
		switch {
		case ctx.Err() != nil:
			res.Err = "interrupted, command in progress abandoned: " + res.Err
		case expired(sctx):
			res.Err = TimedOut("script", r.opts.ScriptTimeout)
		case r.soft.Err() != nil:
			res.Err = "interrupted after the command in progress: " + res.Err
		}
		return res
	}
	res.Status = StatusOK
	if len(res.Changes) > 0 {
		res.Status = StatusChanged
	}
	// Change-gated notifications: each posted once, after the script, only
	// when the script succeeded and changed something on this host; in
	// check mode reported only.
	hostChanged := false
	for _, c := range res.Changes {
		hostChanged = hostChanged || c.Host == h.Name
	}
	if !hostChanged {
		return res
	}
	for _, n := range rt.Notifications() {
		if n.Host != h.Name {
			continue // a session the script opened itself posts its own
		}
		res.Notified = append(res.Notified, n.Semaphore)
		if r.opts.Check {
			fmt.Fprintf(out, "would post event semaphore %s (--check)\n", oneLine(n.Semaphore))
			continue
		}
		if err := sess.PostEvent(ctx, n.Semaphore); err != nil {
			res.Status, res.Err = StatusFailed, fmt.Sprintf("posting event semaphore %s: %v", n.Semaphore, err)
			return res
		}
	}
	return res
}

// expired reports whether ctx is done or its deadline has passed (the
// Lua VM's copy of the deadline may fire a moment before ctx's own).
func expired(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ctx.Err() != nil || ok && !time.Now().Before(d)
}

// TimedOut returns the error of a host whose deadline d expired:
// "script timed out after 2s" (what is "script" or "restore"; d printed
// without zero units: 10m, 1h30m, 1.5s).
func TimedOut(what string, d time.Duration) string {
	return fmt.Sprintf("%s timed out after %s", what, shortDuration(d))
}

// shortDuration formats d as time.Duration.String does, without the
// trailing zero units ("10m0s" is "10m", "1h0m0s" is "1h").
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// backupRemote saves the remote file named file (relative to the
// session's current directory) before its first change.
// recordAfter stores in the backup index the content each backed-up file
// changed on host has now, at the end of the script, so that restore can
// tell whether someone changed it since. A file that cannot be read is
// recorded as unknown ("").
func recordAfter(ctx context.Context, hb *HostBackup, sess *client.Session, host string, changes []Change) error {
	seen := map[string]bool{}
	for _, c := range changes {
		if c.Host != host {
			continue
		}
		paths := []string{c.File}
		if c.Op == "move" {
			paths = append(paths, c.Key)
		}
		for _, p := range paths {
			key := strings.ToUpper(p)
			if seen[key] || !hb.Has(p) {
				continue
			}
			seen[key] = true
			hash := ""
			if name, err := remoteName(ctx, sess, p); err == nil && name == "" {
				hash = AbsentHash
			} else if err == nil {
				if f, err := sess.Fetch(ctx, p); err == nil {
					hash = ContentHash(f)
				}
			}
			if err := hb.SetAfter(p, hash); err != nil {
				return err
			}
		}
	}
	return nil
}

func backupRemote(ctx context.Context, hb *HostBackup, sess *client.Session, file string, fetch func(context.Context) (*ini.File, error)) error {
	remote := sess.AbsPath(file)
	if remote == "" {
		return fmt.Errorf("backup of %s: cannot tell its absolute path (use an absolute path such as C:\\DIR\\%s)", file, baseName(file))
	}
	if hb.Has(remote) {
		return nil
	}
	// A file that does not exist reads as empty (protocol §7), and the
	// original server creates it on F: ask the directory first, so that a
	// missing file is recorded absent (restore removes it) without being
	// selected.
	name, err := remoteName(ctx, sess, remote)
	if err != nil {
		return fmt.Errorf("backup of %s: %w", remote, err)
	}
	if name == "" {
		return hb.Save(remote, nil)
	}
	f, err := fetch(ctx)
	if err != nil {
		return fmt.Errorf("backup of %s: %w", remote, err)
	}
	return hb.Save(remote, f)
}

// remoteName returns the name of remote as its directory lists it (the
// case on disk: OS/2 file systems are case-insensitive), or "" when there
// is no such file.
func remoteName(ctx context.Context, sess *client.Session, remote string) (string, error) {
	base := baseName(remote)
	names, err := sess.List(ctx, remote)
	if err != nil {
		return "", err
	}
	for _, n := range names {
		if strings.EqualFold(n, base) {
			return n, nil
		}
	}
	return "", nil
}

// setGlobals sets the globals of a host's script: HOST (name, address,
// groups (array), vars (table of all inventory variables) and each
// variable also as a field), ARGS (name -> value) and arg (arg[0] the
// script, arg[1..n] the name=value arguments).
func (r *runner) setGlobals(rt *luaapi.Runtime, h *Host) error {
	vars := map[string]any{}
	host := map[string]any{}
	for _, k := range h.VarOrder {
		host[k] = h.Vars[k]
		vars[k] = h.Vars[k]
	}
	host["name"] = h.Name
	host["address"] = h.Address
	host["groups"] = append([]string{}, h.Groups...)
	host["vars"] = vars
	if err := rt.SetGlobal("HOST", host); err != nil {
		return err
	}
	if err := rt.SetGlobal("ARGS", r.args); err != nil {
		return err
	}
	rt.SetArg(append([]string{r.opts.Script}, r.opts.Args...), 0)
	return nil
}

// capWriter keeps the first max bytes written and notes the truncation.
// It is safe for concurrent use.
type capWriter struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := w.max - w.buf.Len(); room < len(p) {
		if room > 0 {
			w.buf.Write(p[:room])
		}
		if !w.truncated {
			w.truncated = true
			w.buf.WriteString("\n[output truncated]\n")
		}
		return len(p), nil
	}
	w.buf.Write(p)
	return len(p), nil
}
