package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchfmt"
)

// kind says how a row's ratio is computed from its two results.
type kind int

const (
	// speed: reference ns/op ÷ figure ns/op (both do the same work per op,
	// so this is the figure's share of the reference's throughput; higher
	// is better).
	speed kind = iota
	// cost: figure ns/op ÷ reference ns/op (how many times slower than the
	// reference; lower is better).
	cost
	// memory: figure B/op ÷ figure textB/op (bytes allocated per byte of
	// input; lower is better). The reference is not used.
	memory
	// allocs: figure allocs/op (lower is better). The reference is not used.
	allocs
)

// noGoal is row.goal for a row shown without a goal (every ratio and
// count in the table is >= 0, so a negative bound cannot be meant).
const noGoal = -1

// row is one line of the table: a figure, the reference it is divided by
// and the goal.
type row struct {
	pkg    string  // package directory, e.g. "./ini"
	figure string  // benchmark name without "Benchmark" and without -GOMAXPROCS
	ref    string  // reference benchmark, same form ("" for memory and allocs)
	kind   kind    //
	goal   float64 // the goal's bound (0 is a bound: "0 allocations"); noGoal: none
	what   string  // short description for the table
}

// rows is the table printed by benchcmp. Each figure and its reference are
// in the same package, so they run in the same test process, one after the
// other.
var rows = []row{
	{"./ini", "BinaryRead/gen4MiB", "Copy/gen4MiB", speed, 1.0 / 20, "binary read (4 MiB generated) vs memmove"},
	{"./ini", "BinaryRead/real/URE.INI", "Copy/real/URE.INI", speed, 1.0 / 20, "binary read (largest real file) vs memmove"},
	// Binary write as copy does it, into memory the caller holds
	// (AppendBinary into a reused buffer): the goal's row, as for the TNI
	// write. BinaryWrite (MarshalBinary, a new output each time: the
	// runtime's zeroing, page faults and collection of 4 MiB, which GOGC
	// alone moves by 1.7x) is shown beside it without a goal.
	{"./ini", "BinaryAppend/gen4MiB", "Copy/gen4MiB", speed, 1.0 / 20, "binary write, reused buffer (4 MiB generated) vs memmove"},
	{"./ini", "BinaryAppend/real/URE.INI", "Copy/real/URE.INI", speed, 1.0 / 20, "binary write, reused buffer (largest real file) vs memmove"},
	{"./ini", "BinaryWrite/gen4MiB", "Copy/gen4MiB", speed, noGoal, "binary write, new output (4 MiB generated) vs memmove"},
	{"./ini", "BinaryWrite/real/URE.INI", "Copy/real/URE.INI", speed, noGoal, "binary write, new output (largest real file) vs memmove"},
	// TNI read as hex.Decode does it, into memory the caller holds
	// (UnmarshalTNI into a File that read a file before, its memory
	// reused): the goal's row, as for the write below. TNIRead (ParseTNI,
	// a new File each time, with its allocation and garbage collection) is
	// shown beside it without a goal; its memory keeps the memory goal.
	{"./ini", "TNIUnmarshal/generated4MiB", "HexDecode/generated4MiB", speed, 0.33, "TNI read, reused File (4 MiB generated) vs hex.Decode"},
	{"./ini", "TNIUnmarshal/largestReal", "HexDecode/largestReal", speed, 0.33, "TNI read, reused File (largest real file) vs hex.Decode"},
	{"./ini", "TNIRead/generated4MiB", "HexDecode/generated4MiB", speed, noGoal, "TNI read, new File (4 MiB generated) vs hex.Decode"},
	{"./ini", "TNIRead/largestReal", "HexDecode/largestReal", speed, noGoal, "TNI read, new File (largest real file) vs hex.Decode"},
	{"./ini", "TNIRead/generated4MiB", "", memory, 1.2, "TNI read (4 MiB generated): B/op ÷ text bytes"},
	{"./ini", "TNIRead/largestReal", "", memory, 1.2, "TNI read (largest real file): B/op ÷ text bytes"},
	// TNI write as hex.Encode does it, into memory the caller holds
	// (AppendTNI into a reused buffer): the goal's row. TNIWrite
	// (MarshalTNI, a new output each time, with its allocation and
	// garbage collection) is shown beside it without a goal.
	{"./ini", "TNIAppend/generated4MiB", "HexEncode/generated4MiB", speed, 0.4, "TNI write, reused buffer (4 MiB generated) vs hex.Encode"},
	{"./ini", "TNIAppend/largestReal", "HexEncode/largestReal", speed, 0.4, "TNI write, reused buffer (largest real file) vs hex.Encode"},
	{"./ini", "TNIWrite/generated4MiB", "HexEncode/generated4MiB", speed, noGoal, "TNI write, new output (4 MiB generated) vs hex.Encode"},
	{"./ini", "TNIWrite/largestReal", "HexEncode/largestReal", speed, noGoal, "TNI write, new output (largest real file) vs hex.Encode"},
	{"./server", "V64K", "HexEncode64K", speed, 0.8, "server V of a 64 KiB value vs hex.Encode"},
	{"./server", "Commands/1KiB/sequential", "BareEcho/sequential", speed, 0.5, "server A/K/V sequential (1 KiB file) vs bare echo"},
	{"./server", "Commands/1MiB/sequential", "BareEcho/sequential", speed, 0.5, "server A/K/V sequential (1 MiB file) vs bare echo"},
	{"./server", "Commands/1KiB/pipelined", "BareEcho/pipelined", speed, 0.4, "server A/K/V pipelined (1 KiB file) vs bare echo"},
	{"./server", "Commands/1MiB/pipelined", "BareEcho/pipelined", speed, 0.4, "server A/K/V pipelined (1 MiB file) vs bare echo"},
	{"./luaapi", "ViewRead", "TableRead", cost, 1.5, "Lua f[app][key] read vs plain table (x slower)"},
	// The floor (luaapi's floorView: a userdata with only __index in its
	// metatable at both levels, made as a small Go map, no Go code) is what
	// gopher-lua charges any view that sees every write; ViewRead over it is
	// what luaapi adds.
	{"./luaapi", "FloorRead", "TableRead", cost, noGoal, "Lua read through the floor of a view vs plain table (x slower)"},
	{"./luaapi", "ViewRead", "FloorRead", cost, 1.2, "Lua f[app][key] read vs the floor of a view (x slower)"},
	{"./luaapi", "ViewRead", "", allocs, 2, "Lua f[app][key] read: allocations per access"},
	{"./luaapi", "ViewWrite", "TableWrite", cost, noGoal, "Lua f[app][key] write vs plain table (x slower)"},
	{"./luaapi", "ViewWrite", "", allocs, 0, "Lua f[app][key] write: allocations per access"},
}

