package ini

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"strconv"
)

// ParseTNI decodes a TNI text file (spec §3) into a File. Applications and
// keys keep the order of their first appearance (the TNI writer sorts, spec
// §4.1); a repeated [App] section merges into the first one, and an empty
// application ([A] directly followed by [/A]) is kept. Names and values are
// copied: the File does not alias data. A file of 0 bytes is an empty profile.
//
// Line handling (§3.1): lines end at LF, a CR directly before the LF is part
// of the line ending, indentation of SPACE, TAB and BACKSPACE bytes is
// ignored (TAB is a DEVIATION: the reference keeps it), blank lines are
// ignored everywhere, a line whose first non-blank byte is Ctrl-Z (0x1A)
// ends the file (what follows is ignored, as by the reference), and lines are never cut at 512 bytes (DEVIATION). Names are
// never truncated either (the reference cuts key names at 128 bytes and
// application and block names at 256; DEVIATION, lossless).
//
// Values (§3.3-§3.6): numbers (default width 4 bytes, (N) widths 1..65535,
// little-endian unsigned), (X) hex bytes, quoted and bare strings with +
// concatenation on the same line or continued on the next line, the '0 NUL
// marker, numeric continuation with a trailing +, and [key] ... [/key]
// string-of-strings blocks.
//
// Where the reference would stop, ignore text or misplace data silently,
// ParseTNI instead returns a nil File and a *FormatError with Line set
// (1-based) and Offset -1; its File (the file name) is left empty for the
// caller to fill, as Parse does. These are exactly the cases of spec §3.9:
//
//  1. a non-blank line outside a section that is not a [header];
//  2. a key line without '=';
//  3. text left on a line after a complete value, an unterminated quote, and
//     text after a NUL byte (the reference ends a line at NUL);
//  4. a '+' continuation into a [header], a closing tag or the end of file;
//  5. a closing tag whose name is not that of the open section or block, and
//     a section or block still open at the end of the file;
//  6. an empty application or block-key name ("[]", or "[name" without ']'
//     which the reference renames "?"), and an empty key name ("=v");
//  7. a key defined twice in one application (also across repeated
//     sections);
//  8. a Ctrl-Z byte anywhere but at the start of a line, and a CR byte not
//     directly followed by LF;
//  9. a number out of range for its width ((1)300), a (X) token over one byte
//     or with a letter other than A-F (DEVIATION: the reference counts every
//     letter as a digit, G=16 ... Z=35), and a width of 0 or over 65535.
//
// One more refusal guards memory: numbers may decode to at most 1 MiB plus
// 16 times the file size in total (a "(65535)1 1 1 ..." line turns every two
// text bytes into 65535 value bytes).
func ParseTNI(data []byte) (*File, error) {
	return parseTNI(data, false)
}

// parseTNI is ParseTNI; general makes the reader take only its general
// paths, for tests to compare the fast ones with.
func parseTNI(data []byte, general bool) (*File, error) {
	f := New()
	if _, err := readTNI(f, data, general, nil); err != nil {
		return nil, err
	}
	return f, nil
}

// UnmarshalTNI replaces the contents of f with the profile in the TNI text
// data: on success f holds what ParseTNI(data) returns (the same
// applications, keys, values and order); on error f is empty and the error
// is ParseTNI's (*FormatError with Line set, File empty). data is not
// retained.
//
// It reuses the memory that f's previous UnmarshalTNI carved f's names,
// values, entries and applications from, as AppendTNI reuses an output
// buffer and hex.Decode writes into the caller's: a program that reads
// many TNI files in turn (or one file again and again) allocates that
// memory once instead of once per file. So the names, values, Entries and
// *Application values taken from f before the call must not be used after
// it: their bytes are overwritten (copy what you keep, e.g. with Clone).
// A File filled any other way (New, ParseTNI, Put) has no memory to give;
// its contents are dropped. Unlike UnmarshalBinary, f is not left as it
// was on error: its memory was being reused. Do not copy a File value
// (g := *f) and unmarshal into both: they would share that memory.
func (f *File) UnmarshalTNI(data []byte) error {
	spare := f.tni
	apps := f.Apps[:0]
	*f = File{}
	if spare != nil {
		f.Apps = apps // the array of the last read's *Application values
	} else {
		spare = &tniMemory{} // nothing to reuse, but keep what this read uses
	}
	mem, err := readTNI(f, data, false, spare)
	if err != nil {
		mem = spare // unused by anything now: f is empty
	}
	f.tni = mem
	return err
}

// readTNI parses data into f, which must be empty. With spare non-nil
// (UnmarshalTNI) the reader takes its blocks from spare before allocating
// and returns the memory it used, for the next UnmarshalTNI; otherwise it
// returns nil. On error f is empty.
func readTNI(f *File, data []byte, general bool, spare *tniMemory) (*tniMemory, error) {
	r := newTNIReader(data)
	r.countCR, r.general = !general, general
	r.reuse(spare)
	err := r.parse(f)
	if r.countCR && r.crlf != bytes.Count(data[:r.stop], []byte{'\r'}) {
		// A CR not followed by LF was read: parse again searching each
		// line for one, which stops at the first (slower, error path only).
		*f = File{}
		r = newTNIReader(data)
		r.general = general
		err = r.parse(f)
	}
	if err == nil && tniHasDuplicate(f) {
		// Find the first duplicate in file order, with its line: parse
		// again checking every key as it is added (slower, error path only).
		*f = File{}
		r = newTNIReader(data)
		r.checkDup, r.general = true, general
		err = r.parse(f)
		if err == nil { // not reached: both checks see the same keys
			err = &FormatError{Offset: -1, Msg: "a key is defined twice in one application"}
		}
	}
	if err != nil {
		*f = File{}
		return nil, err
	}
	return r.memory(f), nil
}

