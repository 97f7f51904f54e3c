package batch

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wiretest"
)

// cutAtSecondW forwards connections to target and, once, closes a
// connection instead of passing on its second W command line: a value
// written in chunks is cut off after its first chunk.
func cutAtSecondW(t *testing.T, target string) string {
	var cut atomic.Bool
	l := wiretest.Listen(t, func(c net.Conn) {
		defer c.Close()
		s, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer s.Close()
		go func() {
			buf := make([]byte, 64<<10)
			for {
				n, err := s.Read(buf)
				if n > 0 {
					c.Write(buf[:n])
				}
				if err != nil {
					c.Close()
					return
				}
			}
		}()
		var line []byte
		ws := 0
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			for _, ch := range buf[:n] {
				line = append(line, ch)
				if ch != '\n' {
					continue
				}
				if line[0] == 'W' {
					if ws++; ws == 2 && cut.CompareAndSwap(false, true) {
						return
					}
				}
				if _, err := s.Write(line); err != nil {
					return
				}
				line = line[:0]
			}
			if err != nil {
				return
			}
		}
	})
	return l.Addr().String()
}

// TestPartialWriteReportAndRestore: a value written in chunks whose
// connection drops after the first chunk fails the host, and the change
// is listed as partial (not absent) in the diff and the JSON report, with
// the old value; the backup taken before it lets restore put back the
// file even as a server that stores chunks as they arrive leaves it (torn
// by hand here: package server stages the chunks and keeps the old value).
func TestPartialWriteReportAndRestore(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	path := filepath.Join(dirs[0], "MAILSRV", "USERS.TNI")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hosts[0].Address = cutAtSecondW(t, hosts[0].Address)
	backup := filepath.Join(t.TempDir(), "backup")
	results, err := Run(context.Background(), hosts, Options{
		Script: "big.lua", BackupDir: backup, Out: &bytes.Buffer{},
		Code: []byte(`local s = ...
local f = s:open("C:\\MAILSRV\\USERS.TNI")
f.jbloggs.FullName = string.rep("x", 40000)`),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Status != StatusFailed || !strings.Contains(r.Err, "may be partial") {
		t.Fatalf("status %s, error %q", r.Status, r.Err)
	}
	if len(r.Changes) != 1 || !r.Changes[0].Partial || string(r.Changes[0].Old) != "Jo Bloggs\x00" || r.Changes[0].New != nil {
		t.Fatalf("changes %+v", r.Changes)
	}
	var diff, rep bytes.Buffer
	if err := WriteDiff(&diff, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(diff.String(), `FullName: "Jo Bloggs\x00" -> (partial)`) {
		t.Errorf("diff %q", diff.String())
	}
	if err := WriteReport(&rep, results, ReportMeta{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.String(), `"partial": true`) {
		t.Errorf("report:\n%s", rep.String())
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Error("package server stored part of a value whose last chunk never came")
	}

	// what the original INIServe leaves: the first chunk in place
	torn, err := ini.Parse(path, orig, ini.FormatTNI)
	if err != nil {
		t.Fatal(err)
	}
	torn.Put([]byte("jbloggs"), []byte("FullName"), bytes.Repeat([]byte("x"), 32768))
	data, err := torn.Marshal(ini.FormatTNI)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(context.Background(), RestoreOptions{BackupDir: backup, Out: &bytes.Buffer{}}); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Errorf("USERS.TNI not restored:\n%.300s", now)
	}
}

// TestPushPartialRecorded: s:push of a local file holding a value written
// in chunks, whose connection drops after the first chunk, fails the host
// and records the value as a partial change with its old value (the
// host's result, --diff and the JSON report), as a single write does.
func TestPushPartialRecorded(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	hosts[0].Address = cutAtSecondW(t, hosts[0].Address)
	var out bytes.Buffer
	results, err := Run(context.Background(), hosts, Options{
		Script: "push.lua", Out: &out,
		Code: []byte(`local s = ...
local l = ini.new()
l.jbloggs.FullName = string.rep("x", 40000)
s:push("C:\\MAILSRV\\USERS.TNI", l)`),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Status != StatusFailed || !strings.Contains(r.Err, "may be partial") || !strings.Contains(r.Err, `"FullName"`) {
		t.Fatalf("status %s, error %q", r.Status, r.Err)
	}
	if len(r.Changes) != 1 || !r.Changes[0].Partial || string(r.Changes[0].Old) != "Jo Bloggs\x00" || r.Changes[0].New != nil {
		t.Fatalf("changes %+v", r.Changes)
	}
	var diff, rep bytes.Buffer
	if err := WriteDiff(&diff, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(diff.String(), `FullName: "Jo Bloggs\x00" -> (partial)`) {
		t.Errorf("diff %q", diff.String())
	}
	if err := WriteReport(&rep, results, ReportMeta{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.String(), `"partial": true`) {
		t.Errorf("report:\n%s", rep.String())
	}
}
