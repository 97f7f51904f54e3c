// Package systemd holds the systemd unit and example configuration for
// running iniserve as a service (see README.md); its tests check the unit
// file, and the unit's command line with the real iniserve.
package systemd

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-systemd/v22/unit"

	"github.com/inilua/inilua/ini"
)

const unitFile = "iniserve.service"

// readUnit returns the unit's directives: section → name → values (one per
// line that sets it, in order).
func readUnit(t *testing.T) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts, err := unit.DeserializeOptions(f)
	if err != nil {
		t.Fatalf("%s: %v", unitFile, err)
	}
	m := map[string]map[string][]string{}
	for _, o := range opts {
		if m[o.Section] == nil {
			m[o.Section] = map[string][]string{}
		}
		// go-systemd keeps a continued line's backslash and newline;
		// systemd reads them as a space
		m[o.Section][o.Name] = append(m[o.Section][o.Name], strings.ReplaceAll(o.Value, "\\\n", " "))
	}
	return m
}

// execStart returns the program and the arguments of ExecStart.
func execStart(t *testing.T, svc map[string][]string) (string, []string) {
	t.Helper()
	if len(svc["ExecStart"]) != 1 {
		t.Fatalf("ExecStart set %d times", len(svc["ExecStart"]))
	}
	f := strings.Fields(svc["ExecStart"][0])
	return f[0], f[1:]
}

// flagValues returns the values of --name in args (both "--name v" and
// "--name=v").
func flagValues(args []string, name string) []string {
	var out []string
	for i, a := range args {
		switch {
		case a == "--"+name && i+1 < len(args):
			out = append(out, args[i+1])
		case strings.HasPrefix(a, "--"+name+"="):
			out = append(out, strings.TrimPrefix(a, "--"+name+"="))
		}
	}
	return out
}

// TestUnitLint: the sandboxing and reload directives are there, and the
// volumes iniserve serves are exactly the paths it may write.
func TestUnitLint(t *testing.T) {
	u := readUnit(t)
	svc := u["Service"]
	if svc == nil {
		t.Fatal("no [Service] section")
	}
	one := func(name string) string {
		v := svc[name]
		if len(v) != 1 {
			t.Errorf("%s set %d times, want once", name, len(v))
			return ""
		}
		return v[0]
	}
	for name, want := range map[string]string{
		"NoNewPrivileges":       "yes",
		"ProtectSystem":         "strict",
		"ProtectHome":           "yes",
		"PrivateTmp":            "yes",
		"PrivateDevices":        "yes",
		"CapabilityBoundingSet": "",
		"RestrictSUIDSGID":      "yes",
		"Type":                  "exec",
	} {
		if got := one(name); got != want {
			t.Errorf("%s=%q, want %q", name, got, want)
		}
	}
	if got := one("ExecReload"); !regexp.MustCompile(`^/bin/kill -(HUP|s HUP) \$MAINPID$`).MatchString(got) {
		t.Errorf("ExecReload=%q does not send SIGHUP to iniserve", got)
	}
	if user := one("User"); user == "" || user == "root" {
		t.Errorf("User=%q: run as an unprivileged user", user)
	}
	// iniserve waits 30 s for sessions on SIGTERM: systemd must not
	// SIGKILL it before.
	if d, err := time.ParseDuration(one("TimeoutStopSec")); err != nil || d <= 30*time.Second {
		t.Errorf("TimeoutStopSec=%q: want more than iniserve's 30 s grace (%v)", one("TimeoutStopSec"), err)
	}
	if ks := svc["KillSignal"]; len(ks) > 0 && ks[0] != "SIGTERM" {
		t.Errorf("KillSignal=%s: iniserve shuts down gracefully on SIGTERM", ks[0])
	}

	prog, args := execStart(t, svc)
	if filepath.Base(prog) != "iniserve" || !filepath.IsAbs(prog) {
		t.Errorf("ExecStart runs %q, want an absolute path to iniserve", prog)
	}
	var dirs []string
	for _, v := range flagValues(args, "volume") {
		_, dir, ok := strings.Cut(v, "=")
		if !ok || !filepath.IsAbs(dir) {
			t.Errorf("--volume %q: want C=/absolute/dir", v)
		}
		dirs = append(dirs, dir)
	}
	if len(dirs) == 0 {
		t.Fatal("ExecStart has no --volume")
	}
	var writable []string
	for _, line := range svc["ReadWritePaths"] {
		for _, p := range strings.Fields(line) {
			writable = append(writable, strings.TrimPrefix(p, "-"))
		}
	}
	slices.Sort(dirs)
	slices.Sort(writable)
	if !slices.Equal(dirs, writable) {
		t.Errorf("ReadWritePaths %v, but the volumes are %v: they must be the same", writable, dirs)
	}
	if cfg := flagValues(args, "config"); len(cfg) != 1 || !strings.HasPrefix(cfg[0], "/etc/iniserve/") {
		t.Errorf("--config %v: want the example configuration's place, /etc/iniserve/", cfg)
	}
	if pw := flagValues(args, "password-file"); len(pw) != 1 || !strings.HasPrefix(pw[0], "/etc/iniserve/") {
		t.Errorf("--password-file %v: want a file under /etc/iniserve/ (read-only for the service)", pw)
	}
	if len(u["Install"]["WantedBy"]) == 0 {
		t.Error("no [Install] WantedBy: systemctl enable would do nothing")
	}
}

