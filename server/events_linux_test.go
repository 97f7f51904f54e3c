//go:build linux

package server

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEventTimeoutKillsChildren: an event command that outlives its
// timeout is killed with every process it started (its process group), not
// just the shell: the shell's background `sleep 30` must not be left
// sleeping once E has answered "-", and the error names the limit.
func TestEventTimeoutKillsChildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ts := startServer(t, func(s *Server) {
		s.Events = map[string]Event{
			`\SEM32\SLOW`: {Command: []string{"/bin/sh", "-c", `sleep 30 & echo $! > "$0"; wait`, pidFile},
				Timeout: 200 * time.Millisecond},
		}
	})
	c := dial(t, ts.addr).login()
	c.expect(`E\SEM32\SLOW`, "-*")
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the event command did not run: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("pid file %q: %v", data, err)
	}
	// E answered after the command's output pipe closed, so the child has
	// released its files: it is gone, exiting or a zombie, never asleep
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err == nil {
		// the state is the field after "(comm)"
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'S' {
			t.Errorf("the event's child %d is still sleeping after the timeout: %s", pid, stat)
		}
	}
	if t.Failed() {
		// don't leave it behind when the fix regresses
		p, _ := os.FindProcess(pid)
		p.Kill()
	}
}
