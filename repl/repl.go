// Package repl is the interactive Lua prompt of inilua: it reads Lua
// statements with line editing (github.com/chzyer/readline), runs them in a
// Host (a luaapi.Runtime) and prints the results in a form suited to INI
// data: text quoted, binary values as hex dumps, tables nested and sorted,
// INI files, applications and sessions as one-line summaries.
//
// Conventions follow the lua interpreter: prompts "> " and ">> ", an
// expression prints its values ("=expr" too), an unfinished statement
// continues on the next line, an error prints its message and the prompt
// comes back. On top of that:
//
//   - Top-level locals typed at the prompt stay defined for the following
//     lines (they are made globals), so "local s = iniserve.serve(dir)"
//     followed by "s:ls()" works.
//   - Tab completes globals, fields and methods, application names after
//     f[" and key names after f[app][", and remote directory entries inside
//     s:cd(" and s:open("; listing calls get a short timeout.
//   - History is kept in a file (see DefaultHistoryFile), without any
//     statement that mentions a password or secret.
//   - Ctrl-C cancels the line being edited, or interrupts the statement
//     running (its context is cancelled, which stops the Lua VM and the
//     network call in progress). Ctrl-D on an empty line or :quit ends the
//     REPL.
//
// Threading: the REPL calls Readline and Close of its readline instance
// from the goroutine that called Run only, never concurrently (a limitation
// of github.com/chzyer/readline, reported upstream: Close blocks while
// another goroutine is inside Readline). The SIGINT handler goroutine only cancels a context.
package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/chzyer/readline"
	lua "github.com/yuin/gopher-lua"
)

// Prompts, as in the lua interpreter.
const (
	// Prompt is shown when a new statement starts.
	Prompt = "> "
	// ContinuePrompt is shown when the statement typed so far is
	// unfinished.
	ContinuePrompt = ">> "
)

// DefaultCompletionTimeout bounds each listing call made for tab
// completion (applications, keys, remote directory entries), so that a slow
// host never freezes the prompt.
const DefaultCompletionTimeout = 300 * time.Millisecond

// Host runs Lua code for the REPL; *luaapi.Runtime implements it.
type Host interface {
	// State returns the Lua state the REPL compiles into and inspects for
	// completion.
	State() *lua.LState
	// Call runs fn with args under ctx (cancelling ctx stops the VM and
	// any network call in progress) and returns its results, or the Lua
	// error.
	Call(ctx context.Context, fn lua.LValue, args ...lua.LValue) ([]lua.LValue, error)
}

// Objects is implemented by a Host whose values include objects that Lua
// cannot look into (userdata with __index functions), such as the INI
// files, application views and sessions of package luaapi. The REPL uses
// it to print summaries and to complete names; without it, such objects
// print through __tostring and complete nothing.
type Objects interface {
	// Kind returns "file", "application" or "session" for the host's
	// objects and "" for any other value.
	Kind(v lua.LValue) string
	// Describe returns a one-line summary of one of the host's objects
	// (name, number of applications or keys, host) and true; "" and false
	// for other values. ctx bounds any network call it makes.
	Describe(ctx context.Context, v lua.LValue) (string, bool)
	// Methods returns the method names of one of the host's objects, nil
	// for other values.
	Methods(v lua.LValue) []string
	// Names lists the application names of a file, the key names of an
	// application view, or the entries of directory arg ("" for the
	// current one) of a session (directories with a trailing "/"); ctx
	// bounds the network calls.
	Names(ctx context.Context, v lua.LValue, arg string) ([]string, error)
}

