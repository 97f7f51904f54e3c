package ini

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Override is an explicit choice between binary INI and TNI that beats the
// rules of spec §6.2 (INIServe's I and T command-line letters).
type Override int

const (
	// NoOverride applies the rules of spec §6.2.
	NoOverride Override = iota
	// ForceINI chooses the binary INI file (INIServe's -I).
	ForceINI
	// ForceTNI chooses the TNI file (INIServe's -T).
	ForceTNI
)

// ChooseOptions configures Choose.
type ChooseOptions struct {
	// Override, when not NoOverride, decides the format without looking at
	// UseTNI (spec §6.2 rule 4). The file name is still looked up so that
	// an existing lower-case name is returned.
	Override Override

	// ReadFile reads a whole file; nil means os.ReadFile. A server confined
	// to a directory passes (*os.Root).ReadFile. An error satisfying
	// errors.Is(err, fs.ErrNotExist) means "the file does not exist"; any
	// other error is returned by Choose.
	ReadFile func(name string) ([]byte, error)

	// Warn, when not nil, is called for what the choice tolerates but the
	// user most likely did not mean, with a *FormatError naming the file:
	// a ($SYS, UseTNI) value that is not 1 byte long (UseTNI=1, 4 bytes,
	// instead of UseTNI=(1)1), which counts as absent; and the warnings of
	// ParseWarn for the files read.
	Warn func(*FormatError)
}

// Candidate file name extensions, tried in this order for each format. File
// names are looked up exactly as written here; the upper-case form (OS/2's)
// comes first, so when both NAME.INI and NAME.ini exist, NAME.INI is used.
var (
	iniExts = []string{".INI", ".ini"}
	tniExts = []string{".TNI", ".tni"}
)

// Choose decides between base+".INI" and base+".TNI" the way GenINI's
// ChooseDefaultINI does (spec §6.2) and returns the path to use and its
// format. base is the path of the program's files without extension
// ("dir/NAME"), passed to ReadFile as base plus an extension.
//
// Names: for INI the extensions ".INI" then ".ini" are tried, for TNI ".TNI"
// then ".tni" (exact names; no other case mixtures and no directory scan:
// callers that need full case-insensitive lookup resolve base themselves).
// When the chosen file does not exist the returned path uses the upper-case
// extension (the file to create).
//
// Rules, after an Override (which wins):
//  1. Only the INI file exists: INI. Only the TNI file: TNI. Neither: INI.
//  2. Both exist: ($SYS, UseTNI) is read from each. Only a 1-byte value
//     counts; a value of any other size (reported to opts.Warn), a missing
//     key or application counts as absent.
//  3. Neither has it: INI. One has it: 0 means INI, any other byte TNI.
//     Both have it: if they agree (both zero or both non-zero: zero/non-zero
//     comparison as the spec recommends) that, otherwise INI.
//
// Errors: a ReadFile error other than "does not exist", and, when both files
// exist, a file that cannot be parsed (a *FormatError naming it). Choose
// never writes.
func Choose(base string, opts ChooseOptions) (path string, format Format, err error) {
	read := opts.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	iniPath, iniData, iniOK, err := findFile(read, base, iniExts)
	if err != nil {
		return "", 0, err
	}
	tniPath, tniData, tniOK, err := findFile(read, base, tniExts)
	if err != nil {
		return "", 0, err
	}
	switch opts.Override {
	case ForceINI:
		return iniPath, FormatINI, nil
	case ForceTNI:
		return tniPath, FormatTNI, nil
	}
	switch {
	case !tniOK:
		return iniPath, FormatINI, nil
	case !iniOK:
		return tniPath, FormatTNI, nil
	}
	iniUse, iniHas, err := useTNI(iniPath, iniData, FormatINI, opts.Warn)
	if err != nil {
		return "", 0, err
	}
	tniUse, tniHas, err := useTNI(tniPath, tniData, FormatTNI, opts.Warn)
	if err != nil {
		return "", 0, err
	}
	use := false
	switch {
	case iniHas && tniHas:
		use = iniUse && tniUse // disagreement: INI
	case iniHas:
		use = iniUse
	case tniHas:
		use = tniUse
	}
	if use {
		return tniPath, FormatTNI, nil
	}
	return iniPath, FormatINI, nil
}

// findFile tries base+ext for each ext and returns the first that exists
// with its content; when none exists, base+exts[0] and ok == false.
func findFile(read func(string) ([]byte, error), base string, exts []string) (path string, data []byte, ok bool, err error) {
	for _, ext := range exts {
		p := base + ext
		data, err := read(p)
		if err == nil {
			return p, data, true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", nil, false, fmt.Errorf("choosing INI or TNI: %w", err)
		}
	}
	return base + exts[0], nil, false, nil
}

// useTNIKey is the application and key GenINI stores its choice under.
var (
	sysApp    = []byte("$SYS")
	useTNIKey = []byte("UseTNI")
)

// useTNI parses data and reports the ($SYS, UseTNI) flag: has is false
// unless the value is exactly one byte; use is that byte != 0. A value of
// another size is reported to warn (when not nil).
func useTNI(path string, data []byte, format Format, warn func(*FormatError)) (use, has bool, err error) {
	f, err := ParseWarn(path, data, format, warn)
	if err != nil {
		return false, false, fmt.Errorf("choosing INI or TNI: %w", err)
	}
	v, ok := f.Lookup(sysApp, useTNIKey)
	if ok && len(v) != 1 && warn != nil {
		warn(&FormatError{File: path, Offset: -1, Msg: fmt.Sprintf(
			"($SYS, UseTNI) is %d bytes long, not 1, so GenINI's rule ignores it (treated as absent); write UseTNI=(1)1 or (1)0 in TNI", len(v))})
	}
	if !ok || len(v) != 1 {
		return false, false, nil
	}
	return v[0] != 0, true, nil
}
