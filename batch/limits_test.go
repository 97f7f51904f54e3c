package batch

import (
	"context"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// emfileDial fails its first n calls as a process out of descriptors
// does (socket: too many open files), then dials for real.
func emfileDial(n int64, calls *atomic.Int64) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if calls.Add(1) <= n {
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("socket", syscall.EMFILE)}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// TestDialWaitsForDescriptors: a host that cannot connect for lack of file
// descriptors waits and retries instead of failing.
func TestDialWaitsForDescriptors(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	var calls atomic.Int64
	results, err := Run(context.Background(), hosts, Options{
		Script: "s.lua", Code: []byte(`print("connected")`), DialContext: emfileDial(3, &calls),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Status != StatusOK || calls.Load() != 4 {
		t.Fatalf("status %s (%s) after %d dials, want ok after 4", r.Status, r.Err, calls.Load())
	}
	if !strings.Contains(string(r.Output), "out of file descriptors; waited ") || !strings.Contains(string(r.Output), "connected") {
		t.Errorf("output %q", r.Output)
	}
}

// TestDialGivesUpWithoutDescriptors: when descriptors never come back and
// no host finishes for --timeout, the host is unreachable with the error
// and what to do.
func TestDialGivesUpWithoutDescriptors(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	var calls atomic.Int64
	results, err := Run(context.Background(), hosts, Options{
		Script: "s.lua", Code: []byte(`print("connected")`), DialContext: emfileDial(1<<40, &calls), Timeout: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Status != StatusUnreachable || !strings.Contains(r.Err, "too many open files") || !strings.Contains(r.Err, "lower --forks or raise the open-file limit, ulimit -n") || calls.Load() < 2 {
		t.Errorf("status %s, error %q after %d dials", r.Status, r.Err, calls.Load())
	}
	if !OutOfDescriptors(&net.OpError{Err: os.NewSyscallError("accept", syscall.ENFILE)}) || OutOfDescriptors(syscall.ECONNREFUSED) {
		t.Error("OutOfDescriptors: ENFILE is, ECONNREFUSED is not")
	}
}
