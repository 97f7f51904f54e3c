package luapat

import (
	"errors"
	"fmt"
)

// MaxCaptures is the most captures a pattern may have (LUA_MAXCAPTURES).
const MaxCaptures = 32

// CheckEvery is how many matcher steps pass between calls of
// Matcher.Check.
const CheckEvery = 1 << 12

// maxDepth bounds the matcher's recursion (one level per pattern item
// that backtracks: ?, *, +, -, captures), so that a huge pattern raises an
// error instead of exhausting the Go stack.
const maxDepth = 1 << 14

// Position is the Len of a position capture "()".
const Position = -2

// unfinished is the Len of a capture whose ")" has not been matched yet.
const unfinished = -1

// Capture is one capture of a match: the bytes Src[Start:Start+Len], or,
// when Len is Position, the position Start (0-based; Lua shows Start+1).
type Capture struct {
	Start, Len int
}

// Error is a malformed pattern or an invalid capture reference, worded as
// Lua 5.1 words it ("malformed pattern (missing ']')").
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// ErrTooComplex is returned when the pattern nests deeper than the
// matcher's recursion bound.
var ErrTooComplex = errors.New("pattern too complex")

// Matcher matches one pattern against one subject. It is not safe for
// concurrent use.
type Matcher struct {
	src, pat string
	// Check, when not nil, is called every CheckEvery steps; a non-nil
	// error ends the match, returned by Match.
	Check func() error
	steps int
	depth int
	level int
	caps  [MaxCaptures]Capture
}

// New returns a matcher of pat against src. check may be nil.
func New(src, pat string, check func() error) *Matcher {
	return &Matcher{src: src, pat: pat, Check: check}
}

// Anchored reports whether the pattern starts with "^" (find, match and
// gsub then try only the first position, and the pattern proper starts
// at offset 1).
func (m *Matcher) Anchored() bool { return len(m.pat) > 0 && m.pat[0] == '^' }

// Match tries the pattern, from pattern offset p (1 after an anchor), at
// subject offset s. It returns the end offset of the match, or -1 when
// it does not match there; err is an *Error for a malformed pattern,
// ErrTooComplex, or the error of Check.
func (m *Matcher) Match(s, p int) (end int, err error) {
	m.level = 0
	m.depth = 0
	defer func() {
		if v := recover(); v != nil {
			e, ok := v.(abort)
			if !ok {
				panic(v)
			}
			end, err = -1, e.err
		}
	}()
	return m.match(s, p), nil
}

// Tick counts n steps of work done outside the matcher (a caller's loop
// over positions) and calls Check when due; it returns Check's error.
func (m *Matcher) Tick(n int) error {
	m.steps += n
	if m.steps >= CheckEvery {
		m.steps = 0
		if m.Check != nil {
			return m.Check()
		}
	}
	return nil
}

// Level returns the number of captures of the last successful match.
func (m *Matcher) Level() int { return m.level }

// Capture returns capture i (0-based) of the last successful match; i
// must be below Level. err is an *Error for an unfinished capture.
func (m *Matcher) Capture(i int) (Capture, error) {
	c := m.caps[i]
	if c.Len == unfinished {
		return c, &Error{"unfinished capture"}
	}
	return c, nil
}

// abort carries an error out of the recursive matcher.
type abort struct{ err error }

func (m *Matcher) fail(format string, args ...any) {
	panic(abort{&Error{fmt.Sprintf(format, args...)}})
}

// step counts one matcher step and calls Check when due.
func (m *Matcher) step() {
	m.steps++
	if m.steps >= CheckEvery {
		m.steps = 0
		if m.Check != nil {
			if err := m.Check(); err != nil {
				panic(abort{err})
			}
		}
	}
}

// at returns the pattern byte at p, or -1 past its end (C's '\0').
func (m *Matcher) at(p int) int {
	if p < len(m.pat) {
		return int(m.pat[p])
	}
	return -1
}

