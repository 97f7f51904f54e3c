//go:build unix

package server

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel starts cmd in a process group of its own and makes the
// context's cancellation (the event timeout, or shutdown) kill that whole
// group with SIGKILL, so that children of the shell (`sleep 30`, a
// background `&` job) do not outlive the event (§4, E: the action "fails or
// takes longer than its timeout").
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// the negative pid names the process group (the child is its leader)
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
