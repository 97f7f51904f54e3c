package ini

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// binWorkedExample is the file of spec §2.6: application "App", key "k1" =
// 01 00 00 00, key "s" = "hi" NUL.
//
// Offsets: header 0x00; application record 0x14 (name field 0x28 "App\0");
// key record 0x2C (name 0x44 "k1\0", value 0x47); key record 0x4B (name
// 0x63 "s\0", value 0x65 "hi\0"); size 0x68.
func binWorkedExample() []byte {
	const dump = `
FF FF FF FF 14 00 00 00 68 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 2C 00 00 00 00 00 00 00
04 00 04 00 28 00 00 00 41 70 70 00 4B 00 00 00
00 00 00 00 03 00 03 00 44 00 00 00 04 00 04 00
47 00 00 00 6B 31 00 01 00 00 00 00 00 00 00 00
00 00 00 02 00 02 00 63 00 00 00 03 00 03 00 65
00 00 00 73 00 68 69 00`
	b, err := hex.DecodeString(strings.Join(strings.Fields(dump), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// binTwoApps is the canonical encoding of A{k="v"}, B{k="v"}:
// header; app A @0x14 (name @0x28); key @0x2A (name @0x42, value @0x44);
// app B @0x45 (name @0x59); key @0x5B (name @0x73, value @0x75); size 0x76.
func binTwoApps(t testing.TB) []byte {
	t.Helper()
	var f File
	binMustPut(t, &f, "A", "k", "v")
	binMustPut(t, &f, "B", "k", "v")
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 0x76 || le32(b[0x14:]) != 0x45 || le32(b[0x45+4:]) != 0x5B {
		t.Fatalf("binTwoApps layout changed:\n%s", hex.Dump(b))
	}
	return b
}

func binMustPut(t testing.TB, f *File, app, key, value string) {
	t.Helper()
	if err := f.Put([]byte(app), []byte(key), []byte(value)); err != nil {
		t.Fatal(err)
	}
}

func binPut32(b []byte, off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }
func binPut16(b []byte, off int, v uint16) { binary.LittleEndian.PutUint16(b[off:], v) }

// binDump renders a model as one line per key for comparisons.
func binDump(f *File) string {
	var sb strings.Builder
	for _, a := range f.Apps {
		sb.WriteString("[" + strings.ToValidUTF8(string(a.Name), "?") + "]")
		for _, e := range a.Entries {
			sb.WriteString(" " + string(e.Key) + "=" + hex.EncodeToString(e.Value))
		}
		sb.WriteString(";")
	}
	return sb.String()
}

func TestWorkedExampleMarshal(t *testing.T) {
	var f File
	binMustPut(t, &f, "App", "k1", "\x01\x00\x00\x00")
	binMustPut(t, &f, "App", "s", "hi\x00")
	got, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := binWorkedExample(); !bytes.Equal(got, want) {
		t.Fatalf("MarshalBinary:\n%s\nwant (spec §2.6):\n%s", hex.Dump(got), hex.Dump(want))
	}
}

func TestWorkedExampleParse(t *testing.T) {
	data := binWorkedExample()
	var warns []*FormatError
	f, err := ParseBinaryOptions(data, BinaryOptions{Strict: true, Warn: func(e *FormatError) { warns = append(warns, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := binDump(f), "[App] k1=01000000 s=686900;"; got != want {
		t.Errorf("model %s, want %s", got, want)
	}
	if len(warns) != 0 {
		t.Errorf("warnings on a canonical file: %v", warns)
	}
	out, err := f.MarshalBinary()
	if err != nil || !bytes.Equal(out, data) {
		t.Errorf("rewrite differs (err %v)", err)
	}
}

// TestParseAliasing checks that names and values alias the input but that
// appending to them cannot overwrite it (full slice expressions).
func TestParseAliasing(t *testing.T) {
	data := binWorkedExample()
	orig := bytes.Clone(data)
	f, err := ParseBinary(data)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.Lookup([]byte("App"), []byte("k1"))
	if &v[0] != &data[0x47] {
		t.Error("value does not alias the input")
	}
	_ = append(v, 0xEE, 0xEE)
	_ = append(f.Apps[0].Name, 0xEE)
	_ = append(f.Apps[0].Entries[0].Key, 0xEE)
	if !bytes.Equal(data, orig) {
		t.Error("appending to a name or value modified the input")
	}

	// UnmarshalBinary copies.
	var g File
	if err := g.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	data[0x47] = 0x7F
	if v, _ := g.Lookup([]byte("App"), []byte("k1")); v[0] != 1 {
		t.Error("UnmarshalBinary result aliases its input")
	}
}

func TestUnmarshalBinaryErrorKeepsFile(t *testing.T) {
	var f File
	binMustPut(t, &f, "a", "b", "c")
	if err := f.UnmarshalBinary([]byte{1, 2, 3}); err == nil {
		t.Fatal("no error")
	}
	if binDump(&f) != "[a] b=63;" {
		t.Errorf("file changed on error: %s", binDump(&f))
	}
}

// TestParseReject covers every reason ParseBinary rejects a file (spec
// §2.7 "must reject", plus overlapping records), checking Offset and Msg.
func TestParseReject(t *testing.T) {
	tests := []struct {
		name   string
		base   func(testing.TB) []byte // default binWorkedExample
		mutate func(b []byte) []byte
		off    int64
		msg    string
	}{
		{"1 byte", nil, func(b []byte) []byte { return b[:1] }, 0,
			"file is 1 bytes long, shorter than the 20-byte header"},
		{"19 bytes", nil, func(b []byte) []byte { return b[:19] }, 0,
			"file is 19 bytes long, shorter than the 20-byte header"},
		{"signature", nil, func(b []byte) []byte { b[2] = 0xFE; return b }, 0,
			"signature is FF FF FE FF, want FF FF FF FF"},
		{"signature of a text file", nil, func([]byte) []byte { return []byte("[App]\r\nkey=value\r\n[/App]\r\n") }, 0,
			"signature is 5B 41 70 70, want FF FF FF FF"},
		{"truncated file", nil, func(b []byte) []byte { return b[:0x60] }, 0x4B,
			"key record (the next key record named by the key record at 0x2C): 24-byte record extends past the end of the file (size 0x60)"},
		{"first application past end", nil, func(b []byte) []byte { binPut32(b, 4, 0x60); return b }, 0x60,
			"application record (the first application record named by the header): 20-byte record extends past the end of the file (size 0x68)"},
		{"first application offset overflows", nil, func(b []byte) []byte { binPut32(b, 4, 0xFFFFFFF0); return b }, 0xFFFFFFF0,
			"application record (the first application record named by the header): 20-byte record extends past the end of the file (size 0x68)"},
		{"next application past end", nil, func(b []byte) []byte { binPut32(b, 0x14, 0x55); return b }, 0x55,
			"application record (the next application record named by the application record at 0x14): 20-byte record extends past the end of the file (size 0x68)"},
		{"first key past end", nil, func(b []byte) []byte { binPut32(b, 0x18, 0x51); return b }, 0x51,
			"key record (the first key record named by the application record at 0x14): 24-byte record extends past the end of the file (size 0x68)"},
		{"next key past end", nil, func(b []byte) []byte { binPut32(b, 0x4B, 0x68); return b }, 0x68,
			"key record (the next key record named by the key record at 0x4B): 24-byte record extends past the end of the file (size 0x68)"},
		{"application name past end", nil, func(b []byte) []byte { binPut16(b, 0x20, 0x41); binPut16(b, 0x22, 0x41); return b }, 0x14,
			"application record: application name field 0x28+65 extends past the end of the file (size 0x68)"},
		{"application name offset past end", nil, func(b []byte) []byte { binPut32(b, 0x24, 0x68); return b }, 0x14,
			"application record: application name field 0x68+4 extends past the end of the file (size 0x68)"},
		{"application name offset overflows", nil, func(b []byte) []byte { binPut32(b, 0x24, 0xFFFFFFFE); return b }, 0x14,
			"application record: application name field 0xFFFFFFFE+4 extends past the end of the file (size 0x68)"},
		{"application name length 0", nil, func(b []byte) []byte { binPut16(b, 0x20, 0); binPut16(b, 0x22, 0); return b }, 0x14,
			"application record: application name length is 0 (the field must hold at least the NUL)"},
		{"application name length 0, copy not", nil, func(b []byte) []byte { binPut16(b, 0x20, 0); return b }, 0x14,
			"application record: application name length is 0 (the field must hold at least the NUL)"},
		{"key name past end", nil, func(b []byte) []byte { binPut32(b, 0x57, 0x67); return b }, 0x4B,
			"key record: key name field 0x67+2 extends past the end of the file (size 0x68)"},
		{"key name length 0", nil, func(b []byte) []byte { binPut16(b, 0x34, 0); binPut16(b, 0x36, 0); return b }, 0x2C,
			"key record: key name length is 0 (the field must hold at least the NUL)"},
		{"value past end", nil, func(b []byte) []byte { binPut16(b, 0x5B, 4); binPut16(b, 0x5D, 4); return b }, 0x4B,
			"key record: value 0x65+4 extends past the end of the file (size 0x68)"},
		{"value offset past end", nil, func(b []byte) []byte { binPut32(b, 0x40, 0x68); return b }, 0x2C,
			"key record: value 0x68+4 extends past the end of the file (size 0x68)"},
		{"application chain cycle to itself", nil, func(b []byte) []byte { binPut32(b, 0x14, 0x14); return b }, 0x14,
			"application record (the next application record named by the application record at 0x14) was already read: cycle in the application chain"},
		{"application chain cycle", binTwoApps, func(b []byte) []byte { binPut32(b, 0x45, 0x14); return b }, 0x14,
			"application record (the next application record named by the application record at 0x45) was already read: cycle in the application chain"},
		{"key chain cycle to itself", nil, func(b []byte) []byte { binPut32(b, 0x4B, 0x4B); return b }, 0x4B,
			`key record (the next key record named by the key record at 0x4B) was already read: cycle in the key chain of application "App"`},
		{"key chain cycle to first", nil, func(b []byte) []byte { binPut32(b, 0x4B, 0x2C); return b }, 0x2C,
			`key record (the next key record named by the key record at 0x4B) was already read: cycle in the key chain of application "App"`},
		{"key chain shared by two applications", binTwoApps, func(b []byte) []byte { binPut32(b, 0x45+4, 0x2A); return b }, 0x2A,
			"key record (the first key record named by the application record at 0x45) already belongs to the key chain of an earlier application"},
		{"key chain joins an earlier application's chain", binTwoApps, func(b []byte) []byte {
			// B's key (0x5B) continues into A's key (0x2A)
			binPut32(b, 0x5B, 0x2A)
			return b
		}, 0x2A,
			"key record (the next key record named by the key record at 0x5B) already belongs to the key chain of an earlier application"},
		{"application overlaps application", nil, func(b []byte) []byte { binPut32(b, 0x14, 0x18); return b }, 0x18,
			"application record (the next application record named by the application record at 0x14) overlaps the application record at 0x14"},
		{"application overlaps key", nil, func(b []byte) []byte { binPut32(b, 0x14, 0x2C); return b }, 0x2C,
			"application record (the next application record named by the application record at 0x14) overlaps the key record at 0x2C"},
		{"key overlaps application", nil, func(b []byte) []byte { binPut32(b, 0x18, 0x1C); return b }, 0x1C,
			"key record (the first key record named by the application record at 0x14) overlaps the application record at 0x14"},
		{"key overlaps key", nil, func(b []byte) []byte { binPut32(b, 0x2C, 0x40); return b }, 0x40,
			"key record (the next key record named by the key record at 0x2C) overlaps the key record at 0x2C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := binWorkedExample()
			if tt.base != nil {
				base = tt.base(t)
			}
			data := tt.mutate(base)
			for _, strict := range []bool{false, true} {
				f, err := ParseBinaryOptions(data, BinaryOptions{Strict: strict})
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("strict=%v: got %v, %v; want *FormatError", strict, f, err)
				}
				if fe.Offset != tt.off || fe.Msg != tt.msg || fe.Line != 0 {
					t.Errorf("strict=%v:\n got offset 0x%X %q\nwant offset 0x%X %q", strict, fe.Offset, fe.Msg, tt.off, tt.msg)
				}
			}
		})
	}
}

// binSharedKeys builds a file with keys key records from 0x28 on, chained
// in order, whose fields are set by fields(i) (name length and offset,
// value length and offset); extra places the application record at 0x14
// and the bytes the records point at (from end, the first byte after the
// key records).
func binSharedKeys(keys int, fields func(i int) (nameLen uint16, nameOff uint32, valLen uint16, valOff uint32), extra func(l *binLayout, end int)) []byte {
	var l binLayout
	l.header(20)
	end := 40 + keys*24
	extra(&l, end)
	for i := range keys {
		next := uint32(40 + (i+1)*24)
		if i == keys-1 {
			next = 0
		}
		nl, no, vl, vo := fields(i)
		l.key(40+i*24, next, nl, no, vl, vo)
	}
	return l.fix()
}

// TestParseSharedBound checks that records sharing one long name field, or
// one value, are refused once the names (or the values) total more than 4
// times the file size, so a crafted file cannot make a read scan gigabytes
// (nor a conversion write them: a 600 KiB file whose 20000 keys all point
// at one 64 KiB value used to become a 4 GiB TNI file), while a few shared
// fields are fine.
func TestParseSharedBound(t *testing.T) {
	tests := []struct {
		name  string
		build func(keys int) []byte
		ok    func(f *File) bool // check of the 3-key file
		want  string             // error of the 5-key file, at its fifth key record (0x88)
	}{{
		// 3 keys share a 1001-byte name field: 3005 bytes of names in a
		// 1113-byte file (under 4x); lenient mode keeps the first. 5 keys:
		// 1161-byte file; the fifth key record brings the names to 5007
		// bytes, over 4 x 1161
		name: "name field",
		build: func(keys int) []byte {
			nameOff := 40 + keys*24
			return binSharedKeys(keys, func(int) (uint16, uint32, uint16, uint32) {
				return 1001, uint32(nameOff), 0, 0
			}, func(l *binLayout, end int) {
				l.at(end, bytes.Repeat([]byte{'x'}, 1000)...)
				l.at(end+1000, 0)
				l.app(20, 0, 40, 2, uint32(end+999)) // "x"
			})
		},
		ok:   func(f *File) bool { return len(f.Apps[0].Entries) == 1 && len(f.Apps[0].Entries[0].Key) == 1000 },
		want: "key record: key name field 0xA0+1001: the name fields read so far total 5007 bytes, more than 4 times the file size (name fields shared by many records)",
	}, {
		// 3 keys named "a", "b", "c" share a 1000-byte value: 3000 bytes
		// of values in a 1118-byte file (under 4x). 5 keys: 1170-byte
		// file; the fifth key record brings the values to 5000 bytes,
		// over 4 x 1170
		name: "value",
		build: func(keys int) []byte {
			val := 40 + keys*24 + 2*keys
			return binSharedKeys(keys, func(i int) (uint16, uint32, uint16, uint32) {
				return 2, uint32(40 + keys*24 + 2*i), 1000, uint32(val)
			}, func(l *binLayout, end int) {
				for i := range keys {
					l.at(end+2*i, byte('a'+i), 0)
				}
				l.at(val, bytes.Repeat([]byte{'v'}, 1000)...)
				l.app(20, 0, 40, 2, uint32(end)) // "a"
			})
		},
		ok:   func(f *File) bool { return len(f.Apps[0].Entries) == 3 && len(f.Apps[0].Entries[2].Value) == 1000 },
		want: "key record: value 0xAA+1000: the values read so far total 5000 bytes, more than 4 times the file size (values shared by many records)",
	}}
	for _, tt := range tests {
		f, err := ParseBinary(tt.build(3))
		if err != nil || !tt.ok(f) {
			t.Fatalf("3 shared %ss: %v", tt.name, err)
		}
		_, err = ParseBinary(tt.build(5))
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Offset != 0x88 || fe.Msg != tt.want {
			t.Fatalf("5 shared %ss: %v; want offset 0x88 %q", tt.name, err, tt.want)
		}
	}
}

// TestParseLenient covers what the lenient mode accepts with a warning and
// the strict mode rejects (spec §2.7), and what every mode tolerates.
func TestParseLenient(t *testing.T) {
	tests := []struct {
		name   string
		base   func(testing.TB) []byte
		mutate func(b []byte) []byte
		model  string // lenient result
		warns  []string
		strict string // strict-mode error message; "" = strict accepts too
	}{
		{"application name length copies differ", nil, func(b []byte) []byte { binPut16(b, 0x22, 9); return b },
			"[App] k1=01000000 s=686900;",
			[]string{"offset 20 (0x14): application record: the two copies of the application name length differ (4 and 9); using 4"},
			"application record: the two copies of the application name length differ (4 and 9); using 4"},
		{"key name length copies differ", nil, func(b []byte) []byte { binPut16(b, 0x36, 2); return b },
			"[App] k1=01000000 s=686900;",
			[]string{"offset 44 (0x2C): key record: the two copies of the key name length differ (3 and 2); using 3"},
			"key record: the two copies of the key name length differ (3 and 2); using 3"},
		{"value length copies differ", nil, func(b []byte) []byte { binPut16(b, 0x3E, 2); return b },
			"[App] k1=01000000 s=686900;",
			[]string{"offset 44 (0x2C): key record: the two copies of the value length differ (4 and 2); using 4"},
			"key record: the two copies of the value length differ (4 and 2); using 4"},
		{"name field without NUL", nil, func(b []byte) []byte { b[0x2B] = 'X'; return b },
			"[AppX] k1=01000000 s=686900;",
			[]string{"offset 20 (0x14): application record: application name field 0x28+4 holds no NUL; taking all 4 bytes as the name"},
			"application record: application name field 0x28+4 holds no NUL; taking all 4 bytes as the name"},
		{"empty application name", nil, func(b []byte) []byte { binPut16(b, 0x20, 1); binPut16(b, 0x22, 1); binPut32(b, 0x24, 0x2B); return b },
			"[] k1=01000000 s=686900;",
			[]string{"offset 20 (0x14): application record: empty application name (the field at 0x2B holds only the NUL)"},
			"application record: empty application name (the field at 0x2B holds only the NUL)"},
		{"empty key name", nil, func(b []byte) []byte { binPut16(b, 0x53, 1); binPut16(b, 0x55, 1); binPut32(b, 0x57, 0x64); return b },
			"[App] k1=01000000 =686900;",
			[]string{"offset 75 (0x4B): key record: empty key name (the field at 0x64 holds only the NUL)"},
			"key record: empty key name (the field at 0x64 holds only the NUL)"},
		{"duplicate key", nil, func(b []byte) []byte { binPut16(b, 0x53, 3); binPut16(b, 0x55, 3); binPut32(b, 0x57, 0x44); return b },
			"[App] k1=01000000;",
			[]string{`offset 75 (0x4B): key record: duplicate key "k1" in application "App"; keeping the first`},
			`key record: duplicate key "k1" in application "App"; keeping the first`},
		{"duplicate application", binTwoApps, func(b []byte) []byte { b[0x59] = 'A'; b[0x75] = 'w'; return b },
			"[A] k=76;",
			[]string{`offset 69 (0x45): application record: duplicate application "A"; keeping the first, dropping this one and its keys`},
			`application record: duplicate application "A"; keeping the first, dropping this one and its keys`},
		// tolerated in every mode
		{"NUL inside the name field", nil, func(b []byte) []byte { b[0x29] = 0; return b },
			"[A] k1=01000000 s=686900;",
			[]string{"offset 20 (0x14): application record: application name field 0x28+4 has a NUL at byte 1; the name ends there"},
			""},
		{"header length field wrong", nil, func(b []byte) []byte { binPut32(b, 8, 0x1000); return b },
			"[App] k1=01000000 s=686900;",
			[]string{"offset 0 (0x0): header: file length field says 4096 (0x1000) bytes, the file has 104 (0x68)"},
			""},
		{"header-only file", nil, func(b []byte) []byte { return b[:20] },
			"",
			[]string{"offset 0 (0x0): header: file length field says 104 (0x68) bytes, the file has 20 (0x14)",
				"offset 0 (0x0): header-only file: first application record offset 0x14 ignored, read as an empty profile"},
			""},
		{"header-only file, canonical empty profile", nil, func(b []byte) []byte { binPut32(b, 4, 0); binPut32(b, 8, 20); return b[:20] },
			"", nil, ""},
		{"zero-byte file", nil, func(b []byte) []byte { return b[:0] }, "", nil, ""},
		{"first application offset 0 with data", nil, func(b []byte) []byte { binPut32(b, 4, 0); return b }, "", nil, ""},
		{"reserved fields set", nil, func(b []byte) []byte {
			binPut32(b, 12, 0x26)
			binPut32(b, 16, 0x53E)
			binPut32(b, 0x1C, 0xDEADBEEF)
			binPut32(b, 0x30, 1)
			binPut32(b, 0x4F, 2)
			return b
		}, "[App] k1=01000000 s=686900;", nil, ""},
		{"first key 0: application without keys", nil, func(b []byte) []byte { binPut32(b, 0x18, 0); return b },
			"[App];", nil, ""},
		{"zero-length value at offset 0", nil, func(b []byte) []byte { binPut16(b, 0x3C, 0); binPut16(b, 0x3E, 0); binPut32(b, 0x40, 0); return b },
			"[App] k1= s=686900;", nil, ""},
		{"zero-length value at the end of the file", nil, func(b []byte) []byte { binPut16(b, 0x5B, 0); binPut16(b, 0x5D, 0); binPut32(b, 0x5F, 0x68); return b },
			"[App] k1=01000000 s=;", nil, ""},
		{"zero-length value far past the end", nil, func(b []byte) []byte {
			binPut16(b, 0x5B, 0)
			binPut16(b, 0x5D, 0)
			binPut32(b, 0x5F, 0xFFFFFFFF)
			return b
		},
			"[App] k1=01000000 s=;", nil, ""},
		{"trailing garbage", nil, func(b []byte) []byte { return append(b, "garbage\xff\xff\xff\xff"...) },
			"[App] k1=01000000 s=686900;",
			[]string{"offset 0 (0x0): header: file length field says 104 (0x68) bytes, the file has 115 (0x73)"}, ""},
		{"key name and value shared", nil, func(b []byte) []byte {
			// key "k1" uses its own name bytes as value: allowed, names and
			// values may be anywhere
			binPut16(b, 0x3C, 3)
			binPut16(b, 0x3E, 3)
			binPut32(b, 0x40, 0x44)
			return b
		}, "[App] k1=6b3100 s=686900;", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := binWorkedExample()
			if tt.base != nil {
				base = tt.base(t)
			}
			data := tt.mutate(base)
			var warns []string
			f, err := ParseBinaryOptions(data, BinaryOptions{Warn: func(e *FormatError) { warns = append(warns, e.Error()) }})
			if err != nil {
				t.Fatalf("lenient: %v", err)
			}
			if got := binDump(f); got != tt.model {
				t.Errorf("model %s, want %s", got, tt.model)
			}
			var want []string
			for _, w := range tt.warns {
				want = append(want, "<input>: "+w)
			}
			if strings.Join(warns, "\n") != strings.Join(want, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warns, "\n"), strings.Join(want, "\n"))
			}
			g, err := ParseBinaryOptions(data, BinaryOptions{Strict: true})
			if tt.strict == "" {
				if err != nil {
					t.Fatalf("strict: %v", err)
				}
				if !g.Equal(f) {
					t.Errorf("strict model %s differs from lenient %s", binDump(g), binDump(f))
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Msg != tt.strict {
				t.Errorf("strict: got %v, want *FormatError %q", err, tt.strict)
			}
		})
	}
}

// TestParseValueIsPresent checks that a zero-length value is present (not
// nil, distinct from absent) whatever its offset.
func TestParseValueIsPresent(t *testing.T) {
	b := binWorkedExample()
	binPut16(b, 0x5B, 0)
	binPut16(b, 0x5D, 0)
	binPut32(b, 0x5F, 0xFFFFFFFF)
	f, err := ParseBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := f.Lookup([]byte("App"), []byte("s"))
	if !ok || v == nil || len(v) != 0 {
		t.Errorf("Lookup = %v, %v; want present, empty, not nil", v, ok)
	}
}

// binLayout builds a binary file by hand, placing records at chosen offsets.
type binLayout []byte

func (l *binLayout) at(off int, b ...byte) {
	if need := off + len(b); need > len(*l) {
		*l = append(*l, make([]byte, need-len(*l))...)
	}
	copy((*l)[off:], b)
}

func binLE32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func binLE16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }

func (l *binLayout) header(first uint32) {
	l.at(0, 0xFF, 0xFF, 0xFF, 0xFF)
	l.at(4, binLE32(first)...)
}

func (l *binLayout) app(off int, next, firstKey uint32, nameLen uint16, nameOff uint32) {
	l.at(off, binLE32(next)...)
	l.at(off+4, binLE32(firstKey)...)
	l.at(off+8, 0, 0, 0, 0)
	l.at(off+12, binLE16(nameLen)...)
	l.at(off+14, binLE16(nameLen)...)
	l.at(off+16, binLE32(nameOff)...)
}

func (l *binLayout) key(off int, next uint32, nameLen uint16, nameOff uint32, valLen uint16, valOff uint32) {
	l.at(off, binLE32(next)...)
	l.at(off+4, 0, 0, 0, 0)
	l.at(off+8, binLE16(nameLen)...)
	l.at(off+10, binLE16(nameLen)...)
	l.at(off+12, binLE32(nameOff)...)
	l.at(off+16, binLE16(valLen)...)
	l.at(off+18, binLE16(valLen)...)
	l.at(off+20, binLE32(valOff)...)
}

func (l *binLayout) fix() []byte {
	binPut32(*l, 8, uint32(len(*l)))
	return *l
}

// TestParseScattered reads a file whose records run backwards, with
// strings before records, gaps, odd offsets and shared strings, then checks
// that writing it gives the canonical layout.
func TestParseScattered(t *testing.T) {
	var l binLayout
	l.header(301)
	l.at(21, []byte("Second\x00First\x00key\x00val")...)           // 21 Second, 28 First, 34 key, 38 val
	l.app(301, 200, 0, 7, 21)                                      // "Second", no keys... first in chain
	l.app(200, 0, 150, 6, 28)                                      // "First"
	l.key(150, 97, 4, 34, 3, 38)                                   // key = "val"
	l.key(97, 0, 3, 35, 0, 0)                                      // "ey" = ""
	l.at(400, []byte("unreferenced bytes at the end \x00\x00")...) // trailing garbage
	data := l.fix()

	f, err := ParseBinaryOptions(data, BinaryOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := binDump(f), "[Second];[First] key=76616c ey=;"; got != want {
		t.Fatalf("model %s, want %s", got, want)
	}
	out, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// canonical: 20 + (20+7) + (20+6) + (24+4+3) + (24+3+0) = 131
	if len(out) != 131 || le32(out[4:]) != 20 || le32(out[8:]) != 131 {
		t.Fatalf("canonical rewrite:\n%s", hex.Dump(out))
	}
	if le32(out[20+4:]) != 0 {
		t.Error("application without keys: first-key offset not 0")
	}
	g, err := ParseBinaryOptions(out, BinaryOptions{Strict: true})
	if err != nil || !g.Equal(f) {
		t.Fatalf("reparse: %v, %s", err, binDump(g))
	}
	out2, _ := g.MarshalBinary()
	if !bytes.Equal(out, out2) {
		t.Error("second rewrite differs from the first")
	}
}

// TestParseManyDuplicates exercises the hash-set path (more than
// indexThreshold names) of duplicate detection for keys and applications.
func TestParseManyDuplicates(t *testing.T) {
	var f File
	for i := range 40 {
		for j := range 30 {
			binMustPut(t, &f, fmt.Sprintf("app%02d", i), fmt.Sprintf("key%02d", j), strconv.Itoa(i*100+j))
		}
	}
	data, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// rename key "key29" of app00 to "key03" and app "app39" to "app03"
	data = bytes.Replace(data, []byte("key29\x00"), []byte("key03\x00"), 1)
	data = bytes.Replace(data, []byte("app39\x00"), []byte("app03\x00"), 1)
	var warns []string
	g, err := ParseBinaryOptions(data, BinaryOptions{Warn: func(e *FormatError) { warns = append(warns, e.Msg) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Apps) != 39 || len(g.Apps[0].Entries) != 29 || len(g.Apps[1].Entries) != 30 {
		t.Fatalf("got %d apps, %d and %d keys", len(g.Apps), len(g.Apps[0].Entries), len(g.Apps[1].Entries))
	}
	if v, _ := g.Lookup([]byte("app00"), []byte("key03")); string(v) != "3" {
		t.Errorf("duplicate key: kept %q, want the first (\"3\")", v)
	}
	if v, _ := g.Lookup([]byte("app03"), []byte("key00")); string(v) != "300" {
		t.Errorf("duplicate application: kept value %q, want the first's (\"300\")", v)
	}
	want := []string{
		`key record: duplicate key "key03" in application "app00"; keeping the first`,
		`application record: duplicate application "app03"; keeping the first, dropping this one and its keys`,
	}
	if strings.Join(warns, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warns, "\n"), strings.Join(want, "\n"))
	}
	if _, err := ParseBinaryOptions(data, BinaryOptions{Strict: true}); err == nil {
		t.Error("strict mode accepted duplicates")
	}
}

func TestMarshalEmpty(t *testing.T) {
	want := []byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, f := range []*File{{}, New()} {
		got, err := f.MarshalBinary()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("empty profile: % X, %v; want % X", got, err, want)
		}
		g, err := ParseBinaryOptions(got, BinaryOptions{Strict: true, Warn: func(e *FormatError) { t.Error(e) }})
		if err != nil || len(g.Apps) != 0 {
			t.Errorf("reading it back: %v, %d apps", err, len(g.Apps))
		}
	}
}

func TestMarshalApplicationWithoutKeys(t *testing.T) {
	f := &File{Apps: []*Application{{Name: []byte("E")}, {Name: []byte("F"), Entries: []Entry{{Key: []byte("k"), Value: []byte{}}}}}}
	got, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0x14, 0, 0, 0, 0x45, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		// app E @0x14: next 0x2A, first key 0, name @0x28
		0x2A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0x28, 0, 0, 0, 'E', 0,
		// app F @0x2A: next 0, first key 0x40, name @0x3E
		0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0x3E, 0, 0, 0, 'F', 0,
		// key k @0x40: next 0, name @0x58, value 0 bytes @0x5A
		0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0x58, 0, 0, 0, 0, 0, 0, 0, 0x5A, 0, 0, 0, 'k', 0,
	}
	binPut32(want, 8, uint32(len(want)))
	if !bytes.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", hex.Dump(got), hex.Dump(want))
	}
}

func TestMarshalLimits(t *testing.T) {
	big := func(n int) []byte { return bytes.Repeat([]byte{'x'}, n) }
	ok := []*File{
		{Apps: []*Application{{Name: []byte("A"), Entries: []Entry{{Key: []byte("k"), Value: big(MaxValueLen)}}}}},
		{Apps: []*Application{{Name: big(MaxNameLen), Entries: []Entry{{Key: big(MaxNameLen), Value: nil}}}}},
	}
	for i, f := range ok {
		b, err := f.MarshalBinary()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		g, err := ParseBinaryOptions(b, BinaryOptions{Strict: true})
		if err != nil || !g.Equal(f) {
			t.Fatalf("case %d: round trip: %v", i, err)
		}
	}
	bad := []struct {
		f    *File
		is   error
		want string
	}{
		{&File{Apps: []*Application{{Name: []byte("A"), Entries: []Entry{{Key: []byte("k"), Value: big(MaxValueLen + 1)}}}}},
			ErrTooLong, `application "A" key "k": value of 65536 bytes exceeds 65535: too long for the binary INI format`},
		{&File{Apps: []*Application{{Name: big(MaxNameLen + 1)}}},
			ErrTooLong, "application name of 65535 bytes exceeds 65534"},
		{&File{Apps: []*Application{{Name: []byte("A"), Entries: []Entry{{Key: big(MaxNameLen + 1)}}}}},
			ErrTooLong, `application "A" key "xxx`},
		{&File{Apps: []*Application{{Name: []byte("A\x00B")}}},
			ErrInvalidName, `application "A\x00B": application name contains NUL: invalid name`},
		{&File{Apps: []*Application{{Name: []byte("A"), Entries: []Entry{{Key: []byte("k\x00"), Value: []byte("v")}}}}},
			ErrInvalidName, `application "A" key "k\x00": key name contains NUL: invalid name`},
	}
	for i, tt := range bad {
		prefix := []byte("keep")
		out, err := tt.f.AppendBinary(prefix)
		if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("case %d: error %v; want %v containing %q", i, err, tt.is, tt.want)
		}
		if string(out) != "keep" {
			t.Errorf("case %d: AppendBinary changed dst on error: %q", i, out)
		}
	}
}

