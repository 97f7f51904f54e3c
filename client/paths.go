package client

import (
	"strconv"
	"strings"

	"github.com/inilua/inilua/ini"
)

// dir is the session's current directory as the client tracks it, resolved
// lexically by the rules of spec §5: a drive letter and path components.
// drive 0 is the root pseudo-directory (the list of drives).
type dir struct {
	drive byte
	comps []string
}

func isSep(c byte) bool { return c == '/' || c == '\\' }

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// resolve returns the directory that C p leads to from d, and false when
// the server must refuse it (spec §5: relative names and ".." at the
// pseudo-directory). An empty p stays.
func (d dir) resolve(p string) (dir, bool) {
	if p == "" {
		return d, true
	}
	var out dir
	switch {
	case len(p) >= 2 && p[1] == ':' && isLetter(p[0]):
		out.drive = p[0] &^ 0x20 // upper case
		p = p[2:]
	case isSep(p[0]):
		if d.drive == 0 {
			return d, false
		}
		out.drive = d.drive
	default:
		out.drive = d.drive
		out.comps = append([]string(nil), d.comps...)
	}
	for p != "" {
		i := strings.IndexAny(p, `/\`)
		c := p
		if i >= 0 {
			c, p = p[:i], p[i+1:]
		} else {
			p = ""
		}
		switch c {
		case "", ".":
		case "..":
			if out.drive == 0 {
				return d, false
			}
			if len(out.comps) == 0 {
				out.drive = 0
			} else {
				out.comps = out.comps[:len(out.comps)-1]
			}
		default:
			if out.drive == 0 {
				return d, false
			}
			out.comps = append(out.comps, c)
		}
	}
	return out, true
}

// file returns the absolute OS/2 path of file name resolved against d
// ("C:\dir\NAME.INI"), or "" when name does not name a file there.
func (d dir) file(name string) string {
	i := strings.LastIndexAny(name, `/\`)
	base := name[i+1:]
	if len(name) == 2 && name[1] == ':' {
		base = ""
	}
	if base == "" || base == "." || base == ".." {
		return ""
	}
	parent, ok := d.resolve(name[:i+1])
	if i < 0 {
		parent, ok = d, true
		if len(name) >= 2 && name[1] == ':' && isLetter(name[0]) {
			// "C:NAME": a drive-relative form the spec does not define
			return ""
		}
	}
	if !ok || parent.drive == 0 {
		return ""
	}
	return string(parent.drive) + `:\` + strings.Join(append(parent.comps, base), `\`)
}

// fileRef identifies a file selected with F: the name as given, the
// directory generation it was given in, and its absolute path when the
// client could work it out.
type fileRef struct {
	name string     // as given by the caller
	gen  uint64     // dirGen when name was given
	abs  string     // absolute path per spec §5, or ""
	key  string     // identity: abs if known, else gen + name
	fmt  ini.Format // by name (spec §7)
}

// ref returns the fileRef for name given now.
func (s *Session) ref(name string) fileRef {
	r := fileRef{name: name, gen: s.st.gen, fmt: ini.FormatForName(name)}
	if s.st.cwdOK {
		r.abs = s.st.cwd.file(name)
	}
	if r.abs != "" {
		r.key = "abs:" + asciiUpper(r.abs)
	} else {
		r.key = strconv.FormatUint(r.gen, 10) + ":" + name
	}
	return r
}

// foldEqual compares two names ASCII-case-insensitively (OS/2 file systems
// fold ASCII letters only).
func foldEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if isLetter(x) {
			x &^= 0x20
		}
		if isLetter(y) {
			y &^= 0x20
		}
		if x != y {
			return false
		}
	}
	return true
}

// asciiUpper upper-cases ASCII letters only and leaves every other byte as
// it is (names are bytes in the OS/2 code page, not UTF-8).
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 0x20
		}
	}
	return string(b)
}
