package fleet

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
)

func TestPull(t *testing.T) {
	hosts, p := driftHosts(t)
	c := &Connector{Hosts: hosts}
	dir := t.TempDir()
	ctx := context.Background()
	masks := []string{`C:\MAILSRV\*.INI`, `C:\MAILSRV\USERS.TNI`, `C:\NOPE\*.INI`}
	results, err := c.Pull(ctx, hosts, PullOptions{Masks: masks, Dir: dir, Forks: 2})
	if err != nil {
		t.Fatal(err)
	}
	assertReadOnly(t, p)
	if results[5].Status != StatusUnreachable || results[0].Status != StatusValue {
		t.Fatalf("statuses %s %s: %+v", results[0].Status, results[5].Status, results[0])
	}
	if len(results[0].Files) != 5 || strings.Join(results[0].Empty, ",") != `C:\NOPE\*.INI` {
		t.Errorf("host1: %+v", results[0])
	}
	// host5 lacks MAILSRV.INI only
	if len(results[4].Files) != 3 {
		t.Errorf("host5: %+v", results[4].Files)
	}
	for _, pf := range results[0].Files {
		local := filepath.Join(dir, filepath.FromSlash(pf.Local))
		data, err := os.ReadFile(local)
		if err != nil {
			t.Fatal(err)
		}
		wantTNI := !strings.HasSuffix(pf.Remote, "ODD.INI")
		if (pf.Format == ini.FormatTNI) != wantTNI || bytes.HasPrefix(data, []byte("[")) != wantTNI || (pf.Note != "") == wantTNI {
			t.Errorf("%s: format %v, note %q, data %q...", pf.Local, pf.Format, pf.Note, data[:4])
		}
		got, err := ReadLocal(local)
		if err != nil {
			t.Fatal(err)
		}
		want, err := c.ReadFile(ctx, Location{Host: "host1", Path: pf.Remote})
		if err != nil {
			t.Fatal(err)
		}
		if !got.SameContent(want) {
			t.Errorf("%s: the copy differs from the host's file", pf.Local)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "host1", "C", "MAILSRV", "MAILSRV.INI")); err != nil {
		t.Errorf("layout DIR/<host>/<drive>/<path>: %v", err)
	}
	var b bytes.Buffer
	WritePull(&b, results)
	for _, w := range []string{`host1 C:\MAILSRV\MAILSRV.INI -> host1/C/MAILSRV/MAILSRV.INI (tni)`, `host1: no file matches C:\NOPE\*.INI`,
		"host6: unreachable: ", `host1 C:\MAILSRV\ODD.INI -> host1/C/MAILSRV/ODD.INI (ini; note: written as binary INI: TNI cannot carry 2 name(s)`,
		"6 hosts, 20 files (0 unchanged, 1 as binary INI instead of TNI), 0 files failed, 0 hosts failed, 1 hosts unreachable"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("no %q in:\n%s", w, b.String())
		}
	}

	// again: nothing rewritten
	results, _ = c.Pull(ctx, hosts[:1], PullOptions{Masks: masks[:1], Dir: dir})
	for _, pf := range results[0].Files {
		if !pf.Unchanged {
			t.Errorf("%s rewritten by a second pull", pf.Local)
		}
	}
	// --binary: the file's own order, byte-exact entries
	bin := t.TempDir()
	results, _ = c.Pull(ctx, hosts[:1], PullOptions{Masks: masks[:1], Dir: bin, Binary: true})
	for _, pf := range results[0].Files {
		data, _ := os.ReadFile(filepath.Join(bin, filepath.FromSlash(pf.Local)))
		got, err := ini.ParseBinary(data)
		want, _ := c.ReadFile(ctx, Location{Host: "host1", Path: pf.Remote})
		if err != nil || pf.Format != ini.FormatINI || !got.Equal(want) {
			t.Errorf("%s: --binary copy: %v", pf.Local, err)
		}
	}
}

func TestEncodeFallback(t *testing.T) {
	f := ini.New()
	f.Put([]byte("line\r\nbreak"), []byte("k"), []byte("v"))
	f.Put([]byte("Ok"), []byte("a=b"), []byte{1, 2, 3})
	data, format, note, err := Encode(f, false)
	if err != nil || format != ini.FormatINI || !strings.Contains(note, "written as binary INI: TNI cannot carry 2 name(s)") {
		t.Fatalf("format %v, note %q, err %v", format, note, err)
	}
	if g, err := ini.ParseBinary(data); err != nil || !g.Equal(f) {
		t.Errorf("fallback copy differs: %v", err)
	}
	g := ini.New()
	g.Put([]byte("A"), []byte("k"), []byte("v\x00"))
	if _, format, note, err := Encode(g, false); err != nil || format != ini.FormatTNI || note != "" {
		t.Errorf("plain file: %v %q %v", format, note, err)
	}
}

func TestCheckMask(t *testing.T) {
	for m, ok := range map[string]bool{
		`C:\MPTN\ETC\*.INI`: true, `c:/x/WEASEL.INI`: true, `C:\*.INI`: true,
		`MPTN\*.INI`: false, `C:\MPTN\`: false, `C:\*\X.INI`: false,
	} {
		if err := CheckMask(m); (err == nil) != ok {
			t.Errorf("CheckMask(%q) = %v", m, err)
		}
	}
}

// TestPullDistrustsListing: names in a host's L reply that are paths,
// drives, dot names or hold a control character are reported as failed
// files (the reason named) and never fetched;
// the plain name is fetched.
func TestPullDistrustsListing(t *testing.T) {
	var mu sync.Mutex
	var fetched []string
	addr := wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		return func(line string, w io.Writer) bool {
			switch {
			case strings.HasPrefix(line, "L"):
				io.WriteString(w, "+\r\n../\r\nsub/../../PWN.INI\r\nC:\\X.INI\r\n..\r\n..\\..\\Y.INI\r\nESC\x1b[2J.INI\r\nOK.INI\r\n\r\n")
			case strings.HasPrefix(line, "F"):
				mu.Lock()
				fetched = append(fetched, line)
				mu.Unlock()
				io.WriteString(w, "-no\r\n")
			default:
				io.WriteString(w, "+\r\n")
			}
			return true
		}
	})
	h := &batch.Host{Name: "evil", Address: addr}
	results, err := (&Connector{}).Pull(context.Background(), []*batch.Host{h}, PullOptions{Masks: []string{`C:\DIR\*.INI`}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	res := results[0]
	if res.Status != StatusFailed || len(res.Files) != 6 {
		t.Fatalf("status %s, files %+v", res.Status, res.Files)
	}
	for _, pf := range res.Files[:4] {
		if !strings.Contains(pf.Err, "not a file name in the mask's directory") {
			t.Errorf("%s: error %q", pf.Remote, pf.Err)
		}
	}
	if pf := res.Files[4]; !strings.Contains(pf.Err, "a name holding a control character: not fetched") {
		t.Errorf("%q: error %q", pf.Remote, pf.Err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fetched) != 1 || !strings.HasSuffix(fetched[0], `C:\DIR\OK.INI`) {
		t.Fatalf("fetched %q, want only C:\\DIR\\OK.INI", fetched)
	}
}
