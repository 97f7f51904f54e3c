package main

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/inilua/inilua/cmd/internal/clidoc"
)

var update = flag.Bool("update", false, "rewrite docs/man/iniserve.1 from the flag set")

// TestManPage: docs/man/iniserve.1 is what the flag set gives (go test
// ./cmd/... -run TestManPage -update rewrites the pages).
func TestManPage(t *testing.T) {
	const path = "../../docs/man/iniserve.1"
	got := clidoc.Man(&clidoc.Command{
		Name:    "iniserve",
		Summary: "serve OS/2 INI and TNI files to INIServe clients",
		Flags:   flags(&config{}),
	}, "inilua", []string{"inilua(1)", "dumpini(1)", "loadini(1)", "systemd.exec(5)"},
		[]string{"README.md", "contrib/systemd/README.md", "go doc ./server"})
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
	for _, s := range []string{"--volume", "--password-file", "--version", "SIGHUP"} {
		if !bytes.Contains(got, []byte(s)) {
			t.Errorf("the page lacks %q", s)
		}
	}
}
