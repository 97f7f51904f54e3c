package ini

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
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
	out, rep, err := f.AppendTNI(nil, opts)
	if err != nil {
		return nil, rep, err
	}
	return out, rep, nil
}

// AppendTNI is MarshalTNIWith appending the TNI text to dst (which may be
// nil) and returning the extended slice, as strconv.AppendInt and
// hex.AppendEncode do: a caller that writes many files, or one file many
// times, reuses one buffer instead of allocating the output each time. On
// error (*UnrepresentableError) it returns dst unchanged; the bytes after
// len(dst) may have been overwritten.
func (f *File) AppendTNI(dst []byte, opts TNIOptions) ([]byte, TNIReport, error) {
	byName := func(a, b *Application) int { return bytes.Compare(a.Name, b.Name) }
	apps := f.Apps
	if !slices.IsSortedFunc(apps, byName) {
		apps = slices.Clone(f.Apps)
		slices.SortFunc(apps, byName)
	}
	total := 0
	for _, a := range apps {
		total += len(a.Entries)
	}
	b := tniBuffer{buf: dst[:cap(dst)], start: len(dst), n: len(dst), total: total}
	b.room(tniEstimate(apps, total))
	w := tniWriter{opts: opts}
	var issues []NameIssue
	var order []int
	for _, a := range apps {
		if why := tniAppNameIssue(a.Name); why != "" {
			issues = append(issues, NameIssue{App: a.Name, Reason: why})
			b.done += len(a.Entries)
			continue
		}
		b.room(len(a.Name) + 4)
		buf, n := b.buf, b.n
		buf[n] = '['
		n++
		n += copy(buf[n:], a.Name)
		buf[n], buf[n+1], buf[n+2] = ']', '\r', '\n'
		b.n = n + 3
		var codes map[string]FormatCode
		if opts.Format != nil {
			codes = opts.Format.apps[string(a.Name)]
		}
		es := a.Entries
		order = tniKeyOrder(es, order)
		for x := range es {
			e := &es[x]
			if order != nil {
				e = &es[order[x]]
			}
			b.done++
			if codes != nil {
				if _, ok := codes[string(e.Key)]; ok {
					w.out = b.buf[:b.n]
					if why := w.entry(a.Name, e.Key, e.Value); why != "" {
						issues = append(issues, tniKeyIssue(a.Name, e.Key, why))
					}
					b.buf, b.n = w.out[:cap(w.out)], len(w.out)
					continue
				}
			}
			kind, _ := tniChoose(e.Key, e.Value)
			if kind == tniSkip {
				issues = append(issues, tniKeyIssue(a.Name, e.Key, tniSkipReason(e.Key, e.Value)))
				continue
			}
			v := e.Value
			if kind == tniString0 {
				v = v[:len(v)-1]
			}
			b.room(tniBound(kind, len(e.Key), len(v)))
			b.n = tniPut(b.buf, b.n, kind, e.Key, v)
		}
		b.room(len(a.Name) + 5)
		buf, n = b.buf, b.n
		buf[n], buf[n+1] = '[', '/'
		n += 2
		n += copy(buf[n:], a.Name)
		buf[n], buf[n+1], buf[n+2] = ']', '\r', '\n'
		b.n = n + 3
	}
	if len(issues) > 0 && !opts.SkipUnrepresentable {
		return dst, TNIReport{Notes: w.notes}, &UnrepresentableError{Items: issues}
	}
	return b.buf[:b.n], TNIReport{Skipped: issues, Notes: w.notes}, nil
}

// tniKeyIssue is the NameIssue of key (an empty, non-nil Key for a nil
// key, so that it names a key and not the application).
func tniKeyIssue(app, key []byte, why string) NameIssue {
	if key == nil {
		key = []byte{}
	}
	return NameIssue{App: app, Key: key, Reason: why}
}

// tniKeyOrder returns nil when the keys of es are sorted by unsigned bytes
// (files read from TNI are), otherwise the indexes of es in that order,
// reusing the storage of prev. The check compares the first eight bytes of
// each key as one number, the whole keys only when those are equal.
func tniKeyOrder(es []Entry, prev []int) []int {
	var last uint64
	for x := range es {
		cur := tniPrefix(es[x].Key)
		if cur < last || cur == last && x > 0 && bytes.Compare(es[x].Key, es[x-1].Key) < 0 {
			order := prev[:0]
			for i := range es {
				order = append(order, i)
			}
			slices.SortFunc(order, func(i, j int) int { return bytes.Compare(es[i].Key, es[j].Key) })
			return order
		}
		last = cur
	}
	return nil
}

