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
// bytes, up to the first line whose first non-blank byte is Ctrl-Z.
func tniLongLines(data []byte, warn func(*FormatError)) {
	for line := 1; len(data) > 0; line++ {
		n := bytes.IndexByte(data, '\n')
		l := data
		if n >= 0 {
			l, data = data[:n], data[n+1:]
		} else {
			data = nil
		}
		if t := bytes.TrimLeft(l, " \t\b"); len(t) > 0 && t[0] == 0x1A {
			return
		}
		l = bytes.TrimSuffix(l, []byte{'\r'})
		if len(l) > RefLineMax {
			warn(&FormatError{Offset: -1, Line: line, Msg: fmt.Sprintf(
				"line is %d bytes long; the reference TNI reader (LoadINI, INIServe) keeps only the first %d and drops the rest",
				len(l), RefLineMax)})
		}
	}
}
