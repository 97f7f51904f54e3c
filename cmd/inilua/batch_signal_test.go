package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/batch"
)

// waitFile waits until path exists (the script's own "I am running"
// signal), failing after a generous deadline.
func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBatchInterrupt sends Ctrl-C (SIGINT) to inilua batch: the first one
// stops starting hosts while the running host finishes its script; the
// second interrupts the running host. The recap is printed either way.
func TestBatchInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	inilua, _ := buildBinaries(t)
	work := t.TempDir()
	var dirs []string
	for i := range 3 {
		d := filepath.Join(work, fmt.Sprintf("host%d", i+1))
		if err := batch.WriteSampleHost(d, i); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	hosts, shutdown, err := batch.LocalServers(dirs, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown()
	var inv strings.Builder
	for _, h := range hosts {
		inv.WriteString(h.InventoryLine() + "\n")
	}
	invFile := filepath.Join(work, "hosts.txt")
	os.WriteFile(invFile, []byte(inv.String()), 0o644)

	// host1 announces that it runs, then waits for the test's go-ahead file
	// (so the Ctrl-C certainly arrives while it runs), then writes a value.
	script := filepath.Join(work, "slow.lua")
	os.WriteFile(script, []byte(`
local s = ...
local f = io.open(ARGS.dir .. "/" .. HOST.name .. ".running", "w") f:write("x") f:close()
while not io.open(ARGS.dir .. "/go") do end
s:open("C:\\MAILSRV\\MAILSRV.INI"):set("$SYS", "TimeOut", 301, "u32")
`), 0o644)

	for _, tc := range []struct {
		name    string
		signals int
		want    string
	}{
		{"once", 1, "ok=0 changed=1 failed=0 unreachable=0 skipped=2"},
		{"twice", 2, "ok=0 changed=0 failed=1 unreachable=0 skipped=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(inilua, "batch", "--inventory", invFile, "--forks", "1", "--report", filepath.Join(dir, "r.json"),
				script, "dir="+dir)
			var out bytes.Buffer
			cmd.Stdout = &out
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			stopped := make(chan struct{})
			var errText strings.Builder
			readDone := make(chan struct{})
			go func() { // collect stderr; note when the first Ctrl-C took effect
				defer close(readDone)
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					errText.WriteString(sc.Text() + "\n")
					if strings.Contains(sc.Text(), "starting no more hosts") {
						close(stopped)
					}
				}
			}()
			waitFile(t, filepath.Join(dir, "host1.running"))
			cmd.Process.Signal(os.Interrupt)
			select {
			case <-stopped:
			case <-time.After(30 * time.Second):
				t.Fatal("no reaction to Ctrl-C")
			}
			if tc.signals == 2 {
				cmd.Process.Signal(os.Interrupt)
			} else {
				os.WriteFile(filepath.Join(dir, "go"), nil, 0o644) // let host1 finish
			}
			<-readDone
			err = cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
				t.Fatalf("exit: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errText.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("recap does not say %q:\n%s", tc.want, out.String())
			}
			if tc.signals == 2 && !strings.Contains(out.String(), "interrupted") {
				t.Errorf("host1 not reported interrupted:\n%s", out.String())
			}
			retry, err := batch.ReadInventory(filepath.Join(dir, "r.retry"))
			if err != nil || len(retry) != tc.signals+1 {
				t.Errorf("retry file: %v, %d hosts", err, len(retry))
			}
		})
	}
}
