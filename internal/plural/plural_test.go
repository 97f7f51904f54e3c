package plural

import "testing"

func TestCountAndNoun(t *testing.T) {
	for _, c := range []struct {
		n          int
		count, one string
	}{{0, "0 keys", "keys"}, {1, "1 key", "key"}, {2, "2 keys", "keys"}, {-1, "-1 keys", "keys"}} {
		if got := Count(c.n, "key"); got != c.count {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.count)
		}
		if got := Noun(c.n, "key"); got != c.one {
			t.Errorf("Noun(%d) = %q, want %q", c.n, got, c.one)
		}
	}
}
