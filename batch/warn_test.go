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

// TestRunWarnsEmptyPasswordOnce: hosts that accept the empty password are
// named on one warning line of the run's output, not in every host's
// output.
func TestRunWarnsEmptyPasswordOnce(t *testing.T) {
	hosts, _, _ := testHosts(t, 3)
	var out strings.Builder
	results, err := Run(context.Background(), hosts, Options{
		Script: "nop.lua", Code: []byte(`print("ran")`), Out: &out, Forks: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range results {
		if o := string(res.Output); strings.Contains(o, "empty password") || !strings.Contains(o, "ran") {
			t.Errorf("%s: output %q", res.Host.Name, o)
		}
	}
	if n := strings.Count(out.String(), "empty password"); n != 1 {
		t.Errorf("the empty password is mentioned %d times in the run's output, want once:\n%s", n, out.String())
	}
	want := "warning: 3 of 3 hosts accepted the empty password (" + hosts[0].Name + ", " + hosts[1].Name + ", " + hosts[2].Name + "): give a password with"
	if !strings.Contains(out.String(), want) {
		t.Errorf("run output lacks %q:\n%s", want, out.String())
	}
}
