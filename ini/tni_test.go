package ini

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kv builds an expected File from app, key, hex triples; a key "" adds an
// empty application.
func kv(t *testing.T, triples ...string) *File {
	t.Helper()
	f := New()
	for i := 0; i < len(triples); i += 3 {
		if triples[i+1] == "" {
			f.addApp([]byte(triples[i]))
			continue
		}
		if err := f.Put([]byte(triples[i]), []byte(triples[i+1]), mustHex(t, triples[i+2])); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// wantRefused checks that err is a *FormatError at line with msg in its
// message, without file name and offset.
func wantRefused(t *testing.T, err error, line int, msg string) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v, want a *FormatError", err)
	}
	if fe.Line != line || fe.Offset != -1 || fe.File != "" || !strings.Contains(fe.Msg, msg) {
		t.Fatalf("got %q (line %d, offset %d, file %q), want line %d with %q", fe.Msg, fe.Line, fe.Offset, fe.File, line, msg)
	}
	if want := fmt.Sprintf("<input>:%d: ", line); !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("message %q does not start with %q", err.Error(), want)
	}
}

// TestFileVectors runs the whole-file vectors of spec §8.1 (F1-F16), "ours"
// column.
func TestFileVectors(t *testing.T) {
	tests := []struct {
		id, in string
		line   int    // refused at this line (0 = accepted)
		msg    string // fragment of the refusal
		want   []string
	}{
		{"F1", "; comment\r\n[A]\r\n   k=1\r\n[/A]\r\n", 1, "not an application header", nil},
		{"F2", "[A]\r\n   k=1\r\n[/A]\r\njunk\r\n[B]\r\n   k=2\r\n[/B]\r\n", 4, "not an application header", nil},
		{"F3", "[A]\r\n   k=1 +\r\n[/A]\r\n[B]\r\n   k=2\r\n[/B]\r\n", 2, "continues into the header or closing tag \"[/A]\" on line 3", nil},
		{"F4", "[A]\r\n   k='abc' +\r\n[/A]\r\n[B]\r\n   k=2\r\n[/B]\r\n", 2, "continues into the header or closing tag", nil},
		{"F5", "[A]\r\n   k=1\r\n[B]\r\n   x=2\r\n[/B]\r\n   y=3\r\n[/A]\r\n", 0, "",
			[]string{"A", "k", "01000000", "A", "B", "783d320000", "A", "y", "03000000"}},
		{"F6", "[A]\r\n\tk=5\r\n\t[/A]\r\n[B]\r\n[/B]\r\n", 0, "", []string{"A", "k", "05000000", "B", "", ""}},
		{"F7", "[]\r\n   k=1\r\n[/]\r\n", 1, "empty application name", nil},
		{"F8", "[a]b]\r\n   k=1\r\n[/a]b]\r\n", 0, "", []string{"a]b", "k", "01000000"}},
		{"F9", "[A]\r\n   k=1\r\n[/A]\r\n[A]\r\n   k=2\r\n   j=3\r\n[/A]\r\n", 5, "key \"k\" defined twice in application [A]", nil},
		{"F10", "[A]\r\n[/A]\r\n", 0, "", []string{"A", "", ""}},
		{"F11", "", 0, "", nil},
		{"F12", "[A]\r\n   k=1\r\n", 1, "application [A] is not closed", nil},
		{"F13", "[A]\n  k=1\n[/A]\n\x1a", 0, "", []string{"A", "k", "01000000"}},
		{"F14", "[A]\r\n   k=ab\x1acd\r\n   j=a\rb\r\n[/A]\r\n", 2, "Ctrl-Z", nil},
		{"F14b", "[A]\r\n   j=a\rb\r\n[/A]\r\n", 2, "CR byte not followed by LF", nil},
		// ParseTNI counts CRs instead of searching each line for one: a
		// lone CR must still be the error reported, before a later error,
		// in a blank line and doubled before LF, and not after a Ctrl-Z.
		{"F14c", "[A]\r\n   j=a\rb\r\n   k\r\n[/A]\r\n", 2, "CR byte not followed by LF", nil},
		{"F14d", "[A]\r\n  \r  \r\n   k=1\r\n[/A]\r\n", 2, "CR byte not followed by LF", nil},
		{"F14e", "[A]\r\n   k=1\r\r\n[/A]\r\n", 2, "CR byte not followed by LF", nil},
		{"F14f", "[A]\r\n   k=1\r\n[/A]\r\n\x1a\r\r\n\r", 0, "", []string{"A", "k", "01000000"}},
		{"F14g", "[A]\r\n   k=1\r\n[/A]\r\n[B]\r\n   k=1\r\n   k=1\r\n   j=\r1\r\n[/B]\r\n", 7, "CR byte not followed by LF", nil},
		{"F15", "[A]\r\n   [/k]\r\n   z=1\r\n[/A]\r\n", 2, "\"[/k]\" does not close application [A]", nil},
		{"F16", "[A]\r\n   [/k]\r\n[/A]\r\n", 2, "does not close application [A]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			f, err := ParseTNI([]byte(tt.in))
			if tt.line != 0 {
				if f != nil {
					t.Errorf("refusal returned a File too")
				}
				wantRefused(t, err, tt.line, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := kv(t, tt.want...); !f.Equal(want) {
				t.Fatalf("got %s, want %s", dumpFile(f), dumpFile(want))
			}
		})
	}
}

// TestWriteVector82 is the whole-file writing vector of spec §8.2 (the
// example of §4.1).
func TestWriteVector82(t *testing.T) {
	f := kv(t,
		"$SYS", "Password", "",
		"$SYS", "ServerPort", "e80d0000",
		"$SYS", "TimeOut", "84030000",
		"b", "x", "68656c6c6f20776f726c64",
		"B", "", "",
		"a", "z", "01",
		"a", "Z", "6162630000",
		"a", "_", "0001020304",
	)
	want := "[$SYS]\r\n   Password=\r\n   ServerPort=3560\r\n   TimeOut=900\r\n[/$SYS]\r\n[B]\r\n[/B]\r\n[a]\r\n   [Z]\r\n      abc\r\n   [/Z]\r\n   _=(X) 00 01 02 03 04\r\n   z=(1)1\r\n[/a]\r\n[b]\r\n   x='hello world'\r\n[/b]\r\n"
	got, err := f.MarshalTNI(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
	back, err := ParseTNI(got)
	if err != nil {
		t.Fatal(err)
	}
	if !back.SameContent(f) {
		t.Fatalf("read back %s, want %s", dumpFile(back), dumpFile(f))
	}
	// the reader keeps the order of the file, which is the sorted one
	if names, _ := back.Applications(); string(bytes.Join(names, []byte(","))) != "$SYS,B,a,b" {
		t.Errorf("application order %q", names)
	}

	empty, err := New().MarshalTNI(nil)
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty profile: %q, %v; want 0 bytes", empty, err)
	}
}

// TestParseTNIForms covers the accepted forms of spec §3 not pinned down
// by a vector.
func TestParseTNIForms(t *testing.T) {
	long := strings.Repeat("x", 2000)
	tests := []struct {
		name, in string
		want     []string
	}{
		{"LF only", "[A]\n k=1\n[/A]\n", []string{"A", "k", "01000000"}},
		{"no final newline", "[A]\r\n k=1\r\n[/A]", []string{"A", "k", "01000000"}},
		{"indentation of spaces, TAB and BACKSPACE", " \t[A]\r\n\t\b k=1\r\n\t[ kk ]\r\n\t\t x\r\n \t[/ kk ]\r\n\t[/A]\r\n",
			[]string{"A", "k", "01000000", "A", " kk ", "780000"}},
		{"blank lines anywhere", "\r\n  \r\n[A]\r\n\r\n k='a' +\r\n\t\r\n 'b'\r\n [k2]\r\n\r\n y\r\n [/k2]\r\n\r\n[/A]\r\n\r\n",
			[]string{"A", "k", "6162", "A", "k2", "790000"}},
		{"Ctrl-Z after indentation ends the file", "[A]\r\n[/A]\r\n   \x1a rest\r\n ; junk\r\n", []string{"A", "", ""}},
		{"no 512-byte cut", "[A]\r\n k=" + long + "\r\n [b]\r\n" + long + "\r\n [/b]\r\n[/A]\r\n",
			[]string{"A", "k", hexOf(long), "A", "b", hexOf(long + "\x00\x00")}},
		{"long names kept whole", "[" + long + "]\r\n " + long + "=1\r\n[/" + long + "]\r\n", []string{long, long, "01000000"}},
		{"repeated sections merge, first-appearance order", "[B]\r\n z=1\r\n[/B]\r\n[A]\r\n[/A]\r\n[B]\r\n a=2\r\n[/B]\r\n",
			[]string{"B", "z", "01000000", "B", "a", "02000000", "A", "", ""}},
		{"top-level [/x] names an application", "[/x]\r\n k=1\r\n[//x]\r\n", []string{"/x", "k", "01000000"}},
		{"text after the header's last ]", "[A] note\r\n k=1\r\n[/A] end\r\n", []string{"A", "k", "01000000"}},
		{"numbers of 16 and 3 bytes", "[A]\r\n a=(16)340282366920938463463374607431768211455 1\r\n b=(3)16777215\r\n[/A]\r\n",
			[]string{"A", "a", strings.Repeat("ff", 16) + "01" + strings.Repeat("00", 15), "A", "b", "ffffff"}},
		{"width 65535", "[A]\r\n a=(65535)1\r\n[/A]\r\n", []string{"A", "a", "01" + strings.Repeat("00", 65534)}},
		{"leading zeros", "[A]\r\n a=(1)000255\r\n b=(X)00ff 0000a\r\n[/A]\r\n", []string{"A", "a", "ff", "A", "b", "ff0a"}},
		{"number continuation", "[A]\r\n a=(2)1 +\r\n 2 3+\r\n 4  +  \r\n 5\r\n[/A]\r\n", []string{"A", "a", "01000200030004000500"}},
		{"number then + without space", "[A]\r\n a=5+\r\n6\r\n[/A]\r\n", []string{"A", "a", "0500000006000000"}},
		{"string token starting with + and quotes inside", "[A]\r\n a=+x'y\"\r\n[/A]\r\n", []string{"A", "a", hexOf("+x'y\"")}},
		{"string continuation of a bare chunk", "[A]\r\n a='x' +\r\n 12 + \"3\" 0  \r\n[/A]\r\n", []string{"A", "a", hexOf("x123\x00")}},
		{"block elements may hold = ' + and [", "[A]\r\n [k]\r\n a=b\r\n 'q' +\r\n [x]\r\n [/k]\r\n[/A]\r\n",
			[]string{"A", "k", hexOf("a=b\x00'q' +\x00[x]\x00\x00")}},
		{"empty block", "[A]\r\n[k]\r\n[/k]\r\n[/A]\r\n", []string{"A", "k", "00"}},
		{"NUL at the end of a line", "[A]\x00\r\n k=1\x00\r\n\x00\r\n[/A]\r\n", []string{"A", "k", "01000000"}},
		{"high bytes in names and values", "[\x81\xff]\r\n \x82=\xe9t\xe9\r\n[/\x81\xff]\r\n", []string{"\x81\xff", "\x82", "e974e9"}},
		{"key with trailing spaces and ]", "[A]\r\n k] =1\r\n[/A]\r\n", []string{"A", "k] ", "01000000"}},
		{"(X) one-digit tokens over more bytes than a third of the text", "[A]\r\n k=(X)1 2 3 4 5 6 7 8 9 +\r\n a  b c\r\n[/A]\r\n",
			[]string{"A", "k", "0102030405060708090a0b0c"}},
		{"(X) two-digit tokens, double spaces, + without space", "[A]\r\n k=(X)0a  1B ff+\r\n 00 7F\r\n[/A]\r\n", []string{"A", "k", "0a1bff007f"}},
		{"(X) long value over many lines", "[A]\r\n k=(X)" + strings.Repeat("41 42 43 +\r\n ", 3000) + "44\r\n[/A]\r\n",
			[]string{"A", "k", strings.Repeat("414243", 3000) + "44"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseTNI([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if want := kv(t, tt.want...); !f.Equal(want) {
				t.Fatalf("got %.300s\nwant %.300s", dumpFile(f), dumpFile(want))
			}
		})
	}
}

func hexOf(s string) string { return fmt.Sprintf("%x", s) }

// TestParseTNIValuesDoNotShare checks that the names and values of a read
// file, carved from shared blocks, cannot overwrite each other: each has
// its capacity capped at its length, so appending to one copies it.
func TestParseTNIValuesDoNotShare(t *testing.T) {
	in := "[A]\r\n k1=(X)01 02 03\r\n k2='abc'\r\n k3=7\r\n [k4]\r\n x\r\n [/k4]\r\n k5=''\r\n[/A]\r\n"
	f, err := ParseTNI([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := f.Clone()
	for _, e := range f.Apps[0].Entries {
		if cap(e.Key) != len(e.Key) || cap(e.Value) != len(e.Value) {
			t.Errorf("key %q: capacities %d/%d for lengths %d/%d", e.Key, cap(e.Key), cap(e.Value), len(e.Key), len(e.Value))
		}
		if e.Value == nil {
			t.Errorf("key %q: nil value (an empty value is present)", e.Key)
		}
		_ = append(e.Key, "XXXX"...)
		_ = append(e.Value, "XXXX"...)
	}
	if !f.Equal(want) {
		t.Fatalf("appending to names or values changed the file:\n%s\nwant\n%s", dumpFile(f), dumpFile(want))
	}
}

// TestParseTNIRefusals covers each item of spec §3.9 with the line named.
func TestParseTNIRefusals(t *testing.T) {
	tests := []struct {
		item string
		in   string
		line int
		msg  string
	}{
		{"1 comment", "[A]\r\n[/A]\r\n# c\r\n", 3, "not an application header"},
		{"1 key at top level", "k=1\r\n", 1, "not an application header"},
		{"2 no =", "[A]\r\n k=1\r\n hello\r\n[/A]\r\n", 3, "has no '='"},
		{"3 text after value", "[A]\r\n k=hello world\r\n[/A]\r\n", 2, "text after the value"},
		{"3 text after quote", "[A]\r\n k='a'b\r\n[/A]\r\n", 2, "text after the value"},
		{"3 text after NUL marker", "[A]\r\n k='a'0 0\r\n[/A]\r\n", 2, "text after the value"},
		{"3 text after numbers", "[A]\r\n k=(X)41 42 +\r\n 43 zz\r\n[/A]\r\n", 3, "(X) token \"zz\" is not hexadecimal"},
		{"3 junk on a number continuation", "[A]\r\n k=1 +\r\n 2 -3\r\n[/A]\r\n", 3, "text after the numbers"},
		{"3 text after +", "[A]\r\n k=1 +\r\n 2 + x\r\n[/A]\r\n", 3, "text after '+'"},
		{"3 unterminated quote", "[A]\r\n k=\"abc\r\n[/A]\r\n", 2, "unterminated \" quote"},
		{"3 unterminated quote on continuation", "[A]\r\n k='a' +\r\n 'b\r\n[/A]\r\n", 3, "unterminated ' quote"},
		{"3 text after NUL byte", "[A]\r\n k=ab\x00cd\r\n[/A]\r\n", 2, "NUL byte"},
		{"4 string + into header", "[A]\r\n k='x' +\r\n[B]\r\n[/A]\r\n", 2, "continues into the header"},
		{"4 + at end of file", "[A]\r\n k=1 +\r\n", 2, "past the end of the file"},
		{"4 + into Ctrl-Z", "[A]\r\n k='a' +\r\n\x1a", 2, "past the end of the file"},
		{"4 + into block close", "[A]\r\n[b]\r\n x\r\n[/b]\r\n k=1 +\r\n\r\n[/A]\r\n", 5, "continues into the header or closing tag \"[/A]\" on line 7"},
		{"5 wrong closing tag", "[A]\r\n k=1\r\n[/B]\r\n", 3, "does not close application [A]"},
		{"5 closing tag without ]", "[A]\r\n k=1\r\n[/A\r\n", 3, "does not close application [A]"},
		{"5 wrong block close", "[A]\r\n[b]\r\n x\r\n[/c]\r\n[/A]\r\n", 4, "does not close block [b]"},
		{"5 block open at end", "[A]\r\n[b]\r\n x\r\n", 2, "block [b] is not closed"},
		{"5 TAB-indented close accepted, open app at end", "[A]\r\n\t[/B]\r\n", 2, "does not close"},
		{"6 empty app", "[]\r\n[/]\r\n", 1, "empty application name"},
		{"6 header without ]", "[A\r\n[/A]\r\n", 1, "has no closing ']'"},
		{"6 empty block key", "[A]\r\n[]\r\n[/]\r\n[/A]\r\n", 2, "empty block key name"},
		{"6 empty key", "[A]\r\n =1\r\n[/A]\r\n", 2, "empty key name"},
		{"7 key twice", "[A]\r\n k=1\r\n k=2\r\n[/A]\r\n", 3, "defined twice"},
		{"7 block and key", "[A]\r\n k=1\r\n [k]\r\n [/k]\r\n[/A]\r\n", 3, "defined twice"},
		{"7 key twice, more than 16 keys", "[A]\r\n" + manyKeys(40) + " k7=1\r\n[/A]\r\n", 42, "\"k7\" defined twice"},
		{"8 Ctrl-Z in a name", "[A\x1a]\r\n[/A\x1a]\r\n", 1, "Ctrl-Z"},
		{"8 Ctrl-Z in block element", "[A]\r\n[b]\r\n x\x1a\r\n[/b]\r\n[/A]\r\n", 3, "Ctrl-Z"},
		{"8 lone CR at end of file", "[A]\r\n[/A]\r", 2, "CR byte"},
		{"8 CR CR LF", "[A]\r\r\n[/A]\r\n", 1, "CR byte"},
		{"8 CR inside a later line", "[A]\r\n k=1\r\n j='a\rb'\r\n[/A]\r\n", 3, "CR byte"},
		{"8 CR after LF-only lines", "[A]\n k=1\n j=2\n\r[/A]\n", 4, "CR byte"},
		{"3 NUL inside a later line", "[A]\r\n k=1\x00\r\n j=2\x00x\r\n[/A]\r\n", 3, "NUL byte"},
		{"9 (1)300", "[A]\r\n k=(1)300\r\n[/A]\r\n", 2, "does not fit in a 1-byte item"},
		{"9 uint64 overflow", "[A]\r\n k=(8)18446744073709551616\r\n[/A]\r\n", 2, "does not fit in a 8-byte item"},
		{"9 big width overflow", "[A]\r\n k=(9)4722366482869645213696\r\n[/A]\r\n", 2, "does not fit in a 9-byte item"},
		{"9 (X) over one byte", "[A]\r\n k=(X)100\r\n[/A]\r\n", 2, "does not fit in one byte"},
		{"9 (X) letter G (deviation)", "[A]\r\n k=(x)G1\r\n[/A]\r\n", 2, "not hexadecimal"},
		{"9 width 0", "[A]\r\n k=(0)5\r\n[/A]\r\n", 2, "width (0) must be 1..65535"},
		{"9 width ()", "[A]\r\n k=()5\r\n[/A]\r\n", 2, "width () must be 1..65535"},
		{"9 width 65536", "[A]\r\n k=(65536)5\r\n[/A]\r\n", 2, "must be 1..65535"},
		{"memory guard", "[A]\r\n k=(65535)" + strings.Repeat("1 ", 17) + "\r\n[/A]\r\n", 2, "memory guard"},
		{"9 huge width", "[A]\r\n k=(99999999999999999999999)5\r\n[/A]\r\n", 2, "must be 1..65535"},
		// a giant token is refused by its digit count before big.Int
		// converts it (quadratic: a 4 MB token took 30 s and 33 GB)
		{"9 giant token", "[A]\r\n k=(65535)" + strings.Repeat("9", 1<<20) + "\r\n[/A]\r\n", 2, "(1048576 digits) does not fit in a 65535-byte item"},
		{"9 one digit too many", "[A]\r\n k=(9)" + strings.Repeat("1", 23) + "\r\n[/A]\r\n", 2, "(23 digits) does not fit in a 9-byte item"},
		{"8 Ctrl-Z line ends the file inside a section", "[A]\r\n k=1\r\n\x1a\r\n[/A]\r\n", 1, "application [A] is not closed: end of file (the Ctrl-Z on line 3) before [/A]"},
		{"8 Ctrl-Z line ends the file inside a block", "[A]\r\n[b]\r\n\x1a[/b]\r\n", 2, "block [b] is not closed: end of file (the Ctrl-Z on line 3)"},
		{"5 control bytes in a name are escaped", "[A\x1b[2J]\r\n k=1\r\n", 1, `application ["A\x1b[2J"] is not closed`},
	}
	for _, tt := range tests {
		t.Run(tt.item, func(t *testing.T) {
			f, err := ParseTNI([]byte(tt.in))
			if f != nil {
				t.Errorf("refusal returned a File too")
			}
			wantRefused(t, err, tt.line, tt.msg)
		})
	}
}

// TestParseTNIWideNumbers checks the widest numbers: the largest value of
// a 9-byte and of a 65535-byte item, and leading zeros, which do not count
// against the digit limit.
func TestParseTNIWideNumbers(t *testing.T) {
	max9 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 72), big.NewInt(1))
	maxW := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 8*65535), big.NewInt(1))
	tests := []struct {
		name, text string
		want       []byte
	}{
		{"9-byte max", "(9)" + max9.String(), bytes.Repeat([]byte{0xFF}, 9)},
		{"65535-byte max", "(65535)" + maxW.String(), bytes.Repeat([]byte{0xFF}, 65535)},
		{"leading zeros", "(9)" + strings.Repeat("0", 100000) + "258", append([]byte{2, 1}, make([]byte, 7)...)},
		{"zeros only", "(9)" + strings.Repeat("0", 100), make([]byte, 9)},
	}
	for _, tt := range tests {
		f, err := ParseTNI([]byte("[A]\r\n k=" + tt.text + "\r\n[/A]\r\n"))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got, _ := f.Lookup([]byte("A"), []byte("k")); !bytes.Equal(got, tt.want) {
			t.Errorf("%s: got % X..., want % X...", tt.name, got[:min(len(got), 12)], tt.want[:min(len(tt.want), 12)])
		}
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " k%d=%d\r\n", i, i)
	}
	return b.String()
}

