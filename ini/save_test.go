package ini

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// saveSample returns a small file and its binary encoding.
func saveSample(t *testing.T, value string) (*File, []byte) {
	t.Helper()
	var f File
	binMustPut(t, &f, "App", "key", value)
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return &f, b
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func wantFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s holds %q, want %q", path, got, want)
	}
}

func wantNames(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := dirNames(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

func writeFile(t *testing.T, path string, data string, perm fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // ignore the umask
		t.Fatal(err)
	}
}

func TestSaveNewFile(t *testing.T) {
	dir := t.TempDir()
	f, want := saveSample(t, "v")
	path := filepath.Join(dir, "NEW.INI")
	if err := f.Save(path, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, want)
	wantNames(t, dir, "NEW.INI")

	// mode: 0666 minus the umask, as os.WriteFile gives
	ref := filepath.Join(dir, "ref")
	if err := os.WriteFile(ref, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	ri, _ := os.Stat(ref)
	if fi.Mode() != ri.Mode() {
		t.Errorf("new file mode %v, want %v", fi.Mode(), ri.Mode())
	}
}

func TestSaveReplaceKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "A.INI")
	writeFile(t, path, "old contents", 0o640)
	before, _ := os.Stat(path)
	f, want := saveSample(t, "new")
	if err := f.Save(path, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, want)
	wantNames(t, dir, "A.INI")
	after, _ := os.Stat(path)
	if after.Mode() != 0o640 {
		t.Errorf("mode %v, want -rw-r-----", after.Mode())
	}
	if os.SameFile(before, after) {
		t.Error("atomic save wrote into the old inode instead of replacing it")
	}
}

func TestSaveKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changing a file's owner needs root")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "A.INI")
	writeFile(t, path, "old", 0o644)
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	f, _ := saveSample(t, "new")
	if err := f.Save(path, SaveOptions{Backup: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".BAK"} {
		fi, _ := os.Stat(p)
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != 1234 || st.Gid != 5678 {
			t.Errorf("%s: owner %d:%d, want 1234:5678", p, st.Uid, st.Gid)
		}
	}
}

func TestSaveBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "P.INI")
	writeFile(t, path, "version 1", 0o600)
	f, want2 := saveSample(t, "version 2")
	if err := f.Save(path, SaveOptions{Backup: true}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, want2)
	wantFile(t, path+".BAK", []byte("version 1"))
	if fi, _ := os.Stat(path + ".BAK"); fi.Mode() != 0o600 {
		t.Errorf("backup mode %v, want the original's -rw-------", fi.Mode())
	}
	g, want3 := saveSample(t, "version 3")
	if err := g.Save(path, SaveOptions{Backup: true}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, want3)
	wantFile(t, path+".BAK", want2)
	wantNames(t, dir, "P.INI", "P.INI.BAK")

	// no target yet: no backup
	tni := filepath.Join(dir, "Q.TNI")
	if err := WriteFile(tni, []byte("x"), SaveOptions{Backup: true}); err != nil {
		t.Fatal(err)
	}
	wantNames(t, dir, "P.INI", "P.INI.BAK", "Q.TNI")
	if err := WriteFile(tni, []byte("y"), SaveOptions{Backup: true}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, tni+".BAK", []byte("x"))
}

func TestSaveFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "data", "REAL.INI")
	writeFile(t, target, "old", 0o644)
	// LINK.INI -> LINK2.INI -> data/REAL.INI
	if err := os.Symlink("data/REAL.INI", filepath.Join(dir, "LINK2.INI")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("LINK2.INI", filepath.Join(dir, "LINK.INI")); err != nil {
		t.Fatal(err)
	}
	f, want := saveSample(t, "through the link")
	if err := f.Save(filepath.Join(dir, "LINK.INI"), SaveOptions{Backup: true}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"LINK.INI", "LINK2.INI"} {
		if fi, err := os.Lstat(filepath.Join(dir, l)); err != nil || fi.Mode().Type() != fs.ModeSymlink {
			t.Errorf("%s is no longer a symlink", l)
		}
	}
	wantFile(t, target, want)
	wantFile(t, target+".BAK", []byte("old"))
	wantNames(t, filepath.Join(dir, "data"), "REAL.INI", "REAL.INI.BAK")

	// an absolute link outside any root is fine for a plain path
	abs := filepath.Join(dir, "ABS.INI")
	if err := os.Symlink(target, abs); err != nil {
		t.Fatal(err)
	}
	g, want2 := saveSample(t, "absolute")
	if err := g.Save(abs, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, target, want2)

	// a dangling link gets its target created
	if err := os.Symlink("data/NEW.INI", filepath.Join(dir, "DANGLING.INI")); err != nil {
		t.Fatal(err)
	}
	if err := g.Save(filepath.Join(dir, "DANGLING.INI"), SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, filepath.Join(dir, "data", "NEW.INI"), want2)

	// a cycle of links is an error
	if err := os.Symlink("C2.INI", filepath.Join(dir, "C1.INI")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("C1.INI", filepath.Join(dir, "C2.INI")); err != nil {
		t.Fatal(err)
	}
	if err := g.Save(filepath.Join(dir, "C1.INI"), SaveOptions{}); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("cycle of links: %v, want ELOOP", err)
	}
}

