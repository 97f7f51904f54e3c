package main

// End-to-end test of the main job: real iniserve processes on loopback,
// the inilua binary running the scripts of scripts/ with the batch runner,
// then restore.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/ini"
)

// realFiles is the shared directory of real OS/2 INI files (absent on
// machines without ../shared).
const realFiles = "../../../shared/testdata/real"

// buildBinaries builds inilua and iniserve into a temporary directory.
func buildBinaries(t *testing.T) (inilua, iniserve string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"inilua", "iniserve"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), "../"+name)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", name, err, out)
		}
	}
	return filepath.Join(dir, "inilua"), filepath.Join(dir, "iniserve")
}

// startServer starts iniserve over dir (drive C:) with the password in
// pwFile and the sample event semaphore appending a line to eventLog, and
// returns its address.
func startServer(t *testing.T, iniserve, dir, pwFile, eventLog string) string {
	t.Helper()
	cmd := exec.Command(iniserve, "--listen", "127.0.0.1:0", "--volume", "C="+dir,
		"--password-file", pwFile, "--event", batch.SampleSemaphore+"=echo posted >> "+eventLog)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`listening on (\S+)`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stdout)
			return m[1]
		}
	}
	t.Fatalf("iniserve did not print its address; stderr:\n%s", stderr.String())
	return ""
}

// copyTree copies the regular files under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tree reads every file under dir, by slash-separated relative path.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
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

type e2eReport struct {
	Check   bool           `json:"check"`
	Summary map[string]int `json:"summary"`
	Hosts   []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
		Status  string `json:"status"`
		Error   string `json:"error"`
		Changes []struct {
			File        string  `json:"file"`
			Application string  `json:"application"`
			Key         string  `json:"key"`
			Old         *string `json:"old"`
			New         *string `json:"new"`
		} `json:"changes"`
	} `json:"hosts"`
}

func readReport(t *testing.T, path string) e2eReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r e2eReport
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report: %v\n%s", err, data)
	}
	return r
}

func TestBatchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries and starts servers")
	}
	inilua, iniserve := buildBinaries(t)
	_, err := os.Stat(realFiles)
	haveReal := err == nil
	if !haveReal {
		t.Log("../shared/testdata/real is absent: generated samples only")
	}
	work := t.TempDir()
	pwFile := filepath.Join(work, "password")
	if err := os.WriteFile(pwFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const nHosts = 3
	var dirs, logs, addrs []string
	var inv strings.Builder
	inv.WriteString("# end-to-end test inventory\n[mail]\n")
	for i := range nHosts {
		dir := filepath.Join(work, fmt.Sprintf("host%d", i+1))
		if err := batch.WriteSampleHost(dir, i); err != nil {
			t.Fatal(err)
		}
		if haveReal {
			copyTree(t, realFiles, filepath.Join(dir, "REAL"))
		}
		logFile := filepath.Join(work, fmt.Sprintf("events%d.log", i+1))
		addr := startServer(t, iniserve, dir, pwFile, logFile)
		fmt.Fprintf(&inv, "host%d addr=%s password_file=password site=s%d\n", i+1, addr, i+1)
		dirs, logs, addrs = append(dirs, dir), append(logs, logFile), append(addrs, addr)
	}
	invFile := filepath.Join(work, "hosts.txt")
	if err := os.WriteFile(invFile, []byte(inv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	original := make([]map[string][]byte, nHosts)
	for i, d := range dirs {
		original[i] = tree(t, d)
	}

	run := func(wantStatus int, args ...string) string {
		t.Helper()
		cmd := exec.Command(inilua, args...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		status := 0
		if ee, ok := err.(*exec.ExitError); ok {
			status = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if status != wantStatus {
			t.Fatalf("inilua %s: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), status, wantStatus, out.String(), errb.String())
		}
		return out.String()
	}
	same := func(when string, i int, want map[string][]byte, skip func(string) bool) {
		t.Helper()
		got := tree(t, dirs[i])
		for name, data := range want {
			if skip != nil && skip(name) {
				continue
			}
			if !bytes.Equal(data, got[name]) {
				t.Errorf("%s: host%d %s is not byte-identical", when, i+1, name)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok && (skip == nil || !skip(name)) {
				t.Errorf("%s: host%d has a new file %s", when, i+1, name)
			}
		}
	}

	type job struct {
		script string
		args   []string
	}
	jobs := []job{
		{"set-setting.lua", batch.DemoScript.Args},
		{"rename-app.lua", []string{`dir=C:\MAILSRV`, "mask=MAILSRV.INI", "from=MailServer", "to=MailService"}},
		{"export-tni.lua", []string{`dir=C:\`}},
	}
	if haveReal {
		jobs = append(jobs,
			job{"set-setting.lua", []string{`dir=C:\REAL\netchat`, "app=NetChat", "key=MAILSERVER", "value=mail.example.net"}},
			job{"rename-app.lua", []string{`dir=C:\REAL\cwmm`, "from=DE", "to=de_DE"}})
	}
	scriptPath := func(name string) string { return filepath.Join("..", "..", "scripts", name) }
	common := []string{"--inventory", invFile, "--forks", "3", "--timeout", "20s"}

	// 1. --check with every script: statuses say what would change, every
	// file stays byte-identical, no notification is posted.
	for _, j := range jobs {
		report := filepath.Join(work, "check.json")
		args := append(append([]string{"batch", "--check", "--diff", "--report", report}, common...), scriptPath(j.script))
		out := run(0, append(args, j.args...)...)
		if !strings.Contains(out, "--check: nothing was written") {
			t.Errorf("check recap does not say it was a dry run:\n%s", out)
		}
		rep := readReport(t, report)
		if !rep.Check || rep.Summary["failed"]+rep.Summary["unreachable"] != 0 || rep.Summary["changed"] == 0 {
			t.Errorf("%s --check: report summary %v", j.script, rep.Summary)
		}
		for i := range dirs {
			same("after --check "+j.script, i, original[i], nil)
		}
	}
	for _, l := range logs {
		if _, err := os.Stat(l); !os.IsNotExist(err) {
			t.Errorf("--check posted an event semaphore (%s exists)", l)
		}
	}

	// 2. The real runs, with backups and reports.
	backup := filepath.Join(work, "backup")
	for n, j := range jobs {
		report := filepath.Join(work, fmt.Sprintf("run%d.json", n))
		args := append(append([]string{"batch", "--diff", "--backup-dir", backup, "--report", report}, common...), scriptPath(j.script))
		out := run(0, append(args, j.args...)...)
		rep := readReport(t, report)
		if len(rep.Hosts) != nHosts || rep.Summary["failed"]+rep.Summary["unreachable"] != 0 {
			t.Fatalf("%s: report %+v\n%s", j.script, rep, out)
		}
		recap := fmt.Sprintf("ok=%d changed=%d failed=0 unreachable=0 skipped=0", rep.Summary["ok"], rep.Summary["changed"])
		if !strings.Contains(out, recap) {
			t.Errorf("%s: recap %q missing:\n%s", j.script, recap, out)
		}
		if _, err := os.Stat(strings.TrimSuffix(report, ".json") + ".retry"); !os.IsNotExist(err) {
			t.Errorf("%s: retry file written although every host succeeded", j.script)
		}
		switch n {
		case 0: // TimeOut 300: host3 already had it
			for i, want := range []string{"changed", "changed", "ok"} {
				if rep.Hosts[i].Status != want {
					t.Errorf("set-setting host%d: %s, want %s", i+1, rep.Hosts[i].Status, want)
				}
			}
			c := rep.Hosts[0].Changes[0]
			if c.Application != "$SYS" || c.Key != "TimeOut" || c.New == nil || *c.New != "2C010000" {
				t.Errorf("set-setting change %+v", c)
			}
			for i, l := range logs {
				data, _ := os.ReadFile(l)
				if want := map[bool]string{true: "posted\n", false: ""}[i != 2]; string(data) != want {
					t.Errorf("host%d events %q, want %q", i+1, data, want)
				}
			}
		case 3: // NetChat MAILSERVER on the real files
			for i := range dirs {
				checkOnlyKey(t, original[i], tree(t, dirs[i]), "REAL/netchat/", "NetChat", "MAILSERVER", "mail.example.net\x00")
			}
		case 4: // [DE] renamed [de_DE] in the real cwmm/LANG.INI, nothing else
			for i := range dirs {
				now := tree(t, dirs[i])
				if !bytes.Equal(now["REAL/cwmm/CDDB.INI"], original[i]["REAL/cwmm/CDDB.INI"]) {
					t.Errorf("host%d: CDDB.INI changed", i+1)
				}
				want, _ := ini.ParseBinary(original[i]["REAL/cwmm/LANG.INI"])
				got, err := ini.ParseBinary(now["REAL/cwmm/LANG.INI"])
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range want.Application([]byte("DE")).Entries {
					want.Put([]byte("de_DE"), e.Key, e.Value)
				}
				want.DeleteApplication([]byte("DE"))
				if !want.Equal(got) {
					t.Errorf("host%d: LANG.INI is not the original with [DE] renamed [de_DE]", i+1)
				}
			}
		}
	}
	// every file outside the scripts' targets is untouched
	for i := range dirs {
		same("after the runs", i, original[i], func(name string) bool {
			return strings.HasPrefix(name, "MAILSRV/") || strings.HasSuffix(strings.ToUpper(name), ".TNI") ||
				strings.HasPrefix(name, "REAL/netchat/") || strings.HasPrefix(name, "REAL/cwmm/")
		})
	}
	// the backups hold the original bytes of each file changed
	for i := range dirs {
		idx, err := batch.ReadBackupIndex(filepath.Join(backup, fmt.Sprintf("host%d", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range idx.Files {
			rel := strings.ReplaceAll(strings.TrimPrefix(e.Remote, `C:\`), `\`, "/")
			orig, existed := original[i][rel]
			if e.Absent == existed {
				t.Errorf("host%d backup of %s: absent=%v but the file existed=%v", i+1, e.Remote, e.Absent, existed)
				continue
			}
			if existed {
				data, err := os.ReadFile(filepath.Join(backup, fmt.Sprintf("host%d", i+1), e.Backup))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(data, orig) && !canonicalDiffers(orig) {
					t.Errorf("host%d backup of %s differs from the original", i+1, e.Remote)
				}
			}
		}
	}

	// 3. A host that cannot be reached and one with a wrong password: exit
	// status 2, one unreachable, the other failed with "login refused", the retry file beside the report, usable
	// as an inventory; the good host still changed.
	t.Setenv("INILUA_E2E_WRONG", "not-the-password")
	badInv := filepath.Join(work, "bad.txt")
	os.WriteFile(badInv, []byte("gone addr=127.0.0.1:1\nwrongpw addr="+addrs[0]+" password_env=INILUA_E2E_WRONG\n"), 0o644)
	report := filepath.Join(work, "bad.json")
	out := run(2, "batch", "--inventory", badInv, "--inventory", invFile, "--limit", "gone,wrongpw,host1", "--report", report, "--timeout", "5s",
		scriptPath("set-setting.lua"), `dir=C:\MAILSRV`, "app=$SYS", "key=TimeOut", "type=u32", "value=301")
	if !strings.Contains(out, "ok=0 changed=1 failed=1 unreachable=1 skipped=0") || !strings.Contains(out, "wrongpw: failed: "+addrs[0]+": login refused") {
		t.Errorf("recap with unreachable hosts:\n%s", out)
	}
	if strings.Contains(out, "not-the-password") {
		t.Errorf("the password shows in the output:\n%s", out)
	}
	retry, err := batch.ReadInventory(filepath.Join(work, "bad.retry"))
	if err != nil || len(retry) != 2 || retry[0].Name != "gone" || retry[1].Vars["password_env"] != "INILUA_E2E_WRONG" {
		t.Errorf("retry file: %v %+v", err, retry)
	}
	run(1, "batch", "--inventory", invFile, scriptPath("set-setting.lua"), "not-an-assignment")

	// 4. Restore refuses host1, whose files step 3 changed after the backup
	// run; with --force it puts every file back exactly.
	out = run(2, "restore", "--backup-dir", backup, "--inventory", invFile)
	if !strings.Contains(out, "host1: failed: changed since the backup run, nothing restored") || !strings.Contains(out, "changed="+fmt.Sprint(nHosts-1)+" failed=1") {
		t.Errorf("restore of files changed since the run:\n%s", out)
	}
	out = run(0, "restore", "--force", "--backup-dir", backup, "--inventory", invFile)
	if !strings.Contains(out, "ok="+fmt.Sprint(nHosts-1)+" changed=1 ") {
		t.Errorf("restore recap:\n%s", out)
	}
	for i := range dirs {
		got := tree(t, dirs[i])
		for name, data := range original[i] {
			if !bytes.Equal(data, got[name]) {
				if canonicalDiffers(data) && sameContent(data, got[name]) {
					continue // restored content and order; the layout is the server's
				}
				t.Errorf("after restore: host%d %s is not byte-identical", i+1, name)
			}
		}
		for name := range got {
			if _, ok := original[i][name]; !ok {
				t.Errorf("after restore: host%d still has %s", i+1, name)
			}
		}
	}
}

// canonicalDiffers reports whether a binary INI file is not in the layout
// the codec writes (a few real files carry unreferenced bytes): such a file
// can come back from a server only with the same content, not the same
// bytes.
func canonicalDiffers(data []byte) bool {
	f, err := ini.ParseBinary(data)
	if err != nil {
		return false
	}
	out, err := f.MarshalBinary()
	return err == nil && !bytes.Equal(out, data)
}

func sameContent(a, b []byte) bool {
	fa, err1 := ini.ParseBinary(a)
	fb, err2 := ini.ParseBinary(b)
	return err1 == nil && err2 == nil && fa.Equal(fb)
}

// checkOnlyKey checks that under prefix, in files with the application,
// only app/key changed, to value.
func checkOnlyKey(t *testing.T, before, after map[string][]byte, prefix, app, key, value string) {
	t.Helper()
	for name, old := range before {
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(strings.ToUpper(name), ".INI") {
			continue
		}
		of, err := ini.ParseBinary(old)
		if err != nil {
			continue
		}
		nf, err := ini.ParseBinary(after[name])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if of.HasApplication([]byte(app)) {
			of.Put([]byte(app), []byte(key), []byte(value))
		}
		if !of.Equal(nf) {
			t.Errorf("%s: more changed than [%s] %s", name, app, key)
		}
	}
}
