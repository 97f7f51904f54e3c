package ini

import (
	"encoding/binary"
	"strings"
	"testing"
)

func TestZZAttack2(t *testing.T) {
	le := binary.LittleEndian
	hdr := func(size int, first uint32) []byte {
		b := make([]byte, size)
		copy(b, binSignature)
		le.PutUint32(b[4:], first)
		le.PutUint32(b[8:], uint32(size))
		return b
	}
	cases := map[string][]byte{}
	b := hdr(40, 0xFFFFFFFF)
	cases["first=max"] = b
	b = hdr(40, 20)
	le.PutUint16(b[32:], 1)
	le.PutUint16(b[34:], 1)
	le.PutUint32(b[36:], 0xFFFFFFFF)
	cases["name off max"] = b
	b = hdr(41, 21)
	le.PutUint16(b[33:], 1)
	le.PutUint16(b[35:], 1)
	le.PutUint32(b[37:], 40)
	cases["record at end, name last byte nonNUL"] = b
	b = hdr(40, 20)
	le.PutUint16(b[32:], 1)
	le.PutUint16(b[34:], 1)
	le.PutUint32(b[36:], 39)
	b[39] = 'A'
	cases["name no NUL overlapping record"] = b
	b = hdr(40, 20)
	le.PutUint32(b[20:], 20)
	le.PutUint16(b[32:], 1)
	le.PutUint16(b[34:], 1)
	le.PutUint32(b[36:], 19)
	cases["self cycle"] = b
	b = hdr(60, 20)
	le.PutUint32(b[20:], 30)
	le.PutUint16(b[32:], 1)
	le.PutUint16(b[34:], 1)
	le.PutUint32(b[36:], 19)
	cases["overlap app"] = b
	b = hdr(64, 20)
	le.PutUint32(b[24:], 40)
	le.PutUint16(b[32:], 1)
	le.PutUint16(b[34:], 1)
	le.PutUint32(b[36:], 19)
	le.PutUint32(b[40:], 0)
	le.PutUint16(b[48:], 0xFFFF)
	le.PutUint16(b[50:], 0xFFFF)
	le.PutUint32(b[52:], 0xFFFFFFFF)
	cases["key name huge"] = b
	b = hdr(64, 20)
	le.PutUint32(b[24:], 40)
	le.PutUint16(b[32:], 1)
	le.PutUint16(b[34:], 1)
	le.PutUint32(b[36:], 19)
	le.PutUint32(b[40:], 40)
	le.PutUint16(b[48:], 1)
	le.PutUint16(b[50:], 1)
	le.PutUint32(b[52:], 19)
	le.PutUint16(b[56:], 0xFFFF)
	le.PutUint16(b[58:], 0xFFFF)
	le.PutUint32(b[60:], 0xFFFFFFFF)
	cases["key value huge+self"] = b
	b = hdr(64, 20)
	le.PutUint32(b[24:], 40)
	le.PutUint16(b[32:], 1)
	le.PutUint16(b[34:], 1)
	le.PutUint32(b[36:], 19)
	le.PutUint32(b[40:], 40)
	le.PutUint16(b[48:], 1)
	le.PutUint16(b[50:], 1)
	le.PutUint32(b[52:], 19)
	le.PutUint32(b[60:], 0xFFFFFFFF)
	cases["key self cycle"] = b
	for name, d := range cases {
		f, err := ParseBinary(d)
		t.Logf("%s: err=%v f=%v", name, err, f != nil)
	}
	tnis := map[string]string{
		"onlyCR":      "\r\r\r\r",
		"CRLF only":   "\r\n\r\n",
		"ctrlz mid":   "[A]\n k=1\x1a\n[/A]\n",
		"ctrlz line":  "[A]\n\x1a\n[/A]\n",
		"ctrlz after": "[A]\n k=1\n[/A]\n\x1a[B]\n",
		"ctrlz key":   "[A]\n\x1ak=1\n[/A]\n",
		"cont eof":    "[A]\n k=1 +",
		"cont loop":   "[A]\n k=1 +\n" + strings.Repeat("+\n", 10) + "2\n[/A]\n",
		"str cont":    "[A]\n k='a' +\n+\n[/A]\n",
		"str cont2":   "[A]\n k='a' +\n +\n 'b'\n[/A]\n",
		"width0":      "[A]\n k=(0)1\n[/A]\n",
		"width()":     "[A]\n k=()1\n[/A]\n",
		"widthbig":    "[A]\n k=(99999999999999999999999)1\n[/A]\n",
		"nested":      strings.Repeat("[A]\n", 3) + "[/A]\n",
		"nul":         "[A]\n k=1\x00x\n[/A]\n",
		"noeq":        "[A]\n k\n[/A]\n",
		"esc name":    "[A\x1b[31m]\n",
		"tab close":   "[A]\n\t[/A]\n",
		"hdr no ]":    "[A\n",
		"[/A] top":    "[/A]\n[//A]\n",
		"[/]":         "[A]\n[/]\n",
		"blk unclosed": "[A]\n [k]\n x\n",
		"blk closeapp": "[A]\n [k]\n x\n[/A]\n",
		"x letters":   "[A]\n k=(X) GG\n[/A]\n",
		"x long":      "[A]\n k=(X) 0000000001\n[/A]\n",
		"hex overflow": "[A]\n k=(X) 100\n[/A]\n",
		"8 over":      "[A]\n k=(8)18446744073709551616\n[/A]\n",
		"dup key":     "[A]\n k=1\n[/A]\n[A]\n k=2\n[/A]\n",
		"quote":       "[A]\n k='abc\n[/A]\n",
		"bom":         "\xEF\xBB\xBF[A]\n[/A]\n",
	}
	for name, s := range tnis {
		f, err := ParseTNI([]byte(s))
		t.Logf("TNI %s: err=%v f=%v", name, err, f != nil)
		if f != nil {
			for _, a := range f.Apps {
				t.Logf("   app %q %d", a.Name, len(a.Entries))
			}
		}
	}
}