func TestSaveRoot(t *testing.T) {
	dir := t.TempDir()
	vol := filepath.Join(dir, "volume")
	if err := os.MkdirAll(filepath.Join(vol, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(dir, "OUTSIDE.INI")
	writeFile(t, outside, "outside", 0o644)
	root, err := os.OpenRoot(vol)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()

	f, want := saveSample(t, "in root")
	if err := f.SaveRoot(root, "sub/A.INI", SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, filepath.Join(vol, "sub", "A.INI"), want)
	wantNames(t, filepath.Join(vol, "sub"), "A.INI")

	// links inside the root are followed
	if err := os.Symlink("sub/A.INI", filepath.Join(vol, "L.INI")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../L.INI", filepath.Join(vol, "sub", "L2.INI")); err != nil {
		t.Fatal(err)
	}
	g, want2 := saveSample(t, "via links")
	if err := g.SaveRoot(root, "sub/L2.INI", SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, filepath.Join(vol, "sub", "A.INI"), want2)
	if fi, _ := os.Lstat(filepath.Join(vol, "L.INI")); fi.Mode().Type() != fs.ModeSymlink {
		t.Error("L.INI is no longer a symlink")
	}

	// nothing outside the root is touched
	if err := os.Symlink("../OUTSIDE.INI", filepath.Join(vol, "ESC.INI")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(vol, "ESCABS.INI")); err != nil {
		t.Fatal(err)
	}
	for name, msg := range map[string]string{
		"ESC.INI":        "symlink ESC.INI points to ../OUTSIDE.INI, outside the root",
		"ESCABS.INI":     "symlink ESCABS.INI points to the absolute path " + outside + ", outside the root",
		"../OUTSIDE.INI": "path escapes from parent",
	} {
		err := g.SaveRoot(root, name, SaveOptions{})
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want %q", name, err, msg)
		}
	}
	wantFile(t, outside, []byte("outside"))
	wantNames(t, dir, "OUTSIDE.INI", "volume")
	wantNames(t, vol, "ESC.INI", "ESCABS.INI", "L.INI", "sub")
}

func TestSaveRefusesReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "RO.INI")
	writeFile(t, path, "keep me", 0o444)
	f, _ := saveSample(t, "new")
	for _, opts := range []SaveOptions{{}, {InPlace: true}, {Backup: true}} {
		err := f.Save(path, opts)
		if err == nil || !strings.Contains(err.Error(), "read-only") || !errors.Is(err, ErrReadOnly) {
			t.Errorf("%+v: error %v, want read-only refusal wrapping ErrReadOnly", opts, err)
		}
	}
	wantFile(t, path, []byte("keep me"))
	wantNames(t, dir, "RO.INI")
}

func TestSaveRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "D.INI"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, _ := saveSample(t, "new")
	err := f.Save(filepath.Join(dir, "D.INI"), SaveOptions{})
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("error %v, want not a regular file", err)
	}
	wantNames(t, dir, "D.INI")
}

func busyRename(*os.Root, string, string) error {
	return &os.LinkError{Op: "renameat", Old: "tmp", New: "target", Err: syscall.EBUSY}
}

func TestSaveBusyAndInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "MOUNTED.INI")
	writeFile(t, path, strings.Repeat("old and longer contents ", 20), 0o640)
	before, _ := os.Stat(path)
	f, want := saveSample(t, "new")

	err := f.Save(path, SaveOptions{rename: busyRename})
	if !errors.Is(err, syscall.EBUSY) || !strings.Contains(err.Error(), "InPlace") || !strings.Contains(err.Error(), "bind-mounted") {
		t.Fatalf("error %v, want EBUSY explaining the in-place option", err)
	}
	wantFile(t, path, []byte(strings.Repeat("old and longer contents ", 20)))
	wantNames(t, dir, "MOUNTED.INI")

	// the explicit in-place mode writes into the same inode and truncates
	if err := f.Save(path, SaveOptions{InPlace: true, Backup: true, rename: busyRename}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, want)
	wantFile(t, path+".BAK", []byte(strings.Repeat("old and longer contents ", 20)))
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) || after.Mode() != 0o640 {
		t.Errorf("in-place save replaced the file or changed its mode (%v)", after.Mode())
	}
	wantNames(t, dir, "MOUNTED.INI", "MOUNTED.INI.BAK")

	// in-place on a missing file creates it
	newPath := filepath.Join(dir, "FRESH.INI")
	if err := f.Save(newPath, SaveOptions{InPlace: true}); err != nil {
		t.Fatal(err)
	}
	wantFile(t, newPath, want)
}

func TestSaveFailureLeavesNoTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "X.INI")
	writeFile(t, path, "old", 0o644)
	f, _ := saveSample(t, "new")
	failing := func(*os.Root, string, string) error {
		return &os.LinkError{Op: "renameat", Old: "a", New: "b", Err: syscall.EIO}
	}
	err := f.Save(path, SaveOptions{rename: failing})
	if !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v, want EIO naming the file", err)
	}
	wantFile(t, path, []byte("old"))
	wantNames(t, dir, "X.INI")

	// an encoding error touches nothing
	bad := &File{Apps: []*Application{{Name: []byte("A"), Entries: []Entry{{Key: []byte("k"), Value: make([]byte, MaxValueLen+1)}}}}}
	if err := bad.Save(path, SaveOptions{Backup: true}); !errors.Is(err, ErrTooLong) {
		t.Errorf("error %v, want ErrTooLong", err)
	}
	if err := bad.Save(filepath.Join(dir, "NEW.INI"), SaveOptions{}); !errors.Is(err, ErrTooLong) {
		t.Errorf("error %v, want ErrTooLong", err)
	}
	wantFile(t, path, []byte("old"))
	wantNames(t, dir, "X.INI")
}

func TestSaveFormatChoice(t *testing.T) {
	dir := t.TempDir()
	var f File
	binMustPut(t, &f, "App", "key", "hello world")
	bin, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	tni, err := f.MarshalTNI(nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opts SaveOptions
		want []byte
	}{
		{"a.INI", SaveOptions{}, bin},
		{"b.tni", SaveOptions{}, tni},
		{"c.TNI", SaveOptions{}, tni},
		{"d.dat", SaveOptions{}, bin},
		{"e.dat", SaveOptions{Format: FormatTNI, FormatSet: true}, tni},
		{"f.TNI", SaveOptions{Format: FormatINI, FormatSet: true}, bin},
		{"g.TNI", SaveOptions{Format: FormatINI}, tni}, // FormatSet false: by name
	}
	for _, c := range cases {
		if err := f.Save(filepath.Join(dir, c.name), c.opts); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		wantFile(t, filepath.Join(dir, c.name), c.want)
	}
}

// TestSaveWriteFailureLeavesNoTrace simulates a full disk while the data
// is written: the target, an older backup and the directory stay as they
// were (the backup is made only once the new contents are on disk), and an
// in-place save of a new file leaves no half-written file.
func TestSaveWriteFailureLeavesNoTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "X.INI")
	writeFile(t, path, "current", 0o644)
	writeFile(t, path+".BAK", "older backup", 0o644)
	f, _ := saveSample(t, "new")
	full := func(w io.Writer, data []byte) error {
		if _, err := w.Write(data[:len(data)/2]); err != nil {
			return err
		}
		return syscall.ENOSPC
	}
	for _, opts := range []SaveOptions{{Backup: true, write: full}, {write: full}} {
		if err := f.Save(path, opts); !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) {
			t.Errorf("backup %v: error %v, want ENOSPC naming the file", opts.Backup, err)
		}
		wantFile(t, path, []byte("current"))
		wantFile(t, path+".BAK", []byte("older backup"))
		wantNames(t, dir, "X.INI", "X.INI.BAK")
	}

	// in place: the old content is written back over the half-written new
	for _, opts := range []SaveOptions{{InPlace: true, Backup: true, write: full}, {InPlace: true, write: full}} {
		err := f.Save(path, opts)
		if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "; the file is as it was") {
			t.Errorf("in place, backup %v: error %v, want ENOSPC naming the file and saying it is as it was", opts.Backup, err)
		}
		wantFile(t, path, []byte("current"))
	}
	os.WriteFile(path+".BAK", []byte("older backup"), 0o644)

	fresh := filepath.Join(dir, "FRESH.INI")
	if err := f.Save(fresh, SaveOptions{InPlace: true, write: full}); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("in place, new file: error %v, want ENOSPC", err)
	}
	wantNames(t, dir, "X.INI", "X.INI.BAK")
}

// IsTempName recognises exactly the names createTemp makes.
func TestIsTempName(t *testing.T) {
	root, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	f, name, err := createTemp(root, "WEASEL.INI", 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if !IsTempName(name) {
		t.Errorf("IsTempName(%q) = false for a name createTemp made", name)
	}
	for _, n := range []string{"WEASEL.INI", ".WEASEL.INI.tmp", ".x.0123456789abcdeg.tmp", "x.0123456789abcdef.tmp",
		".x.0123456789ABCDEF.tmp", "..0123456789abcdef.tmp"} {
		if IsTempName(n) {
			t.Errorf("IsTempName(%q) = true", n)
		}
	}
}
