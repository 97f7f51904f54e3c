package batch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

// TestRunWarnsUseTNISize: the batch output of a host says that its
// ($SYS, UseTNI) has the wrong size when a script chooses between its .INI
// and .TNI files, naming the file.
func TestRunWarnsUseTNISize(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	f := ini.New()
	f.Put([]byte("A"), []byte("k"), []byte("v"))
	data, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dirs[0], "P.INI"), data, 0o644)
	os.WriteFile(filepath.Join(dirs[0], "P.TNI"), []byte("[$SYS]\n  UseTNI=1\n[/$SYS]\n"), 0o644)
	results, err := Run(context.Background(), hosts, Options{
		Script: "choose.lua", Code: []byte(`local s = ...; s:cd("C:\\"); print("chose " .. s:choose("P"))`),
	})
	if err != nil {
		t.Fatal(err)
	}
	out := string(results[0].Output)
	if !strings.Contains(out, "chose P.INI") ||
		!strings.Contains(out, `P.TNI: ($SYS, UseTNI) is 4 bytes long, not 1`) {
		t.Errorf("host output lacks the choice or the warning:\n%s", out)
	}
}
