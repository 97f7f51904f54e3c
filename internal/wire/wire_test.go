package wire

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadLine(t *testing.T) {
	in := "Pabc\r\nV\nWx\ry\r\n\r\n" + strings.Repeat("x", 40) + "\nlast"
	lr := &LineReader{R: bufio.NewReaderSize(strings.NewReader(in), 16), Max: 100}
	want := []string{"Pabc", "V", "Wx\ry", "", strings.Repeat("x", 40)}
	for _, w := range want {
		got, err := lr.ReadLine()
		if err != nil || string(got) != w {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, w)
		}
	}
	// "last" has no LF: it is not a line
	if _, err := lr.ReadLine(); err != io.ErrUnexpectedEOF {
		t.Fatalf("partial last line: %v, want ErrUnexpectedEOF", err)
	}
	lr = &LineReader{R: bufio.NewReaderSize(strings.NewReader("Q\r\n"), 16), Max: 100}
	lr.ReadLine()
	if _, err := lr.ReadLine(); err != io.EOF {
		t.Fatalf("at end: %v, want EOF", err)
	}
}

// TestReadyThenReadLine checks Ready against what is buffered and that
// ReadLine, reusing Ready's search, returns the same lines as without it
// (also when Ready found no LF and ReadLine must read on, and for a line
// longer than the buffer).
func TestReadyThenReadLine(t *testing.T) {
	in := "Aapp\r\nKkey\r\nV\r\n" + strings.Repeat("y", 40) + "\r\nQ\r\n"
	lr := &LineReader{R: bufio.NewReaderSize(strings.NewReader(in), 16), Max: 100}
	if lr.Ready() {
		t.Fatal("Ready before anything was read")
	}
	want := []string{"Aapp", "Kkey", "V", strings.Repeat("y", 40), "Q"}
	readyAfter := []bool{true, true, false, true, false}
	for i, w := range want {
		got, err := lr.ReadLine()
		if err != nil || string(got) != w {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, w)
		}
		if r := lr.Ready(); r != readyAfter[i] {
			t.Errorf("Ready after %q = %v, want %v (buffered %d)", w, r, readyAfter[i], lr.R.Buffered())
		}
	}
	if _, err := lr.ReadLine(); err != io.EOF {
		t.Fatalf("at end: %v, want EOF", err)
	}
}

func TestReadLineTooLong(t *testing.T) {
	lr := &LineReader{R: bufio.NewReaderSize(strings.NewReader(strings.Repeat("W", 1000)+"\r\nQ\r\n"), 16), Max: 100}
	if _, err := lr.ReadLine(); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("err = %v, want ErrLineTooLong", err)
	}
	// exactly Max is fine, CR not counted
	lr = &LineReader{R: bufio.NewReaderSize(strings.NewReader(strings.Repeat("W", 100)+"\r\n"), 16), Max: 100}
	if got, err := lr.ReadLine(); err != nil || len(got) != 100 {
		t.Fatalf("len %d, %v", len(got), err)
	}
}

// A line over the cap is refused as soon as the cap is passed, even when
// the cap is smaller than the bufio buffer and the line's end never comes.
func TestReadLineTooLongNoEnd(t *testing.T) {
	pr, pw := io.Pipe()
	go pw.Write([]byte(strings.Repeat("W", 50)))
	lr := &LineReader{R: bufio.NewReaderSize(pr, 4096), Max: 10}
	if _, err := lr.ReadLine(); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("err = %v, want ErrLineTooLong", err)
	}
	pw.Close()
}

func TestHex(t *testing.T) {
	src := []byte{0, 1, 0xAB, 0xFF, 0x7f}
	h := AppendHex(nil, src)
	if string(h) != "0001ABFF7F" {
		t.Fatalf("AppendHex = %s", h)
	}
	back, err := AppendUnhex(nil, []byte("0001abFF7f"))
	if err != nil || !bytes.Equal(back, src) {
		t.Fatalf("AppendUnhex = %x, %v", back, err)
	}
	for _, bad := range []string{"0", "0G", " 0", "0 ", "zz"} {
		if _, err := AppendUnhex(nil, []byte(bad)); !errors.Is(err, ErrBadHex) {
			t.Errorf("AppendUnhex(%q) err = %v", bad, err)
		}
	}
}

