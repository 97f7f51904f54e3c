package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/inilua/inilua/batch"
)

// runCmd runs an inilua subcommand in-process and returns its exit
// status, stdout and stderr.
func runCmd(t *testing.T, run func(context.Context, []string, env) int, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	status := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return status, out.String(), errb.String()
}

// TestBatchUsageErrors: mistakes that would only show after a long run are
// usage errors (exit status 1) before any host is contacted, and the
// message names the file (and line) at fault.
func TestBatchUsageErrors(t *testing.T) {
	hosts, dirs, dir, inv, script := oneHostRun(t, `local s = ... s:open("C:\\OS2\\APPS.INI"):set("X", "k", "v")`)
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("# ok\nh1 addr=127.0.0.1:1\nh2 role\n"), 0o644)
	retryInv := filepath.Join(dir, "again.retry")
	os.WriteFile(retryInv, []byte(hosts[0].InventoryLine()+"\n"), 0o644)
	pwInv := filepath.Join(dir, "pw-hosts.txt")
	os.WriteFile(pwInv, []byte(hosts[0].InventoryLine()+" password_file=pw.txt\n"), 0o644)
	dangling := filepath.Join(dir, "dangling.json")
	if err := os.Symlink(filepath.Join("nodir", "r.json"), dangling); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dirs[0], "OS2", "APPS.INI"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--inventory", inv, "--report", filepath.Join(dir, "nodir", "r.json"), script}, "nodir does not exist"},
		{[]string{"--inventory", inv, "--retry-file", filepath.Join(dir, "nodir", "r.retry"), script}, "nodir does not exist"},
		{[]string{"--inventory", inv, "--report", dangling, "--retry-file", filepath.Join(dir, "r.retry"), script}, dangling + " is a symlink to " + filepath.Join(dir, "nodir", "r.json") + ": directory " + filepath.Join(dir, "nodir") + " does not exist"},
		{[]string{"--inventory", bad, script}, bad + ":3: \"role\" is not key=value"},
		{[]string{"--inventory", inv, "--limit", "nothing", script}, "no hosts selected"},
		{[]string{"--inventory", inv, script, "novalue"}, `argument "novalue" is not name=value`},
		{[]string{"--inventory", inv, "--max-fail", "5x", script}, `--max-fail: "5x" is not N or P%`},
		// an output never replaces an input or another output
		{[]string{"--inventory", inv, "--report", inv, script}, "--report " + inv + " is the same file as --inventory " + inv},
		{[]string{"--inventory", inv, "--retry-file", script, script}, "--retry-file " + script + " is the same file as the script " + script},
		{[]string{"--inventory", inv, "--report", filepath.Join(dir, "same"), "--retry-file", filepath.Join(dir, "same"), script}, "are the same file"},
		{[]string{"--inventory", retryInv, "--report", filepath.Join(dir, "again.json"), script}, "the retry file " + retryInv + " is the same file as --inventory " + retryInv + ": writing it would replace that input; name it with --retry-file or give --report another name"},
		{[]string{"--inventory", inv, "--retry-file", bad, script}, "--retry-file " + bad + " exists and is not a retry file"},
		{[]string{"--inventory", pwInv, "--retry-file", filepath.Join(dir, "pw.txt"), script}, "is the same file as the password_file= of host host1"},
		{[]string{"--inventory", inv, "--backup-dir", dir, "--report", filepath.Join(dir, "r.json"), script}, "--report " + filepath.Join(dir, "r.json") + " is inside --backup-dir " + dir},
	} {
		status, _, stderr := runCmd(t, runBatch, tc.args...)
		if status != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("batch %v: status %d, stderr %q; want 1 and %q", tc.args, status, stderr, tc.want)
		}
	}
	if now, _ := os.ReadFile(filepath.Join(dirs[0], "OS2", "APPS.INI")); !bytes.Equal(now, before) {
		t.Error("a usage error ran the script")
	}
	if data, _ := os.ReadFile(inv); string(data) != hosts[0].InventoryLine()+"\n" {
		t.Errorf("a refused run changed the inventory: %q", data)
	}
	status, _, stderr := runCmd(t, runRestore, "--backup-dir", dir, "--inventory", inv, "--report", inv)
	if status != exitUsage || !strings.Contains(stderr, "is the same file as --inventory") {
		t.Errorf("restore with the report on the inventory: %d %q", status, stderr)
	}
	// restore writes a retry file beside --report too: checked the same way
	status, _, stderr = runCmd(t, runRestore, "--backup-dir", filepath.Join(dir, "nobackups"), "--report", filepath.Join(dir, "r.retry"))
	if status != exitUsage || !strings.Contains(stderr, "are the same file: one would replace the other; give --report another name (restore writes the retry file beside it, as NAME.retry)") {
		t.Errorf("restore --report NAME.retry: %d %q", status, stderr)
	}
	status, _, stderr = runCmd(t, runRestore, "--backup-dir", filepath.Join(dir, "nobackups"), "--inventory", retryInv, "--report", filepath.Join(dir, "again.json"))
	if status != exitUsage || !strings.Contains(stderr, "the retry file "+retryInv+" is the same file as --inventory "+retryInv) {
		t.Errorf("restore with its retry file on the inventory: %d %q", status, stderr)
	}
	status, _, stderr = runCmd(t, runRestore, "--backup-dir", dir, "--report", filepath.Join(dir, "r.json"))
	if status != exitUsage || !strings.Contains(stderr, "is inside --backup-dir "+dir) {
		t.Errorf("restore with the report inside the backup directory: %d %q", status, stderr)
	}
	status, _, stderr = runCmd(t, runRestore, "--backup-dir", dir, "--report", filepath.Join(dir, "nodir", "r.json"))
	if status != exitUsage || !strings.Contains(stderr, "nodir does not exist") {
		t.Errorf("restore with a report in a missing directory: %d %q", status, stderr)
	}
	// a directory without backups, or a --limit that selects none of them,
	// is an error, not an empty success
	status, _, stderr = runCmd(t, runRestore, "--backup-dir", dir)
	if status != exitUsage || !strings.Contains(stderr, "no backups in "+dir) {
		t.Errorf("restore of a directory without backups: %d %q", status, stderr)
	}
	backup := filepath.Join(dir, "backup")
	if status, out, stderr := runCmd(t, runBatch, "--inventory", inv, "--backup-dir", backup, script); status != exitOK {
		t.Fatalf("batch: %d\n%s%s", status, out, stderr)
	}
	status, _, stderr = runCmd(t, runRestore, "--backup-dir", backup, "--inventory", inv, "--limit", "nothing")
	if status != exitUsage || !strings.Contains(stderr, "no backups in "+backup) {
		t.Errorf("restore --limit matching nothing: %d %q", status, stderr)
	}
	status, out, _ := runCmd(t, runRestore, "--backup-dir", backup, "--inventory", inv)
	if status != exitOK || !strings.Contains(out, "ok=0 changed=1") {
		t.Errorf("restore: %d\n%s", status, out)
	}
	if now, _ := os.ReadFile(filepath.Join(dirs[0], "OS2", "APPS.INI")); !bytes.Equal(now, before) {
		t.Error("restore did not put APPS.INI back")
	}
}

