package client

import (
	"strconv"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/os2path"
)

// fileAbs returns the absolute OS/2 path of file name resolved against d
// ("C:\dir\NAME.INI") by the rules of spec §5, or "" when name does not
// name a file there (see os2path.Entry).
func fileAbs(d os2path.Dir, name string) string {
	parent, base, err := os2path.Entry(d, name)
	if err != nil {
		return ""
	}
	return parent.Path(base)
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
		r.abs = fileAbs(s.st.cwd, name)
	}
	if r.abs != "" {
		r.key = "abs:" + os2path.UpperString(r.abs)
	} else {
		r.key = strconv.FormatUint(r.gen, 10) + ":" + name
	}
	return r
}

// trackChdir returns the directory a C path that the server accepted leads
// to from d, and whether the client can tell: false when the rules of
// spec §5 say the server should have refused it (then the two disagree and
// the current directory is unknown until the next absolute C).
func trackChdir(d os2path.Dir, path string) (os2path.Dir, bool) {
	nd, err := os2path.Lex(d, path)
	return nd, err == nil
}