// char returns the subject byte at s, or 0 past its end (C's '\0').
func (m *Matcher) char(s int) int {
	if s < len(m.src) {
		return int(m.src[s])
	}
	return 0
}

func (m *Matcher) checkCapture(l int) int {
	l -= '1'
	if l < 0 || l >= m.level || m.caps[l].Len == unfinished {
		m.fail("invalid capture index")
	}
	return l
}

func (m *Matcher) captureToClose() int {
	for level := m.level - 1; level >= 0; level-- {
		if m.caps[level].Len == unfinished {
			return level
		}
	}
	m.fail("invalid pattern capture")
	return 0
}

// classEnd returns the offset just after the single-char class at p.
func (m *Matcher) classEnd(p int) int {
	c := m.at(p)
	p++
	switch c {
	case '%':
		if p >= len(m.pat) {
			m.fail("malformed pattern (ends with '%%')")
		}
		return p + 1
	case '[':
		if m.at(p) == '^' {
			p++
		}
		for { // look for a ']'
			if p >= len(m.pat) {
				m.fail("malformed pattern (missing ']')")
			}
			c := m.pat[p]
			p++
			if c == '%' && p < len(m.pat) {
				p++ // skip escapes (e.g. '%]')
			}
			if m.at(p) == ']' {
				break
			}
		}
		return p + 1
	}
	return p
}