// TestBatchNoRetryFileInCwd: without --report or --retry-file, a run with
// failures writes no retry file (nor anything else) into the current
// directory.
func TestBatchNoRetryFileInCwd(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	dir := t.TempDir()
	script := filepath.Join(dir, "s.lua")
	os.WriteFile(script, []byte(`error("boom")`), 0o644)
	hosts, _ := sampleHosts(t, 1)
	status, out, _ := runCmd(t, runBatch, "--hosts", hosts[0].Address+",127.0.0.1:1", "--timeout", "5s", script)
	if status != exitHosts || !strings.Contains(out, "ok=0 changed=0 failed=1 unreachable=1 skipped=0") {
		t.Fatalf("status %d\n%s", status, out)
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Errorf("the run wrote into the current directory: %v", entries)
	}
}

// sampleHosts serves n sample hosts in-process (batch.LocalServers).
func sampleHosts(t *testing.T, n int) ([]*batch.Host, []string) {
	t.Helper()
	var dirs []string
	for i := range n {
		d := filepath.Join(t.TempDir(), "host")
		if err := batch.WriteSampleHost(d, i); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	hosts, shutdown, err := batch.LocalServers(dirs, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(shutdown)
	return hosts, dirs
}

// TestBatchShardFlag: --shard I/N and auto/N (JOB_COMPLETION_INDEX, 0-based)
// run only the shard's hosts and write the shard into the report; a shard
// with no host is an empty success; bad values are usage errors.
func TestBatchShardFlag(t *testing.T) {
	hosts, _ := sampleHosts(t, 4)
	dir := t.TempDir()
	inv := filepath.Join(dir, "hosts.txt")
	var b strings.Builder
	for _, h := range hosts {
		b.WriteString(h.InventoryLine() + "\n")
	}
	os.WriteFile(inv, []byte(b.String()), 0o644)
	script := filepath.Join(dir, "s.lua")
	os.WriteFile(script, []byte(`print("ran on " .. HOST.name)`), 0o644)

	for _, tc := range []struct{ shard, want string }{
		{"0/3", "the shard must be 1..3"},
		{"2", "want I/N"},
		{"auto/3", "JOB_COMPLETION_INDEX is not set"},
	} {
		t.Setenv(batch.ShardIndexEnv, "") // restored at the end of the test
		os.Unsetenv(batch.ShardIndexEnv)
		status, _, stderr := runCmd(t, runBatch, "--inventory", inv, "--shard", tc.shard, script)
		if status != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("--shard %s: status %d, stderr %q; want 1 and %q", tc.shard, status, stderr, tc.want)
		}
	}

	t.Setenv(batch.ShardIndexEnv, "1") // the second pod: shard 2/2
	report := filepath.Join(dir, "r.json")
	status, out, stderr := runCmd(t, runBatch, "--inventory", inv, "--shard", "auto/2", "--report", report, script)
	if status != exitOK {
		t.Fatalf("--shard auto/2: %d\n%s%s", status, out, stderr)
	}
	want, _ := batch.Shard{Index: 2, Count: 2}.Select(hosts)
	for _, h := range hosts {
		in := slices.Contains(want, h)
		if ran := strings.Contains(out, "ran on "+h.Name+"\n"); ran != in {
			t.Errorf("%s: ran %v, in shard 2/2 %v\n%s", h.Name, ran, in, out)
		}
	}
	data, _ := os.ReadFile(report)
	var rep struct {
		Shard struct{ Index, Count int }
		Hosts []struct{ Name string }
	}
	if err := json.Unmarshal(data, &rep); err != nil || rep.Shard.Index != 2 || rep.Shard.Count != 2 || len(rep.Hosts) != len(want) {
		t.Errorf("report of shard auto/2 (%v):\n%s", err, data)
	}

	// 4 hosts in 50 shards: most shards are empty
	for i := 1; i <= 50; i++ {
		shard := batch.Shard{Index: i, Count: 50}
		if sel, _ := shard.Select(hosts); len(sel) != 0 {
			continue
		}
		status, out, stderr := runCmd(t, runBatch, "--inventory", inv, "--shard", shard.String(), script)
		if status != exitOK || !strings.Contains(out, "shard "+shard.String()+": none of the 4 selected hosts falls in this shard") || !strings.Contains(out, "ok=0 changed=0 failed=0") {
			t.Errorf("empty shard %s: %d\n%s%s", shard, status, out, stderr)
		}
		break
	}
}

// TestBatchReportWriteFails: a report that cannot be written (its path
// is a directory) fails the run, and the recap's advice to rerun the
// retry file is not given when every host succeeded (there is none).
func TestBatchReportWriteFails(t *testing.T) {
	_, _, dir, inv, script := oneHostRun(t, "return")
	report := filepath.Join(dir, "rep")
	os.Mkdir(report, 0o755)
	status, out, stderr := runCmd(t, runBatch, "--inventory", inv, "--report", report, script)
	if status != exitHosts || !strings.Contains(stderr, "rep") || strings.Contains(out, "to retry") {
		t.Errorf("batch with a directory as report: %d\n%s%s", status, out, stderr)
	}
}

// oneHostRun starts one sample host and writes, in a new directory dir,
// its inventory inv (hosts.txt) and the script code (s.lua).
func oneHostRun(t *testing.T, code string) (hosts []*batch.Host, dirs []string, dir, inv, script string) {
	t.Helper()
	hosts, dirs = sampleHosts(t, 1)
	dir = t.TempDir()
	inv = filepath.Join(dir, "hosts.txt")
	script = filepath.Join(dir, "s.lua")
	for name, data := range map[string]string{inv: hosts[0].InventoryLine() + "\n", script: code} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return hosts, dirs, dir, inv, script
}
