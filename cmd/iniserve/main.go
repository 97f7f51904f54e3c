// Command iniserve is an INIServe-compatible server: it serves OS/2 INI and
// TNI files in host directories, mapped to drive letters, over the INIServe
// protocol (TCP port 3560). See package server for the behaviour.
//
// Usage:
//
//	iniserve [flags]
//
// Flags:
//
//	--listen ADDR          address to listen on (default: ":" + $SYS ServerPort of
//	                       the configuration file, else :3560)
//	--volume C=DIR         map drive C: to the existing directory DIR (repeatable;
//	                       default C=.)
//	--config FILE          configuration file INIServe.INI / INIServe.TNI; a name
//	                       without .INI/.TNI is a stem chosen by the GenINI rules
//	                       (default INIServe, in the working directory); when
//	                       there is none the defaults apply (with a warning for
//	                       a FILE named here)
//	-I, -T                 force the .INI or the .TNI configuration file
//	--password-file FILE   read the password from the first line of FILE (re-read
//	                       at every P); overrides $SYS Password
//	--timeout DURATION     idle timeout (e.g. 15m; 0 = none; default: $SYS TimeOut,
//	                       else 900 s)
//	--login-timeout D      close a session not logged in D after connecting
//	                       (default 60s; 0 = none)
//	--max-sessions N       concurrent sessions (default 256)
//	--max-prelogin N       sessions not logged in yet from one IP address
//	                       (default 32; more are refused)
//	--max-long-lines N     sessions holding a command line over 64 KiB at once
//	                       (a W of a value over 32 KiB); others wait (default 4)
//	--read-only            refuse W, D, M, R and X
//	--event NAME=COMMAND   run COMMAND with /bin/sh -c when a client posts the
//	                       event semaphore NAME with E (repeatable)
//	--event-timeout D      how long an event command may run (default 10s; > 0)
//	--log-format text|json log line format on standard error (default text)
//	--version              print the version and exit
//
// It prints "iniserve: listening on ADDR" on standard output once it
// accepts sessions. SIGTERM and SIGINT shut it down gracefully (sessions
// finish their current command; after 30 s the rest are closed); SIGHUP
// reloads the configuration file. Exit status: 0 after a signal, 1 when it
// cannot start or fails while serving. Every mistake in the command line is
// refused before the server starts, with one line naming the flag (an
// unparsable or negative duration, an unreadable --password-file, a
// --volume directory that does not exist) and a hint to run -h.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/inilua/inilua/cmd/internal/cliflag"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/os2path"
	"github.com/inilua/inilua/internal/version"
	"github.com/inilua/inilua/server"
)

func main() {
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, sig))
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// shutdownGrace is how long a shutdown waits for sessions.
const shutdownGrace = 30 * time.Second

// config is what the flags of iniserve set.
type config struct {
	volumes, events listFlag
	listen          string
	configFile      string
	forceINI        bool
	forceTNI        bool
	pwFile          string
	timeout         time.Duration
	loginTimeout    time.Duration
	maxSessions     int
	maxLongLines    int
	maxPreLogin     int
	readOnly        bool
	eventTimeout    time.Duration
	logFormat       string
	version         bool
}

const synopsis = `usage: iniserve [flags]

Serves OS/2 INI and TNI files in host directories (volumes, mapped to drive
letters) over the INIServe protocol. Prints "iniserve: listening on ADDR"
once it accepts sessions. SIGHUP reloads the configuration file; SIGTERM
and SIGINT shut down gracefully. Exit status: 0 after a signal, 1 when it
cannot start (a bad flag, an unreadable --password-file, a volume directory
that does not exist, the address in use) or fails while serving.

flags:
`

// flags builds the flag set of iniserve, bound to c.
func flags(c *config) *flag.FlagSet {
	fs := cliflag.New("iniserve", synopsis)
	fs.StringVar(&c.listen, "listen", "", "`ADDR` to listen on (default: \":\" + $SYS ServerPort of the configuration file, else :3560)")
	fs.StringVar(&c.configFile, "config", "INIServe", "configuration `FILE`; without .INI/.TNI a stem chosen by the GenINI rules")
	fs.BoolVar(&c.forceINI, "I", false, "use the .INI configuration file")
	fs.BoolVar(&c.forceTNI, "T", false, "use the .TNI configuration file")
	fs.StringVar(&c.pwFile, "password-file", "", "read the password from the first line of `FILE` (re-read at every P); must be readable at startup")
	fs.DurationVar(&c.timeout, "timeout", 0, "idle `DURATION` before a session is closed (0 = none; default: $SYS TimeOut, else 900s)")
	fs.DurationVar(&c.loginTimeout, "login-timeout", server.DefaultLoginTimeout, "close a session that has not logged in this `DURATION` after connecting (0 = none)")
	fs.IntVar(&c.maxSessions, "max-sessions", server.DefaultMaxSessions, "maximum concurrent sessions")
	fs.IntVar(&c.maxPreLogin, "max-prelogin", server.DefaultMaxPreLoginPerAddress, "maximum sessions not logged in yet from one IP address; a further connection from it gets '-Too many sessions from this address'")
	fs.IntVar(&c.maxLongLines, "max-long-lines", server.DefaultMaxLongLines, "maximum sessions holding a command line over 64 KiB (a W of a value over 32 KiB) at once, each up to about 3x 16 MiB of memory; a further one waits for one to finish")
	fs.BoolVar(&c.readOnly, "read-only", false, "refuse W, D, M, R and X")
	fs.DurationVar(&c.eventTimeout, "event-timeout", server.DefaultEventTimeout, "how long (`DURATION`) an event command may run")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.Var(&c.volumes, "volume", "map a drive to an existing directory, `C=DIR` (repeatable; default C=.)")
	fs.Var(&c.events, "event", "run a shell command when a client posts an event semaphore, `NAME=COMMAND` (repeatable)")
	return fs
}

