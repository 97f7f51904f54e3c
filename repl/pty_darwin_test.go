package repl

import "golang.org/x/sys/unix"

// ioctlGetTermios is the request that reads terminal modes.
const ioctlGetTermios = unix.TIOCGETA