// tniHasDuplicate reports whether an application of f holds a key twice.
// Keys in strictly increasing byte order (as the TNI writer sorts them,
// spec §4.1) are distinct; otherwise, above indexThreshold keys, it uses the
// hash set of the binary reader.
func tniHasDuplicate(f *File) bool {
	var d dupSet
	for _, a := range f.Apps {
		es := a.Entries
		if tniIncreasing(es) {
			continue
		}
		if len(es) <= indexThreshold {
			for i := range es {
				for j := range i {
					if bytes.Equal(es[i].Key, es[j].Key) {
						return true
					}
				}
			}
			continue
		}
		d.reset(len(es))
		name := func(j int32) []byte { return es[j].Key }
		for i := range es {
			if d.addOrFind(es[i].Key, int32(i), name) {
				return true
			}
		}
	}
	return false
}

// tniIncreasing reports whether the keys of es are in strictly increasing
// byte order.
func tniIncreasing(es []Entry) bool {
	for i := 1; i < len(es); i++ {
		if bytes.Compare(es[i-1].Key, es[i].Key) >= 0 {
			return false
		}
	}
	return true
}

// parse reads the whole file into f.
func (r *tniReader) parse(f *File) error {
	for {
		name, ok, err := r.nextApp()
		if err != nil || !ok {
			return err
		}
		if err := r.section(r.app(f, name), r.line); err != nil {
			return err
		}
	}
}

// app returns the application of f named name, appending an empty one (its
// name copied into the arena, the struct from r's blocks of applications)
// when absent. TNI files list their applications in increasing byte order
// (the writer sorts them, spec §4.1): while they do, a name after the last
// one is new without a lookup (and without building f's name index).
func (r *tniReader) app(f *File, name []byte) *Application {
	n := len(f.Apps)
	if n > 0 && (r.appsUnsorted || bytes.Compare(f.Apps[n-1].Name, name) >= 0) {
		if i := f.findApp(name); i >= 0 {
			return f.Apps[i]
		}
		r.appsUnsorted = true
	}
	if len(r.appBlock) == cap(r.appBlock) {
		r.newAppBlock()
	}
	r.appBlock = r.appBlock[:len(r.appBlock)+1]
	a := &r.appBlock[len(r.appBlock)-1]
	*a = Application{Name: r.arena.copy(name)}
	f.Apps = append(f.Apps, a)
	if f.index != nil {
		f.index[string(a.Name)] = n
	}
	return a
}

// nextApp reads the next line at top level, which must be an application
// header "[name]", and returns the name; ok is false at the end of the
// file. Any other line is an error (§3.9 item 1; the reference silently
// stops reading there).
func (r *tniReader) nextApp() (name []byte, ok bool, err error) {
	l, ok, err := r.next()
	if err != nil || !ok {
		return nil, false, err
	}
	if l[0] != '[' {
		return nil, false, errLine(r.line, "text outside a section: %q is not an application header [name] (comments are not part of the format)", clip(l))
	}
	name, err = r.headerName(l, "application")
	return name, err == nil, err
}

// tniReader walks the physical lines of a TNI (or FMT) file.
type tniReader struct {
	data    []byte
	pos     int // offset of the next physical line
	line    int // 1-based number of the line last returned by next
	arena   tniArena
	decoded int // bytes decoded from numbers so far
	limit   int // most bytes numbers may decode to (tniNumberLimit)
	// checkDup makes add look for an existing key (§3.9 item 7) as each
	// key is added; ParseTNI checks afterwards instead, which is faster.
	checkDup bool
	// ctrlZ is the line of the Ctrl-Z that ended the file, 0 if none.
	ctrlZ int
	// entries is the block of Entry values the keys of the section being
	// read are appended to, from entries[secStart]; at its closing tag the
	// application's Entries become that part of the block, capped at its
	// length (each key is written once, not collected and copied).
	entries  []Entry
	secStart int
	// countCR (set by ParseTNI) skips the per-line search for a CR not
	// followed by LF (§3.9 item 8): next counts in crlf the CRs it strips
	// before an LF, and the caller compares that with the number of CRs
	// in data[:stop], the text read, to know whether there was another.
	countCR    bool
	crlf, stop int
	// general (for tests) turns off the fast paths for the usual values
	// (hexValue, hexLine, shortNumber), which must give the same results.
	general bool
	// nextCR, nextSUB and nextNUL are the offsets of the first CR, Ctrl-Z
	// and NUL bytes at or after the line last searched (len(data) when
	// there is none), so that each line is not searched for them again.
	nextCR, nextSUB, nextNUL int
	// appsUnsorted is set once an application was added whose name is not
	// after the last one's (see app).
	appsUnsorted bool
	// appBlock is the block of Application values new applications are
	// taken from (see newAppBlock).
	appBlock []Application
	// keep (UnmarshalTNI) records in used every block of entries and of
	// applications the reader writes to, and makes the arena record its
	// blocks, for memory to return; spare holds the blocks of the
	// previous read not taken yet (see reuse).
	keep  bool
	used  tniMemory
	spare tniMemory
}

