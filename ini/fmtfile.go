package ini

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// FormatCodeKind is the kind of an FMT format code (spec §5.3).
type FormatCodeKind int

const (
	// CodeString is "'": write the value as a plain string, cut at its first
	// NUL (§4.5).
	CodeString FormatCodeKind = iota + 1
	// CodeString0 is "'0": write the value as a NUL-terminated string,
	// quoted and followed by the 0 marker (§4.5).
	CodeString0
	// CodeStringOfStrings is `"`: write the value as a [key] ... [/key]
	// block (§4.6).
	CodeStringOfStrings
	// CodeNumeric is "(N)" (Width N) or "()" (Width 4): write the value as
	// numbers of Width bytes each (§4.3).
	CodeNumeric
	// CodeHex is "(X)": no effect, the heuristic of §4.2 still decides (the
	// reference cannot force hex output either, §5.3).
	CodeHex
	// CodeOmit is "*" (obsolete, undocumented): the key is left out of the
	// written TNI file (§5.3).
	CodeOmit
)

// FormatCode is one FMT format code: its kind and, for CodeNumeric, the
// item width in bytes (1..65535).
type FormatCode struct {
	Kind  FormatCodeKind
	Width int
}

// String returns the code as written in an FMT file: ', '0, ", (N), (X)
// or *; "?" for an invalid code.
func (c FormatCode) String() string {
	switch c.Kind {
	case CodeString:
		return "'"
	case CodeString0:
		return "'0"
	case CodeStringOfStrings:
		return `"`
	case CodeNumeric:
		return "(" + strconv.Itoa(c.Width) + ")"
	case CodeHex:
		return "(X)"
	case CodeOmit:
		return "*"
	}
	return "?"
}

// FormatFile is a parsed FMT format file (spec §5): a format code per
// (application, key). It only affects how MarshalTNI writes values; reading
// never uses it (§5.1). The zero value is an empty format file ready to use.
type FormatFile struct {
	apps map[string]map[string]FormatCode
}

// Code returns the code for (app, key) and whether there is one. Names are
// matched exactly, byte for byte (§5.2).
func (ff *FormatFile) Code(app, key []byte) (FormatCode, bool) {
	if ff == nil {
		return FormatCode{}, false
	}
	c, ok := ff.apps[string(app)][string(key)]
	return c, ok
}

// Set stores code for (app, key), replacing any earlier code.
func (ff *FormatFile) Set(app, key []byte, code FormatCode) {
	if ff.apps == nil {
		ff.apps = make(map[string]map[string]FormatCode)
	}
	m := ff.apps[string(app)]
	if m == nil {
		m = make(map[string]FormatCode)
		ff.apps[string(app)] = m
	}
	m[string(key)] = code
}

// Len returns the number of (application, key) codes.
func (ff *FormatFile) Len() int {
	if ff == nil {
		return 0
	}
	n := 0
	for _, m := range ff.apps {
		n += len(m)
	}
	return n
}

