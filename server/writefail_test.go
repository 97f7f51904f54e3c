package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

// TestWriteFailureReasons: a refused W or D says why in the reply text
// (read-only file, value too large, invalid name), so a client's error
// message is useful without the server log; the text never holds the host
// path. The reply still starts with "-" (§1: clients look at that only),
// and the file is untouched.
func TestWriteFailureReasons(t *testing.T) {
	ts := startServer(t, nil)
	f := ini.New()
	f.Put([]byte("App"), []byte("Key"), []byte("v\x00"))
	ro := filepath.Join(ts.dirs['C'], "RO.INI")
	writeINI(t, ro, f)
	if err := os.Chmod(ro, 0o444); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(ro)
	if err != nil {
		t.Fatal(err)
	}
	writeINI(t, filepath.Join(ts.dirs['C'], "RW.INI"), f)
	c := dial(t, ts.addr).login()
	c.expect(`CC:\`, "+")
	c.expect("FRO.INI", "+")
	c.expect("AApp", "+")
	c.expect("KKey", "+")
	c.expect("W7800", "-Write failed: file is read-only")
	c.expect("D", "-Delete failed: file is read-only")
	c.expect("FRW.INI", "+")
	c.expect("O10000,FFFFFFFF", "+") // offset 65536: past the binary limit
	c.expect("W00", "-Write failed: value too large")
	c.expect("O", "+")
	c.expect("KK\x01", "+")
	c.expect("W41", "+") // a control byte is a valid name
	c.expect("AA\x00B", "+")
	c.expect("W41", "-Write failed: invalid name") // NUL: no format can store it
	c.expect("AApp", "+")
	c.expect("K"+strings.Repeat("n", ini.MaxNameLen+1), "+")
	c.expect("W41", "-Write failed: name too long for the binary INI format") // not "file too large"
	after, err := os.ReadFile(ro)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Error("the read-only file changed")
	}
	for _, reply := range []string{c.do("FRO.INI"), c.do("W41")} {
		if strings.Contains(reply, ts.dirs['C']) {
			t.Errorf("reply %q discloses the host path", reply)
		}
	}
}
