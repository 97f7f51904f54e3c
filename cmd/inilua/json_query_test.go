package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueryJSONReadByScript: what inilua query --json prints is read back
// by a script with json.decode (a follow-up migration acting on drift).
func TestQueryJSONReadByScript(t *testing.T) {
	hosts, _ := sampleHosts(t, 3)
	dir := t.TempDir()
	inv := filepath.Join(dir, "hosts.txt")
	var lines []string
	for _, h := range hosts {
		lines = append(lines, h.InventoryLine())
	}
	if err := os.WriteFile(inv, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runLine(t, "query", "--json", "--inventory", inv, `C:\MAILSRV\MAILSRV.INI`, "$SYS", "TimeOut")
	if code != 0 {
		t.Fatalf("query: status %d, %s", code, errs)
	}
	q := filepath.Join(dir, "query.json")
	if err := os.WriteFile(q, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "drift.lua")
	if err := os.WriteFile(script, []byte(`
		local q = json.decode(io.open(arg[1]):read("a"))
		local n = 0
		for _, g in ipairs(q.groups) do n = n + #g.hosts end
		print(#q.groups >= 1, n)
	`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, got, errs := runLine(t, script, q)
	if code != 0 || got != "true\t3\n" {
		t.Fatalf("script: status %d, output %q, %s", code, got, errs)
	}
}
