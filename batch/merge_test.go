package batch

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/internal/version"
)

// sampleReport is a report with every kind of field: hex names, absent
// and empty values, a skipped host without times, variables out of
// alphabetical order.
func sampleReport(shard Shard, args ...string) ([]*Result, ReportMeta) {
	t0 := time.Date(2026, 12, 4, 18, 40, 1, 120e6, time.UTC)
	a := &Host{Name: "a", Address: "a:3560", Groups: []string{"mail", "eu"}, Vars: map[string]string{"zone": "1", "role": "x y"}, VarOrder: []string{"zone", "role"}}
	b := &Host{Name: "b", Address: "b:3560", Vars: map[string]string{}}
	c := &Host{Name: "c", Address: "c:3560", Groups: []string{"mail"}}
	results := []*Result{
		{Host: a, Status: StatusChanged, Start: t0, End: t0.Add(44 * time.Millisecond), Duration: 44 * time.Millisecond, Position: 3,
			Notified: []string{`\SEM32\X`}, Changes: []Change{
				{File: `C:\X.INI`, Application: "app\x81", Key: "k", Old: nil, New: []byte{1, 0xAB}},
				{File: `C:\X.INI`, Application: "app", Key: "gone\xff", Old: []byte{}, New: nil},
				{File: `C:\D`, Op: "mkdir"},
			}},
		{Host: b, Status: StatusFailed, Err: "boom", Start: t0, End: t0.Add(time.Second), Duration: time.Second, Position: 5},
		{Host: c, Status: StatusSkipped, Err: "not started: interrupted", Position: 7},
	}
	return results, ReportMeta{Script: NewScriptInfo("s.lua", []byte("return"), args), Shard: shard, Version: version.Info{Module: "v1.2.3", GoVersion: "go1.26.8"}}
}

// TestReportRoundTrip: a report read back and written again is the same
// bytes.
func TestReportRoundTrip(t *testing.T) {
	results, meta := sampleReport(Shard{Index: 2, Count: 3}, "k=v")
	var first bytes.Buffer
	if err := WriteReport(&first, results, meta); err != nil {
		t.Fatal(err)
	}
	rep, err := ReadReport(bytes.NewReader(first.Bytes()), "r.json")
	if err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	if err := WriteReport(&second, rep.Results, rep.Meta); err != nil {
		t.Fatal(err)
	}
	if second.String() != first.String() {
		t.Errorf("written\n%s\nread back and written\n%s", first.String(), second.String())
	}
	if got := rep.Results[0].Changes[0].Application; got != "app\x81" {
		t.Errorf("hex application read back as %q", got)
	}
	if rep.Results[0].Changes[1].Old == nil || rep.Results[0].Changes[0].Old != nil {
		t.Error("empty and absent values are not told apart")
	}
}

func TestMergeRefuses(t *testing.T) {
	read := func(shard Shard, args ...string) *Report {
		results, meta := sampleReport(shard, args...)
		var buf bytes.Buffer
		WriteReport(&buf, results, meta)
		rep, err := ReadReport(&buf, "x")
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	disjoint := func(rep *Report, prefix string) *Report {
		for _, r := range rep.Results {
			r.Host.Name = prefix + r.Host.Name
		}
		return rep
	}
	s1, s2 := Shard{Index: 1, Count: 2}, Shard{Index: 2, Count: 2}
	checked := disjoint(read(s2, "k=v"), "z")
	checked.Meta.Check = true
	for _, tc := range []struct {
		reports []*Report
		want    string
	}{
		{[]*Report{read(s1, "k=v"), read(s2, "k=v")}, "host a is in both one.json and two.json"},
		{[]*Report{read(s1, "k=v"), disjoint(read(s1, "k=v"), "z")}, "one.json and two.json are both shard 1/2"},
		{[]*Report{read(s1, "k=v"), disjoint(read(s2, "k=w"), "z")}, "the script's arguments differs (k=v vs k=w)"},
		{[]*Report{read(s1, "k=v"), disjoint(read(Shard{Index: 2, Count: 3}, "k=v"), "z")}, "the number of shards differs (2 shards vs 3 shards)"},
		{[]*Report{read(s1, "k=v"), checked}, "--check differs"},
	} {
		_, err := Merge([]string{"one.json", "two.json"}, tc.reports)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("merge: %v, want %q", err, tc.want)
		}
	}
	other := read(s1, "k=v")
	other.Meta.Script.SHA256 = strings.Repeat("0", 64)
	if _, err := Merge([]string{"one.json", "two.json"}, []*Report{disjoint(other, "z"), read(s2, "k=v")}); err == nil || !strings.Contains(err.Error(), "sha256 differs") {
		t.Errorf("merge of two scripts: %v", err)
	}

	// shard 2 then shard 1: hosts by position, ties in input order
	a, b := read(s2, "k=v"), disjoint(read(s1, "k=v"), "z")
	b.Results[0].Position = 4
	m, err := Merge([]string{"two.json", "one.json"}, []*Report{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range m.Results {
		order = append(order, r.Host.Name)
	}
	if strings.Join(order, ",") != "a,za,b,zb,c,zc" || len(m.MissingShards()) != 0 || m.Meta.Shard.Count != 0 || len(m.Meta.Merged) != 2 || m.Meta.Merged[0].Shard.Index != 2 {
		t.Errorf("merged order %v, missing %v, meta %+v", order, m.MissingShards(), m.Meta)
	}
	if m, _ := Merge([]string{"two.json"}, []*Report{read(Shard{Index: 2, Count: 3}, "k=v")}); m == nil || len(m.MissingShards()) != 2 || m.MissingShards()[1] != 3 {
		t.Errorf("missing shards of a merge of shard 2/3 alone: %v", m.MissingShards())
	}
}

// TestMergeHostTwiceInOneReport names the one report, not "both".
func TestMergeHostTwiceInOneReport(t *testing.T) {
	rep, err := ReadReport(strings.NewReader(`{"hosts": [{"name": "h1", "address": "h1:3560", "status": "ok"}, {"name": "h1", "address": "h1:3560", "status": "ok"}]}`), "dup.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge([]string{"dup.json"}, []*Report{rep}); err == nil || !strings.Contains(err.Error(), "host h1 is twice in dup.json") {
		t.Errorf("Merge: %v", err)
	}
	if _, err := ParseThreshold("200%"); err == nil || !strings.Contains(err.Error(), `"200%" is not N or P%: a percentage is at most 100%`) {
		t.Errorf("ParseThreshold(200%%): %v", err)
	}
}
