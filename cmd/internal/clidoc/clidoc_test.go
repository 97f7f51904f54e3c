package clidoc

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/inilua/inilua/cmd/internal/cliflag"
)

func sample() *Command {
	fs := cliflag.New("prog", "usage: prog [flags] FILE\n\nDoes *things* to FILE_NAME.\n\nflags:\n")
	fs.String("out", "", "write to `FILE`")
	fs.String("work-dir", "", "work in `DIR`")
	fs.Int("n", 3, "how many")
	fs.String("limit", "", "only `PATTERN`")
	fs.Bool("quiet", false, "say nothing")
	return &Command{Name: "prog", Summary: "do things", Flags: fs,
		Sub: []*Command{{Name: "sub", Summary: "a subcommand", Flags: cliflag.New("prog sub", "usage: prog sub\n")}}}
}

// TestUsageHead: the text before the flag list, without "flags:".
func TestUsageHead(t *testing.T) {
	if got, want := UsageHead(sample().Flags), "usage: prog [flags] FILE\n\nDoes *things* to FILE_NAME.\n"; got != want {
		t.Errorf("UsageHead = %q, want %q", got, want)
	}
}

// TestMan: the page names every flag with its dashes and value, keeps the
// usage text as it is (no markdown read into it), and lists subcommands.
func TestMan(t *testing.T) {
	page := string(Man(sample(), "inilua", []string{"other(1)"}, []string{"docs/x.md"}))
	for _, want := range []string{
		`.TH PROG 1 "" "inilua" "User Commands"`,
		"prog - do things",
		"Does *things* to FILE_NAME.",
		"\\fB--out\\fP \\fIFILE\\fP",
		"\\fB-n\\fP \\fIint\\fP\nhow many (default 3)",
		"\\fB--quiet\\fP\nsay nothing",
		".SS prog sub",
		"other(1); docs/x\\&.md in the inilua sources",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}

// TestCheckedInPagesLint: groff reads every page in docs/man without a
// warning (where groff is installed).
func TestCheckedInPagesLint(t *testing.T) {
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff not installed")
	}
	pages, _ := filepath.Glob("../../../docs/man/*.1")
	if len(pages) < 4 {
		t.Fatalf("only %d pages in docs/man", len(pages))
	}
	for _, p := range append(pages, writeTemp(t, Man(sample(), "inilua", nil, nil))) {
		out, err := exec.Command(groff, "-man", "-ww", "-z", "-Tutf8", p).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("groff %s: %v\n%s", p, err, out)
		}
	}
}

func writeTemp(t *testing.T, data []byte) string {
	p := filepath.Join(t.TempDir(), "prog.1")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBash: the script is valid bash, completes by value kind, and
// registers the function.
func TestBash(t *testing.T) {
	var b bytes.Buffer
	if err := Bash(&b, sample()); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{
		"--out | -out) COMPREPLY=(); _prog_paths -f; return ;;",
		"--work-dir | -work-dir) COMPREPLY=(); _prog_paths -d; return ;;",
		"--limit | -limit) _prog_hosts; return ;;",
		"-n) return ;;",
		`compgen -W "--limit --out --quiet --work-dir -n"`,
		`compgen -W "sub"`,
		"complete -o filenames -F _prog prog",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	script := writeTemp(t, b.Bytes())
	if out, err := exec.Command(bash, "-n", script).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
	// a file and a directory with a blank (and a *) complete as one word each
	dir := t.TempDir()
	for _, d := range []string{"dir with space", "dir*star"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "my script.lua"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ words, want string }{
		{"prog --out my", "my script.lua"},
		{"prog --work-dir dir", "dir with space|dir*star"},
	} {
		words := strings.Fields(tc.words)
		cmd := exec.Command(bash, "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _prog; printf '%s|' "${COMPREPLY[@]}"`, "complete", script)
		cmd.Args = append(cmd.Args, words...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		got := strings.Split(strings.TrimSuffix(string(out), "|"), "|")
		sort.Strings(got)
		want := strings.Split(tc.want, "|")
		sort.Strings(want)
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s<Tab>: %q, %v; want %q", tc.words, out, err, tc.want)
		}
	}
}
