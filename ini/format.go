package ini

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Format is the on-disk syntax of an INI file.
type Format int

const (
	// FormatINI is the binary OS/2 INI format (spec §2).
	FormatINI Format = iota
	// FormatTNI is GenINI's TNI text format (spec §3, §4).
	FormatTNI
)

// String returns "ini" or "tni" (the names used by the Lua API and flags).
func (f Format) String() string {
	if f == FormatTNI {
		return "tni"
	}
	return "ini"
}

// FormatForName returns the format a file name implies: a name ending in
// ".TNI" (any case) is TNI, anything else binary INI (spec §6.1, recommended
// rule; the reference's third-from-last-character test is not used).
func FormatForName(name string) Format {
	if strings.EqualFold(filepath.Ext(name), ".tni") {
		return FormatTNI
	}
	return FormatINI
}

// DetectFormat guesses the format of data by content: empty data or data that
// starts with the FF FF FF FF signature is binary INI (spec §2.2); anything
// else is TNI text.
func DetectFormat(data []byte) Format {
	if len(data) == 0 || bytes.HasPrefix(data, []byte{0xFF, 0xFF, 0xFF, 0xFF}) {
		return FormatINI
	}
	return FormatTNI
}

// Parse reads data in the given format. name is used in error messages only.
// Errors are *FormatError values naming name with the offset or line.
func Parse(name string, data []byte, format Format) (*File, error) {
	var f *File
	var err error
	if format == FormatTNI {
		f, err = ParseTNI(data)
	} else {
		f, err = ParseBinary(data)
	}
	if err != nil {
		return nil, withFile(err, name)
	}
	return f, nil
}

// Marshal encodes f in the given format: binary INI (MarshalBinary) or TNI
// text without a format file (MarshalTNI).
func (f *File) Marshal(format Format) ([]byte, error) {
	if format == FormatTNI {
		return f.MarshalTNI(nil)
	}
	return f.MarshalBinary()
}

// ReadFile reads the INI or TNI file at path, choosing the format by name
// (FormatForName). It returns the file and its format; errors name path.
func ReadFile(path string) (*File, Format, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	format := FormatForName(path)
	f, err := Parse(path, data, format)
	if err != nil {
		return nil, format, err
	}
	return f, format, nil
}

// errf builds a *FormatError at a byte offset.
func errAt(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// errLine builds a *FormatError at a line.
func errLine(line int, format string, args ...any) error {
	return &FormatError{Offset: -1, Line: line, Msg: fmt.Sprintf(format, args...)}
}
