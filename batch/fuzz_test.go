package batch

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParseInventory: the inventory parser never panics, and every host it
// returns survives the trip through WriteInventory (the retry file) with
// the same name, address, variables and groups.
//
//	go test -run '^$' -fuzz FuzzParseInventory ./batch
func FuzzParseInventory(f *testing.F) {
	for _, seed := range []string{
		sampleInventory,
		"a\n", "[g]\nb addr=h:1 x=\"q\\\"uote\" # c\n", "[::1]:5 v=1\n", "x addr=[fe80::1]:3560\n",
		"a x=1\na x=2\n", "[g1]\na\n[g2]\nb\na\n", "[m]\nA\n[e]\nA\nB\n[m]\nB\n", "[\n", "a \"\n", "a x=\"\\xff\\x00\"\n", "# only\n\n\t\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		hosts, err := ParseInventory("fuzz", "", strings.NewReader(in))
		if err != nil {
			return
		}
		checkRoundTrip(t, hosts)
	})
}

// FuzzParseThreshold: never panics; a value it accepts prints back the same.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"5", "10%", "0", "100%", "101%", "-1", "x", "007", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err == nil && th.String() != s {
			t.Fatalf("%q parsed as %q", s, th.String())
		}
	})
}

// FuzzReadReport: a report, however damaged, never panics the reader; an
// error names the file; a report it accepts is written back by
// WriteReport as a report it accepts again, with the same hosts.
//
//	go test -run '^$' -fuzz FuzzReadReport ./batch
func FuzzReadReport(f *testing.F) {
	for _, shard := range []Shard{{}, {Index: 2, Count: 3}} {
		results, meta := sampleReport(shard, "k=v")
		var b strings.Builder
		if err := WriteReport(&b, results, meta); err != nil {
			f.Fatal(err)
		}
		f.Add(b.String())
	}
	for _, s := range []string{"", "{}", `{"hosts": []}`, `{"hosts": [{}]}`, `{"hosts": [{"name": "a", "status": "bogus"}]}`, `{"hosts": [{"name": "d addr=1.2.3.4:1\nevil addr=6.6.6.6:1", "address": "1.2.3.4:1", "status": "failed"}]}`, "{\"hosts\": [\n", "null"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rep, err := ReadReport(strings.NewReader(in), "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json: ") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		var b strings.Builder
		if err := WriteReport(&b, rep.Results, rep.Meta); err != nil {
			t.Fatalf("WriteReport of an accepted report: %v", err)
		}
		again, err := ReadReport(strings.NewReader(b.String()), "again.json")
		if err != nil {
			t.Fatalf("a report written back is refused: %v\n%s", err, b.String())
		}
		if len(again.Results) != len(rep.Results) {
			t.Fatalf("%d hosts, then %d", len(rep.Results), len(again.Results))
		}
		for i, r := range again.Results {
			if r.Host.Name != rep.Results[i].Host.Name {
				t.Fatalf("host %d: %q, then %q", i, rep.Results[i].Host.Name, r.Host.Name)
			}
		}
		// the retry file written from it holds exactly its hosts
		var hosts []*Host
		for _, r := range rep.Results {
			if !slices.ContainsFunc(hosts, func(h *Host) bool { return h.Name == r.Host.Name }) {
				hosts = append(hosts, r.Host)
			}
		}
		var inv strings.Builder
		if err := WriteInventory(&inv, hosts, nil); err != nil {
			t.Fatal(err)
		}
		back, err := ParseInventory("retry", "", strings.NewReader(inv.String()))
		if err != nil {
			t.Fatalf("the retry file of an accepted report does not read back: %v\n%s", err, inv.String())
		}
		if len(back) != len(hosts) {
			t.Fatalf("%d hosts in the report, %d in its retry file:\n%s", len(hosts), len(back), inv.String())
		}
		for _, h := range back { // WriteInventory puts the hosts without a group first
			if !slices.ContainsFunc(hosts, func(o *Host) bool { return o.Name == h.Name && o.Address == h.Address }) {
				t.Fatalf("host %s %s in the retry file is not in the report:\n%s", h.Name, h.Address, inv.String())
			}
		}
	})
}
