package server

import (
	"sync"
	"time"
)

// throttle counts failed P commands per client address (IP without port).
type throttle struct {
	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

func newThrottle() *throttle { return &throttle{m: make(map[string]*failures)} }

// fail records a failed P from addr at now and returns the number of
// failures within window, this one included.
func (t *throttle) fail(addr string, now time.Time, window time.Duration) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) > 10000 {
		for k, f := range t.m {
			if now.Sub(f.last) > window {
				delete(t.m, k)
			}
		}
	}
	f := t.m[addr]
	if f == nil || now.Sub(f.last) > window {
		f = &failures{}
		t.m[addr] = f
	}
	f.n++
	f.last = now
	return f.n
}

// reset forgets the failures of addr (after a correct password).
func (t *throttle) reset(addr string) {
	t.mu.Lock()
	delete(t.m, addr)
	t.mu.Unlock()
}

func (s *Server) maxPasswordFailures() int {
	if s.MaxPasswordFailures > 0 {
		return s.MaxPasswordFailures
	}
	return 10
}

func (s *Server) passwordWindow() time.Duration {
	if s.PasswordWindow > 0 {
		return s.PasswordWindow
	}
	return 15 * time.Minute
}

// passwordDelay returns the delay before the reply to the n-th failed P
// (n >= 1): PasswordDelay doubled for each earlier failure, at most 8 times
// PasswordDelay.
func (s *Server) passwordDelay(n int) time.Duration {
	base := s.PasswordDelay
	switch {
	case base < 0:
		return 0
	case base == 0:
		base = 250 * time.Millisecond
	}
	d := base
	for i := 1; i < n && d < 8*base; i++ {
		d *= 2
	}
	return min(d, 8*base)
}
