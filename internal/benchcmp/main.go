// Command benchcmp runs the project's speed and memory benchmarks beside
// their limits and prints one table of ratios (docs/PERFORMANCE.md):
//
//	go run ./internal/benchcmp            # from the repository root
//	go run ./internal/benchcmp -count 3 -benchtime 1s
//
// Each figure is divided by a reference measured in the same test process
// just before or after it: binary INI read and write by memmove (copy of
// the same bytes, a buffer filled with data), TNI read by encoding/hex
// Decode and TNI write by encoding/hex Encode of as many text bytes, the
// server's V of a 64 KiB value by hex.Encode of the value, the server's
// A/K/V commands by a bare loopback line echo, and the Lua table view's
// f[app][key] by a plain gopher-lua table. Absolute speeds vary with the
// load of a shared machine by 2x or more; such ratios vary much less.
//
// Every package's benchmarks run once per round (go test -count 1, so a
// figure and its reference are measured seconds apart), -count rounds in
// all, and the table gives the median ratio over the rounds with every
// round's value. Rows whose goal is missed are marked NO and make the exit
// status 1; a row whose input is absent (the real INI file, without
// ../shared) is left out. -raw FILE also writes the go test output.
//
// The benchmarks are ordinary go test benchmarks, so one can be profiled
// on its own, e.g.
//
//	go test -run '^$' -bench 'TNIRead' -cpuprofile cpu.out ./ini
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/inilua/inilua/internal/version"
)

func main() {
	count := flag.Int("count", 3, "rounds; the table gives the median of the rounds' ratios")
	benchtime := flag.String("benchtime", "1s", "go test -benchtime for every benchmark")
	raw := flag.String("raw", "", "also write the raw go test output to this file")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `usage: go run ./internal/benchcmp [-count N] [-benchtime D] [-raw FILE]

Runs the speed and memory benchmarks of ./ini, ./server and ./luaapi beside
their references (memmove, encoding/hex, a bare loopback echo, a plain Lua
table) in the same test process and prints each ratio's median over the
rounds with its goal (docs/PERFORMANCE.md). Exit status 1 when a goal is
missed. Rows on the real INI files are left out without ../shared.

`)
		flag.PrintDefaults()
	}
	flag.Parse()
	switch {
	case *count < 1:
		fmt.Fprintf(os.Stderr, "benchcmp: -count %d: want at least 1 round\n", *count)
		os.Exit(2)
	case flag.NArg() > 0:
		fmt.Fprintf(os.Stderr, "benchcmp: unexpected argument %q (benchcmp takes only flags; -h lists them)\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := checkBenchtime(*benchtime); err != nil {
		fmt.Fprintln(os.Stderr, "benchcmp:", err)
		os.Exit(2)
	}
	var rawOut io.Writer = io.Discard
	if *raw != "" {
		f, err := os.Create(*raw)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchcmp:", err)
			os.Exit(1)
		}
		defer f.Close()
		rawOut = f
	}
	missed, err := run(os.Stdout, os.Stderr, rawOut, *count, *benchtime)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcmp:", err)
		os.Exit(1)
	}
	if missed > 0 {
		os.Exit(1)
	}
}

// checkBenchtime returns an error unless d is what go test -benchtime
// takes: a positive duration ("1s", "500ms") or a positive count of
// iterations ("100x").
func checkBenchtime(d string) error {
	if n, ok := strings.CutSuffix(d, "x"); ok {
		if i, err := strconv.Atoi(n); err != nil || i < 1 {
			return fmt.Errorf("-benchtime %q: want a positive count of iterations before x, e.g. 100x", d)
		}
		return nil
	}
	if t, err := time.ParseDuration(d); err != nil || t <= 0 {
		return fmt.Errorf("-benchtime %q: want a positive duration (e.g. 1s, 500ms) or a count (e.g. 100x)", d)
	}
	return nil
}

// run runs count rounds of every package's benchmarks with go test,
// reporting progress on progress, and prints the table on out. It returns
// the number of goals missed.
func run(out, progress, raw io.Writer, count int, benchtime string) (int, error) {
	pkgs, pattern := benchmarks(rows)
	runs := make([]map[string]map[string]result, count)
	for i := range runs {
		runs[i] = map[string]map[string]result{}
		for _, p := range pkgs {
			fmt.Fprintf(progress, "round %d/%d: %s\n", i+1, count, p)
			cmd := exec.Command("go", "test", "-run", "^$", "-bench", pattern[p], "-benchmem",
				"-benchtime", benchtime, "-count", "1", p)
			var stdout bytes.Buffer
			cmd.Stdout = io.MultiWriter(&stdout, raw)
			cmd.Stderr = progress
			if err := cmd.Run(); err != nil {
				return 0, fmt.Errorf("go test %s: %w\n%s", p, err, stdout.Bytes())
			}
			res, err := parse(&stdout, p)
			if err != nil {
				return 0, err
			}
			runs[i][p] = res
		}
	}
	fmt.Fprintf(out, "inilua %s\n\n", version.Get())
	return table(out, rows, runs), nil
}
