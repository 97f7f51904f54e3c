package ini

import (
	"reflect"
	"testing"
)

// TestSample checks that Sample holds what its doc comment promises, value
// by value, through the typed views.
func TestSample(t *testing.T) {
	f := Sample()
	get := func(app, key string) []byte {
		t.Helper()
		v, err := f.Get([]byte(app), []byte(key))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	u32 := func(app, key string, want uint32) {
		t.Helper()
		if n, err := U32(get(app, key)); err != nil || n != want {
			t.Errorf("%s/%s = %d, %v; want u32 %d", app, key, n, err, want)
		}
	}
	str0 := func(app, key, want string) {
		t.Helper()
		if s, err := decodeString0(get(app, key)); err != nil || string(s) != want {
			t.Errorf("%s/%s = %q, %v; want string0 %q", app, key, s, err, want)
		}
	}
	strs := func(app, key string, want ...string) {
		t.Helper()
		l, err := Strings(get(app, key))
		got := make([]string, len(l))
		for i, s := range l {
			got[i] = string(s)
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s/%s = %q, %v; want strings %q", app, key, got, err, want)
		}
	}
	apps, _ := f.Applications()
	if len(apps) != 3 || string(apps[0]) != "$SYS" || string(apps[1]) != "MailServer" || string(apps[2]) != "user1" {
		t.Errorf("applications = %q", apps)
	}
	u32("$SYS", "ServerPort", 3560)
	u32("$SYS", "TimeOut", 900)
	str0("$SYS", "Password", "secret")
	str0("MailServer", "MailRoot", `C:\MPTN\ETC\MAIL\`)
	banner, err := decodeString(get("MailServer", "Banner"))
	if err != nil || len(banner) != 90 {
		t.Errorf("Banner = %q (%d bytes), %v; want 90 bytes", banner, len(banner), err)
	}
	strs("MailServer", "Domains", "example.com", "mail.example.org")
	if p, err := decodeNumbers(get("MailServer", "Ports"), 2); err != nil || !reflect.DeepEqual(p, []uint64{25, 110, 143}) {
		t.Errorf("Ports = %v, %v", p, err)
	}
	u32("MailServer", "MaxUsers", 250)
	if n, err := decodeU8(get("MailServer", "LogLevel")); err != nil || n != 2 {
		t.Errorf("LogLevel = %d, %v", n, err)
	}
	if n, err := decodeU16(get("MailServer", "Flags")); err != nil || n != 0x105 {
		t.Errorf("Flags = %#x, %v", n, err)
	}
	if k := get("MailServer", "Key"); len(k) != 32 {
		t.Errorf("Key is %d bytes, want 32", len(k))
	}
	if e := get("MailServer", "Empty"); e == nil || len(e) != 0 {
		t.Errorf("Empty = %#v, want present and zero-length", e)
	}
	str0("user1", "Password", "pa55word")
	strs("user1", "Forward", "user1@example.net")
	u32("user1", "Quota", 10<<20)
	if s, err := decodeString(get("user1", "FullName")); err != nil || string(s) != "Jo Bloggs" {
		t.Errorf("FullName = %q, %v", s, err)
	}
	if s := get("user1", "Note"); len(s) != 17 || s[2] != 0x81 {
		t.Errorf("Note = %q", s)
	}

	// every call builds a new file
	g := Sample()
	if !f.Equal(g) {
		t.Error("two Sample() calls differ")
	}
	if err := g.Put([]byte("$SYS"), []byte("TimeOut"), []byte{1, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	if f.Equal(g) || !f.Equal(Sample()) {
		t.Error("changing one Sample() changed another")
	}
}

// TestSampleRoundTrip writes the sample in both formats and reads it back.
func TestSampleRoundTrip(t *testing.T) {
	f := Sample()
	for _, format := range []Format{FormatINI, FormatTNI} {
		data, err := f.Marshal(format)
		if err != nil {
			t.Fatalf("%v: %v", format, err)
		}
		g, err := Parse("sample", data, format)
		if err != nil {
			t.Fatalf("%v: %v", format, err)
		}
		if !g.SameContent(f) {
			t.Errorf("%v round trip changed the sample", format)
		}
	}
}
