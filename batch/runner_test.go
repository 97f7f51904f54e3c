package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/scripts"
)

// testHosts writes n sample hosts under t.TempDir(), serves them and
// returns the hosts, their directories and the events posted per host.
func testHosts(t *testing.T, n int) ([]*Host, []string, *eventLog) {
	t.Helper()
	root := t.TempDir()
	var dirs []string
	for i := range n {
		d := filepath.Join(root, fmt.Sprintf("host%d", i+1))
		if err := WriteSampleHost(d, i); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	ev := &eventLog{posted: map[int][]string{}}
	hosts, shutdown, err := LocalServers(dirs, ev.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(shutdown)
	return hosts, dirs, ev
}

type eventLog struct {
	mu     sync.Mutex
	posted map[int][]string
}

func (e *eventLog) add(i int, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.posted[i] = append(e.posted[i], name)
}

func (e *eventLog) get(i int) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.posted[i]
}

// snapshot reads every file under dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func script(t *testing.T, name string) []byte {
	t.Helper()
	code, err := scripts.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func statuses(results []*Result) string {
	var s []string
	for _, r := range results {
		s = append(s, fmt.Sprintf("%s=%s/%d", r.Host.Name, r.Status, len(r.Changes)))
	}
	return strings.Join(s, " ")
}

func readINI(t *testing.T, path string) *ini.File {
	t.Helper()
	f, _, err := ini.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var demoArgs = DemoScript.Args

func TestRunSetSetting(t *testing.T) {
	hosts, dirs, events := testHosts(t, 3)
	before := make([]map[string][]byte, len(dirs))
	for i, d := range dirs {
		before[i] = snapshot(t, d)
	}
	backup := filepath.Join(t.TempDir(), "backup")
	var out bytes.Buffer
	results, err := Run(context.Background(), hosts, Options{
		Script: "set-setting.lua", Code: script(t, "set-setting.lua"), Args: demoArgs,
		Diff: true, BackupDir: backup, Out: &out,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(results), "host1=changed/3 host2=changed/3 host3=ok/0"; got != want {
		t.Fatalf("statuses %s, want %s\n%s", got, want, out.String())
	}
	// only $SYS TimeOut changed, only in the *.INI files of MAILSRV
	for i, d := range dirs {
		after := snapshot(t, d)
		for name, old := range before[i] {
			changed := !bytes.Equal(old, after[name])
			wantChanged := i != 2 && strings.HasPrefix(name, "MAILSRV/") && strings.HasSuffix(name, ".INI")
			if changed != wantChanged {
				t.Errorf("host%d %s: changed=%v, want %v", i+1, name, changed, wantChanged)
			}
			if !changed {
				continue
			}
			oldF, err := ini.ParseBinary(old)
			if err != nil {
				t.Fatal(err)
			}
			newF := readINI(t, filepath.Join(d, filepath.FromSlash(name)))
			if err := oldF.Put([]byte("$SYS"), []byte("TimeOut"), u32(300)); err != nil {
				t.Fatal(err)
			}
			if !oldF.Equal(newF) {
				t.Errorf("host%d %s: more than $SYS TimeOut changed", i+1, name)
			}
		}
		if len(after) != len(before[i]) {
			t.Errorf("host%d: %d files after, %d before", i+1, len(after), len(before[i]))
		}
	}
	// the diff shows old -> new as hex for binary values
	if !strings.Contains(out.String(), `host1 C:\MAILSRV\MAILSRV.INI [$SYS] TimeOut: 0x84030000 (900) -> 0x2C010000 (300)`) {
		t.Errorf("diff line missing:\n%s", out.String())
	}
	// notify: posted once on each changed host, not on the unchanged one
	for i, want := range []int{1, 1, 0} {
		if got := len(events.get(i)); got != want {
			t.Errorf("host%d: %d events posted, want %d", i+1, got, want)
		}
	}
	if n := results[0].Notified; len(n) != 1 || n[0] != SampleSemaphore {
		t.Errorf("host1 notified %v", n)
	}
	// backups: three files for host1, none for host3, in binary INI format
	idx, err := ReadBackupIndex(filepath.Join(backup, "host1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Files) != 3 {
		t.Fatalf("host1 index %+v", idx)
	}
	for _, e := range idx.Files {
		data, err := os.ReadFile(filepath.Join(backup, "host1", e.Backup))
		if err != nil {
			t.Fatal(err)
		}
		rel := strings.ReplaceAll(strings.TrimPrefix(e.Remote, `C:\`), `\`, "/")
		if !bytes.Equal(data, before[0][rel]) {
			t.Errorf("backup of %s differs from the original file", e.Remote)
		}
	}
	if _, err := ReadBackupIndex(filepath.Join(backup, "host3")); err == nil {
		t.Error("host3 changed nothing but has a backup index")
	}

	// a second run changes nothing
	results, err = Run(context.Background(), hosts, Options{
		Script: "set-setting.lua", Code: script(t, "set-setting.lua"), Args: demoArgs, BackupDir: backup,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(results), "host1=ok/0 host2=ok/0 host3=ok/0"; got != want {
		t.Fatalf("second run: %s, want %s", got, want)
	}

	// restore puts the files back byte for byte
	rres, err := Restore(context.Background(), RestoreOptions{BackupDir: backup})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(rres), "host1=changed/3 host2=changed/3"; got != want {
		t.Fatalf("restore: %s, want %s", got, want)
	}
	for i, d := range dirs {
		after := snapshot(t, d)
		for name, old := range before[i] {
			if !bytes.Equal(old, after[name]) {
				t.Errorf("host%d %s: not restored byte-identical", i+1, name)
			}
		}
		if len(after) != len(before[i]) {
			t.Errorf("host%d: %d files after restore, %d before", i+1, len(after), len(before[i]))
		}
	}
	// restoring again has nothing to do
	rres, err = Restore(context.Background(), RestoreOptions{BackupDir: backup})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(rres), "host1=ok/0 host2=ok/0"; got != want {
		t.Fatalf("second restore: %s, want %s", got, want)
	}
}

func TestRunCheckWritesNothing(t *testing.T) {
	hosts, dirs, events := testHosts(t, 3)
	before := make([]map[string][]byte, len(dirs))
	for i, d := range dirs {
		before[i] = snapshot(t, d)
	}
	backup := filepath.Join(t.TempDir(), "backup")
	var out bytes.Buffer
	for _, sc := range []struct {
		name string
		args []string
	}{
		{"set-setting.lua", demoArgs},
		{"rename-app.lua", []string{`dir=C:\MAILSRV`, "from=MailServer", "to=MailService"}},
		{"export-tni.lua", []string{`dir=C:\`}},
	} {
		results, err := Run(context.Background(), hosts, Options{
			Script: sc.name, Code: script(t, sc.name), Args: sc.args,
			Check: true, Diff: true, BackupDir: backup, Out: &out,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.Status == StatusFailed || r.Status == StatusUnreachable {
				t.Fatalf("%s: %s %s: %s\n%s", sc.name, r.Host.Name, r.Status, r.Err, out.String())
			}
			if sc.name != "set-setting.lua" && r.Status != StatusChanged {
				t.Errorf("%s on %s: %s, want changed (would change)", sc.name, r.Host.Name, r.Status)
			}
		}
		if sc.name == "set-setting.lua" {
			if got, want := statuses(results), "host1=changed/3 host2=changed/3 host3=ok/0"; got != want {
				t.Errorf("check statuses %s, want %s", got, want)
			}
			if len(results[0].Notified) != 1 {
				t.Errorf("check run does not report the notification: %v", results[0].Notified)
			}
		}
	}
	for i, d := range dirs {
		after := snapshot(t, d)
		if len(after) != len(before[i]) {
			t.Errorf("host%d: %d files after --check, %d before", i+1, len(after), len(before[i]))
		}
		for name, old := range before[i] {
			if !bytes.Equal(old, after[name]) {
				t.Errorf("host%d %s changed in --check", i+1, name)
			}
		}
		if ev := events.get(i); len(ev) != 0 {
			t.Errorf("host%d: events posted in --check: %v", i+1, ev)
		}
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Errorf("--check created the backup directory: %v", err)
	}
	if !strings.Contains(out.String(), "MailService") {
		t.Errorf("check diff does not show the renamed application:\n%s", out.String())
	}
}

func TestRunRenameApp(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 2)
	orig := readINI(t, filepath.Join(dirs[0], "MAILSRV", "MAILSRV.INI"))
	backup := filepath.Join(t.TempDir(), "backup")
	args := []string{`dir=C:\MAILSRV`, "from=MailServer", "to=MailService"}
	results, err := Run(context.Background(), hosts, Options{
		Script: "rename-app.lua", Code: script(t, "rename-app.lua"), Args: args, BackupDir: backup,
	})
	if err != nil {
		t.Fatal(err)
	}
	nkeys := len(orig.Application([]byte("MailServer")).Entries)
	for _, r := range results {
		if r.Status != StatusChanged || len(r.Changes) != 2*nkeys {
			t.Fatalf("%s: %s %d changes (%s), want changed %d", r.Host.Name, r.Status, len(r.Changes), r.Err, 2*nkeys)
		}
	}
	got := readINI(t, filepath.Join(dirs[0], "MAILSRV", "MAILSRV.INI"))
	if got.HasApplication([]byte("MailServer")) {
		t.Error("old application still there")
	}
	for _, e := range orig.Application([]byte("MailServer")).Entries {
		v, ok := got.Lookup([]byte("MailService"), e.Key)
		if !ok || !bytes.Equal(v, e.Value) {
			t.Errorf("MailService %s = %q, want %q", e.Key, v, e.Value)
		}
	}
	// a rerun is a no-op; a file with both names is an error unless force=yes
	results, _ = Run(context.Background(), hosts, Options{Script: "rename-app.lua", Code: script(t, "rename-app.lua"), Args: args})
	if s := statuses(results); s != "host1=ok/0 host2=ok/0" {
		t.Errorf("rerun: %s", s)
	}
	results, _ = Run(context.Background(), hosts, Options{
		Script: "rename-app.lua", Code: script(t, "rename-app.lua"),
		Args: []string{`dir=C:\MAILSRV`, "from=user1", "to=MailService"},
	})
	if results[0].Status != StatusFailed || !strings.Contains(results[0].Err, "force=yes") {
		t.Errorf("merge into an existing application: %s %s", results[0].Status, results[0].Err)
	}
	// restore brings the application back in its place, byte for byte
	if _, err := Restore(context.Background(), RestoreOptions{BackupDir: backup}); err != nil {
		t.Fatal(err)
	}
	if !readINI(t, filepath.Join(dirs[0], "MAILSRV", "MAILSRV.INI")).Equal(orig) {
		t.Error("restore did not bring back the original order and content")
	}
}

func TestRunExportTNI(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 2)
	backup := filepath.Join(t.TempDir(), "backup")
	results, err := Run(context.Background(), hosts, Options{
		Script: "export-tni.lua", Code: script(t, "export-tni.lua"), Args: []string{`dir=C:\`}, BackupDir: backup,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Status != StatusChanged {
			t.Fatalf("%s: %s %s", r.Host.Name, r.Status, r.Err)
		}
	}
	for _, name := range []string{"MAILSRV/MAILSRV", "MAILSRV/DOMAIN1", "MAILSRV/DOMAIN2", "OS2/APPS"} {
		src := readINI(t, filepath.Join(dirs[0], filepath.FromSlash(name)+".INI"))
		tni := readINI(t, filepath.Join(dirs[0], filepath.FromSlash(name)+".TNI"))
		if !src.SameContent(tni) {
			t.Errorf("%s.TNI does not hold the content of %s.INI", name, name)
		}
	}
	// local export: one TNI file per INI file, nothing written on the host
	out := t.TempDir()
	before := snapshot(t, dirs[1])
	results, err = Run(context.Background(), hosts[1:], Options{
		Script: "export-tni.lua", Code: script(t, "export-tni.lua"), Args: []string{`dir=C:\MAILSRV`, "out=" + out},
	})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != StatusOK {
		t.Fatalf("local export: %s %s", results[0].Status, results[0].Err)
	}
	f := readINI(t, filepath.Join(out, "host2_C_MAILSRV_MAILSRV.TNI"))
	if !f.SameContent(readINI(t, filepath.Join(dirs[1], "MAILSRV", "MAILSRV.INI"))) {
		t.Error("local export differs from the host's file")
	}
	after := snapshot(t, dirs[1])
	for name, data := range before {
		if !bytes.Equal(data, after[name]) {
			t.Errorf("local export changed %s on the host", name)
		}
	}
	if _, err := os.Stat(filepath.Join(out, ".export-tni-probe")); !os.IsNotExist(err) {
		t.Errorf("the writability probe was left behind: %v", err)
	}
	// out= naming a missing directory fails once, saying what to do
	results, err = Run(context.Background(), hosts[1:], Options{
		Script: "export-tni.lua", Code: script(t, "export-tni.lua"), Args: []string{`dir=C:\MAILSRV`, "out=" + filepath.Join(out, "missing")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != StatusFailed || !strings.Contains(results[0].Err, "is not a writable directory (create it first)") {
		t.Fatalf("missing out dir: %s %q", results[0].Status, results[0].Err)
	}
	// restore removes the TNI files the first run created
	if _, err := Restore(context.Background(), RestoreOptions{BackupDir: backup}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dirs[0], "MAILSRV", "MAILSRV.TNI")); !os.IsNotExist(err) {
		t.Errorf("restore left the exported TNI file: %v", err)
	}
}

func TestRunFailures(t *testing.T) {
	hosts, _, _ := testHosts(t, 4)
	// an address nobody listens on: unreachable
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	all := append([]*Host{{Name: "dead", Address: dead, Vars: map[string]string{}}}, hosts...)
	code := []byte(`local s = ... if HOST.name == "host2" then error("boom on " .. HOST.name) end print("hello from", HOST.name, ARGS.x)`)
	var out bytes.Buffer
	results, err := Run(context.Background(), all, Options{Script: "t.lua", Code: code, Args: []string{"x=42"}, Out: &out, Timeout: 5e9})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(results), "dead=unreachable/0 host1=ok/0 host2=failed/0 host3=ok/0 host4=ok/0"; got != want {
		t.Fatalf("%s, want %s", got, want)
	}
	if !strings.Contains(results[2].Err, "boom on host2") {
		t.Errorf("error %q", results[2].Err)
	}
	if !strings.Contains(out.String(), "host3 | hello from\thost3\t42\n") {
		t.Errorf("output not prefixed by host:\n%s", out.String())
	}

	// --max-fail 0 with one fork: the first failure stops the run
	results, _ = Run(context.Background(), all, Options{Script: "t.lua", Code: code, Forks: 1, MaxFail: Threshold{N: 0, Set: true}})
	if got := statuses(results); got != "dead=unreachable/0 host1=skipped/0 host2=skipped/0 host3=skipped/0 host4=skipped/0" {
		t.Errorf("max-fail 0: %s", got)
	}
	// --serial 2 --max-fail 0: the batch [host1 host2] ends with a failure,
	// so the next batch does not start
	results, _ = Run(context.Background(), hosts, Options{Script: "t.lua", Code: code, Serial: Threshold{N: 2, Set: true}, MaxFail: Threshold{N: 0, Set: true}})
	if got := statuses(results); got != "host1=ok/0 host2=failed/0 host3=skipped/0 host4=skipped/0" {
		t.Errorf("serial 2, max-fail 0: %s", got)
	}
	// --serial 50% without failures runs every batch
	results, _ = Run(context.Background(), hosts[2:], Options{Script: "t.lua", Code: code, Serial: Threshold{N: 50, Percent: true, Set: true}, MaxFail: Threshold{N: 0, Set: true}})
	if got := statuses(results); got != "host3=ok/0 host4=ok/0" {
		t.Errorf("serial 50%%: %s", got)
	}
	// os.exit(0) is success, os.exit(3) a failure
	results, _ = Run(context.Background(), hosts[:1], Options{Script: "t.lua", Code: []byte(`os.exit(0)`)})
	if results[0].Status != StatusOK {
		t.Errorf("os.exit(0): %s %s", results[0].Status, results[0].Err)
	}
	results, _ = Run(context.Background(), hosts[:1], Options{Script: "t.lua", Code: []byte(`os.exit(3)`)})
	if results[0].Status != StatusFailed || !strings.Contains(results[0].Err, "exit status 3") {
		t.Errorf("os.exit(3): %s %s", results[0].Status, results[0].Err)
	}
	// a syntax error is reported before any host runs
	if _, err := Run(context.Background(), hosts, Options{Script: "bad.lua", Code: []byte("if then")}); err == nil || !strings.Contains(err.Error(), "bad.lua") {
		t.Errorf("syntax error: %v", err)
	}
}

func TestRunStop(t *testing.T) {
	hosts, _, _ := testHosts(t, 4)
	stop := make(chan struct{})
	var once sync.Once
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == hosts[1].Address {
			once.Do(func() { close(stop) }) // Ctrl-C while host2 is starting
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	results, err := Run(context.Background(), hosts, Options{
		Script: "set-setting.lua", Code: script(t, "set-setting.lua"), Args: demoArgs,
		Forks: 1, Stop: stop, DialContext: dial,
	})
	if err != nil {
		t.Fatal(err)
	}
	// host2 was starting: it stops at its first Lua instruction
	if got, want := statuses(results), "host1=changed/3 host2=failed/0 host3=skipped/0 host4=skipped/0"; got != want {
		t.Errorf("%s, want %s", got, want)
	}
}

func TestReportAndRetry(t *testing.T) {
	h := &Host{Name: "a", Address: "a:3560", Vars: map[string]string{"role": "x y"}, VarOrder: []string{"role"}}
	g := &Host{Name: "b", Address: "b:3560", Vars: map[string]string{}}
	results := []*Result{
		{Host: h, Status: StatusFailed, Err: "boom\nline2"},
		{Host: g, Status: StatusChanged, Changes: []Change{
			{File: `C:\X.INI`, Application: "app", Key: "k", Old: nil, New: []byte{1, 0xAB}},
			{File: `C:\X.INI`, Application: "app\x81", Key: "gone", Old: []byte{}, New: nil},
		}},
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, results, ReportMeta{Check: true}); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Check   bool
		Summary map[string]int
		Hosts   []struct {
			Name, Address, Status, Error string
			Changes                      []map[string]any
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Check || rep.Summary["failed"] != 1 || rep.Summary["changed"] != 1 || rep.Summary["ok"] != 0 || rep.Summary["unreachable"] != 0 {
		t.Errorf("summary %+v", rep)
	}
	c := rep.Hosts[1].Changes
	if c[0]["old"] != nil || c[0]["new"] != "01AB" || c[1]["old"] != "" || c[1]["new"] != nil || c[1]["application_hex"] != "61707081" {
		t.Errorf("changes %+v", c)
	}
	if rep.Hosts[0].Changes == nil || len(rep.Hosts[0].Changes) != 0 {
		t.Errorf("changes of a host without changes must be [], got %v", rep.Hosts[0].Changes)
	}
	dir := t.TempDir()
	retry := RetryPath(filepath.Join(dir, "run.json"), "")
	if retry != filepath.Join(dir, "run.retry") || RetryPath("", "") != "" || RetryPath("", "x") != "x" {
		t.Errorf("RetryPath: %q", retry)
	}
	if err := WriteRetryFile(retry, results); err != nil {
		t.Fatal(err)
	}
	hosts, err := ReadInventory(retry)
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 1 || hosts[0].Name != "a" || hosts[0].Vars["role"] != "x y" {
		t.Errorf("retry file gives %+v", hosts)
	}
	results[0].Status = StatusOK
	if err := WriteRetryFile(retry, results); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(retry); !os.IsNotExist(err) {
		t.Error("a stale retry file is left when every host succeeded")
	}
	// what is not a retry file is never removed in its place
	notes := filepath.Join(dir, "notes.txt")
	empty := filepath.Join(dir, "emptydir")
	link := filepath.Join(dir, "link.retry")
	os.WriteFile(notes, []byte("notes\n"), 0o644)
	os.Mkdir(empty, 0o755)
	os.WriteFile(retry, []byte(retryHeader+"rerun\n"), 0o644)
	os.Symlink(retry, link)
	for _, p := range []string{notes, empty, link} {
		if err := WriteRetryFile(p, results); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s (not a retry file) removed: %v", p, err)
		}
	}
	if _, err := os.Stat(retry); err != nil {
		t.Errorf("the target of a link was removed: %v", err)
	}
	buf.Reset()
	WriteRecap(&buf, results, false)
	if !strings.Contains(buf.String(), "ok=1 changed=1 failed=0 unreachable=0 skipped=0") {
		t.Errorf("recap:\n%s", buf.String())
	}
}

func TestShowValue(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		{nil, "(absent)"}, {[]byte{}, `""`}, {[]byte("abc\x00"), `"abc\x00"`}, {[]byte("a b"), `"a b"`},
		{[]byte{0x2C, 1, 0, 0}, "0x2C010000 (300)"}, {[]byte{0}, "0x00 (0)"}, {[]byte{1, 2, 3}, "0x010203"},
		{[]byte{0x05, 0x01}, "0x0501 (261)"},
		// numbers whose bytes are code-page characters or CR/LF are numbers
		{[]byte{0xE8, 0x0D, 0, 0}, "0xE80D0000 (3560)"}, {[]byte{0xFA, 0, 0, 0}, "0xFA000000 (250)"},
		{[]byte{0x0A, 0, 0, 0}, "0x0A000000 (10)"}, {[]byte{0x09}, "0x09 (9)"},
		{[]byte("Gr\x81\xe1e aus M\x81nchen"), `"Gr\x81\xe1e aus M\x81nchen"`}, {[]byte("a\r\nb\x00"), `"a\r\nb\x00"`},
	} {
		if got := ShowValue(tc.in); got != tc.want {
			t.Errorf("ShowValue(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestRunTNIBackupRestore(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	path := filepath.Join(dirs[0], "MAILSRV", "USERS.TNI")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup")
	results, err := Run(context.Background(), hosts, Options{
		Script: "set-setting.lua", Code: script(t, "set-setting.lua"), BackupDir: backup,
		Args: []string{`dir=C:\MAILSRV`, "mask=*.TNI", "app=jbloggs", "key=Quota", "type=u32", "value=1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(results); s != "host1=changed/1" {
		t.Fatalf("%s: %s", s, results[0].Err)
	}
	idx, err := ReadBackupIndex(filepath.Join(backup, "host1"))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(filepath.Join(backup, "host1", idx.Files[0].Backup))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(saved, orig) || !strings.HasSuffix(idx.Files[0].Backup, ".TNI") {
		t.Errorf("backup %s is not the TNI text of the original", idx.Files[0].Backup)
	}
	if _, err := Restore(context.Background(), RestoreOptions{BackupDir: backup}); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Errorf("USERS.TNI not restored byte-identical:\n%s\nwant:\n%s", now, orig)
	}
}

func TestHostGlobals(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	h := hosts[0]
	h.Groups = []string{"mail", "eu"}
	h.Vars = map[string]string{"site": "ams", "role": "primary"}
	h.VarOrder = []string{"site", "role"}
	code := []byte(`
local s, a1, a2 = ...
assert(tostring(s):find("session"), "first value is not a session: " .. tostring(s))
assert(a1 == "x=1" and a2 == "y=two words", "arguments: " .. tostring(a1) .. " " .. tostring(a2))
assert(arg[0] == "g.lua" and arg[1] == "x=1", "arg table")
assert(ARGS.x == "1" and ARGS.y == "two words", "ARGS")
assert(CHECK == false, "CHECK is not false in a real run")
assert(HOST.name == "host1" and HOST.address:match("^127%.0%.0%.1:%d+$"), "HOST name/address")
assert(HOST.site == "ams" and HOST.vars.role == "primary", "HOST variables")
assert(#HOST.groups == 2 and HOST.groups[2] == "eu", "HOST.groups")
assert(#s:ls("C:\\MAILSRV\\*.INI") == 3, "the session works")
`)
	results, err := Run(context.Background(), hosts, Options{Script: "g.lua", Code: code, Args: []string{"x=1", "y=two words"}})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != StatusOK {
		t.Fatalf("%s: %s", results[0].Status, results[0].Err)
	}
	if _, err := Run(context.Background(), hosts, Options{Script: "g.lua", Code: code, Args: []string{"novalue"}}); err == nil {
		t.Error("an argument without = was accepted")
	}
}

// TestRunStopFinishesCommand: after Stop (the first Ctrl-C) the command in
// progress on a running host completes, then its script stops; after
// cancelling the context (the second Ctrl-C) the command in progress is
// abandoned.
func TestRunStopFinishesCommand(t *testing.T) {
	root := t.TempDir()
	var dirs []string
	for i := range 2 {
		d := filepath.Join(root, fmt.Sprintf("host%d", i+1))
		if err := WriteSampleHost(d, i); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	inCmd := make(chan struct{}, 1)
	release := make(chan struct{})
	hosts, shutdown, err := LocalServers(dirs, func(i int, name string) {
		inCmd <- struct{}{} // the E command is on the server now
		<-release
	})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown()
	orig, _ := os.ReadFile(filepath.Join(dirs[0], "MAILSRV", "MAILSRV.INI"))
	code := []byte(`local s = ...
s:post(ARGS.sem)
print("posted")
s:open("C:\\MAILSRV\\MAILSRV.INI"):set("$SYS", "TimeOut", 1, "u32")`)
	args := []string{"sem=" + SampleSemaphore}

	stop := make(chan struct{})
	out := &lineWatch{want: "host2: skipped", seen: make(chan struct{})}
	go func() {
		<-inCmd
		close(stop)
		<-out.seen // the runner has taken the Stop into account
		release <- struct{}{}
	}()
	results, err := Run(context.Background(), hosts, Options{Script: "i.lua", Code: code, Args: args, Forks: 1, Stop: stop, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	// s:post on line 2 returned normally; the VM stopped before line 3
	if r.Status != StatusFailed || !strings.Contains(r.Err, "interrupted after the command in progress: i.lua:3:") {
		t.Errorf("host1: %s %q output %q", r.Status, r.Err, r.Output)
	}
	if results[1].Status != StatusSkipped {
		t.Errorf("host2: %s", results[1].Status)
	}
	if now, _ := os.ReadFile(filepath.Join(dirs[0], "MAILSRV", "MAILSRV.INI")); !bytes.Equal(now, orig) {
		t.Error("the script went on after the command in progress")
	}

	// second Ctrl-C: the blocked command is abandoned
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-inCmd
		cancel()
	}()
	results, err = Run(ctx, hosts[:1], Options{Script: "i.lua", Code: code, Args: args})
	close(release) // let the server's event action return
	if err != nil {
		t.Fatal(err)
	}
	r = results[0]
	// s:post on line 2 did not complete
	if r.Status != StatusFailed || !strings.Contains(r.Err, "command in progress abandoned: i.lua:2:") {
		t.Errorf("after cancel: %s %q output %q", r.Status, r.Err, r.Output)
	}
}

// lineWatch is an io.Writer that closes seen once want was written.
type lineWatch struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
	done bool
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done && strings.Contains(w.buf.String(), w.want) {
		w.done = true
		close(w.seen)
	}
	return len(p), nil
}

// TestBackupRelativeName: a file opened by a name relative to s:cd is
// backed up under its absolute path, and restore finds it.
func TestBackupRelativeName(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	path := filepath.Join(dirs[0], "MAILSRV", "DOMAIN1.INI")
	orig, _ := os.ReadFile(path)
	backup := filepath.Join(t.TempDir(), "backup")
	code := []byte(`local s = ...
s:cd("C:\\MAILSRV\\..\\OS2")
s:cd("../mailsrv")
local f = s:open("domain1.ini")
f:set("Domain", "Relay", 7, "u8")
f:delete("Domain", "Name")`)
	results, err := Run(context.Background(), hosts, Options{Script: "r.lua", Code: code, BackupDir: backup})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(results); s != "host1=changed/2" {
		t.Fatalf("%s %s", s, results[0].Err)
	}
	idx, err := ReadBackupIndex(filepath.Join(backup, "host1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Files) != 1 || idx.Files[0].Remote != `C:\mailsrv\domain1.ini` {
		t.Fatalf("index %+v", idx.Files)
	}
	if _, err := Restore(context.Background(), RestoreOptions{BackupDir: backup}); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Error("not restored byte-identical")
	}
}

// TestBackupBeforeRemove: a file the script removes is backed up first and
// restore brings it back byte for byte.
func TestBackupBeforeRemove(t *testing.T) {
	hosts, dirs, _ := testHosts(t, 1)
	path := filepath.Join(dirs[0], "OS2", "APPS.INI")
	orig, _ := os.ReadFile(path)
	backup := filepath.Join(t.TempDir(), "backup")
	code := []byte(`local s = ... assert(s:remove("C:\\OS2\\APPS.INI"))`)
	results, err := Run(context.Background(), hosts, Options{Script: "rm.lua", Code: code, BackupDir: backup})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(results); s != "host1=changed/1" || results[0].Changes[0].Op != "remove" {
		t.Fatalf("%s %s %+v", s, results[0].Err, results[0].Changes)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("not removed: %v", err)
	}
	res, err := Restore(context.Background(), RestoreOptions{BackupDir: backup})
	if err != nil || statuses(res) != "host1=changed/1" {
		t.Fatalf("restore: %v %s", err, statuses(res))
	}
	if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, orig) {
		t.Errorf("not restored byte-identical: %v", err)
	}
}

// Names with control bytes are quoted in the diff, so an escape sequence
// or CR LF in an application or key name cannot reach the terminal raw.
func TestWriteDiffQuotesNames(t *testing.T) {
	r := &Result{Host: &Host{Name: "h1"}, Changes: []Change{
		{File: "C:\\X.INI", Application: "plain app", Key: "k\x1b[31m", Old: nil, New: []byte("v")},
		{File: "C:\\X.INI", Application: "a\r\nb", Key: "M\x81nchen", Old: []byte("v"), New: nil},
	}}
	var buf bytes.Buffer
	if err := WriteDiff(&buf, r); err != nil {
		t.Fatal(err)
	}
	want := "h1 C:\\X.INI [plain app] \"k\\x1b[31m\": (absent) -> \"v\"\n" +
		"h1 C:\\X.INI [\"a\\r\\nb\"] M\x81nchen: \"v\" -> (absent)\n"
	if buf.String() != want {
		t.Fatalf("diff:\n%q\nwant\n%q", buf.String(), want)
	}
}

// TestOneLineEscapesControls: an error holding terminal escapes or line
// separators is shown on one line with them escaped, text kept.
func TestOneLineEscapesControls(t *testing.T) {
	got := oneLine("a\nb\x1b[2Jc\u2028d\u0085é\x7f\u202ee\U000e0001")
	if want := `a b\x1b[2Jc\u2028d\x85é\x7f\u202ee\U000e0001`; got != want {
		t.Errorf("oneLine: %q, want %q", got, want)
	}
}