// benchmarks returns, per package, the -bench pattern that runs every
// figure and reference of rs (top-level names; sub-benchmarks all run).
func benchmarks(rs []row) (pkgs []string, pattern map[string]string) {
	names := map[string][]string{}
	for _, r := range rs {
		for _, n := range []string{r.figure, r.ref} {
			if n == "" {
				continue
			}
			top, _, _ := strings.Cut(n, "/")
			if !slices.Contains(names[r.pkg], top) {
				names[r.pkg] = append(names[r.pkg], top)
			}
		}
		if !slices.Contains(pkgs, r.pkg) {
			pkgs = append(pkgs, r.pkg)
		}
	}
	pattern = map[string]string{}
	for p, ns := range names {
		pattern[p] = "^Benchmark(" + strings.Join(ns, "|") + ")$"
	}
	return pkgs, pattern
}

// result is what one benchmark line reports.
type result struct {
	nsPerOp, bytesPerOp, allocsPerOp, textBytesPerOp float64
}

var procsSuffix = regexp.MustCompile(`-[0-9]+$`)

// parse reads `go test -bench` output and returns the results by name
// (without "Benchmark" and without the -GOMAXPROCS suffix). A name that
// appears twice keeps its last result.
func parse(r io.Reader, name string) (map[string]result, error) {
	out := map[string]result{}
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		res, ok := br.Result().(*benchfmt.Result)
		if !ok {
			continue // syntax errors and unit metadata: go test prints none we need
		}
		n := strings.TrimPrefix(procsSuffix.ReplaceAllString(string(res.Name), ""), "Benchmark")
		var v result
		v.nsPerOp, _ = res.Value("sec/op")
		v.nsPerOp *= 1e9
		v.bytesPerOp, _ = res.Value("B/op")
		v.allocsPerOp, _ = res.Value("allocs/op")
		v.textBytesPerOp, _ = res.Value("textB/op")
		out[n] = v
	}
	if err := br.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// ratio computes row r's figure from one run's results of r's package; ok
// is false when the run lacks a benchmark of the row (e.g. the real-file
// inputs without ../shared).
func (r row) ratio(res map[string]result) (float64, bool) {
	f, ok := res[r.figure]
	if !ok {
		return 0, false
	}
	switch r.kind {
	case memory:
		if f.textBytesPerOp == 0 {
			return 0, false
		}
		return f.bytesPerOp / f.textBytesPerOp, true
	case allocs:
		return f.allocsPerOp, true
	}
	ref, ok := res[r.ref]
	if !ok || f.nsPerOp == 0 || ref.nsPerOp == 0 {
		return 0, false
	}
	if r.kind == cost {
		return f.nsPerOp / ref.nsPerOp, true
	}
	return ref.nsPerOp / f.nsPerOp, true
}

// median returns the median of xs (the mean of the middle two for an even
// count); xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// met reports whether ratio x meets row r's goal, and the goal as text.
func (r row) met(x float64) (goal string, ok bool) {
	switch {
	case r.goal < 0: // noGoal
		return "", true
	case r.kind == speed:
		return fmt.Sprintf(">= %.3g", r.goal), x >= r.goal
	default:
		return fmt.Sprintf("<= %.3g", r.goal), x <= r.goal
	}
}

// table writes the table of medians: runs[i] holds the results of run i
// by package. It returns the number of rows whose goal is not met.
func table(w io.Writer, rs []row, runs []map[string]map[string]result) int {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "what\tfigure\treference\tratio (median of %d)\truns\tgoal\tmet\n", len(runs))
	missed := 0
	for _, r := range rs {
		var xs []float64
		for _, run := range runs {
			if x, ok := r.ratio(run[r.pkg]); ok {
				xs = append(xs, x)
			}
		}
		if len(xs) == 0 {
			continue // input absent (real files)
		}
		each := make([]string, len(xs))
		for i, x := range xs {
			each[i] = fmt.Sprintf("%.3g", x)
		}
		m := median(xs)
		goal, ok := r.met(m)
		mark := "yes"
		switch {
		case goal == "":
			mark = ""
		case !ok:
			mark = "NO"
			missed++
		}
		ref := r.ref
		if ref == "" {
			ref = "-"
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%.3g\t%s\t%s\t%s\n", r.what, r.pkg, r.figure, ref, m, strings.Join(each, " "), goal, mark)
	}
	tw.Flush()
	return missed
}
