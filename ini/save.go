package ini

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Saving writes a whole file at once, atomically (spec §7.7): a temporary file in the same directory (created with O_EXCL under
// a random name), write, fsync, rename over the target, fsync the
// directory. Readers see the old or the new file, never a mix; a failed
// save leaves the old file untouched and removes the temporary file.
//
// This is hand-written on os.Root rather than built on
// github.com/google/renameio/v2 because the server confines every file
// access to its volumes with os.Root, and renameio only works on plain
// paths (it would need the unconfined path, and it resolves no symlinks and
// keeps no owner). Plain-path saving (Save, WriteFile) goes through the same
// code with a root opened on the target's directory.

// SaveOptions controls Save, SaveRoot, WriteFile and WriteFileRoot. The
// zero value saves atomically, without backup, in the format the file name
// implies.
type SaveOptions struct {
	// Format is the syntax Save and SaveRoot write when FormatSet is
	// true; otherwise they use FormatForName(name) (".TNI" = TNI, anything
	// else binary INI). WriteFile and WriteFileRoot ignore both.
	Format    Format
	FormatSet bool // true: use Format; false: choose by name
	// FormatFile, when not nil, is the FMT format file Save and SaveRoot
	// pass to MarshalTNI when writing TNI (spec §5).
	FormatFile *FormatFile
	// Backup keeps the previous contents of the target as the target's
	// name plus ".BAK" (NAME.INI.BAK, NAME.TNI.BAK) in the same directory,
	// replacing an older backup, as GenINI does. Nothing is backed up when
	// the target does not exist yet. The backup is itself written
	// atomically, after the new contents are safely in the temporary
	// file and before the target is replaced (so a failed write leaves
	// an older backup alone); for a symlink it goes
	// next to the file the link resolves to.
	Backup bool
	// InPlace writes into the existing file instead of replacing it:
	// write from offset 0, truncate to the new length, fsync. It is NOT
	// atomic (a crash can leave a mix of old and new bytes) and exists
	// for targets that cannot be renamed over, such as a file
	// bind-mounted alone into a container (rename fails with EBUSY).
	// Never chosen automatically.
	InPlace bool
	// Perm is the permission of a file that does not exist yet, before
	// the umask; 0 means 0666. An existing file keeps its own mode.
	Perm fs.FileMode

	// rename replaces root.Rename in tests (to simulate EBUSY and
	// failures); nil in normal use.
	rename func(root *os.Root, oldname, newname string) error
	// write replaces the writing of the data into the temporary file or,
	// in place, into the target, in tests (to simulate a full disk); nil
	// in normal use.
	write func(w io.Writer, data []byte) error
}

// writeData writes data to w (a new temporary file, or the target opened
// at offset 0 in place).
func (o SaveOptions) writeData(w io.Writer, data []byte) error {
	if o.write != nil {
		return o.write(w, data)
	}
	_, err := w.Write(data)
	return err
}

// maxSymlinks bounds symlink resolution (as Linux's MAXSYMLINKS).
const maxSymlinks = 40

// Save writes f to path atomically in the format of opts (by default the
// one FormatForName(path) gives), with the behaviour of WriteFile. f is
// encoded first: an encoding error (MarshalBinary: ErrTooLong,
// ErrInvalidName; MarshalTNI: names TNI cannot carry) returns before the
// disk is touched.
func (f *File) Save(path string, opts SaveOptions) error {
	data, err := f.marshalFor(path, opts)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return WriteFile(path, data, opts)
}

// SaveRoot is Save for the file name inside root (see WriteFileRoot).
func (f *File) SaveRoot(root *os.Root, name string, opts SaveOptions) error {
	data, err := f.marshalFor(name, opts)
	if err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	return WriteFileRoot(root, name, data, opts)
}

func (f *File) marshalFor(name string, opts SaveOptions) ([]byte, error) {
	format := FormatForName(name)
	if opts.FormatSet {
		format = opts.Format
	}
	if format == FormatTNI {
		return f.MarshalTNI(opts.FormatFile)
	}
	return f.MarshalBinary()
}

// WriteFile replaces the file at path with data atomically (see
// WriteFileRoot for the rules). A symlink at path, or a chain of them, is
// followed, wherever it points: the link stays and its final target is
// replaced (a dangling link gets its target created).
func WriteFile(path string, data []byte, opts SaveOptions) error {
	target, err := resolvePath(path)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	defer root.Close()
	if err := writeRoot(root, base, data, opts); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// WriteFileRoot replaces the file name inside root with data.
//
// Atomic mode (default): a temporary file ".NAME.<random>.tmp" is created
// in the target's directory with O_EXCL, written, given the target's mode
// and (best effort: needs privilege for another user) owner and group,
// fsynced, renamed over the target, and the directory is fsynced. On any
// error the temporary file is removed and the target is untouched. When
// rename fails with EBUSY (the target is a mount point, typically a file
// bind-mounted alone into a container) the error wraps syscall.EBUSY and
// says to use SaveOptions.InPlace; there is no silent fallback.
//
// In-place mode (opts.InPlace): see SaveOptions.InPlace.
//
// In both modes: a symlink is followed (chains too) and its final target is
// replaced, the link itself stays; the target must stay inside root
// (absolute links and links leading out of root are refused). A target that
// exists but is not a regular file, has no write permission for its owner,
// or cannot be opened for writing is refused with an error (wrapping
// ErrReadOnly for a missing write permission) and left untouched. A missing target is created with opts.Perm. With opts.Backup
// the old contents are first saved as NAME.BAK (see SaveOptions.Backup).
// Errors name the file and wrap the underlying *fs.PathError or
// *os.LinkError.
func WriteFileRoot(root *os.Root, name string, data []byte, opts SaveOptions) error {
	if err := writeRoot(root, name, data, opts); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	return nil
}

func writeRoot(root *os.Root, name string, data []byte, opts SaveOptions) error {
	target, err := resolveInRoot(root, name)
	if err != nil {
		return err
	}
	old, err := root.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	case err != nil:
		return err
	case !old.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%v)", target, old.Mode())
	case old.Mode().Perm()&0o200 == 0:
		return fmt.Errorf("%s: %w (mode %v); refusing to replace it", target, ErrReadOnly, old.Mode().Perm())
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o666
	}
	if old != nil {
		// the process may lack write permission even when the owner has
		// it (another owner, read-only mount): refuse as well
		w, err := root.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("%s cannot be written; refusing to replace it: %w", target, err)
		}
		if opts.InPlace {
			return writeInPlace(root, w, target, data, opts)
		}
		w.Close()
	} else if opts.InPlace {
		w, err := root.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err != nil {
			return err
		}
		opts.Backup = false
		if err := writeInPlace(root, w, target, data, opts); err != nil {
			// the file did not exist before: a failed save leaves nothing
			root.Remove(target)
			return err
		}
		return syncDir(root, target)
	}
	var beforeRename func() error
	if opts.Backup && old != nil {
		// only once the new contents are safely on disk, so that a
		// failed write (disk full) leaves an older backup alone too
		beforeRename = func() error { return backup(root, target, old) }
	}
	return replace(root, target, old, perm, opts.rename, beforeRename, func(w io.Writer) error {
		return opts.writeData(w, data)
	})
}

