package batch

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/inilua/inilua/ini"
)

// NamedFile is a file given on the command line and what it is given as,
// for messages: {"--report", "run.json"}, {"--inventory", "hosts.txt"}.
type NamedFile struct {
	Role string // the flag or argument, e.g. "--report", "the script"
	Path string // as given; "" for a file not given (skipped)
	// Fix, for an output, says how to name it otherwise, ending the
	// refusal ("give --report another name" when empty); when it is the
	// same file as an earlier output, its Fix ends that refusal too
	// ("give them different names" when empty).
	Fix string
}

func (f NamedFile) fix() string {
	if f.Fix != "" {
		return f.Fix
	}
	return "give " + f.Role + " another name"
}

// CheckOutputs returns an error naming both files when an output is the
// same file as an input or as another output, so that a report or retry
// file never replaces the inventory, the script, a password file or a
// report being merged, nor another output of the same run. Two names are
// the same file when the files the writes would replace are: the output's
// symlinks followed as ini.WriteFile follows them (a dangling link counts
// as its target), the directories' links resolved, compared as absolute
// paths or, for files that exist, with os.SameFile (a hard link). Call it
// before anything runs; empty paths are skipped.
func CheckOutputs(outputs, inputs []NamedFile) error {
	for i, o := range outputs {
		if o.Path == "" {
			continue
		}
		for _, in := range inputs {
			if in.Path != "" && sameFile(o.Path, in.Path) {
				return fmt.Errorf("%s %s is the same file as %s %s: writing it would replace that input; %s", o.Role, o.Path, in.Role, in.Path, o.fix())
			}
		}
		for _, p := range outputs[i+1:] {
			if p.Path != "" && sameFile(o.Path, p.Path) {
				fix := "give them different names"
				if p.Fix != "" {
					fix = p.Fix
				}
				return fmt.Errorf("%s %s and %s %s are the same file: one would replace the other; %s", o.Role, o.Path, p.Role, p.Path, fix)
			}
		}
	}
	return nil
}

// CheckRetryTarget returns an error when the retry file f (its links
// followed, as the write follows them) already exists and is not a retry
// file an earlier run wrote (a regular file starting with the retry
// file's first line): a run never replaces notes, an inventory or anything
// else with its retry list. Call it before anything runs; an empty path
// or a file that does not exist passes.
func CheckRetryTarget(f NamedFile) error {
	if f.Path == "" {
		return nil
	}
	target := resolved(f.Path)
	if _, err := os.Lstat(target); err != nil {
		return nil // nothing there yet (or unreadable: the write will say)
	}
	if !isRetryFile(target) {
		return fmt.Errorf("%s %s exists and is not a retry file (it does not start with %q), so writing it would replace it; %s", f.Role, f.Path, strings.TrimSpace(retryHeader), f.fix())
	}
	return nil
}

// CheckDistinct returns an error naming the file when two of files are the
// same file (as CheckOutputs compares them): a report given twice to a
// merge. Empty paths are skipped.
func CheckDistinct(files []NamedFile) error {
	for i, a := range files {
		for _, b := range files[i+1:] {
			if a.Path != "" && b.Path != "" && sameFile(a.Path, b.Path) {
				return fmt.Errorf("%s %s and %s %s are the same file: give each once", a.Role, a.Path, b.Role, b.Path)
			}
		}
	}
	return nil
}

// CheckOutsideDir returns an error naming the output and the directory
// when an output (resolved as in CheckOutputs) would be written inside
// dir or one of its subdirectories: a report written into --backup-dir
// could replace a host's index.json or a backup. An empty dir.Path or
// output path is skipped.
func CheckOutsideDir(outputs []NamedFile, dir NamedFile) error {
	if dir.Path == "" {
		return nil
	}
	d := resolved(dir.Path)
	for _, o := range outputs {
		if o.Path == "" {
			continue
		}
		if rel, err := filepath.Rel(d, resolved(o.Path)); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%s %s is inside %s %s, which holds the backups and their index files: %s outside it", o.Role, o.Path, dir.Role, dir.Path, strings.TrimSuffix(o.fix(), " another name"))
		}
	}
	return nil
}

// PasswordFiles returns the password_file= of each host (resolved against
// its inventory's directory), once per file, as inputs for CheckOutputs.
func PasswordFiles(hosts []*Host) []NamedFile {
	var out []NamedFile
	for _, h := range hosts {
		if _, ok := h.Vars[VarPasswordFile]; !ok {
			continue
		}
		p := h.varValue(VarPasswordFile)
		if !slices.ContainsFunc(out, func(f NamedFile) bool { return f.Path == p }) {
			out = append(out, NamedFile{Role: "the password_file= of host " + h.Name, Path: p})
		}
	}
	return out
}

func sameFile(a, b string) bool {
	if resolved(a) == resolved(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// resolved returns the absolute path of the file a write to p replaces:
// the last component's links followed (ini.SaveTarget), then every link
// of the path resolved in order, as the kernel does ("S/../x" is x beside
// S's target, not beside S), before the path is tidied. A file that does
// not exist yet is its resolved directory joined with its name. On an
// error it returns what it has.
func resolved(p string) string {
	if t, err := ini.SaveTarget(p); err == nil {
		p = t
	}
	if !filepath.IsAbs(p) {
		if wd, err := os.Getwd(); err == nil {
			p = wd + string(filepath.Separator) + p // not Join: that would tidy "S/.." away
		}
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	dir, base := filepath.Split(p)
	if base != "" && base != "." && base != ".." {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(r, base)
		}
	}
	return filepath.Clean(p)
}
