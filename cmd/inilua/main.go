// Command inilua runs Lua scripts that read and change OS/2 INI and TNI
// files, locally or on INIServe hosts, with the ini and iniserve modules of
// package luaapi (docs/lua-api.md).
//
// Usage:
//
//	inilua [options] [script.lua [args...]]   run a script (like lua)
//	inilua [options]                          interactive REPL
//	inilua batch [flags] script.lua [name=value ...]
//	inilua restore --backup-dir DIR [flags]
//	inilua demo                               the batch runner on sample hosts
//	inilua diff [flags] OLD NEW               compare two files (docs/fleet.md)
//	inilua report merge OUT.json IN.json...   merge the reports of shards
//	inilua query [flags] FILE APP [KEY]       one setting on every host
//	inilua pull [flags] --to DIR MASK...      copy files of every host
//
// Options (before the script name):
//
//	-e CODE   run CODE first (may be repeated)
//	-i        enter the REPL after running the script
//	--check   dry run: record changes, write nothing (sessions in check mode,
//	          f:save() does not write)
//	--safe    safe mode for untrusted scripts (see docs/lua-api.md)
//	--script-timeout D
//	          limit for the -e chunks and the script together, Lua code,
//	          commands and long library calls included (default 10m; 0: no
//	          limit); then "inilua: script timed out after D", status 1.
//	          Not the REPL of -i.
//	--go-stack  add the Go stack to the traceback of an error raised by a
//	          Go panic (a bug of inilua: for bug reports)
//	-h        print the usage and exit
//	-v, --version  print the version (and gopher-lua's) and exit
//	--emit-types DIR  write LuaLS annotations and a .luarc.json into DIR, exit
//	--        end of options
//	-         read the script from standard input
//
// The script receives its arguments in the global arg and as "...": as in
// lua, arg[0] is the script name, arg[1..n] its arguments and arg[-1],
// arg[-2] ... the options before it and the command's name (without a
// script, arg[0] is the command's name). Syntax errors read
// "file:LINE: message near 'token'". Exit status: 0 on success, the code given to os.exit,
// 1 when the script fails (the error and a traceback go to stderr) or the
// command line is wrong.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/cmd/internal/cliflag"
	"github.com/inilua/inilua/internal/version"
	"github.com/inilua/inilua/luaapi/luals"
)

// env is what a run of inilua works with, so tests can replace the
// process's streams.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	prog   string // the command's name, arg[-n] of scripts; "": "inilua"
}

// cliOptions are the options of a script or REPL run (not batch/restore).
type cliOptions struct {
	exec        []string // -e chunks, in order
	interactive bool     // -i
	check       bool     // --check
	safe        bool     // --safe
	emitTypes   string   // --emit-types DIR; "" when not given
	// scriptTimeout is --script-timeout: the deadline of the -e chunks and
	// the script together (not the REPL after them); 0 means no limit.
	scriptTimeout time.Duration
	goStack       bool     // --go-stack
	script        string   // "" when none; "-" for stdin
	args          []string // script arguments
	// scriptAt is the index of the script in the command line (args of
	// run, 0-based) plus one, 0 when there is none: the lua interpreter's
	// arg table numbers the command line from there (see newRuntime).
	scriptAt int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, prog: os.Args[0]})
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the exit status: batch and
// restore subcommands (batch.go), the REPL when there is no script or with
// -i (repl.go), scripts (script.go).
func run(ctx context.Context, args []string, e env) int {
	if len(args) > 0 {
		switch args[0] {
		case "batch":
			return runBatch(ctx, args[1:], e)
		case "restore":
			return runRestore(ctx, args[1:], e)
		case "demo":
			return runDemo(ctx, args[1:], e)
		case "diff":
			return runDiff(ctx, args[1:], e)
		case "report":
			return runReport(ctx, args[1:], e)
		case "query":
			return runQuery(ctx, args[1:], e)
		case "pull":
			return runPull(ctx, args[1:], e)
		case "completion":
			return runCompletion(args[1:], e)
		}
	}
	o, err := parseArgs(args)
	switch {
	case errors.Is(err, errHelp):
		fs := scriptFlags()
		fs.SetOutput(e.stdout)
		fs.Usage()
		fmt.Fprint(e.stdout, usageTail)
		return 0
	case err == nil && o.emitTypes != "":
		paths, err := luals.Write(o.emitTypes)
		for _, p := range paths {
			fmt.Fprintf(e.stdout, "wrote %s\n", p)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "inilua: --emit-types: %v\n", err)
			return 1
		}
		return 0
	case errors.Is(err, errVersion):
		fmt.Fprintf(e.stdout, "inilua %s (%s, gopher-lua)\n", version.Get(), lua.LuaVersion)
		return 0
	case err != nil:
		fmt.Fprintf(e.stderr, "inilua: %v\n", err)
		fmt.Fprintln(e.stderr, "usage: inilua [-e CODE] [-i] [--check] [--safe] [script.lua [args...]]; run 'inilua -h' for the options")
		return 1
	}
	if o.script == "" && len(o.exec) == 0 {
		return runREPL(ctx, o, args, nil, e)
	}
	return runScript(ctx, o, args, e)
}

