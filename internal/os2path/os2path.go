package os2path

import (
	"errors"
	"slices"
	"strings"
)

// ErrPath is returned for a path that does not lead anywhere by the rules
// of spec §5: a relative name, a leading separator or ".." at the root
// pseudo-directory, and a component holding a NUL byte (which no OS/2 file
// system accepts and a Unix host cannot pass).
var ErrPath = errors.New("no such path")

// Dir is a directory in OS/2 terms: Drive is the upper-case drive letter
// ('A' to 'Z'), or 0 for the root pseudo-directory whose entries are the
// drives (then Comps is empty); Comps are the components below the drive's
// root, outermost first, in the case they were given.
type Dir struct {
	Drive byte
	Comps []string
}

// Root is the root pseudo-directory, the current directory of a session
// before its first C (spec §5).
var Root = Dir{}

// String returns d as an OS/2 path ending in a separator ("C:\a\b\"), or ""
// for the root pseudo-directory.
func (d Dir) String() string {
	if d.Drive == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte(d.Drive)
	b.WriteString(`:\`)
	for _, c := range d.Comps {
		b.WriteString(c)
		b.WriteByte('\\')
	}
	return b.String()
}

// Path returns the absolute OS/2 path of the entry name in d
// ("C:\a\NAME.INI"), or "" when d is the root pseudo-directory.
func (d Dir) Path(name string) string {
	if d.Drive == 0 {
		return ""
	}
	return d.String() + name
}

// IsSep reports whether c separates path components: `\` or `/`.
func IsSep(c byte) bool { return c == '/' || c == '\\' }

// IsLetter reports whether c is an ASCII letter.
func IsLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// Upper returns c upper-cased if it is an ASCII letter, else c.
func Upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// Lower returns c lower-cased if it is an ASCII letter, else c.
func Lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// UpperString upper-cases the ASCII letters of s and leaves every other
// byte as it is.
func UpperString(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = Upper(c)
	}
	return string(b)
}

// HasDrive reports whether p starts with a drive letter and a colon ("C:").
func HasDrive(p string) bool { return len(p) >= 2 && p[1] == ':' && IsLetter(p[0]) }

// FoldEqual reports whether a and b are equal with ASCII letters folded, as
// OS/2 file systems compare names.
func FoldEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if Lower(a[i]) != Lower(b[i]) {
			return false
		}
	}
	return true
}

// FoldCompare orders names the way HPFS and JFS list them (spec §6): ASCII
// letters folded to upper case (so "_" sorts after letters), other bytes as
// they are; names equal but for case are ordered by their raw bytes. It
// returns a negative number, zero or a positive number as a sorts before,
// with or after b.
func FoldCompare(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := Upper(a[i]), Upper(b[i])
		if x != y {
			return int(x) - int(y)
		}
	}
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// Lex resolves p against cur by the rules of spec §5, without touching any
// disk, and returns the directory it leads to. An empty p, and ".", stay at
// cur. A drive letter ("D:", "D:\x", and "D:x", which is taken from D's
// root) makes p absolute; a leading separator makes it absolute on cur's
// drive. ".." at a drive's root leads to the root pseudo-directory, where
// only a drive letter ("D:", as a whole component) leads anywhere. It fails
// with ErrPath for a leading separator, a name or ".." at the
// pseudo-directory, and for a component holding a NUL byte.
func Lex(cur Dir, p string) (Dir, error) {
	out := Dir{Drive: cur.Drive}
	switch {
	case HasDrive(p):
		out.Drive = Upper(p[0])
		p = p[2:]
	case p != "" && IsSep(p[0]):
		if out.Drive == 0 {
			return Dir{}, ErrPath
		}
	default:
		out.Comps = slices.Clone(cur.Comps)
	}
	for p != "" {
		i := 0
		for i < len(p) && !IsSep(p[i]) {
			i++
		}
		seg := p[:i]
		if i < len(p) {
			i++
		}
		p = p[i:]
		switch {
		case seg == "" || seg == ".":
		case seg == "..":
			if out.Drive == 0 {
				return Dir{}, ErrPath
			}
			if len(out.Comps) == 0 {
				out.Drive = 0
			} else {
				out.Comps = out.Comps[:len(out.Comps)-1]
			}
		case strings.IndexByte(seg, 0) >= 0:
			return Dir{}, ErrPath
		case out.Drive == 0:
			if len(seg) == 2 && HasDrive(seg) {
				out.Drive = Upper(seg[0])
				continue
			}
			return Dir{}, ErrPath
		default:
			out.Comps = append(out.Comps, seg)
		}
	}
	return out, nil
}

// NamesEntry reports whether the last component of p (ignoring trailing
// separators) is a name, not empty, ".", ".." or a bare drive ("C:"): a
// parameter of F, M, R or X that names no entry must not act on the current
// directory, its parent or a drive's root.
func NamesEntry(p string) bool {
	for p != "" && IsSep(p[len(p)-1]) {
		p = p[:len(p)-1]
	}
	i := len(p)
	for i > 0 && !IsSep(p[i-1]) {
		i--
	}
	last := p[i:]
	return last != "" && last != "." && last != ".." && !(i == 0 && len(last) == 2 && HasDrive(last))
}

// Entry resolves p, a path naming an entry (a file or a directory to be
// created, renamed or removed), against cur: it returns the directory that
// holds the entry and the entry's name as given. It fails with ErrPath when
// p names no entry (see NamesEntry), when Lex fails, and when the entry
// would lie in the root pseudo-directory or be a drive's root.
func Entry(cur Dir, p string) (Dir, string, error) {
	if !NamesEntry(p) {
		return Dir{}, "", ErrPath
	}
	d, err := Lex(cur, p)
	if err != nil {
		return Dir{}, "", err
	}
	if d.Drive == 0 || len(d.Comps) == 0 {
		return Dir{}, "", ErrPath
	}
	name := d.Comps[len(d.Comps)-1]
	d.Comps = d.Comps[:len(d.Comps)-1]
	return d, name, nil
}