// TestMarshalEmptyNames checks that empty names read from a file are
// written back as a lone NUL, byte for byte (spec §2.7).
func TestMarshalEmptyNames(t *testing.T) {
	f := &File{Apps: []*Application{{Name: []byte{}, Entries: []Entry{{Key: []byte{}, Value: []byte("v")}}}}}
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if b[0x20] != 1 || b[0x28] != 0 || b[0x29+8] != 1 {
		t.Fatalf("empty names not written as a lone NUL:\n%s", hex.Dump(b))
	}
	g, err := ParseBinary(b)
	if err != nil || !g.Equal(f) {
		t.Fatalf("round trip: %v %s", err, binDump(g))
	}
	b2, _ := g.MarshalBinary()
	if !bytes.Equal(b, b2) {
		t.Error("rewrite differs")
	}
}

// TestAppendBinary checks that AppendBinary writes every byte (reserved
// fields too) when dst has spare capacity holding old data, and that
// offsets are relative to the encoding.
func TestAppendBinary(t *testing.T) {
	var f File
	binMustPut(t, &f, "App", "k1", "\x01\x00\x00\x00")
	binMustPut(t, &f, "App", "s", "hi\x00")
	dst := bytes.Repeat([]byte{0xAA}, 300)[:5]
	out, err := f.AppendBinary(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out[:5], bytes.Repeat([]byte{0xAA}, 5)) || !bytes.Equal(out[5:], binWorkedExample()) {
		t.Fatalf("AppendBinary:\n%s", hex.Dump(out))
	}
	out, err = f.AppendBinary([]byte("xy"))
	if err != nil || string(out[:2]) != "xy" || !bytes.Equal(out[2:], binWorkedExample()) {
		t.Fatalf("AppendBinary without spare capacity: %v\n%s", err, hex.Dump(out))
	}
}