// Config configures Run. Host is required; everything else has a default.
type Config struct {
	// Host runs the code.
	Host Host
	// Stdin is read for input; nil: os.Stdin. When it is a terminal
	// (*os.File) and Interactive is set, it is put in raw mode while a
	// line is edited and restored before each statement runs.
	Stdin io.Reader
	// Stdout receives prompts, results and the editor's output; nil:
	// os.Stdout.
	Stdout io.Writer
	// Stderr receives error messages; nil: os.Stderr.
	Stderr io.Writer
	// Interactive selects the prompt with line editing, completion and
	// history, and printing of expression results. When false, statements
	// are read from Stdin without prompts or editing and run as they
	// complete; only "=expr" lines print; the first error is printed (after
	// ErrorPrefix, with its traceback), stops Run and is returned (so
	// "inilua < script.lua" fails like a script would).
	Interactive bool
	// HistoryFile is the history file used in interactive mode; "" keeps
	// no history. See DefaultHistoryFile.
	HistoryFile string
	// HistoryLimit is the number of lines kept in the history file; 0:
	// 1000.
	HistoryLimit int
	// Signals installs a SIGINT handler while Run runs: Ctrl-C on a
	// terminal interrupts the statement running instead of killing the
	// process. Tests drive Interrupt instead.
	Signals bool
	// CompletionTimeout bounds each listing call made for completion; 0:
	// DefaultCompletionTimeout.
	CompletionTimeout time.Duration
	// ExitCode reports whether an error returned by Host.Call asks to end
	// the REPL (os.exit in luaapi) and with which status; nil: no error
	// does.
	ExitCode func(err error) (code int, ok bool)
	// Traceback returns the Lua stack traceback of an error returned by
	// Host.Call ("" when there is none); nil: the traceback of a
	// *lua.ApiError found in the error chain.
	Traceback func(err error) string
	// Help is the API summary printed by :help after the REPL commands;
	// "" prints only the commands and the globals.
	Help string
	// ErrorPrefix is written before each error message in non-interactive
	// mode, where the input is a script (inilua sets "inilua: ", as its
	// script errors read); errors at the prompt have none, as in lua.
	ErrorPrefix string
	// Width is the screen width in columns when Stdout is not a terminal
	// (line editing over pipes, in tests); 0: 80.
	Width int
}

// ExitError is returned by Run when a statement asked to end the REPL
// (Config.ExitCode reported it): Code is the exit status.
type ExitError struct {
	Code int
	Err  error
}

// Error returns "exit status N".
func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Unwrap returns the error that asked to exit.
func (e *ExitError) Unwrap() error { return e.Err }

// REPL is one read-eval-print loop. Create it with New, run it with Run. Its
// methods other than Interrupt must be called from one goroutine.
type REPL struct {
	cfg   Config
	L     *lua.LState
	fmt   *Formatter
	objs  Objects // nil when the host has none
	out   io.Writer
	errw  io.Writer
	trace bool // print tracebacks with errors (:traceback)

	mu     sync.Mutex
	cancel context.CancelFunc // of the statement running; nil when idle
	intr   bool               // the running statement was interrupted
}

// New checks cfg, fills in defaults and returns a REPL. It fails when
// cfg.Host is nil.
func New(cfg Config) (*REPL, error) {
	if cfg.Host == nil {
		return nil, errors.New("repl: Config.Host is nil")
	}
	if cfg.Stdin == nil {
		cfg.Stdin = os.Stdin
	}
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.CompletionTimeout <= 0 {
		cfg.CompletionTimeout = DefaultCompletionTimeout
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = 1000
	}
	if cfg.Width <= 0 {
		cfg.Width = 80
	}
	// without a terminal the input is a script: its errors come with a
	// traceback, as a script's do
	r := &REPL{cfg: cfg, L: cfg.Host.State(), out: cfg.Stdout, errw: cfg.Stderr, trace: !cfg.Interactive}
	r.fmt = &Formatter{L: r.L}
	r.objs, _ = cfg.Host.(Objects)
	return r, nil
}

// Interrupt cancels the statement running, if any: the Lua VM stops at its
// next instruction and a network call in progress returns. The REPL prints
// "interrupted" and shows the prompt again. It is safe to call from any
// goroutine (the SIGINT handler calls it) and does nothing when idle.
func (r *REPL) Interrupt() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.intr = true
		r.cancel()
	}
}

// Run reads and runs statements until end of input, :quit, or a statement
// that asks to exit (returned as *ExitError). In non-interactive mode the
// first failing statement ends Run with its error. ctx is the parent of
// every statement's context; cancelling it interrupts the statement running
// and ends Run at the next prompt. Run does not close the Host.
func (r *REPL) Run(ctx context.Context) error {
	if r.cfg.Signals {
		stop := r.handleSignals()
		defer stop()
	}
	if r.cfg.Interactive {
		return r.runInteractive(ctx)
	}
	return r.runPlain(ctx)
}

// handleSignals routes SIGINT to Interrupt until the returned function is
// called.
func (r *REPL) handleSignals() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				r.Interrupt()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// run calls fn under a statement context and prints its results when
// print is set. Lua errors are printed; an exit request is returned as
// *ExitError.
func (r *REPL) run(ctx context.Context, fn *lua.LFunction, print bool) error {
	sctx, cancel := context.WithCancel(ctx)
	r.mu.Lock()
	r.cancel, r.intr = cancel, false
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.cancel = nil
		r.mu.Unlock()
		cancel()
	}()

	vals, err := r.cfg.Host.Call(sctx, fn)
	if err != nil {
		if r.cfg.ExitCode != nil {
			if code, ok := r.cfg.ExitCode(err); ok {
				return &ExitError{Code: code, Err: err}
			}
		}
		r.mu.Lock()
		intr := r.intr
		r.mu.Unlock()
		if intr || ctx.Err() != nil {
			if !r.cfg.Interactive {
				// as a script's: "inilua: interrupted: stdin:2: ..."
				r.printError(err, "interrupted: ")
				return err
			}
			fmt.Fprintln(r.errw, "interrupted")
			if r.trace {
				r.printError(err, "")
			}
			return err
		}
		r.printError(err, "")
		return err
	}
	if print && len(vals) > 0 {
		io.WriteString(r.out, r.results(sctx, vals)+"\n")
	}
	return nil
}

