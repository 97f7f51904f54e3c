package ini

// Typed views of a value.
//
// A value is raw bytes (spec §1: nothing records a type). Decode reads those
// bytes as one of the types below and Encode builds a value from typed data;
// ValueType and ParseValueType name the types, with the names the Lua API,
// the CLI and the docs use:
//
//	name        value bytes
//	bytes       v unchanged
//	string      s, no NUL inside; decoding also accepts one final NUL
//	string0     s NUL: exactly one NUL, the last byte
//	strings     S1 NUL S2 NUL ... Sn NUL NUL; no elements: NUL (spec §3.6, §4.2)
//	u8 u16 u32  1, 2, 4 bytes little-endian unsigned
//	i8 i16 i32  1, 2, 4 bytes little-endian two's complement
//	hex         text: two hex digits per byte, no separators
//
// A few shortcuts used by other packages are exported too: Strings and
// EncodeStrings, EncodeString0, U32, EncodeU8 and EncodeU32, Hex.
//
// Decoders never modify v; the []byte results for bytes, string and string0
// are sub-slices of v (they share its memory), the elements of strings too.
// Encoders return new slices. Every error is a *ValueError naming the type and
// what does not fit (length, offending byte and its offset, or range).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/inilua/inilua/internal/plural"
)

// ValueError reports bytes that do not fit a typed view, or data that cannot
// be encoded as one. Type is the type's name ("u16", "string0", ...: see
// ValueType); Msg says what is wrong, with the actual length or the
// offending byte and its offset.
type ValueError struct {
	Type string
	Msg  string
}

// Error returns "TYPE value: MSG", e.g. "u16 value: 3 bytes, want exactly 2".
func (e *ValueError) Error() string { return e.Type + " value: " + e.Msg }

func valueErr(typ, format string, args ...any) error {
	return &ValueError{Type: typ, Msg: fmt.Sprintf(format, args...)}
}

// ValueType names a typed view of a value. The zero value is TypeBytes.
type ValueType int

// The value types. Their names (decodeString, ParseValueType) are the ones used by
// the Lua API and the command line.
const (
	TypeBytes   ValueType = iota // "bytes": the raw value
	TypeString                   // "string": text without NUL (a final NUL is dropped on decode)
	TypeString0                  // "string0": text followed by exactly one NUL
	TypeStrings                  // "strings": string of strings (spec §3.6)
	TypeU8                       // "u8": 1-byte unsigned
	TypeU16                      // "u16": 2-byte little-endian unsigned
	TypeU32                      // "u32": 4-byte little-endian unsigned
	TypeI8                       // "i8": 1-byte signed
	TypeI16                      // "i16": 2-byte little-endian signed
	TypeI32                      // "i32": 4-byte little-endian signed
	TypeHex                      // "hex": upper-case hex text, two digits per byte
)

var typeNames = [...]string{
	TypeBytes:   "bytes",
	TypeString:  "string",
	TypeString0: "string0",
	TypeStrings: "strings",
	TypeU8:      "u8",
	TypeU16:     "u16",
	TypeU32:     "u32",
	TypeI8:      "i8",
	TypeI16:     "i16",
	TypeI32:     "i32",
	TypeHex:     "hex",
}

// String returns the type's name: "bytes", "string", "string0", "strings",
// "u8", "u16", "u32", "i8", "i16", "i32" or "hex"; "ValueType(N)" for a value
// outside the list.
func (t ValueType) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("ValueType(%d)", int(t))
}

// ValueTypeNames returns the names of all value types in the order of the
// constants (for help texts and error messages).
func ValueTypeNames() []string { return append([]string(nil), typeNames[:]...) }

// ParseValueType returns the type named name (exact, lower case as listed in
// ValueType.String), or an error listing the valid names.
func ParseValueType(name string) (ValueType, error) {
	for i, n := range typeNames {
		if n == name {
			return ValueType(i), nil
		}
	}
	return 0, fmt.Errorf("unknown value type %q (want one of %s)", name, strings.Join(typeNames[:], ", "))
}

