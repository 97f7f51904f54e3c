package repl

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Formatting limits for printed tables.
const (
	// maxDepth is how many levels of nested tables are printed; deeper
	// tables show as {...}.
	maxDepth = 4
	// maxEntries is how many entries of one table are printed; the rest
	// are counted in a "-- N more" line.
	maxEntries = 200
	// bytesPerLine is the width of a hex dump line.
	bytesPerLine = 16
)

// IsText reports whether a Lua string value prints as text: every byte is
// printable ASCII (0x20-0x7E), except that the last byte may be one NUL (a
// NUL-terminated INI string). The empty string is text. Anything else is
// binary and prints as a hex dump.
func IsText(s string) bool {
	s = strings.TrimSuffix(s, "\x00")
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// Quote returns s as a double-quoted Lua string literal that reads back as
// the same bytes: backslash and double quote are escaped, bytes outside
// printable ASCII are written as three-digit decimal escapes (\000), so the
// literal is valid whatever follows it.
func Quote(s string) string { return quoteWith(s, '"') }

// quoteWith returns s as a Lua string literal delimited by q (' or ").
func quoteWith(s string, q byte) string {
	var b strings.Builder
	b.WriteByte(q)
	b.WriteString(escapeLiteral(s, q))
	b.WriteByte(q)
	return b.String()
}

// escapeLiteral escapes s for use between quotes q in a Lua string
// literal (the quotes themselves are not added).
func escapeLiteral(s string, q byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == q:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c <= 0x7E:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	return b.String()
}

// HexDump formats binary bytes the way the REPL shows a binary value: lines
// of up to 16 bytes, each an offset column (4 uppercase hex digits, 8 when
// the value is 64 KiB or longer), two spaces, the bytes as two uppercase
// hex digits separated by single spaces, and the printable ASCII bytes
// between bars (others as "."). A value of 1, 2 or 4 bytes, the sizes of
// INI numbers, gets a comment with its little-endian decoding:
// "-- u8 N", "-- u16 N", "-- u32 N" (and "i32 -N" when the sign bit is
// set). The result has no final newline; an empty input gives "".
func HexDump(s string) string {
	var b strings.Builder
	width := 4
	if len(s) >= 0x10000 {
		width = 8
	}
	for off := 0; off < len(s); off += bytesPerLine {
		if off > 0 {
			b.WriteByte('\n')
		}
		end := min(off+bytesPerLine, len(s))
		fmt.Fprintf(&b, "%0*X  ", width, off)
		for i := off; i < end; i++ {
			if i > off {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%02X", s[i])
		}
		if len(s) > bytesPerLine {
			// pad the last line so the ASCII columns line up
			b.WriteString(strings.Repeat("   ", off+bytesPerLine-end))
		}
		b.WriteString("  |")
		for i := off; i < end; i++ {
			if s[i] >= 0x20 && s[i] <= 0x7E {
				b.WriteByte(s[i])
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('|')
	}
	if c := numberComment(s); c != "" {
		b.WriteString("  -- ")
		b.WriteString(c)
	}
	return b.String()
}

// numberComment decodes a 1, 2 or 4 byte value as the INI number types
// (little-endian); "" for other lengths.
func numberComment(s string) string {
	switch len(s) {
	case 1:
		return "u8 " + strconv.Itoa(int(s[0]))
	case 2:
		return "u16 " + strconv.Itoa(int(binary.LittleEndian.Uint16([]byte(s))))
	case 4:
		u := binary.LittleEndian.Uint32([]byte(s))
		c := "u32 " + strconv.FormatUint(uint64(u), 10)
		if int32(u) < 0 {
			c += ", i32 " + strconv.Itoa(int(int32(u)))
		}
		return c
	}
	return ""
}

// Formatter turns Lua values into the text the REPL prints. Describe, when
// not nil, gives the one-line summary of a host object (an INI file,
// application view or session of package luaapi) and reports whether v is
// one; other tables and userdata with a __tostring metamethod print its
// result, those with a __name metafield "NAME: 0x...", the rest as
// tostring does.
type Formatter struct {
	L        *lua.LState
	Describe func(v lua.LValue) (string, bool)
}

// Value formats v for printing at the top level: text strings quoted, binary
// strings as a HexDump, tables nested and sorted up to a depth of 4, host
// objects as their summary. The result may span several lines and has no
// final newline.
func (f *Formatter) Value(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok {
		if IsText(string(s)) {
			return Quote(string(s))
		}
		return HexDump(string(s))
	}
	var b strings.Builder
	f.write(&b, v, 0, map[*lua.LTable]bool{})
	return b.String()
}

// inline formats a string inside a table: text quoted, binary as an
// ini.unhex call so the output reads back as Lua.
func inline(s string) string {
	if IsText(s) {
		return Quote(s)
	}
	return fmt.Sprintf("ini.unhex(\"%X\")", s)
}

// summary returns the description of a host object or a value whose
// metatable has __tostring or __name; ok false for plain values.
func (f *Formatter) summary(v lua.LValue) (string, bool) {
	if f.Describe != nil {
		if s, ok := f.Describe(v); ok {
			return s, true
		}
	}
	switch v.(type) {
	case *lua.LTable, *lua.LUserData:
	default:
		return "", false
	}
	if fn, ok := f.L.GetMetaField(v, "__tostring").(*lua.LFunction); ok {
		if err := f.L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, v); err == nil {
			s := f.L.Get(-1)
			f.L.Pop(1)
			return lua.LVAsString(s), true
		}
	}
	if name, ok := f.L.GetMetaField(v, "__name").(lua.LString); ok {
		return fmt.Sprintf("%s: %p", string(name), v), true
	}
	return "", false
}

// write appends v at nesting level depth.
func (f *Formatter) write(b *strings.Builder, v lua.LValue, depth int, seen map[*lua.LTable]bool) {
	if s, ok := f.summary(v); ok {
		b.WriteString(s)
		return
	}
	switch x := v.(type) {
	case lua.LString:
		b.WriteString(inline(string(x)))
	case *lua.LTable:
		f.writeTable(b, x, depth, seen)
	default:
		b.WriteString(v.String())
	}
}

// tableEntry is one key/value pair of a table being printed.
type tableEntry struct{ k, v lua.LValue }

// keyRank orders key types: numbers, strings, booleans, then the rest.
func keyRank(v lua.LValue) int {
	switch v.(type) {
	case lua.LNumber:
		return 0
	case lua.LString:
		return 1
	case lua.LBool:
		return 2
	}
	return 3
}

// compareKeys sorts numbers ascending, strings by bytes, others by type
// then their tostring text.
func compareKeys(a, b lua.LValue) int {
	if c := cmp.Compare(keyRank(a), keyRank(b)); c != 0 {
		return c
	}
	switch x := a.(type) {
	case lua.LNumber:
		return cmp.Compare(float64(x), float64(b.(lua.LNumber)))
	case lua.LString:
		return strings.Compare(string(x), string(b.(lua.LString)))
	}
	return strings.Compare(a.String(), b.String())
}

// isIdent reports whether s is a Lua name that is not a keyword, so it can
// be written as a bare table key or field.
func isIdent(s string) bool {
	if s == "" || keywords[s] {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// keywords are the Lua 5.1 reserved words.
var keywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "if": true, "in": true, "local": true,
	"nil": true, "not": true, "or": true, "repeat": true, "return": true, "then": true,
	"true": true, "until": true, "while": true,
}

// writeTable prints t as a Lua table constructor: "{}" when empty, one line
// for a short array of scalars, otherwise one entry per line indented by two
// spaces per level. Cycles print as <cycle>, tables deeper than maxDepth as
// {...}.
func (f *Formatter) writeTable(b *strings.Builder, t *lua.LTable, depth int, seen map[*lua.LTable]bool) {
	if seen[t] {
		b.WriteString("<cycle>")
		return
	}
	var entries []tableEntry
	t.ForEach(func(k, v lua.LValue) { entries = append(entries, tableEntry{k, v}) })
	if len(entries) == 0 {
		b.WriteString("{}")
		return
	}
	if depth >= maxDepth {
		b.WriteString("{...}")
		return
	}
	slices.SortFunc(entries, func(x, y tableEntry) int { return compareKeys(x.k, y.k) })
	seen[t] = true
	defer delete(seen, t)

	// A sequence 1..n of short scalars prints on one line.
	if n := len(entries); n <= 16 && isSequence(entries) {
		parts := make([]string, 0, n)
		short := true
		for _, e := range entries {
			switch e.v.(type) {
			case *lua.LTable, *lua.LUserData:
				short = false
			}
			var s strings.Builder
			f.write(&s, e.v, depth+1, seen)
			parts = append(parts, s.String())
		}
		if line := "{ " + strings.Join(parts, ", ") + " }"; short && len(line) <= 72 && !strings.Contains(line, "\n") {
			b.WriteString(line)
			return
		}
	}
	indent := strings.Repeat("  ", depth+1)
	b.WriteString("{\n")
	for i, e := range entries {
		if i == maxEntries {
			fmt.Fprintf(b, "%s-- %d more\n", indent, len(entries)-maxEntries)
			break
		}
		b.WriteString(indent)
		switch k := e.k.(type) {
		case lua.LString:
			if isIdent(string(k)) {
				b.WriteString(string(k))
			} else {
				b.WriteString("[" + inline(string(k)) + "]")
			}
		case lua.LNumber:
			b.WriteString("[" + k.String() + "]")
		default:
			b.WriteString("[")
			f.write(b, k, depth+1, seen)
			b.WriteString("]")
		}
		b.WriteString(" = ")
		f.write(b, e.v, depth+1, seen)
		b.WriteString(",\n")
	}
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString("}")
}

// isSequence reports whether sorted entries have exactly the keys 1..n.
func isSequence(entries []tableEntry) bool {
	for i, e := range entries {
		if n, ok := e.k.(lua.LNumber); !ok || float64(n) != float64(i+1) {
			return false
		}
	}
	return true
}
