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
	for link, target := range map[string]string{"link.txt": "inv.txt", "dangling.json": "new.json", "chain.json": "dangling.json"} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir("real", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", "dirlink"); err != nil {
		t.Fatal(err)
	}
	inputs := []NamedFile{{"--inventory", "inv.txt", ""}, {"the script", "run.lua", ""}, {"--password-file", "", ""}}
	for _, tc := range []struct {
		outputs []NamedFile
		want    string
	}{
		{[]NamedFile{{"--report", "r.json", ""}, {"the retry file", "r.retry", ""}}, ""},
		{[]NamedFile{{"--report", "", ""}, {"the retry file", "", ""}}, ""},
		{[]NamedFile{{"--report", "inv.txt", ""}}, "--report inv.txt is the same file as --inventory inv.txt"},
		{[]NamedFile{{"--report", "./sub/../run.lua", ""}}, "--report ./sub/../run.lua is the same file as the script run.lua"},
		{[]NamedFile{{"--report", filepath.Join(dir, "link.txt"), ""}}, "is the same file as --inventory inv.txt"},
		{[]NamedFile{{"--report", "same.json", ""}, {"--retry-file", "same.json", ""}}, "--report same.json and --retry-file same.json are the same file"},
		// ini.WriteFile follows a dangling link and creates its target
		{[]NamedFile{{"--report", "dangling.json", ""}, {"--retry-file", "new.json", ""}}, "--report dangling.json and --retry-file new.json are the same file"},
		{[]NamedFile{{"--report", "chain.json", ""}, {"--retry-file", "new.json", ""}}, "--report chain.json and --retry-file new.json are the same file"},
		{[]NamedFile{{"--report", "dirlink/x.json", ""}, {"--retry-file", "real/x.json", ""}}, "are the same file"},
	} {
		err := CheckOutputs(tc.outputs, inputs)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: %v, want %q", tc.outputs, err, tc.want)
		}
	}
}

// TestCheckOutsideDir: an output inside the backup directory (where it
// could replace an index.json or a backup), directly, below or through a
// link, is refused; one beside it passes.
func TestCheckOutsideDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll("bak/mail1", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("bak/mail1/index.json", "r.json"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("bak/mail1", "S"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("mail1", 0o755); err != nil { // what S/../mail1 would be, tidied as text
		t.Fatal(err)
	}
	bak := NamedFile{"--backup-dir", "bak", ""}
	for _, tc := range []struct{ out, want string }{
		{"bak.json", ""},
		{"bakery/r.json", ""},
		{"bak/r.json", "--report bak/r.json is inside --backup-dir bak"},
		{"bak/mail1/index.json", "inside --backup-dir bak"},
		{filepath.Join(dir, "bak", "x"), "inside --backup-dir bak"},
		{"r.json", "--report r.json is inside --backup-dir bak"},
		// the kernel follows S before "..": S/../h1 is bak/h1 when S is bak/mail1's sibling link
		{"S/../mail1/index.json", "--report S/../mail1/index.json is inside --backup-dir bak"},
		{"S/../new.json", "inside --backup-dir bak"},
	} {
		err := CheckOutsideDir([]NamedFile{{"--report", tc.out, ""}}, bak)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.out, err, tc.want)
		}
	}
	if err := CheckOutsideDir([]NamedFile{{"--report", "bak/r.json", ""}}, NamedFile{"--backup-dir", "", ""}); err != nil {
		t.Errorf("no --backup-dir: %v", err)
	}
}

// TestPasswordFilesAreInputs: a host's password_file= (relative to its
// inventory) is an input an output may not replace.
func TestPasswordFilesAreInputs(t *testing.T) {
	dir := t.TempDir()
	hosts, err := ParseInventory(filepath.Join(dir, "inv"), dir, strings.NewReader("a password_file=pw.txt\nb password_file=pw.txt\nc\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := PasswordFiles(hosts)
	if len(in) != 1 || in[0].Path != filepath.Join(dir, "pw.txt") || in[0].Role != "the password_file= of host a" {
		t.Fatalf("PasswordFiles: %v", in)
	}
	err = CheckOutputs([]NamedFile{{"--retry-file", filepath.Join(dir, "x", "..", "pw.txt"), ""}}, in)
	if err == nil || !strings.Contains(err.Error(), "is the same file as the password_file= of host a") {
		t.Errorf("CheckOutputs: %v", err)
	}
}

// TestCheckRetryTarget: a retry file may replace nothing or an earlier
// retry file (through a link too), never another file.
func TestCheckRetryTarget(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("notes.txt", []byte("my notes\n"), 0o644)
	os.WriteFile("old.retry", []byte(retryHeader+"rerun with --inventory old.retry\n"), 0o644)
	os.Symlink("notes.txt", "lnk.retry")
	os.Symlink("old.retry", "ok-link.retry")
	for _, tc := range []struct{ path, want string }{
		{"", ""}, {"new.retry", ""}, {"old.retry", ""}, {"ok-link.retry", ""},
		{"notes.txt", "--retry-file notes.txt exists and is not a retry file"},
		{"lnk.retry", "--retry-file lnk.retry exists and is not a retry file"},
	} {
		err := CheckRetryTarget(NamedFile{"--retry-file", tc.path, ""})
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q: %v, want %q", tc.path, err, tc.want)
		}
	}
}
