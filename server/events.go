package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/inilua/inilua/internal/os2path"
)

// errUnknownEvent is returned for an E name not in Server.Events.
var errUnknownEvent = errors.New("unknown event semaphore")

// findEvent looks name up in Events, ASCII letters folded (OS/2 semaphore
// names are case-insensitive).
func (s *Server) findEvent(name string) (Event, bool) {
	if ev, ok := s.Events[name]; ok {
		return ev, true
	}
	for k, ev := range s.Events {
		if os2path.FoldEqual(k, name) {
			return ev, true
		}
	}
	return Event{}, false
}

// postEvent runs the action for the semaphore name (§4, E) and waits for
// it, at most its timeout.
func (s *Server) postEvent(ctx context.Context, name string) error {
	ev, ok := s.findEvent(name)
	if !ok {
		return errUnknownEvent
	}
	timeout := ev.Timeout
	if timeout <= 0 {
		timeout = DefaultEventTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if ev.Func != nil {
		done := make(chan error, 1)
		go func() { done <- ev.Func(ctx, name) }()
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return fmt.Errorf("event %s: %w", name, ctx.Err())
		}
	}
	if len(ev.Command) == 0 {
		return fmt.Errorf("event %s: no action", name)
	}
	cmd := exec.CommandContext(ctx, ev.Command[0], ev.Command[1:]...)
	cmd.Env = append(os.Environ(), "INISERVE_EVENT="+name)
	killGroupOnCancel(cmd)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("event %s: %q did not finish within %v (killed): %w", name, ev.Command, timeout, ctx.Err())
	}
	if ctx.Err() != nil {
		return fmt.Errorf("event %s: %w", name, ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("event %s: %w: %s", name, err, wireClean(out))
	}
	return nil
}
