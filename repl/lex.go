package repl

import "strings"

// Token kinds of the completion lexer.
const (
	tName   = iota // identifier or keyword
	tString        // complete string literal; val is its value
	tOpen          // unterminated quoted string at the end of the line
	tNumber        // numeric literal; raw is its text
	tPunct         // any other single character (. : [ ] ( ) ...) or ".."
	tLong          // long string or comment, never completed
)

// token is one token of the text before the cursor.
type token struct {
	kind int
	raw  string // source text (for tOpen: the content after the quote)
	val  string // value of tString/tOpen literals
	q    byte   // quote of tString/tOpen
	// partialDec is set on tOpen when the content ends inside a decimal
	// escape of fewer than three digits, so a digit may not follow as is.
	partialDec bool
	// badEnd is set on tOpen when the content ends with a lone backslash.
	badEnd bool
}

// lexLine splits the text before the cursor into tokens the way Lua would,
// tolerating an unterminated string at the end (what completion inside a
// string literal works on). It returns ok false when the text ends inside
// a comment or long string, where nothing is completed.
func lexLine(s string) (toks []token, ok bool) {
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			return toks, false // a comment runs to the end of the line
		case c == '[' && longOpen(s[i:]) > 0:
			n := longOpen(s[i:])
			end := strings.Index(s[i+n:], "]"+strings.Repeat("=", n-2)+"]")
			if end < 0 {
				return toks, false
			}
			toks = append(toks, token{kind: tLong, raw: s[i : i+n+end+n]})
			i += n + end + n
		case c == '"' || c == '\'':
			t, n := lexString(s[i:])
			toks = append(toks, t)
			i += n
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, token{kind: tName, raw: s[i:j]})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (isAlnum(s[j]) || s[j] == '.' ||
				(s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			toks = append(toks, token{kind: tNumber, raw: s[i:j]})
			i = j
		case c == '.' && strings.HasPrefix(s[i:], ".."):
			j := i + 2
			if j < len(s) && s[j] == '.' {
				j++
			}
			toks = append(toks, token{kind: tPunct, raw: s[i:j]})
			i = j
		default:
			toks = append(toks, token{kind: tPunct, raw: s[i : i+1]})
			i++
		}
	}
	return toks, true
}

