package luapat

import (
	"errors"
	"testing"
)

// TestMatch checks Match's end offsets and captures on lstrlib.c cases.
func TestMatch(t *testing.T) {
	for _, c := range []struct {
		src, pat string
		at, end  int
		caps     []Capture
	}{
		{"hello world", "%w+", 0, 5, nil},
		{"hello world", "o w", 4, 7, nil},
		{"hello", "l*", 0, 0, nil},
		{"hello", "l+", 2, 4, nil},
		{"hello", "l-o", 2, 5, nil},
		{"hello", "x?h", 0, 1, nil},
		{"key = val", "(%w+)%s*=%s*(%w+)", 0, 9, []Capture{{0, 3}, {6, 3}}},
		{"abc", "()b()", 1, 2, []Capture{{1, Position}, {2, Position}}},
		{"f(a(b)c)", "%b()", 1, 8, nil},
		{"THE quick", "%f[%l]%a+", 4, 9, nil},
		{"abab", "(ab)%1", 0, 4, []Capture{{0, 2}}},
		{"abc", "abc$", 0, 3, nil},
		{"abcd", "abc$", 0, -1, nil},
		{"a]b", "[]]", 1, 2, nil},
		{"a-b", "[a%-]+", 0, 2, nil},
		{"x", "[^%a]", 0, -1, nil},
		{"\x00", "%z", 0, 1, nil},
	} {
		m := New(c.src, c.pat, nil)
		end, err := m.Match(c.at, 0)
		if err != nil || end != c.end {
			t.Errorf("%q ~ %q at %d: end %d, %v; want %d", c.src, c.pat, c.at, end, err, c.end)
			continue
		}
		if end == -1 {
			continue
		}
		if m.Level() != len(c.caps) {
			t.Errorf("%q ~ %q: %d captures, want %d", c.src, c.pat, m.Level(), len(c.caps))
			continue
		}
		for i, want := range c.caps {
			if got, err := m.Capture(i); err != nil || got != want {
				t.Errorf("%q ~ %q: capture %d = %v, %v; want %v", c.src, c.pat, i, got, err, want)
			}
		}
	}
}

// TestMatchErrors: malformed patterns give an *Error worded as Lua 5.1's.
func TestMatchErrors(t *testing.T) {
	for pat, want := range map[string]string{
		"%":   "malformed pattern (ends with '%')",
		"[a":  "malformed pattern (missing ']')",
		"a)":  "invalid pattern capture",
		"%1":  "invalid capture index",
		"%b":  "unbalanced pattern",
		"%fa": "missing '[' after '%f' in pattern",
		"(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))": "too many captures",
	} {
		_, err := New("a", pat, nil).Match(0, 0)
		var e *Error
		if !errors.As(err, &e) || e.Msg != want {
			t.Errorf("%q: %v, want %q", pat, err, want)
		}
	}
	// an unfinished capture is an error only for whoever reads it
	m := New("a", "(a", nil)
	if end, err := m.Match(0, 0); err != nil || end != 1 {
		t.Fatalf("(a: %d %v", end, err)
	}
	if _, err := m.Capture(0); err == nil {
		t.Error("unfinished capture read without an error")
	}
}

// TestCheckStops: Check's error ends a match that would take exponential
// time, within CheckEvery steps of being raised.
func TestCheckStops(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	src := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	pat := "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
	_, err := New(src, pat, func() error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	}).Match(0, 0)
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("err %v after %d checks, want %v after 3", err, calls, stop)
	}
}

// FuzzMatch: any subject and pattern give a result or an error, never a
// panic; steps are bounded through Check.
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{{"hello world", "%w+"}, {"f(a)", "%b()"}, {"x=1", "(%w+)=(%d)"}, {"ab", "%f[%a]"}, {"a", "[%"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, src, pat string) {
		steps := 0
		m := New(src, pat, func() error {
			if steps++; steps > 100 {
				return errors.New("too long")
			}
			return nil
		})
		p := 0
		if m.Anchored() {
			p = 1
		}
		for s := 0; s <= len(src); s++ {
			end, err := m.Match(s, p)
			if err != nil {
				return
			}
			if end != -1 {
				if end < s || end > len(src) {
					t.Fatalf("end %d outside %d..%d", end, s, len(src))
				}
				for i := range m.Level() {
					if c, err := m.Capture(i); err == nil && c.Len != Position && (c.Start < 0 || c.Start+c.Len > len(src)) {
						t.Fatalf("capture %d = %v outside the subject", i, c)
					}
				}
			}
		}
	})
}