// intWidth returns the byte width and signedness of an integer type; width 0
// for the other types.
func (t ValueType) intWidth() (width int, signed bool) {
	switch t {
	case TypeU8:
		return 1, false
	case TypeU16:
		return 2, false
	case TypeU32:
		return 4, false
	case TypeI8:
		return 1, true
	case TypeI16:
		return 2, true
	case TypeI32:
		return 4, true
	}
	return 0, false
}

// Decode reads v as type t. The dynamic type of the result is []byte for
// bytes, string and string0 (sub-slices of v), [][]byte for strings, int64
// for all integer types, and string for hex. Errors are those of the
// type's own decoder.
func Decode(t ValueType, v []byte) (any, error) {
	switch t {
	case TypeBytes:
		return decodeBytes(v), nil
	case TypeString:
		return decodeString(v)
	case TypeString0:
		return decodeString0(v)
	case TypeStrings:
		return Strings(v)
	case TypeHex:
		return Hex(v), nil
	}
	if w, signed := t.intWidth(); w > 0 {
		if signed {
			return decodeInt(v, w)
		}
		n, err := decodeUint(v, w)
		return int64(n), err
	}
	return nil, fmt.Errorf("decode: unknown value type %v", t)
}

// Encode builds a value of type t from x. Accepted dynamic types of x:
// []byte or string for bytes, string, string0 and hex (hex: the hex text);
// [][]byte or []string for strings; any Go integer type for the integer
// types (range-checked). Other combinations are an error naming both types.
func Encode(t ValueType, x any) ([]byte, error) {
	if w, signed := t.intWidth(); w > 0 {
		n, err := toInt64(t, x)
		if err != nil {
			return nil, err
		}
		if signed {
			return encodeInt(n, w)
		}
		if n < 0 {
			return nil, valueErr(t.String(), "%d out of range 0..%d", n, uint64(1)<<(8*w)-1)
		}
		return encodeUint(uint64(n), w)
	}
	if t == TypeStrings {
		switch l := x.(type) {
		case [][]byte:
			return EncodeStrings(l)
		case []string:
			b := make([][]byte, len(l))
			for i, s := range l {
				b[i] = []byte(s)
			}
			return EncodeStrings(b)
		}
		return nil, valueErr(t.String(), "cannot encode a Go %T (want [][]byte or []string)", x)
	}
	var b []byte
	switch s := x.(type) {
	case []byte:
		b = s
	case string:
		b = []byte(s)
	default:
		return nil, valueErr(t.String(), "cannot encode a Go %T (want []byte or string)", x)
	}
	switch t {
	case TypeBytes:
		return encodeBytes(b), nil
	case TypeString:
		return encodeString(b)
	case TypeString0:
		return EncodeString0(b)
	case TypeHex:
		return encodeHex(string(b))
	}
	return nil, fmt.Errorf("encode: unknown value type %v", t)
}

func toInt64(t ValueType, x any) (int64, error) {
	switch n := x.(type) {
	case int:
		return int64(n), nil
	case int8:
		return int64(n), nil
	case int16:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case uint8:
		return int64(n), nil
	case uint16:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case uint:
		if uint64(n) > math.MaxInt64 {
			return 0, valueErr(t.String(), "%d out of range", n)
		}
		return int64(n), nil
	case uint64:
		if n > math.MaxInt64 {
			return 0, valueErr(t.String(), "%d out of range", n)
		}
		return int64(n), nil
	}
	return 0, valueErr(t.String(), "cannot encode a Go %T (want an integer)", x)
}

// decodeBytes returns v itself: the raw view, which every value fits.
func decodeBytes(v []byte) []byte { return v }

// encodeBytes returns a copy of b as a value (never nil: a zero-length value
// is present, not absent).
func encodeBytes(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

// decodeString reads v as text: the value without NUL bytes, or the same followed
// by one final NUL, which is not part of the result (C programs store strings
// with their terminator, others without; both read the same). An empty value
// gives empty text. A NUL anywhere but the last byte is an error (the value
// is then a string of strings or binary data; use Strings or decodeBytes), as is a
// value of only NULs longer than one byte.
func decodeString(v []byte) ([]byte, error) {
	s := v
	if len(s) > 0 && s[len(s)-1] == 0 {
		s = s[:len(s)-1]
	}
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return nil, valueErr("string", "NUL byte at offset %d of %s (only a final NUL is allowed; read it as strings or bytes)", i, plural.Count(len(v), "byte"))
	}
	return s, nil
}

