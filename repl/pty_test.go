//go:build linux || darwin

package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// TestMain lets the test binary play the REPL on a real terminal: run with
// REPL_TEST_CHILD=1 it runs an interactive REPL on its stdin (a pty made
// by the test), with SIGINT handling as inilua has it.
func TestMain(m *testing.M) {
	if os.Getenv("REPL_TEST_CHILD") == "1" {
		os.Exit(childREPL())
	}
	os.Exit(m.Run())
}

// childREPL is the REPL process of the pty tests. slow() prints "started"
// and then waits, like a network call to a host that does not answer,
// until its statement is interrupted.
func childREPL() int {
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("slow", L.NewFunction(func(L *lua.LState) int {
		fmt.Println("started")
		<-L.Context().Done()
		L.RaiseError("slow: %v", L.Context().Err())
		return 0
	}))
	r, err := New(Config{Host: plainHost{L}, Interactive: true, Signals: true,
		HistoryFile: os.Getenv("REPL_TEST_HISTORY")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := r.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startPTY runs the child REPL on a new pseudo-terminal and returns the
// terminal's settings before the start, the output screen, the master
// side and the slave side (kept open to inspect its modes).
func startPTY(t *testing.T) (before *unix.Termios, out *screen, ptmx, tty *os.File, cmd *exec.Cmd) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	before, err = unix.IoctlGetTermios(int(tty.Fd()), ioctlGetTermios)
	if err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "REPL_TEST_CHILD=1", "REPL_TEST_HISTORY=")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	// a session of its own with the pty as controlling terminal, so that
	// Ctrl-C typed on it sends SIGINT to the REPL
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	out = newScreen()
	go io.Copy(out, ptmx)
	return before, out, ptmx, tty, cmd
}

// waitExit waits, with a deadline, for the child to end and returns its
// exit error.
func waitExit(t *testing.T, cmd *exec.Cmd) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(waitLimit):
		t.Fatal("the REPL did not exit")
		return nil
	}
}

func TestPTYInterruptAndExit(t *testing.T) {
	before, out, ptmx, tty, cmd := startPTY(t)
	send := func(s string) {
		t.Helper()
		if _, err := ptmx.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	out.Expect(t, Prompt)

	// Ctrl-C while editing cancels the line (raw mode: readline sees ^C)
	send("1 +\r")
	out.Expect(t, ContinuePrompt)
	send("2\x03")
	out.Expect(t, "^C")
	out.Expect(t, Prompt)

	// Ctrl-C while a statement waits interrupts it (cooked mode: SIGINT)
	send("slow()\r")
	out.Expect(t, "started")
	during, err := unix.IoctlGetTermios(int(tty.Fd()), ioctlGetTermios)
	if err != nil {
		t.Fatal(err)
	}
	if during.Lflag&unix.ISIG == 0 {
		t.Fatal("terminal left in raw mode while a statement runs: Ctrl-C would not interrupt it")
	}
	send("\x03")
	out.Expect(t, "interrupted")
	out.Expect(t, Prompt)
	send("20 + 22\r")
	out.Expect(t, "42")
	out.Expect(t, Prompt)

	// Ctrl-D on an empty line leaves, restoring the terminal
	send("\x04")
	if err := waitExit(t, cmd); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("REPL exited with %v; output:\n%s", err, out.String())
		}
		t.Fatal(err)
	}
	after, err := unix.IoctlGetTermios(int(tty.Fd()), ioctlGetTermios)
	if err != nil {
		t.Fatal(err)
	}
	if after.Iflag != before.Iflag || after.Oflag != before.Oflag || after.Lflag != before.Lflag || after.Cflag != before.Cflag || after.Cc != before.Cc {
		t.Errorf("terminal modes changed by the REPL:\nbefore %+v\nafter  %+v", before, after)
	}
}

// TestPTYCtrlDNeverHangs repeats a statement and Ctrl-D on a terminal:
// readline's Close waits for its terminal goroutine, which a stale read
// request can leave blocked reading stdin (see runInteractive); the REPL
// must exit every time.
func TestPTYCtrlDNeverHangs(t *testing.T) {
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			_, out, ptmx, _, cmd := startPTY(t)
			out.Expect(t, Prompt)
			ptmx.WriteString("x = 1\r")
			out.Expect(t, Prompt)
			ptmx.WriteString("\x04")
			if err := waitExit(t, cmd); err != nil {
				t.Fatal(err)
			}
		})
	}
}
