package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
)

// driftHosts serves six hosts: host1 and host2 with $SYS TimeOut 900 in
// MAILSRV.INI, host3 with 300, host4 without the key, host5 without the
// file, and host6 unreachable. host1 goes through a recording proxy and
// also has MAILSRV\ODD.INI, whose names TNI cannot hold.
func driftHosts(t *testing.T) ([]*batch.Host, *wiretest.Proxy) {
	t.Helper()
	var dirs []string
	for i := range 5 {
		d := filepath.Join(t.TempDir(), "C")
		if err := batch.WriteSampleHost(d, i); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	main := filepath.Join(dirs[3], "MAILSRV", "MAILSRV.INI")
	f, _, err := ini.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	f.Delete([]byte("$SYS"), []byte("TimeOut"))
	if err := f.Save(main, ini.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dirs[4], "MAILSRV", "MAILSRV.INI")); err != nil {
		t.Fatal(err)
	}
	// a file whose names TNI cannot hold, on host1 (for pull)
	odd := ini.New()
	odd.Put([]byte(strings.Repeat("L", 300)), []byte("k"), []byte("v"))
	odd.Put([]byte("Ok"), []byte("a=b"), []byte{1, 2, 3})
	if err := odd.Save(filepath.Join(dirs[0], "MAILSRV", "ODD.INI"), ini.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	hosts, stop, err := batch.LocalServers(dirs, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	p := wiretest.StartProxy(t, hosts[0].Address, 0)
	hosts[0].Address = p.Addr()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	hosts = append(hosts, &batch.Host{Name: "host6", Address: dead, Vars: map[string]string{}})
	return hosts, p
}

func TestQueryKey(t *testing.T) {
	hosts, p := driftHosts(t)
	c := &Connector{Hosts: hosts}
	q := Query{File: `C:\MAILSRV\MAILSRV.INI`, Application: []byte("$SYS"), Key: []byte("TimeOut"), Forks: 3}
	results := c.Query(context.Background(), hosts, q)
	want := []Status{StatusValue, StatusValue, StatusValue, StatusNoKey, StatusNoFile, StatusUnreachable}
	for i, r := range results {
		if r.Host != hosts[i] || r.Status != want[i] {
			t.Errorf("host %d: %s %s (%s), want %s", i, r.Host.Name, r.Status, r.Err, want[i])
		}
	}
	assertReadOnly(t, p)

	var b bytes.Buffer
	if err := WriteTable(&b, q, results, Show{Type: "u32"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	wantRows := []string{"HOST VALUE", "host1 900", "host2 900", "host3 300", "host4 (no key)", "host5 (no file)", "host6 (unreachable)"}
	if len(lines) != len(wantRows)+1 {
		t.Fatalf("table:\n%s", b.String())
	}
	for i, w := range wantRows {
		if got := strings.Join(strings.Fields(lines[i]), " "); !strings.HasPrefix(got, w) {
			t.Errorf("row %d: %q, want %q", i, got, w)
		}
	}
	if last := lines[len(lines)-1]; last != "6 hosts, 2 distinct values, no key 1, no file 1, unreachable 1" {
		t.Errorf("totals %q", last)
	}
	b.Reset()
	WriteTable(&b, q, results, Show{})
	if !strings.Contains(b.String(), "0x84030000 (900)") {
		t.Errorf("without --type the --diff notation: %s", b.String())
	}

	b.Reset()
	if err := WriteJSON(&b, q, results, Show{Type: "u32"}); err != nil {
		t.Fatal(err)
	}
	var got jsonQuery
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Groups) != 5 || got.Groups[0].Text != "900" || strings.Join(got.Groups[0].Hosts, ",") != "host1,host2" ||
		*got.Groups[0].Hex != "84030000" || got.Groups[1].Text != "300" || got.Groups[2].Status != StatusNoKey ||
		got.Groups[4].Status != StatusUnreachable {
		t.Errorf("JSON groups: %s", b.String())
	}
	if len(got.Hosts) != 6 || got.Hosts[5].Error == "" || got.Hosts[2].Text != "300" {
		t.Errorf("JSON hosts: %s", b.String())
	}
}

func TestQueryApplication(t *testing.T) {
	hosts, _ := driftHosts(t)
	c := &Connector{Hosts: hosts}
	// Domain has 3 keys: one column each
	q := Query{File: `C:\MAILSRV\DOMAIN1.INI`, Application: []byte("Domain")}
	results := c.Query(context.Background(), hosts[:3], q)
	var b bytes.Buffer
	WriteTable(&b, q, results, Show{})
	lines := strings.Split(b.String(), "\n")
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "HOST Name Postmaster Relay" {
		t.Errorf("header %q", lines[0])
	}
	if !strings.Contains(lines[1], `"example.com\x00"`) || !strings.Contains(b.String(), "3 hosts, 1 distinct value") {
		t.Errorf("table:\n%s", b.String())
	}
	// MailServer has more keys than MaxColumns: one row per key and host
	q = Query{File: `C:\MAILSRV\MAILSRV.INI`, Application: []byte("MailServer")}
	results = c.Query(context.Background(), hosts, q)
	b.Reset()
	WriteTable(&b, q, results, Show{Type: "u32"})
	out := b.String()
	for _, w := range []string{"KEY", "MaxUsers host1 250", "MaxUsers host4 280", "- host5 (no file)", "- host6 (unreachable)"} {
		found := false
		for _, l := range strings.Split(out, "\n") {
			found = found || strings.HasPrefix(strings.Join(strings.Fields(l), " "), w)
		}
		if !found {
			t.Errorf("no row %q in:\n%s", w, out)
		}
	}
	// MaxUsers differs on every host: 4 groups of one, in host order
	if i1, i4 := strings.Index(out, "MaxUsers  host1"), strings.Index(out, "MaxUsers  host4"); i1 < 0 || i4 < i1 {
		t.Errorf("MaxUsers rows out of order:\n%s", out)
	}
	// an application that does not exist
	results = c.Query(context.Background(), hosts[:1], Query{File: `C:\MAILSRV\MAILSRV.INI`, Application: []byte("Nope")})
	if results[0].Status != StatusNoApp {
		t.Errorf("missing application: %s", results[0].Status)
	}
}

func TestShow(t *testing.T) {
	for _, c := range []struct {
		typ, in, want string
	}{
		{"", "\x2c\x01\x00\x00", "0x2C010000 (300)"},
		{"u32", "\x2c\x01\x00\x00", "300"},
		{"i16", "\xff\xff", "-1"},
		{"string0", "hi\x00", `"hi"`},
		{"strings", "a\x00b\x00\x00", `{"a", "b"}`},
		{"hex", "\x01\xab", "01AB"},
		{"u32", "\x01\x00", "(not u32) 0x0100 (1)"},
	} {
		if got := (Show{Type: c.typ}).Value([]byte(c.in)); got != c.want {
			t.Errorf("Show{%s}.Value(%q) = %s, want %s", c.typ, c.in, got, c.want)
		}
	}
}

// TestQueryCancelled: a cancelled run (Ctrl-C) still gives one result per
// host, none of them a value, and the table can be printed.
func TestQueryCancelled(t *testing.T) {
	hosts, _ := sampleServers(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	q := Query{File: `C:\MAILSRV\MAILSRV.INI`, Application: []byte("$SYS"), Key: []byte("TimeOut")}
	results := (&Connector{Hosts: hosts}).Query(ctx, hosts, q)
	for _, r := range results {
		if r.Status != StatusUnreachable && r.Status != StatusFailed || !strings.Contains(r.Err, "canceled") {
			t.Errorf("%s: %s %q", r.Host.Name, r.Status, r.Err)
		}
	}
	var b bytes.Buffer
	if err := WriteTable(&b, q, results, Show{}); err != nil || !strings.Contains(b.String(), "2 hosts, 0 distinct values") {
		t.Errorf("table %q, %v", b.String(), err)
	}
}