func isAlnum(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// longOpen returns the length of a long bracket opening ([[ or [=[ ...) at
// the start of s, which starts with "[", or 0.
func longOpen(s string) int {
	j := 1
	for j < len(s) && s[j] == '=' {
		j++
	}
	if j < len(s) && s[j] == '[' {
		return j + 1
	}
	return 0
}

// lexString reads a quoted string starting at s[0] and returns its token
// and length. Without a closing quote the token is tOpen and runs to the
// end of s.
func lexString(s string) (token, int) {
	q := s[0]
	var val strings.Builder
	i := 1
	for i < len(s) {
		c := s[i]
		switch {
		case c == q:
			return token{kind: tString, raw: s[:i+1], val: val.String(), q: q}, i + 1
		case c == '\\':
			if i+1 >= len(s) {
				return token{kind: tOpen, raw: s[1:], val: val.String(), q: q, badEnd: true}, len(s)
			}
			e := s[i+1]
			if e >= '0' && e <= '9' {
				j, n := i+1, 0
				for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '9' {
					n = n*10 + int(s[j]-'0')
					j++
				}
				val.WriteByte(byte(n))
				if j == len(s) && j-(i+1) < 3 {
					return token{kind: tOpen, raw: s[1:], val: val.String(), q: q, partialDec: true}, len(s)
				}
				i = j
				continue
			}
			if r, ok := simpleEscapes[e]; ok {
				val.WriteByte(r)
			} else {
				val.WriteByte(e)
			}
			i += 2
		default:
			val.WriteByte(c)
			i++
		}
	}
	return token{kind: tOpen, raw: s[1:], val: val.String(), q: q}, len(s)
}

// simpleEscapes are the one-letter escapes of Lua 5.1 strings.
var simpleEscapes = map[byte]byte{
	'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
	'\\': '\\', '"': '"', '\'': '\'', '\n': '\n',
}

// nesting follows, line by line, whether the statement read so far is
// certainly unfinished: a block (function, do, if, repeat) or bracket
// ((, {, [) still open, or a long string or comment, or a short string
// continued with a backslash, not yet closed. Valid complete code is never
// open; open code can still hold a syntax error, which the parser reports
// once the nesting closes or the input ends. It lets a long statement (a
// table of thousands of lines piped in) be parsed once instead of once a
// line.
type nesting struct {
	depth int  // open blocks and brackets
	long  int  // level of the open long string or comment; -1: none
	quote byte // quote of a short string continued on the next line
}

func newNesting() nesting { return nesting{long: -1} }

// open reports whether the lines scanned so far leave something open.
func (n *nesting) open() bool { return n.depth > 0 || n.long >= 0 || n.quote != 0 }

// blockWords change the block depth: +1 opens, -1 closes.
var blockWords = map[string]int{"function": 1, "do": 1, "if": 1, "repeat": 1, "end": -1, "until": -1}

// scan follows one line (without its newline).
func (n *nesting) scan(s string) {
	i := 0
	if n.long >= 0 {
		i = n.closeLong(s, 0)
	} else if n.quote != 0 {
		i = n.shortString(s, 0, n.quote)
	}
	for i < len(s) {
		c := s[i]
		switch {
		case n.long >= 0 || n.quote != 0:
			return
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			k := 0
			if strings.HasPrefix(s[i+2:], "[") {
				k = longOpen(s[i+2:])
			}
			if k == 0 {
				return // a comment to the end of the line
			}
			n.long = k - 2
			i = n.closeLong(s, i+2+k)
		case c == '[' && longOpen(s[i:]) > 0:
			k := longOpen(s[i:])
			n.long = k - 2
			i = n.closeLong(s, i+k)
		case c == '"' || c == '\'':
			i = n.shortString(s, i+1, c)
		case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
			i = skipNumber(s, i)
		case isAlnum(c):
			j := i + 1
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			n.depth += blockWords[s[i:j]]
			i = j
		case c == '(' || c == '{' || c == '[':
			n.depth++
			i++
		case c == ')' || c == '}' || c == ']':
			n.depth--
			i++
		default:
			i++
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipNumber returns the index after the numeric literal at s[i:] as
// gopher-lua's scanner reads it: 0x and hex digits, or decimal digits, an
// optional "." and an exponent, where the character after "." and after
// "e" (and its sign) is taken whatever it is.
func skipNumber(s string, i int) int {
	if strings.HasPrefix(s[i:], "0x") || strings.HasPrefix(s[i:], "0X") {
		i += 2
		for i < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[i]) >= 0 {
			i++
		}
		return i
	}
	decimals := func(i int) int { // the character at i, then digits
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
		return i
	}
	i = decimals(i)
	if i < len(s) && s[i] == '.' {
		i = decimals(i + 1)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		i = decimals(i)
	}
	return min(i, len(s))
}

// closeLong looks for the end of the open long string or comment from
// s[i:] and returns the index after it (len(s) when it stays open).
func (n *nesting) closeLong(s string, i int) int {
	end := "]" + strings.Repeat("=", n.long) + "]"
	k := strings.Index(s[i:], end)
	if k < 0 {
		return len(s)
	}
	n.long = -1
	return i + k + len(end)
}

// shortString reads a short string quoted by q from s[i:] (after its
// opening quote) and returns the index after its closing quote. A
// backslash at the end of the line continues the string on the next line;
// without one the string is unterminated, a syntax error the parser
// reports.
func (n *nesting) shortString(s string, i int, q byte) int {
	n.quote = 0
	for i < len(s) {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				n.quote = q
				return len(s)
			}
			i += 2
		case q:
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}
