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
		{"a addr=h:0\n", "inv:1: bad port in address \"h:0\": want 1-65535"},
		{"a x=\"\\q\"\n", "inv:1: value of x: bad quoted string"},
		{"ok\nh\x00x\n", "inv:2: host name \"h\\x00x\" contains a control character"},
		{"\xff\xfe\n", "inv:1: host name \"\\xff\\xfe\" contains a control character, a line separator or a format character (a bidirectional override, ...) or is not UTF-8"},
		{"e\u202ef addr=h:1\n", "inv:1: host name \"e\\u202ef\" contains a control character"},
		{"e\u2028f addr=h:1\n", "inv:1: host name \"e\\u2028f\" contains"},
		{"[g\u200b]\na\n", "inv:1: bad group name"},
		{"[g]]\na\n", "inv:1: bad group name \"g]\""},
		{"[g\x01]\na\n", "inv:1: bad group name"},
		{"a password_file=\n", "inv:1: password_file= needs a value"},
		{"a password_env=\n", "inv:1: password_env= needs a value"},
		{"a addr=[::1\n", "inv:1: bad address \"[::1\": unbalanced brackets"},
		{"a addr=a:b:c\n", "inv:1: bad address \"a:b:c\": want host:port (more than one ':' is only for an IPv6 address"},
		{"a addr=host:3560:x\n", "inv:1: bad address \"host:3560:x\""},
		{"a addr=[127.0.0.1]:43560\n", "inv:1: bad address \"[127.0.0.1]:43560\": only an IPv6 address goes in brackets"},
		{"a addr=[mail1]:1\n", "only an IPv6 address goes in brackets"},
		{"a addr=[00]\n", "inv:1: bad address \"[00]\": only an IPv6 address goes in brackets"},
		// a quoted addr could carry what ends or splits the retry file's line
		{"a addr=\"x\\nevil addr=6.6.6.6\"\n", "inv:1: bad address \"x\\nevil addr=6.6.6.6\": host \"x\\nevil addr=6.6.6.6\": only ASCII letters"},
		{"a addr=\"x y:1\"\n", "inv:1: bad address \"x y:1\""},
		{"a addr=\"[fe80::1%a#b]:1\"\n", "inv:1: bad address"},
		{"caf\u00e9\n", "inv:1: host café has no addr= and its name is not an address"},
		{"a addr=caf\u00e9:1\n", "not 'é'"},
		{"a\nb x=" + strings.Repeat("y", 1<<20) + "\n", "inv:2: line longer than 1 MiB"},
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
	checkRoundTrip(t, hosts)
}

// checkRoundTrip writes hosts with WriteInventory and checks that
// ParseInventory gives back the same names, addresses, variables and
// groups, in the same order.
func checkRoundTrip(t *testing.T, hosts []*Host) {
	t.Helper()
	var b strings.Builder
	if err := WriteInventory(&b, hosts, func(h *Host) string { return "note # " + h.Name }); err != nil {
		t.Fatal(err)
	}
	again, err := ParseInventory("retry", "", strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("%v in\n%s", err, b.String())
	}
	if len(again) != len(hosts) {
		t.Fatalf("%d hosts, %d after the round trip\n%s", len(hosts), len(again), b.String())
	}
	byName := map[string]*Host{}
	for _, g := range again {
		byName[g.Name] = g
	}
	for _, h := range hosts {
		g := byName[h.Name]
		if g == nil || g.Address != h.Address || len(g.Vars) != len(h.Vars) || !sameSet(g.Groups, h.Groups) {
			t.Fatalf("round trip %+v -> %+v\n%s", h, g, b.String())
		}
		for k, v := range h.Vars {
			if g.Vars[k] != v {
				t.Fatalf("%s: var %s = %q, want %q", h.Name, k, g.Vars[k], v)
			}
		}
	}
}

