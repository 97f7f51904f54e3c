// Package iniconv implements the dumpini and loadini commands (binary OS/2
// INI to TNI and back) so that both programs and their tests share one
// implementation. The programs in cmd/dumpini and cmd/loadini only call
// Dumpini and Loadini.
//
// Argument conventions follow GenINI's DumpINI and LoadINI (spec
// ini-formats.md §4.8, §4.9, §5.1):
//
//   - NAME may be given with or without extension. Without one, NAME.INI
//     (dumpini) or NAME.TNI (loadini) is used. On a case-sensitive file
//     system, when no file has exactly that name, the file name is matched
//     case-insensitively as on OS/2 (NAME.ini is found, and "prog.INI"
//     finds Prog.ini).
//   - Without NAME, the first file in the current directory whose extension
//     is .INI (dumpini) or .TNI (loadini), in any case, sorted by name (byte
//     order), is converted.
//   - The output is the input with its extension replaced by .TNI or .INI,
//     in lower case when the input's extension is all lower case; -o FILE
//     names another output, and -o - writes it to standard output (then
//     no .BAK is made; loadini prints its summary on stderr, and --merge
//     and --in-place are refused). An existing output file is kept as
//     OUTPUT.BAK (OUTPUT plus ".BAK"; an older .BAK is replaced); the new
//     file is written atomically (ini.WriteFile), or with --in-place into
//     the existing file (not atomic: a failed write puts the old content
//     back, a crash can leave a mix; for a file that cannot be renamed
//     over, such as one bind-mounted alone into a container).
//   - dumpini uses the format file NAME.FMT next to the input (any case of
//     the extension) when it exists, or the file given with -fmt. FMT codes
//     that would lose data are not applied (spec §5.4); each is noted on
//     stderr ("dumpini: note: NAME.INI: ...") and the status stays 0.
//   - loadini replaces the output by default: it then holds exactly the
//     TNI file's applications and keys. --merge keeps those of the existing
//     output that the TNI file lacks (a key of the TNI file replaces the
//     same key in place; new ones go after), as the old LOADINI did. Either
//     way loadini prints one line on stdout, "loadini: OUT: applications: N
//     added, N changed, N removed; keys: N added, N changed, N removed"
//     (the existing output against the new one; -q: nothing).
//   - Items the binary format cannot hold (names over 65534 bytes, values
//     over 65535, spec §2.5) are all listed on stderr, one "loadini:
//     NAME.TNI: cannot write ..." line each (up to ini.MaxBinaryErrors, the
//     rest counted; a single one is the final error line), and nothing is
//     written. Likewise dumpini lists the names TNI cannot hold, one
//     "dumpini: NAME.INI: cannot write ..." (or, with
//     --skip-unrepresentable, "left out ...") line each.
//   - Every message quotes a name with Go escapes, and a name over 64
//     bytes only by its first 64 and its length ("aaa..."... (65000
//     bytes)), so that a long name cannot flood the terminal.
//   - What the reader tolerates but the reference would read differently
//     (a TNI line over 512 bytes, spec §3.1; a binary header length unlike
//     the file size, two length copies disagreeing, spec §2.7) is reported
//     as "NAME: warning: FILE:LINE: ..." on stderr; the conversion goes on.
//   - Unlike GenINI (spec §4.9), an application without keys is kept in both
//     directions, and every value is copied exactly; what a format cannot
//     hold is an error, never dropped silently (names TNI cannot carry,
//     §3.7; values over 65535 bytes in binary INI, §2.5).
//
// Exit status: 0 success, 1 failure (one line "dumpini: ..." on stderr, plus
// one line per name that TNI cannot hold), 2 bad usage, 3 (dumpini
// --skip-unrepresentable) the TNI file was written without the names listed
// on stderr.
package iniconv

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/inilua/inilua/cmd/internal/cliflag"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/plural"
	"github.com/inilua/inilua/internal/version"
)

// Exit statuses of both commands.
const (
	ExitOK      = 0 // converted
	ExitFailure = 1 // nothing written (or the write failed and the old file is intact)
	ExitUsage   = 2 // bad flags or arguments
	ExitSkipped = 3 // dumpini --skip-unrepresentable left names out
)

// command is what differs between dumpini and loadini.
type command struct {
	name    string     // "dumpini"
	inExt   string     // ".INI"
	outExt  string     // ".TNI"
	inFmt   ini.Format // format of the input
	outFmt  ini.Format // format of the output
	summary string     // one-line description for -help
}

