package ini

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Name length limits of the reference TNI reader (spec §3.2, §3.7): longer
// names are truncated by GenINI, so the writer refuses them (§4.7 W5) even
// though our own reader would read them whole.
const (
	maxTNIAppName   = 256 // application names and [key] block names
	maxTNIKeyName   = 128 // key names of key=value lines
	maxTNIBlockElem = 506 // string-of-strings element bytes (§4.7 W4)
)

// NameIssue is an application or key name that plain TNI cannot carry (spec
// §3.7, §4.7 W5). Key is nil when the application name itself is the
// problem (the whole application is concerned); an empty key name is a
// non-nil empty slice.
type NameIssue struct {
	App    []byte
	Key    []byte
	Reason string
}

// String returns `application "A": reason` or `application "A" key "k":
// reason`, names quoted with Go escapes; a name over 64 bytes is cut to
// its first 64, followed by `... (N bytes)`.
func (n NameIssue) String() string {
	if n.Key == nil {
		return fmt.Sprintf("application %s: %s", quoteName(n.App), n.Reason)
	}
	return fmt.Sprintf("application %s key %s: %s", quoteName(n.App), quoteName(n.Key), n.Reason)
}

// UnrepresentableError is returned by MarshalTNI when names in the file
// cannot be written as TNI without being corrupted on reading (spec §3.7,
// §4.7 W5). Items lists every offending application or key, in output
// order. Nothing is written.
type UnrepresentableError struct {
	Items []NameIssue
}

// Error lists every item, separated by "; ".
func (e *UnrepresentableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "TNI cannot carry %d name(s): ", len(e.Items))
	for i, it := range e.Items {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(it.String())
	}
	return b.String()
}

// TNIOptions controls MarshalTNIWith.
type TNIOptions struct {
	// Format holds FMT format codes (spec §5); nil means none.
	Format *FormatFile
	// SkipUnrepresentable leaves out the applications and keys whose names
	// TNI cannot carry (reported in TNIReport.Skipped) instead of failing
	// with *UnrepresentableError.
	SkipUnrepresentable bool
	// TrustFormat applies FMT codes blindly, as DumpINI does, even where the
	// value does not survive reading back (spec §5.4: "'" on a value with a
	// NUL, "'0" on one without, "(N)" on an empty value, ...). By default
	// (false) a code is applied only when the value reads back unchanged,
	// otherwise the heuristic of §4.2 decides and a TNIReport note says so
	// (the spec's recommendation). In both modes (N) with a value length
	// that is not a multiple of N is written as hex (§4.7 W6), and a code
	// whose output could not be read at all ("'" on a value holding CR, LF
	// or Ctrl-Z, which DumpINI writes raw) is not applied.
	TrustFormat bool
}

// TNIReport tells what MarshalTNIWith left out or changed.
type TNIReport struct {
	// Skipped lists the names left out under SkipUnrepresentable.
	Skipped []NameIssue
	// Notes lists the FMT codes not applied as written and the keys
	// omitted by a "*" code.
	Notes []FormatNote
}

// FormatNote is one FMT code MarshalTNIWith did not apply as written.
type FormatNote struct {
	App, Key []byte
	Code     FormatCode
	Note     string
}

// String returns `application "A" key "k": FMT code ...: note`, names
// quoted as NameIssue.String does.
func (n FormatNote) String() string {
	return fmt.Sprintf("application %s key %s: FMT code %s: %s", quoteName(n.App), quoteName(n.Key), n.Code, n.Note)
}

// MarshalTNI encodes f as TNI text exactly as GenINI's DumpINI writes it
// (spec §4): applications and keys sorted by unsigned bytes, CRLF line
// endings, indentation 0/3/6/10/4, the value classification of §4.2 and
// the number, hex, string and string-of-strings layouts of §4.3-§4.6, with
// the defects W1-W7 of §4.7 fixed as the spec recommends. ff (may be nil)
// supplies FMT format codes (§5.3), applied only where the value reads back
// unchanged (TNIOptions.TrustFormat is false).
//
// Two more fixes of ours, both read by GenINI as intended: a continuation
// line of a long string that would begin with '[' is quoted (after a '+' our
// reader refuses a line starting with '[', §3.9 item 4), and a string of
// strings whose key cannot be a block header (it starts with '/') is
// written as key=(X) ... instead.
//
// Names (§3.7, W5): an application name must be 1..256 bytes, a key name
// 1..128 bytes (1..256 for a [key] block), and no name may hold CR, LF, NUL
// or Ctrl-Z; a key=value name must not start with a space, TAB, BACKSPACE
// or '[' nor contain '='. GenINI truncates longer names on reading, so the
// limits hold although our own reader has none.
//
// An empty file gives 0 bytes; an application without keys gives its
// header line directly followed by its closing tag. A file with names TNI
// cannot carry gives *UnrepresentableError listing each of them (use
// MarshalTNIWith with SkipUnrepresentable to write the rest).
func (f *File) MarshalTNI(ff *FormatFile) ([]byte, error) {
	data, _, err := f.MarshalTNIWith(TNIOptions{Format: ff})
	return data, err
}