// results formats the values of an expression: one per line when any of
// them spans lines, otherwise separated by tabs as print does.
func (r *REPL) results(ctx context.Context, vals []lua.LValue) string {
	prev := r.L.Context()
	r.L.SetContext(ctx) // __tostring metamethods run under the statement's context
	defer func() {
		if prev != nil {
			r.L.SetContext(prev)
		} else {
			r.L.RemoveContext()
		}
	}()
	if r.objs != nil {
		r.fmt.Describe = func(v lua.LValue) (string, bool) { return r.objs.Describe(ctx, v) }
		defer func() { r.fmt.Describe = nil }()
	}
	parts := make([]string, len(vals))
	sep := "\t"
	for i, v := range vals {
		parts[i] = r.fmt.Value(v)
		if strings.Contains(parts[i], "\n") {
			sep = "\n"
		}
	}
	return strings.Join(parts, sep)
}

// errorPrefix returns Config.ErrorPrefix in non-interactive mode, "" at
// the prompt.
func (r *REPL) errorPrefix() string {
	if r.cfg.Interactive {
		return ""
	}
	return r.cfg.ErrorPrefix
}

// printError prints err, after errorPrefix and what, and its traceback
// when :traceback is on (always without a terminal) to Stderr.
func (r *REPL) printError(err error, what string) {
	msg := strings.TrimRight(err.Error(), "\n")
	tb := ""
	if r.cfg.Traceback != nil {
		tb = r.cfg.Traceback(err)
	} else {
		var ae *lua.ApiError
		if errors.As(err, &ae) {
			msg = strings.TrimRight(lua.LVAsString(ae.Object), "\n")
			if ae.Object == nil {
				msg = strings.TrimRight(ae.Error(), "\n")
			}
			tb = ae.StackTrace
		}
	}
	fmt.Fprintln(r.errw, r.errorPrefix()+what+msg)
	if r.trace && tb != "" {
		fmt.Fprintln(r.errw, strings.TrimRight(tb, "\n"))
	}
}

