package ini

import (
	"bytes"
	"fmt"
)

// RefLineMax is the number of bytes of a physical TNI line that the
// reference reader keeps (spec §3.1); it silently drops the rest of a
// longer line. Our reader keeps the whole line (DEVIATION) and ParseWarn
// reports each longer line.
const RefLineMax = 512

// ParseWarn is Parse that also reports what it tolerates but the reference
// programs would read differently, calling warn (when not nil) once for
// each, in file order, with a *FormatError naming name:
//
//   - binary INI: every irregularity of BinaryOptions.Warn in lenient mode
//     (a header length field unlike the file size, the two copies of a
//     16-bit length disagreeing, a name field without a NUL or with a NUL
//     before its end, duplicate names, empty names), Offset set;
//   - TNI: each physical line longer than RefLineMax bytes (not counting its
//     LF and a CR before it), which the reference reader would cut, Line
//     set (1-based); lines after a Ctrl-Z line, which ends the file, are
//     not looked at.
//
// Warnings are reported only when the parse succeeds; the result and the
// errors are those of Parse.
func ParseWarn(name string, data []byte, format Format, warn func(*FormatError)) (*File, error) {
	if warn == nil {
		return Parse(name, data, format)
	}
	named := func(e *FormatError) {
		e.File = name
		warn(e)
	}
	if format != FormatTNI {
		var ws []*FormatError
		f, err := ParseBinaryOptions(data, BinaryOptions{Warn: func(e *FormatError) { ws = append(ws, e) }})
		if err != nil {
			return nil, withFile(err, name)
		}
		for _, e := range ws {
			named(e)
		}
		return f, nil
	}
	f, err := Parse(name, data, format)
	if err != nil {
		return nil, err
	}
	tniLongLines(data, named)
	return f, nil
}

// tniLongLines calls warn for each line of data longer than RefLineMax
// bytes, up to the first Ctrl-Z: data has been parsed without error, so a
// Ctrl-Z can only start a line (after blanks), where it ends the file
// (spec §3.1; ParseTNI refuses one anywhere else).
func tniLongLines(data []byte, warn func(*FormatError)) {
	if end := bytes.IndexByte(data, 0x1A); end >= 0 {
		data = data[:end]
	}
	for line := 1; len(data) > RefLineMax; line++ {
		n := bytes.IndexByte(data, '\n')
		if n < 0 {
			n = len(data)
		}
		l := n
		if l > 0 && data[l-1] == '\r' {
			l--
		}
		if l > RefLineMax {
			warn(&FormatError{Offset: -1, Line: line, Msg: fmt.Sprintf(
				"line is %d bytes long; the reference TNI reader (LoadINI, INIServe) keeps only the first %d and drops the rest",
				l, RefLineMax)})
		}
		if n == len(data) {
			break
		}
		data = data[n+1:]
	}
}