// tniMemory is the memory a TNI read carved a File's contents from: its
// blocks of name and value bytes (the arena's), of entries and of
// applications. UnmarshalTNI keeps it in the File (File.tni) and reads the
// next file into it.
type tniMemory struct {
	bytes   [][]byte
	entries [][]Entry
	apps    [][]Application
}

// reuse makes r take its blocks from spare before allocating new ones and
// record the blocks it uses (keep); spare nil leaves r as it is (ParseTNI).
func (r *tniReader) reuse(spare *tniMemory) {
	if spare == nil {
		return
	}
	r.keep, r.arena.keep = true, true
	r.spare.entries, r.spare.apps = spare.entries, spare.apps
	r.arena.spare = spare.bytes
}

// memory returns the memory r filled f from, for UnmarshalTNI to keep (nil
// unless keep). The unused ends of the last blocks of entries, of
// applications and of f.Apps are cleared first: they may still point to
// what the previous read held, which would otherwise stay allocated.
func (r *tniReader) memory(f *File) *tniMemory {
	if !r.keep {
		return nil
	}
	clear(r.entries[len(r.entries):cap(r.entries)])
	clear(r.appBlock[len(r.appBlock):cap(r.appBlock)])
	clear(f.Apps[len(f.Apps):cap(f.Apps)])
	return &tniMemory{bytes: r.arena.blocks, entries: r.used.entries, apps: r.used.apps}
}

// eofNote explains an early end of file for messages: " (Ctrl-Z on line
// N)" when a Ctrl-Z line ended the file, "" otherwise.
func (r *tniReader) eofNote() string {
	if r.ctrlZ == 0 {
		return ""
	}
	return fmt.Sprintf(" (the Ctrl-Z on line %d)", r.ctrlZ)
}

// tniNumberLimit is the most bytes the numbers of a TNI file of size n may
// decode to: 1 MiB plus 16 times the file size. A (65535) width turns each
// token of two text bytes into 65535 bytes; without a limit a small file
// could make the reader allocate gigabytes. Nothing DumpINI writes comes
// near it (its widths are at most 4 bytes per token of at least 2 bytes).
func tniNumberLimit(n int) int { return 1<<20 + 16*n }

func newTNIReader(data []byte) *tniReader {
	return &tniReader{
		data:    data,
		arena:   tniArena{chunk: min(max(len(data)/8, 4096), 1<<20)},
		limit:   tniNumberLimit(len(data)),
		nextCR:  -1,
		nextSUB: -1,
		nextNUL: -1,
	}
}

// seen reports whether byte c occurs in data[start:end]; *next caches the
// offset of its first occurrence at or after the start of the last search.
// start must not decrease from one call to the next.
func (r *tniReader) seen(next *int, c byte, start, end int) bool {
	if *next < start {
		if i := bytes.IndexByte(r.data[start:], c); i >= 0 {
			*next = start + i
		} else {
			*next = len(r.data)
		}
	}
	return *next < end
}

// next returns the next non-blank line with its line ending and indentation
// removed. ok is false at the end of the data or at a line that starts with
// Ctrl-Z (DOS end of file).
func (r *tniReader) next() (line []byte, ok bool, err error) {
	for r.pos < len(r.data) {
		start := r.pos
		end := len(r.data)
		stripped := 0
		if i := bytes.IndexByte(r.data[start:], '\n'); i >= 0 {
			end = start + i
			r.pos = end + 1
			if end > start && r.data[end-1] == '\r' {
				end--
				stripped = 1
			}
		} else {
			r.pos = end
		}
		r.line++
		r.stop = r.pos
		j := start
		for j < end && (r.data[j] == ' ' || r.data[j] == '\t' || r.data[j] == '\b') {
			j++
		}
		if j == end {
			r.crlf += stripped
			continue
		}
		if r.data[j] == 0x1A {
			r.pos = len(r.data)
			r.stop = start
			r.ctrlZ = r.line
			return nil, false, nil
		}
		r.crlf += stripped
		if !r.countCR && r.seen(&r.nextCR, '\r', j, end) {
			return nil, false, errLine(r.line, "CR byte not followed by LF")
		}
		if r.seen(&r.nextSUB, 0x1A, j, end) {
			return nil, false, errLine(r.line, "Ctrl-Z (0x1A) byte inside a line (only allowed at the start of a line, where it ends the file)")
		}
		if r.seen(&r.nextNUL, 0, j, end) {
			if r.nextNUL+1 < end {
				return nil, false, errLine(r.line, "NUL byte inside a line: the text after it would be lost")
			}
			if end--; end == j {
				continue
			}
		}
		return r.data[j:end:end], true, nil
	}
	return nil, false, nil
}

// headerName returns the name of a "[name]" line: the bytes between the '['
// and the last ']' (spec §3.2; text after the last ']' is ignored as by the
// reference). what is "application" or "block key", for messages.
func (r *tniReader) headerName(l []byte, what string) ([]byte, error) {
	k := bytes.LastIndexByte(l, ']')
	if k < 0 {
		return nil, errLine(r.line, "%s header %q has no closing ']'", what, clip(l))
	}
	if k == 1 {
		return nil, errLine(r.line, "empty %s name", what)
	}
	return l[1:k], nil
}