// run is main without the process: it parses args, serves until a
// terminating signal arrives on sig, and returns the exit status.
func run(args []string, stdout, stderr io.Writer, sig <-chan os.Signal) int {
	var c config
	fs := flags(&c)
	usage := func(format string, a ...any) int {
		return cliflag.Refuse(stderr, fs, fmt.Errorf(format, a...), 1)
	}
	if err := cliflag.Parse(fs, args, stdout); err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return 0
		}
		return usage("%v", err)
	}
	if c.version {
		fmt.Fprintf(stdout, "iniserve %s\n", version.Get())
		return 0
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	volumes, events := c.volumes, c.events
	for _, d := range []struct {
		name     string
		v        time.Duration
		positive bool
	}{{"timeout", c.timeout, false}, {"login-timeout", c.loginTimeout, false}, {"event-timeout", c.eventTimeout, true}} {
		switch {
		case d.v < 0:
			return usage("--%s: %v is negative (0 = none)", d.name, d.v)
		case d.positive && d.v == 0:
			return usage("--%s: must be more than 0", d.name)
		}
	}
	if c.maxSessions < 1 {
		return usage("--max-sessions: %d is not at least 1", c.maxSessions)
	}
	if c.maxPreLogin < 1 {
		return usage("--max-prelogin: %d is not at least 1", c.maxPreLogin)
	}
	if c.maxLongLines < 1 {
		return usage("--max-long-lines: %d is not at least 1", c.maxLongLines)
	}
	if c.pwFile != "" {
		// read, not just opened: a directory opens, and every P would
		// then fail with "Password not available"
		if _, err := os.ReadFile(c.pwFile); err != nil {
			return usage("--password-file: %v", err)
		}
	}

	var handler slog.Handler
	switch c.logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	default:
		return usage("--log-format: %q is not text or json", c.logFormat)
	}
	srv := &server.Server{
		Addr:                  c.listen,
		Volumes:               map[byte]string{},
		ConfigFile:            c.configFile,
		ConfigNamed:           cliflag.IsSet(fs, "config"), // warn if it is missing
		PasswordFile:          c.pwFile,
		ReadOnly:              c.readOnly,
		MaxSessions:           c.maxSessions,
		MaxLongLines:          c.maxLongLines,
		MaxPreLoginPerAddress: c.maxPreLogin,
		LoginTimeout:          c.loginTimeout,
		Logger:                slog.New(handler),
	}
	switch {
	case c.forceINI && c.forceTNI:
		return usage("-I and -T exclude each other")
	case c.forceINI:
		srv.ConfigFormat = ini.ForceINI
	case c.forceTNI:
		srv.ConfigFormat = ini.ForceTNI
	}
	if c.loginTimeout <= 0 {
		srv.LoginTimeout = -1 // none
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "timeout" {
			srv.IdleTimeout = c.timeout
			if c.timeout <= 0 {
				srv.IdleTimeout = -1 // none
			}
		}
	})
	if len(volumes) == 0 {
		volumes = listFlag{"C=."}
	}
	for _, v := range volumes {
		letter, dir, ok := strings.Cut(v, "=")
		if !ok || len(letter) != 1 || dir == "" || !os2path.IsLetter(letter[0]) {
			return usage("--volume %q: want a drive letter, '=' and a directory, e.g. C=/srv/os2/c", v)
		}
		d := os2path.Upper(letter[0])
		if _, dup := srv.Volumes[d]; dup {
			return usage("--volume %q: drive %c given twice", v, d)
		}
		if fi, err := os.Stat(dir); err != nil {
			return usage("--volume %q: %v", v, err)
		} else if !fi.IsDir() {
			return usage("--volume %q: %s is not a directory", v, dir)
		}
		srv.Volumes[d] = dir
	}
	if len(events) > 0 {
		srv.Events = map[string]server.Event{}
		for _, e := range events {
			name, cmd, ok := strings.Cut(e, "=")
			if !ok || name == "" || cmd == "" {
				return usage("--event %q: want NAME=COMMAND", e)
			}
			srv.Events[name] = server.Event{Command: []string{"/bin/sh", "-c", cmd}, Timeout: c.eventTimeout}
		}
	}

	l, err := srv.Listen()
	if err != nil {
		fmt.Fprintf(stderr, "iniserve: %v\n", err)
		return 1
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	fmt.Fprintf(stdout, "iniserve: listening on %s\n", l.Addr())
	for {
		select {
		case err := <-served:
			if errors.Is(err, server.ErrServerClosed) {
				return 0
			}
			fmt.Fprintf(stderr, "iniserve: %v\n", err)
			return 1
		case s := <-sig:
			if s == syscall.SIGHUP {
				srv.Reload() // logs its own failure
				continue
			}
			srv.Logger.Info("shutting down", "signal", s.String())
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			err := srv.Shutdown(ctx)
			cancel()
			<-served
			if err != nil {
				fmt.Fprintf(stderr, "iniserve: shutdown: %v\n", err)
			}
			return 0
		}
	}
}
