package batch

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/os2path"
)

// IndexFile is the name of the index in each host's backup directory.
const IndexFile = "index.json"

// BackupIndex lists the files backed up from one host: it is
// DIR/<host>/index.json (see docs/batch.md).
type BackupIndex struct {
	Host    string        `json:"host"`    // host name from the inventory
	Address string        `json:"address"` // host:port it was reached at
	Files   []BackupEntry `json:"files"`
}

// BackupEntry is one backed-up remote file.
type BackupEntry struct {
	// Remote is the absolute OS/2 path of the file on the host
	// (e.g. `C:\WEASEL\WEASEL.INI`).
	Remote string `json:"remote"`
	// Backup is the backup file's name inside the host's directory; its
	// content is the remote file in the remote file's own format (binary
	// INI, or TNI for a .TNI name). Empty when Absent.
	Backup string `json:"backup,omitempty"`
	// Absent is true when the file did not exist before the run: restore
	// removes it.
	Absent bool `json:"absent,omitempty"`
	// SHA256 is the hex SHA-256 of the backup file, checked by restore.
	SHA256 string `json:"sha256,omitempty"`
	// Saved is when the backup was taken.
	Saved time.Time `json:"saved"`
	// After is the ContentHash of the file as the last run that changed
	// it left it ("absent" when that run left no file), recorded when the
	// run's script ended; "" when unknown (the file could not be read
	// then). Restore refuses to overwrite a file whose content no longer
	// has this hash (someone changed it since) unless forced.
	After string `json:"after,omitempty"`
}

// AbsentHash is BackupEntry.After for a file the run left absent.
const AbsentHash = "absent"

