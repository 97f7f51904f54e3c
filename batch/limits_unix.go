//go:build unix

package batch

import "syscall"

// RaiseOpenFileLimit raises the process's soft limit on open files
// (RLIMIT_NOFILE) to its hard limit, as far as the system allows, and
// returns the soft and hard limits then in force. Run calls it at start:
// each host in flight holds a connection (and, with in-process servers,
// their side too). It changes the whole process's limit.
func RaiseOpenFileLimit() (soft, hard uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, err
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err == nil {
			lim = want
		}
	}
	return uint64(lim.Cur), uint64(lim.Max), nil
}
