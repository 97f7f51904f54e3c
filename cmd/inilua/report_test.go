package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/inilua/inilua/batch"
)

// shardInventory writes an inventory of the hosts (names mail01..., in
// groups, with variables) plus one host that is unreachable, 30 in all.
func shardInventory(t *testing.T, path string, hosts []*batch.Host) {
	t.Helper()
	var b strings.Builder
	b.WriteString("[mail]\n")
	for i, h := range hosts {
		fmt.Fprintf(&b, "mail%02d addr=%s role=r%d\n", i+1, h.Address, i%4)
	}
	b.WriteString("[eu]\nmail03 site=ams\ngone addr=127.0.0.1:1 site=fra\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// comparable is a report without what differs between two runs on two
// sets of servers: addresses and times.
func comparable(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, h := range rep["hosts"].([]any) {
		m := h.(map[string]any)
		for _, k := range []string{"address", "start", "end", "seconds"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: host %v has no %s", path, m["name"], k)
			}
			delete(m, k)
		}
	}
	delete(rep, "shard")
	delete(rep, "merged")
	return rep
}

// TestShardsMergeEqualOneRun: the 3 shards of a 30-host inventory, run in
// parallel and merged, give host for host the report (and the retry file
// and exit status) of one unsharded run over the same inventory on a
// fresh copy of the hosts.
func TestShardsMergeEqualOneRun(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "set.lua")
	code, _ := os.ReadFile("../../scripts/set-setting.lua")
	os.WriteFile(script, code, 0o644)
	args := []string{`dir=` + batch.SampleDir, `app=$SYS`, "key=TimeOut", "type=u32", "value=300"}

	// one unsharded run on one set of 29 servers
	one, _ := sampleHosts(t, 29)
	oneDir := filepath.Join(dir, "one")
	os.Mkdir(oneDir, 0o755)
	shardInventory(t, filepath.Join(oneDir, "hosts.txt"), one)
	status, out, stderr := runCmd(t, runBatch, append([]string{"--inventory", filepath.Join(oneDir, "hosts.txt"), "--report", filepath.Join(oneDir, "run.json"), script}, args...)...)
	if status != exitHosts || !strings.Contains(out, "ok=9 changed=20 failed=0 unreachable=1 skipped=0") {
		t.Fatalf("unsharded run: %d\n%s%s", status, out, stderr)
	}

	// 3 shards in parallel on a fresh set
	sharded, _ := sampleHosts(t, 29)
	shDir := filepath.Join(dir, "sharded")
	os.Mkdir(shDir, 0o755)
	inv := filepath.Join(shDir, "hosts.txt")
	shardInventory(t, inv, sharded)
	var wg sync.WaitGroup
	statuses := make([]int, 3)
	outs := make([]string, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := append([]string{"--inventory", inv, "--shard", fmt.Sprintf("%d/3", i+1), "--report", filepath.Join(shDir, fmt.Sprintf("shard%d.json", i+1)), script}, args...)
			var e string
			statuses[i], outs[i], e = runCmd(t, runBatch, a...)
			outs[i] += e
		}()
	}
	wg.Wait()
	sizes := 0
	for i := range 3 {
		rep := comparable(t, filepath.Join(shDir, fmt.Sprintf("shard%d.json", i+1)))
		n := len(rep["hosts"].([]any))
		if n == 0 || n == 30 {
			t.Errorf("shard %d/3 ran %d of the 30 hosts", i+1, n)
		}
		sizes += n
	}
	if sizes != 30 {
		t.Errorf("the shards ran %d hosts in all, want 30", sizes)
	}
	status, out, stderr = runCmd(t, runReport, "merge", filepath.Join(shDir, "run.json"),
		filepath.Join(shDir, "shard3.json"), filepath.Join(shDir, "shard1.json"), filepath.Join(shDir, "shard2.json"))
	if status != exitHosts || !strings.Contains(out, "ok=9 changed=20 failed=0 unreachable=1 skipped=0") || stderr != "" {
		t.Fatalf("merge: %d\n%s%s\nshard runs: %v\n%s", status, out, stderr, statuses, strings.Join(outs, "\n"))
	}
	want, got := comparable(t, filepath.Join(oneDir, "run.json")), comparable(t, filepath.Join(shDir, "run.json"))
	if !reflect.DeepEqual(got, want) {
		wh, gh := want["hosts"].([]any), got["hosts"].([]any)
		for i := range min(len(wh), len(gh)) {
			if !reflect.DeepEqual(wh[i], gh[i]) {
				t.Errorf("host %d: merged\n%v\nunsharded\n%v", i, gh[i], wh[i])
			}
		}
		if len(wh) != len(gh) {
			t.Errorf("merged %d hosts, unsharded %d", len(gh), len(wh))
		}
		delete(want, "hosts")
		delete(got, "hosts")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("merged report\n%v\nunsharded\n%v", got, want)
		}
	}
	wantRetry, err1 := os.ReadFile(filepath.Join(oneDir, "run.retry"))
	gotRetry, err2 := os.ReadFile(filepath.Join(shDir, "run.retry"))
	if err1 != nil || err2 != nil || string(gotRetry) != string(wantRetry) || !strings.Contains(string(gotRetry), "gone addr=127.0.0.1:1 site=fra") {
		t.Errorf("retry files (%v, %v): merged\n%s\nunsharded\n%s", err1, err2, gotRetry, wantRetry)
	}

	// only two of the three shards: the run is incomplete
	status, _, stderr = runCmd(t, runReport, "merge", filepath.Join(dir, "part.json"), filepath.Join(shDir, "shard1.json"), filepath.Join(shDir, "shard3.json"))
	if status != exitHosts || !strings.Contains(stderr, "no report of shard 2/3") {
		t.Errorf("merge of 2 of 3 shards: %d %q", status, stderr)
	}
	// a host in two reports
	status, _, stderr = runCmd(t, runReport, "merge", filepath.Join(dir, "dup.json"), filepath.Join(oneDir, "run.json"), filepath.Join(shDir, "run.json"))
	if status != exitUsage || !strings.Contains(stderr, "host mail01 is in both "+filepath.Join(oneDir, "run.json")+" and "+filepath.Join(shDir, "run.json")) {
		t.Errorf("merge with a host twice: %d %q", status, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "dup.json")); !os.IsNotExist(err) {
		t.Error("a refused merge wrote its output")
	}
}

