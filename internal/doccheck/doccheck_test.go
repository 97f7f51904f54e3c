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

// issueRef matches a citation of an issue or task by number in prose.
// String literals are not looked at, URLs and Lua's "bad argument #2"
// wording are skipped.
var issueRef = regexp.MustCompile(`(?i)\bissues? #?\d+|(^|[\s(])#\d+\b|\(task \d+\)|\btask #?\d+\b`)

// cites returns the issue citations in one comment line.
func cites(line string) []string {
	if strings.Contains(line, "://") {
		return nil // a URL may hold any number
	}
	var out []string
	for _, loc := range issueRef.FindAllStringIndex(line, -1) {
		if strings.HasSuffix(strings.ToLower(line[:loc[0]]), "argument") {
			continue // Lua's "bad argument #2 to f"
		}
		out = append(out, strings.TrimSpace(line[loc[0]:loc[1]]))
	}
	return out
}

func TestCites(t *testing.T) {
	for line, want := range map[string]int{
		"see issue 6 for why":              1,
		"(task 3) and #12":                 2,
		"Issues #4":                        1,
		`"bad argument #2 to (anonymous)"`: 0,
		"https://github.com/x/y/issues/5":  0,
		"a width of 65535 bytes":           0,
		"C# is not Go":                     0,
	} {
		if got := cites(line); len(got) != want {
			t.Errorf("cites(%q) = %q, want %d", line, got, want)
		}
	}
}

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
					for _, m := range cites(line) {
						rel, _ := filepath.Rel(root, path)
						t.Errorf("%s:%d: comment cites %q: say what the code does instead",
							rel, fset.Position(c.Pos()).Line, m)
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
