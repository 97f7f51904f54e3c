//go:build !unix

package server

import (
	"io/fs"
	"os"
)

// fileID identifies a version of a file on disk.
type fileID struct {
	size  int64
	mtime int64
}

func idOf(fi fs.FileInfo) fileID { return fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()} }

// lockDir is a no-op where flock does not exist; writers in one process
// are still serialised.
func lockDir(root *os.Root, dir string) (func(), error) { return func() {}, nil }

// openNonblock is 0 where named pipes cannot block an open.
const openNonblock = 0

// stamp returns mtime in nanoseconds since 1970.
func (id fileID) stamp() int64 { return id.mtime }
