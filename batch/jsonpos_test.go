package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
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
	const sum = `"sha256": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"`
	good := `"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "001-X.INI", ` + sum + `}]`
	two := `"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "001-X.INI", ` + sum + `}, `
	for _, tc := range []struct{ body, want string }{
		{good, ""},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": []`, ""},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": null`, `no "files" list`},
		{`"host": "h1", "address": "127.0.0.1:3560"`, `no "files" list`},
		{`"host": "", "address": "127.0.0.1:3560", "files": []`, "host: empty host name"},
		{`"host": "a\nb", "address": "127.0.0.1:3560", "files": []`, "control character"},
		{`"host": "h1", "files": []`, `address: empty address`},
		{`"host": "h1", "address": "127.0.0.1:0", "files": []`, `address: bad port in address "127.0.0.1:0"`},
		{`"host": "h1", "address": "127.0.0.1:03560", "files": []`, `without leading zeros`},
		{`"host": "h1", "address": "127.0.0.1\nx:47561", "files": []`, `only ASCII letters`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "", "absent": true}]`, `files[0]: remote "" is not an absolute OS/2 file path`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\", "absent": true}]`, `files[0]: remote "C:\\" is not an absolute OS/2 file path`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\DIR\\", "absent": true}]`, `is not an absolute OS/2 file path`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\A\\..\\X.INI", "absent": true}]`, `has a ".." component`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\A\\..\u0000\\X.INI", "absent": true}]`, `files[0]: remote "C:\\A\\..\x00\\X.INI" holds a control character`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\A\nB.INI", "absent": true}]`, `holds a control character`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "absent": true, "backup": "001-X.INI", ` + sum + `}]`, `files[0]: "absent": true`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "absent": true, ` + sum + `}]`, `files[0]: "absent": true`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "001-X.INI"}]`, `files[0]: sha256 "" is not 64 hex digits`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "001-X.INI", ` + sum + `, "after": "x"}]`, `files[0]: after "x"`},
		{two + `{"remote": "c:/x.ini", "absent": true}]`, `files[1]: remote "c:/x.ini" is files[0] again`},
		{two + `{"remote": "c:/x.ini.", "absent": true}]`, ``}, // another file on a server that is not OS/2
		{two + `{"remote": "C:\\Y.INI", "backup": "001-X.INI", ` + sum + `}]`, `files[1]: backup "001-X.INI" is also files[0]'s`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "index.json", ` + sum + `}]`, `files[0]: bad backup file name "index.json"`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "absent": true, "saved": "yesterday"}]`, `a "saved" time: parsing time "yesterday"`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "absent": true, "saved": 5}]`, `a "saved" time: Time.UnmarshalJSON`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "absent": "yes"}]`, `files.absent of type bool`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "STATS.INI", "backup": "001-S.INI", ` + sum + `}]`, `files[0]: remote "STATS.INI"`},
		{`"host": "h1", "address": "127.0.0.1:3560", "files": [{"remote": "C:\\X.INI", "backup": "../x", ` + sum + `}]`, `files[0]: bad backup file name "../x"`},
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
		addr := map[string]string{"mail1": "127.0.0.1:1", "mail1-alias": "[0:0::ffff:7f00:1]:1"}[h]
		dir := filepath.Join(backup, h)
		remote := map[string]string{"mail1": `C:\\MAILSRV\\WIN95KEY.INI`, "mail1-alias": `c:/mailsrv/win95key.ini.`}[h]
		index := `{"host": "` + h + `", "address": "` + addr + `", "files": [{"remote": "` + remote + `", "absent": true}]}`
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(index), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Restore(context.Background(), RestoreOptions{BackupDir: backup, Out: io.Discard})
	if err == nil || !strings.Contains(err.Error(), `both restore c:/mailsrv/win95key.ini. on [0:0::ffff:7f00:1]:1`) {
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
		{`"name": "a", "address": "not an address at all", "status": "failed"`, `host a: bad address "not an address at all": host "not an address at all": only ASCII letters`},
		{`"name": "a", "address": "x\nevil addr=6.6.6.6 k=v:1", "status": "failed"`, `host a: bad address`},
		{`"name": "a", "address": "x #y:1", "status": "failed"`, `host a: bad address`},
		{`"name": "a", "address": "x\"y:1", "status": "failed"`, `host a: bad address`},
		{`"name": "a", "address": "x=y:1", "status": "failed"`, `host a: bad address`},
		{`"name": "a", "address": "x,y:1", "status": "failed"`, `host a: bad address`},
		{`"name": "a", "address": "[fe80::1%a b]:1", "status": "failed"`, `host a: bad address`},
		{`"name": "a", "address": "[fe80::1%eth0]:1", "status": "failed"`, ``},
		{`"name": "a", "address": "h:03560", "status": "failed"`, `host a: address "h:03560" is not written as host:port (want "h:3560"`},
		{`"name": "a", "status": "failed"`, `host a: empty address`},
		{`"name": "a", "address": "10.0.0.1:3560", "status": "failed", "vars": {"password_file": "pw.txt"}`, `host a: password_file=pw.txt is not an absolute path`},
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

// TestRestoreRefusesRenamedDirectory: an index in a directory other than
// the one a run gives its host (copied or edited to restore another host)
// is refused before any host is contacted.
func TestRestoreRefusesRenamedDirectory(t *testing.T) {
	backup := t.TempDir()
	dir := filepath.Join(backup, "mail2")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	index := `{"host": "mail1", "address": "127.0.0.1:1", "files": [{"remote": "C:\\X.INI", "absent": true}]}`
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte(index), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Restore(context.Background(), RestoreOptions{BackupDir: backup, Out: io.Discard})
	if err == nil || !strings.Contains(err.Error(), `host "mail1", whose backups a run keeps in mail1, not mail2`) {
		t.Fatalf("Restore: %v", err)
	}
}

// TestBackupReadsStayInDirectory: a backup file, an index or a host
// directory that is a symlink leading out of the backup directory is
// refused, not followed; a backup written where a planted symlink points
// out replaces the link's name inside the directory, never its target.
func TestBackupReadsStayInDirectory(t *testing.T) {
	backup := t.TempDir()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.INI")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(backup, "mail1")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "001-X.INI")); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("secret"))
	_, err := ReadBackupFile(dir, BackupEntry{Remote: `C:\X.INI`, Backup: "001-X.INI", SHA256: hex.EncodeToString(sum[:])})
	if want := filepath.Join(dir, "001-X.INI") + " is a symlink to " + secret + ", outside " + dir + ": refused"; err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "escapes") {
		t.Errorf("a backup linked out of its directory: %v; want %q", err, want)
	}
	if err := os.Symlink(secret, filepath.Join(dir, IndexFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBackupIndex(dir); err == nil || errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), IndexFile+" is a symlink to "+secret) {
		t.Errorf("an index linked out of its directory: %v", err)
	}
	if err := os.Symlink(outside, filepath.Join(backup, "mail2")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, IndexFile))
	if _, err := Restore(context.Background(), RestoreOptions{BackupDir: backup, Out: io.Discard}); err == nil || !strings.Contains(err.Error(), "mail2 is a symlink") {
		t.Errorf("Restore with a linked host directory: %v", err)
	}
	// writing a backup through a planted link never touches its target
	store := &BackupStore{Dir: backup}
	hb, err := store.Host(&Host{Name: "mail1", Address: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := hb.Save(`C:\X.INI`, &ini.File{}); err != nil {
		t.Errorf("a backup beside a link leading out: %v", err)
	}
	if idx, err := ReadBackupIndex(dir); err != nil || len(idx.Files) != 1 || idx.Files[0].Backup != "002-X.INI" {
		t.Errorf("the backup took the link's name: %+v %v", idx, err)
	}
	// and a write where a link leading out stands is refused by os.Root
	if err := writeInDir(dir, "001-X.INI", []byte("x")); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("writeInDir over a link leading out: %v", err)
	}
	// nor does a run write backups into a linked host directory (restore would refuse them)
	if _, err := store.Host(&Host{Name: "mail2", Address: "127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), "mail2 is a symlink") {
		t.Errorf("Host with a linked directory: %v", err)
	}
	if data, _ := os.ReadFile(secret); string(data) != "secret" {
		t.Errorf("a backup wrote through a planted symlink: %q", data)
	}
}

// TestBackupSaveRefusesAndNeverReplaces: a file whose path the index
// could not hold (a control character, a "..." component) is not backed up
// (so not changed); a new backup never takes a name already in the
// directory, link or file, that the index does not list.
func TestBackupSaveRefusesAndNeverReplaces(t *testing.T) {
	backup := t.TempDir()
	store := &BackupStore{Dir: backup}
	hb, err := store.Host(&Host{Name: "mail1", Address: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, remote := range []string{"C:\\MAILSRV\\A\x01B.INI", `C:\MAILSRV\...`, `C:\MAILSRV\ `} {
		if err := hb.Save(remote, nil); err == nil || !strings.Contains(err.Error(), "not changed, as restore could not put it back") {
			t.Errorf("Save(%q): %v", remote, err)
		}
	}
	first := &ini.File{}
	first.Put([]byte("A"), []byte("k"), []byte("first"))
	if err := hb.Save(`C:\MAILSRV\DOMAIN1.INI`, first); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(backup, "mail1")
	if err := os.Symlink("001-DOMAIN1.INI", filepath.Join(dir, "002-DOMAIN2.INI")); err != nil {
		t.Fatal(err)
	}
	if err := hb.Save(`C:\MAILSRV\DOMAIN2.INI`, &ini.File{}); err != nil {
		t.Fatal(err)
	}
	idx, err := ReadBackupIndex(dir)
	if err != nil || len(idx.Files) != 2 || idx.Files[1].Backup != "003-DOMAIN2.INI" {
		t.Fatalf("index %+v %v", idx, err)
	}
	if f, err := ReadBackupFile(dir, idx.Files[0]); err != nil || !f.Equal(first) {
		t.Errorf("the first backup after the second: %v", err)
	}
}

// TestRestoreSkipsDamagedUnselected: a damaged index of a host that is
// not selected does not stop the restore of the selected ones; selected,
// it does.
func TestRestoreSkipsDamagedUnselected(t *testing.T) {
	backup := t.TempDir()
	for name, index := range map[string]string{
		"bad":  `{"host": "bad", "files": []}`,
		"good": `{"host": "good", "address": "127.0.0.1:1", "files": []}`,
	} {
		if err := os.MkdirAll(filepath.Join(backup, name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(backup, name, IndexFile), []byte(index), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	good := &Host{Name: "good", Address: "127.0.0.1:1"}
	res, err := Restore(context.Background(), RestoreOptions{BackupDir: backup, Hosts: []*Host{good}, Out: io.Discard, Timeout: time.Second})
	if err != nil || len(res) != 1 || res[0].Host != good {
		t.Errorf("restore of the good host: %v %v", err, res)
	}
	if _, err := Restore(context.Background(), RestoreOptions{BackupDir: backup, Out: io.Discard}); err == nil || !strings.Contains(err.Error(), "address") {
		t.Errorf("restore of every host: %v", err)
	}
}
