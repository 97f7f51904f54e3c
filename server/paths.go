package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/os2path"
)

// volume is one drive letter mapped to a host directory.
type volume struct {
	letter byte
	dir    string
	root   *os.Root
}

// location is a resolved directory: drive 0 is the root pseudo-directory
// (§5); otherwise parts are the on-disk names of the directories below the
// volume's root.
type location struct {
	drive byte
	parts []string
}

// rel returns the location's path relative to its volume root ("." for the
// root), as os.Root wants it.
func (l location) rel() string {
	if len(l.parts) == 0 {
		return "."
	}
	return strings.Join(l.parts, "/")
}

// String returns the location as an OS/2 path ("C:\dir\", or "" for the
// pseudo-directory), for log lines.
func (l location) String() string {
	if l.drive == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte(l.drive)
	b.WriteString(":\\")
	for _, p := range l.parts {
		b.WriteString(p)
		b.WriteByte('\\')
	}
	return b.String()
}

// errPath is returned for a path that does not lead anywhere (§5).
var errPath = os2path.ErrPath

// lex resolves p against cur in OS/2 terms (§5, package os2path), without
// touching the disk: it returns the drive (0: the pseudo-directory) and the
// components below the drive's root, as typed.
func lex(cur location, p string) (byte, []string, error) {
	d, err := os2path.Lex(os2path.Dir{Drive: cur.drive, Comps: cur.parts}, p)
	return d.Drive, d.Comps, err
}

// vol returns the volume of a drive letter, or nil.
func (s *Server) vol(drive byte) *volume {
	return s.vols[drive]
}

// join joins a volume-relative directory and a name.
func join(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}

// lookup finds name in the directory dir (volume-relative, on-disk case)
// case-insensitively, preferring an exact match. It returns the on-disk
// name and its file info (symbolic links followed). A name that does not
// exist gives an error wrapping fs.ErrNotExist; a symbolic link leading out
// of the volume gives another error.
func (v *volume) lookup(dir, name string) (string, fs.FileInfo, error) {
	fi, err := v.root.Stat(join(dir, name))
	if err == nil {
		return name, fi, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		if _, lerr := v.root.Lstat(join(dir, name)); lerr == nil {
			return "", nil, err // exists but refused (escaping link)
		}
	}
	f, derr := v.root.Open(dir)
	if derr != nil {
		return "", nil, derr
	}
	names, derr := f.Readdirnames(-1)
	f.Close()
	if derr != nil {
		return "", nil, derr
	}
	var cands []string
	for _, n := range names {
		if n != name && os2path.FoldEqual(n, name) {
			cands = append(cands, n)
		}
	}
	if len(cands) == 0 {
		return "", nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	slices.SortFunc(cands, os2path.FoldCompare)
	fi, err = v.root.Stat(join(dir, cands[0]))
	if err != nil {
		return "", nil, err
	}
	return cands[0], fi, nil
}

// resolveDir resolves drive and comps (from lex) to an existing directory.
func (s *Server) resolveDir(drive byte, comps []string) (location, error) {
	if drive == 0 {
		return location{}, nil
	}
	v := s.vol(drive)
	if v == nil {
		return location{}, errPath
	}
	parts := make([]string, 0, len(comps))
	dir := "."
	for _, c := range comps {
		name, fi, err := v.lookup(dir, c)
		if err != nil {
			return location{}, err
		}
		if !fi.IsDir() {
			return location{}, fmt.Errorf("%s: not a directory", name)
		}
		parts = append(parts, name)
		dir = join(dir, name)
	}
	return location{drive: drive, parts: parts}, nil
}

// realPath returns rel (volume-relative, existing directories) with every
// symbolic link resolved, so that one file reached through links has one
// name: the key of its cache entry and lock, and the directory of its
// flock. A final component that does not exist is kept as it is. Links
// leading out of the volume (absolute, or with too many "..") fail.
func (v *volume) realPath(rel string) (string, error) {
	var done []string
	todo := strings.Split(rel, "/")
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) == 0 {
				return "", fmt.Errorf("%s: %w", rel, errPath)
			}
			done = done[:len(done)-1]
			continue
		}
		cur := strings.Join(append(done, c), "/")
		fi, err := v.root.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) && len(todo) == 0 {
			done = append(done, c)
			break
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			done = append(done, c)
			continue
		}
		if hops++; hops > 40 {
			return "", fmt.Errorf("%s: too many links", rel)
		}
		link, err := v.root.Readlink(cur)
		if err != nil {
			return "", err
		}
		if link == "" || link[0] == '/' {
			return "", fmt.Errorf("%s: link leads out of the volume", rel)
		}
		todo = append(strings.Split(link, "/"), todo...)
	}
	if len(done) == 0 {
		return ".", nil
	}
	return strings.Join(done, "/"), nil
}

// validNewName reports whether name may be given to a new file or
// directory. OS/2 file systems (HPFS, JFS, FAT) refuse control bytes and
// the characters < > : " / \ | ? *, and the names of devices (CON, NUL,
// PRN, AUX, COM1-COM9, LPT1-LPT9, CLOCK$, KBD$, MOUSE$, SCREEN$, POINTER$,
// with any extension) open the device instead of a file; so F, M and R
// refuse such names for entries they would create, and a client can never
// make an entry an OS/2 program could not open (a deliberate difference:
// the reference passes the name to OS/2, which refuses it).
func validNewName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7F || strings.IndexByte(`<>:"/\|?*`, c) >= 0 {
			return false
		}
	}
	stem, _, _ := strings.Cut(strings.ToUpper(name), ".")
	stem = strings.TrimRight(stem, " ")
	switch stem {
	case "CON", "NUL", "PRN", "AUX", "CLOCK$", "KBD$", "MOUSE$", "SCREEN$", "POINTER$":
		return false
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) && stem[3] >= '1' && stem[3] <= '9' {
		return false
	}
	return name != ""
}

