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

// ErrLineTooLong is returned by ReadLine when a line exceeds its cap.
var ErrLineTooLong = errors.New("line too long")

// LineReader reads protocol lines (commands on the server, replies on the
// client) from a bufio.Reader, keeping one scratch buffer for lines longer
// than the bufio buffer. The zero value is not usable: set R and Max.
//
// R must be read only through the LineReader: lines are returned from R's
// buffer as peeked, and the bytes they take are discarded from R only
// before it is read again (so R.Buffered may count lines already
// returned).
type LineReader struct {
	R   *bufio.Reader
	Max int // cap on a line's length in bytes, without its line end
	// Long, when set, is called once for a line that outgrows R's buffer,
	// before the first byte of it is copied out of R (a line R holds
	// whole never calls it); it may wait. An error ends ReadLine with
	// that error. The release it returns (nil: none) is called when the
	// line is no longer in use: at the next ReadLine, or by Release.
	Long func() (release func(), err error)

	release func() // from Long, for the line last returned

	long []byte // scratch for lines longer than R's buffer
	buf  []byte // R's buffered bytes as last peeked; nil: none
	used int    // bytes at the start of buf returned as lines, not yet discarded from R
	next int    // set by Ready: the length (with its LF) of the line at buf[used:]; 0: unknown
}

// Ready reports whether a whole line is already buffered in R, so that
// the next ReadLine returns it without reading from the connection (a
// server flushes its replies when no further command is buffered).
// ReadLine reuses the search.
func (lr *LineReader) Ready() bool {
	lr.next = 0
	if lr.used == len(lr.buf) {
		lr.peek()
	}
	i := indexLF(lr.buf[lr.used:])
	lr.next = i + 1
	return i >= 0
}

// peek discards the lines returned from R and takes R's buffered bytes as
// buf.
func (lr *LineReader) peek() {
	lr.discard()
	if n := lr.R.Buffered(); n > 0 {
		lr.buf, _ = lr.R.Peek(n)
	}
}

// discard discards the lines returned from R: R is then as if read
// through its own methods.
func (lr *LineReader) discard() {
	if lr.used > 0 {
		lr.R.Discard(lr.used)
	}
	lr.buf, lr.used, lr.next = nil, 0, 0
}

// indexLF is bytes.IndexByte(b, '\n'), quicker for the short lines of most
// commands and replies (the SIMD search costs more to start than a few
// bytes take to compare).
func indexLF(b []byte) int {
	for i, c := range b[:min(len(b), 16)] {
		if c == '\n' {
			return i
		}
	}
	if len(b) <= 16 {
		return -1
	}
	if i := bytes.IndexByte(b[16:], '\n'); i >= 0 {
		return 16 + i
	}
	return -1
}

// ReadLine reads one line and returns it without its line end. A line ends
// at LF; one CR directly before the LF is dropped, any other CR is kept
// (spec §1). A line longer than Max gives ErrLineTooLong as soon as more
// than Max+1 bytes of it have arrived, without waiting for its end; the
// rest of the line is left unread. At the end of input ReadLine returns
// io.EOF, or io.ErrUnexpectedEOF when a partial line (no LF) was pending: a
// line counts only with its LF. Other read errors (timeouts) are returned
// as they are.
//
// The returned slice points into the reader's buffers and is valid only
// until the next call.
func (lr *LineReader) ReadLine() ([]byte, error) {
	lr.Release()
	if cap(lr.long) > 1<<20 {
		lr.long = nil // do not keep a big buffer for a connection's life
	}
	i := lr.next - 1 // the LF Ready found, if any
	if lr.next == 0 {
		if lr.used == len(lr.buf) {
			lr.peek()
		}
		i = indexLF(lr.buf[lr.used:])
	}
	if i >= 0 {
		// a line in the bytes peeked
		line := lr.buf[lr.used : lr.used+i]
		lr.used += i + 1
		lr.next = 0
		return lr.end(line)
	}
	lr.discard()
	acc := lr.long[:0]
	long := false
	for {
		n := lr.R.Buffered()
		if n > 0 {
			b, _ := lr.R.Peek(n)
			if i := indexLF(b); i >= 0 {
				line := b[:i]
				if long {
					acc = append(acc, line...)
					line = acc
					lr.long = acc
				}
				lr.R.Discard(i + 1)
				return lr.end(line)
			}
			if len(acc)+n > lr.Max+1 { // +1: a CR may still precede the LF
				return nil, ErrLineTooLong
			}
			if n == lr.R.Size() {
				if !long && lr.Long != nil {
					release, err := lr.Long()
					if err != nil {
						return nil, err
					}
					lr.release = release
				}
				acc = append(acc, b...)
				long = true
				lr.R.Discard(n)
				continue
			}
		}
		if _, err := lr.R.Peek(lr.R.Buffered() + 1); err != nil {
			if err == io.EOF && (long || lr.R.Buffered() > 0) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// Release calls the release Long returned for the line last read, if
// any, once: for a reader whose line is done with and that will not be
// read again (a session's end).
func (lr *LineReader) Release() {
	if lr.release != nil {
		lr.release()
		lr.release = nil
	}
}

// end returns line (without its LF) without the CR before the LF, or
// ErrLineTooLong.
func (lr *LineReader) end(line []byte) ([]byte, error) {
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > lr.Max {
		return nil, ErrLineTooLong
	}
	return line, nil
}

const hexUpper = "0123456789ABCDEF"

// AppendHex appends src to dst as two uppercase hex digits per byte, no
// separators (the V reply and W parameter encoding, spec §3).
func AppendHex(dst, src []byte) []byte {
	n := len(dst)
	dst = grow(dst, 2*len(src))
	out := dst[n:]
	// With SIMD where the CPU has it (amd64: 15 times encoding/hex), the
	// rest through the table below (twice encoding/hex): the V of a 64 KiB
	// value is dominated by it.
	i := appendHexWide(out, src)
	encodeHexTable(out[2*i:], src[i:])
	return dst
}

// encodeHexTable writes the 2*len(src) uppercase hex digits of src to out,
// four bytes at a time through a table of digit pairs.
func encodeHexTable(out, src []byte) {
	i := 0
	for ; i+4 <= len(src); i += 4 {
		s := src[i : i+4 : i+4]
		v := uint64(hexPairs[s[0]]) | uint64(hexPairs[s[1]])<<16 | uint64(hexPairs[s[2]])<<32 | uint64(hexPairs[s[3]])<<48
		binary.LittleEndian.PutUint64(out[2*i:], v)
	}
	for ; i < len(src); i++ {
		binary.LittleEndian.PutUint16(out[2*i:], hexPairs[src[i]])
	}
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
