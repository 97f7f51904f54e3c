//go:build unix

package server

import (
	"io/fs"
	"os"
	"syscall"
)

// fileID identifies a version of a file on disk (§7: a change by another
// program is seen by the next command).
type fileID struct {
	size         int64
	mtime, ctime int64 // nanoseconds since 1970
	ino, dev     uint64
}

func idOf(fi fs.FileInfo) fileID {
	id := fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.ino, id.dev = uint64(st.Ino), uint64(st.Dev)
		id.ctime = ctimeOf(st)
	}
	return id
}

// lockDir takes an exclusive advisory flock on the directory dir of root,
// so that two server processes on one tree serialise their
// read-modify-write cycles (a lock on the file itself would be lost when
// the rename replaces it). The returned function releases it.
func lockDir(root *os.Root, dir string) (func(), error) {
	d, err := root.Open(dir)
	if err != nil {
		return nil, err
	}
	rc, err := d.SyscallConn()
	if err != nil {
		d.Close()
		return nil, err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), syscall.LOCK_EX)
			if ferr != syscall.EINTR {
				return
			}
		}
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return func() { d.Close() }, nil // closing the descriptor releases the lock
}

// openNonblock is added to the flags of every open of an INI or FMT file,
// so that a named pipe put in its place cannot block the server.
const openNonblock = syscall.O_NONBLOCK

// stamp returns the later of mtime and ctime, in nanoseconds since 1970.
func (id fileID) stamp() int64 { return max(id.mtime, id.ctime) }