// tniEstimate is the first size of the output buffer: the headers and
// closing tags, and 56 bytes a key (a key line of the sizes real files
// have). tniBuffer.room grows the buffer from the average of the keys
// written when that is too little.
func tniEstimate(apps []*Application, total int) int {
	n := 56 * total
	for _, a := range apps {
		n += 2*len(a.Name) + 9
	}
	return n
}

// tniBuffer is the output of AppendTNI: buf[:n] is written (buf[:start]
// was there before), done of total keys are (or are being) written.
type tniBuffer struct {
	buf                   []byte
	start, n, done, total int
}

// room makes buf hold need more bytes after n. A new buffer is sized for
// the keys still to write at the average size of those written so far,
// at least 5/4 of the old one, so that a file is normally written with one
// or two allocations, without the pass over all values a size plan would
// take.
func (b *tniBuffer) room(need int) {
	if len(b.buf)-b.n >= need {
		return
	}
	size := max(b.n+need, len(b.buf)+len(b.buf)/4)
	if b.done > 0 {
		size = max(size, b.n+need+(b.n-b.start)/b.done*(b.total-b.done)*9/8)
	}
	nb := make([]byte, size)
	copy(nb, b.buf[:b.n])
	b.buf = nb
}

// tniPrefix returns the first eight bytes of k as a big-endian number,
// padded with zeros: tniPrefix(a) < tniPrefix(b) implies a < b.
func tniPrefix(k []byte) uint64 {
	switch {
	case len(k) >= 8:
		return binary.BigEndian.Uint64(k)
	case len(k) >= 4:
		// bytes 0-3, and bytes len-4..len-1 shifted to their places
		// (the overlap is the same bytes)
		return uint64(binary.BigEndian.Uint32(k))<<32 | uint64(binary.BigEndian.Uint32(k[len(k)-4:]))<<(64-8*len(k))
	}
	var x uint64
	for i, c := range k {
		x |= uint64(c) << (56 - 8*i)
	}
	return x
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

// tniKind is the way a value is written (spec §4.2); tniSkip is
// tniChoose's mark for a key whose name cannot be written in the form its
// value takes.
type tniKind uint8

const (
	tniString tniKind = iota
	tniString0
	tniNumeric
	tniHex
	tniStrings
	tniSkip
)

// tniChoose returns how the heuristic writes key = v (tniClassify, and a
// string of strings whose key cannot be a block header written as hex when
// it can be a key=value name), or tniSkip when the name fits neither, and
// the number of elements of a string of strings.
func tniChoose(key, v []byte) (kind tniKind, elems int) {
	kind, elems = tniClassifyN(v)
	if kind == tniStrings {
		if tniBlockNameOK(key) {
			return tniStrings, elems
		}
		kind = tniHex // ours: a key like "/x" can still be written as key=(X) ...
	}
	if tniKeyNameOK(key) {
		return kind, elems
	}
	return tniSkip, 0
}

// tniSkipReason is why tniChoose returned tniSkip for key = v.
func tniSkipReason(key, v []byte) string {
	if tniClassify(v) == tniStrings {
		return tniBlockNameIssue(key)
	}
	return tniKeyNameIssue(key)
}

// tniNameBytesOK reports whether name has none of the bytes in mask (a set
// of bytes below 64, bit c for byte c).
func tniNameBytesOK(name []byte, mask uint64) bool {
	var seen uint64
	for _, c := range name {
		seen |= 1 << (c & 63) & uint64((int64(c)-64)>>63) // bit c when c < 64
	}
	return seen&mask == 0
}

// tniBadMask is the set of bytes no name may hold (tniBadBytes).
const tniBadMask = 1<<0 | 1<<'\n' | 1<<'\r' | 1<<0x1A

// tniKeyNameOK is tniKeyNameIssue(key) == "", without building the reason.
func tniKeyNameOK(key []byte) bool {
	if len(key) == 0 || len(key) > maxTNIKeyName {
		return false
	}
	switch key[0] {
	case ' ', '\t', '\b', '[':
		return false
	}
	return tniNameBytesOK(key, tniBadMask|1<<'=')
}

// tniBlockNameOK is tniBlockNameIssue(key) == "", without building the
// reason.
func tniBlockNameOK(key []byte) bool {
	return len(key) > 0 && len(key) <= maxTNIAppName && key[0] != '/' && tniNameBytesOK(key, tniBadMask)
}

// tniClassify is the heuristic of spec §4.2 with the fixes W3 and W4. For
// tniNumeric the width is len(v).
func tniClassify(v []byte) tniKind {
	kind, _ := tniClassifyN(v)
	return kind
}

// tniClassifyN is tniClassify, also returning the number of elements of a
// string of strings.
func tniClassifyN(v []byte) (tniKind, int) {
	n := len(v)
	switch {
	case n == 0:
		return tniString, 0
	case n <= 4:
		return tniNumeric, 0
	}
	p := tniPrintable(v)
	if p == n {
		return tniString, 0
	}
	if p == n-1 && v[n-1] == 0 {
		return tniString0, 0
	}
	if k := tniStringsCount(v); k > 0 {
		return tniStrings, k
	}
	return tniHex, 0
}

// tniPrintable returns the length of the prefix of v made of bytes
// 0x20..0x7E. It tests eight bytes at a time (tniUnprintable), sixteen per
// round, the last word overlapping the one before, and finds the exact byte
// in the first word that fails from its flags.
func tniPrintable(v []byte) int {
	if len(v) < 8 {
		for i, c := range v {
			if c < 0x20 || c > 0x7E {
				return i
			}
		}
		return len(v)
	}
	i := 0
	for ; i+16 <= len(v); i += 16 {
		x, y := tniUnprintable(binary.LittleEndian.Uint64(v[i:])), tniUnprintable(binary.LittleEndian.Uint64(v[i+8:]))
		if x|y != 0 {
			if x != 0 {
				return i + bits.TrailingZeros64(x)/8
			}
			return i + 8 + bits.TrailingZeros64(y)/8
		}
	}
	if i+8 <= len(v) {
		if x := tniUnprintable(binary.LittleEndian.Uint64(v[i:])); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
		i += 8
	}
	if i < len(v) {
		i = len(v) - 8 // the bytes before i passed already
		if x := tniUnprintable(binary.LittleEndian.Uint64(v[i:])); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	return len(v)
}

// tniUnprintable returns x (eight bytes, little-endian) with the high bit
// of its first byte outside 0x20..0x7E set, and the bits of the bytes
// before it clear (a byte below 0x20 or above 0x7E has a high bit set in
// the tests below, see "Bit Twiddling Hacks", hasless and hasmore; a borrow
// or carry only reaches the bytes after a failing one).
func tniUnprintable(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return ((x-ones*0x20)&^x | (x + ones*(0x7F-0x7E) | x)) & highs
}

// tniIndexNUL is bytes.IndexByte(v, 0) for short v, eight bytes at a time
// (hasless(x, 1) of "Bit Twiddling Hacks": the first flag is exact).
func tniIndexNUL(v []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := binary.LittleEndian.Uint64(v[i:])
		if m := (x - ones) &^ x & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(v); i++ {
		if v[i] == 0 {
			return i
		}
	}
	return -1
}

// tniStringsCount returns n when v is S1 00 ... Sn 00 00 with n >= 1 and
// every Si non-empty and printable (§4.2 rule 4), no Si starting with a
// space or "[/" (W3) and none longer than 506 bytes (W4); otherwise 0.
func tniStringsCount(v []byte) int {
	n := len(v)
	if n < 3 || v[n-1] != 0 || v[n-2] != 0 {
		return 0
	}
	v = v[:n-1]
	k := 0
	for len(v) > 0 {
		p := tniPrintable(v)
		if p == 0 || p > maxTNIBlockElem || p == len(v) || v[p] != 0 ||
			v[0] == ' ' || (p > 1 && v[0] == '[' && v[1] == '/') {
			return 0
		}
		v = v[p+1:]
		k++
	}
	return k
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
	} else if why := tniKeyNameIssue(key); why != "" {
		return why
	}
	if kind == tniNumeric && (width != len(v) || width > 4) {
		w.out = append(w.out, "   "...)
		w.out = append(w.out, key...)
		w.out = append(w.out, '=')
		w.numbers(key, v, width)
		w.out = append(w.out, "\r\n"...)
		return ""
	}
	w.out = slices.Grow(w.out, tniBound(kind, len(key), len(v)))
	w.out = w.out[:tniPut(w.out[:cap(w.out)], len(w.out), kind, key, v)]
	return ""
}

// tniBound is the most bytes tniPut writes (stores included) for a key of
// keyLen bytes and a value of n bytes in the given form.
func tniBound(kind tniKind, keyLen, n int) int {
	switch kind {
	case tniNumeric:
		return keyLen + 24
	case tniHex:
		return keyLen + 12 + 3*n + len(tniWrap)*(n/26+1)
	case tniStrings:
		return 2*keyLen + 24 + 5*n
	case tniString, tniString0:
		// each piece of a quote split adds at most two quotes, " +" and
		// a space, and there is at most one piece per byte
		return keyLen + 16 + 6*n + 12*(n/60)
	}
	return 0
}

// tniPut writes key = v in the given form (the key line, or block, with its
// CRLF) at buf[n:], which must hold tniBound bytes, and returns the new end.
// A tniNumeric value is one item of len(v) <= 4 bytes; v is as for value.
func tniPut(buf []byte, n int, kind tniKind, key, v []byte) int {
	if kind == tniStrings {
		return tniPutBlock(buf, n, key, v)
	}
	binary.LittleEndian.PutUint32(buf[n:], 0x20202020) // "   " (the 4th byte is overwritten)
	n += 3
	n += copy(buf[n:], key)
	buf[n] = '='
	n++
	switch kind {
	case tniString:
		if len(v) > 0 {
			n = tniPutString(buf, n, v, false, false, true)
		}
	case tniString0:
		if len(v) == 0 {
			buf[n], buf[n+1] = '\'', '\''
			n += 2
		} else {
			n = tniPutString(buf, n, v, true, false, true)
		}
		buf[n] = '0'
		n++
	case tniNumeric:
		if len(v) != 4 {
			buf[n], buf[n+1], buf[n+2] = '(', byte('0'+len(v)), ')'
			n += 3
		}
		n = tniPutUint(buf, n, tniUint(v))
	case tniHex:
		n = tniPutHex(buf, n, len(key), v)
	}
	buf[n], buf[n+1] = '\r', '\n'
	return n + 2
}

// tniUint returns v (at most 8 bytes) as a little-endian unsigned number.
func tniUint(v []byte) uint64 {
	var x uint64
	for j := len(v) - 1; j >= 0; j-- {
		x = x<<8 | uint64(v[j])
	}
	return x
}

// tniDigits returns the number of decimal digits of x.
func tniDigits(x uint64) int {
	d := 1
	for ; x >= 10; x /= 10 {
		d++
	}
	return d
}

// tniPutUint writes x in decimal at buf[n:] and returns the new end.
func tniPutUint(buf []byte, n int, x uint64) int {
	if x < 10 {
		buf[n] = byte('0' + x)
		return n + 1
	}
	end := n + tniDigits(x)
	for k := end - 1; k >= n; k-- {
		buf[k] = byte('0' + x%10)
		x /= 10
	}
	return end
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
			w.out = strconv.AppendUint(w.out, tniUint(item), 10)
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

// tniWrap ends a line of hex bytes and indents the next one.
const tniWrap = " +\r\n    "

// tniHexWraps is the number of continuation lines of an n-byte (X) value
// of a key of keyLen bytes (see tniPutHex).
func tniHexWraps(keyLen, n int) int {
	first := min(max(1, (80-(keyLen+7)+2)/3), n)
	return (n - first + 25) / 26
}

// hex writes v as "(X) 01 02 ..." (§4.4) with tniPutHex.
func (w *tniWriter) hex(key, v []byte) {
	w.out = slices.Grow(w.out, 3+3*len(v)+len(tniWrap)*tniHexWraps(len(key), len(v))+2)
	w.out = w.out[:tniPutHex(w.out[:cap(w.out)], len(w.out), len(key), v)]
}

// tniPutHex writes v as "(X) 01 02 ..." (§4.4) at buf[n:] and returns the
// new end, never wrapping before the first byte (W2 fix). DumpINI wraps
// before a byte once the line's counter (key length + 7 on the first line,
// 4 on the next ones, +3 per byte) reaches 80: the first line holds at
// least one byte, every continuation line 26. It is filled line by line,
// six bytes at a time; buf must hold two bytes more than are written.
func tniPutHex(buf []byte, n, keyLen int, v []byte) int {
	buf[n], buf[n+1], buf[n+2] = '(', 'X', ')'
	n += 3
	if len(v) == 0 {
		return n
	}
	first := min(max(1, (80-(keyLen+7)+2)/3), len(v)) // bytes on the first line
	line, rest := v[:first], v[first:]
	for {
		putHexTriples(buf[n:], line)
		n += 3 * len(line)
		if len(rest) == 0 {
			return n
		}
		n += copy(buf[n:], tniWrap)
		k := min(26, len(rest))
		line, rest = rest[:k], rest[k:]
	}
}

// putHexTriples writes " XY" for each byte of src (upper-case digits) to
// dst, which must hold 3*len(src)+2 bytes: sixteen at a time with SSSE3
// (tniEncodeTriplesWide), else four triples per 8- and 4-byte store, then
// two per 8-byte store.
func putHexTriples(dst, src []byte) {
	_ = dst[3*len(src)+1]
	if tniEncodeTriplesWide(dst, src) {
		return
	}
	i := 0
	for ; i+4 <= len(src); i += 4 {
		s := src[i : i+4 : i+4]
		c := tniHexTriples[s[2]]
		d := dst[3*i : 3*i+12 : 3*i+12]
		binary.LittleEndian.PutUint64(d, uint64(tniHexTriples[s[0]])|uint64(tniHexTriples[s[1]])<<24|uint64(c)<<48)
		binary.LittleEndian.PutUint32(d[8:], c>>16|tniHexTriples[s[3]]<<8)
	}
	for ; i+2 <= len(src); i += 2 {
		binary.LittleEndian.PutUint64(dst[3*i:], uint64(tniHexTriples[src[i]])|uint64(tniHexTriples[src[i+1]])<<24)
	}
	if i < len(src) {
		binary.LittleEndian.PutUint32(dst[3*i:], tniHexTriples[src[i]])
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

// tniPutBlock writes a string-of-strings block (§4.6), the elements up to
// the first empty one, at buf[n:] and returns the new end.
func tniPutBlock(buf []byte, n int, key, v []byte) int {
	binary.LittleEndian.PutUint32(buf[n:], 0x5B202020) // "   ["
	n += 4
	n += copy(buf[n:], key)
	buf[n], buf[n+1], buf[n+2] = ']', '\r', '\n'
	n += 3
	for len(v) > 0 {
		i := tniIndexNUL(v)
		if i == 0 {
			break
		}
		if i < 0 {
			i = len(v)
		}
		binary.LittleEndian.PutUint64(buf[n:], 0x2020202020202020) // 6 spaces (2 overwritten)
		n += 6
		n += copy(buf[n:], v[:i])
		buf[n], buf[n+1] = '\r', '\n'
		n += 2
		v = v[min(i+1, len(v)):]
	}
	binary.LittleEndian.PutUint64(buf[n:], 0x2F5B202020) // "   [/" (3 zeros overwritten)
	n += 5
	n += copy(buf[n:], key)
	buf[n], buf[n+1], buf[n+2] = ']', '\r', '\n'
	return n + 3
}

// tniPutString writes string s at buf[n:] with DumpINI's chunking and
// quoting rules (§4.5 Emit), passing plus to the last part of a split chunk
// (W1 fix) and quoting a continuation chunk that starts with '['. It
// returns the new end.
func tniPutString(buf []byte, n int, s []byte, force, plus, first bool) int {
	for len(s) > 60 {
		n = tniPutString(buf, n, s[:60], false, true, first)
		n += copy(buf[n:], "\r\n          ")
		first = false
		s = s[60:]
	}
	a := bytes.IndexByte(s, '\'')
	d := bytes.IndexByte(s, '"')
	if a >= 0 && d >= 0 {
		m := max(a, d)
		n = tniPutString(buf, n, s[:m], false, true, first)
		buf[n] = ' '
		return tniPutString(buf, n+1, s[m:], force, plus, false)
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
		buf[n] = q
		n++
		n += copy(buf[n:], s)
		buf[n] = q
		n++
	} else {
		n += copy(buf[n:], s)
	}
	if plus {
		buf[n], buf[n+1] = ' ', '+'
		n += 2
	}
	return n
}
