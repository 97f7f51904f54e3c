// Package wire holds what the INIServe server and client share about the
// protocol of ../shared/spec/iniserve-protocol.md: line framing, hex data,
// numbers and reply classification. It knows nothing about files or
// sessions.
package wire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// DefaultPort is the IANA-registered INIServe TCP port.
const DefaultPort = 3560

// DefaultMaxLine is the default cap on a command's parameter, in bytes
// (16 MiB, spec §1): it fits a W of an 8 MiB value.
const DefaultMaxLine = 16 << 20

// CRLF ends every reply line (spec §1).
const CRLF = "\r\n"

// ErrLineTooLong is returned by ReadLine when a line exceeds its cap. The
// rest of the line has not been read.
var ErrLineTooLong = errors.New("line too long")

// ReadLine reads one line from r and returns it without its line end. A line
// ends at LF; one CR directly before the LF is dropped, any other CR is kept
// (spec §1). max caps the returned length in bytes; a longer line returns
// ErrLineTooLong as soon as the cap is passed, having consumed at most
// max+1 bytes plus what bufio had buffered. At end of input, a final line
// without LF is returned with a nil error if non-empty, then io.EOF.
//
// The returned slice may point into r's buffer and is valid only until the
// next read from r.
func ReadLine(r *bufio.Reader, max int) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == nil {
		line = line[:len(line)-1]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) > max {
			return nil, ErrLineTooLong
		}
		return line, nil
	}
	if err != bufio.ErrBufferFull {
		if len(line) == 0 {
			return nil, err
		}
		if err == io.EOF {
			if len(line) > max {
				return nil, ErrLineTooLong
			}
			return line, nil
		}
		return nil, err
	}
	// The line is longer than the buffer: accumulate up to max+1 (+1 for a
	// CR that may precede the LF).
	buf := append([]byte(nil), line...)
	for {
		if len(buf) > max+1 {
			return nil, ErrLineTooLong
		}
		line, err = r.ReadSlice('\n')
		buf = append(buf, line...)
		if err == nil {
			buf = buf[:len(buf)-1]
			if len(buf) > 0 && buf[len(buf)-1] == '\r' {
				buf = buf[:len(buf)-1]
			}
			if len(buf) > max {
				return nil, ErrLineTooLong
			}
			return buf, nil
		}
		if err == io.EOF {
			if len(buf) > max {
				return nil, ErrLineTooLong
			}
			return buf, nil
		}
		if err != bufio.ErrBufferFull {
			return nil, err
		}
	}
}

const hexUpper = "0123456789ABCDEF"

// AppendHex appends src to dst as two uppercase hex digits per byte, no
// separators (the V reply and W parameter encoding, spec §3).
func AppendHex(dst, src []byte) []byte {
	n := len(dst)
	dst = grow(dst, 2*len(src))
	out := dst[n:]
	// Four bytes at a time through a table of digit pairs: about twice the
	// speed of encoding/hex (the V of a 64 KiB value is dominated by it).
	i := 0
	for ; i+4 <= len(src); i += 4 {
		s := src[i : i+4 : i+4]
		v := uint64(hexPairs[s[0]]) | uint64(hexPairs[s[1]])<<16 | uint64(hexPairs[s[2]])<<32 | uint64(hexPairs[s[3]])<<48
		binary.LittleEndian.PutUint64(out[2*i:], v)
	}
	for ; i < len(src); i++ {
		binary.LittleEndian.PutUint16(out[2*i:], hexPairs[src[i]])
	}
	return dst
}

// hexPairs maps a byte to its two uppercase hex digits, first digit in the
// low byte (little-endian order in memory).
var hexPairs = func() (t [256]uint16) {
	for i := range t {
		t[i] = uint16(hexUpper[i>>4]) | uint16(hexUpper[i&0x0F])<<8
	}
	return
}()

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// hexVal maps a byte to its hex digit value, or 0xFF when it is not a hex
// digit (either case).
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i := byte(0); i < 10; i++ {
		t['0'+i] = i
	}
	for i := byte(0); i < 6; i++ {
		t['A'+i] = 10 + i
		t['a'+i] = 10 + i
	}
	return
}()