// TestAppendBinaryNoAllocation checks that AppendBinary into a buffer
// with room for the encoding allocates nothing (docs/PERFORMANCE.md,
// BinaryAppend); TestMarshalListsEveryItem checks its errors.
func TestAppendBinaryNoAllocation(t *testing.T) {
	var f File
	binMustPut(t, &f, "App", "k1", "\x01\x00\x00\x00")
	binMustPut(t, &f, "App", "s", "hi\x00")
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = f.AppendBinary(buf[:0]); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("AppendBinary into a reused buffer: %v allocations, want 0", n)
	}
	if !bytes.Equal(buf, binWorkedExample()) {
		t.Fatalf("AppendBinary:\n%s", hex.Dump(buf))
	}
}

// TestModelEditsAfterParse checks that editing a parsed (aliasing) model
// and writing it works and never touches the input.
func TestModelEditsAfterParse(t *testing.T) {
	data := binWorkedExample()
	orig := bytes.Clone(data)
	f, err := ParseBinary(data)
	if err != nil {
		t.Fatal(err)
	}
	binMustPut(t, f, "App", "new", "value")
	binMustPut(t, f, "App", "k1", "\x02")
	binMustPut(t, f, "Other", "x", "")
	if err := f.Delete([]byte("App"), []byte("s")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, orig) {
		t.Fatal("editing the model modified the input")
	}
	out, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseBinary(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := binDump(g), "[App] k1=02 new=76616c7565;[Other] x=;"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
