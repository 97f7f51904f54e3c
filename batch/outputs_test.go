package batch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckOutputs: an output that is an input or another output is
// refused, by path, by another spelling and through a link; distinct
// files and files not given pass.
func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, n := range []string{"inv.txt", "run.lua"} {
		if err := os.WriteFile(n, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("inv.txt", "link.txt"); err != nil {
		t.Fatal(err)
	}
	inputs := []NamedFile{{"--inventory", "inv.txt"}, {"the script", "run.lua"}, {"--password-file", ""}}
	for _, tc := range []struct {
		outputs []NamedFile
		want    string
	}{
		{[]NamedFile{{"--report", "r.json"}, {"the retry file", "r.retry"}}, ""},
		{[]NamedFile{{"--report", ""}, {"the retry file", ""}}, ""},
		{[]NamedFile{{"--report", "inv.txt"}}, "--report inv.txt is the same file as --inventory inv.txt"},
		{[]NamedFile{{"--report", "./sub/../run.lua"}}, "--report ./sub/../run.lua is the same file as the script run.lua"},
		{[]NamedFile{{"--report", filepath.Join(dir, "link.txt")}}, "is the same file as --inventory inv.txt"},
		{[]NamedFile{{"--report", "same.json"}, {"--retry-file", "same.json"}}, "--report same.json and --retry-file same.json are the same file"},
	} {
		err := CheckOutputs(tc.outputs, inputs)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.outputs, err, tc.want)
		}
	}
}