// MarshalTNIWith is MarshalTNI with options; it also reports the names
// skipped and the FMT codes not applied. The error is
// *UnrepresentableError (only without SkipUnrepresentable).
func (f *File) MarshalTNIWith(opts TNIOptions) ([]byte, TNIReport, error) {
	w := tniWriter{opts: opts}
	size := 0
	for _, a := range f.Apps {
		size += 2*len(a.Name) + 8
		for _, e := range a.Entries {
			size += len(e.Key) + tniSizeHint(e.Value)
		}
	}
	w.out = make([]byte, 0, size)

	byName := func(a, b *Application) int { return bytes.Compare(a.Name, b.Name) }
	apps := f.Apps
	if !slices.IsSortedFunc(apps, byName) {
		apps = slices.Clone(f.Apps)
		slices.SortFunc(apps, byName)
	}
	var issues []NameIssue
	var order []int
	for _, a := range apps {
		if why := tniAppNameIssue(a.Name); why != "" {
			issues = append(issues, NameIssue{App: a.Name, Reason: why})
			continue
		}
		w.out = append(w.out, '[')
		w.out = append(w.out, a.Name...)
		w.out = append(w.out, "]\r\n"...)
		order = order[:0]
		for i := range a.Entries {
			order = append(order, i)
		}
		byKey := func(i, j int) int { return bytes.Compare(a.Entries[i].Key, a.Entries[j].Key) }
		if !slices.IsSortedFunc(order, byKey) { // files read from TNI are sorted already
			slices.SortFunc(order, byKey)
		}
		for _, i := range order {
			e := &a.Entries[i]
			if why := w.entry(a.Name, e.Key, e.Value); why != "" {
				key := e.Key
				if key == nil {
					key = []byte{}
				}
				issues = append(issues, NameIssue{App: a.Name, Key: key, Reason: why})
			}
		}
		w.out = append(w.out, "[/"...)
		w.out = append(w.out, a.Name...)
		w.out = append(w.out, "]\r\n"...)
	}
	if len(issues) > 0 && !opts.SkipUnrepresentable {
		return nil, TNIReport{Notes: w.notes}, &UnrepresentableError{Items: issues}
	}
	return w.out, TNIReport{Skipped: issues, Notes: w.notes}, nil
}

// tniSizeHint estimates the bytes of the key line or block that value v
// takes (without the key name), for sizing the output once: a string is
// written about as it is (plus quotes and a continuation line per 60
// bytes), anything else is assumed to be hex (3 bytes per byte plus a
// continuation per 26 bytes).
func tniSizeHint(v []byte) int {
	n := len(v)
	if n <= 4 {
		return 24
	}
	if p := tniPrintable(v); p >= n-1 {
		return n + 16*(n/60) + 16
	}
	return 3*n + 8*(n/26) + 16
}

// tniAppNameIssue says why an application name cannot be a TNI header
// "[name]" / closing tag "[/name]", or "" when it can (spec §3.7).
func tniAppNameIssue(name []byte) string {
	switch {
	case len(name) == 0:
		return "empty name (read back as \"?\")"
	case len(name) > maxTNIAppName:
		return fmt.Sprintf("name longer than %d bytes (GenINI truncates it)", maxTNIAppName)
	}
	return tniBadBytes(name)
}

// tniKeyNameIssue says why a key name cannot start a "key=value" line, or
// "" when it can (spec §3.7).
func tniKeyNameIssue(key []byte) string {
	switch {
	case len(key) == 0:
		return "empty name"
	case len(key) > maxTNIKeyName:
		return fmt.Sprintf("name longer than %d bytes (GenINI truncates it)", maxTNIKeyName)
	case key[0] == ' ' || key[0] == '\t' || key[0] == '\b':
		return "name starts with a space, TAB or BACKSPACE (stripped as indentation)"
	case key[0] == '[':
		return "name starts with '[' (read as a block header or closing tag)"
	case bytes.IndexByte(key, '=') >= 0:
		return "name contains '=' (the line is split at the first '=')"
	}
	return tniBadBytes(key)
}

