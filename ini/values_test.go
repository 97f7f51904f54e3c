package ini

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// wantValueErr checks that err is a *ValueError of type typ whose message
// contains every fragment.
func wantValueErr(t *testing.T, err error, typ string, fragments ...string) {
	t.Helper()
	var ve *ValueError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v (%T), want *ValueError", err, err)
	}
	if ve.Type != typ {
		t.Errorf("error type = %q, want %q (%v)", ve.Type, typ, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		errFrag []string // nil: success expected
	}{
		{"", "", nil},
		{"hello", "hello", nil},
		{"hello\x00", "hello", nil},
		{"\x00", "", nil},
		{"\x80\xff x", "\x80\xff x", nil},
		{"a\x00b", "", []string{"offset 1", "3 bytes"}},
		{"a\x00b\x00", "", []string{"offset 1", "4 bytes"}},
		{"ab\x00\x00", "", []string{"offset 2", "4 bytes"}},
		{"\x00\x00", "", []string{"offset 0", "2 bytes"}},
	}
	for _, tt := range tests {
		got, err := decodeString([]byte(tt.in))
		if tt.errFrag != nil {
			if err == nil {
				t.Errorf("decodeString(%q) = %q, want error", tt.in, got)
				continue
			}
			wantValueErr(t, err, "string", tt.errFrag...)
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("decodeString(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestString0(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		errFrag []string
	}{
		{"hello\x00", "hello", nil},
		{"\x00", "", nil},
		{"", "", []string{"empty"}},
		{"hello", "", []string{"5 bytes", "0x6F", "final NUL"}},
		{"a\x00b\x00", "", []string{"offset 1"}},
		{"\x00\x00", "", []string{"offset 0", "2 bytes"}},
	}
	for _, tt := range tests {
		got, err := decodeString0([]byte(tt.in))
		if tt.errFrag != nil {
			if err == nil {
				t.Errorf("decodeString0(%q) = %q, want error", tt.in, got)
				continue
			}
			wantValueErr(t, err, "string0", tt.errFrag...)
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("decodeString0(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestEncodeString(t *testing.T) {
	for _, s := range []string{"", "abc", "\xff\x01"} {
		v, err := encodeString([]byte(s))
		if err != nil || string(v) != s || v == nil {
			t.Errorf("encodeString(%q) = %q, %v", s, v, err)
		}
		back, err := decodeString(v)
		if err != nil || string(back) != s {
			t.Errorf("decodeString(encodeString(%q)) = %q, %v", s, back, err)
		}
		v0, err := EncodeString0([]byte(s))
		if err != nil || string(v0) != s+"\x00" {
			t.Errorf("EncodeString0(%q) = %q, %v", s, v0, err)
		}
		back, err = decodeString0(v0)
		if err != nil || string(back) != s {
			t.Errorf("decodeString0(EncodeString0(%q)) = %q, %v", s, back, err)
		}
	}
	_, err := encodeString([]byte("a\x00"))
	wantValueErr(t, err, "string", "offset 1")
	_, err = EncodeString0([]byte("\x00a"))
	wantValueErr(t, err, "string0", "offset 0")
}

func TestStrings(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		errFrag []string
	}{
		{"\x00", []string{}, nil},
		{"a\x00\x00", []string{"a"}, nil},
		{"abc\x00de\x00\x00", []string{"abc", "de"}, nil},
		{"x y\x00\xff\x00\x00", []string{"x y", "\xff"}, nil},
		{"", nil, []string{"empty value"}},
		{"abc", nil, []string{"3 bytes", "0x63"}},
		{"abc\x00", nil, []string{"4 bytes", "extra NUL"}},
		{"\x00\x00", nil, []string{"empty element at offset 0"}},
		{"a\x00\x00b\x00\x00", nil, []string{"empty element at offset 2", "6 bytes"}},
	}
	for _, tt := range tests {
		got, err := Strings([]byte(tt.in))
		if tt.errFrag != nil {
			if err == nil {
				t.Errorf("Strings(%q) = %q, want error", tt.in, got)
				continue
			}
			wantValueErr(t, err, "strings", tt.errFrag...)
			continue
		}
		if err != nil {
			t.Errorf("Strings(%q): %v", tt.in, err)
			continue
		}
		gotS := make([]string, len(got))
		for i, b := range got {
			gotS[i] = string(b)
		}
		if !reflect.DeepEqual(gotS, tt.want) {
			t.Errorf("Strings(%q) = %q, want %q", tt.in, gotS, tt.want)
		}
		// encoding the decoded list gives the value back
		enc, err := EncodeStrings(got)
		if err != nil || string(enc) != tt.in {
			t.Errorf("EncodeStrings(Strings(%q)) = %q, %v", tt.in, enc, err)
		}
	}
}

func TestStringsElementsDoNotOverlap(t *testing.T) {
	v := []byte("ab\x00cd\x00\x00")
	list, err := Strings(v)
	if err != nil {
		t.Fatal(err)
	}
	// appending to an element must not overwrite the next one
	_ = append(list[0], 'X')
	if string(v) != "ab\x00cd\x00\x00" {
		t.Errorf("append to element changed the value: %q", v)
	}
}

func TestEncodeStringsErrors(t *testing.T) {
	_, err := EncodeStrings([][]byte{[]byte("a"), {}})
	wantValueErr(t, err, "strings", "element 2 is empty")
	_, err = EncodeStrings([][]byte{[]byte("a\x00b")})
	wantValueErr(t, err, "strings", "element 1", "offset 1")
	v, err := EncodeStrings(nil)
	if err != nil || !bytes.Equal(v, []byte{0}) {
		t.Errorf("EncodeStrings(nil) = %q, %v; want 00", v, err)
	}
}

func TestIntegers(t *testing.T) {
	tests := []struct {
		typ  ValueType
		in   []byte
		want int64
	}{
		{TypeU8, []byte{0}, 0},
		{TypeU8, []byte{0xFF}, 255},
		{TypeU16, []byte{0xE8, 0x0D}, 3560},
		{TypeU16, []byte{0xFF, 0xFF}, 65535},
		{TypeU32, []byte{0x84, 0x03, 0, 0}, 900},
		{TypeU32, []byte{0xFF, 0xFF, 0xFF, 0xFF}, 4294967295},
		{TypeI8, []byte{0xFF}, -1},
		{TypeI8, []byte{0x80}, -128},
		{TypeI8, []byte{0x7F}, 127},
		{TypeI16, []byte{0x00, 0x80}, -32768},
		{TypeI16, []byte{0xFE, 0xFF}, -2},
		{TypeI32, []byte{0xFF, 0xFF, 0xFF, 0x7F}, 2147483647},
		{TypeI32, []byte{0x00, 0x00, 0x00, 0x80}, -2147483648},
		{TypeI32, []byte{0x84, 0x03, 0, 0}, 900},
	}
	for _, tt := range tests {
		got, err := Decode(tt.typ, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Decode(%v, % X) = %v, %v; want %d", tt.typ, tt.in, got, err, tt.want)
		}
		enc, err := Encode(tt.typ, tt.want)
		if err != nil || !bytes.Equal(enc, tt.in) {
			t.Errorf("Encode(%v, %d) = % X, %v; want % X", tt.typ, tt.want, enc, err, tt.in)
		}
	}
	// the typed helpers agree with the generic ones
	if n, err := decodeU16([]byte{0xE8, 0x0D}); n != 3560 || err != nil {
		t.Errorf("U16 = %d, %v", n, err)
	}
	if n, err := U32([]byte{1, 2, 3, 4}); n != 0x04030201 || err != nil {
		t.Errorf("U32 = %#x, %v", n, err)
	}
	if n, err := decodeU8([]byte{200}); n != 200 || err != nil {
		t.Errorf("U8 = %d, %v", n, err)
	}
	if n, err := decodeI8([]byte{0xF6}); n != -10 || err != nil {
		t.Errorf("I8 = %d, %v", n, err)
	}
	if n, err := decodeI16([]byte{0x18, 0xFC}); n != -1000 || err != nil {
		t.Errorf("I16 = %d, %v", n, err)
	}
	if n, err := decodeI32([]byte{0x00, 0x00, 0x00, 0xFF}); n != -16777216 || err != nil {
		t.Errorf("I32 = %d, %v", n, err)
	}
}

func TestIntegerErrors(t *testing.T) {
	lengths := []struct {
		typ  string
		dec  func([]byte) error
		in   []byte
		frag string
	}{
		{"u8", func(v []byte) error { _, err := decodeU8(v); return err }, nil, "0 bytes, want exactly 1"},
		{"u8", func(v []byte) error { _, err := decodeU8(v); return err }, []byte{1, 2}, "2 bytes, want exactly 1"},
		{"u16", func(v []byte) error { _, err := decodeU16(v); return err }, []byte{1}, "1 byte, want exactly 2"},
		{"u16", func(v []byte) error { _, err := decodeU16(v); return err }, []byte{1, 2, 3}, "3 bytes, want exactly 2"},
		{"u32", func(v []byte) error { _, err := U32(v); return err }, []byte{1, 2}, "2 bytes, want exactly 4"},
		{"u32", func(v []byte) error { _, err := U32(v); return err }, []byte("hello\x00"), "6 bytes, want exactly 4"},
		{"i8", func(v []byte) error { _, err := decodeI8(v); return err }, []byte{1, 2}, "2 bytes, want exactly 1"},
		{"i16", func(v []byte) error { _, err := decodeI16(v); return err }, []byte{1, 2, 3, 4}, "4 bytes, want exactly 2"},
		{"i32", func(v []byte) error { _, err := decodeI32(v); return err }, []byte{1, 2, 3, 4, 5}, "5 bytes, want exactly 4"},
	}
	for _, tt := range lengths {
		wantValueErr(t, tt.dec(tt.in), tt.typ, tt.frag)
	}
	ranges := []struct {
		typ  string
		enc  func(int64) ([]byte, error)
		n    int64
		frag string
	}{
		{"u8", EncodeU8, 256, "256 out of range 0..255"},
		{"u8", EncodeU8, -1, "-1 out of range 0..255"},
		{"u16", encodeU16, 65536, "0..65535"},
		{"u32", EncodeU32, 1 << 32, "0..4294967295"},
		{"u32", EncodeU32, -5, "-5 out of range"},
		{"i8", encodeI8, 128, "-128..127"},
		{"i8", encodeI8, -129, "-129 out of range"},
		{"i16", encodeI16, 32768, "-32768..32767"},
		{"i32", encodeI32, 1 << 31, "-2147483648..2147483647"},
		{"i32", encodeI32, -(1 << 31) - 1, "out of range"},
	}
	for _, tt := range ranges {
		v, err := tt.enc(tt.n)
		if err == nil {
			t.Errorf("encode %s %d = % X, want error", tt.typ, tt.n, v)
			continue
		}
		wantValueErr(t, err, tt.typ, tt.frag)
	}
	// edges that fit
	for _, c := range []struct {
		enc  func(int64) ([]byte, error)
		n    int64
		want []byte
	}{
		{EncodeU8, 255, []byte{0xFF}},
		{encodeU16, 65535, []byte{0xFF, 0xFF}},
		{EncodeU32, 4294967295, []byte{0xFF, 0xFF, 0xFF, 0xFF}},
		{encodeI8, -128, []byte{0x80}},
		{encodeI16, -1, []byte{0xFF, 0xFF}},
		{encodeI32, -2, []byte{0xFE, 0xFF, 0xFF, 0xFF}},
	} {
		if v, err := c.enc(c.n); err != nil || !bytes.Equal(v, c.want) {
			t.Errorf("encode %d = % X, %v; want % X", c.n, v, err, c.want)
		}
	}
	if _, err := decodeUint([]byte{1, 2, 3}, 3); err == nil {
		t.Error("Uint width 3: no error")
	}
	if _, err := encodeInt(1, 8); err == nil {
		t.Error("EncodeInt width 8: no error")
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		in    []byte
		width int
		want  []uint64
	}{
		{nil, 2, []uint64{}},
		{[]byte{1, 2, 3}, 1, []uint64{1, 2, 3}},
		{[]byte{0x19, 0, 0x6E, 0, 0x8F, 0}, 2, []uint64{25, 110, 143}},
		{[]byte{1, 0, 0, 2, 0, 0}, 3, []uint64{1, 2}},
		{[]byte{0xE8, 0x0D, 0, 0, 0x84, 0x03, 0, 0}, 4, []uint64{3560, 900}},
		{[]byte{1, 2, 3, 4, 5, 6, 7, 8}, 8, []uint64{0x0807060504030201}},
	}
	for _, tt := range tests {
		got, err := decodeNumbers(tt.in, tt.width)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("decodeNumbers(% X, %d) = %v, %v; want %v", tt.in, tt.width, got, err, tt.want)
		}
		enc, err := encodeNumbers(tt.want, tt.width)
		if err != nil || !bytes.Equal(enc, tt.in) {
			t.Errorf("encodeNumbers(%v, %d) = % X, %v; want % X", tt.want, tt.width, enc, err, tt.in)
		}
	}
	_, err := decodeNumbers([]byte{1, 2, 3}, 2)
	wantValueErr(t, err, "(2) numbers", "3 bytes is not a multiple of 2")
	_, err = decodeNumbers([]byte{1}, 0)
	wantValueErr(t, err, "(0) numbers", "width 0")
	_, err = decodeNumbers([]byte{1}, 9)
	wantValueErr(t, err, "(9) numbers", "width 9")
	_, err = encodeNumbers([]uint64{1, 256}, 1)
	wantValueErr(t, err, "(1) numbers", "number 2 (256)", "0..255")
	_, err = encodeNumbers([]uint64{1 << 24}, 3)
	wantValueErr(t, err, "(3) numbers", "0..16777215")
	if v, err := encodeNumbers([]uint64{^uint64(0)}, 8); err != nil || !bytes.Equal(v, bytes.Repeat([]byte{0xFF}, 8)) {
		t.Errorf("encodeNumbers(max, 8) = % X, %v", v, err)
	}
}

func TestHex(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte{0}, "00"},
		{[]byte{0x01, 0xAB, 0xFF, 0x7F}, "01ABFF7F"},
	}
	for _, tt := range tests {
		if got := Hex(tt.in); got != tt.want {
			t.Errorf("Hex(% X) = %q, want %q", tt.in, got, tt.want)
		}
		for _, text := range []string{tt.want, strings.ToLower(tt.want)} {
			v, err := encodeHex(text)
			if err != nil || !bytes.Equal(v, tt.in) || v == nil {
				t.Errorf("encodeHex(%q) = % X, %v; want % X", text, v, err, tt.in)
			}
		}
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	back, err := encodeHex(Hex(all))
	if err != nil || !bytes.Equal(back, all) {
		t.Errorf("hex round trip of 0..255 failed: %v", err)
	}
	_, err = encodeHex("ABC")
	wantValueErr(t, err, "hex", "odd number of digits (3)")
	_, err = encodeHex("0G")
	wantValueErr(t, err, "hex", "'G' at offset 1")
	_, err = encodeHex("01 002")
	wantValueErr(t, err, "hex", "' ' at offset 2")
	_, err = encodeHex("0x10")
	wantValueErr(t, err, "hex", "'x' at offset 1")
}

func TestValueTypeNames(t *testing.T) {
	for _, name := range []string{"bytes", "string", "string0", "strings", "u8", "u16", "u32", "i8", "i16", "i32", "hex"} {
		vt, err := ParseValueType(name)
		if err != nil || vt.String() != name {
			t.Errorf("ParseValueType(%q) = %v, %v", name, vt, err)
		}
	}
	if len(ValueTypeNames()) != 11 {
		t.Errorf("ValueTypeNames() = %v", ValueTypeNames())
	}
	_, err := ParseValueType("U16")
	if err == nil || !strings.Contains(err.Error(), "u16") {
		t.Errorf("ParseValueType(U16) error = %v", err)
	}
	if s := ValueType(99).String(); s != "ValueType(99)" {
		t.Errorf("ValueType(99).String() = %q", s)
	}
}

func TestDecodeEncodeGeneric(t *testing.T) {
	tests := []struct {
		typ  ValueType
		x    any // encoder input
		val  string
		back any // decoder output
	}{
		{TypeBytes, []byte("\x00\x01"), "\x00\x01", []byte("\x00\x01")},
		{TypeString, "abc", "abc", []byte("abc")},
		{TypeString0, []byte("abc"), "abc\x00", []byte("abc")},
		{TypeStrings, []string{"a", "bc"}, "a\x00bc\x00\x00", [][]byte{[]byte("a"), []byte("bc")}},
		{TypeStrings, [][]byte{[]byte("z")}, "z\x00\x00", [][]byte{[]byte("z")}},
		{TypeHex, "0aff", "\x0a\xff", "0AFF"},
		{TypeU16, 3560, "\xe8\x0d", int64(3560)},
		{TypeU32, uint32(7), "\x07\x00\x00\x00", int64(7)},
		{TypeI32, int64(-1), "\xff\xff\xff\xff", int64(-1)},
		{TypeI16, int16(-2), "\xfe\xff", int64(-2)},
		{TypeU8, uint64(9), "\x09", int64(9)},
	}
	for _, tt := range tests {
		v, err := Encode(tt.typ, tt.x)
		if err != nil || string(v) != tt.val {
			t.Errorf("Encode(%v, %v) = %q, %v; want %q", tt.typ, tt.x, v, err, tt.val)
			continue
		}
		got, err := Decode(tt.typ, v)
		if err != nil {
			t.Errorf("Decode(%v, %q): %v", tt.typ, v, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.back) {
			t.Errorf("Decode(%v, %q) = %#v, want %#v", tt.typ, v, got, tt.back)
		}
	}
	errs := []struct {
		typ  ValueType
		x    any
		frag string
	}{
		{TypeU16, "12", "cannot encode a Go string"},
		{TypeU16, -1, "-1 out of range 0..65535"},
		{TypeU8, uint64(1) << 63, "out of range"},
		{TypeString, 5, "cannot encode a Go int"},
		{TypeStrings, "a", "cannot encode a Go string"},
		{TypeString, "a\x00", "NUL"},
		{TypeHex, "xyz", "odd"},
	}
	for _, tt := range errs {
		_, err := Encode(tt.typ, tt.x)
		if err == nil || !strings.Contains(err.Error(), tt.frag) {
			t.Errorf("Encode(%v, %#v) error = %v, want it to mention %q", tt.typ, tt.x, err, tt.frag)
		}
	}
	if _, err := Decode(TypeU32, []byte{1}); err == nil {
		t.Error("Decode(u32, 1 byte): no error")
	}
	if _, err := Decode(ValueType(42), nil); err == nil {
		t.Error("Decode(unknown type): no error")
	}
	if _, err := Encode(ValueType(42), []byte{}); err == nil {
		t.Error("Encode(unknown type): no error")
	}
}

func TestEncodeBytesCopies(t *testing.T) {
	b := []byte("abc")
	v := encodeBytes(b)
	b[0] = 'X'
	if string(v) != "abc" {
		t.Errorf("EncodeBytes shares memory with its input: %q", v)
	}
	if v := encodeBytes(nil); v == nil || len(v) != 0 {
		t.Errorf("encodeBytes(nil) = %#v, want empty non-nil", v)
	}
}

// FuzzValues checks the typed views on arbitrary bytes: no panics, and every
// successful decode encodes back to the same value.
func FuzzValues(f *testing.F) {
	for _, s := range []string{"", "\x00", "a\x00\x00", "abc\x00de\x00\x00", "hello\x00", "\xe8\x0d", "0aFF", "a\x00b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if list, err := Strings(v); err == nil {
			if back, err := EncodeStrings(list); err != nil || !bytes.Equal(back, v) {
				t.Errorf("strings %q: round trip gave %q, %v", v, back, err)
			}
		}
		if s, err := decodeString0(v); err == nil {
			if back, err := EncodeString0(s); err != nil || !bytes.Equal(back, v) {
				t.Errorf("string0 %q: round trip gave %q, %v", v, back, err)
			}
		}
		if s, err := decodeString(v); err == nil {
			back, err := encodeString(s)
			if err != nil || !(bytes.Equal(back, v) || bytes.Equal(append(back, 0), v)) {
				t.Errorf("string %q: round trip gave %q, %v", v, back, err)
			}
		}
		if back, err := encodeHex(Hex(v)); err != nil || !bytes.Equal(back, v) {
			t.Errorf("hex %q: round trip gave %q, %v", v, back, err)
		}
		if h, err := encodeHex(string(v)); err == nil && !strings.EqualFold(Hex(h), string(v)) {
			t.Errorf("hex text %q decoded to % X", v, h)
		}
		for w := 1; w <= 8; w++ {
			if nums, err := decodeNumbers(v, w); err == nil {
				if back, err := encodeNumbers(nums, w); err != nil || !bytes.Equal(back, v) {
					t.Errorf("numbers(%d) % X: round trip gave % X, %v", w, v, back, err)
				}
			}
		}
		for _, typ := range []ValueType{TypeU8, TypeU16, TypeU32, TypeI8, TypeI16, TypeI32} {
			if n, err := Decode(typ, v); err == nil {
				if back, err := Encode(typ, n); err != nil || !bytes.Equal(back, v) {
					t.Errorf("%v % X: round trip gave % X, %v", typ, v, back, err)
				}
			}
		}
	})
}
