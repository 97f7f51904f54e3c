package server

import "syscall"

// ctimeOf returns the inode change time in nanoseconds since 1970.
func ctimeOf(st *syscall.Stat_t) int64 { return int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec) }
