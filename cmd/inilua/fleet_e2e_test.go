package main

// End-to-end test of inilua query, pull and diff (--lua) on three real
// iniserve processes on loopback: capture a change made on one host, turn
// it into a migration, run it on every host with inilua batch, and check
// that query, pull and diff never change a host.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/fleet"
	"github.com/inilua/inilua/inidiff"
)

func TestFleetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries and starts servers")
	}
	inilua, iniserve := buildBinaries(t)
	_, err := os.Stat(realFiles)
	haveReal := err == nil
	work := t.TempDir()
	pwFile := filepath.Join(work, "password")
	if err := os.WriteFile(pwFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const nHosts = 3
	var dirs []string
	var inv strings.Builder
	for i := range nHosts {
		dir := filepath.Join(work, fmt.Sprintf("host%d", i+1))
		if err := batch.WriteSampleHost(dir, i); err != nil {
			t.Fatal(err)
		}
		if haveReal {
			copyTree(t, filepath.Join(realFiles, "netchat"), filepath.Join(dir, "REAL"))
		}
		addr := startServer(t, iniserve, dir, pwFile, filepath.Join(work, "events.log"))
		fmt.Fprintf(&inv, "host%d addr=%s password_file=password\n", i+1, addr)
		dirs = append(dirs, dir)
	}
	invFile := filepath.Join(work, "hosts.txt")
	if err := os.WriteFile(invFile, []byte(inv.String()), 0o644); err != nil {
		t.Fatal(err)
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
	inventory := []string{"--inventory", invFile}
	with := func(args ...string) []string { return append(append([]string{args[0]}, inventory...), args[1:]...) }
	unchanged := func(when string, before []map[string][]byte) {
		t.Helper()
		for i, d := range dirs {
			got := tree(t, d)
			if len(got) != len(before[i]) {
				t.Errorf("%s: host%d has %d files, had %d", when, i+1, len(got), len(before[i]))
			}
			for name, data := range before[i] {
				if !bytes.Equal(got[name], data) {
					t.Errorf("%s: host%d %s changed", when, i+1, name)
				}
			}
		}
	}
	snapshot := func() []map[string][]byte {
		var s []map[string][]byte
		for _, d := range dirs {
			s = append(s, tree(t, d))
		}
		return s
	}
	rows := func(out string) []string {
		var r []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			r = append(r, strings.Join(strings.Fields(l), " "))
		}
		return r
	}
	before := snapshot()

	// 1. query: drift in $SYS TimeOut (900, 900, 300), the majority first;
	// a missing file is a row, and is not created.
	out := run(0, with("query", `C:\MAILSRV\MAILSRV.INI`, "$SYS", "TimeOut", "--type", "u32", "--forks", "3")...)
	if r := rows(out); strings.Join(r[:4], "|") != "HOST VALUE|host1 900|host2 900|host3 300" {
		t.Errorf("query:\n%s", out)
	}
	out = run(0, with("query", "--json", `C:\MAILSRV\NOPE.INI`, "$SYS", "TimeOut")...)
	var q struct {
		Groups []struct {
			Status string   `json:"status"`
			Hosts  []string `json:"hosts"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &q); err != nil || len(q.Groups) != 1 || q.Groups[0].Status != "no_file" || len(q.Groups[0].Hosts) != 3 {
		t.Errorf("query of a missing file: %v\n%s", err, out)
	}
	run(1, with("query", `MAILSRV.INI`, "$SYS", "TimeOut")...) // relative: a usage error, as for pull
	out = run(0, with("query", `C:\MAILSRV\DOMAIN1.INI`, "Domain")...)
	if r := rows(out); r[0] != "HOST Name Postmaster Relay" || !strings.HasPrefix(r[1], `host1 "example.com\x00"`) {
		t.Errorf("query of an application:\n%s", out)
	}

	// 2. pull every file, as TNI, then again (nothing rewritten)
	pulled := filepath.Join(work, "pulled")
	masks := []string{`C:\MAILSRV\*.INI`, `C:\MAILSRV\*.TNI`, `C:\OS2\APPS.INI`}
	if haveReal {
		masks = append(masks, `C:\REAL\*.INI`)
	}
	out = run(0, append(with("pull", "--to", pulled), masks...)...)
	for i, d := range dirs {
		for name := range before[i] {
			local := filepath.Join(pulled, fmt.Sprintf("host%d", i+1), "C", filepath.FromSlash(name))
			got, err := fleet.ReadLocal(local)
			if err != nil {
				t.Errorf("pull: %v\n%s", err, out)
				continue
			}
			want, err := fleet.ReadLocal(filepath.Join(d, filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}
			if !inidiff.Same(got, want) || !got.SameContent(want) {
				t.Errorf("pull: host%d %s: the copy's entries differ", i+1, name)
			}
			if data, _ := os.ReadFile(local); !bytes.HasPrefix(data, []byte("[")) {
				t.Errorf("pull: %s is not TNI text", local)
			}
		}
	}
	if out2 := run(0, append(with("pull", "--to", pulled), masks...)...); strings.Count(out2, ", unchanged)") != strings.Count(out, " -> ") {
		t.Errorf("second pull rewrote files:\n%s", out2)
	}
	binDir := filepath.Join(work, "bin")
	run(0, with("pull", "--binary", "--to", binDir, `C:\MAILSRV\MAILSRV.INI`)...)
	if data, _ := os.ReadFile(filepath.Join(binDir, "host1", "C", "MAILSRV", "MAILSRV.INI")); !bytes.Equal(data, before[0]["MAILSRV/MAILSRV.INI"]) {
		t.Error("pull --binary: not byte-identical to the host's file (which is in the canonical layout)")
	}

	// 3. diff: a pulled copy against a host, and two hosts
	out = run(1, with("diff", filepath.Join(pulled, "host1", "C", "MAILSRV", "MAILSRV.INI"), `host3:C:\MAILSRV\MAILSRV.INI`)...)
	for _, w := range []string{"[$SYS] TimeOut: 0x84030000 (900) -> 0x2C010000 (300)", "[MailServer] MaxUsers: 0xFA000000 (250) -> 0x0E010000 (270)"} {
		if !strings.Contains(out, w) {
			t.Errorf("diff lacks %q:\n%s", w, out)
		}
	}
	run(0, with("diff", `host1:C:\OS2\APPS.INI`, `host2:C:\OS2\APPS.INI`)...)
	run(2, with("diff", `host1:C:\MAILSRV\NOPE.INI`, `host2:C:\OS2\APPS.INI`)...)
	unchanged("after query, pull and diff", before)

	// 4. a change made by hand on host1 ...
	hand := filepath.Join(work, "hand.lua")
	os.WriteFile(hand, []byte(`local s = ...
local f = s:open("C:\\MAILSRV\\MAILSRV.INI")
f:set("$SYS", "TimeOut", ini.u32(120))
f:set("MailServer", "Greeting", "Hello \"there\"\\\0")
f:delete("MailServer", "Ports")
f:delete("user1")
`), 0o644)
	run(0, with("batch", "--limit", "host1", hand)...)
	// ... captured as a migration from the copy pulled before it
	gen := filepath.Join(work, "gen.lua")
	script := run(1, with("diff", "--lua", filepath.Join(pulled, "host1", "C", "MAILSRV", "MAILSRV.INI"), `host1:C:\MAILSRV\MAILSRV.INI`)...)
	os.WriteFile(gen, []byte(script), 0o644)
	report := filepath.Join(work, "r.json")
	run(0, with("batch", "--report", report, gen, `file=C:\MAILSRV\MAILSRV.INI`)...)
	statuses := func() string {
		var s []string
		for _, h := range readReport(t, report).Hosts {
			s = append(s, h.Name+"="+h.Status)
		}
		return strings.Join(s, " ")
	}
	if got := statuses(); got != "host1=ok host2=changed host3=changed" {
		t.Errorf("migration statuses: %s", got)
	}
	run(0, with("batch", "--report", report, gen, `file=C:\MAILSRV\MAILSRV.INI`)...)
	if got := statuses(); got != "host1=ok host2=ok host3=ok" {
		t.Errorf("second run of the migration: %s", got)
	}
	out = run(0, with("query", `C:\MAILSRV\MAILSRV.INI`, "$SYS", "TimeOut", "--type", "u32")...)
	if r := rows(out); strings.Join(r[1:4], "|") != "host1 120|host2 120|host3 120" {
		t.Errorf("after the migration:\n%s", out)
	}
	// host2 now differs from host1 only where it did before the change
	out = run(1, with("diff", `host1:C:\MAILSRV\MAILSRV.INI`, `host2:C:\MAILSRV\MAILSRV.INI`)...)
	if strings.Count(strings.TrimSpace(out), "\n") != 3 || !strings.Contains(out, "MaxUsers") || !strings.Contains(out, "[host] Name") {
		t.Errorf("host1 vs host2 after the migration:\n%s", out)
	}

	// 5. a script made from a remote file runs without file= on every
	// host: DOMAIN1.INI as host3 has it (TimeOut 300)
	script = run(1, with("diff", "--lua", `host1:C:\MAILSRV\DOMAIN1.INI`, filepath.Join(pulled, "host3", "C", "MAILSRV", "DOMAIN1.INI"))...)
	os.WriteFile(gen, []byte(script), 0o644)
	run(0, with("batch", "--report", report, gen)...)
	if got := statuses(); got != "host1=changed host2=changed host3=ok" {
		t.Errorf("default-file migration statuses: %s", got)
	}
	run(0, with("diff", `host1:C:\MAILSRV\DOMAIN1.INI`, `host3:C:\MAILSRV\DOMAIN1.INI`)...)
}