// closeName returns the name of a "[/name]" closing tag and whether it has
// the closing ']'.
func closeName(l []byte) ([]byte, bool) {
	k := bytes.LastIndexByte(l, ']')
	if k < 2 {
		return nil, false
	}
	return l[2:k], true
}

// section reads the body of application app up to its closing tag.
func (r *tniReader) section(app *Application, headerLine int) error {
	r.secStart = len(r.entries)
	for {
		l, ok, err := r.next()
		if err != nil {
			return err
		}
		if !ok {
			return errLine(headerLine, "application [%s] is not closed: end of file%s before [/%s]", showName(app.Name), r.eofNote(), showName(app.Name))
		}
		if l[0] == '[' {
			if len(l) > 1 && l[1] == '/' {
				name, ok := closeName(l)
				if !ok || !bytes.Equal(name, app.Name) {
					return errLine(r.line, "closing tag %q does not close application [%s]", clip(l), showName(app.Name))
				}
				r.flush(app)
				return nil
			}
			key, err := r.headerName(l, "block key")
			if err != nil {
				return err
			}
			keyLine := r.line
			value, err := r.block(key, keyLine)
			if err != nil {
				return err
			}
			if err := r.add(app, key, value, keyLine); err != nil {
				return err
			}
			continue
		}
		eq := bytes.IndexByte(l, '=')
		if eq < 0 {
			return errLine(r.line, "key line %q has no '='", clip(l))
		}
		if eq == 0 {
			return errLine(r.line, "empty key name")
		}
		keyLine := r.line
		value, err := r.value(l[eq+1:])
		if err != nil {
			return err
		}
		if err := r.add(app, l[:eq], value, keyLine); err != nil {
			return err
		}
	}
}

// add stores a new key of app; with checkDup a key already present is an
// error (§3.9 item 7). key is copied, value must already be owned by the
// File. Without checkDup the key waits in r.entries for flush.
func (r *tniReader) add(app *Application, key, value []byte, line int) error {
	key = r.arena.copy(key)
	if !r.checkDup {
		if len(r.entries) == cap(r.entries) {
			r.newEntryBlock()
		}
		// Two pointer stores, not append's copy of an Entry, which
		// costs a bulk write barrier while the GC is marking.
		n := len(r.entries)
		r.entries = r.entries[:n+1]
		e := &r.entries[n]
		e.Key, e.Value = key, value
		return nil
	}
	if app.find(key) >= 0 {
		return errLine(line, "key %q defined twice in application [%s]", key, showName(app.Name))
	}
	app.Entries = append(app.Entries, Entry{Key: key, Value: value})
	if app.index != nil {
		app.index[string(key)] = len(app.Entries) - 1
	}
	return nil
}

// flush gives app the keys of the section just read, entries[secStart:]:
// as its Entries (capped at their number, so that appending to them never
// overwrites the next application's) for the first section of app,
// appended to the keys of an earlier [app] section otherwise.
func (r *tniReader) flush(app *Application) {
	es := r.entries[r.secStart:len(r.entries):len(r.entries)]
	if len(es) == 0 {
		return
	}
	if len(app.Entries) == 0 {
		app.Entries = es
	} else {
		app.Entries = append(app.Entries, es...)
	}
	app.index = nil // rebuilt on the next lookup, if any
	r.secStart = len(r.entries)
}

// newEntryBlock starts a new block of entries when the current one is
// full, moving the keys of the section being read into it. Blocks double
// from 64 entries up to 4096 (or twice the section, when larger), so that a
// file of few keys does not pay for a large block.
//
// With spare blocks (UnmarshalTNI), the next one with room for twice the
// section (and at least 64 entries) is taken instead; smaller ones are
// dropped.
func (r *tniReader) newEntryBlock() {
	sec := r.entries[r.secStart:]
	var b []Entry
	for len(r.spare.entries) > 0 && b == nil {
		if e := r.spare.entries[0]; cap(e) >= max(64, 2*len(sec)) {
			b = e[:len(sec)]
		}
		r.spare.entries = r.spare.entries[1:]
	}
	if b == nil {
		n := min(max(2*cap(r.entries), 64), 4096)
		b = make([]Entry, len(sec), max(n, 2*len(sec)))
	}
	copy(b, sec) // the old block keeps its copies: they hold nothing b does not
	r.entries, r.secStart = b, 0
	if r.keep {
		r.used.entries = append(r.used.entries, b)
	}
}

// newAppBlock starts a new block of Application values for app when the
// current one is full: a spare one (UnmarshalTNI) or a new one of twice
// the size, from 16 up to 1024, so that a file does not allocate once per
// application.
func (r *tniReader) newAppBlock() {
	var b []Application
	for len(r.spare.apps) > 0 && cap(b) == 0 {
		b = r.spare.apps[0][:0]
		r.spare.apps = r.spare.apps[1:]
	}
	if cap(b) == 0 {
		b = make([]Application, 0, min(max(2*cap(r.appBlock), 16), 1024))
	}
	r.appBlock = b
	if r.keep {
		r.used.apps = append(r.used.apps, b)
	}
}