// tniBlockNameIssue says why a key name cannot be a string-of-strings block
// header "[key]", or "" when it can (spec §3.7).
func tniBlockNameIssue(key []byte) string {
	switch {
	case len(key) == 0:
		return "empty name"
	case len(key) > maxTNIAppName:
		return fmt.Sprintf("name longer than %d bytes (GenINI truncates it)", maxTNIAppName)
	case key[0] == '/':
		return "name starts with '/' (the block header would close the application)"
	}
	return tniBadBytes(key)
}

// tniBadBytes reports the bytes no TNI line can hold: CR, LF, NUL and
// Ctrl-Z (§3.7; our reader refuses Ctrl-Z inside a line, §3.9 item 8).
func tniBadBytes(name []byte) string {
	for _, c := range name {
		switch c {
		case '\r', '\n':
			return "name contains CR or LF"
		case 0:
			return "name contains NUL"
		case 0x1A:
			return "name contains Ctrl-Z (0x1A)"
		}
	}
	return ""
}

// tniKind is the way a value is written (spec §4.2).
type tniKind int

const (
	tniString tniKind = iota
	tniString0
	tniNumeric
	tniHex
	tniStrings
)

// tniClassify is the heuristic of spec §4.2 with the fixes W3 and W4. For
// tniNumeric the width is len(v).
func tniClassify(v []byte) tniKind {
	n := len(v)
	switch {
	case n == 0:
		return tniString
	case n <= 4:
		return tniNumeric
	}
	p := tniPrintable(v)
	if p == n {
		return tniString
	}
	if p == n-1 && v[n-1] == 0 {
		return tniString0
	}
	if tniIsStrings(v) {
		return tniStrings
	}
	return tniHex
}

// tniPrintable returns the length of the prefix of v made of bytes
// 0x20..0x7E. It tests eight bytes at a time (a word with a byte below
// 0x20, or above 0x7E, has a high bit set in the tests below; see "Bit
// Twiddling Hacks", hasless and hasmore) and finds the exact byte in the
// first word that fails.
func tniPrintable(v []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := binary.LittleEndian.Uint64(v[i:])
		if ((x-ones*0x20)&^x|(x+ones*(0x7F-0x7E)|x))&highs != 0 {
			break
		}
	}
	for ; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7E {
			return i
		}
	}
	return len(v)
}

// tniIsStrings reports whether v is S1 00 ... Sn 00 00 with n >= 1 and
// every Si non-empty and printable (§4.2 rule 4), no Si starting with a
// space or "[/" (W3) and none longer than 506 bytes (W4).
func tniIsStrings(v []byte) bool {
	n := len(v)
	if n < 3 || v[n-1] != 0 || v[n-2] != 0 {
		return false
	}
	v = v[:n-1]
	for len(v) > 0 {
		p := tniPrintable(v)
		if p == 0 || p > maxTNIBlockElem || p == len(v) || v[p] != 0 ||
			v[0] == ' ' || (p > 1 && v[0] == '[' && v[1] == '/') {
			return false
		}
		v = v[p+1:]
	}
	return true
}

// tniWriter accumulates TNI output.
type tniWriter struct {
	opts  TNIOptions
	out   []byte
	notes []FormatNote
}

// entry writes one key; it returns why the key name cannot be written ("" on
// success), in which case nothing is written.
func (w *tniWriter) entry(app, key, v []byte) string {
	if code, ok := w.opts.Format.Code(app, key); ok {
		switch code.Kind {
		case CodeOmit:
			w.note(app, key, code, "key omitted")
			return ""
		case CodeHex:
			// no effect (§5.3)
		default:
			if done, why := w.override(app, key, v, code); done || why != "" {
				return why
			}
		}
	}
	kind := tniClassify(v)
	if kind == tniStrings && tniBlockNameIssue(key) != "" && tniKeyNameIssue(key) == "" {
		kind = tniHex // ours: a key like "/x" can still be written as key=(X) ...
	}
	if kind == tniString0 {
		v = v[:len(v)-1]
	}
	return w.value(key, v, kind, len(v))
}

