//go:build !unix

package server

import "os/exec"

// killGroupOnCancel leaves exec.CommandContext's default (kill the process
// itself) where process groups are not available.
func killGroupOnCancel(cmd *exec.Cmd) {}