// TestReportMergeUsage: bad command lines are usage errors.
func TestReportMergeUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"hosts": [{"name": "a"}]}`), 0o644)
	pw := filepath.Join(dir, "pw.txt")
	os.WriteFile(pw, []byte("secret\n"), 0o600)
	withPW := filepath.Join(dir, "pw.json")
	os.WriteFile(withPW, []byte(`{"hosts": [{"name": "a", "address": "127.0.0.1:1", "status": "failed", "vars": {"password_file": `+strconv.Quote(pw)+`}}]}`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"join"}, `unknown command "join"`},
		{[]string{"merge", "out.json"}, "at least one report"},
		{[]string{"merge", bad, bad}, "the output " + bad + " is the same file as the input " + bad},
		{[]string{"merge", "--retry-file", bad, filepath.Join(dir, "out.json"), bad}, "--retry-file " + bad + " is the same file as the input " + bad},
		{[]string{"merge", "--retry-file", filepath.Join(dir, "o.json"), filepath.Join(dir, "o.json"), bad}, "the output " + filepath.Join(dir, "o.json") + " and --retry-file " + filepath.Join(dir, "o.json") + " are the same file"},
		{[]string{"merge", filepath.Join(dir, "out.json"), filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"merge", filepath.Join(dir, "out.json"), bad}, bad + ": host a: no status"},
		{[]string{"merge", filepath.Join(dir, "nodir", "out.json"), bad}, "nodir does not exist"},
		{[]string{"merge", filepath.Join(dir, "out.json"), bad, "--retry-file", "z"}, "--retry-file after the output file: flags go before OUT.json"},
		{[]string{"merge", filepath.Join(dir, "bad.json"), filepath.Join(dir, "bad.retry")}, "name it with --retry-file or give the output another name"},
		{[]string{"merge", filepath.Join(dir, "out.json"), withPW, filepath.Join(dir, ".", "pw.json")}, "the input " + withPW + " and the input " + filepath.Join(dir, "pw.json") + " are the same file: give each once"},
		// the retry file would replace a host's password file
		{[]string{"merge", "--retry-file", pw, filepath.Join(dir, "out.json"), withPW}, "--retry-file " + pw + " is the same file as the password_file= of host a " + pw},
	} {
		status, _, stderr := runCmd(t, runReport, tc.args...)
		if status != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("report %q: status %d, stderr %q; want 1 and %q", tc.args, status, stderr, tc.want)
		}
	}
	if status, out, _ := runCmd(t, runReport, "merge", "-h"); status != exitOK || !strings.Contains(out, "usage: inilua report merge") {
		t.Errorf("report merge -h: %d %q", status, out)
	}
}
