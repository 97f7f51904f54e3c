// Package screentest helps tests that drive a program through a terminal
// or pipes: a Screen collects the program's output, written by any number
// of goroutines, and lets the test wait, with a deadline, for text to
// appear in order. Waiting is signalled by each write, never by sleeping.
package screentest

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// Screen is an io.Writer that records everything written to it. The zero
// value is not usable; create one with New.
type Screen struct {
	limit  time.Duration
	mu     sync.Mutex
	buf    bytes.Buffer
	mark   int // end of the last match of Expect
	notify chan struct{}
}

// New returns an empty Screen whose Expect gives up after limit.
func New(limit time.Duration) *Screen {
	return &Screen{limit: limit, notify: make(chan struct{}, 1)}
}

// Write records p; it never fails.
func (s *Screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.buf.Write(p)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return len(p), nil
}

// String returns everything written so far.
func (s *Screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// Expect waits until want appears after the previous match and moves past
// it; it fails the test, showing the output after the previous match, when
// the limit passes first.
func (s *Screen) Expect(t testing.TB, want string) {
	t.Helper()
	deadline := time.NewTimer(s.limit)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		rest := s.buf.String()[s.mark:]
		if i := strings.Index(rest, want); i >= 0 {
			s.mark += i + len(want)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-deadline.C:
			t.Fatalf("waiting for %q; output after last match:\n%q", want, rest)
		}
	}
}
