//go:build unix

package batch

import (
	"syscall"
	"testing"
)

// TestRaiseOpenFileLimit: a soft limit below the hard one is raised to it.
func TestRaiseOpenFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig) })
	low := orig
	low.Cur = orig.Max / 2
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	soft, hard, err := RaiseOpenFileLimit()
	var now syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now)
	if err != nil || soft != hard || hard != uint64(orig.Max) || uint64(now.Cur) != hard {
		t.Errorf("after RaiseOpenFileLimit from %d: soft %d hard %d (%v), in force %d", low.Cur, soft, hard, err, now.Cur)
	}
}
