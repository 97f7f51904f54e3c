package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/fleet"
	"github.com/inilua/inilua/inidiff"
)

// runLine runs the whole command line args in-process (subcommand
// included) and returns the exit status, stdout and stderr.
func runLine(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const diffOld = "[Mail]\r\n   Port=25\r\n   Old='x'0\r\n[/Mail]\r\n[Gone]\r\n   a='1'\r\n[/Gone]\r\n"

// the same entries as diffOld, in another order
const diffOldReordered = "[Gone]\r\n   a='1'\r\n[/Gone]\r\n[Mail]\r\n   Old='x'0\r\n   Port=25\r\n[/Mail]\r\n"

const diffNew = "[Mail]\r\n   Port=2525\r\n   Banner='Hi'0\r\n[/Mail]\r\n"

func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	old, same, new := filepath.Join(dir, "old.tni"), filepath.Join(dir, "same.tni"), filepath.Join(dir, "new.tni")
	writeFile(t, old, diffOld)
	writeFile(t, same, diffOldReordered)
	writeFile(t, new, diffNew)

	if code, out, errs := runLine(t, "diff", old, same); code != 0 || out != "" {
		t.Errorf("same entries: status %d, out %q, err %q", code, out, errs)
	}
	code, out, errs := runLine(t, "diff", old, new)
	want := "--- " + old + "\n+++ " + new + `
[Gone]: application removed (1 key)
[Gone] a: "1" -> (absent)
[Mail] Banner: (absent) -> "Hi\x00"
[Mail] Old: "x\x00" -> (absent)
[Mail] Port: 0x19000000 (25) -> 0xDD090000 (2525)
`
	if code != 1 || out != want {
		t.Errorf("different: status %d, err %q, out:\n%s\nwant:\n%s", code, errs, out, want)
	}
	if code, _, errs := runLine(t, "diff", old, filepath.Join(dir, "nope.ini")); code != 2 || !strings.Contains(errs, "nope.ini") {
		t.Errorf("missing file: status %d, err %q", code, errs)
	}
	if code, _, errs := runLine(t, "diff", old); code != 2 || !strings.Contains(errs, "want two files") {
		t.Errorf("one file: status %d, err %q", code, errs)
	}
	if code, out, _ := runLine(t, "diff", "-h"); code != 0 || !strings.Contains(out, "usage: inilua diff") || !strings.Contains(out, "--lua") {
		t.Errorf("-h: status %d, out %q", code, out)
	}
	if code, _, errs := runLine(t, "diff", "--inventory", filepath.Join(dir, "none.txt"), old, new); code != 2 || !strings.Contains(errs, "none.txt") {
		t.Errorf("missing inventory: status %d, err %q", code, errs)
	}
}

func TestDiffLuaCommand(t *testing.T) {
	dir := t.TempDir()
	old, new := filepath.Join(dir, "old.tni"), filepath.Join(dir, "new.tni")
	writeFile(t, old, diffOld)
	writeFile(t, new, diffNew)
	code, script, errs := runLine(t, "diff", "--lua", old, new)
	if code != 1 {
		t.Fatalf("--lua: status %d, err %q", code, errs)
	}
	gen := filepath.Join(dir, "generated.lua")
	writeFile(t, gen, script)
	target := filepath.Join(dir, "target.tni")
	writeFile(t, target, diffOldReordered)
	if code, out, errs := runLine(t, gen, "file="+target); code != 0 || out != target+": 4 changes\n" {
		t.Fatalf("first run: status %d, out %q, err %q\n%s", code, out, errs, script)
	}
	got, err := fleet.ReadLocal(target)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := fleet.ReadLocal(new)
	if !inidiff.Same(got, want) {
		t.Errorf("migrated file differs from NEW: %+v", inidiff.Compare(got, want))
	}
	if code, out, _ := runLine(t, gen, "file="+target); code != 0 || out != target+": 0 changes\n" {
		t.Errorf("second run: status %d, out %q", code, out)
	}
	if code, _, _ := runLine(t, "diff", target, new); code != 0 {
		t.Errorf("inilua diff after the migration: status %d", code)
	}
	// without file= the script works on the file it was made from
	if code, out, errs := runLine(t, gen); code != 0 || out != old+": 4 changes\n" {
		t.Errorf("default file: status %d, out %q, err %q", code, out, errs)
	}
}