func TestNumbers(t *testing.T) {
	if s := AppendNumber(nil, 0); string(s) != "0" {
		t.Errorf("0 -> %s", s)
	}
	if s := AppendNumber(nil, 0xFFFF); string(s) != "FFFF" {
		t.Errorf("FFFF -> %s", s)
	}
	cases := []struct {
		in     string
		off, l uint32
	}{
		{"", 0, DefaultLimit},
		{"F8,40", 0xF8, 0x40},
		{"  10", 0x10, DefaultLimit},
		{",20", 0, 0x20},
		{"x,20", 0, 0x20},
		{"10,", 0x10, DefaultLimit},
		{"123456789,1", 0, 1},
		{"1 ,2", 0, 2},
	}
	for _, c := range cases {
		off, l := ParseOffsetLimit([]byte(c.in))
		if off != c.off || l != c.l {
			t.Errorf("ParseOffsetLimit(%q) = %X,%X want %X,%X", c.in, off, l, c.off, c.l)
		}
	}
}

func TestClean(t *testing.T) {
	if got := Clean([]byte("a\r\nb\x7f"+strings.Repeat("z", 100)), 64); len(got) != 64 || string(got[:5]) != "a??b?" {
		t.Errorf("Clean = %q", got)
	}
}

func TestAppendHexAllLengths(t *testing.T) {
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(i*37 + 11)
	}
	for n := 0; n <= len(src); n++ {
		got := AppendHex([]byte("pre"), src[:n])
		want := "pre" + strings.ToUpper(hex.EncodeToString(src[:n]))
		if string(got) != want {
			t.Fatalf("AppendHex of %d bytes = %s, want %s", n, got, want)
		}
	}
}

// TestHexEncoders checks each encoder AppendHex combines on its own, at
// every length to 300 and every alignment of source and destination: the
// table loop (the only one on most architectures, the tail on amd64) and
// the SIMD prefix (amd64).
func TestHexEncoders(t *testing.T) {
	src := make([]byte, 340)
	for i := range src {
		src[i] = byte(i*37 + 11)
	}
	for off := 0; off < 32; off += 3 {
		for n := 0; n <= 300; n++ {
			s := src[off : off+n]
			want := strings.ToUpper(hex.EncodeToString(s))
			out := make([]byte, 2*n+off)[off:]
			encodeHexTable(out, s)
			if string(out) != want {
				t.Fatalf("encodeHexTable of %d bytes at %d = %s, want %s", n, off, out, want)
			}
			clear(out)
			k := appendHexWide(out, s)
			if k < 0 || k > n || k%16 != 0 || string(out[:2*k]) != want[:2*k] {
				t.Fatalf("appendHexWide of %d bytes at %d did %d: %s, want %s", n, off, k, out[:2*k], want[:2*k])
			}
			for _, c := range out[2*k:] {
				if c != 0 {
					t.Fatalf("appendHexWide of %d bytes at %d wrote past the %d bytes it did", n, off, k)
				}
			}
		}
	}
}

// TestReadLineLong: Long is called once for each line longer than R's
// buffer, never for one R holds whole; its release runs at the next
// ReadLine (or Release), once; an error from Long ends ReadLine with it.
func TestReadLineLong(t *testing.T) {
	in := "short\n" + strings.Repeat("x", 40) + "\nok\n" + strings.Repeat("y", 50) + "\n"
	calls, released := 0, 0
	lr := &LineReader{R: bufio.NewReaderSize(strings.NewReader(in), 16), Max: 100,
		Long: func() (func(), error) { calls++; return func() { released++ }, nil }}
	for i, want := range []struct{ calls, released int }{{0, 0}, {1, 0}, {1, 1}, {2, 1}} {
		if _, err := lr.ReadLine(); err != nil {
			t.Fatal(err)
		}
		if calls != want.calls || released != want.released {
			t.Fatalf("after line %d: %d calls, %d releases; want %d, %d", i+1, calls, released, want.calls, want.released)
		}
	}
	lr.Release()
	lr.Release()
	if released != 2 {
		t.Fatalf("after Release twice: %d releases, want 2", released)
	}
	busy := errors.New("busy")
	lr = &LineReader{R: bufio.NewReaderSize(strings.NewReader(strings.Repeat("z", 40)+"\n"), 16), Max: 100,
		Long: func() (func(), error) { return nil, busy }}
	if _, err := lr.ReadLine(); err != busy {
		t.Fatalf("Long failing: %v, want busy", err)
	}
}
