package batch

import (
	"strings"
	"testing"
)

// FuzzParseInventory: the inventory parser never panics, and every host it
// returns survives the trip through InventoryLine (the retry file) with
// the same name, address and variables.
//
//	go test -run '^$' -fuzz FuzzParseInventory ./batch
func FuzzParseInventory(f *testing.F) {
	for _, seed := range []string{
		sampleInventory,
		"a\n", "[g]\nb addr=h:1 x=\"q\\\"uote\" # c\n", "[::1]:5 v=1\n", "x addr=[fe80::1]:3560\n",
		"a x=1\na x=2\n", "[\n", "a \"\n", "a x=\"\\xff\\x00\"\n", "# only\n\n\t\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		hosts, err := ParseInventory("fuzz", "", strings.NewReader(in))
		if err != nil {
			return
		}
		var b strings.Builder
		for _, h := range hosts {
			b.WriteString(h.InventoryLine() + "\n")
		}
		again, err := ParseInventory("retry", "", strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("retry lines do not parse: %v\n%s", err, b.String())
		}
		if len(again) != len(hosts) {
			t.Fatalf("%d hosts, %d after the round trip\n%s", len(hosts), len(again), b.String())
		}
		for i, h := range hosts {
			g := again[i]
			if g.Name != h.Name || g.Address != h.Address || len(g.Vars) != len(h.Vars) {
				t.Fatalf("round trip %+v -> %+v", h, g)
			}
			for k, v := range h.Vars {
				if g.Vars[k] != v {
					t.Fatalf("%s: %s=%q came back as %q", h.Name, k, v, g.Vars[k])
				}
			}
		}
	})
}

// FuzzParseThreshold: never panics; a value it accepts prints back the same.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"5", "10%", "0", "100%", "101%", "-1", "x", "007", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err == nil && th.String() != s {
			t.Fatalf("%q parsed as %q", s, th.String())
		}
	})
}
