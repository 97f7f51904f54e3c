package notation

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Absent is how Value shows a nil value (a key that does not exist).
const Absent = "(absent)"

// Name renders a file, application or key name: as it is when every byte
// is printable (ASCII 0x20-0x7E or a code-page byte 0x80 and above), else
// quoted with Go escapes, so that a name holding control bytes (CR LF, an
// escape sequence) can never garble the terminal or fake a line. A name
// that is valid UTF-8 is quoted too when it holds a character a UTF-8
// terminal does not show as itself: a C1 control (U+0080-U+009F), a line
// or paragraph separator, or a format character such as a bidirectional
// override (U+202E), which would show the name reordered.
func Name(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7F {
			return fmt.Sprintf("%q", s)
		}
	}
	if utf8.ValidString(s) {
		for _, r := range s {
			if r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r) {
				return strconv.QuoteToASCII(s)
			}
		}
	}
	return s
}

// Value renders a value: Absent for nil, a quoted string (Go syntax, so a
// trailing NUL shows as \x00) when IsText holds, otherwise 0x and
// uppercase hex digits in byte order; a value of 1, 2 or 4 bytes also shows
// its little-endian unsigned number, e.g. 0x2C010000 (300).
func Value(b []byte) string {
	if b == nil {
		return Absent
	}
	if IsText(b) {
		return fmt.Sprintf("%q", b)
	}
	h := "0x" + strings.ToUpper(hex.EncodeToString(b))
	if n, ok := Number(b); ok {
		return fmt.Sprintf("%s (%d)", h, n)
	}
	return h
}

// Number returns the little-endian unsigned number of a 1-, 2- or 4-byte
// value, and false for any other length.
func Number(b []byte) (uint32, bool) {
	switch len(b) {
	case 1:
		return uint32(b[0]), true
	case 2:
		return uint32(binary.LittleEndian.Uint16(b)), true
	case 4:
		return binary.LittleEndian.Uint32(b), true
	}
	return 0, false
}

// IsText reports whether b reads as text: printable ASCII or high
// code-page bytes, tabs, CR, LF, with NULs allowed only at the end, and at
// least as many printable ASCII bytes as high code-page bytes (at least
// one), so that a number such as 3560 as u32 (E8 0D 00 00) or 250
// (FA 00 00 00) is not taken for text. A 4-byte value with two or more
// NULs at the end is not text either: it reads as a u32 below 65536, such
// as 60 (3C 00 00 00, "<") or 80 (50 00 00 00, "P"), far more often than
// as one or two characters padded to 4 bytes. The empty value is text.
func IsText(b []byte) bool {
	body := bytes.TrimRight(b, "\x00")
	if len(body) == 0 {
		return len(b) == 0
	}
	if len(b) == 4 && len(body) <= 2 {
		return false
	}
	ascii, high := 0, 0
	for _, c := range body {
		switch {
		case c >= 0x20 && c < 0x7F:
			ascii++
		case c >= 0x80:
			high++
		case c != '\t' && c != '\r' && c != '\n':
			return false
		}
	}
	return ascii > 0 && ascii >= high
}
