package main

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/inilua/inilua/cmd/internal/clidoc"
)

var update = flag.Bool("update", false, "rewrite docs/man/*.1 from the flag sets")

// manPage is inilua's man page, generated from the flag sets of inilua and
// its subcommands.
func manPage() []byte {
	return clidoc.Man(commandTree(), "inilua",
		[]string{"iniserve(1)", "dumpini(1)", "loadini(1)"},
		[]string{"README.md", "docs/lua-api.md", "docs/repl.md", "docs/batch.md", "docs/fleet.md"})
}

// TestManPage: docs/man/inilua.1 is what the flag sets give; a flag added
// without regenerating the page fails here (go test ./cmd/... -run
// TestManPage -update rewrites the pages).
func TestManPage(t *testing.T) {
	const path = "../../docs/man/inilua.1"
	got := manPage()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./cmd/... -run TestManPage -update", path)
	}
	for _, s := range []string{"--backup-dir", "--emit-types", "inilua report merge", "--limit", ".SS inilua completion"} {
		if !bytes.Contains(got, []byte(s)) {
			t.Errorf("the page lacks %q", s)
		}
	}
}