// block reads the element lines of a string-of-strings block up to
// "[/key]" (spec §3.6): each line's bytes plus NUL, then one more NUL.
func (r *tniReader) block(key []byte, keyLine int) ([]byte, error) {
	out := r.arena.reserve(256)
	for {
		l, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errLine(keyLine, "block [%s] is not closed: end of file%s before [/%s]", showName(key), r.eofNote(), showName(key))
		}
		if len(l) > 1 && l[0] == '[' && l[1] == '/' {
			name, ok := closeName(l)
			if !ok || !bytes.Equal(name, key) {
				return nil, errLine(r.line, "closing tag %q does not close block [%s]", clip(l), showName(key))
			}
			break
		}
		out = append(out, l...)
		out = append(out, 0)
	}
	return r.arena.commit(append(out, 0)), nil
}

// value decodes the value text t (everything after '=') of a key line,
// reading continuation lines as needed (spec §3.3-§3.5).
func (r *tniReader) value(t []byte) ([]byte, error) {
	if !r.general {
		if len(t) > 3 && t[0] == '(' && t[1]|0x20 == 'x' && t[2] == ')' {
			if v, ok, err := r.hexValue(t[3:]); ok {
				return v, err
			}
		}
		if v, ok := r.shortNumber(t); ok {
			return v, nil
		}
	}
	start, width, hex, numeric := tniIsNumeric(t)
	if !numeric {
		return r.str(t)
	}
	if width == 0 || width > 65535 {
		return nil, errLine(r.line, "number width %s must be 1..65535", clip(t[:start]))
	}
	return r.numbers(t[start:], width, hex)
}

// tniIsNumeric is the reference's numeric-vs-string decision (spec §3.3,
// IsNumericItem). It returns the index of the first token, the item width
// (capped at 65536 to flag "too wide") and whether (X) hex mode applies. The
// hex digit set is the reference's (every letter) so that the decision is
// the same; the tokens are checked afterwards.
func tniIsNumeric(t []byte) (start, width int, hex, numeric bool) {
	width = 4
	i := 0
	if len(t) > 0 && t[0] == '(' {
		width = 0
		i = 1
		if i < len(t) && (t[i] == 'X' || t[i] == 'x') {
			hex = true
			width = 1
			i = 2
		} else {
			for i < len(t) && t[i] >= '0' && t[i] <= '9' {
				width = min(width*10+int(t[i]-'0'), 65536)
				i++
			}
		}
		if i >= len(t) || t[i] != ')' {
			return 0, 0, false, false
		}
		i++
		for i < len(t) && t[i] == ' ' {
			i++
		}
	}
	if i >= len(t) || !tniDigit(t[i], hex) {
		return 0, 0, false, false
	}
	for j := i; j < len(t); j++ {
		c := t[j]
		if c == ' ' || tniDigit(c, hex) || (c == '+' && j == len(t)-1) {
			continue
		}
		return 0, 0, false, false
	}
	return i, width, hex, true
}

// tniDigit reports whether c is in the reference's digit set: 0-9, plus
// every ASCII letter in hex mode (spec §3.3).
func tniDigit(c byte, hex bool) bool {
	if hex {
		return tniClass[c]&tniRefHex != 0
	}
	return tniClass[c]&tniDec != 0
}

// Bits of tniClass.
const (
	tniDec    = 1 << iota // 0-9
	tniRefHex             // 0-9, A-Z, a-z: the reference's (X) digits
)

