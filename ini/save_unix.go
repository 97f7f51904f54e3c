//go:build unix

package ini

import (
	"io/fs"
	"os"
	"syscall"
)

// copyOwner gives f the owner and group of old, best effort: changing the
// owner needs privilege (root), so on failure it tries the group alone (a
// member of the group may set it) and otherwise leaves f owned by the
// saving user.
func copyOwner(f *os.File, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	cur, err := f.Stat()
	if err != nil {
		return
	}
	if cst, ok := cur.Sys().(*syscall.Stat_t); ok && cst.Uid == st.Uid && cst.Gid == st.Gid {
		return
	}
	if f.Chown(int(st.Uid), int(st.Gid)) != nil {
		_ = f.Chown(-1, int(st.Gid))
	}
}
