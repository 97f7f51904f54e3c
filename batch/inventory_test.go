package batch

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const sampleInventory = `# mail servers
[mail]
mail1 addr=10.0.0.1:3561 role=primary   # the main one
mail2 addr=10.0.0.2 role=backup note="two words # not a comment"
[web]
web1
mail1 site=ams
[db]
db1 addr=[::1]:3560 password_env=DB_PW
`

func TestParseInventory(t *testing.T) {
	hosts, err := ParseInventory("inv", "/etc/inilua", strings.NewReader(sampleInventory))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range hosts {
		names = append(names, h.Name)
	}
	if want := []string{"mail1", "mail2", "web1", "db1"}; !slices.Equal(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	m1 := hosts[0]
	if m1.Address != "10.0.0.1:3561" || m1.Vars["role"] != "primary" || m1.Vars["site"] != "ams" {
		t.Errorf("mail1 = %+v", m1)
	}
	if !slices.Equal(m1.Groups, []string{"mail", "web"}) {
		t.Errorf("mail1 groups %v", m1.Groups)
	}
	if m1.Source != "inv:3" {
		t.Errorf("mail1 source %q", m1.Source)
	}
	if hosts[1].Address != "10.0.0.2:3560" || hosts[1].Vars["note"] != "two words # not a comment" {
		t.Errorf("mail2 = %+v", hosts[1])
	}
	if hosts[2].Address != "web1:3560" || !slices.Equal(hosts[2].Groups, []string{"web"}) {
		t.Errorf("web1 = %+v", hosts[2])
	}
	if hosts[3].Address != "[::1]:3560" {
		t.Errorf("db1 address %q", hosts[3].Address)
	}
}

func TestParseInventoryErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"[mail\nx\n", "inv:1: group header"},
		{"a addr=1.2.3.4:1\na addr=1.2.3.4:2\n", "inv:2: host a: addr"},
		{"a name=x\n", "inv:1: variable name \"name\" is reserved"},
		{"a b\n", "inv:1: \"b\" is not key=value"},
		{"a x=\"unterminated\n", "inv:1: unterminated double quote"},
		{"a addr=h:99999\n", "inv:1: bad port"},
		{"a x=\"\\q\"\n", "inv:1: value of x: bad quoted string"},
	} {
		_, err := ParseInventory("inv", "", strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestInventoryLineRoundTrip(t *testing.T) {
	hosts, err := ParseInventory("inv", "", strings.NewReader(sampleInventory))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, h := range hosts {
		b.WriteString(h.InventoryLine() + "\n")
	}
	again, err := ParseInventory("retry", "", strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("%v in\n%s", err, b.String())
	}
	for i, h := range hosts {
		g := again[i]
		if g.Name != h.Name || g.Address != h.Address || len(g.Vars) != len(h.Vars) {
			t.Errorf("round trip %+v -> %+v", h, g)
		}
		for k, v := range h.Vars {
			if g.Vars[k] != v {
				t.Errorf("%s: var %s = %q, want %q", h.Name, k, g.Vars[k], v)
			}
		}
	}
}

func TestLimit(t *testing.T) {
	hosts, err := ParseInventory("inv", "", strings.NewReader(sampleInventory))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ pattern, want string }{
		{"", "mail1 mail2 web1 db1"},
		{"all", "mail1 mail2 web1 db1"},
		{"mail", "mail1 mail2"},
		{"web", "mail1 web1"},
		{"mail*", "mail1 mail2"},
		{"db1,web1", "web1 db1"},
		{"!mail", "web1 db1"},
		{"mail,!mail2", "mail1"},
		{"nothing", ""},
	} {
		got, err := Limit(hosts, tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, h := range got {
			names = append(names, h.Name)
		}
		if s := strings.Join(names, " "); s != tc.want {
			t.Errorf("Limit(%q) = %q, want %q", tc.pattern, s, tc.want)
		}
	}
	if _, err := Limit(hosts, "[a"); err == nil {
		t.Error("bad glob accepted")
	}
}

func TestHostsFromList(t *testing.T) {
	hosts, err := HostsFromList("a, b:4000,,a,[::1]:5")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hosts {
		got = append(got, h.Name+"="+h.Address)
	}
	if want := []string{"a=a:3560", "b:4000=b:4000", "[::1]:5=[::1]:5"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := HostsFromList("a b"); err == nil {
		t.Error("name with a space accepted")
	}
}

func TestPassword(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte("s3cret\r\nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("INILUA_TEST_PW", "from-env")
	inv := "a password_file=pw\nb password_env=INILUA_TEST_PW\nc\nd password_env=INILUA_TEST_UNSET_VAR\n"
	hosts, err := ParseInventory(filepath.Join(dir, "inv"), dir, strings.NewReader(inv))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"s3cret", "from-env", "default"} {
		got, err := hosts[i].Password("default")
		if err != nil || got != want {
			t.Errorf("%s: password %q, %v; want %q", hosts[i].Name, got, err, want)
		}
	}
	_, err = hosts[3].Password("default")
	if err == nil || !strings.Contains(err.Error(), "INILUA_TEST_UNSET_VAR is not set") {
		t.Errorf("unset variable: %v", err)
	}
}

func TestThreshold(t *testing.T) {
	for _, tc := range []struct {
		in       string
		total, n int
		bad      bool
	}{
		{"5", 100, 5, false}, {"10%", 55, 5, false}, {"0", 9, 0, false}, {"100%", 7, 7, false},
		{"101%", 0, 0, true}, {"-1", 0, 0, true}, {"x", 0, 0, true}, {"5x", 0, 0, true}, {"", 0, 0, true},
	} {
		th, err := ParseThreshold(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		if !tc.bad && th.Of(tc.total) != tc.n {
			t.Errorf("%q of %d = %d, want %d", tc.in, tc.total, th.Of(tc.total), tc.n)
		}
	}
}