// override writes v with FMT code. done reports that it did; otherwise the
// caller falls back to the heuristic (a note says why).
func (w *tniWriter) override(app, key, v []byte, code FormatCode) (done bool, why string) {
	var kind tniKind
	width := 0
	orig := v
	switch code.Kind {
	case CodeString:
		kind, v = tniString, tniCutNUL(v)
	case CodeString0:
		kind, v = tniString0, tniCutNUL(v)
	case CodeStringOfStrings:
		kind = tniStrings
	case CodeNumeric:
		kind, width = tniNumeric, code.Width
		if width < 1 || width > 65535 {
			w.note(app, key, code, "invalid width, code ignored (§4.7 W7)")
			return false, ""
		}
		if len(v)%width != 0 {
			if why := tniKeyNameIssue(key); why != "" {
				return false, ""
			}
			w.note(app, key, code, fmt.Sprintf("value length %d is not a multiple of %d, written as hex (§4.7 W6)", len(v), width))
			return true, w.value(key, v, tniHex, 0)
		}
	default:
		return false, ""
	}
	nameIssue := tniKeyNameIssue
	if kind == tniStrings {
		nameIssue = tniBlockNameIssue
	}
	if nameIssue(key) != "" {
		w.note(app, key, code, "the key name cannot be written in this form, code ignored")
		return false, ""
	}
	start := len(w.out)
	w.value(key, v, kind, width)
	r := newTNIReader(w.out[start:])
	got, err := r.entry()
	switch {
	case err != nil || r.pos != len(r.data):
		w.out = w.out[:start]
		w.note(app, key, code, "the value would make the file unreadable (CR, LF, Ctrl-Z ...), written by the heuristic")
		return false, ""
	case !w.opts.TrustFormat && !bytes.Equal(got, orig):
		w.out = w.out[:start]
		w.note(app, key, code, "the value would not read back unchanged, written by the heuristic (§5.4)")
		return false, ""
	}
	return true, ""
}

// entry reads back one key written by tniWriter.value and returns its value
// (used to check that an FMT override is lossless).
func (r *tniReader) entry() ([]byte, error) {
	l, ok, err := r.next()
	if err != nil || !ok {
		return nil, fmt.Errorf("no key line")
	}
	if l[0] == '[' {
		key, err := r.headerName(l, "block key")
		if err != nil {
			return nil, err
		}
		return r.block(key, r.line)
	}
	eq := bytes.IndexByte(l, '=')
	if eq <= 0 {
		return nil, fmt.Errorf("no key line")
	}
	return r.value(l[eq+1:])
}

func (w *tniWriter) note(app, key []byte, code FormatCode, s string) {
	w.notes = append(w.notes, FormatNote{App: app, Key: key, Code: code, Note: s})
}

// tniCutNUL returns v up to its first NUL (PruneString, §4.5).
func tniCutNUL(v []byte) []byte {
	if i := bytes.IndexByte(v, 0); i >= 0 {
		return v[:i]
	}
	return v
}

// value writes key with v in the given form; width is the item width for
// tniNumeric. For tniString v must already be cut at its first NUL; for
// tniString0 it is the string without its terminating NUL. It returns why the key name
// cannot be written in that form, writing nothing then.
func (w *tniWriter) value(key, v []byte, kind tniKind, width int) string {
	if kind == tniStrings {
		if why := tniBlockNameIssue(key); why != "" {
			return why
		}
		w.block(key, v)
		return ""
	}
	if why := tniKeyNameIssue(key); why != "" {
		return why
	}
	w.out = append(w.out, "   "...)
	w.out = append(w.out, key...)
	w.out = append(w.out, '=')
	switch kind {
	case tniString:
		if len(v) > 0 {
			w.emit(v, false, false, true)
		}
	case tniString0:
		if len(v) == 0 {
			w.out = append(w.out, "''"...)
		} else {
			w.emit(v, true, false, true)
		}
		w.out = append(w.out, '0')
	case tniNumeric:
		w.numbers(key, v, width)
	case tniHex:
		w.hex(key, v)
	}
	w.out = append(w.out, "\r\n"...)
	return ""
}

// numbers writes v as width-byte little-endian unsigned decimals (§4.3),
// wrapping as DumpINI does but never before the first item (W2 fix).
// len(v) is a multiple of width.
func (w *tniWriter) numbers(key, v []byte, width int) {
	counter := len(key) + 4
	if width != 4 {
		start := len(w.out)
		w.out = append(w.out, '(')
		w.out = strconv.AppendInt(w.out, int64(width), 10)
		w.out = append(w.out, ')')
		counter = len(w.out) - start
	}
	var n big.Int
	var be []byte
	for i := 0; i < len(v); i += width {
		if i > 0 {
			w.out = append(w.out, ' ')
			if counter >= 80 {
				w.out = append(w.out, " +\r\n    "...)
				counter = 4
			}
		}
		start := len(w.out)
		item := v[i : i+width]
		if width <= 8 {
			var x uint64
			for j := width - 1; j >= 0; j-- {
				x = x<<8 | uint64(item[j])
			}
			w.out = strconv.AppendUint(w.out, x, 10)
		} else {
			be = append(be[:0], item...)
			slices.Reverse(be)
			w.out = n.SetBytes(be).Append(w.out, 10)
		}
		counter += len(w.out) - start
	}
}

