package main

import (
	"context"
	"strings"
	"testing"
)

// Cancelling main's context after release (main's stop() on the way out)
// is not an interruption: nothing is printed and stopCh stays open.
func TestInterruptsReleaseThenCancel(t *testing.T) {
	for i := 0; i < 500; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		var out strings.Builder
		stop, _, release := interrupts(ctx, &out, "starting no more hosts")
		release()
		cancel()
		select {
		case <-stop:
			t.Fatalf("run %d: stop closed after release", i)
		default:
		}
		if out.Len() != 0 {
			t.Fatalf("run %d: printed %q after release", i, out.String())
		}
	}
}

// Before release, a cancelled context starts stage one.
func TestInterruptsCancelStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out strings.Builder // written before stop is closed
	stop, _, release := interrupts(ctx, &out, "starting no more hosts")
	defer release()
	cancel()
	<-stop
	if !strings.Contains(out.String(), "interrupted: starting no more hosts") {
		t.Fatalf("printed %q", out.String())
	}
}
