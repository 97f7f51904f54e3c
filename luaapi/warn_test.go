package luaapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/ini"
)

// TestCodecWarnings: ini.choose warns about a ($SYS, UseTNI) of the wrong
// size, ini.open about a TNI line the reference reader would cut and a
// binary header length unlike the file size; each warning names the file,
// and the script goes on with what was read.
func TestCodecWarnings(t *testing.T) {
	dir := t.TempDir()
	sys := ini.New()
	sys.Put([]byte("$SYS"), []byte("UseTNI"), []byte{1, 0, 0, 0})
	writeFiles(t, dir, map[string]*ini.File{"P.INI": sys})
	os.WriteFile(filepath.Join(dir, "P.TNI"), []byte("[$SYS]\n  UseTNI=1\n[/$SYS]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "LONG.TNI"), []byte("[A]\nk='"+strings.Repeat("x", 600)+"'\n[/A]\n"), 0o644)
	data, err := mkfile(t, "A", "k", "v").MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(data[8:], 7)
	os.WriteFile(filepath.Join(dir, "HDR.INI"), data, 0o644)

	var stdout, stderr bytes.Buffer
	rt, err := New(context.Background(), Options{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetGlobal("DIR", dir)
	err = runCode(context.Background(), rt, `
		print(ini.choose(DIR .. "/P"):sub(-5))
		print(#ini.open(DIR .. "/LONG.TNI").A.k)
		print(ini.open(DIR .. "/HDR.INI").A.k)
	`, "=t")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stdout.String(), "P.INI\n600\nv\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	// s:choose on a host: the same warning, with the host
	addr := startServer(t, dir)
	rt.SetGlobal("S", rt.WrapSession(dial(t, addr, false), "os2box"))
	if err := runCode(context.Background(), rt, `print(S:choose("P"))`, "=t"); err != nil {
		t.Fatal(err)
	}
	if want := `msg="P.TNI: ($SYS, UseTNI) is 4 bytes long, not 1`; !strings.Contains(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "host=os2box") {
		t.Errorf("remote choose log lacks %q with host=os2box:\n%s", want, stderr.String())
	}
	log := stderr.String()
	for _, want := range []string{
		filepath.Join(dir, "P.INI") + `: ($SYS, UseTNI) is 4 bytes long, not 1`,
		filepath.Join(dir, "P.TNI") + `: ($SYS, UseTNI) is 4 bytes long, not 1`,
		filepath.Join(dir, "LONG.TNI") + `:2: line is 604 bytes long`,
		filepath.Join(dir, "HDR.INI") + `: offset 0 (0x0): header: file length field says 7`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestSaveListsEveryItemOverLimits: the error of f:save() into a binary INI
// file names every value and name the format cannot hold, a long name as a
// name.
func TestSaveListsEveryItemOverLimits(t *testing.T) {
	out, err := run(t, `
		local f = ini.new()
		f.A.v1 = string.rep("x", 70000)
		f.B[string.rep("n", 65535)] = "1"
		f.C.v3 = string.rep("x", 65536)
		f:save(DIR .. "/X.INI")`, Options{})
	if err == nil {
		t.Fatalf("save succeeded: %s", out)
	}
	for _, want := range []string{
		"3 items cannot be written in the binary INI format: ",
		`application "A" key "v1": value of 70000 bytes exceeds 65535: too long for the binary INI format; `,
		`key name of 65535 bytes exceeds 65534: too long for the binary INI format; `,
		`application "C" key "v3": value of 65536 bytes exceeds 65535`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