// tniClass classifies bytes for number parsing; tniHexVal holds the value
// of a hexadecimal digit, 0xFF for other bytes.
var tniClass, tniHexVal = func() (class, val [256]byte) {
	for c := range 256 {
		val[c] = 0xFF
		switch {
		case c >= '0' && c <= '9':
			class[c] = tniDec | tniRefHex
			val[c] = byte(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			class[c] = tniRefHex
			if c|0x20 <= 'f' {
				val[c] = byte(c|0x20-'a') + 10
			}
		}
	}
	return
}()

// hexValue decodes the (X) value whose tokens follow "(X)" in t, when its
// first line is in the form DumpINI writes, two-digit tokens one space
// apart, optionally ending in a '+' continuation: such a line is numeric
// by the reference's rule (spec §3.3), so this decides and decodes it in
// one pass. ok is false, with nothing decoded, for any other line: the
// caller then decides and decodes it the general way.
func (r *tniReader) hexValue(t []byte) (v []byte, ok bool, err error) {
	i := 0
	for i < len(t) && t[i] == ' ' {
		i++
	}
	out, j := tniHexRun(r.arena.reserve(len(t)/3+1), t, i)
	if len(out) == 0 {
		return nil, false, nil
	}
	for j < len(t) && t[j] == ' ' {
		j++
	}
	if j < len(t) && (t[j] != '+' || j != len(t)-1) {
		return nil, false, nil
	}
	if r.decoded += len(out); r.decoded > r.limit {
		return nil, true, r.limitError()
	}
	v, err = r.numbersFrom(out, t, j, 1, true)
	return v, true, err
}

// shortNumber decodes the value t when it is one number of at most 9
// digits with no spaces, of the default width 4 or a width (1) to (8) with
// no space after it: the usual number value, numeric by the reference's
// rule (spec §3.3). ok is false, with nothing decoded, for any other value
// and for a number that does not fit its width (the general path then
// gives the error).
func (r *tniReader) shortNumber(t []byte) (v []byte, ok bool) {
	width := 4
	if len(t) > 3 && t[0] == '(' && t[2] == ')' && t[1] >= '1' && t[1] <= '8' {
		width = int(t[1] - '0')
		t = t[3:]
	}
	if len(t) == 0 || len(t) > 9 {
		return nil, false
	}
	var n uint64
	for _, c := range t {
		d := c - '0'
		if d > 9 {
			return nil, false
		}
		n = n*10 + uint64(d)
	}
	if n>>(8*width) != 0 || r.decoded+width > r.limit {
		return nil, false
	}
	r.decoded += width
	out := r.arena.reserve(width)[:width]
	for i := range out {
		out[i] = byte(n)
		n >>= 8
	}
	return r.arena.commit(out), true
}

// tniHexRun appends to out the bytes of the run of two-digit hex tokens one
// space apart that starts at t[j] (the usual (X) line), and returns out and
// the offset in t where the run ends.
func tniHexRun(out, t []byte, j int) ([]byte, int) {
	n := len(out)
	if need := (len(t)-j)/3 + 1; cap(out)-n < need {
		out = slices.Grow(out, need)
	}
	o := out[:cap(out)]
	n, j = tniDecodeTriples(o, t, n, j)
	if j+2 == len(t) && n < len(o) {
		if hi, lo := tniHexVal[t[j]], tniHexVal[t[j+1]]; hi|lo <= 15 {
			o[n] = hi<<4 | lo
			n++
			j += 2
		}
	}
	return o[:n], j
}

// tniDecodeTriples decodes into o[n:] the run of "XY " triples (two hex
// digits and a space) at t[j:], at most len(o)-n of them, and returns the
// new n and j. Four triples at a time are checked and decoded from one
// 8-byte and one 4-byte load (little-endian): their spaces by masks, their
// digits by lookups ORed together and tested once.
func tniDecodeTriples(o, t []byte, n, j int) (int, int) {
	for j+12 <= len(t) && n+4 <= len(o) {
		w := binary.LittleEndian.Uint64(t[j:])
		x := binary.LittleEndian.Uint32(t[j+8:])
		if w&0x0000FF0000FF0000 != 0x0000200000200000 || x&0xFF0000FF != 0x20000020 {
			break
		}
		a0, b0 := tniHexVal[byte(w)], tniHexVal[byte(w>>8)]
		a1, b1 := tniHexVal[byte(w>>24)], tniHexVal[byte(w>>32)]
		a2, b2 := tniHexVal[byte(w>>48)], tniHexVal[byte(w>>56)]
		a3, b3 := tniHexVal[byte(x>>8)], tniHexVal[byte(x>>16)]
		if a0|b0|a1|b1|a2|b2|a3|b3 > 15 {
			break
		}
		q := o[n : n+4 : n+4]
		q[0], q[1], q[2], q[3] = a0<<4|b0, a1<<4|b1, a2<<4|b2, a3<<4|b3
		n += 4
		j += 12
	}
	for j+3 <= len(t) && n < len(o) {
		hi, lo := tniHexVal[t[j]], tniHexVal[t[j+1]]
		if hi|lo > 15 || t[j+2] != ' ' {
			break
		}
		o[n] = hi<<4 | lo
		n++
		j += 3
	}
	return n, j
}

// numbers decodes a list of numbers of width bytes each (or hex bytes),
// following '+' continuations (spec §3.4). The bytes are decoded in place
// into the arena (see tniArena.reserve).
func (r *tniReader) numbers(t []byte, width int, hex bool) ([]byte, error) {
	bound := len(t)/3 + 1
	if !hex {
		bound = min((bytes.Count(t, []byte{' '})+1)*width, r.limit) // one token per space
	}
	return r.numbersFrom(r.arena.reserve(bound), t, 0, width, hex)
}

// numbersFrom goes on decoding numbers at t[j], appending to out. A hex
// value grows in the arena's free space; when a continuation line would
// not fit, the rest of the value is sized from the text of its lines
// (hexBound) and out moved once to a buffer of that size, so that even a
// 64 KiB value is decoded without growing a buffer step by step.
func (r *tniReader) numbersFrom(out, t []byte, j, width int, hex bool) ([]byte, error) {
	for {
		if hex {
			// The usual (X) line: two-digit tokens, one space apart.
			n := len(out)
			if out, j = tniHexRun(out, t, j); len(out) > n {
				if r.decoded += len(out) - n; r.decoded > r.limit {
					return nil, r.limitError()
				}
			}
		}
		for j < len(t) && t[j] == ' ' {
			j++
		}
		if j >= len(t) {
			break
		}
		if t[j] == '+' {
			if rest := bytes.TrimLeft(t[j+1:], " "); len(rest) > 0 {
				return nil, errLine(r.line, "text after '+': %q", clip(rest))
			}
			if hex && !r.general {
				for {
					n := len(out)
					o, more, ok := r.hexLine(out)
					if !ok {
						break
					}
					out = o
					if r.decoded += len(out) - n; r.decoded > r.limit {
						return nil, r.limitError()
					}
					if !more {
						return r.arena.commit(out), nil
					}
				}
			}
			l, err := r.continuation()
			if err != nil {
				return nil, err
			}
			t, j = l, 0
			if hex && cap(out)-len(out) < len(t)/3+1 {
				out = append(make([]byte, 0, len(out)+r.hexBound(t)), out...)
			}
			continue
		}
		k := j
		for k < len(t) && tniDigit(t[k], hex) {
			k++
		}
		if k == j {
			return nil, errLine(r.line, "text after the numbers: %q", clip(t[j:]))
		}
		if r.decoded += width; r.decoded > r.limit {
			return nil, r.limitError()
		}
		var err error
		if out, err = r.appendNumber(out, t[j:k], width, hex); err != nil {
			return nil, err
		}
		j = k
	}
	return r.arena.commit(out), nil
}

// hexLine reads the next physical line as the continuation of a (X) value
// when it is in the form DumpINI writes: indentation, two-digit tokens one
// space apart, optionally a '+', then the line ending. It appends the bytes
// to out within its capacity and reports whether the value continues on
// the line after (more). Such a line is neither blank, a header, a Ctrl-Z
// line nor holds a CR, Ctrl-Z or NUL byte, so reading it this way gives
// what next, continuation and numbersFrom would, without searching for its
// end first. For any other line, or one that does not fit in out, ok is
// false and nothing is read.
func (r *tniReader) hexLine(out []byte) (_ []byte, more, ok bool) {
	d := r.data
	p := r.pos
	for p < len(d) && (d[p] == ' ' || d[p] == '\t' || d[p] == '\b') {
		p++
	}
	o := out[len(out):cap(out)]
	k, p := tniDecodeTriples(o, d, 0, p)
	if p+1 < len(d) && k < len(o) && (p+2 == len(d) || tniHexVal[d[p+2]] > 15) {
		if hi, lo := tniHexVal[d[p]], tniHexVal[d[p+1]]; hi|lo <= 15 {
			o[k] = hi<<4 | lo
			k++
			p += 2
		}
	}
	if k == 0 {
		return out, false, false
	}
	for p < len(d) && d[p] == ' ' {
		p++
	}
	if p < len(d) && d[p] == '+' {
		more = true
		for p++; p < len(d) && d[p] == ' '; p++ {
		}
	}
	cr := 0
	switch {
	case p == len(d):
	case d[p] == '\n':
		p++
	case d[p] == '\r' && p+1 < len(d) && d[p+1] == '\n':
		p += 2
		cr = 1
	default:
		return out, false, false
	}
	r.line++
	r.crlf += cr
	r.pos, r.stop = p, p
	return out[:len(out)+k], more, true
}

// limitError is the error of the memory guard on decoded numbers.
func (r *tniReader) limitError() error {
	return errLine(r.line, "numbers decode to more than %d bytes (1 MiB + 16 x the file size): refused as a memory guard", r.limit)
}

// hexBound returns the number of bytes the (X) value starting with tokens
// t decodes to when written as DumpINI writes it (two digits per token,
// one space apart): a third of the text of t and of the lines it
// continues on. It only looks ahead; the lines are read again by numbers.
func (r *tniReader) hexBound(t []byte) int {
	n := len(t)
	last := bytes.TrimRight(t, " ")
	for p := r.pos; len(last) > 0 && last[len(last)-1] == '+' && p < len(r.data) && n < r.limit; {
		e := bytes.IndexByte(r.data[p:], '\n')
		if e < 0 {
			e = len(r.data) - p
		}
		last = bytes.TrimRight(bytes.TrimRight(r.data[p:p+e], "\r"), " ")
		n += e
		p += e + 1
	}
	return n/3 + 1
}

// continuation returns the line a '+' at the end of the current line
// continues on; a header, closing tag or the end of the file there is an
// error (§3.9 item 4).
func (r *tniReader) continuation() ([]byte, error) {
	plusLine := r.line
	l, ok, err := r.next()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errLine(plusLine, "'+' continues past the end of the file%s", r.eofNote())
	}
	if l[0] == '[' {
		return nil, errLine(plusLine, "'+' continues into the header or closing tag %q on line %d", clip(l), r.line)
	}
	return l, nil
}