// runPlain reads statements from Stdin without prompts: lines accumulate
// until they form a complete chunk, which then runs (they are parsed only
// once nothing is left open, see nesting, so a long table costs one parse
// rather than one a line). A first line starting
// with # is skipped (a script's #! line). The first error ends the run.
func (r *REPL) runPlain(ctx context.Context) error {
	br := bufio.NewReader(r.cfg.Stdin)
	var buf []string
	start, lineNo := 1, 0
	nest := newNesting()
	for {
		line, rerr := br.ReadString('\n')
		if rerr != nil && rerr != io.EOF {
			return fmt.Errorf("reading stdin: %w", rerr)
		}
		eof := rerr == io.EOF
		if line == "" && eof {
			if len(buf) > 0 {
				err := fmt.Errorf("%s:%d: unexpected end of input", chunkName, lineNo)
				r.printError(err, "")
				return err
			}
			return nil
		}
		lineNo++
		line = strings.TrimRight(line, "\r\n")
		if lineNo == 1 && strings.HasPrefix(line, "#") {
			line = "" // a #! line; counted, so line numbers stay right
		}
		if len(buf) == 0 {
			if strings.TrimSpace(line) == "" {
				continue
			}
			start = lineNo
		}
		buf = append(buf, line)
		if nest.scan(line); nest.open() && !eof {
			continue // certainly unfinished: no need to parse it yet
		}
		text := strings.Join(buf, "\n")
		fn, err := compile(r.L, text, false, start)
		if errors.Is(err, errIncomplete) {
			continue // at end of input, the next read reports it
		}
		buf, nest = buf[:0], newNesting()
		if err != nil {
			r.printError(err, "")
			return err
		}
		if err := r.run(ctx, fn, strings.HasPrefix(text, "=")); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// runInteractive is the prompt with line editing.
func (r *REPL) runInteractive(ctx context.Context) error {
	rl, stdin, err := r.newReadline()
	if err != nil {
		return err
	}
	defer func() {
		// Instance.Close only closes readline's FillableStdin wrapper and
		// then waits for the terminal goroutine, which may be blocked
		// reading (a stale kick makes it read again after Ctrl-D): close
		// the cancelable reader under it first so that read returns.
		stdin.Close()
		rl.Close() // same goroutine as every Readline call
	}()
	hist := newHistory(r.cfg.HistoryFile, r.cfg.HistoryLimit)
	for _, h := range hist.load() {
		rl.SaveHistory(h)
	}

	var buf []string
	for {
		if ctx.Err() != nil {
			return nil
		}
		if len(buf) == 0 {
			rl.SetPrompt(Prompt)
		} else {
			rl.SetPrompt(ContinuePrompt)
		}
		line, err := rl.Readline()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			buf = buf[:0] // Ctrl-C: drop the statement being typed
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		if len(buf) == 0 {
			if strings.TrimSpace(line) == "" {
				continue
			}
			if cmd, ok := strings.CutPrefix(strings.TrimSpace(line), ":"); ok {
				hist.add(rl, line)
				if quit := r.command(cmd); quit {
					return nil
				}
				continue
			}
		}
		buf = append(buf, line)
		text := strings.Join(buf, "\n")
		fn, err := compile(r.L, text, true, 1)
		if errors.Is(err, errIncomplete) {
			continue
		}
		hist.add(rl, buf...)
		buf = buf[:0]
		if err != nil {
			r.printError(err, "")
			continue
		}
		var exit *ExitError
		if err := r.run(ctx, fn, true); errors.As(err, &exit) {
			return exit
		}
	}
}

// newReadline configures the line editor for Stdin and Stdout: raw mode
// and the screen width come from the terminal when Stdin is one, and
// nothing touches terminal modes otherwise (pipes in tests). It also
// returns the cancelable reader it put under the editor, which must be
// closed before the editor (see runInteractive).
func (r *REPL) newReadline() (*readline.Instance, io.Closer, error) {
	cfg := &readline.Config{
		Prompt:                 Prompt,
		Stdout:                 r.cfg.Stdout,
		Stderr:                 r.cfg.Stderr,
		AutoComplete:           &completer{r: r},
		DisableAutoSaveHistory: true, // history.add filters secrets
		HistoryLimit:           r.cfg.HistoryLimit,
		InterruptPrompt:        "^C",
		EOFPrompt:              "\n",
		ForceUseInteractive:    true,
		FuncIsTerminal:         func() bool { return true },
	}
	in := r.cfg.Stdin
	if f, ok := in.(*os.File); ok && readline.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		var saved *readline.State
		cfg.FuncMakeRaw = func() error {
			st, err := readline.MakeRaw(fd)
			if err == nil {
				saved = st
			}
			return err
		}
		cfg.FuncExitRaw = func() error {
			if saved == nil {
				return nil
			}
			st := saved
			saved = nil
			return readline.Restore(fd, st)
		}
		outFd := fd
		if of, ok := r.cfg.Stdout.(*os.File); ok && readline.IsTerminal(int(of.Fd())) {
			outFd = int(of.Fd())
		}
		cfg.FuncGetWidth = func() int {
			if w, _, err := readline.GetSize(outFd); err == nil && w > 0 {
				return w
			}
			return r.cfg.Width
		}
		if f == os.Stdin {
			cfg.FuncOnWidthChanged = readline.DefaultOnWidthChanged
		} else {
			cfg.FuncOnWidthChanged = func(func()) {}
		}
	} else {
		cfg.FuncMakeRaw = func() error { return nil }
		cfg.FuncExitRaw = func() error { return nil }
		cfg.FuncGetWidth = func() int { return r.cfg.Width }
		cfg.FuncOnWidthChanged = func(func()) {}
	}
	stdin := readline.NewCancelableStdin(in)
	cfg.Stdin = stdin
	rl, err := readline.NewEx(cfg)
	return rl, stdin, err
}

// command runs a REPL command (the text after ":") and reports whether
// the REPL should end.
func (r *REPL) command(cmd string) (quit bool) {
	name, arg, _ := strings.Cut(strings.TrimSpace(cmd), " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "q", "quit", "exit":
		return true
	case "h", "help", "?":
		io.WriteString(r.out, r.helpText())
	case "traceback", "tb":
		switch arg {
		case "", "on":
			r.trace = true
		case "off":
			r.trace = false
		default:
			fmt.Fprintf(r.errw, ":traceback takes on or off, not %q\n", arg)
			return false
		}
		fmt.Fprintf(r.out, "tracebacks %s\n", map[bool]string{true: "on", false: "off"}[r.trace])
	default:
		fmt.Fprintf(r.errw, "unknown command :%s (try :help)\n", name)
	}
	return false
}