// encodeString returns s as a value without terminator (the TNI form
// `key=text`). s must not contain NUL; use EncodeString0 for a NUL-terminated
// value and encodeBytes for binary data.
func encodeString(s []byte) ([]byte, error) {
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return nil, valueErr("string", "text contains NUL at offset %d (use bytes)", i)
	}
	return encodeBytes(s), nil
}

// decodeString0 reads v as NUL-terminated text (the TNI form `key='text'0`): v
// must end in a NUL and contain no other; the result is v without it. An
// empty value, a missing final NUL or a NUL elsewhere is an error.
func decodeString0(v []byte) ([]byte, error) {
	if len(v) == 0 {
		return nil, valueErr("string0", "empty value, want text followed by NUL")
	}
	if last := v[len(v)-1]; last != 0 {
		return nil, valueErr("string0", "%s ending in byte 0x%02X, want a final NUL", plural.Count(len(v), "byte"), last)
	}
	s := v[:len(v)-1]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return nil, valueErr("string0", "NUL byte at offset %d of %s (only the final NUL is allowed)", i, plural.Count(len(v), "byte"))
	}
	return s, nil
}

// EncodeString0 returns s followed by one NUL. s must not contain NUL.
func EncodeString0(s []byte) ([]byte, error) {
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return nil, valueErr("string0", "text contains NUL at offset %d", i)
	}
	out := make([]byte, len(s)+1)
	copy(out, s)
	return out, nil
}

// Strings reads v as a string of strings (spec §3.6, §4.2): non-empty
// elements each followed by one NUL, then one more NUL; a value holding only
// one NUL is the empty list. Anything else is an error: an empty value, a
// value not ending in NUL, a missing final extra NUL, or an empty element
// (two NULs) before the end. The elements are sub-slices of v.
func Strings(v []byte) ([][]byte, error) {
	switch {
	case len(v) == 0:
		return nil, valueErr("strings", "empty value, want elements each followed by NUL and a final NUL")
	case v[len(v)-1] != 0:
		return nil, valueErr("strings", "%s ending in byte 0x%02X, want a final NUL", plural.Count(len(v), "byte"), v[len(v)-1])
	case len(v) == 1:
		return [][]byte{}, nil
	case v[len(v)-2] != 0:
		return nil, valueErr("strings", "%s ending in a single NUL, want an extra NUL after the last element", plural.Count(len(v), "byte"))
	}
	body := v[:len(v)-1] // S1 NUL ... Sn NUL
	list := make([][]byte, 0, bytes.Count(body, []byte{0}))
	off := 0
	for off < len(body) {
		i := bytes.IndexByte(body[off:], 0)
		if i == 0 {
			return nil, valueErr("strings", "empty element at offset %d of %s", off, plural.Count(len(v), "byte"))
		}
		list = append(list, body[off:off+i:off+i])
		off += i + 1
	}
	return list, nil
}

// EncodeStrings builds a string of strings: each element followed by NUL,
// then one more NUL (an empty list gives the single byte 00). Elements must
// be non-empty and free of NUL, or the value would not read back the same.
func EncodeStrings(list [][]byte) ([]byte, error) {
	n := 1
	for i, s := range list {
		if len(s) == 0 {
			return nil, valueErr("strings", "element %d is empty", i+1)
		}
		if j := bytes.IndexByte(s, 0); j >= 0 {
			return nil, valueErr("strings", "element %d contains NUL at offset %d", i+1, j)
		}
		n += len(s) + 1
	}
	out := make([]byte, 0, n)
	for _, s := range list {
		out = append(out, s...)
		out = append(out, 0)
	}
	return append(out, 0), nil
}