// appendNumber appends the width-byte little-endian encoding of the decimal
// token tok (or the one byte of the hex token tok) to out.
func (r *tniReader) appendNumber(out, tok []byte, width int, hex bool) ([]byte, error) {
	if hex {
		if len(tok) == 2 { // the usual "0A"
			hi, lo := tniHexVal[tok[0]], tniHexVal[tok[1]]
			if hi < 16 && lo < 16 {
				return append(out, hi<<4|lo), nil
			}
		}
		var n uint
		for _, c := range tok {
			d := tniHexVal[c]
			if d == 0xFF {
				return nil, errLine(r.line, "(X) token %q is not hexadecimal", clip(tok))
			}
			if n = n<<4 | uint(d); n > 0xFF {
				return nil, errLine(r.line, "(X) token %q does not fit in one byte", clip(tok))
			}
		}
		return append(out, byte(n)), nil
	}
	if width <= 8 {
		var n uint64
		for _, c := range tok {
			d := uint64(c - '0')
			if n > (^uint64(0)-d)/10 {
				return nil, errLine(r.line, "number %s does not fit in a %d-byte item", clip(tok), width)
			}
			n = n*10 + d
		}
		if width < 8 && n>>(8*width) != 0 {
			return nil, errLine(r.line, "number %s does not fit in a %d-byte item", clip(tok), width)
		}
		for i := 0; i < width; i++ {
			out = append(out, byte(n))
			n >>= 8
		}
		return out, nil
	}
	// A width-byte item has at most 8*width*log10(2)+1 digits. Checking
	// the length first keeps big.Int's quadratic conversion from spending
	// seconds and gigabytes on a giant token (a 4 MB one took 30 s).
	tok = bytes.TrimLeft(tok, "0")
	if len(tok) > 8*width*30103/100000+1 {
		return nil, errLine(r.line, "number %s (%d digits) does not fit in a %d-byte item", clip(tok), len(tok), width)
	}
	var n big.Int
	if len(tok) > 0 {
		n.SetString(string(tok), 10) // tok is all decimal digits
	}
	if n.BitLen() > 8*width {
		return nil, errLine(r.line, "number %s does not fit in a %d-byte item", clip(tok), width)
	}
	at := len(out)
	out = append(out, make([]byte, width)...)
	n.FillBytes(out[at:]) // big-endian
	for i, j := at, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// str decodes a string value (spec §3.5): quoted or bare tokens joined by
// '+', the '0 NUL marker, and nothing else on the line.
func (r *tniReader) str(t []byte) ([]byte, error) {
	out := r.arena.reserve(len(t)) // enough unless it continues on the next line
	j := 0
	for {
		for j < len(t) && t[j] == ' ' {
			j++
		}
		if j < len(t) && (t[j] == '\'' || t[j] == '"') {
			e := bytes.IndexByte(t[j+1:], t[j])
			if e < 0 {
				return nil, errLine(r.line, "unterminated %c quote", t[j])
			}
			out = append(out, t[j+1:j+1+e]...)
			j += e + 2
		} else {
			k := j
			for k < len(t) && t[k] != ' ' {
				k++
			}
			out = append(out, t[j:k]...)
			j = k
		}
		for j < len(t) && t[j] == ' ' {
			j++
		}
		if j < len(t) && t[j] == '+' {
			j++
			for j < len(t) && t[j] == ' ' {
				j++
			}
			if j == len(t) {
				l, err := r.continuation()
				if err != nil {
					return nil, err
				}
				t, j = l, 0
			}
			continue
		}
		if j < len(t) && t[j] == '0' {
			out = append(out, 0)
			j++
			for j < len(t) && t[j] == ' ' {
				j++
			}
		}
		if j < len(t) {
			return nil, errLine(r.line, "text after the value: %q (quote a string that contains spaces)", clip(t[j:]))
		}
		return r.arena.commit(out), nil
	}
}

// tniArena hands out copies of byte slices carved from large shared blocks,
// so that reading a file does not allocate once per name or value. Each
// slice has its capacity capped at its length: appending to one never
// overwrites its neighbour.
//
// With keep (UnmarshalTNI) the arena records its blocks in blocks, and
// takes new ones from spare (the blocks of the previous read) first.
type tniArena struct {
	buf   []byte
	chunk int
	keep  bool
	spare [][]byte
	// blocks are the blocks used, with keep.
	blocks [][]byte
}

// grow makes a.buf a block with room for n bytes (n <= chunk/8): the next
// spare block that has it (smaller ones are dropped) or a new one of chunk
// bytes.
func (a *tniArena) grow(n int) {
	a.buf = nil
	for len(a.spare) > 0 && a.buf == nil {
		if b := a.spare[0]; cap(b) >= n {
			a.buf = b[:0]
		}
		a.spare = a.spare[1:]
	}
	if a.buf == nil {
		a.buf = make([]byte, 0, max(a.chunk, 64))
	}
	if a.keep {
		a.blocks = append(a.blocks, a.buf)
	}
}

func (a *tniArena) copy(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	if len(b) > cap(a.buf)-len(a.buf) {
		if len(b) > a.chunk/8 {
			return bytes.Clone(b)
		}
		a.grow(len(b))
	}
	n := len(a.buf)
	a.buf = append(a.buf, b...)
	return a.buf[n:len(a.buf):len(a.buf)]
}

// reserve returns an empty slice with room for at least n bytes, to append
// a value to and pass to commit: the free end of the current block, of a
// new block, or for large n (over an eighth of a block) a buffer of its
// own.
func (a *tniArena) reserve(n int) []byte {
	if n > cap(a.buf)-len(a.buf) {
		if n > a.chunk/8 {
			return make([]byte, 0, n)
		}
		a.grow(n)
	}
	return a.buf[len(a.buf):len(a.buf)]
}

// commit takes the value v built by appending to a slice from reserve: if
// it still lies at the free end of the current block, that space is marked
// used; otherwise (a buffer of its own, or appending outgrew the room) v
// is left where it is. The result's capacity is capped at its length; an
// empty value is an empty, non-nil slice.
func (a *tniArena) commit(v []byte) []byte {
	if len(v) == 0 {
		return []byte{}
	}
	free := a.buf[len(a.buf):cap(a.buf)]
	if len(free) >= len(v) && &free[0] == &v[0] {
		a.buf = a.buf[:len(a.buf)+len(v)]
	}
	return v[:len(v):len(v)]
}

// showName returns a name for a message: as it is when every byte is
// printable ASCII, otherwise quoted with Go escapes (so that control bytes
// and code page bytes cannot garble a terminal).
func showName(b []byte) string {
	if tniPrintable(b) == len(b) {
		return string(b)
	}
	return strconv.Quote(string(b))
}

// clip shortens b for an error message.
func clip(b []byte) string {
	const n = 60
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
