package batch

import (
	"fmt"
	"os"
	"path/filepath"
)

// NamedFile is a file given on the command line and what it is given as,
// for messages: {"--report", "run.json"}, {"--inventory", "hosts.txt"}.
type NamedFile struct {
	Role string // the flag or argument, e.g. "--report", "the script"
	Path string // as given; "" for a file not given (skipped)
}

// CheckOutputs returns an error naming both files when an output is the
// same file as an input or as another output, so that a report or retry
// file never replaces the inventory, the script or a report being merged,
// nor another output of the same run. Two names are the same file when
// their absolute cleaned paths are equal or, for files that exist, when
// os.SameFile says so (a link, another spelling). Call it before anything
// runs; empty paths are skipped.
func CheckOutputs(outputs, inputs []NamedFile) error {
	same := func(a, b string) bool {
		if pa, err := filepath.Abs(a); err == nil {
			if pb, err := filepath.Abs(b); err == nil && pa == pb {
				return true
			}
		}
		fa, errA := os.Stat(a)
		fb, errB := os.Stat(b)
		return errA == nil && errB == nil && os.SameFile(fa, fb)
	}
	for i, o := range outputs {
		if o.Path == "" {
			continue
		}
		for _, in := range inputs {
			if in.Path != "" && same(o.Path, in.Path) {
				return fmt.Errorf("%s %s is the same file as %s %s: writing it would replace that input; give %s another name", o.Role, o.Path, in.Role, in.Path, o.Role)
			}
		}
		for _, p := range outputs[i+1:] {
			if p.Path != "" && same(o.Path, p.Path) {
				return fmt.Errorf("%s %s and %s %s are the same file: one would replace the other; give them different names", o.Role, o.Path, p.Role, p.Path)
			}
		}
	}
	return nil
}
