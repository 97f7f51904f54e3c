package scripts

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/parse"
)

// TestScriptsParse checks that every embedded script is valid Lua and
// starts with a comment naming it, so `inilua batch` and the docs can rely
// on them. Their behaviour is tested against servers in package batch
// (runner_test.go) and end to end in cmd/inilua (batch_e2e_test.go).
func TestScriptsParse(t *testing.T) {
	names, err := fs.Glob(FS, "*.lua")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 3 {
		t.Fatalf("only %d scripts embedded: %v", len(names), names)
	}
	for _, name := range names {
		code, err := FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(code), "-- "+name+": ") {
			t.Errorf("%s does not start with a comment naming it", name)
		}
		if _, err := parse.Parse(bytes.NewReader(code), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
