// Package cliflag is the command-line layer shared by the programs in cmd/
// (iniserve, inilua and its subcommands, dumpini, loadini). Flags are
// defined with the standard flag package, so every spelling it accepts
// keeps working (-backup-dir, --backup-dir, --backup-dir=DIR); this
// package adds what the flag package does differently from the README:
//
//   - PrintFlags lists flags as the README writes them: names of two or
//     more letters with two dashes (--backup-dir DIR), one-letter names
//     with one (-o FILE).
//   - Parse turns the flag package's errors into one line naming the flag
//     in that spelling (--max-fail: "abc" is not N or P%) and prints
//     nothing itself; Refuse prints that line and a hint to run -h, never
//     the whole usage.
//   - -h, -help and --help print the usage on standard output (status 0
//     is the caller's choice).
//
// Each program has one function that builds its *flag.FlagSet (with New),
// so other tools (man pages, shell completion) can walk the same
// definitions with VisitAll.
package cliflag

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// ErrHelp is returned by Parse when the command line asked for help
// (-h, -help, --help); the usage has then been printed.
var ErrHelp = flag.ErrHelp

// New returns a flag set for the program name (as it appears in
// messages: "inilua batch") that does not print on errors and whose Usage
// writes synopsis (the text before the flag list; it should end with a
// newline) and then PrintFlags to the flag set's output.
func New(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), synopsis)
		PrintFlags(fs.Output(), fs)
	}
	return fs
}

// Dashed returns the flag name as the README spells it: "--name" for a
// name of two or more characters, "-n" for a one-letter name.
func Dashed(name string) string {
	if len([]rune(name)) == 1 {
		return "-" + name
	}
	return "--" + name
}

// PrintFlags writes the flags of fs to w in lexical order, each as
//
//	--name VALUE
//	  	usage text (default D)
//
// with VALUE taken from a back-quoted word of the usage text as
// flag.UnquoteUsage does, and the default shown unless it is the zero
// value ("", "0", "false").
func PrintFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		var b strings.Builder
		fmt.Fprintf(&b, "  %s", Dashed(f.Name))
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			b.WriteString(" " + name)
		}
		b.WriteString("\n    \t")
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch f.DefValue {
		case "", "0", "false", "0s", "[]":
		default:
			if g, ok := f.Value.(flag.Getter); ok && isString(g.Get()) {
				fmt.Fprintf(&b, " (default %q)", f.DefValue)
			} else {
				fmt.Fprintf(&b, " (default %v)", f.DefValue)
			}
		}
		fmt.Fprintln(w, b.String())
	})
}

func isString(v any) bool { _, ok := v.(string); return ok }

// Parse parses args with fs. For -h, -help or --help it writes fs.Usage to
// stdout and returns ErrHelp. Any other error is returned as one line that
// names the flag as Dashed spells it:
//
//	unknown flag --nope
//	--forks needs a value
//	--timeout: "abc" is not a duration (e.g. 30s, 5m, 1h)
//	--max-fail: "abc" is not N or P%      (the Value's own Set error)
func Parse(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		fs.SetOutput(out)
		return ErrHelp
	}
	if err != nil {
		return errors.New(rewrite(fs, err.Error()))
	}
	return nil
}

var (
	invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for (?:flag )?-([^ ]+): (.*)$`)
	notDefined   = "flag provided but not defined: -"
	needsArg     = "flag needs an argument: -"
)

// rewrite turns one error message of the flag package into our wording.
func rewrite(fs *flag.FlagSet, msg string) string {
	if name, ok := strings.CutPrefix(msg, notDefined); ok {
		return "unknown flag " + Dashed(name)
	}
	if name, ok := strings.CutPrefix(msg, needsArg); ok {
		return Dashed(name) + " needs a value"
	}
	m := invalidValue.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	value, name, why := m[1], m[2], m[3]
	switch why {
	case "parse error":
		why = value + " is not " + kind(fs.Lookup(name))
	case "value out of range":
		why = value + " is out of range"
	}
	return Dashed(name) + ": " + why
}

// kind says what a flag's value must be, for "is not ..." messages.
func kind(f *flag.Flag) string {
	if f == nil {
		return "valid"
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return "valid"
	}
	switch g.Get().(type) {
	case time.Duration:
		return "a duration (e.g. 30s, 5m, 1h)"
	case bool:
		return "true or false"
	case int, int64:
		return "a whole number"
	case uint, uint64:
		return "a whole number of 0 or more"
	case float64:
		return "a number"
	}
	return "valid"
}

// Refuse writes a usage error to w as two lines and returns exitStatus:
//
//	NAME: ERR
//	run 'NAME -h' for the flags
//
// where NAME is the flag set's name ("inilua batch").
func Refuse(w io.Writer, fs *flag.FlagSet, err error, exitStatus int) int {
	fmt.Fprintf(w, "%s: %v\n", fs.Name(), err)
	fmt.Fprintf(w, "run '%s -h' for the flags\n", fs.Name())
	return exitStatus
}

// IsSet reports whether the flag name was given on the command line (as
// opposed to keeping its default), by flag.FlagSet.Visit.
func IsSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
