package batch

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/internal/wiretest"
)

// stalledHost is a host that accepts the login and then never answers a
// command.
func stalledHost(t *testing.T) *Host {
	t.Helper()
	addr := wiretest.FakeHost(t, func() func(string, io.Writer) bool {
		return func(line string, w io.Writer) bool {
			if strings.HasPrefix(line, "P") {
				io.WriteString(w, "+\r\n")
			}
			return true // any other command: no reply, ever
		}
	})
	return &Host{Name: "stalled", Address: addr, Vars: map[string]string{}}
}

// timeoutScript never ends on host1 (Lua loop), host2 (a loop of library
// calls) and stalled (a command that gets no reply); host3 just prints.
const timeoutScript = `local s = ...
if HOST.name == "host1" then
	while true do end
elseif HOST.name == "host2" then
	local t = string.rep("ab", 1000)
	while true do t = t:gsub("a", "a"):rep(1) end
elseif HOST.name == "stalled" then
	s:ls()
end
print("done on", HOST.name)`

// TestRunScriptTimeout: ScriptTimeout stops Lua code, a loop of library
// calls and a stalled command on their host, which fails with "script
// timed out after D", while the other hosts go on. Each stopped host ends
// long before its command timeout would have fired.
func TestRunScriptTimeout(t *testing.T) {
	hosts, _, _ := testHosts(t, 3)
	hosts = append(hosts, stalledHost(t))
	const commandTimeout = 5 * time.Minute
	results, err := Run(context.Background(), hosts, Options{
		Script: "t.lua", Code: []byte(timeoutScript),
		Timeout: commandTimeout, ScriptTimeout: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(results), "host1=failed/0 host2=failed/0 host3=ok/0 stalled=failed/0"; got != want {
		t.Fatalf("%s, want %s", got, want)
	}
	for _, r := range results {
		if r.Status != StatusFailed {
			if !strings.Contains(string(r.Output), "done on\thost3") {
				t.Errorf("host3 output %q", r.Output)
			}
			continue
		}
		if r.Err != "script timed out after 500ms" {
			t.Errorf("%s: error %q", r.Host.Name, r.Err)
		}
		if r.Duration >= commandTimeout {
			t.Errorf("%s: ended after %v, by the command timeout", r.Host.Name, r.Duration)
		}
	}
}

// TestScriptTimeoutNone: a negative ScriptTimeout is no limit, and 0 is
// DefaultScriptTimeout (a script that ends in time is not affected).
func TestScriptTimeoutNone(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	for _, d := range []time.Duration{-1, 0} {
		results, err := Run(context.Background(), hosts, Options{Script: "t.lua", Code: []byte(`local n = 0 for i = 1, 1e5 do n = n + i end`), ScriptTimeout: d})
		if err != nil {
			t.Fatal(err)
		}
		if results[0].Status != StatusOK {
			t.Errorf("ScriptTimeout %v: %s %s", d, results[0].Status, results[0].Err)
		}
	}
	if got := TimedOut("script", 10*time.Minute); got != "script timed out after 10m" {
		t.Errorf("TimedOut: %q", got)
	}
	if got := TimedOut("restore", 90*time.Minute); got != "restore timed out after 1h30m" {
		t.Errorf("TimedOut: %q", got)
	}
}

// TestRestoreScriptTimeout: the per-host deadline bounds a restore too: a
// host that stops answering fails with "restore timed out after D", long
// before the command timeout, while the other hosts are restored.
func TestRestoreScriptTimeout(t *testing.T) {
	hosts, _, _ := testHosts(t, 2)
	backup := t.TempDir()
	results, err := Run(context.Background(), hosts, Options{
		Script: "set-setting.lua", Code: script(t, "set-setting.lua"), BackupDir: backup,
		Args: []string{`dir=C:\MAILSRV`, "mask=*.TNI", "app=jbloggs", "key=Quota", "type=u32", "value=1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(results); s != "host1=changed/1 host2=changed/1" {
		t.Fatalf("run: %s", s)
	}
	stalled := stalledHost(t)
	stalled.Name = "host1" // host1's backups, restored to a host that stalls
	const commandTimeout = 5 * time.Minute
	results, err = Restore(context.Background(), RestoreOptions{
		BackupDir: backup, Hosts: []*Host{stalled, hosts[1]},
		Timeout: commandTimeout, ScriptTimeout: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses(results); s != "host1=failed/0 host2=changed/1" {
		t.Fatalf("restore: %s (%s)", s, results[0].Err)
	}
	if want := "restore timed out after 500ms (restored 0 of 1 files; rerun restore to finish)"; results[0].Err != want {
		t.Errorf("error %q, want %q", results[0].Err, want)
	}
	if results[0].Duration >= commandTimeout {
		t.Errorf("ended after %v, by the command timeout", results[0].Duration)
	}
}
