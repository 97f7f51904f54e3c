package ini

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"strings"
)

// Binary OS/2 INI layout (spec §2). All integers are unsigned little-endian;
// every offset is absolute, counted from byte 0 of the file.
//
//	header, 20 bytes at offset 0 (§2.2):
//	  0  uint32  signature FF FF FF FF
//	  4  uint32  offset of the first application record (0 = none)
//	  8  uint32  total file length in bytes
//	 12  uint32  reserved (0)
//	 16  uint32  reserved (0)
//	application record, 20 bytes (§2.3):
//	  0  uint32  offset of the next application record (0 = last)
//	  4  uint32  offset of the first key record (0 = no keys)
//	  8  uint32  reserved (0)
//	 12  uint16  length of the name field, NUL included
//	 14  uint16  the same length again
//	 16  uint32  offset of the name field
//	key record, 24 bytes (§2.4):
//	  0  uint32  offset of the next key record of the application (0 = last)
//	  4  uint32  reserved (0)
//	  8  uint16  length of the key-name field, NUL included
//	 10  uint16  the same length again
//	 12  uint32  offset of the key-name field
//	 16  uint16  length of the value in bytes
//	 18  uint16  the same length again
//	 20  uint32  offset of the value
const (
	binHeaderSize = 20
	binAppSize    = 20
	binKeySize    = 24

	// MaxValueLen is the longest value the binary format can store, in
	// bytes (16-bit length field, spec §2.5).
	MaxValueLen = 65535
	// MaxNameLen is the longest application or key name the binary format
	// can store, in bytes, not counting the NUL that the name field adds
	// (spec §2.5).
	MaxNameLen = 65534
)

// binSignature is the 4-byte signature at offset 0 of a binary INI file.
var binSignature = []byte{0xFF, 0xFF, 0xFF, 0xFF}

// ErrTooLong is wrapped by the errors of MarshalBinary and AppendBinary
// (see BinaryError) when a value is longer than MaxValueLen bytes, a name
// longer than MaxNameLen bytes, or the whole file longer than 4 GiB (32-bit
// offsets).
var ErrTooLong = errors.New("too long for the binary INI format")

// ErrNameTooLong is wrapped, beside ErrTooLong, by the error for a name
// longer than MaxNameLen bytes, so that a caller can say "name too long"
// rather than blame the file or the value.
var ErrNameTooLong = errors.New("name too long for the binary INI format")

// ErrValueTooLong is wrapped, beside ErrTooLong, by the error for a value
// longer than MaxValueLen bytes.
var ErrValueTooLong = errors.New("value too long for the binary INI format")

// MaxBinaryErrors is the number of items a *BinaryError lists; it counts
// the rest.
const MaxBinaryErrors = 20

// BinaryError is returned by MarshalBinary and AppendBinary (and so by Save
// and Marshal) when items of a file cannot be written in the binary INI
// format (spec §2.5): names longer than MaxNameLen bytes, values longer
// than MaxValueLen bytes, names containing NUL, a file over 4 GiB. Items
// holds the first MaxBinaryErrors of them in file order, each naming the
// application and key and wrapping ErrTooLong and ErrNameTooLong or
// ErrValueTooLong, or ErrInvalidName; Total counts them all. errors.Is sees
// through it to every item's sentinels.
type BinaryError struct {
	Items []error
	Total int
}