var (
	dumpCmd = command{"dumpini", ".INI", ".TNI", ini.FormatINI, ini.FormatTNI,
		"convert a binary OS/2 INI file to a TNI text file"}
	loadCmd = command{"loadini", ".TNI", ".INI", ini.FormatTNI, ini.FormatINI,
		"convert a TNI text file to a binary OS/2 INI file"}
)

// Dumpini runs the dumpini command with args (the arguments after the
// program name) in the current directory, writing messages to stdout (only
// -help and --version) and stderr, and returns the exit status (ExitOK,
// ExitFailure, ExitUsage or ExitSkipped).
//
//	dumpini [--fmt FILE] [-o FILE] [--skip-unrepresentable] [NAME]
func Dumpini(args []string, stdout, stderr io.Writer) int {
	return dumpCmd.run(args, stdout, stderr)
}

// Loadini runs the loadini command with args (the arguments after the
// program name) in the current directory, writing messages to stdout (only
// -help and --version) and stderr, and returns the exit status (ExitOK,
// ExitFailure or ExitUsage).
//
//	loadini [-o FILE] [NAME]
func Loadini(args []string, stdout, stderr io.Writer) int {
	return loadCmd.run(args, stdout, stderr)
}

// DumpiniFlags returns the flag set of dumpini (for documentation and
// completion; Dumpini builds its own).
func DumpiniFlags() *flag.FlagSet { return dumpCmd.flags(new(job)) }

// LoadiniFlags returns the flag set of loadini (for documentation and
// completion; Loadini builds its own).
func LoadiniFlags() *flag.FlagSet { return loadCmd.flags(new(job)) }

// flags builds the command's flag set, bound to the fields of j.
func (c command) flags(j *job) *flag.FlagSet {
	var head strings.Builder
	flags := "[-q] [--merge] [-o FILE] [--in-place] [NAME]"
	if c.outFmt == ini.FormatTNI {
		flags = "[--fmt FILE] [-o FILE] [--skip-unrepresentable] [--in-place] [NAME]"
	}
	fmt.Fprintf(&head, "usage: %s %s\n\n%s: %s.\n\n", c.name, flags, c.name, c.summary)
	fmt.Fprintf(&head, "NAME is the input, with or without its %s extension; without NAME the\n"+
		"first *%s file of the current directory (any case, sorted by name) is used.\n"+
		"The output is NAME%s; an existing output is kept as NAME%s.BAK.\n", c.inExt, c.inExt, c.outExt, c.outExt)
	if c.outFmt == ini.FormatTNI {
		fmt.Fprintf(&head, "The format file NAME.FMT is used when it exists.\n")
	}
	fmt.Fprintf(&head, "Exit status: 0 done, 1 failed (nothing written), 2 usage error")
	if c.outFmt == ini.FormatTNI {
		fmt.Fprintf(&head, ", 3 written\nwithout the names listed on stderr (--skip-unrepresentable)")
	}
	fmt.Fprintf(&head, ".\n\nFlags:\n")
	fs := cliflag.New(c.name, head.String())
	fs.StringVar(&j.out, "o", "", "write the output to `FILE` instead of NAME"+c.outExt+" (- for standard output)")
	fs.BoolVar(&j.inPlace, "in-place", false,
		"overwrite the existing output file in place instead of replacing it\n(not atomic: a failed write puts the old content back, a crash can mix\nthem; for a file bind-mounted alone into a container)")
	if c.outFmt == ini.FormatINI {
		fs.BoolVar(&j.quiet, "q", false, "do not print what changed in the output file")
		fs.BoolVar(&j.merge, "merge", false,
			"keep the applications and keys of the existing output file that the TNI file lacks\n(the old LOADINI behaviour; default: the output holds exactly the TNI file)")
	}
	if c.outFmt == ini.FormatTNI {
		fs.StringVar(&j.fmt, "fmt", "", "use the format file `FILE` (GenINI FMT codes) instead of NAME.FMT")
		fs.BoolVar(&j.skip, "skip-unrepresentable", false,
			"write the TNI file without the applications and keys TNI cannot hold,\nlist them on stderr and exit with status 3")
	}
	fs.BoolVar(&j.version, "version", false, "print the version and exit")
	return fs
}