// ContentHash returns the hex SHA-256 of f's content, independent of the
// file's layout and of the order of applications and keys: the sorted
// (application, key, value) triples, each name and value preceded by its
// length as 4 bytes little-endian.
func ContentHash(f *ini.File) string {
	type triple struct{ app, key, val []byte }
	var ts []triple
	for _, a := range f.Apps {
		for _, kv := range a.Entries {
			ts = append(ts, triple{a.Name, kv.Key, kv.Value})
		}
	}
	slices.SortFunc(ts, func(x, y triple) int {
		if c := bytes.Compare(x.app, y.app); c != 0 {
			return c
		}
		return bytes.Compare(x.key, y.key)
	})
	h := sha256.New()
	var n [4]byte
	for _, t := range ts {
		for _, b := range [][]byte{t.app, t.key, t.val} {
			binary.LittleEndian.PutUint32(n[:], uint32(len(b)))
			h.Write(n[:])
			h.Write(b)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SetAfter records hash (ContentHash, AbsentHash, or "" for unknown) as
// the state the run left remote in, when remote is backed up, and writes
// the index.
func (hb *HostBackup) SetAfter(remote, hash string) error {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	i := hb.find(remote)
	if i < 0 || hb.index.Files[i].After == hash {
		return nil
	}
	hb.index.Files[i].After = hash
	return hb.writeIndex()
}

// BackupStore saves remote files before their first change, under
// Dir/<host>/. Only the first backup of each remote file is kept: a
// second run with the same directory does not overwrite it, so restore
// goes back to the state before the first run that used Dir.
type BackupStore struct {
	Dir string
}

// HostBackup is the backup directory of one host. It is safe for
// concurrent use.
type HostBackup struct {
	dir   string
	mu    sync.Mutex
	index BackupIndex
}

// Host returns the backup directory of h, with its index when one exists.
// The directory itself is created by the first Save, so a host that
// changed nothing leaves nothing in the backup directory.
func (b *BackupStore) Host(h *Host) (*HostBackup, error) {
	dir := joinRaw(b.Dir, HostDirName(h.Name))
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		// restore refuses a linked host directory: a run must not write
		// backups it could not restore
		return nil, fmt.Errorf("backup: %s is a symlink: the backups of host %s go in a directory of their own there", dir, h.Name)
	}
	hb := &HostBackup{dir: dir, index: BackupIndex{Host: h.Name, Address: h.Address}}
	idx, err := ReadBackupIndex(dir)
	switch {
	case err == nil:
		if idx.Host != h.Name {
			return nil, fmt.Errorf("backup: %s holds the backups of host %q, not %q", dir, idx.Host, h.Name)
		}
		hb.index.Files = idx.Files
	case errors.Is(err, os.ErrNotExist):
	default:
		return nil, err
	}
	return hb, nil
}

// Has reports whether remote (an absolute OS/2 path, compared
// case-insensitively) is already backed up.
func (hb *HostBackup) Has(remote string) bool {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	return hb.find(remote) >= 0
}

func (hb *HostBackup) find(remote string) int {
	for i, e := range hb.index.Files {
		if samePath(e.Remote, remote) {
			return i
		}
	}
	return -1
}

// Save stores f as the backup of remote, unless remote is backed up
// already. f nil means the file does not exist on the host (restore will
// remove it). The backup file is written (atomically, fsynced) before the
// index names it, so the index never points at a missing or partial file.
func (hb *HostBackup) Save(remote string, f *ini.File) error {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	if hb.find(remote) >= 0 {
		return nil
	}
	if err := checkRemotePath(remote); err != nil {
		// what the index could not hold, restore could not put back
		return fmt.Errorf("backup: %w: not changed, as restore could not put it back", err)
	}
	if err := os.MkdirAll(hb.dir, 0o755); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	e := BackupEntry{Remote: remote, Saved: time.Now().UTC()}
	if f == nil {
		e.Absent = true
	} else {
		data, err := f.Marshal(ini.FormatForName(remote))
		if err != nil {
			return fmt.Errorf("backup of %s: %w", remote, err)
		}
		if e.Backup, err = hb.freeName(remote); err != nil {
			return fmt.Errorf("backup of %s: %w", remote, err)
		}
		sum := sha256.Sum256(data)
		e.SHA256 = hex.EncodeToString(sum[:])
		if err := writeInDir(hb.dir, e.Backup, data); err != nil {
			return fmt.Errorf("backup of %s: %w", remote, err)
		}
	}
	hb.index.Files = append(hb.index.Files, e)
	if err := hb.writeIndex(); err != nil {
		hb.index.Files = hb.index.Files[:len(hb.index.Files)-1]
		return err
	}
	return nil
}

// freeName returns the name for a new backup of remote, NNN-NAME, NNN
// counting from the number of files the index lists plus one, past any
// name already in the directory (a file, a link) or in the index: a new
// backup never replaces, or writes through, anything there.
func (hb *HostBackup) freeName(remote string) (string, error) {
	for n := len(hb.index.Files) + 1; n <= len(hb.index.Files)+1000; n++ {
		name := fmt.Sprintf("%03d-%s", n, safeFileName(baseName(remote)))
		if slices.ContainsFunc(hb.index.Files, func(e BackupEntry) bool { return e.Backup == name }) {
			continue
		}
		_, err := os.Lstat(filepath.Join(hb.dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("no free backup name in %s (1000 names NNN-%s taken)", hb.dir, safeFileName(baseName(remote)))
}

func (hb *HostBackup) writeIndex() error {
	data, err := json.MarshalIndent(hb.index, "", "  ")
	if err != nil {
		return err
	}
	if err := writeInDir(hb.dir, IndexFile, append(data, '\n')); err != nil {
		return fmt.Errorf("backup index: %w", err)
	}
	return nil
}

// check returns an error unless the index is one a run could have
// written: a host name an inventory can hold, a host:port address, a
// "files" list, and for each file an absolute OS/2 path with its drive
// and a file name (no "." or ".." component), named once; for a file
// that existed, a backup file name inside the directory (not the index,
// not another entry's) and a 64-digit hex sha256; for an Absent one,
// neither; an "after" that is "", "absent" or a 64-digit hex hash.
func (idx *BackupIndex) check() error {
	if err := checkHostName(idx.Host); err != nil {
		return fmt.Errorf("host: %w", err)
	}
	if err := checkNormalAddr(idx.Address); err != nil {
		return fmt.Errorf("address: %w", err)
	}
	if idx.Files == nil {
		return errors.New(`no "files" list`)
	}
	remotes := map[string]int{}
	backups := map[string]int{}
	for i, e := range idx.Files {
		if err := checkRemotePath(e.Remote); err != nil {
			return fmt.Errorf("files[%d]: %w", i, err)
		}
		k := pathKey(e.Remote)
		if j, dup := remotes[k]; dup {
			return fmt.Errorf("files[%d]: remote %q is files[%d] again", i, e.Remote, j)
		}
		remotes[k] = i
		if e.Absent {
			if e.Backup != "" || e.SHA256 != "" {
				return fmt.Errorf(`files[%d]: "absent": true (restore removes %s) beside a "backup" or "sha256" (restore rewrites it): one or the other`, i, e.Remote)
			}
		} else {
			if e.Backup == "" || e.Backup != filepath.Base(e.Backup) || strings.HasPrefix(e.Backup, ".") || strings.EqualFold(e.Backup, IndexFile) || strings.ContainsAny(e.Backup, `/\`) {
				return fmt.Errorf("files[%d]: bad backup file name %q (a file name in the host's directory, not %s)", i, e.Backup, IndexFile)
			}
			if j, dup := backups[e.Backup]; dup {
				return fmt.Errorf("files[%d]: backup %q is also files[%d]'s", i, e.Backup, j)
			}
			backups[e.Backup] = i
			if !isHexHash(e.SHA256) {
				return fmt.Errorf("files[%d]: sha256 %q is not 64 hex digits", i, e.SHA256)
			}
		}
		if e.After != "" && e.After != AbsentHash && !isHexHash(e.After) {
			return fmt.Errorf("files[%d]: after %q is neither %q nor 64 hex digits", i, e.After, AbsentHash)
		}
	}
	return nil
}

// isHexHash reports whether s is a SHA-256 as the index writes it: 64
// lower-case hex digits.
func isHexHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// checkRemotePath returns an error unless p is an absolute OS/2 file
// path the index can record exactly: a drive letter, ':', '\\' or '/',
// then components none of which is empty or only dots and blanks ("."
// and ".." among them), the last the file's name; valid UTF-8 (JSON
// would turn a code-page byte into U+FFFD), no control character.
func checkRemotePath(p string) error {
	switch {
	case len(p) < 4 || !os2path.HasDrive(p) || !os2path.IsSep(p[2]):
		return fmt.Errorf("remote %q is not an absolute OS/2 file path (C:\\DIR\\FILE.INI)", p)
	case !utf8.ValidString(p):
		return fmt.Errorf("remote %q holds a byte that is not UTF-8 (a code-page character), which the backup index cannot record exactly", p)
	case strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return fmt.Errorf("remote %q holds a control character (NUL, line break, ...), which no OS/2 file name holds", p)
	}
	for _, c := range strings.Split(strings.ReplaceAll(p[3:], "/", `\`), `\`) {
		switch {
		case c == "":
			return fmt.Errorf("remote %q is not an absolute OS/2 file path (C:\\DIR\\FILE.INI): an empty component", p)
		case strings.Trim(c, ". ") == "":
			return fmt.Errorf("remote %q has a %q component", p, c)
		}
	}
	return nil
}

// joinRaw returns dir and name joined by one separator without tidying
// dir: "X/.." stays as written, so the kernel resolves X's link before
// the "..", as it does when listing dir.
func joinRaw(dir, name string) string {
	if dir == "" || os.IsPathSeparator(dir[len(dir)-1]) {
		return dir + name
	}
	return dir + string(filepath.Separator) + name
}

// readInDir reads the file name inside dir through an os.Root, so that a
// symlink leading out of the host's backup directory is refused (an
// error naming dir/name) instead of followed.
func readInDir(dir, name string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	data, err := root.ReadFile(name)
	if err != nil {
		p := filepath.Join(dir, name)
		if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode().Type() == fs.ModeSymlink && !errors.Is(err, fs.ErrNotExist) {
			// os.Root's own words ("openat NAME: path escapes from
			// parent") do not say what is wrong or what to do
			target, _ := os.Readlink(p)
			return nil, fmt.Errorf("%s is a symlink to %s, outside %s: refused, backups are read only from inside their host's directory (replace the link with the file)", p, target, dir)
		}
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return data, nil
}

// writeInDir replaces the file name inside dir atomically (fsynced, mode
// 0600) through an os.Root, so that a symlink planted in the backup
// directory cannot make a backup overwrite a file outside it.
func writeInDir(dir, name string, data []byte) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if err := ini.WriteFileRoot(root, name, data, ini.SaveOptions{Perm: 0o600}); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return nil
}

// ReadBackupIndex reads dir/index.json. A missing index is an error
// wrapping os.ErrNotExist; an index that does not parse (its line and
// column named) or does not hold what a run writes (see check) is an
// error naming the index.
func ReadBackupIndex(dir string) (*BackupIndex, error) {
	data, err := readInDir(dir, IndexFile)
	if err != nil {
		return nil, fmt.Errorf("backup index: %w", err)
	}
	return parseBackupIndex(filepath.Join(dir, IndexFile), data)
}

// parseBackupIndex parses and checks the index data read from the file
// named name (see ReadBackupIndex).
func parseBackupIndex(name string, data []byte) (*BackupIndex, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // a byte order mark from an editor, as in inventories
	var idx BackupIndex
	if err := json.Unmarshal(data, &idx); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if !errors.As(err, &se) && !errors.As(err, &te) {
			// the one decoder of its own in an index is time.Time's
			err = fmt.Errorf(`a "saved" time: %w (want an RFC 3339 string, e.g. "2026-12-07T08:00:00Z")`, err)
		}
		return nil, fmt.Errorf("backup index %s: %w", name, jsonAt(data, err))
	}
	if err := idx.check(); err != nil {
		return nil, fmt.Errorf("backup index %s: %w", name, err)
	}
	return &idx, nil
}

// ReadBackupFile returns the content of entry e in the host directory dir,
// parsed in the remote file's format, after checking its SHA-256.
func ReadBackupFile(dir string, e BackupEntry) (*ini.File, error) {
	path := filepath.Join(dir, e.Backup)
	data, err := readInDir(dir, e.Backup)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != e.SHA256 {
		return nil, fmt.Errorf("backup %s: SHA-256 does not match the index (file changed or damaged)", path)
	}
	return ini.Parse(path, data, ini.FormatForName(e.Remote))
}

// HostDirName returns the directory name used for host name under the
// backup directory: the name itself when it is made of letters, digits,
// '.', '-' and '_' (and does not start with '.'), otherwise the name with
// other bytes replaced by '_' plus a short hash, so two names never share
// a directory.
func HostDirName(name string) string {
	safe := safeFileName(name)
	if safe == name {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return safe + "-" + hex.EncodeToString(sum[:4])
}

func safeFileName(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' && i > 0
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

// baseName returns the last component of an OS/2 path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `\/:`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// samePath compares two absolute OS/2 paths as the backup index does
// (pathKey).
func samePath(a, b string) bool {
	return pathKey(a) == pathKey(b)
}

// pathKey returns the OS/2 path p as the backup index tells its files
// apart: ASCII letters upper-case (OS/2 folds no other), / as \. Trailing
// dots and blanks are kept: a server that is not OS/2 keeps them in the
// name, so C:\X.INI. may be another file there, with its own backup.
func pathKey(p string) string {
	return os2path.UpperString(strings.ReplaceAll(p, "/", `\`))
}

// remoteKey returns the OS/2 path p in the form every name of one file
// shares on OS/2: ASCII letters upper-case, / as \, and each component
// without the trailing dots and blanks OS/2 file systems drop
// (C:\STATS.INI. and C:\STATS.INI are one file). Restore uses it to
// refuse two backup directories that may write one file.
func remoteKey(p string) string {
	parts := strings.Split(pathKey(p), `\`)
	for i, c := range parts {
		if i > 0 {
			parts[i] = strings.TrimRight(c, ". ")
		}
	}
	return strings.Join(parts, `\`)
}
