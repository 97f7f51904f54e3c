//go:build !unix

package ini

import (
	"io/fs"
	"os"
)

// copyOwner does nothing where files have no Unix owner.
func copyOwner(*os.File, fs.FileInfo) {}
