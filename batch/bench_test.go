package batch

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inilua/inilua/scripts"
)

// BenchmarkBatch runs scripts/set-setting.lua (the demo migration: $SYS
// TimeOut in the three *.INI files of C:\MAILSRV) over 10, 100 and 1000
// sample hosts, each an in-process server on its own loopback listener,
// with --forks 100. After an untimed warm-up run, every iteration writes a
// new value, so every host really changes three files. Reported: s/batch (wall time of one batch
// run), hosts/s, and peak-KiB/host-in-flight: the peak of the live heap
// (as marked by each garbage collection during the run) above the idle
// baseline, divided by the hosts running at once. It counts the runner,
// the Lua states, the clients and the in-process servers together, so it
// is an upper bound for the runner's own memory per host.
//
//	go test -run '^$' -bench Batch -benchtime 3x ./batch
func BenchmarkBatch(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) { benchBatch(b, n, 100) })
	}
}

func benchBatch(b *testing.B, n, forks int) {
	root := b.TempDir()
	dirs := make([]string, n)
	for i := range n {
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
	inFlight := min(forks, n)
	// warm-up run: fills the servers' file caches, so the baseline below
	// holds them and the peak measures what hosts in flight add
	warm := []string{`dir=` + SampleDir, "app=$SYS", "key=TimeOut", "type=u32", "value=299"}
	if _, err := Run(context.Background(), hosts, Options{Script: "set-setting.lua", Code: code, Args: warm, Forks: forks}); err != nil {
		b.Fatal(err)
	}
	var peakSum float64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
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
		args := []string{`dir=` + SampleDir, "app=$SYS", "key=TimeOut", "type=u32", fmt.Sprintf("value=%d", 300+i)}
		b.StartTimer()
		results, err := Run(context.Background(), hosts, Options{Script: "set-setting.lua", Code: code, Args: args, Forks: forks})
		b.StopTimer()
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		s := Summarize(results)
		if s.Failed+s.Unreachable+s.Skipped != 0 || s.Changed != n {
			b.Fatalf("run %d: %+v", i, s)
		}
		if p := peak.Load(); p > base {
			peakSum += float64(p-base) / float64(inFlight)
		}
		b.StartTimer()
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec, "s/batch")
	b.ReportMetric(float64(n)/sec, "hosts/s")
	b.ReportMetric(peakSum/float64(b.N)/1024, "peak-KiB/host-in-flight")
}

// liveHeap returns the live heap in bytes as marked by the last garbage
// collection (garbage not yet collected does not count).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func readScript(name string) ([]byte, error) { return scripts.FS.ReadFile(name) }
