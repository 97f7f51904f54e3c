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
//	--volume C=DIR         map drive C: to directory DIR (repeatable; default C=.)
//	--config FILE          configuration file INIServe.INI / INIServe.TNI; a name
//	                       without .INI/.TNI is a stem chosen by the GenINI rules
//	                       (default INIServe, in the working directory)
//	-I, -T                 force the .INI or the .TNI configuration file
//	--password-file FILE   read the password from the first line of FILE (re-read
//	                       at every P); overrides $SYS Password
//	--timeout DURATION     idle timeout (e.g. 15m; 0 = none; default: $SYS TimeOut,
//	                       else 900 s)
//	--login-timeout D      close a session not logged in D after connecting
//	                       (default 60s; 0 = none)
//	--max-sessions N       concurrent sessions (default 256)
//	--read-only            refuse W, D, M, R and X
//	--event NAME=COMMAND   run COMMAND with /bin/sh -c when a client posts the
//	                       event semaphore NAME with E (repeatable)
//	--event-timeout D      how long an event command may run (default 10s)
//	--log-format text|json log line format on standard error (default text)
//
// It prints "iniserve: listening on ADDR" on standard output once it
// accepts sessions. SIGTERM and SIGINT shut it down gracefully (sessions
// finish their current command; after 30 s the rest are closed); SIGHUP
// reloads the configuration file. Exit status: 0 after a signal, 1 on a
// runtime error, 2 on bad flags.
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

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/os2path"
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

// run is main without the process: it parses args, serves until a
// terminating signal arrives on sig, and returns the exit status.
func run(args []string, stdout, stderr io.Writer, sig <-chan os.Signal) int {
	fs := flag.NewFlagSet("iniserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		volumes, events listFlag
		listen          = fs.String("listen", "", "`ADDR` to listen on (default: \":\" + $SYS ServerPort of the configuration file, else :3560)")
		config          = fs.String("config", "INIServe", "configuration `FILE`; without .INI/.TNI a stem chosen by the GenINI rules")
		forceINI        = fs.Bool("I", false, "use the .INI configuration file")
		forceTNI        = fs.Bool("T", false, "use the .TNI configuration file")
		pwFile          = fs.String("password-file", "", "read the password from the first line of `FILE` (re-read at every P)")
		timeout         = fs.Duration("timeout", 0, "idle `DURATION` before a session is closed (0 = none; default: $SYS TimeOut, else 900s)")
		loginTimeout    = fs.Duration("login-timeout", server.DefaultLoginTimeout, "close a session that has not logged in this long after connecting (0 = none)")
		maxSessions     = fs.Int("max-sessions", server.DefaultMaxSessions, "maximum concurrent sessions")
		readOnly        = fs.Bool("read-only", false, "refuse W, D, M, R and X")
		eventTimeout    = fs.Duration("event-timeout", server.DefaultEventTimeout, "how long an event command may run")
		logFormat       = fs.String("log-format", "text", "log format: text or json")
	)
	fs.Var(&volumes, "volume", "map a drive to a directory, `C=DIR` (repeatable; default C=.)")
	fs.Var(&events, "event", "run a shell command when a client posts an event semaphore, `NAME=COMMAND` (repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: iniserve [flags]\n\nServe OS/2 INI and TNI files over the INIServe protocol.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "iniserve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "iniserve: "+format+"\n", a...)
		return 2
	}

	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	default:
		return usage("--log-format must be text or json, not %q", *logFormat)
	}
	srv := &server.Server{
		Addr:         *listen,
		Volumes:      map[byte]string{},
		ConfigFile:   *config,
		PasswordFile: *pwFile,
		ReadOnly:     *readOnly,
		MaxSessions:  *maxSessions,
		LoginTimeout: *loginTimeout,
		Logger:       slog.New(handler),
	}
	switch {
	case *forceINI && *forceTNI:
		return usage("-I and -T exclude each other")
	case *forceINI:
		srv.ConfigFormat = ini.ForceINI
	case *forceTNI:
		srv.ConfigFormat = ini.ForceTNI
	}
	if *loginTimeout <= 0 {
		srv.LoginTimeout = -1 // none
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "timeout" {
			srv.IdleTimeout = *timeout
			if *timeout <= 0 {
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
		srv.Volumes[d] = dir
	}
	if len(events) > 0 {
		srv.Events = map[string]server.Event{}
		for _, e := range events {
			name, cmd, ok := strings.Cut(e, "=")
			if !ok || name == "" || cmd == "" {
				return usage("--event %q: want NAME=COMMAND", e)
			}
			srv.Events[name] = server.Event{Command: []string{"/bin/sh", "-c", cmd}, Timeout: *eventTimeout}
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
