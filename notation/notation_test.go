package notation

import "testing"

func TestValue(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want string
	}{
		{nil, "(absent)"},
		{[]byte{}, `""`},
		{[]byte("Welcome\x00"), `"Welcome\x00"`},
		{[]byte{0x2C, 0x01, 0, 0}, "0x2C010000 (300)"},
		{[]byte{0xE8, 0x0D, 0, 0}, "0xE80D0000 (3560)"},
		{[]byte{0x01, 0x02}, "0x0102 (513)"},
		{[]byte{0x07}, "0x07 (7)"},
		{[]byte{0, 1, 2}, "0x000102"},
		{[]byte("a\x00b"), "0x610062"},
		{[]byte("tab\tcr\r\n"), `"tab\tcr\r\n"`},
		// a u32 below 65536 whose low bytes are printable is a number
		{[]byte("<\x00\x00\x00"), "0x3C000000 (60)"},
		{[]byte("*\x00\x00\x00"), "0x2A000000 (42)"},
		{[]byte("PA\x00\x00"), "0x50410000 (16720)"},
		{[]byte("abc\x00"), `"abc\x00"`},
		{[]byte("Y\x00"), `"Y\x00"`},
		{[]byte("Y\x00\x00\x00\x00"), `"Y\x00\x00\x00\x00"`},
	} {
		if got := Value(c.in); got != c.want {
			t.Errorf("Value(% X) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"$SYS":         "$SYS",
		"Mail Port":    "Mail Port",
		"a\r\nb":       `"a\r\nb"`,
		"\x1b[2J":      `"\x1b[2J"`,
		"caf\xe9":      "caf\xe9",
		"del\x7f":      `"del\x7f"`,
		"A\u202eB.INI": `"A\u202eB.INI"`,
		"x\u2028y":     `"x\u2028y"`,
		"c1\u009b":     `"c1\u009b"`,
		"café":         "café",
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %s, want %s", in, got, want)
		}
	}
}