// TestExampleConfig: the example configuration is a TNI file iniserve
// reads, with the INIServe defaults.
func TestExampleConfig(t *testing.T) {
	f, _, err := ini.ReadFile("INIServe.TNI")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]uint32{"ServerPort": 3560, "TimeOut": 900} {
		v, ok := f.Lookup([]byte("$SYS"), []byte(key))
		if !ok || len(v) != 4 {
			t.Errorf("$SYS %s: %x, want 4 bytes", key, v)
			continue
		}
		if got := uint32(v[0]) | uint32(v[1])<<8 | uint32(v[2])<<16 | uint32(v[3])<<24; got != want {
			t.Errorf("$SYS %s = %d, want %d", key, got, want)
		}
	}
}

// iniserveBin is the iniserve built for this test run (by TestMain).
var iniserveBin string

// TestMain builds cmd/iniserve once for the tests that run it.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "iniserve-unit-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	iniserveBin = filepath.Join(dir, "iniserve")
	if out, err := exec.Command("go", "build", "-o", iniserveBin, "../../cmd/iniserve").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ../../cmd/iniserve: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestUnitCommandLine runs the real iniserve with the unit's ExecStart
// arguments (the directories moved under a temporary directory, on a
// loopback port), then does what systemctl reload and stop do: SIGHUP
// reloads the example configuration, SIGTERM ends it with status 0.
func TestUnitCommandLine(t *testing.T) {
	bin := iniserveBin
	_, args := execStart(t, readUnit(t)["Service"])
	root := t.TempDir()
	moved := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--volume":
			letter, dir, _ := strings.Cut(args[i+1], "=")
			if err := os.MkdirAll(moved(dir), 0o755); err != nil {
				t.Fatal(err)
			}
			args[i+1] = letter + "=" + moved(dir)
		case "--config":
			args[i+1] = moved(args[i+1])
			if err := os.MkdirAll(filepath.Dir(args[i+1]), 0o755); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile("INIServe.TNI")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(args[i+1]+".TNI", data, 0o644); err != nil {
				t.Fatal(err)
			}
		case "--password-file":
			args[i+1] = moved(args[i+1])
			if err := os.MkdirAll(filepath.Dir(args[i+1]), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(args[i+1], []byte("secret\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd := exec.Command(bin, append(args, "--listen", "127.0.0.1:0")...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	done := make(chan error, 1)
	sc := bufio.NewScanner(stdout)
	listening := sc.Scan() && strings.HasPrefix(sc.Text(), "iniserve: listening on 127.0.0.1:")
	go func() {
		for sc.Scan() {
		}
		done <- cmd.Wait()
	}()
	// await returns the log lines up to the first one containing want.
	await := func(want string) []string {
		var seen []string
		deadline := time.After(30 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("iniserve ended before logging %s:\n%s", want, strings.Join(seen, "\n"))
				}
				seen = append(seen, l)
				if strings.Contains(l, want) {
					return seen
				}
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("no log line with %s within 30 s:\n%s", want, strings.Join(seen, "\n"))
			}
		}
	}
	if !listening {
		cmd.Process.Kill()
		err := <-done
		var log []string
		for l := range lines {
			log = append(log, l)
		}
		t.Fatalf("iniserve %q did not print its address: %v\n%s", args, err, strings.Join(log, "\n"))
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	seen := await(`"msg":"configuration reloaded"`)
	if last := seen[len(seen)-1]; !strings.Contains(last, "INIServe.TNI") || !strings.Contains(last, `"timeout":900000000000`) {
		t.Errorf("reload line %s: want the example INIServe.TNI and its TimeOut of 900 s", last)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	await(`"msg":"shutting down"`)
	for range lines {
	}
	if err := <-done; err != nil {
		t.Errorf("iniserve after SIGTERM: %v, want exit status 0", err)
	}
}

// TestSystemdAnalyze runs systemd-analyze verify on the unit, and its
// offline security review, where systemd is installed. verify prints
// a line for every unknown or misspelt directive (and exits 0 for those),
// so any output fails the test.
func TestSystemdAnalyze(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed; TestUnitLint still checks the unit")
	}
	bin := iniserveBin
	data, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	// verify checks that the program exists: point it at the one built.
	data = bytes.ReplaceAll(data, []byte("/usr/local/bin/iniserve"), []byte(bin))
	path := filepath.Join(t.TempDir(), unitFile)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sa, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// exposure 0 (fully sandboxed) .. 10 (not at all); fail above 2.0
	out, err = exec.Command(sa, "--offline=yes", "--threshold=20", "security", path).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Errorf("systemd-analyze security: %v (threshold 2.0)\n%s", err, out)
	} else {
		t.Logf("systemd-analyze security: exposure %s", m[1])
	}
}
