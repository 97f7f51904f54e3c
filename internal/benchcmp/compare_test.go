package main

import (
	"strings"
	"testing"
)

const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/inilua/inilua/ini
cpu: Some CPU
BenchmarkTNIRead/generated4MiB-2         	     100	   4000000 ns/op	 1000.00 MB/s	 5000000 B/op	     100 allocs/op	   4000000 textB/op
BenchmarkHexDecode/generated4MiB-2       	    1000	   1000000 ns/op	 4000.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkViewRead-2   	 1000000	       300.0 ns/op	     133 B/op	       6 allocs/op
BenchmarkTableRead-2  	 1000000	       100.0 ns/op	      13 B/op	       0 allocs/op
PASS
`

func TestParseAndRatios(t *testing.T) {
	res, err := parse(strings.NewReader(sampleOutput), "sample")
	if err != nil {
		t.Fatal(err)
	}
	if got := res["TNIRead/generated4MiB"]; got.nsPerOp != 4e6 || got.bytesPerOp != 5e6 || got.allocsPerOp != 100 || got.textBytesPerOp != 4e6 {
		t.Fatalf("TNIRead parsed as %+v", got)
	}
	for _, c := range []struct {
		r    row
		want float64
	}{
		{row{figure: "TNIRead/generated4MiB", ref: "HexDecode/generated4MiB", kind: speed}, 0.25},
		{row{figure: "TNIRead/generated4MiB", kind: memory}, 1.25},
		{row{figure: "ViewRead", ref: "TableRead", kind: cost}, 3},
		{row{figure: "ViewRead", kind: allocs}, 6},
	} {
		got, ok := c.r.ratio(res)
		if !ok || got != c.want {
			t.Errorf("%s/%s kind %d: %v, %v; want %v", c.r.figure, c.r.ref, c.r.kind, got, ok, c.want)
		}
	}
	if _, ok := (row{figure: "TNIRead/largestReal", ref: "HexDecode/largestReal"}).ratio(res); ok {
		t.Error("a missing figure gave a ratio")
	}
}

func TestMedianAndGoal(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median of 3 1 2 = %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("median of 4 1 2 3 = %v", m)
	}
	if _, ok := (row{kind: speed, goal: 0.33}).met(0.3); ok {
		t.Error("speed 0.3 met a >= 0.33 goal")
	}
	if _, ok := (row{kind: cost, goal: 1.5}).met(1.4); !ok {
		t.Error("cost 1.4 missed a <= 1.5 goal")
	}
	if g, ok := (row{kind: allocs, goal: 0}).met(1); ok || g != "<= 0" {
		t.Errorf("1 allocation against a goal of 0: goal %q, met %v", g, ok)
	}
	if g, ok := (row{kind: speed, goal: noGoal}).met(0.01); !ok || g != "" {
		t.Errorf("a row without a goal: goal %q, met %v", g, ok)
	}
}

func TestTableMarksMissedGoals(t *testing.T) {
	res, err := parse(strings.NewReader(sampleOutput), "sample")
	if err != nil {
		t.Fatal(err)
	}
	rs := []row{
		{pkg: "p", figure: "TNIRead/generated4MiB", ref: "HexDecode/generated4MiB", kind: speed, goal: 0.2, what: "read"},
		{pkg: "p", figure: "ViewRead", ref: "TableRead", kind: cost, goal: 1.5, what: "view"},
		{pkg: "p", figure: "TNIRead/largestReal", ref: "HexDecode/largestReal", kind: speed, goal: 0.2, what: "absent"},
	}
	var b strings.Builder
	runs := []map[string]map[string]result{{"p": res}}
	if missed := table(&b, rs, runs); missed != 1 {
		t.Errorf("%d goals missed, want 1:\n%s", missed, b.String())
	}
	out := b.String()
	if !strings.Contains(out, "0.25") || !strings.Contains(out, "NO") || strings.Contains(out, "absent") {
		t.Errorf("table:\n%s", out)
	}
}

func TestBenchmarksPattern(t *testing.T) {
	pkgs, pat := benchmarks(rows)
	if len(pkgs) != 3 {
		t.Fatalf("packages %v", pkgs)
	}
	if p := pat["./ini"]; !strings.Contains(p, "|HexDecode|") && !strings.Contains(p, "(HexDecode|") && !strings.HasSuffix(p, "|HexDecode)$") {
		t.Errorf("ini pattern %q lacks HexDecode", p)
	}
}

func TestCheckBenchtime(t *testing.T) {
	for _, d := range []string{"1s", "500ms", "100x", "1x"} {
		if err := checkBenchtime(d); err != nil {
			t.Errorf("%q: %v", d, err)
		}
	}
	for _, d := range []string{"", "0s", "-1s", "1", "x", "0x", "-3x", "ax", "1sx", "forever"} {
		if err := checkBenchtime(d); err == nil {
			t.Errorf("%q accepted", d)
		}
	}
}