// TestParseNamesFile checks that Parse fills in the file name.
func TestParseNamesFile(t *testing.T) {
	_, err := Parse("dir/x.TNI", []byte("[A]\r\n k=hello world\r\n[/A]\r\n"), FormatTNI)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.File != "dir/x.TNI" || err.Error() != "dir/x.TNI:2: text after the value: \"world\" (quote a string that contains spaces)" {
		t.Fatalf("got %v", err)
	}
}

// TestMarshalTNIUnrepresentable checks that every kind of name §3.7 lists
// as breaking is refused, all listed at once, and that SkipUnrepresentable
// writes the rest.
func TestMarshalTNIUnrepresentable(t *testing.T) {
	f := New()
	put := func(app, key string, v []byte) { f.put([]byte(app), []byte(key), v) }
	num := []byte{1, 0, 0, 0}
	sos := []byte("a\x00b\x00\x00")
	put("", "k", num)
	put("a\r\nb", "k", num)
	put("a\x00", "k", num)
	put(strings.Repeat("A", 257), "k", num)
	put(strings.Repeat("B", 256), "k", num) // fine: 256 is the limit
	put("ok", "", num)
	put("ok", "[k", num)
	put("ok", " k", num)
	put("ok", "\tk", num)
	put("ok", "\bk", num)
	put("ok", "\x1ak", num)
	put("ok", "k\x1a", num)
	put("ok", "a=b", num)
	put("ok", "a\nb", num)
	put("ok", strings.Repeat("k", 129), num)
	put("ok", strings.Repeat("m", 128), num) // fine
	put("ok", "/x", sos)                     // block header would close: written as hex
	put("ok", "a=b ", sos)                   // fine as a block header
	put("ok", "[blk", sos)                   // fine as a block header
	put("ok", "/y=", sos)                    // neither form works
	put("ok", strings.Repeat("s", 200), sos) // block names may be 256 bytes
	put("ok", "good", []byte("value"))
	put("/app]", "k", num) // fine
	f.addApp([]byte{})     // empty application with an empty name

	_, err := f.MarshalTNI(nil)
	var ue *UnrepresentableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnrepresentableError", err)
	}
	var got []string
	for _, it := range ue.Items {
		got = append(got, fmt.Sprintf("%q/%q", it.App, it.Key))
	}
	want := []string{
		`""/""`, // empty name (listed once: the model holds it once)
		fmt.Sprintf("%q/%q", strings.Repeat("A", 257), ""),
		`"a\x00"/""`,
		`"a\r\nb"/""`,
		`"ok"/""`, `"ok"/"\bk"`, `"ok"/"\tk"`, `"ok"/"\x1ak"`, `"ok"/" k"`,
		`"ok"/"/y="`, `"ok"/"[k"`, `"ok"/"a\nb"`, `"ok"/"a=b"`,
		`"ok"/"k\x1a"`, fmt.Sprintf("%q/%q", "ok", strings.Repeat("k", 129)),
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("issues\n got %v\nwant %v", got, want)
	}
	for _, it := range ue.Items {
		if it.Reason == "" || !strings.Contains(err.Error(), it.String()) {
			t.Errorf("error message misses %v", it)
		}
	}

	out, rep, err := f.MarshalTNIWith(TNIOptions{SkipUnrepresentable: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != len(ue.Items) {
		t.Fatalf("skipped %d, want %d", len(rep.Skipped), len(ue.Items))
	}
	back, err := ParseTNI(out)
	if err != nil {
		t.Fatalf("reading the rest back: %v\n%s", err, out)
	}
	// everything not skipped comes back unchanged
	kept := f.Clone()
	for _, it := range rep.Skipped {
		if it.Key == nil {
			kept.removeApp(kept.findApp(it.App))
		} else {
			a := kept.Application(it.App)
			a.Entries = append(a.Entries[:a.find(it.Key)], a.Entries[a.find(it.Key)+1:]...)
			a.index = nil
		}
	}
	if !back.SameContent(kept) {
		t.Fatalf("read back %s\nwant %s", dumpFile(back), dumpFile(kept))
	}
	if !bytes.Contains(out, []byte("\r\n   /x=(X) 61 00 62 00 00\r\n")) {
		t.Errorf("/x not written as hex:\n%s", out)
	}
}

// TestMarshalTNIContinuationBracket checks our quoting of a continuation
// chunk that starts with '[' (it would otherwise be refused on reading).
func TestMarshalTNIContinuationBracket(t *testing.T) {
	for _, tail := range []string{"[B]", "[/A]", "[x"} {
		v := strings.Repeat("x", 60) + tail
		f := kv(t, "A", "k", hexOf(v))
		out, err := f.MarshalTNI(nil)
		if err != nil {
			t.Fatal(err)
		}
		want := "[A]\r\n   k='" + strings.Repeat("x", 60) + "' +\r\n          '" + tail + "'\r\n[/A]\r\n"
		if string(out) != want {
			t.Fatalf("got %q\nwant %q", out, want)
		}
		back, err := ParseTNI(out)
		if err != nil || !back.Equal(f) {
			t.Fatalf("read back %v, %v", back, err)
		}
	}
}

// TestMarshalTNIFormatCodes covers FMT overrides beyond the vectors:
// lossless codes are applied, lossy ones fall back with a note.
func TestMarshalTNIFormatCodes(t *testing.T) {
	ff, err := ParseFormatFile([]byte("[A]\r\n s='\r\n z='0\r\n n=(2)\r\n big=(16)\r\n odd=(3)\r\n l=\"\r\n nul=\"\r\n w=()\r\n bad='\r\n x=(X)\r\n o=*\r\n[/A]\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := kv(t,
		"A", "s", hexOf("abc"), // applied: 3 bytes would otherwise be (3)
		"A", "z", hexOf("ab\x00"), // applied
		"A", "n", "0100ffff", // applied
		"A", "big", strings.Repeat("ff", 16),
		"A", "odd", "01020304", // W6: hex
		"A", "l", hexOf("a\x00b\x00\x00"),
		"A", "nul", "00", // empty block reads back as 00: lossless
		"A", "w", "", // () on empty writes k= : lossless
		"A", "bad", hexOf("a\x00b"), // ' would cut at NUL: heuristic
		"A", "x", hexOf("hello"),
		"A", "o", "01",
	)
	out, rep, err := f.MarshalTNIWith(TNIOptions{Format: ff})
	if err != nil {
		t.Fatal(err)
	}
	want := "[A]\r\n" +
		"   bad=(3)6422625\r\n" +
		"   big=(16)340282366920938463463374607431768211455\r\n" +
		"   [l]\r\n      a\r\n      b\r\n   [/l]\r\n" +
		"   n=(2)1 65535\r\n" +
		"   [nul]\r\n   [/nul]\r\n" +
		"   odd=(X) 01 02 03 04\r\n" +
		"   s=abc\r\n" +
		"   w=\r\n" +
		"   x=hello\r\n" +
		"   z='ab'0\r\n" +
		"[/A]\r\n"
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	var notes []string
	for _, n := range rep.Notes {
		notes = append(notes, string(n.Key)+" "+n.Code.String())
	}
	if strings.Join(notes, ",") != "bad ',o *,odd (3)" {
		t.Fatalf("notes %v", rep.Notes)
	}
	back, err := ParseTNI(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Delete([]byte("A"), []byte("o")); err != nil {
		t.Fatal(err)
	}
	if !back.SameContent(f) {
		t.Fatalf("read back %s\nwant %s", dumpFile(back), dumpFile(f))
	}
}

// TestMarshalTNITrustFormatStaysReadable: even applied blindly, a code
// whose output would break the file (a string with CR LF, DumpINI writes it
// raw) is not applied.
func TestMarshalTNITrustFormatStaysReadable(t *testing.T) {
	ff := &FormatFile{}
	ff.Set([]byte("A"), []byte("k"), FormatCode{Kind: CodeString})
	ff.Set([]byte("A"), []byte("l"), FormatCode{Kind: CodeStringOfStrings})
	ff.Set([]byte("A"), []byte("m"), FormatCode{Kind: CodeString})
	f := kv(t, "A", "k", hexOf("a\r\nb=1"), "A", "l", hexOf("xy\x1a\x00\x00"), "A", "m", hexOf("ab\x00c"))
	out, rep, err := f.MarshalTNIWith(TNIOptions{Format: ff, TrustFormat: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "[A]\r\n   k=(X) 61 0D 0A 62 3D 31\r\n   l=(X) 78 79 1A 00 00\r\n   m=ab\r\n[/A]\r\n"
	if string(out) != want || len(rep.Notes) != 2 {
		t.Fatalf("got %q, notes %v", out, rep.Notes)
	}
}

// randomValue returns a value of one of the shapes the TNI writer
// distinguishes, or random bytes.
func randomValue(rng *rand.Rand) []byte {
	printable := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			// favour the bytes that matter: quotes, spaces, digits, +, [, (
			const special = "'\" 0123+[(=/]x"
			if rng.IntN(2) == 0 {
				b[i] = special[rng.IntN(len(special))]
			} else {
				b[i] = byte(0x20 + rng.IntN(0x5F))
			}
		}
		return b
	}
	n := rng.IntN(200)
	if rng.IntN(4) == 0 {
		n = rng.IntN(6)
	}
	switch rng.IntN(5) {
	case 0:
		return printable(n)
	case 1:
		return append(printable(n), 0)
	case 2:
		var v []byte
		for range 1 + rng.IntN(4) {
			v = append(v, printable(1+rng.IntN(80))...)
			v = append(v, 0)
		}
		return append(v, 0)
	case 3:
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	}
	b := printable(n)
	if n > 0 {
		b[rng.IntN(n)] = byte(rng.IntN(256))
	}
	return b
}

// randomName returns a name, sometimes one TNI cannot carry.
func randomName(rng *rand.Rand) []byte {
	const alphabet = "abcXYZ09 _$[]/=\t'\"\x81"
	b := make([]byte, 1+rng.IntN(12))
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

// TestTNIRoundTripRandom is the property "INI -> TNI -> INI gives the same
// bytes" for random values, with random FMT codes (default mode is
// lossless whatever the codes say).
func TestTNIRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	codes := []string{"'", "'0", "\"", "()", "(1)", "(2)", "(3)", "(12)", "(X)"}
	for iter := range 300 {
		f := New()
		ff := &FormatFile{}
		for range 1 + rng.IntN(4) {
			app := randomName(rng)
			for range rng.IntN(8) {
				key := randomName(rng)
				f.put(app, key, randomValue(rng))
				if rng.IntN(3) == 0 {
					c, err := parseFormatCode([]byte(codes[rng.IntN(len(codes))]))
					if err != nil {
						t.Fatal(err)
					}
					ff.Set(app, key, c)
				}
			}
		}
		out, rep, err := f.MarshalTNIWith(TNIOptions{Format: ff, SkipUnrepresentable: true})
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseTNI(out)
		if err != nil {
			t.Fatalf("iteration %d: %v\n%s", iter, err, out)
		}
		// applied blindly, codes may change values but never the
		// file's structure
		trusted, _, err := f.MarshalTNIWith(TNIOptions{Format: ff, SkipUnrepresentable: true, TrustFormat: true})
		if err != nil {
			t.Fatal(err)
		}
		if tb, err := ParseTNI(trusted); err != nil || len(tb.Apps) != len(back.Apps) {
			t.Fatalf("iteration %d: TrustFormat output: %v\n%s\n%s", iter, err, trusted, out)
		}
		for _, a := range f.Apps {
			if tniAppNameIssue(a.Name) != "" {
				if back.HasApplication(a.Name) {
					t.Fatalf("skipped application %q came back", a.Name)
				}
				continue
			}
			if !back.HasApplication(a.Name) {
				t.Fatalf("iteration %d: application %q lost", iter, a.Name)
			}
			for _, e := range a.Entries {
				got, ok := back.Lookup(a.Name, e.Key)
				if !ok {
					if !skippedKey(rep.Skipped, a.Name, e.Key) {
						t.Fatalf("iteration %d: %q/%q lost\n%s", iter, a.Name, e.Key, out)
					}
					continue
				}
				if !bytes.Equal(got, e.Value) {
					t.Fatalf("iteration %d: %q/%q = %x, read back %x\n%s", iter, a.Name, e.Key, e.Value, got, out)
				}
			}
		}
	}
}

// skippedApp reports whether list holds application app as a whole.
func skippedApp(list []NameIssue, app []byte) bool {
	for _, it := range list {
		if it.Key == nil && bytes.Equal(it.App, app) {
			return true
		}
	}
	return false
}

// skippedKey reports whether list holds the key (app, key) or its whole
// application.
func skippedKey(list []NameIssue, app, key []byte) bool {
	for _, it := range list {
		if bytes.Equal(it.App, app) && (it.Key == nil || bytes.Equal(it.Key, key)) {
			return true
		}
	}
	return false
}

// tniRealDir is the shared directory of real INI files.
const tniRealDir = "../../shared/testdata/real"

// tniRealBinaries returns the paths of the real binary INI files (those
// starting with FF FF FF FF) or skips when ../shared is absent.
func tniRealBinaries(t testing.TB) map[string][]byte {
	t.Helper()
	if _, err := os.Stat(tniRealDir); errors.Is(err, os.ErrNotExist) {
		t.Skip("real files not present (../shared absent)")
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(tniRealDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(data, []byte{0xFF, 0xFF, 0xFF, 0xFF}) {
			files[path] = data
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// breaksAsKeyLine is spec §3.7's "breaks" column for key=value names (plus
// our reader's deviations: TAB indentation, Ctrl-Z refused inside lines, and
// W5's 128-byte limit), written independently of the writer's checks.
func breaksAsKeyLine(k []byte) bool {
	return len(k) == 0 || len(k) > 128 || bytes.ContainsAny(k, "\r\n\x00\x1a=") ||
		k[0] == '[' || k[0] == ' ' || k[0] == '\t' || k[0] == '\b'
}

func breaksAsBlock(k []byte) bool {
	return len(k) == 0 || len(k) > 256 || k[0] == '/' || bytes.ContainsAny(k, "\r\n\x00\x1a")
}

func breaksAsApp(a []byte) bool {
	return len(a) == 0 || len(a) > 256 || bytes.ContainsAny(a, "\r\n\x00\x1a")
}

// TestTNIRealFiles converts every real binary INI file to TNI and back.
func TestTNIRealFiles(t *testing.T) {
	files := tniRealBinaries(t)
	if files == nil {
		t.Skip("real files not present (../shared absent)")
	}
	if len(files) < 100 {
		t.Fatalf("only %d binary files found", len(files))
	}
	skippedTotal := 0
	for path, data := range files {
		f, err := ParseBinary(data)
		if err != nil {
			t.Fatalf("%s: %v (SOURCES.md lists no corrupt file)", path, err)
		}
		out, rep, err := f.MarshalTNIWith(TNIOptions{SkipUnrepresentable: true})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		// the names left out are exactly those §3.7 says break
		for _, a := range f.Apps {
			if breaksAsApp(a.Name) {
				if !skippedApp(rep.Skipped, a.Name) {
					t.Errorf("%s: application %q should have been skipped", path, a.Name)
				}
				continue
			}
			for _, e := range a.Entries {
				breaks := breaksAsKeyLine(e.Key)
				if tniClassify(e.Value) == tniStrings {
					// a block header, or key=(X) ... when that fails
					breaks = breaks && breaksAsBlock(e.Key)
				}
				if got := skippedKey(rep.Skipped, a.Name, e.Key); got != breaks {
					t.Errorf("%s: %q/%q skipped=%v, §3.7 says breaks=%v", path, a.Name, e.Key, got, breaks)
				}
			}
		}
		skippedTotal += len(rep.Skipped)
		back, err := ParseTNI(out)
		if err != nil {
			t.Fatalf("%s: reading our TNI: %v", path, err)
		}
		want := f.Clone()
		for _, it := range rep.Skipped {
			if it.Key == nil {
				want.removeApp(want.findApp(it.App))
			} else if a := want.Application(it.App); a != nil {
				a.Entries = append(a.Entries[:a.find(it.Key)], a.Entries[a.find(it.Key)+1:]...)
				a.index = nil
			}
		}
		if !back.SameContent(want) {
			t.Fatalf("%s: round trip differs", path)
		}
		// writing the read-back file gives the same bytes again
		again, err := back.MarshalTNI(nil)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("%s: second write differs (%v)", path, err)
		}
	}
	t.Logf("%d files, %d names skipped", len(files), skippedTotal)
	if skippedTotal == 0 {
		t.Errorf("the real files have names with CR LF and empty names; none skipped")
	}
}

// TestTNIHexWrapping compares the writer's (X) output with DumpINI's
// byte-at-a-time rule (§4.4: wrap before a byte once the counter, key
// length + 7 on the first line and 4 on the next, +3 per byte, reaches
// 80; never before the first byte) for every key length around the limit
// and values of 0 to 120 bytes.
func TestTNIHexWrapping(t *testing.T) {
	ref := func(key, v []byte) []byte {
		out := []byte("(X)")
		counter := len(key) + 7
		for i, c := range v {
			if i > 0 && counter >= 80 {
				out = append(out, " +\r\n    "...)
				counter = 4
			}
			out = append(out, ' ', tniHexDigits[c>>4], tniHexDigits[c&15])
			counter += 3
		}
		return out
	}
	v := make([]byte, 120)
	for i := range v {
		v[i] = byte(i * 37)
	}
	for kl := 0; kl <= 130; kl++ {
		key := bytes.Repeat([]byte("k"), kl)
		for n := 0; n <= len(v); n++ {
			var w tniWriter
			w.out = []byte("x")
			w.hex(key, v[:n])
			if want := append([]byte("x"), ref(key, v[:n])...); !bytes.Equal(w.out, want) {
				t.Fatalf("key of %d bytes, value of %d:\n%q\nwant\n%q", kl, n, w.out, want)
			}
		}
	}
}

// TestTNIPrintable compares the word-at-a-time tniPrintable with a byte
// loop on every byte value at every position of short and long inputs.
func TestTNIPrintable(t *testing.T) {
	naive := func(v []byte) int {
		for i, c := range v {
			if c < 0x20 || c > 0x7E {
				return i
			}
		}
		return len(v)
	}
	for _, n := range []int{0, 1, 7, 8, 9, 16, 23, 40} {
		for pos := 0; pos < max(n, 1); pos++ {
			for c := range 256 {
				v := bytes.Repeat([]byte("a~ "), n)[:n]
				if n > 0 {
					v[pos] = byte(c)
				}
				if got, want := tniPrintable(v), naive(v); got != want {
					t.Fatalf("%q: %d, want %d", v, got, want)
				}
			}
		}
	}
}

// TestTNINameOK checks that the fast name checks of the writer agree with
// the ones that give the reason, on every byte at the start, middle and end
// of a name and at the length limits.
func TestTNINameOK(t *testing.T) {
	var keys [][]byte
	for c := range 256 {
		b := byte(c)
		keys = append(keys, []byte{b}, []byte{'a', b}, []byte{'a', b, 'b'}, []byte{b, 'a', 'b'})
	}
	for _, n := range []int{0, 1, 127, 128, 129, 255, 256, 257} {
		keys = append(keys, bytes.Repeat([]byte("k"), n))
	}
	for _, k := range keys {
		if got, want := tniKeyNameOK(k), tniKeyNameIssue(k) == ""; got != want {
			t.Errorf("tniKeyNameOK(%q) = %v, want %v", k, got, want)
		}
		if got, want := tniBlockNameOK(k), tniBlockNameIssue(k) == ""; got != want {
			t.Errorf("tniBlockNameOK(%q) = %v, want %v", k, got, want)
		}
	}
}