// decodeUint reads v as one little-endian unsigned integer of width bytes (1, 2
// or 4); the length of v must be exactly width.
func decodeUint(v []byte, width int) (uint64, error) {
	typ := fmt.Sprintf("u%d", 8*width)
	if width != 1 && width != 2 && width != 4 {
		return 0, valueErr(typ, "unsupported width %d (want 1, 2 or 4)", width)
	}
	if len(v) != width {
		return 0, valueErr(typ, "%s, want exactly %d", plural.Count(len(v), "byte"), width)
	}
	return leUint(v), nil
}

// decodeInt reads v as one little-endian two's-complement signed integer of width
// bytes (1, 2 or 4); the length of v must be exactly width.
func decodeInt(v []byte, width int) (int64, error) {
	typ := fmt.Sprintf("i%d", 8*width)
	if width != 1 && width != 2 && width != 4 {
		return 0, valueErr(typ, "unsupported width %d (want 1, 2 or 4)", width)
	}
	if len(v) != width {
		return 0, valueErr(typ, "%s, want exactly %d", plural.Count(len(v), "byte"), width)
	}
	shift := 64 - 8*width
	return int64(leUint(v)<<shift) >> shift, nil
}

// encodeUint returns n as width (1, 2 or 4) little-endian bytes; an error
// when n does not fit.
func encodeUint(n uint64, width int) ([]byte, error) {
	typ := fmt.Sprintf("u%d", 8*width)
	if width != 1 && width != 2 && width != 4 {
		return nil, valueErr(typ, "unsupported width %d (want 1, 2 or 4)", width)
	}
	if max := uint64(1)<<(8*width) - 1; n > max {
		return nil, valueErr(typ, "%d out of range 0..%d", n, max)
	}
	return putLE(make([]byte, width), n), nil
}

// encodeInt returns n as width (1, 2 or 4) little-endian two's-complement
// bytes; an error when n does not fit the signed range.
func encodeInt(n int64, width int) ([]byte, error) {
	typ := fmt.Sprintf("i%d", 8*width)
	if width != 1 && width != 2 && width != 4 {
		return nil, valueErr(typ, "unsupported width %d (want 1, 2 or 4)", width)
	}
	lo, hi := -int64(1)<<(8*width-1), int64(1)<<(8*width-1)-1
	if n < lo || n > hi {
		return nil, valueErr(typ, "%d out of range %d..%d", n, lo, hi)
	}
	return putLE(make([]byte, width), uint64(n)), nil
}

// decodeU8 reads a 1-byte unsigned value.
func decodeU8(v []byte) (uint8, error) { n, err := decodeUint(v, 1); return uint8(n), err }

// decodeU16 reads a 2-byte little-endian unsigned value.
func decodeU16(v []byte) (uint16, error) { n, err := decodeUint(v, 2); return uint16(n), err }

// U32 reads a 4-byte little-endian unsigned value (the TNI form `key=n`).
func U32(v []byte) (uint32, error) { n, err := decodeUint(v, 4); return uint32(n), err }

// decodeI8 reads a 1-byte signed value.
func decodeI8(v []byte) (int8, error) { n, err := decodeInt(v, 1); return int8(n), err }

// decodeI16 reads a 2-byte little-endian signed value.
func decodeI16(v []byte) (int16, error) { n, err := decodeInt(v, 2); return int16(n), err }

// decodeI32 reads a 4-byte little-endian signed value.
func decodeI32(v []byte) (int32, error) { n, err := decodeInt(v, 4); return int32(n), err }

// EncodeU8 returns n as 1 byte; an error unless 0 <= n <= 255.
func EncodeU8(n int64) ([]byte, error) { return encodeUnsigned(n, 1) }

// encodeU16 returns n as 2 little-endian bytes; an error unless 0 <= n <= 65535.
func encodeU16(n int64) ([]byte, error) { return encodeUnsigned(n, 2) }

// EncodeU32 returns n as 4 little-endian bytes; an error unless
// 0 <= n <= 4294967295.
func EncodeU32(n int64) ([]byte, error) { return encodeUnsigned(n, 4) }

