package batch

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/inilua/inilua/ini"
)

// TestRunCheckEveryWrite: in --check, no kind of write reaches a host or
// the local disk: not a directory, a move, a removal, a new (even empty)
// INI or TNI file, a push, an event; the backup directory is not created.
// The script still sees its own writes, and CHECK is true.
func TestRunCheckEveryWrite(t *testing.T) {
	hosts, dirs, events := testHosts(t, 2)
	before := []map[string][]byte{snapshot(t, dirs[0]), snapshot(t, dirs[1])}
	local := t.TempDir()
	backup := filepath.Join(t.TempDir(), "backup")
	code := []byte(`local s = ...
assert(CHECK == true, "CHECK is not true in --check")
s:mkdir("C:\\NEWDIR")
s:move("C:\\OS2\\APPS.INI", "C:\\OS2\\APPS.OLD")
assert(s:remove("C:\\MAILSRV\\DOMAIN2.INI"))
local e = s:open("C:\\MAILSRV\\EMPTY.INI")          -- a new file, only read
assert(#e:apps() == 0)
local n = s:open("C:\\MAILSRV\\NEW.INI")            -- a new file, written
n:set("A", "k", "v", "string0")
assert(n:get("A", "k", "string0") == "v", "the script does not see its own write")
local f = s:open("C:\\MAILSRV\\MAILSRV.INI")
f:delete("MailServer")
f:set("$SYS", "TimeOut", 1, "u32")
s:push("C:\\MAILSRV\\COPY.TNI", f)
s:post(ARGS.sem)
s:notify(ARGS.sem)
local l = s:fetch("C:\\MAILSRV\\DOMAIN1.INI")
l:save(ARGS.dir .. "/local.INI")
`)
	var out bytes.Buffer
	results, err := Run(context.Background(), hosts, Options{
		Script: "w.lua", Code: code, Args: []string{"sem=" + SampleSemaphore, "dir=" + local},
		Check: true, BackupDir: backup, Out: &out,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Status != StatusChanged || len(r.Notified) != 1 {
			t.Fatalf("%s: %s %q notified %v\n%s", r.Host.Name, r.Status, r.Err, r.Notified, out.String())
		}
	}
	for i, d := range dirs {
		after := snapshot(t, d)
		if len(after) != len(before[i]) {
			t.Errorf("host%d: %d files after --check, %d before", i+1, len(after), len(before[i]))
		}
		for name, data := range before[i] {
			if !bytes.Equal(data, after[name]) {
				t.Errorf("host%d: %s changed in --check", i+1, name)
			}
		}
		if _, err := os.Stat(filepath.Join(d, "NEWDIR")); !os.IsNotExist(err) {
			t.Errorf("host%d: --check made a directory: %v", i+1, err)
		}
		if ev := events.get(i); len(ev) != 0 {
			t.Errorf("host%d: events posted in --check: %v", i+1, ev)
		}
	}
	if entries, _ := os.ReadDir(local); len(entries) != 0 {
		t.Errorf("--check wrote local files: %v", entries)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Errorf("--check created the backup directory: %v", err)
	}
}

// TestNotifyOnlyAfterSuccessfulChange: s:notify posts nothing when the
// script changed nothing, or changed something and then failed; it posts
// once when the script changed something and succeeded, however often it
// was called.
func TestNotifyOnlyAfterSuccessfulChange(t *testing.T) {
	hosts, _, events := testHosts(t, 3)
	code := []byte(`local s = ...
s:notify(ARGS.sem)
s:notify(ARGS.sem)
if HOST.name ~= "host1" then
  s:open("C:\\OS2\\APPS.INI"):set("PM_Workplace", "TimeOut", 1, "u32")
end
s:notify(ARGS.sem)
if HOST.name == "host3" then error("failed after the change") end`)
	results, err := Run(context.Background(), hosts, Options{Script: "n.lua", Code: code, Args: []string{"sem=" + SampleSemaphore}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(results), "host1=ok/0 host2=changed/1 host3=failed/1"; got != want {
		t.Fatalf("%s, want %s", got, want)
	}
	for i, want := range []int{0, 1, 0} {
		if got := len(events.get(i)); got != want {
			t.Errorf("host%d: %d events posted, want %d", i+1, got, want)
		}
		if got := len(results[i].Notified); got != want {
			t.Errorf("host%d: report says %d notified, want %d", i+1, got, want)
		}
	}
}

// TestBackupOnlyChangedHosts: a host that changed nothing leaves no
// directory in the backup directory (nothing suggests a write happened).
func TestBackupOnlyChangedHosts(t *testing.T) {
	hosts, _, _ := testHosts(t, 3)
	backup := filepath.Join(t.TempDir(), "backup")
	results, err := Run(context.Background(), hosts, Options{
		Script: "set-setting.lua", Code: script(t, "set-setting.lua"), Args: demoArgs, BackupDir: backup,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(results), "host1=changed/3 host2=changed/3 host3=ok/0"; got != want {
		t.Fatalf("%s, want %s", got, want)
	}
	entries, err := os.ReadDir(backup)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "host1 host2" {
		t.Errorf("backup directory holds %v, want host1 host2", names)
	}
}

// TestRestoreEmptyAndCreatedFiles: an existing empty INI file and an
// existing empty TNI file come back byte-identical; files the script
// created (INI and TNI) are removed.
func TestRestoreEmptyAndCreatedFiles(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	want := map[string][]byte{}
	for _, name := range []string{"EMPTY.INI", "EMPTY.TNI"} {
		data, err := ini.New().Marshal(ini.FormatForName(name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dirs[0], "MAILSRV", name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want[name] = data
	}
	before := snapshot(t, dirs[0])
	backup := filepath.Join(t.TempDir(), "backup")
	code := []byte(`local s = ...
for _, name in ipairs({"EMPTY.INI", "EMPTY.TNI", "NEW.INI", "NEW.TNI"}) do
  s:open("C:\\MAILSRV\\" .. name):set("A", "k", "\1\2\0", "bytes")
end`)
	results, err := Run(context.Background(), hosts, Options{Script: "e.lua", Code: code, BackupDir: backup})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(results); s != "host1=changed/4" {
		t.Fatalf("%s %s", s, results[0].Err)
	}
	res, err := Restore(context.Background(), RestoreOptions{BackupDir: backup})
	if err != nil || statuses(res) != "host1=changed/4" {
		t.Fatalf("restore: %v %s %s", err, statuses(res), res[0].Err)
	}
	after := snapshot(t, dirs[0])
	for name, data := range before {
		if !bytes.Equal(data, after[name]) {
			t.Errorf("%s not restored byte-identical:\n%q\nwant\n%q", name, after[name], data)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d files after restore, %d before (created files not removed?)", len(after), len(before))
	}
}

// TestRestoreStop: after Stop (the first Ctrl-C), restore starts no
// further host and a running host stops before its next file; a rerun
// finishes the job.
func TestRestoreStop(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 2)
	orig := []map[string][]byte{snapshot(t, dirs[0]), snapshot(t, dirs[1])}
	backup := filepath.Join(t.TempDir(), "backup")
	if _, err := Run(context.Background(), hosts, Options{
		Script: "set-setting.lua", Code: script(t, "set-setting.lua"), Args: demoArgs, BackupDir: backup,
	}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var once sync.Once
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		once.Do(func() { close(stop) }) // Ctrl-C while the first host connects
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	res, err := Restore(context.Background(), RestoreOptions{BackupDir: backup, Forks: 1, Stop: stop, DialContext: dial})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(res), "host1=failed/0 host2=skipped/0"; got != want {
		t.Fatalf("%s, want %s", got, want)
	}
	if !strings.Contains(res[0].Err, "interrupted after 0 of 3 files") || !strings.Contains(res[1].Err, "interrupted") {
		t.Errorf("errors %q, %q", res[0].Err, res[1].Err)
	}
	res, err = Restore(context.Background(), RestoreOptions{BackupDir: backup})
	if err != nil || statuses(res) != "host1=changed/3 host2=changed/3" {
		t.Fatalf("rerun: %v %s", err, statuses(res))
	}
	for i, d := range dirs {
		after := snapshot(t, d)
		for name, data := range orig[i] {
			if !bytes.Equal(data, after[name]) {
				t.Errorf("host%d %s not restored", i+1, name)
			}
		}
	}
}

// TestRenameAppFinishesInterruptedRun: a file left halfway by an
// interrupted rename (the new application holding part of the old one)
// is finished by a rerun without force=yes; unrelated applications of the
// new name still need force=yes.
func TestRenameAppFinishesInterruptedRun(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	path := filepath.Join(dirs[0], "MAILSRV", "MAILSRV.INI")
	orig := readINI(t, path)
	half := readINI(t, path)
	entries := orig.Application([]byte("MailServer")).Entries
	for _, e := range entries[:len(entries)/2] {
		if err := half.Put([]byte("MailService"), e.Key, e.Value); err != nil {
			t.Fatal(err)
		}
	}
	data, err := half.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{`dir=C:\MAILSRV`, "mask=MAILSRV.INI", "from=MailServer", "to=MailService"}
	results, err := Run(context.Background(), hosts, Options{Script: "rename-app.lua", Code: script(t, "rename-app.lua"), Args: args})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != StatusChanged {
		t.Fatalf("rerun after an interrupted rename: %s %s", results[0].Status, results[0].Err)
	}
	got := readINI(t, path)
	if got.HasApplication([]byte("MailServer")) {
		t.Error("old application still there")
	}
	for _, e := range entries {
		if v, ok := got.Lookup([]byte("MailService"), e.Key); !ok || !bytes.Equal(v, e.Value) {
			t.Errorf("MailService %s = %q, want %q", e.Key, v, e.Value)
		}
	}
	// a conflicting value still needs force=yes
	if err := got.Put([]byte("MailServer"), entries[0].Key, []byte("other")); err != nil {
		t.Fatal(err)
	}
	data, _ = got.MarshalBinary()
	os.WriteFile(path, data, 0o644)
	results, _ = Run(context.Background(), hosts, Options{Script: "rename-app.lua", Code: script(t, "rename-app.lua"), Args: args})
	if results[0].Status != StatusFailed || !strings.Contains(results[0].Err, "force=yes") {
		t.Errorf("conflicting merge: %s %s", results[0].Status, results[0].Err)
	}
}

// TestProgressBarShowsFailures: with a progress bar (a terminal), a failed
// or unreachable host is shown as it finishes, not only in the recap.
func TestProgressBarShowsFailures(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, true, 3)
	h := func(name string) *Host { return &Host{Name: name} }
	p.done(&Result{Host: h("a"), Status: StatusOK}, nil)
	p.done(&Result{Host: h("b"), Status: StatusUnreachable, Err: "connection refused"}, nil)
	p.done(&Result{Host: h("c"), Status: StatusFailed, Err: "s.lua:3: boom\nmore"}, []byte("c | hello\n"))
	p.finish()
	for _, want := range []string{"b: unreachable: connection refused\n", "c | hello\nc: failed: s.lua:3: boom more\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("progress output lacks %q:\n%q", want, out.String())
		}
	}
	if strings.Contains(out.String(), "a: ok") {
		t.Errorf("an ok host is listed with a progress bar:\n%q", out.String())
	}
}

// TestReportFileMode: the report (old and new values, possibly secrets)
// and the backups are readable by their owner only.
func TestReportFileMode(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup")
	results, err := Run(context.Background(), hosts, Options{
		Script: "set-setting.lua", Code: script(t, "set-setting.lua"), Args: demoArgs, BackupDir: backup,
	})
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "run.json")
	if err := WriteReportFile(report, results, ReportMeta{}); err != nil {
		t.Fatal(err)
	}
	idx, err := ReadBackupIndex(filepath.Join(backup, "host1"))
	if err != nil || len(idx.Files) == 0 {
		t.Fatalf("backup index: %v %+v", err, idx)
	}
	for _, p := range []string{report, filepath.Join(backup, "host1", IndexFile), filepath.Join(backup, "host1", idx.Files[0].Backup)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group and others", p, fi.Mode().Perm())
		}
	}
}

// TestRestoreChecksEveryBackupFirst: a damaged backup of a later file
// fails the host before the first write, so no host is left half
// restored; an index whose files include restore's own temporary name for
// another of them is refused the same way (restoring one would remove the
// other as a leftover).
func TestRestoreChecksEveryBackupFirst(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	empty, err := ini.New().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirs[0], "MAILSRV", RestorePrefix+"DOMAIN2.INI"), empty, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(names, value string) string {
		backup := t.TempDir()
		code := []byte(`local s = ...
for name in ("` + names + `"):gmatch("%S+") do
  s:open("C:\\MAILSRV\\" .. name):set("A", "k", "` + value + `")
end`)
		results, err := Run(context.Background(), hosts, Options{Script: "r.lua", Code: code, BackupDir: backup})
		if err != nil || !strings.HasPrefix(statuses(results), "host1=changed/") {
			t.Fatalf("run: %v %s %s", err, statuses(results), results[0].Err)
		}
		return backup
	}
	withTmp := run("DOMAIN1.INI DOMAIN2.INI "+RestorePrefix+"DOMAIN2.INI", "run1")
	res, err := Restore(context.Background(), RestoreOptions{BackupDir: withTmp})
	if err != nil || statuses(res) != "host1=failed/0" || !strings.Contains(res[0].Err, `C:\MAILSRV\inilua-restore-DOMAIN2.INI is backed up, and it is the temporary file restore writes to put back C:\MAILSRV\DOMAIN2.INI`) {
		t.Fatalf("restore with its temporary name backed up: %v %s %q", err, statuses(res), res[0].Err)
	}
	// damage the second backup: nothing is restored, even forced
	plain := run("DOMAIN1.INI DOMAIN2.INI", "run2")
	after := snapshot(t, dirs[0])
	hostDir := filepath.Join(plain, "host1")
	idx, err := ReadBackupIndex(hostDir)
	if err != nil || len(idx.Files) != 2 || idx.Files[1].Backup == "" {
		t.Fatalf("index %+v %v", idx, err)
	}
	f, err := os.OpenFile(filepath.Join(hostDir, idx.Files[1].Backup), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("junk")
	f.Close()
	res, err = Restore(context.Background(), RestoreOptions{BackupDir: plain, Force: true})
	if err != nil || statuses(res) != "host1=failed/0" || !strings.Contains(res[0].Err, "SHA-256 does not match") || !strings.HasSuffix(res[0].Err, "; nothing restored") {
		t.Fatalf("restore with a damaged backup: %v %s %q", err, statuses(res), res[0].Err)
	}
	now := snapshot(t, dirs[0])
	for name, data := range after {
		if !bytes.Equal(data, now[name]) {
			t.Errorf("%s changed by a restore that failed on a damaged backup", name)
		}
	}
}

// TestBackupRefusesNonUTF8Name: a file whose name holds a code-page byte
// (not UTF-8) is not changed under --backup-dir: the JSON index would
// record another name, and restore would write that one.
func TestBackupRefusesNonUTF8Name(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	before := snapshot(t, dirs[0])
	code := []byte(`local s = ...
s:open("C:\\MAILSRV\\CAF\130.INI"):set("A", "k", "v")`)
	results, err := Run(context.Background(), hosts, Options{Script: "n.lua", Code: code, BackupDir: t.TempDir()})
	if err != nil || statuses(results) != "host1=failed/0" || !strings.Contains(results[0].Err, "not UTF-8") {
		t.Fatalf("run: %v %s %q", err, statuses(results), results[0].Err)
	}
	if after := snapshot(t, dirs[0]); len(after) != len(before) {
		t.Errorf("%d files after the refused write, %d before", len(after), len(before))
	}
}

// TestRestoreLeavesForeignTemp: a file already at restore's temporary name
// is removed only when it is a leftover of restoring the same backup (all
// its keys in the backup, same values); any other file there fails the
// host, is left byte for byte, and the target is not touched.
func TestRestoreLeavesForeignTemp(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	target := filepath.Join(dirs[0], "MAILSRV", "DOMAIN1.INI")
	tmp := filepath.Join(dirs[0], "MAILSRV", RestorePrefix+"DOMAIN1.INI")
	orig, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	backup := t.TempDir()
	code := []byte(`local s = ...
s:open("C:\\MAILSRV\\DOMAIN1.INI"):set("A", "k", "changed")`)
	results, err := Run(context.Background(), hosts, Options{Script: "r.lua", Code: code, BackupDir: backup})
	if err != nil || statuses(results) != "host1=changed/1" {
		t.Fatalf("run: %v %s %s", err, statuses(results), results[0].Err)
	}
	changed, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}

	foreign := ini.New()
	if err := foreign.Put([]byte("Mine"), []byte("note"), []byte("keep me")); err != nil {
		t.Fatal(err)
	}
	data, err := foreign.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Restore(context.Background(), RestoreOptions{BackupDir: backup})
	if err != nil || statuses(res) != "host1=failed/0" || !strings.Contains(res[0].Err, `C:\MAILSRV\inilua-restore-DOMAIN1.INI is in the way of restore's temporary file and holds keys the backup does not`) {
		t.Fatalf("restore with a user's file at the temporary name: %v %s %q", err, statuses(res), res[0].Err)
	}
	if got, _ := os.ReadFile(tmp); !bytes.Equal(got, data) {
		t.Error("the user's file at the temporary name was changed")
	}
	if got, _ := os.ReadFile(target); !bytes.Equal(got, changed) {
		t.Error("the target was touched by a restore that refused its temporary name")
	}

	// a leftover: part of the backup's content (one key dropped)
	part := new(ini.File)
	if err := part.UnmarshalBinary(orig); err != nil {
		t.Fatal(err)
	}
	a := part.Apps[0]
	if err := part.Delete(a.Name, a.Entries[0].Key); err != nil {
		t.Fatal(err)
	}
	if data, err = part.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Restore(context.Background(), RestoreOptions{BackupDir: backup})
	if err != nil || statuses(res) != "host1=changed/1" {
		t.Fatalf("restore over a leftover: %v %s %q", err, statuses(res), res[0].Err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("leftover still there after the restore: %v", err)
	}
	if got, _ := os.ReadFile(target); !bytes.Equal(got, orig) {
		t.Error("target not restored to its original bytes")
	}
}
