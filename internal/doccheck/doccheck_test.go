package doccheck

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// issueRef matches a citation of an issue or task by number in prose. Lua's
// "bad argument" messages appear in string literals only, which are not
// looked at; URLs are skipped.
var issueRef = regexp.MustCompile(`(?i)\bissues? #?\d+|(^|[\s(])#\d+\b|\(task \d+\)|\btask #?\d+\b`)

// TestNoIssueNumbersInComments walks the module (from its root, two levels
// up) and fails for each comment that cites an issue number.
func TestNoIssueNumbersInComments(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				for _, line := range strings.Split(c.Text, "\n") {
					if strings.Contains(line, "://") {
						continue // a URL may hold any number
					}
					if m := issueRef.FindString(line); m != "" {
						rel, _ := filepath.Rel(root, path)
						t.Errorf("%s:%d: comment cites %q: say what the code does instead", rel, fset.Position(c.Pos()).Line, strings.TrimSpace(m))
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d Go files found under %s", files, root)
	}
}
