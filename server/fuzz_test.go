package server

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
)

// memConn is a net.Conn reading a fixed input and recording the output
// (at most limit bytes), for running a session without a network.
type memConn struct {
	in    io.Reader
	out   bytes.Buffer
	limit int
	over  bool
}

func (c *memConn) Read(b []byte) (int, error) { return c.in.Read(b) }
func (c *memConn) Write(b []byte) (int, error) {
	if c.out.Len()+len(b) > c.limit {
		c.over = true
		return 0, io.ErrShortWrite
	}
	return c.out.Write(b)
}
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3560} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// fuzzSeeds are command sequences from the spec and the tests above.
var fuzzSeeds = []string{
	"Psecret\r\nCD:\\Servers\\Weasel\r\nFWeasel.INI\r\nA\r\nV\r\nA$SYS\r\nKServerPort\r\nS\r\nV\r\nW1A000000\r\nEev\r\nQ\r\n",
	"Psecret\nCC:\nL\nL*.INI\nFs.TNI\nAa\nKk\nO1,2\nW414243\nO\nV\nT\nS\nK\nV\nD\nA\nV\n",
	"Psecret\r\nCC:\\\r\nMdir\r\nAs.INI\r\nRdir\r\nXdir\\s.INI\r\nXdir\r\nC..\r\nC..\r\nL\r\n^\r\n",
	"V\r\nZzz\r\nPbad\r\nPsecret\r\nOFFFFFFFF,1\r\nCC:\r\nFs.INI\r\nAa\r\nKb\r\nW01\r\n\r\n",
	"Psecret\r\nCC:\\..\\..\\..\\etc\r\nF/etc/passwd\r\nF..\\..\\x.INI\r\nLout\\\r\nL..\\..\\\r\n",
}

// FuzzSession feeds arbitrary bytes to a session over a small volume: no
// panic, replies are well-formed CR LF lines, and output stays bounded.
func FuzzSession(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	var real []byte
	if files := realFilesOrNil(); len(files) > 0 {
		real, _ = os.ReadFile(filepath.Join(realDir, files[0]))
		f.Add([]byte("Psecret\r\nCC:\r\nFreal.INI\r\nA\r\nV\r\nW00\r\nQ\r\n"))
	}
	sample, _ := sampleFile().Marshal(ini.FormatINI)
	tni, _ := sampleFile().Marshal(ini.FormatTNI)
	f.Fuzz(func(t *testing.T, input []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "s.INI"), sample, 0o666)
		os.WriteFile(filepath.Join(dir, "s.TNI"), tni, 0o666)
		if real != nil {
			os.WriteFile(filepath.Join(dir, "real.INI"), real, 0o666)
		}
		os.Mkdir(filepath.Join(dir, "sub"), 0o777)
		os.Symlink("..", filepath.Join(dir, "sub", "out"))
		pw := "secret"
		srv := &Server{
			Volumes: map[byte]string{'C': dir}, Password: &pw,
			MaxLine: 4096, MaxTNIValue: 4096, PasswordDelay: -1, MaxPasswordFailures: 1000,
			Events: map[string]Event{"ev": {Func: func(context.Context, string) error { return nil }}},
		}
		if err := srv.init(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			for _, v := range srv.vols {
				v.root.Close()
			}
		}()
		c := &memConn{in: bytes.NewReader(input), limit: 8 << 20}
		newSession(srv, c, 1, true, 0).run()
		if c.over {
			t.Fatalf("more than 8 MiB of output for %d bytes of input", len(input))
		}
		out := c.out.String()
		if !strings.HasPrefix(out, "+\r\n") {
			t.Fatalf("no greeting: %q", out)
		}
		if out != "" && !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("output does not end in CR LF: %q", out)
		}
		for _, l := range strings.SplitAfter(out, "\r\n") {
			if strings.Contains(strings.TrimSuffix(l, "\r\n"), "\n") || strings.Contains(strings.TrimSuffix(l, "\r\n"), "\r") {
				t.Fatalf("reply line with a stray CR or LF: %q", l)
			}
		}
		// nothing outside the volume was touched
		if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x.INI")); err == nil {
			t.Fatal("a file was created outside the volume")
		}
	})
}

// realFilesOrNil is realFiles without skipping.
func realFilesOrNil() []string {
	if _, err := os.Stat(realDir); err != nil {
		return nil
	}
	var out []string
	filepath.WalkDir(realDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".ini") && len(out) == 0 {
			rel, _ := filepath.Rel(realDir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}