// encodeI8 returns n as 1 two's-complement byte; an error unless
// -128 <= n <= 127.
func encodeI8(n int64) ([]byte, error) { return encodeInt(n, 1) }

// encodeI16 returns n as 2 little-endian two's-complement bytes; an error
// unless -32768 <= n <= 32767.
func encodeI16(n int64) ([]byte, error) { return encodeInt(n, 2) }

// encodeI32 returns n as 4 little-endian two's-complement bytes; an error
// unless -2147483648 <= n <= 2147483647.
func encodeI32(n int64) ([]byte, error) { return encodeInt(n, 4) }

func encodeUnsigned(n int64, width int) ([]byte, error) {
	if n < 0 {
		return nil, valueErr(fmt.Sprintf("u%d", 8*width), "%d out of range 0..%d", n, uint64(1)<<(8*width)-1)
	}
	return encodeUint(uint64(n), width)
}

// decodeNumbers reads v as a sequence of width-byte little-endian unsigned numbers
// (the TNI form `(N) a b c`, spec §3.4), width 1 to 8. The length of v must
// be a multiple of width; an empty value gives an empty sequence.
func decodeNumbers(v []byte, width int) ([]uint64, error) {
	typ := fmt.Sprintf("(%d) numbers", width)
	if width < 1 || width > 8 {
		return nil, valueErr(typ, "unsupported width %d (want 1 to 8)", width)
	}
	if len(v)%width != 0 {
		return nil, valueErr(typ, "%s is not a multiple of %d", plural.Count(len(v), "byte"), width)
	}
	out := make([]uint64, len(v)/width)
	for i := range out {
		out[i] = leUint(v[i*width : (i+1)*width])
	}
	return out, nil
}

// encodeNumbers returns nums as consecutive width-byte little-endian
// unsigned numbers, width 1 to 8; an error naming the first number that does
// not fit in width bytes.
func encodeNumbers(nums []uint64, width int) ([]byte, error) {
	typ := fmt.Sprintf("(%d) numbers", width)
	if width < 1 || width > 8 {
		return nil, valueErr(typ, "unsupported width %d (want 1 to 8)", width)
	}
	out := make([]byte, len(nums)*width)
	for i, n := range nums {
		if width < 8 && n>>(8*width) != 0 {
			return nil, valueErr(typ, "number %d (%d) out of range 0..%d", i+1, n, uint64(1)<<(8*width)-1)
		}
		putLE(out[i*width:(i+1)*width], n)
	}
	return out, nil
}

// leUint decodes up to 8 little-endian bytes.
func leUint(b []byte) uint64 {
	if len(b) == 8 {
		return binary.LittleEndian.Uint64(b)
	}
	var n uint64
	for i := len(b) - 1; i >= 0; i-- {
		n = n<<8 | uint64(b[i])
	}
	return n
}

// putLE stores the low len(b) bytes of n in b, little-endian, and returns b.
func putLE(b []byte, n uint64) []byte {
	for i := range b {
		b[i] = byte(n)
		n >>= 8
	}
	return b
}

const hexDigits = "0123456789ABCDEF"

// Hex returns v as upper-case hexadecimal text, two digits per byte, no
// separators ("" for an empty value). Every value fits.
func Hex(v []byte) string {
	out := make([]byte, 2*len(v))
	for i, c := range v {
		out[2*i] = hexDigits[c>>4]
		out[2*i+1] = hexDigits[c&15]
	}
	return string(out)
}

// encodeHex returns the bytes written as hexadecimal text: two digits per
// byte, upper or lower case, no separators or prefix. An odd number of
// digits or a non-hex character is an error naming its offset.
func encodeHex(text string) ([]byte, error) {
	if len(text)%2 != 0 {
		return nil, valueErr("hex", "odd number of digits (%d)", len(text))
	}
	out := make([]byte, len(text)/2)
	for i := 0; i < len(text); i++ {
		d := unhex(text[i])
		if d < 0 {
			return nil, valueErr("hex", "byte %q at offset %d is not a hex digit", text[i], i)
		}
		out[i/2] = out[i/2]<<4 | byte(d)
	}
	return out, nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	}
	return -1
}