// Error returns the single item's message, or "N items cannot be written
// in the binary INI format: ITEM; ITEM; ... (and M more)".
func (e *BinaryError) Error() string {
	if len(e.Items) == 1 && e.Total == 1 {
		return e.Items[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d items cannot be written in the binary INI format: ", e.Total)
	for i, it := range e.Items {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(it.Error())
	}
	if more := e.Total - len(e.Items); more > 0 {
		fmt.Fprintf(&b, " (and %d more)", more)
	}
	return b.String()
}

// Unwrap returns the items listed.
func (e *BinaryError) Unwrap() []error { return e.Items }

// limitError is one item of a BinaryError over a limit: its message, and
// the sentinels it wraps.
type limitError struct {
	msg  string
	kind error // ErrNameTooLong, ErrValueTooLong, or nil (the file)
}

func (e *limitError) Error() string { return e.msg + ": " + ErrTooLong.Error() }

func (e *limitError) Unwrap() []error {
	if e.kind == nil {
		return []error{ErrTooLong}
	}
	return []error{ErrTooLong, e.kind}
}

// BinaryOptions controls ParseBinaryOptions.
type BinaryOptions struct {
	// Strict rejects, as a *FormatError, what the default lenient mode
	// accepts with a warning (spec §2.7, "lenient by default"): the two
	// copies of a 16-bit length differ; a name field without any NUL; a
	// duplicate application name or a duplicate key name within one
	// application; an empty name (name field holding only the NUL).
	Strict bool
	// Warn, when not nil, is called for each tolerated irregularity: the
	// lenient cases above (in lenient mode), a header length field that
	// disagrees with the real size, a header-only file whose
	// first-application offset is not 0, and a NUL inside a name field
	// before its last byte (the name is cut there). The *FormatError
	// carries the byte offset of the record concerned (0 for the header).
	Warn func(*FormatError)
}

// ParseBinary decodes a binary OS/2 INI file in lenient mode; it is
// ParseBinaryOptions(data, BinaryOptions{}).
func ParseBinary(data []byte) (*File, error) {
	return ParseBinaryOptions(data, BinaryOptions{})
}

// ParseBinaryOptions decodes a binary OS/2 INI file (layout in spec §2.2 to
// §2.4, reading rules in spec §2.7).
//
// It navigates only through offsets: records and strings may be anywhere,
// in any order, with gaps and trailing bytes. Applications and keys are
// returned in chain order. Tolerated in every mode: a zero-byte file and a
// header-only file (20 bytes) are empty profiles, as is a first-application
// offset of 0; a first-application offset other than 0x14; a header length
// field that disagrees with the real size (warning); an application whose
// first-key offset is 0 (kept, with no keys); a zero-length value at any
// offset; a NUL before the end of a name field (the name ends there,
// warning); non-zero reserved fields (ignored).
//
// Rejected with a *FormatError whose Offset is the record concerned (0 for
// the header): a file of 1 to 19 bytes; a signature other than FF FF FF FF;
// a record, name field or non-empty value that extends past the end of the
// file; a name-field length of 0; a record reached twice (a cycle in the
// application chain or a key chain, or a key chain shared by two
// applications); a record overlapping another record (no writer produces
// that; refusing it bounds the number of records by the file size); name
// fields totalling more than 4 times the file size, and values likewise
// (only possible when many records share name or value bytes; refusing it
// bounds the work of a read and the size of anything written from the
// result: a 600 KiB file whose 20000 keys all point at one 64 KiB value
// would otherwise become a 4 GiB TNI file). See BinaryOptions for the cases
// Strict adds.
//
// The returned File ALIASES data: names and values are sub-slices of data
// (with their capacity limited, so appending to them copies). The caller
// must not modify data while the File is in use; use Clone, or
// UnmarshalBinary, for an independent copy. Apart from that, a read
// allocates a quarter of the file size for bookkeeping (bitsets of record
// starts), 48 bytes per key and about 64 bytes per application; since
// records cannot overlap that is at most about 3.5 times len(data), and
// about 0.5 times for typical files.
func ParseBinaryOptions(data []byte, opts BinaryOptions) (*File, error) {
	if len(data) == 0 {
		return &File{}, nil
	}
	if len(data) < binHeaderSize {
		return nil, errAt(0, "file is %d bytes long, shorter than the %d-byte header", len(data), binHeaderSize)
	}
	if !bytes.Equal(data[:4], binSignature) {
		return nil, errAt(0, "signature is % X, want FF FF FF FF", data[:4])
	}
	if uint64(len(data)) > math.MaxUint32 {
		return nil, errAt(0, "file is %d bytes long, more than 32-bit offsets can address", len(data))
	}
	p := &binParser{data: data, size: uint32(len(data)), strict: opts.Strict, warn: opts.Warn}
	if n := le32(data[8:]); n != p.size {
		p.warnf(0, "header: file length field says %d (0x%X) bytes, the file has %d (0x%X)", n, n, p.size, p.size)
	}
	first := le32(data[4:])
	if first == 0 {
		return &File{}, nil
	}
	if p.size == binHeaderSize {
		p.warnf(0, "header-only file: first application record offset 0x%X ignored, read as an empty profile", first)
		return &File{}, nil
	}
	if err := p.check(first); err != nil {
		return nil, err
	}
	return p.build(first)
}

// UnmarshalBinary replaces the contents of f with the binary INI file in
// data (ParseBinary, lenient mode). Unlike ParseBinary it copies data first,
// so f does not alias it (encoding.BinaryUnmarshaler contract). On error f
// is unchanged.
func (f *File) UnmarshalBinary(data []byte) error {
	g, err := ParseBinary(bytes.Clone(data))
	if err != nil {
		return err
	}
	*f = *g
	return nil
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }

// recKind names what a record is, for messages.
type recKind uint8

const (
	kindHeader recKind = iota
	kindApp
	kindKey
)

func (k recKind) String() string {
	switch k {
	case kindApp:
		return "application record"
	case kindKey:
		return "key record"
	}
	return "header"
}

func (k recKind) size() uint32 {
	if k == kindKey {
		return binKeySize
	}
	return binAppSize
}

// binParser holds the state of one ParseBinaryOptions call.
type binParser struct {
	data   []byte
	size   uint32
	strict bool
	warn   func(*FormatError)

	// bitsets over byte offsets: starts of application records and of
	// key records (one allocation of len(data)/4 bytes)
	appStart, keyStart bitset

	nApps, nKeys int
	nameBytes    uint64 // sum of the name-field lengths read so far
	valueBytes   uint64 // sum of the value lengths read so far
}

// maxShareFactor bounds the sum of all name-field lengths, and separately the
// sum of all value lengths, to this many times the file size. Name fields
// and values of a well-formed file are disjoint (sum <= size); the bound
// only stops a crafted file whose thousands of records share one 64 KiB
// name field or value from making a read scan and hash gigabytes, or a
// conversion of the result write gigabytes.
const maxShareFactor = 4

func (p *binParser) warnf(off uint32, format string, args ...any) {
	if p.warn != nil {
		p.warn(&FormatError{Offset: int64(off), Msg: fmt.Sprintf(format, args...)})
	}
}

// lenient handles a case that strict mode rejects and lenient mode warns
// about.
func (p *binParser) lenient(off uint32, format string, args ...any) error {
	if p.strict {
		return errAt(int64(off), format, args...)
	}
	p.warnf(off, format, args...)
	return nil
}

// ref describes where a record offset came from, for messages.
type ref struct {
	kind recKind // record holding the pointer
	off  uint32  // its offset
	what string  // "first application", "next application", "first key", "next key"
}

func (r ref) String() string {
	if r.kind == kindHeader {
		return "the " + r.what + " record named by the header"
	}
	return fmt.Sprintf("the %s record named by the %s at 0x%X", r.what, r.kind, r.off)
}

// visit checks that a record of kind k at off lies inside the file, was not
// read before and overlaps no other record, and marks it as read.
func (p *binParser) visit(off uint32, k recKind, from ref, app []byte) error {
	n := k.size()
	if uint64(off)+uint64(n) > uint64(p.size) {
		return errAt(int64(off), "%s (%s): %d-byte record extends past the end of the file (size 0x%X)", k, from, n, p.size)
	}
	if k == kindApp && p.appStart.get(off) {
		return errAt(int64(off), "%s (%s) was already read: cycle in the application chain", k, from)
	}
	if k == kindKey && p.keyStart.get(off) {
		if from.what == "next key" && p.inChain(off, from.off) {
			return errAt(int64(off), "%s (%s) was already read: cycle in the key chain of application %s", k, from, quoteName(app))
		}
		return errAt(int64(off), "%s (%s) already belongs to the key chain of an earlier application", k, from)
	}
	// an application record starting in (off-20, off+n) or a key record
	// starting in (off-24, off+n) would overlap this one
	if p.appStart.anyIn(int64(off)-binAppSize+1, int64(off)+int64(n)) ||
		p.keyStart.anyIn(int64(off)-binKeySize+1, int64(off)+int64(n)) {
		other, _ := p.recordAt(off, n)
		return errAt(int64(off), "%s (%s) overlaps the %s at 0x%X", k, from, other.kind, other.off)
	}
	if k == kindApp {
		p.appStart.set(off)
	} else {
		p.keyStart.set(off)
	}
	return nil
}

// inChain reports whether the key record at target is in the chain that
// ends at the key record last (walking from the first key of the current
// application). Error path only; the chain walked so far is acyclic.
func (p *binParser) inChain(target, last uint32) bool {
	// Chains are disjoint (visit enforces it), so target is in the chain
	// of last exactly when following next pointers from target leads to
	// last.
	k := target
	for steps := 0; k != 0 && steps <= p.nKeys+1; steps++ {
		if k == last {
			return true
		}
		k = le32(p.data[k:])
	}
	return false
}

// recordAt finds a record overlapping [off, off+n). Error path only.
func (p *binParser) recordAt(off, n uint32) (ref, bool) {
	lo := int64(off) - binKeySize + 1
	if lo < 0 {
		lo = 0
	}
	for s := int64(off) + int64(n) - 1; s >= lo; s-- {
		u := uint32(s)
		if p.appStart.get(u) && s+binAppSize > int64(off) {
			return ref{kind: kindApp, off: u}, true
		}
		if p.keyStart.get(u) && s+binKeySize > int64(off) {
			return ref{kind: kindKey, off: u}, true
		}
	}
	return ref{}, false
}

// field reads the (length, length copy, offset) triple at rec+at.
func (p *binParser) field(rec, at uint32) (n, n2 uint16, off uint32) {
	b := p.data[rec+at:]
	return le16(b), le16(b[2:]), le32(b[4:])
}

// checkName validates the name field described at rec+at and returns the
// name (cut at the first NUL).
func (p *binParser) checkName(rec uint32, k recKind, at uint32, what string) ([]byte, error) {
	n, n2, off := p.field(rec, at)
	if n == 0 {
		return nil, errAt(int64(rec), "%s: %s length is 0 (the field must hold at least the NUL)", k, what)
	}
	if n != n2 {
		if err := p.lenient(rec, "%s: the two copies of the %s length differ (%d and %d); using %d", k, what, n, n2, n); err != nil {
			return nil, err
		}
	}
	end := uint64(off) + uint64(n)
	if end > uint64(p.size) {
		return nil, errAt(int64(rec), "%s: %s field 0x%X+%d extends past the end of the file (size 0x%X)", k, what, off, n, p.size)
	}
	p.nameBytes += uint64(n)
	if p.nameBytes > maxShareFactor*uint64(p.size) {
		return nil, errAt(int64(rec), "%s: %s field 0x%X+%d: the name fields read so far total %d bytes, more than %d times the file size (name fields shared by many records)", k, what, off, n, p.nameBytes, maxShareFactor)
	}
	field := p.data[off:end]
	i := bytes.IndexByte(field, 0)
	switch {
	case i < 0:
		if err := p.lenient(rec, "%s: %s field 0x%X+%d holds no NUL; taking all %d bytes as the name", k, what, off, n, n); err != nil {
			return nil, err
		}
		return field, nil
	case i == 0:
		if err := p.lenient(rec, "%s: empty %s (the field at 0x%X holds only the NUL)", k, what, off); err != nil {
			return nil, err
		}
	case i < len(field)-1:
		p.warnf(rec, "%s: %s field 0x%X+%d has a NUL at byte %d; the name ends there", k, what, off, n, i)
	}
	return field[:i], nil
}

// check is the first pass: it walks every chain, validates every record,
// name and value, emits the warnings and counts applications and keys, so
// that build can allocate exactly and trust the offsets.
func (p *binParser) check(first uint32) error {
	words := (int(p.size) + 63) / 64
	all := make([]uint64, 2*words)
	p.appStart, p.keyStart = all[:words:words], all[words:]

	from := ref{kind: kindHeader, what: "first application"}
	for a := first; a != 0; {
		if err := p.visit(a, kindApp, from, nil); err != nil {
			return err
		}
		name, err := p.checkName(a, kindApp, 12, "application name")
		if err != nil {
			return err
		}
		p.nApps++
		kfrom := ref{kind: kindApp, off: a, what: "first key"}
		for k := le32(p.data[a+4:]); k != 0; {
			if err := p.visit(k, kindKey, kfrom, name); err != nil {
				return err
			}
			if _, err := p.checkName(k, kindKey, 8, "key name"); err != nil {
				return err
			}
			n, n2, off := p.field(k, 16)
			if n != n2 {
				if err := p.lenient(k, "key record: the two copies of the value length differ (%d and %d); using %d", n, n2, n); err != nil {
					return err
				}
			}
			if n > 0 && uint64(off)+uint64(n) > uint64(p.size) {
				return errAt(int64(k), "key record: value 0x%X+%d extends past the end of the file (size 0x%X)", off, n, p.size)
			}
			p.valueBytes += uint64(n)
			if p.valueBytes > maxShareFactor*uint64(p.size) {
				return errAt(int64(k), "key record: value 0x%X+%d: the values read so far total %d bytes, more than %d times the file size (values shared by many records)", off, n, p.valueBytes, maxShareFactor)
			}
			p.nKeys++
			kfrom = ref{kind: kindKey, off: k, what: "next key"}
			k = le32(p.data[k:])
		}
		from = ref{kind: kindApp, off: a, what: "next application"}
		a = le32(p.data[a:])
	}
	return nil
}

// name returns the name in the (already checked) field at rec+at.
func (p *binParser) name(rec, at uint32) []byte {
	n, _, off := p.field(rec, at)
	end := off + uint32(n)
	field := p.data[off:end:end]
	if i := bytes.IndexByte(field, 0); i >= 0 {
		return field[:i:i]
	}
	return field
}

// build is the second pass: it walks the chains checked by check and
// builds the model, dropping (or, in strict mode, refusing) duplicate
// names.
func (p *binParser) build(first uint32) (*File, error) {
	apps := make([]Application, p.nApps)
	kept := make([]*Application, 0, p.nApps)
	entries := make([]Entry, p.nKeys)
	var keySet, appSet dupSet
	var recs []uint32 // key record offsets of the current application, for messages
	ne, i := 0, 0
	for a := first; a != 0; a = le32(p.data[a:]) {
		app := &apps[i]
		i++
		app.Name = p.name(a, 12)
		start := ne
		recs = recs[:0]
		for k := le32(p.data[a+4:]); k != 0; k = le32(p.data[k:]) {
			vn, _, voff := p.field(k, 16)
			v := p.data[:0:0]
			if vn > 0 {
				end := voff + uint32(vn)
				v = p.data[voff:end:end]
			}
			entries[ne] = Entry{Key: p.name(k, 8), Value: v}
			ne++
			recs = append(recs, k)
		}
		if ne > start {
			es, err := p.dedupeKeys(entries[start:ne:ne], recs, app.Name, &keySet)
			if err != nil {
				return nil, err
			}
			app.Entries = es
		}
		// a duplicate application is dropped with its keys
		dup, err := p.dupApp(kept, app, a, &appSet)
		if err != nil {
			return nil, err
		}
		if !dup {
			kept = append(kept, app)
		}
	}
	return &File{Apps: kept}, nil
}

// dedupeKeys removes later duplicates of a key name from es (the first
// wins, spec §2.7), warning about each, or fails in strict mode. recs[i] is
// the record offset of es[i]. Above indexThreshold keys it uses the hash
// set d instead of a linear scan.
func (p *binParser) dedupeKeys(es []Entry, recs []uint32, app []byte, d *dupSet) ([]Entry, error) {
	if len(es) < 2 {
		return es, nil
	}
	useSet := len(es) > indexThreshold
	if useSet {
		d.reset(len(es))
	}
	out := 0
	for i := range es {
		dup := false
		if useSet {
			dup = d.addOrFind(es[i].Key, int32(out), func(j int32) []byte { return es[j].Key })
		} else {
			for j := range out {
				if bytes.Equal(es[j].Key, es[i].Key) {
					dup = true
					break
				}
			}
		}
		if dup {
			if err := p.lenient(recs[i], "key record: duplicate key %s in application %s; keeping the first", quoteName(es[i].Key), quoteName(app)); err != nil {
				return nil, err
			}
			continue
		}
		if out != i {
			es[out] = es[i]
		}
		out++
	}
	return es[:out:out], nil
}

// dupApp reports whether app (read from the record at rec) duplicates an
// application in kept, warning, or failing in strict mode. Once kept grows
// past indexThreshold the hash set d, filled on first use, replaces the
// linear scan.
func (p *binParser) dupApp(kept []*Application, app *Application, rec uint32, d *dupSet) (bool, error) {
	dup := false
	if len(kept) <= indexThreshold {
		for _, b := range kept {
			if bytes.Equal(b.Name, app.Name) {
				dup = true
				break
			}
		}
	} else {
		name := func(j int32) []byte { return kept[j].Name }
		if d.slots == nil {
			d.reset(p.nApps)
			for j, b := range kept {
				d.addOrFind(b.Name, int32(j), name)
			}
		}
		dup = d.addOrFind(app.Name, int32(len(kept)), name)
	}
	if dup {
		if err := p.lenient(rec, "application record: duplicate application %s; keeping the first, dropping this one and its keys", quoteName(app.Name)); err != nil {
			return true, err
		}
	}
	return dup, nil
}

// dupSet is an open-addressing hash set of indexes into a list of names,
// used to find duplicate names without allocating a string per name.
type dupSet struct {
	seed  maphash.Seed
	slots []int32 // index+1; 0 = empty
	mask  uint64
}

// reset empties the set and sizes it for n names.
func (d *dupSet) reset(n int) {
	if d.slots == nil {
		d.seed = maphash.MakeSeed()
	}
	size := 32
	for size < 2*n {
		size *= 2
	}
	if cap(d.slots) >= size {
		d.slots = d.slots[:size]
		clear(d.slots)
	} else {
		d.slots = make([]int32, size)
	}
	d.mask = uint64(size - 1)
}

// addOrFind reports whether a name equal to b is already in the set (the
// names of stored indexes are fetched through name); if not, it stores
// index i, whose name is b.
func (d *dupSet) addOrFind(b []byte, i int32, name func(int32) []byte) bool {
	h := maphash.Bytes(d.seed, b) & d.mask
	for {
		s := d.slots[h]
		if s == 0 {
			d.slots[h] = i + 1
			return false
		}
		if bytes.Equal(name(s-1), b) {
			return true
		}
		h = (h + 1) & d.mask
	}
}

// maxQuotedName is how many bytes of a name a message quotes.
const maxQuotedName = 64

// quoteName quotes a name for a message with Go escapes; a name over
// maxQuotedName bytes is cut to its first 64, followed by `... (N bytes)`.
func quoteName(b []byte) string {
	if len(b) > maxQuotedName {
		return fmt.Sprintf("%q... (%d bytes)", b[:maxQuotedName], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// bitset is a set of byte offsets.
type bitset []uint64

func (b bitset) get(i uint32) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b bitset) set(i uint32)      { b[i>>6] |= 1 << (i & 63) }

// anyIn reports whether any offset in [lo, hi) is set; lo may be
// negative and hi past the end (clipped).
func (b bitset) anyIn(lo, hi int64) bool {
	lo = max(lo, 0)
	hi = min(hi, int64(len(b))*64)
	for lo < hi {
		bit := uint(lo & 63)
		c := min(64-int64(bit), hi-lo)
		m := ^uint64(0) >> (64 - uint(c)) << bit
		if b[lo>>6]&m != 0 {
			return true
		}
		lo += c
	}
	return false
}

// MarshalBinary encodes f as a binary OS/2 INI file in the canonical layout
// of spec §2.6: the 20-byte header, then for each application in order its
// 20-byte record immediately followed by its name and NUL, then for each of
// its keys the 24-byte key record immediately followed by the key name and
// NUL and the value. Every "next" pointer points forward to the following
// record of its chain (0 for the last), an application without keys has
// first-key offset 0, both copies of every length are equal, reserved
// fields are 0, and the header's length field is the file size. A file read
// by ParseBinary from a file in this layout is written back byte for byte.
//
// An empty profile is written as the 20-byte header alone with
// first-application offset 0 and length 20 (spec §2.6 step 4; what OS/2
// itself writes is unknown; ParseBinary reads it, and a zero-byte file, as
// empty).
//
// Errors (nothing is returned then): a *BinaryError listing every item, up
// to MaxBinaryErrors, that the format cannot hold, each naming the
// application and key: a value longer than MaxValueLen bytes (wrapping
// ErrTooLong and ErrValueTooLong), a name longer than MaxNameLen bytes
// (ErrTooLong and ErrNameTooLong), a name containing a NUL
// (ErrInvalidName). An empty name is written as a lone NUL: Put refuses one,
// so it can only come from a file read by ParseBinary, and it must survive a
// rewrite (spec §2.7).
func (f *File) MarshalBinary() ([]byte, error) {
	return f.AppendBinary(nil)
}

// AppendBinary appends the encoding of MarshalBinary to dst and returns the
// extended slice (encoding.BinaryAppender). Offsets inside the encoding are
// relative to its own start. On error dst is returned unchanged with the
// error.
func (f *File) AppendBinary(dst []byte) ([]byte, error) {
	size, err := f.binarySize()
	if err != nil {
		return dst, err
	}
	start := len(dst)
	if cap(dst)-start < size {
		grown := make([]byte, start, start+size)
		copy(grown, dst)
		dst = grown
	}
	dst = dst[:start+size]
	b := dst[start:]
	le := binary.LittleEndian

	copy(b, binSignature)
	first := uint32(0)
	if len(f.Apps) > 0 {
		first = binHeaderSize
	}
	le.PutUint32(b[4:], first)
	le.PutUint32(b[8:], uint32(size))
	le.PutUint64(b[12:], 0)

	pos := uint32(binHeaderSize)
	prevApp := uint32(0) // offset of the previous application record, 0 = none
	for _, a := range f.Apps {
		if prevApp != 0 {
			le.PutUint32(b[prevApp:], pos)
		}
		prevApp = pos
		r := b[pos : pos+binAppSize]
		le.PutUint32(r, 0)
		le.PutUint32(r[8:], 0)
		n := uint16(len(a.Name) + 1)
		le.PutUint16(r[12:], n)
		le.PutUint16(r[14:], n)
		le.PutUint32(r[16:], pos+binAppSize)
		pos += binAppSize
		pos += uint32(copy(b[pos:], a.Name))
		b[pos] = 0
		pos++
		firstKey := uint32(0)
		if len(a.Entries) > 0 {
			firstKey = pos
		}
		le.PutUint32(r[4:], firstKey)
		for j := range a.Entries {
			e := &a.Entries[j]
			rec := pos
			r := b[rec : rec+binKeySize]
			le.PutUint32(r[4:], 0)
			n := uint16(len(e.Key) + 1)
			le.PutUint16(r[8:], n)
			le.PutUint16(r[10:], n)
			le.PutUint32(r[12:], rec+binKeySize)
			pos += binKeySize
			pos += uint32(copy(b[pos:], e.Key))
			b[pos] = 0
			pos++
			vn := uint16(len(e.Value))
			le.PutUint16(r[16:], vn)
			le.PutUint16(r[18:], vn)
			le.PutUint32(r[20:], pos)
			pos += uint32(copy(b[pos:], e.Value))
			next := pos
			if j == len(a.Entries)-1 {
				next = 0
			}
			le.PutUint32(r, next)
		}
	}
	return dst, nil
}

// binarySize returns the size of the canonical encoding of f, or a
// *BinaryError listing the reasons f cannot be encoded.
func (f *File) binarySize() (int, error) {
	var bad *BinaryError // allocated on the first error only: AppendBinary makes no allocation
	add := func(err error) {
		if bad == nil {
			bad = new(BinaryError)
		}
		bad.Total++
		if len(bad.Items) < MaxBinaryErrors {
			bad.Items = append(bad.Items, err)
		}
	}
	size := uint64(binHeaderSize)
	for _, a := range f.Apps {
		if !binaryNameOK(a.Name) {
			add(binaryNameError(a.Name, "application", a.Name, nil))
		}
		size += binAppSize + uint64(len(a.Name)) + 1
		for _, e := range a.Entries {
			if !binaryNameOK(e.Key) {
				add(binaryNameError(e.Key, "key", a.Name, e.Key))
			}
			if len(e.Value) > MaxValueLen {
				add(&limitError{fmt.Sprintf("application %s key %s: value of %d bytes exceeds %d",
					quoteName(a.Name), quoteName(e.Key), len(e.Value), MaxValueLen), ErrValueTooLong})
			}
			size += binKeySize + uint64(len(e.Key)) + 1 + uint64(len(e.Value))
		}
		if size > math.MaxUint32 {
			add(&limitError{fmt.Sprintf("application %s: file would exceed 4 GiB", quoteName(a.Name)), nil})
			break
		}
	}
	if bad != nil {
		return 0, bad
	}
	return int(size), nil
}

// binaryNameOK reports whether the binary format can hold name: at most
// MaxNameLen bytes, no NUL. An empty name is accepted (see MarshalBinary).
func binaryNameOK(name []byte) bool {
	return len(name) <= MaxNameLen && bytes.IndexByte(name, 0) < 0
}

// binaryNameError explains why binaryNameOK refused name.
func binaryNameError(name []byte, what string, app, key []byte) error {
	where := "application " + quoteName(app)
	if key != nil {
		where += " key " + quoteName(key)
	}
	if len(name) > MaxNameLen {
		return &limitError{fmt.Sprintf("%s: %s name of %d bytes exceeds %d", where, what, len(name), MaxNameLen), ErrNameTooLong}
	}
	return fmt.Errorf("%s: %s name contains NUL: %w", where, what, ErrInvalidName)
}
