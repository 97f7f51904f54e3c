package batch

import (
	"encoding/json"
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
		"a addr=\"x\\nevil addr=6.6.6.6\"\n", "a addr=\"[fe80::1%a b]:1\"\n", "a addr=\"x #y\"\n", "a x=1\na x=2\n", "[g1]\na\n[g2]\nb\na\n", "[m]\nA\n[e]\nA\nB\n[m]\nB\n", "[\n", "a \"\n", "a x=\"\\xff\\x00\"\n", "# only\n\n\t\n",
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
	for _, s := range []string{"", "{}", `{"hosts": []}`, `{"hosts": [{}]}`, `{"hosts": [{"name": "a", "status": "bogus"}]}`, `{"hosts": [{"name": "d addr=1.2.3.4:1\nevil addr=6.6.6.6:1", "address": "1.2.3.4:1", "status": "failed"}]}`, `{"hosts": [{"name": "a", "address": "x\nevil addr=6.6.6.6 k=v:1", "status": "failed"}]}`, `{"hosts": [{"name": "a", "address": "x #y:1", "status": "failed"}]}`, `{"hosts": [{"name": "a", "address": "[fe80::1%a b]:1", "status": "failed"}]}`, "{\"hosts\": [\n", "null"} {
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

// FuzzReadBackupIndex: an index.json, however damaged, never panics the
// reader; an error names the index; an index it accepts says for each file
// either "remove it" (absent, no backup) or "rewrite it from this backup"
// (a name and its SHA-256), and marshals back to an index it accepts.
//
//	go test -run '^$' -fuzz FuzzReadBackupIndex ./batch
func FuzzReadBackupIndex(f *testing.F) {
	sum := strings.Repeat("ab", 32)
	for _, s := range []string{
		"", "{}", "null", `{"host": "h1", "address": "127.0.0.1:3560", "files": []}`,
		`{"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "001-X.INI", "sha256": "` + sum + `", "saved": "2026-12-07T08:00:00Z", "after": "absent"}, {"remote": "D:/Y.TNI", "absent": true}]}`,
		`{"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "absent": true, "backup": "001-X.INI", "sha256": "` + sum + `"}]}`,
		`{"host": "h1", "address": "127.0.0.1\nx:47561", "files": []}`,
		`{"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\A\\..\\X.INI", "absent": true}, {"remote": "c:/x.ini.", "absent": true}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		idx, err := parseBackupIndex("d/index.json", []byte(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "backup index d/index.json: ") {
				t.Fatalf("error without the index named: %v", err)
			}
			return
		}
		for i, e := range idx.Files {
			if e.Absent == (e.Backup != "") || e.Absent == (e.SHA256 != "") {
				t.Fatalf("files[%d] accepted with absent %v, backup %q, sha256 %q", i, e.Absent, e.Backup, e.SHA256)
			}
			if e.Backup == IndexFile || strings.ContainsAny(e.Backup, `/\`) {
				t.Fatalf("files[%d] accepted with backup %q", i, e.Backup)
			}
		}
		data, err := json.Marshal(idx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseBackupIndex("again", data); err != nil {
			t.Fatalf("an accepted index marshalled back is refused: %v\n%s", err, data)
		}
	})
}