func (c command) run(args []string, stdout, stderr io.Writer) int {
	job := job{cmd: c}
	fs := c.flags(&job)
	if err := cliflag.Parse(fs, args, stdout); err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return ExitOK
		}
		return cliflag.Refuse(stderr, fs, err, ExitUsage)
	}
	if job.version {
		fmt.Fprintf(stdout, "%s %s\n", c.name, version.Get())
		return ExitOK
	}
	if fs.NArg() > 1 {
		return cliflag.Refuse(stderr, fs, fmt.Errorf("too many arguments: %s (flags go before NAME)", strings.Join(fs.Args(), " ")), ExitUsage)
	}
	if fs.NArg() == 1 {
		job.name = fs.Arg(0)
	}
	status, err := job.do(stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", c.name, err)
	}
	return status
}

// job is one conversion.
type job struct {
	cmd  command
	name string // NAME argument; "" for the first file in the directory
	out  string // -o
	fmt  string // -fmt
	skip bool   // --skip-unrepresentable
	// loadini: -q, --merge
	quiet, merge bool
	// --in-place
	inPlace bool
	version bool // --version
}

// do converts and returns the exit status. A non-nil error is printed as the
// final one-line message; other lines (left-out names) are written to
// stderr directly.
func (j job) do(stdout, stderr io.Writer) (int, error) {
	in, err := j.input()
	if err != nil {
		return ExitFailure, err
	}
	out := j.out
	if out == "" {
		out = replaceExt(in, j.cmd.outExt)
	}
	toStdout := out == stdoutName
	if toStdout && j.inPlace {
		return ExitUsage, fmt.Errorf("--in-place and -o - (standard output) do not go together")
	}
	if toStdout && j.merge {
		return ExitUsage, fmt.Errorf("--merge needs an output file to merge into, not -o - (standard output)")
	}
	if same, err := samePath(in, out); err != nil && !toStdout {
		return ExitFailure, err
	} else if same && !toStdout {
		if j.out != "" {
			return ExitFailure, fmt.Errorf("%s: the output %s is the input file: give -o another name", in, j.out)
		}
		return ExitFailure, fmt.Errorf("%s: the output would overwrite the input (use -o)", in)
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return ExitFailure, err
	}
	f, err := ini.ParseWarn(in, data, j.cmd.inFmt, func(e *ini.FormatError) {
		fmt.Fprintf(stderr, "%s: warning: %v\n", j.cmd.name, e)
	})
	if err != nil {
		return ExitFailure, err
	}
	if j.cmd.outFmt == ini.FormatINI {
		return j.load(f, in, out, stdout, stderr)
	}

	ff, err := j.formatFile(in)
	if err != nil {
		return ExitFailure, err
	}
	report, err := saveTNI(f, out, ff, j.skip, j.inPlace, stdout)
	if err != nil {
		var ue *ini.UnrepresentableError
		if errors.As(err, &ue) {
			for _, n := range ue.Items {
				fmt.Fprintf(stderr, "%s: %s: cannot write %s\n", j.cmd.name, in, n)
			}
			return ExitFailure, fmt.Errorf("%s: %d %s cannot be written as TNI; nothing written (--skip-unrepresentable writes the rest)",
				in, len(ue.Items), plural.Noun(len(ue.Items), "name"))
		}
		return ExitFailure, err
	}
	for _, n := range report.Notes {
		fmt.Fprintf(stderr, "%s: note: %s: %s\n", j.cmd.name, in, n)
	}
	if len(report.Skipped) > 0 {
		for _, n := range report.Skipped {
			fmt.Fprintf(stderr, "%s: %s: left out %s\n", j.cmd.name, in, n)
		}
		return ExitSkipped, fmt.Errorf("%s written without %d %s", outName(out), len(report.Skipped), plural.Noun(len(report.Skipped), "name"))
	}
	return ExitOK, nil
}