// TestRetryFileGroupsAndPasswordFile: the retry file keeps each host's
// groups (so --limit GROUP selects it again) and its password_file works
// although the retry file is in another directory.
func TestRetryFileGroupsAndPasswordFile(t *testing.T) {
	invDir, runDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(invDir, "pw"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := "[mail]\nm1 addr=127.0.0.1:1 password_file=pw\nm2 addr=127.0.0.1:2\n[eu]\nm1\ne1 addr=127.0.0.1:3\n"
	hosts, err := ParseInventory(filepath.Join(invDir, "inv"), invDir, strings.NewReader(inv))
	if err != nil {
		t.Fatal(err)
	}
	var results []*Result
	for _, h := range hosts {
		results = append(results, &Result{Host: h, Status: StatusUnreachable, Err: "refused"})
	}
	retry := filepath.Join(runDir, "run.retry")
	if err := WriteRetryFile(retry, results); err != nil {
		t.Fatal(err)
	}
	again, err := ReadInventory(retry)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Limit(again, "eu")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "m1" || got[1].Name != "e1" || !slices.Equal(got[0].Groups, []string{"mail", "eu"}) {
		data, _ := os.ReadFile(retry)
		t.Fatalf("--limit eu on the retry file: %v\n%s", got, data)
	}
	if pw, err := got[0].Password(""); err != nil || pw != "s3cret" {
		t.Errorf("password_file from the retry file: %q, %v", pw, err)
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
	// a port with leading zeros is the same port; bare IPv6 addresses
	// (with a zone too) get the default port; more colons are refused
	hosts, err = HostsFromList("h:03561,fe80::1%eth0,::ffff:10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, h := range hosts {
		got = append(got, h.Address)
	}
	if want := []string{"h:3561", "[fe80::1%eth0]:3560", "[::ffff:10.0.0.1]:3560"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := HostsFromList("host:3560:x"); err == nil {
		t.Error("host:3560:x accepted as an IPv6 address")
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

// TestMergeInventories: a host in two inventory files is one host with
// the groups of both and the later file's variables; a different addr is
// an error naming both lines.
func TestMergeInventories(t *testing.T) {
	a, err := ParseInventory("a.txt", "", strings.NewReader("[mail]\nm1 addr=10.0.0.1 role=x\nm2 addr=10.0.0.2\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseInventory("b.txt", "", strings.NewReader("[eu]\nm1 role=y site=ams\ne1 addr=10.0.0.3\n"))
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := MergeInventories(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 3 || hosts[0].Name != "m1" || hosts[2].Name != "e1" {
		t.Fatalf("hosts %v", hosts)
	}
	m1 := hosts[0]
	if m1.Address != "10.0.0.1:3560" || !slices.Equal(m1.Groups, []string{"mail", "eu"}) || m1.Vars["role"] != "y" || m1.Vars["site"] != "ams" {
		t.Errorf("m1 = %+v", m1)
	}
	c, _ := ParseInventory("c.txt", "", strings.NewReader("m2 addr=10.0.0.9\n"))
	if _, err := MergeInventories(hosts, c); err == nil || !strings.Contains(err.Error(), "c.txt:1") || !strings.Contains(err.Error(), "a.txt:3") {
		t.Errorf("different addr in a second file: %v", err)
	}
}

// sameSet reports whether a and b hold the same strings, in any order (a
// host's groups come back from a retry file in the order of the headers).
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// A byte order mark (editors add one) and a final DOS/OS/2 Ctrl-Z line are
// accepted; text after the Ctrl-Z is an error, never silently dropped.
func TestParseInventoryBOMAndCtrlZ(t *testing.T) {
	hosts, err := ParseInventory("inv", "", strings.NewReader("\uFEFFh1\r\nh2\r\n\x1a\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 2 || hosts[0].Name != "h1" || hosts[1].Name != "h2" {
		t.Fatalf("hosts %+v", hosts)
	}
	_, err = ParseInventory("inv", "", strings.NewReader("h1\n\x1a\nh2\n"))
	if err == nil || !strings.Contains(err.Error(), "inv:3: text after the end-of-file byte (Ctrl-Z) on line 2") {
		t.Fatalf("err = %v", err)
	}
}

// TestInventoryAddrCaseAside: one host given twice with its addr= spelled
// in two cases is one address (host names are case-insensitive), not a
// conflict.
func TestInventoryAddrCaseAside(t *testing.T) {
	hosts, err := ParseInventory("inv", "", strings.NewReader("a addr=MAIL1:1\n[g]\na addr=mail1:1\n"))
	if err != nil || len(hosts) != 1 || hosts[0].Address != "mail1:1" {
		t.Fatalf("hosts %v, err %v", hosts, err)
	}
}
