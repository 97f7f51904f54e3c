package batch

import (
	"strings"
	"testing"
)

// FuzzParseInventory: the inventory parser never panics, and every host it
// returns survives the trip through WriteInventory (the retry file) with
// the same name, address, variables and groups.
//
//	go test -run '^$' -fuzz FuzzParseInventory ./batch
func FuzzParseInventory(f *testing.F) {
	for _, seed := range []string{
		sampleInventory,
		"a\n", "[g]\nb addr=h:1 x=\"q\\\"uote\" # c\n", "[::1]:5 v=1\n", "x addr=[fe80::1]:3560\n",
		"a x=1\na x=2\n", "[g1]\na\n[g2]\nb\na\n", "[m]\nA\n[e]\nA\nB\n[m]\nB\n", "[\n", "a \"\n", "a x=\"\\xff\\x00\"\n", "# only\n\n\t\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		hosts, err := ParseInventory("fuzz", "", strings.NewReader(in))
		if err != nil {
			return
		}
		checkRoundTrip(t, hosts)
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
