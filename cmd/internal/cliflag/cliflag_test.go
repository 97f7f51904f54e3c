package cliflag

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

type pickValue struct{ v string }

func (p *pickValue) String() string { return p.v }
func (p *pickValue) Set(s string) error {
	if s != "a" && s != "b" {
		return errors.New(`"` + s + `" is not a or b`)
	}
	p.v = s
	return nil
}

func testSet() *flag.FlagSet {
	fs := New("prog sub", "usage: prog sub [flags]\n\nflags:\n")
	fs.Duration("timeout", 30*time.Second, "per command `DURATION`")
	fs.Int("forks", 5, "hosts at once")
	fs.Bool("check", false, "dry run")
	fs.String("o", "", "write to `FILE`")
	fs.String("name", "x", "a name")
	fs.Var(&pickValue{}, "pick", "a or b")
	return fs
}

func TestPrintFlags(t *testing.T) {
	var out bytes.Buffer
	err := Parse(testSet(), []string{"-h"}, &out)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	got := out.String()
	for _, want := range []string{
		"usage: prog sub [flags]\n\nflags:\n",
		"  --timeout DURATION\n    \tper command DURATION (default 30s)\n",
		"  --forks int\n    \thosts at once (default 5)\n",
		"  --check\n    \tdry run\n",
		"  -o FILE\n    \twrite to FILE\n",
		"  --name string\n    \ta name (default \"x\")\n",
		"  --pick value\n    \ta or b\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("usage lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\n  -timeout") || strings.Contains(got, "\n  --o ") {
		t.Errorf("wrong dashes:\n%s", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--nope"}, "unknown flag --nope"},
		{[]string{"-x"}, "unknown flag -x"},
		{[]string{"--forks"}, "--forks needs a value"},
		{[]string{"--timeout", "abc"}, `--timeout: "abc" is not a duration (e.g. 30s, 5m, 1h)`},
		{[]string{"-forks=z"}, `--forks: "z" is not a whole number`},
		{[]string{"--forks=99999999999999999999"}, `--forks: "99999999999999999999" is out of range`},
		{[]string{"--check=maybe"}, `--check: "maybe" is not true or false`},
		{[]string{"--pick", "c"}, `--pick: "c" is not a or b`},
	} {
		err := Parse(testSet(), c.args, nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
	}
	// Every spelling of the flag package still parses.
	fs := testSet()
	if err := Parse(fs, []string{"-forks", "2", "--timeout=5s", "-o", "f", "--check"}, nil); err != nil {
		t.Fatal(err)
	}
	if fs.Lookup("forks").Value.String() != "2" || fs.Lookup("timeout").Value.String() != "5s" || fs.Lookup("check").Value.String() != "true" {
		t.Error("values not set")
	}
}

func TestRefuse(t *testing.T) {
	var out bytes.Buffer
	if code := Refuse(&out, testSet(), errors.New("--x: bad"), 7); code != 7 {
		t.Errorf("status %d", code)
	}
	if want := "prog sub: --x: bad\nrun 'prog sub -h' for the flags\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}