// ParseFormatFile decodes an FMT format file (spec §5.2): sections
// "[App]" ... "[/App]" holding lines "key=CODE", with the line handling of
// TNI (§3.1, including our deviations: TAB indentation, no 512-byte cut). The
// code is the text right after '='; as in GenINI only its first bytes count
// and the rest of the line is ignored:
//
//	'      string
//	'0     NUL-terminated string
//	"      string of strings
//	(N     numbers of N bytes (decimal N = 1..65535, usually written (N))
//	()     numbers of 4 bytes
//	(X (x  hex: accepted, no effect (§5.3)
//	*      omit the key
//
// A later code for the same (application, key) replaces an earlier one and
// repeated sections merge.
//
// Where GenINI silently ignores the rest of the file or a line (§5.2, §9
// item 17) this reader refuses with a *FormatError naming the line (File is
// left empty for the caller; ReadFormatFile fills it): a non-blank line
// outside a section that is not a [header]; a section not closed by its
// own [/App] (GenINI takes any '[' line as the end and loses the next
// section); a line without '='; an empty application or key name; an
// unknown code (GenINI ignores the line); a width of 0, over 65535 or not a
// number ("(0)", "(", "(abc)": the reference writer hangs or crashes on
// those, §4.7 W7). A format
// file is small and written by hand: a typo should be reported, not change
// the output silently.
func ParseFormatFile(data []byte) (*FormatFile, error) {
	r := newTNIReader(data)
	ff := &FormatFile{}
	for {
		app, ok, err := r.nextApp()
		if err != nil {
			return nil, err
		}
		if !ok {
			return ff, nil
		}
		app = bytes.Clone(app)
		header := r.line
		for {
			l, ok, err := r.next()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errLine(header, "application [%s] is not closed: end of file%s before [/%s]", showName(app), r.eofNote(), showName(app))
			}
			if l[0] == '[' {
				name, ok := closeName(l)
				if len(l) < 2 || l[1] != '/' || !ok || !bytes.Equal(name, app) {
					return nil, errLine(r.line, "%q does not close application [%s] (GenINI would lose the line)", clip(l), showName(app))
				}
				break
			}
			eq := bytes.IndexByte(l, '=')
			if eq < 0 {
				return nil, errLine(r.line, "line %q has no '='", clip(l))
			}
			if eq == 0 {
				return nil, errLine(r.line, "empty key name")
			}
			code, err := parseFormatCode(l[eq+1:])
			if err != nil {
				return nil, errLine(r.line, "key %q: %v", l[:eq], err)
			}
			ff.Set(app, l[:eq], code)
		}
	}
}

// formatCodeError is the message of a bad code.
type formatCodeError string

func (e formatCodeError) Error() string { return string(e) }

// parseFormatCode decodes one FMT code (spec §5.3).
func parseFormatCode(c []byte) (FormatCode, error) {
	if len(c) == 0 {
		return FormatCode{}, formatCodeError("empty format code")
	}
	switch c[0] {
	case '\'':
		if len(c) > 1 && c[1] == '0' {
			return FormatCode{Kind: CodeString0}, nil
		}
		return FormatCode{Kind: CodeString}, nil
	case '"':
		return FormatCode{Kind: CodeStringOfStrings}, nil
	case '*':
		return FormatCode{Kind: CodeOmit}, nil
	case '(':
		if len(c) > 1 && (c[1] == 'X' || c[1] == 'x') {
			return FormatCode{Kind: CodeHex}, nil
		}
		if len(c) > 1 && c[1] == ')' {
			return FormatCode{Kind: CodeNumeric, Width: 4}, nil
		}
		n, i := 0, 1
		for ; i < len(c) && c[i] >= '0' && c[i] <= '9'; i++ {
			n = min(n*10+int(c[i]-'0'), 65536)
		}
		if n >= 1 && n <= 65535 {
			return FormatCode{Kind: CodeNumeric, Width: n}, nil
		}
		return FormatCode{}, formatCodeError("format code " + strconv.Quote(string(c)) + " is not (N) with N = 1..65535, () or (X)")
	}
	return FormatCode{}, formatCodeError("unknown format code " + strconv.Quote(string(c)) + " (want ', '0, \", (N), (X) or *)")
}

// ReadFormatFile reads and parses the FMT file at path (ParseFormatFile).
// Errors from reading are returned as is (os.ErrNotExist for a missing
// file); parse errors are *FormatError values naming path and the line.
func ReadFormatFile(path string) (*FormatFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ff, err := ParseFormatFile(data)
	if err != nil {
		return nil, withFile(err, path)
	}
	return ff, nil
}

// FormatFileFor returns the name of the FMT file that goes with the INI or
// TNI file at path (spec §5.1): everything from the last '.' of the file
// name is replaced by ".FMT" ("dir/Admin.INI" -> "dir/Admin.FMT"); a name
// without '.' gets ".FMT" appended. The extension is upper case as in
// GenINI; on a case-sensitive file system a lower-case "admin.fmt" is a
// different file.
func FormatFileFor(path string) string {
	return path[:len(path)-len(filepath.Ext(path))] + ".FMT"
}