// scriptFlags returns the options of a script or REPL run as a flag set,
// for the usage text (and man pages, completion). They are parsed by
// parseArgs, the way lua parses them, not by this flag set.
func scriptFlags() *flag.FlagSet {
	fs := cliflag.New("inilua", usageHead)
	fs.Func("e", "run `CODE` first (may be repeated)", func(string) error { return nil })
	fs.Bool("i", false, "enter the REPL after running the script")
	fs.Bool("check", false, "dry run: record changes, write nothing (sessions in check mode, f:save() does not write)")
	fs.Bool("safe", false, "safe mode for untrusted scripts (docs/lua-api.md)")
	fs.Bool("go-stack", false, "add the Go stack to the traceback of an error raised by a Go panic (a bug: for bug reports)")
	fs.Bool("version", false, "print the version (also -v, as lua) and exit")
	fs.String("emit-types", "", "write LuaLS annotations of the Lua API and a .luarc.json into `DIR` and exit (docs/lua-api.md, Editor support)")
	fs.Duration("script-timeout", batch.DefaultScriptTimeout, "limit `D` for the -e chunks and the script together: Lua code, the commands it sends, long library calls (then 'script timed out after D', status 1); not the REPL of -i; each command to a host also has iniserve.connect's timeout (10s to connect, 30s per command); 0: no limit")
	return fs
}

// usageHead and usageTail surround the options in inilua -h.
const (
	usageHead = `usage:
  inilua [options] [script.lua [args...]]   run a script (like lua)
  inilua [options]                          interactive REPL (docs/repl.md)
  inilua batch [flags] script.lua [name=value ...]   run on many hosts (-h for its flags)
  inilua restore --backup-dir DIR [flags]   put backed-up files back
  inilua demo                               the batch runner on sample hosts
  inilua diff [flags] OLD NEW               compare two files, local or remote (docs/fleet.md)
  inilua report merge OUT.json IN.json...   merge the reports of shards (--shard)
  inilua query [flags] FILE APP [KEY]       one setting on every host, grouped by value
  inilua pull [flags] --to DIR MASK...      copy files of every host into DIR/<host>/<path>
  inilua completion bash|zsh                shell completion (source <(inilua completion bash))

Options (before the script name; -h this help, -- ends the options,
- reads the script from standard input):
`
	usageTail = `
The script gets its arguments in arg (arg[0] is the script) and as "...".
Exit status: 0, the code given to os.exit, or 1 when the script fails.
`
)

// errHelp is returned by parseArgs for -h, -help and --help.
var errHelp = errors.New("help requested")

// errVersion is returned by parseArgs for -v and --version.
var errVersion = errors.New("version requested")

// parseArgs parses the options before the script name, the way lua does:
// the first argument that is not an option is the script, everything after
// it belongs to the script.
func parseArgs(args []string) (cliOptions, error) {
	o := cliOptions{scriptTimeout: batch.DefaultScriptTimeout}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				o.script, o.args, o.scriptAt = args[i+1], args[i+2:], i+2
			}
			return o, nil
		case a == "-":
			o.script, o.args, o.scriptAt = a, args[i+1:], i+1
			return o, nil
		case a == "-e":
			if i+1 >= len(args) {
				return o, fmt.Errorf("-e needs an argument")
			}
			i++
			o.exec = append(o.exec, args[i])
		case strings.HasPrefix(a, "-e"):
			o.exec = append(o.exec, a[2:])
		case a == "-h" || a == "-help" || a == "--help":
			return o, errHelp
		case a == "-v" || a == "--version":
			return o, errVersion
		case a == "--emit-types" || a == "-emit-types":
			if i+1 >= len(args) || args[i+1] == "" {
				return o, fmt.Errorf("--emit-types needs a directory")
			}
			i++
			o.emitTypes = args[i]
		case strings.HasPrefix(a, "--emit-types=") || strings.HasPrefix(a, "-emit-types="):
			_, o.emitTypes, _ = strings.Cut(a, "=")
			if o.emitTypes == "" {
				return o, fmt.Errorf("--emit-types needs a directory")
			}
		case a == "-i":
			o.interactive = true
		case a == "--check":
			o.check = true
		case a == "--safe":
			o.safe = true
		case a == "--script-timeout" || strings.HasPrefix(a, "--script-timeout="):
			v, ok := strings.CutPrefix(a, "--script-timeout=")
			if !ok {
				if i+1 >= len(args) {
					return o, fmt.Errorf("--script-timeout needs a value")
				}
				i++
				v = args[i]
			}
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return o, fmt.Errorf("--script-timeout: %q is not a duration of 0 or more (e.g. 30s, 5m, 0 for no limit)", v)
			}
			o.scriptTimeout = d
		case a == "--go-stack":
			o.goStack = true
		case strings.HasPrefix(a, "-"):
			return o, fmt.Errorf("unknown option %s", a)
		default:
			o.script, o.args, o.scriptAt = a, args[i+1:], i+1
			return o, nil
		}
	}
	return o, nil
}
