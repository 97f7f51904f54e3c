package batch

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestJSONErrorsNameTheLine: a damaged report or backup index is refused
// with the line and column of the fault, so it can be found in a file of
// thousands of hosts.
func TestJSONErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"{\n  \"hosts\": [\n    {\"name\": \"a\",, }\n  ]\n}\n", "line 3, column 18: invalid character ','"},
		{"{\n  \"hosts\": 5\n}\n", "line 2, column 12: json: cannot unmarshal number"},
		{"{\"hosts\": []} trailing", "line 1, column 15: invalid character 't' after top-level value"},
		{"{\"hosts\": [", "unexpected end of JSON input"},
		{"", "the file is empty: unexpected end of JSON input"},
		{"\uFEFF{\"hosts\": 5}", "line 1, column 11: json: cannot unmarshal number"},
	} {
		_, err := ReadReport(strings.NewReader(tc.text), "r.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "r.json: ") {
			t.Errorf("ReadReport(%q): %v, want %q", tc.text, err, tc.want)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte("{\n\"files\": [\n{\"backup\": 7}\n]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadBackupIndex(dir)
	if err == nil || !strings.Contains(err.Error(), "index.json: line 3, column 12: json: cannot unmarshal number") {
		t.Errorf("ReadBackupIndex: %v", err)
	}
}

func TestJSONAtOutsideData(t *testing.T) {
	// an offset the data does not hold leaves the error as it was
	err := jsonAt([]byte("{}"), &json.SyntaxError{Offset: 9})
	if strings.Contains(err.Error(), "line") {
		t.Errorf("jsonAt past the data: %v", err)
	}
}

// TestBackupIndexChecked: an index.json that parses but could not have
// been written by a run is refused with the index and the field named,
// before any host is contacted.
func TestBackupIndexChecked(t *testing.T) {
	good := `"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "001-X.INI"}]`
	for _, tc := range []struct{ body, want string }{
		{good, ""},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": []`, ""},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": null`, `no "files" list`},
		{`"host": "h1", "address": "127.0.0.1:3560"`, `no "files" list`},
		{`"host": "", "address": "127.0.0.1:3560", "files": []`, "host: empty host name"},
		{`"host": "a\nb", "address": "127.0.0.1:3560", "files": []`, "control character"},
		{`"host": "h1", "files": []`, `address "" is not host:port`},
		{`"host": "h1", "address": "127.0.0.1:0", "files": []`, `address "127.0.0.1:0" is not host:port`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "", "absent": true}]`, `files[0]: remote "" is not an absolute OS/2 path`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "STATS.INI", "backup": "001-S.INI"}]`, `files[0]: remote "STATS.INI"`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "../x"}]`, `files[0]: bad backup file name "../x"`},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte("{"+tc.body+"}"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadBackupIndex(dir)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), IndexFile)) {
			t.Errorf("%s: %v, want %q", tc.body, err, tc.want)
		}
	}
}

// TestRestoreRefusesOneFileTwice: two backup directories (two inventory
// names for one host) that restore the same file at the same address are
// refused before any host is contacted: restored at once, each would
// remove the other's temporary file and the target.
func TestRestoreRefusesOneFileTwice(t *testing.T) {
	backup := t.TempDir()
	for _, h := range []string{"mail1", "mail1-alias"} {
		dir := filepath.Join(backup, h)
		index := `{"host": "` + h + `", "address": "127.0.0.1:1", "files": [{"remote": "C:\\MAILSRV\\WIN95KEY.INI", "backup": "001-WIN95KEY.INI"}]}`
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(index), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Restore(context.Background(), RestoreOptions{BackupDir: backup, Out: io.Discard})
	if err == nil || !strings.Contains(err.Error(), `both restore C:\MAILSRV\WIN95KEY.INI on 127.0.0.1:1`) {
		t.Fatalf("Restore: %v", err)
	}
}

// TestReportHostsChecked: a host entry of a report is checked as an
// inventory line would be, so a retry file written from it holds hosts
// and nothing else (no line breaks into another host, no unquoted junk).
func TestReportHostsChecked(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{`"name": "a", "address": "10.0.0.1:3560", "status": "failed", "groups": ["mail"], "vars": {"role": "x y"}`, ""},
		{`"name": "dead1 addr=10.9.9.9:3560\nevil addr=6.6.6.6:1", "address": "10.0.0.1:3560", "status": "failed"`, "hosts[0]: host name"},
		{`"name": "a", "address": "not an address at all", "status": "failed"`, `host a: address "not an address at all" is not host:port`},
		{`"name": "a", "status": "failed"`, `host a: address "" is not host:port`},
		{`"name": "a", "address": "10.0.0.1:3560", "status": "bogus"`, `host a: status "bogus" is not ok, changed, failed, unreachable or skipped`},
		{`"name": "a", "address": "10.0.0.1:3560", "status": "ok", "position": -4`, "host a: position -4 is negative"},
		{`"name": "a", "address": "10.0.0.1:3560", "status": "ok", "groups": ["g]\nx"]`, `host a: bad group name`},
		{`"name": "a", "address": "10.0.0.1:3560", "status": "ok", "vars": {"addr": "1.2.3.4:1"}`, `host a: bad variable name "addr"`},
		{`"name": "a", "address": "10.0.0.1:3560", "status": "ok", "vars": {"x y": "1"}`, `host a: bad variable name "x y"`},
	} {
		_, err := ReadReport(strings.NewReader(`{"hosts": [{`+tc.host+`}]}`), "r.json")
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), "r.json: "+tc.want)) {
			t.Errorf("%s: %v, want %q", tc.host, err, tc.want)
		}
	}
}

// TestRunWarnsOfSharedAddress: two inventory names for one address are
// warned about once, naming both, before the hosts run.
func TestRunWarnsOfSharedAddress(t *testing.T) {
	hosts, err := ParseInventory("inv", "", strings.NewReader("mail1 addr=127.0.0.1:1\nmail1-alias addr=127.0.0.1:1\nother addr=127.0.0.1:2\n"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if _, err := Run(context.Background(), hosts, Options{Script: "t.lua", Code: []byte("return"), Out: &out, Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "warning: hosts mail1, mail1-alias have one address, 127.0.0.1:1"); got != 1 || strings.Contains(out.String(), "other have") {
		t.Errorf("%d warnings:\n%s", got, out.String())
	}
}