func isalpha(c int) bool  { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isdigit(c int) bool  { return c >= '0' && c <= '9' }
func islower(c int) bool  { return c >= 'a' && c <= 'z' }
func isupper(c int) bool  { return c >= 'A' && c <= 'Z' }
func isspace(c int) bool  { return c == ' ' || c >= '\t' && c <= '\r' }
func iscntrl(c int) bool  { return c < 32 || c == 127 }
func isalnum(c int) bool  { return isalpha(c) || isdigit(c) }
func ispunct(c int) bool  { return c > 32 && c < 127 && !isalnum(c) }
func isxdigit(c int) bool { return isdigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// matchClass reports whether c is in the class %cl.
func matchClass(c, cl int) bool {
	var res bool
	lower := cl
	if isupper(cl) {
		lower = cl + 'a' - 'A'
	}
	switch lower {
	case 'a':
		res = isalpha(c)
	case 'c':
		res = iscntrl(c)
	case 'd':
		res = isdigit(c)
	case 'l':
		res = islower(c)
	case 'p':
		res = ispunct(c)
	case 's':
		res = isspace(c)
	case 'u':
		res = isupper(c)
	case 'w':
		res = isalnum(c)
	case 'x':
		res = isxdigit(c)
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if isupper(cl) {
		return !res
	}
	return res
}

// matchBracketClass reports whether c is in the set [...] from p (the
// '[') to ec (the ']').
func (m *Matcher) matchBracketClass(c, p, ec int) bool {
	sig := true
	if m.at(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		switch {
		case m.pat[p] == '%':
			p++
			if matchClass(c, m.at(p)) {
				return sig
			}
		case m.at(p+1) == '-' && p+2 < ec:
			p += 2
			if int(m.pat[p-2]) <= c && c <= int(m.pat[p]) {
				return sig
			}
		case int(m.pat[p]) == c:
			return sig
		}
	}
	return !sig
}

// singleMatch reports whether the subject byte c matches the class from
// p to ep.
func (m *Matcher) singleMatch(c, p, ep int) bool {
	switch m.pat[p] {
	case '.':
		return true
	case '%':
		return matchClass(c, m.at(p+1))
	case '[':
		return m.matchBracketClass(c, p, ep-1)
	}
	return int(m.pat[p]) == c
}

func (m *Matcher) matchBalance(s, p int) int {
	if p+1 >= len(m.pat) {
		m.fail("unbalanced pattern")
	}
	if s >= len(m.src) || m.src[s] != m.pat[p] {
		return -1
	}
	b, e := m.pat[p], m.pat[p+1]
	cont := 1
	for s++; s < len(m.src); s++ {
		m.step()
		switch m.src[s] {
		case e:
			if cont--; cont == 0 {
				return s + 1
			}
		case b:
			cont++
		}
	}
	return -1
}

func (m *Matcher) maxExpand(s, p, ep int) int {
	i := 0
	for s+i < len(m.src) && m.singleMatch(int(m.src[s+i]), p, ep) {
		m.step()
		i++
	}
	for ; i >= 0; i-- { // try with the longest, then shorter
		if res := m.match(s+i, ep+1); res != -1 {
			return res
		}
	}
	return -1
}

func (m *Matcher) minExpand(s, p, ep int) int {
	for {
		if res := m.match(s, ep+1); res != -1 {
			return res
		}
		if s < len(m.src) && m.singleMatch(int(m.src[s]), p, ep) {
			s++
		} else {
			return -1
		}
	}
}

func (m *Matcher) startCapture(s, p, what int) int {
	level := m.level
	if level >= MaxCaptures {
		m.fail("too many captures")
	}
	m.caps[level] = Capture{Start: s, Len: what}
	m.level = level + 1
	res := m.match(s, p)
	if res == -1 {
		m.level-- // undo capture
	}
	return res
}

func (m *Matcher) endCapture(s, p int) int {
	l := m.captureToClose()
	m.caps[l].Len = s - m.caps[l].Start
	res := m.match(s, p)
	if res == -1 {
		m.caps[l].Len = unfinished // undo capture
	}
	return res
}

func (m *Matcher) matchCapture(s, l int) int {
	l = m.checkCapture(l)
	n := m.caps[l].Len
	if n >= 0 && len(m.src)-s >= n && m.src[m.caps[l].Start:m.caps[l].Start+n] == m.src[s:s+n] {
		return s + n
	}
	return -1
}

// match is lstrlib.c's match: the end of a match of pat[p:] at src[s:],
// or -1.
func (m *Matcher) match(s, p int) int {
	m.depth++
	if m.depth > maxDepth {
		panic(abort{ErrTooComplex})
	}
	defer func() { m.depth-- }()
	for {
		m.step()
		switch m.at(p) {
		case '(':
			if m.at(p+1) == ')' {
				return m.startCapture(s, p+2, Position)
			}
			return m.startCapture(s, p+1, unfinished)
		case ')':
			return m.endCapture(s, p+1)
		case -1: // end of pattern
			return s
		case '$':
			if p+1 == len(m.pat) {
				if s == len(m.src) {
					return s
				}
				return -1
			}
		case '%':
			switch c := m.at(p + 1); {
			case c == 'b':
				if s = m.matchBalance(s, p+2); s == -1 {
					return -1
				}
				p += 4
				continue
			case c == 'f':
				p += 2
				if m.at(p) != '[' {
					m.fail("missing '[' after '%%f' in pattern")
				}
				ep := m.classEnd(p)
				prev := 0
				if s > 0 {
					prev = int(m.src[s-1])
				}
				if m.matchBracketClass(prev, p, ep-1) || !m.matchBracketClass(m.char(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			case isdigit(c):
				if s = m.matchCapture(s, c); s == -1 {
					return -1
				}
				p += 2
				continue
			}
		}
		// default: a single-char class, maybe with a quantifier
		ep := m.classEnd(p)
		ok := s < len(m.src) && m.singleMatch(int(m.src[s]), p, ep)
		switch m.at(ep) {
		case '?':
			if ok {
				if res := m.match(s+1, ep+1); res != -1 {
					return res
				}
			}
			p = ep + 1
			continue
		case '*':
			return m.maxExpand(s, p, ep)
		case '+':
			if !ok {
				return -1
			}
			return m.maxExpand(s+1, p, ep)
		case '-':
			return m.minExpand(s, p, ep)
		}
		if !ok {
			return -1
		}
		s++
		p = ep
	}
}
