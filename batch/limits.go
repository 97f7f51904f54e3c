package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/inilua/inilua/client"
)

// Waiting for a file descriptor: the first retry after fdRetryMin, each
// next one after twice as long, at most fdRetryMax.
const (
	fdRetryMin = 10 * time.Millisecond
	fdRetryMax = time.Second
)

// OutOfDescriptors reports whether err is the process (EMFILE) or the
// system (ENFILE) having no file descriptor left.
func OutOfDescriptors(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

// release is a broadcast: wait returns a channel that is closed at the
// next signal.
type release struct {
	mu sync.Mutex
	ch chan struct{}
}

func (b *release) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

func (b *release) signal() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}

// dial connects to h. While the process has no file descriptor left for
// the connection (OutOfDescriptors), it waits for a running host to
// finish (which closes its session) or for a growing delay (fdRetryMin
// to fdRetryMax) and tries again; it gives up with the error, saying what
// to do, only when no host has finished for Options.Timeout, or on Stop
// or ctx. The time waited is noted in the host's output.
func (r *runner) dial(ctx context.Context, h *Host, copts client.Options, out *capWriter) (*client.Session, error) {
	delay := fdRetryMin
	first := time.Time{}
	deadline := time.Time{}
	for {
		freed := r.freed.wait()
		sess, err := client.Dial(ctx, h.Address, copts)
		if err == nil || !OutOfDescriptors(err) {
			if err == nil && !first.IsZero() {
				fmt.Fprintf(out, "inilua: out of file descriptors; waited %s for one to connect\n", time.Since(first).Round(time.Millisecond))
			}
			return sess, err
		}
		now := time.Now()
		if first.IsZero() {
			first, deadline = now, now.Add(r.opts.Timeout)
		}
		if now.After(deadline) {
			return nil, fmt.Errorf("%w (out of file descriptors, no host finished for %s: lower --forks or raise the open-file limit, ulimit -n)", err, r.opts.Timeout)
		}
		t := time.NewTimer(delay)
		select {
		case <-freed:
			deadline = time.Now().Add(r.opts.Timeout) // descriptors were released: keep trying
		case <-t.C:
			delay = min(2*delay, fdRetryMax)
		case <-r.soft.Done():
			t.Stop()
			return nil, err
		}
		t.Stop()
	}
}