// ErrBadHex is returned by AppendUnhex for an odd number of digits or a byte
// that is not a hex digit.
var ErrBadHex = errors.New("bad hex data")

// AppendUnhex decodes hex text (two digits per byte, upper or lower case, no
// separators) and appends the bytes to dst. An odd length or any other byte
// (spaces included) gives an error wrapping ErrBadHex naming the offset.
func AppendUnhex(dst, src []byte) ([]byte, error) {
	if len(src)%2 != 0 {
		return dst, fmt.Errorf("%w: odd number of hex digits (%d)", ErrBadHex, len(src))
	}
	n := len(dst)
	dst = grow(dst, len(src)/2)
	out := dst[n:]
	for i := 0; i < len(src); i += 2 {
		hi, lo := hexVal[src[i]], hexVal[src[i+1]]
		if hi > 15 || lo > 15 {
			bad := i
			if hi <= 15 {
				bad = i + 1
			}
			return dst[:n], fmt.Errorf("%w: byte %d is not a hex digit", ErrBadHex, bad)
		}
		out[i/2] = hi<<4 | lo
	}
	return dst, nil
}

// AppendNumber appends n as uppercase hex without leading zeros ("0" for
// zero), as in S and T replies (spec §3).
func AppendNumber(dst []byte, n uint64) []byte {
	return append(dst, bytes.ToUpper(strconv.AppendUint(nil, n, 16))...)
}

// ParseNumber parses a <val> (spec §3): optional leading spaces, then 1 to 8
// hex digits and nothing else. ok is false for anything else ("a missing
// number").
func ParseNumber(s []byte) (n uint32, ok bool) {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 8 {
		return 0, false
	}
	for _, c := range s {
		v := hexVal[c]
		if v > 15 {
			return 0, false
		}
		n = n<<4 | uint32(v)
	}
	return n, true
}

// DefaultLimit is the limit in force before any O command (spec §2).
const DefaultLimit = 0xFFFFFFFF

// ParseOffsetLimit parses the parameter of O: "<val>,<val>" where a missing
// or malformed first number means offset 0 and a missing or malformed second
// number (or no comma) means limit FFFFFFFF (spec §8). It never fails.
func ParseOffsetLimit(param []byte) (offset, limit uint32) {
	first, second, hasComma := bytes.Cut(param, []byte{','})
	offset, ok := ParseNumber(first)
	if !ok {
		offset = 0
	}
	limit = DefaultLimit
	if hasComma {
		if l, ok := ParseNumber(second); ok {
			limit = l
		}
	}
	return offset, limit
}

// ParseReplyNumber parses the hex number of an S or T reply after its '+'
// (uppercase or lowercase, no length limit beyond 16 digits).
func ParseReplyNumber(s []byte) (uint64, error) {
	if len(s) == 0 || len(s) > 16 {
		return 0, fmt.Errorf("bad number %q", Clean(s, 64))
	}
	var n uint64
	for _, c := range s {
		v := hexVal[c]
		if v > 15 {
			return 0, fmt.Errorf("bad number %q", Clean(s, 64))
		}
		n = n<<4 | uint64(v)
	}
	return n, nil
}

// Clean returns a copy of b safe to echo in a reply or log line: every byte
// below 0x20 and 0x7F becomes '?', and the result is cut to max bytes (spec
// §2).
func Clean(b []byte, max int) []byte {
	if len(b) > max {
		b = b[:max]
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c == 0x7F {
			c = '?'
		}
		out[i] = c
	}
	return out
}

// OK reports whether a reply line signals success: it starts with '+'.
// Clients look only at the first character (spec §1).
func OK(reply []byte) bool { return len(reply) > 0 && reply[0] == '+' }