// target is a resolved path naming an entry in an existing directory: the
// entry may not exist yet (then name is as typed).
type target struct {
	vol    *volume
	dir    location
	name   string
	typed  string      // the last component as the client typed it
	info   fs.FileInfo // nil when the entry does not exist
	exists bool
}

// rel returns the target's path relative to its volume root.
func (t target) rel() string { return join(t.dir.rel(), t.name) }

// display returns the target as an OS/2 path for log lines.
func (t target) display() string { return t.dir.String() + t.name }

// resolveTarget resolves p against cur to an entry of an existing
// directory. It fails with errPath at the pseudo-directory, for a drive
// without a volume, and for a path naming a volume's root.
func (s *Server) resolveTarget(cur location, p string) (target, error) {
	parent, base, err := os2path.Entry(os2path.Dir{Drive: cur.drive, Comps: cur.parts}, p)
	if err != nil {
		return target{}, err
	}
	dir, err := s.resolveDir(parent.Drive, parent.Comps)
	if err != nil {
		return target{}, err
	}
	v := s.vol(parent.Drive)
	t := target{vol: v, dir: dir, name: base, typed: base}
	name, fi, err := v.lookup(dir.rel(), t.name)
	switch {
	case err == nil:
		t.name, t.info, t.exists = name, fi, true
	case !errors.Is(err, fs.ErrNotExist):
		return target{}, err
	}
	return t, nil
}

// listing returns the entry lines of an L command with parameter p at cur
// (§6), without the leading "+" and the final empty line. Errors give an
// empty listing.
func (s *Server) listing(cur location, p string) []string {
	if cur.drive == 0 && !os2path.HasDrive(p) {
		return s.driveList()
	}
	if len(p) == 2 && os2path.HasDrive(p) {
		if s.vol(os2path.Upper(p[0])) != nil {
			return []string{string(os2path.Upper(p[0])) + ":/"}
		}
		return nil
	}
	// split into the directory part and the last component
	i := len(p)
	for i > 0 && !os2path.IsSep(p[i-1]) && !(i == 2 && os2path.HasDrive(p)) {
		i--
	}
	dirPart, last := p[:i], p[i:]
	whole := last == "" || last == "." || last == ".."
	if whole {
		dirPart = p
	}
	drive, comps, err := lex(cur, dirPart)
	if err != nil {
		return nil
	}
	if drive == 0 {
		return s.driveList()
	}
	dir, err := s.resolveDir(drive, comps)
	if err != nil {
		return nil
	}
	v := s.vol(drive)
	if !whole && !strings.ContainsAny(last, "*?") {
		name, fi, err := v.lookup(dir.rel(), last)
		if err != nil || strings.ContainsAny(name, "\r\n") {
			return nil
		}
		if fi.IsDir() {
			name += "/"
		}
		return []string{name}
	}
	f, err := v.root.Open(dir.rel())
	if err != nil {
		return nil
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return nil
	}
	var out []string
	if whole {
		out = append(out, "../")
	}
	names := make([]string, 0, len(ents))
	isDir := make(map[string]bool, len(ents))
	for _, e := range ents {
		n := e.Name()
		if strings.ContainsAny(n, "\r\n") || ini.IsTempName(n) || !whole && !maskMatch(last, n) {
			continue // unsendable, a save's temporary file, or not matched
		}
		dirEntry := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			fi, err := v.root.Stat(join(dir.rel(), n))
			if err != nil {
				continue // leads out of the volume, or dangles
			}
			dirEntry = fi.IsDir()
		}
		names = append(names, n)
		isDir[n] = dirEntry
	}
	slices.SortFunc(names, os2path.FoldCompare)
	for _, n := range names {
		if isDir[n] {
			n += "/"
		}
		out = append(out, n)
	}
	return out
}

func (s *Server) driveList() []string {
	var out []string
	for _, d := range s.drives() {
		out = append(out, string(d)+":/")
	}
	return out
}

// maskMatch matches name against an OS/2 wildcard mask: '*' any run of
// bytes, '?' any one byte, ASCII letters case-insensitive; "*.*" matches
// every name, as on OS/2.
func maskMatch(mask, name string) bool {
	if mask == "*.*" {
		return true
	}
	// iterative matcher with one backtrack point for '*'
	mi, ni := 0, 0
	star, mark := -1, 0
	for ni < len(name) {
		switch {
		case mi < len(mask) && (mask[mi] == '?' || os2path.Lower(mask[mi]) == os2path.Lower(name[ni])):
			mi++
			ni++
		case mi < len(mask) && mask[mi] == '*':
			star, mark = mi, ni
			mi++
		case star >= 0:
			mi = star + 1
			mark++
			ni = mark
		default:
			return false
		}
	}
	for mi < len(mask) && mask[mi] == '*' {
		mi++
	}
	return mi == len(mask)
}
