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

// TestBatchInterrupt sends Ctrl-C (SIGINT) to inilua batch --forks 1 while
// host1 runs: the first one stops starting hosts and stops host1's script
// after the command in progress; a second one abandons the command in
// progress. The recap, report and retry file are written either way.
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
	inEvent := make(chan struct{}, 1)
	release := make(chan struct{})
	hosts, shutdown, err := batch.LocalServers(dirs, func(int, string) {
		inEvent <- struct{}{} // the E command is being executed
		<-release
	})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown()
	defer close(release)
	var inv strings.Builder
	for _, h := range hosts {
		inv.WriteString(h.InventoryLine() + "\n")
	}
	invFile := filepath.Join(work, "hosts.txt")
	os.WriteFile(invFile, []byte(inv.String()), 0o644)

	// busy: host1 announces that it runs, then loops in Lua.
	// blocked: host1 posts an event whose action blocks (a command in
	// progress for as long as the test wants).
	scripts := map[string]string{
		"busy": `local s = ...
local f = io.open(ARGS.dir .. "/" .. HOST.name .. ".running", "w") f:write("x") f:close()
while true do end`,
		"blocked": `local s = ...
s:post(ARGS.sem)
s:open("C:\\MAILSRV\\MAILSRV.INI"):set("$SYS", "TimeOut", 1, "u32")`,
	}
	for _, tc := range []struct {
		name, script string
		signals      int
		wantErr      string
	}{
		{"once", "busy", 1, "interrupted after the command in progress"},
		{"twice", "blocked", 2, "interrupted, command in progress abandoned"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			script := filepath.Join(dir, tc.script+".lua")
			os.WriteFile(script, []byte(scripts[tc.script]), 0o644)
			cmd := exec.Command(inilua, "batch", "--inventory", invFile, "--forks", "1", "--report", filepath.Join(dir, "r.json"),
				script, "dir="+dir, "sem="+batch.SampleSemaphore)
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
			if tc.script == "busy" {
				waitFile(t, filepath.Join(dir, "host1.running"))
			} else {
				<-inEvent
			}
			cmd.Process.Signal(os.Interrupt)
			select {
			case <-stopped:
			case <-time.After(30 * time.Second):
				t.Fatal("no reaction to Ctrl-C")
			}
			if tc.signals == 2 {
				cmd.Process.Signal(os.Interrupt)
			}
			<-readDone
			err = cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
				t.Fatalf("exit: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errText.String())
			}
			if want := "ok=0 changed=0 failed=1 unreachable=0 skipped=2"; !strings.Contains(out.String(), want) {
				t.Errorf("recap does not say %q:\n%s", want, out.String())
			}
			if !strings.Contains(out.String(), tc.wantErr) {
				t.Errorf("host1 not reported %q:\n%s", tc.wantErr, out.String())
			}
			retry, err := batch.ReadInventory(filepath.Join(dir, "r.retry"))
			if err != nil || len(retry) != 3 {
				t.Errorf("retry file: %v, %d hosts", err, len(retry))
			}
		})
	}
}
