package ini

import (
	"fmt"
)

// FormatError reports malformed input: a binary INI file that breaks a rule
// of spec §2.7, a TNI file refused under spec §3.9, or a bad FMT file.
// File is the file name (empty when parsing bytes without a name); exactly
// one of Offset (binary INI: byte offset from the start of the file, or -1)
// and Line (TNI and FMT: 1-based line number, or 0) locates the problem.
type FormatError struct {
	File   string // file name as given by the caller; may be empty
	Offset int64  // byte offset for binary INI; -1 when not applicable
	Line   int    // 1-based line for TNI/FMT; 0 when not applicable
	Msg    string // what is wrong, without the location
}

// Error returns "FILE: offset 0xNN: MSG" or "FILE:LINE: MSG".
func (e *FormatError) Error() string {
	name := e.File
	if name == "" {
		name = "<input>"
	}
	switch {
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", name, e.Line, e.Msg)
	case e.Offset >= 0:
		return fmt.Sprintf("%s: offset %d (0x%X): %s", name, e.Offset, e.Offset, e.Msg)
	default:
		return fmt.Sprintf("%s: %s", name, e.Msg)
	}
}

// withFile sets the file name of a *FormatError in err (if any) and returns
// err.
func withFile(err error, name string) error {
	if fe, ok := err.(*FormatError); ok && fe.File == "" {
		fe.File = name
	}
	return err
}
