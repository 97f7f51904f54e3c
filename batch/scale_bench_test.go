//go:build unix

package batch

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkScale10k runs the demo migration (scripts/set-setting.lua:
// three *.INI files changed per host, each an atomic save by the server)
// with --forks 200 over 1,000 and over 10,000 sample hosts, each an
// in-process server on its own loopback listener, both in every
// iteration, so the ratio of the two is measured under the same load.
// After an untimed --check warm-up over all hosts (it fills the servers'
// file caches), each iteration writes new values, so every host changes.
// Reported, as medians over the iterations (use -benchtime 3x):
//
//   - s/1k, s/10k: wall time of the run over 1,000 and 10,000 hosts;
//   - ratio-10k/1k: their ratio (linear growth gives 10);
//   - cpu-ratio-10k/1k: the ratio of the CPU time (user and system) the
//     process used in the two runs: the work, less sensitive than wall
//     time to other processes on a shared machine;
//   - KiB/host-in-flight: the peak live heap (as marked by each garbage
//     collection) above the idle baseline during the 1,000-host run,
//     divided by the 200 hosts in flight;
//   - MiB/run-10k: the same peak above the baseline for the 10,000-host
//     run: what the run adds, the results of every host included;
//   - MiB/heap-10k: the peak live heap of the whole process during that
//     run, the idle servers and their caches included.
//
// It needs about 10,300 open files (RaiseOpenFileLimit raises the soft
// limit) and writes 50,000 small files under the temporary directory.
//
//	nice -n 10 go test -run '^$' -bench Scale10k -benchtime 3x -timeout 30m ./batch
func BenchmarkScale10k(b *testing.B) {
	const forks, small, large = 200, 1000, 10000
	if soft, _, err := RaiseOpenFileLimit(); err == nil && soft < large+forks*4+256 {
		b.Fatalf("the open-file limit %d is too low for %d in-process servers (ulimit -n)", soft, large)
	}
	root := b.TempDir()
	dirs := make([]string, large)
	for i := range large {
		dirs[i] = filepath.Join(root, fmt.Sprintf("host%d", i+1))
		if err := WriteSampleHost(dirs[i], i); err != nil {
			b.Fatal(err)
		}
	}
	hosts, shutdown, err := LocalServers(dirs, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer shutdown()
	code, err := readScript("set-setting.lua")
	if err != nil {
		b.Fatal(err)
	}
	run := func(hosts []*Host, value int, check bool) (time.Duration, time.Duration, uint64, uint64) {
		runtime.GC()
		base := liveHeap()
		stop := make(chan struct{})
		var peak atomic.Uint64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // sample the live heap without stopping the world
			defer wg.Done()
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			for {
				if h := liveHeap(); h > peak.Load() {
					peak.Store(h)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		args := []string{`dir=` + SampleDir, "app=$SYS", "key=TimeOut", "type=u32", fmt.Sprintf("value=%d", value)}
		start, cpu0 := time.Now(), cpuTime()
		results, err := Run(context.Background(), hosts, Options{Script: "set-setting.lua", Code: code, Args: args, Forks: forks, Check: check})
		wall, cpu := time.Since(start), cpuTime()-cpu0
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if s := Summarize(results); s.Failed+s.Unreachable+s.Skipped != 0 || s.Changed != len(hosts) {
			b.Fatalf("%d hosts, value %d: %+v", len(hosts), value, s)
		}
		runtime.KeepAlive(results)
		p := peak.Load()
		return wall, cpu, max(p, base) - base, p
	}
	run(hosts, 299, true)

	var t1, t10, ratio, cpuRatio, perHost, run10, heap10 []float64
	for i := 0; b.Loop(); i++ {
		w1, c1, p1, _ := run(hosts[:small], 1000+2*i, false)
		w10, c10, p10, abs10 := run(hosts, 1001+2*i, false)
		t1 = append(t1, w1.Seconds())
		t10 = append(t10, w10.Seconds())
		ratio = append(ratio, w10.Seconds()/w1.Seconds())
		cpuRatio = append(cpuRatio, c10.Seconds()/c1.Seconds())
		perHost = append(perHost, float64(p1)/forks/1024)
		run10 = append(run10, float64(p10)/(1<<20))
		heap10 = append(heap10, float64(abs10)/(1<<20))
	}
	b.ReportMetric(median(t1), "s/1k")
	b.ReportMetric(median(t10), "s/10k")
	b.ReportMetric(median(ratio), "ratio-10k/1k")
	b.ReportMetric(median(cpuRatio), "cpu-ratio-10k/1k")
	b.ReportMetric(median(perHost), "KiB/host-in-flight")
	b.ReportMetric(median(run10), "MiB/run-10k")
	b.ReportMetric(median(heap10), "MiB/heap-10k")
	b.Logf("per iteration: s/1k %.2f, s/10k %.2f, ratio %.2f, cpu ratio %.2f, KiB/host-in-flight %.0f, MiB/run-10k %.1f, MiB/heap-10k %.1f",
		t1, t10, ratio, cpuRatio, perHost, run10, heap10)
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// median returns the median of v (the mean of the middle two for an even
// count).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
