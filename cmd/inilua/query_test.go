package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestQueryCommand(t *testing.T) {
	hosts, _ := sampleHosts(t, 3)
	inv := filepath.Join(t.TempDir(), "hosts.txt")
	var lines []string
	for _, h := range hosts {
		lines = append(lines, h.InventoryLine())
	}
	if err := os.WriteFile(inv, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// flags after the arguments, as in the docs
	code, out, errs := runLine(t, "query", "--inventory", inv, `C:\MAILSRV\MAILSRV.INI`, "$SYS", "TimeOut", "--type", "u32")
	if code != 0 {
		t.Fatalf("status %d, err %q", code, errs)
	}
	rows := strings.Split(out, "\n")
	if len(rows) < 4 || strings.Join(strings.Fields(rows[1]), " ") != "host1 900" ||
		strings.Join(strings.Fields(rows[3]), " ") != "host3 300" {
		t.Errorf("table:\n%s", out)
	}
	code, out, _ = runLine(t, "query", "--json", "--inventory", inv, "--hosts", "127.0.0.1:1", `C:\MAILSRV\MAILSRV.INI`, "$SYS", "TimeOut")
	var got struct {
		Groups []struct {
			Status string   `json:"status"`
			Hosts  []string `json:"hosts"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code != 2 || len(got.Groups) != 3 || got.Groups[2].Status != "unreachable" || got.Groups[2].Hosts[0] != "127.0.0.1:1" {
		t.Errorf("unreachable host: status %d, %s", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"query", "--inventory", inv, `C:\X.INI`}, "want FILE APPLICATION [KEY]"},
		{[]string{"query", "--inventory", inv, `C:\X.INI`, "A", "k", "--type", "u31"}, "--type"},
		{[]string{"query", `C:\X.INI`, "A", "k"}, "no hosts selected"},
	} {
		if code, _, errs := runLine(t, tc.args...); code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: status %d, err %q, want %q", tc.args, code, errs, tc.want)
		}
	}
	if code, out, _ := runLine(t, "query", "-h"); code != 0 || !strings.Contains(out, "usage: inilua query") || !strings.Contains(out, "--json") {
		t.Errorf("-h: %d %q", code, out)
	}
}