// tniHexDigits are the upper-case digits DumpINI writes (§4.4).
const tniHexDigits = "0123456789ABCDEF"

// hex writes v as "(X) 01 02 ..." (§4.4), never wrapping before the first
// byte (W2 fix). DumpINI wraps before a byte once the line's counter
// (key length + 7 on the first line, 4 on the next ones, +3 per byte)
// reaches 80: the first line holds at least one byte, every continuation
// line 26. The output is sized first and filled three bytes at a time.
func (w *tniWriter) hex(key, v []byte) {
	w.out = append(w.out, "(X)"...)
	if len(v) == 0 {
		return
	}
	const wrap = " +\r\n    "
	first := min(max(1, (80-(len(key)+7)+2)/3), len(v)) // bytes on the first line
	wraps := (len(v) - first + 25) / 26
	at := len(w.out)
	w.out = slices.Grow(w.out, 3*len(v)+len(wrap)*wraps+1)[:at+3*len(v)+len(wrap)*wraps+1]
	dst := w.out[at:]
	line := v[:first]
	rest := v[first:]
	for {
		putHexTriples(dst, line)
		dst = dst[3*len(line):]
		if len(rest) == 0 {
			break
		}
		copy(dst, wrap)
		dst = dst[len(wrap):]
		line, rest = rest[:min(26, len(rest))], rest[min(26, len(rest)):]
	}
	w.out = w.out[:len(w.out)-1] // the spare byte of the last 4-byte store
}

// putHexTriples writes " XY" for each byte of src (upper-case digits) to
// dst, which must hold 3*len(src)+1 bytes (each store writes 4).
func putHexTriples(dst, src []byte) {
	_ = dst[3*len(src)]
	for i, c := range src {
		binary.LittleEndian.PutUint32(dst[3*i:], tniHexTriples[c])
	}
}

// tniHexTriples maps a byte to " XY" in the low three bytes of a
// little-endian word.
var tniHexTriples = func() (t [256]uint32) {
	for i := range t {
		t[i] = ' ' | uint32(tniHexDigits[i>>4])<<8 | uint32(tniHexDigits[i&15])<<16
	}
	return
}()

// block writes a string-of-strings block (§4.6): the elements up to the
// first empty one.
func (w *tniWriter) block(key, v []byte) {
	w.out = append(w.out, "   ["...)
	w.out = append(w.out, key...)
	w.out = append(w.out, "]\r\n"...)
	for len(v) > 0 {
		i := bytes.IndexByte(v, 0)
		if i == 0 {
			break
		}
		if i < 0 {
			i = len(v)
		}
		w.out = append(w.out, "      "...)
		w.out = append(w.out, v[:i]...)
		w.out = append(w.out, "\r\n"...)
		v = v[min(i+1, len(v)):]
	}
	w.out = append(w.out, "   [/"...)
	w.out = append(w.out, key...)
	w.out = append(w.out, "]\r\n"...)
}

// emit writes string s with DumpINI's chunking and quoting rules (§4.5
// Emit), passing plus to the last part of a split chunk (W1 fix) and
// quoting a continuation chunk that starts with '['.
func (w *tniWriter) emit(s []byte, force, plus, first bool) {
	for len(s) > 60 {
		w.emit(s[:60], false, true, first)
		w.out = append(w.out, "\r\n          "...)
		first = false
		s = s[60:]
	}
	a := bytes.IndexByte(s, '\'')
	d := bytes.IndexByte(s, '"')
	if a >= 0 && d >= 0 {
		m := max(a, d)
		w.emit(s[:m], false, true, first)
		w.out = append(w.out, ' ')
		w.emit(s[m:], force, plus, false)
		return
	}
	var q byte
	switch {
	case a >= 0:
		q = '"'
	case d >= 0 || plus || len(s) == 0 || first && (s[0] == '(' || s[0] >= '0' && s[0] <= '9'):
		q = '\''
	case bytes.IndexByte(s, ' ') >= 0:
		q = '\''
	case !first && s[0] == '[':
		q = '\''
	case force:
		q = '\''
	}
	if q != 0 {
		w.out = append(w.out, q)
		w.out = append(w.out, s...)
		w.out = append(w.out, q)
	} else {
		w.out = append(w.out, s...)
	}
	if plus {
		w.out = append(w.out, " +"...)
	}
}
