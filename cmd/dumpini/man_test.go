package main

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/inilua/inilua/cmd/internal/clidoc"
	"github.com/inilua/inilua/cmd/internal/iniconv"
)

var update = flag.Bool("update", false, "rewrite docs/man/dumpini.1 and loadini.1 from the flag sets")

// TestManPage: docs/man/dumpini.1 and loadini.1 are what the flag sets
// give (go test ./cmd/... -run TestManPage -update rewrites the pages).
func TestManPage(t *testing.T) {
	for _, c := range []struct {
		cmd     *clidoc.Command
		seeAlso string
	}{
		{&clidoc.Command{Name: "dumpini", Summary: "convert a binary OS/2 INI file to a TNI text file", Flags: iniconv.DumpiniFlags()}, "loadini(1)"},
		{&clidoc.Command{Name: "loadini", Summary: "convert a TNI text file to a binary OS/2 INI file", Flags: iniconv.LoadiniFlags()}, "dumpini(1)"},
	} {
		path := "../../docs/man/" + c.cmd.Name + ".1"
		got := clidoc.Man(c.cmd, "inilua", []string{c.seeAlso, "inilua(1)", "iniserve(1)"}, []string{"README.md", "go doc ./cmd/internal/iniconv"})
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
		if !bytes.Contains(got, []byte("--in-place")) || !bytes.Contains(got, []byte("--version")) {
			t.Errorf("%s lacks --in-place or --version", path)
		}
	}
}