// load writes f (read from the TNI file in) as the binary INI file out,
// merged into the existing out with --merge, and prints what changed
// unless -q.
func (j job) load(f *ini.File, in, out string, stdout, stderr io.Writer) (int, error) {
	var old *ini.File
	var err error
	if out != stdoutName {
		old, err = readOld(out, stderr, j.cmd.name)
	}
	if err != nil && j.merge {
		return ExitFailure, fmt.Errorf("%w (--merge needs the existing file)", err)
	}
	if j.merge && old != nil {
		if f, err = merge(old, f); err != nil {
			return ExitFailure, fmt.Errorf("%s: merging into %s: %w", in, out, err)
		}
	}
	if err := saveINI(f, out, j.inPlace, stdout); err != nil {
		var be *ini.BinaryError
		if errors.As(err, &be) && be.Total > 1 { // one item: the one-line error names it
			for _, it := range be.Items {
				fmt.Fprintf(stderr, "%s: %s: cannot write %v\n", j.cmd.name, in, it)
			}
			more := ""
			if n := be.Total - len(be.Items); n > 0 {
				more = fmt.Sprintf(" (%d more not listed)", n)
			}
			return ExitFailure, fmt.Errorf("%s: %d %s cannot be written in the binary INI format%s; nothing written",
				in, be.Total, plural.Noun(be.Total, "item"), more)
		}
		return ExitFailure, err
	}
	if !j.quiet {
		w := stdout
		if out == stdoutName {
			w = stderr // stdout holds the file
		}
		fmt.Fprintf(w, "%s: %s: %v\n", j.cmd.name, outName(out), compare(old, f))
	}
	return ExitOK, nil
}

// readOld reads the existing output file (binary INI, or TNI text by
// content as OS/2 would take it); nil when there is none. A file that
// cannot be read is reported on stderr and returned as the error; it will
// still be replaced (and kept as .BAK) without --merge.
func readOld(out string, stderr io.Writer, name string) (*ini.File, error) {
	data, err := os.ReadFile(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err == nil {
		var f *ini.File
		if f, err = ini.Parse(out, data, ini.DetectFormat(data)); err == nil {
			return f, nil
		}
	}
	fmt.Fprintf(stderr, "%s: note: the existing output cannot be read, counts are against an empty file: %v\n", name, err)
	return nil, err
}

// outName names the output in messages: out, or "standard output" for -o -.
func outName(out string) string {
	if out == stdoutName {
		return "standard output"
	}
	return out
}

// input returns the path of the file to convert (see the package comment).
func (j job) input() (string, error) {
	if j.name == "" {
		return firstWithExt(".", j.cmd.inExt)
	}
	name := j.name
	if filepath.Ext(name) == "" {
		name += j.cmd.inExt
	}
	p, ok, err := findFold(name)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%s: no such file", name)
	}
	return p, nil
}

// formatFile reads the -fmt file, or NAME.FMT next to the input when it
// exists; nil when there is none.
func (j job) formatFile(in string) (*ini.FormatFile, error) {
	path := j.fmt
	if path == "" {
		p, ok, err := findFold(replaceExt(in, ".FMT"))
		if err != nil || !ok {
			return nil, err
		}
		path = p
	}
	ff, err := ini.ReadFormatFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such format file", path)
	}
	return ff, err
}

// replaceExt replaces the extension of path with ext (upper case) or its lower
// case form when path's extension is all lower case.
func replaceExt(path, ext string) string {
	old := filepath.Ext(path)
	if old != "" && old == strings.ToLower(old) && old != strings.ToUpper(old) {
		ext = strings.ToLower(ext)
	}
	return strings.TrimSuffix(path, old) + ext
}

// firstWithExt returns the first regular file in dir, sorted by name, whose
// extension equals ext ignoring case.
func firstWithExt(dir, ext string) (string, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if !strings.EqualFold(filepath.Ext(e.Name()), ext) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && fi.Mode().IsRegular() {
			return filepath.Join(dir, e.Name()), nil
		}
	}
	return "", fmt.Errorf("no *%s file in the current directory", ext)
}

// findFold looks for path, first exactly, then for a file in the same
// directory whose name equals path's base name ignoring case (the first in
// name order).
func findFold(path string) (string, bool, error) {
	if _, err := os.Stat(path); err == nil {
		return path, true, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", false, nil
		}
		return "", false, err
	}
	i := slices.IndexFunc(entries, func(e os.DirEntry) bool { return strings.EqualFold(e.Name(), base) })
	if i < 0 {
		return "", false, nil
	}
	return filepath.Join(filepath.Dir(path), entries[i].Name()), true, nil
}

// samePath reports whether a and b name the same existing file (or the same
// cleaned path when b does not exist).
func samePath(a, b string) (bool, error) {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true, nil
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, nil
	}
	return os.SameFile(fa, fb), nil
}