// replace writes a temporary file next to target with fill, gives it the
// mode and owner of old (when not nil), fsyncs it, calls beforeRename (when
// not nil; an error stops the save), renames the temporary file over target
// and fsyncs the directory.
func replace(root *os.Root, target string, old fs.FileInfo, perm fs.FileMode,
	rename func(*os.Root, string, string) error, beforeRename func() error, fill func(io.Writer) error) (err error) {
	tmp, tmpName, err := createTemp(root, target, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			root.Remove(tmpName)
		}
	}()
	if old != nil {
		if err := tmp.Chmod(old.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)); err != nil {
			return err
		}
		copyOwner(tmp, old)
	}
	if err := fill(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if beforeRename != nil {
		if err := beforeRename(); err != nil {
			return err
		}
	}
	if rename == nil {
		rename = (*os.Root).Rename
	}
	if err := rename(root, tmpName, target); err != nil {
		if errors.Is(err, syscall.EBUSY) {
			return fmt.Errorf("%w: %s cannot be replaced by rename (it is probably a mount point, e.g. a file bind-mounted alone into a container); save it in place (not atomic) with SaveOptions.InPlace / the in-place option instead", err, target)
		}
		return err
	}
	return syncDir(root, target)
}

// IsTempName reports whether name (a base name, no directory) has the form
// of the temporary files WriteFile and WriteFileRoot create:
// ".NAME.<16 hex digits>.tmp". Such a file is left behind only when the
// process dies during a save; the server does not list them.
func IsTempName(name string) bool {
	const suffix = 16 + len(".tmp")
	if len(name) < 1+1+1+suffix || name[0] != '.' || !strings.HasSuffix(name, ".tmp") {
		return false
	}
	hexPart := name[len(name)-suffix : len(name)-len(".tmp")]
	if name[len(name)-suffix-1] != '.' {
		return false
	}
	for i := 0; i < len(hexPart); i++ {
		if c := hexPart[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// createTemp creates ".NAME.<random>.tmp" next to target with O_EXCL.
func createTemp(root *os.Root, target string, perm fs.FileMode) (*os.File, string, error) {
	dir, base := filepath.Split(target)
	if len(base) > 200 {
		base = base[:200] // stay under NAME_MAX (255) with the suffix
	}
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf(".%s.%016x.tmp", base, rand.Uint64()))
		f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", fmt.Errorf("cannot create a unique temporary file next to %s", target)
}

// backup copies target (described by old) atomically to target+".BAK",
// with target's mode.
func backup(root *os.Root, target string, old fs.FileInfo) error {
	src, err := root.Open(target)
	if err != nil {
		return err
	}
	defer src.Close()
	bak := target + ".BAK"
	if fi, err := root.Lstat(bak); err == nil && fi.IsDir() {
		return fmt.Errorf("backup %s is a directory", bak)
	}
	err = replace(root, bak, old, 0o666, nil, nil, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// writeInPlace writes data over the open file w (closing it), which must be
// at offset 0: backup first with opts.Backup, write, truncate, fsync. The
// old content is read first; when the write, truncate or fsync fails
// (disk full, say), it is written back the same way (its bytes fit where
// they were) and the error says whether that worked: "...; the file is as
// it was ..." or "...; the file is incomplete now (...): its old content
// is in TARGET.BAK".
func writeInPlace(root *os.Root, w *os.File, target string, data []byte, opts SaveOptions) error {
	defer w.Close()
	old, err := root.ReadFile(target)
	if err != nil {
		return err
	}
	if opts.Backup {
		fi, err := w.Stat()
		if err != nil {
			return err
		}
		if err := backup(root, target, fi); err != nil {
			return err
		}
	}
	if err := overwrite(w, data, opts.writeData); err != nil {
		if perr := overwrite(w, old, SaveOptions{}.writeData); perr != nil {
			where := "the old content is lost"
			if opts.Backup {
				where = "its old content is in " + target + ".BAK"
			}
			return fmt.Errorf("%w; the file is incomplete now (putting its old content back failed too: %v): %s", err, perr, where)
		}
		return fmt.Errorf("%w; the file is as it was (its old content written back)", err)
	}
	return w.Close()
}

// overwrite writes data into w from offset 0 with write, truncates w to
// its length and fsyncs it.
func overwrite(w *os.File, data []byte, write func(io.Writer, []byte) error) error {
	if _, err := w.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := write(w, data); err != nil {
		return err
	}
	if err := w.Truncate(int64(len(data))); err != nil {
		return err
	}
	return w.Sync()
}

// syncDir fsyncs the directory holding name, making a rename or creation
// durable.
func syncDir(root *os.Root, name string) error {
	d, err := root.Open(filepath.Dir(name))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync directory of %s: %w", name, err)
	}
	return nil
}

// resolveInRoot follows symlinks at name (the last component; os.Root
// resolves those in directories itself) and returns the name of the final
// target, which may not exist. A link that is absolute or leads outside
// root is an error.
func resolveInRoot(root *os.Root, name string) (string, error) {
	name = filepath.Clean(name)
	for range maxSymlinks {
		fi, err := root.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode().Type() != fs.ModeSymlink {
			return name, nil
		}
		link, err := root.Readlink(name)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(link) {
			return "", fmt.Errorf("symlink %s points to the absolute path %s, outside the root", name, link)
		}
		next := filepath.Join(filepath.Dir(name), link)
		if !filepath.IsLocal(next) {
			return "", fmt.Errorf("symlink %s points to %s, outside the root", name, link)
		}
		name = next
	}
	return "", &fs.PathError{Op: "resolve", Path: name, Err: syscall.ELOOP}
}

// SaveTarget returns the file WriteFile(path, ...) replaces or creates:
// path with the symlinks of its last component followed (chains too; a
// dangling link's target), the directories above as written. Errors: a
// loop of more than 40 links (syscall.ELOOP), or a link that cannot be
// read.
func SaveTarget(path string) (string, error) {
	return resolvePath(path)
}

// resolvePath follows symlinks at path (last component) and returns the
// final target, which may not exist.
func resolvePath(path string) (string, error) {
	for range maxSymlinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode().Type() != fs.ModeSymlink {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			dir, _ := filepath.Split(path) // as written: tidying "S/../x" would skip S's link
			link = dir + link
		}
		path = link
	}
	return "", &fs.PathError{Op: "resolve", Path: path, Err: syscall.ELOOP}
}
