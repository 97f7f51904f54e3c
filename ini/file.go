// Package ini is the codec for OS/2 profile data: the in-memory model of an
// INI file (ordered applications, ordered keys, byte values), the binary OS/2
// INI format, Moylan's TNI text format, FMT format files, typed views of
// values and atomic saving.
//
// The format rules come from ../shared/spec/ini-formats.md; section numbers
// in doc comments (§2.7, §4.2, ...) refer to that document.
//
// Names and values are byte strings in the OS/2 code page. Nothing in this
// package converts or validates character sets; names are compared exactly,
// byte for byte (spec §1).
package ini

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrNotFound is returned (wrapped) by lookups of an application or key that
// does not exist.
var ErrNotFound = errors.New("not found")

// ErrInvalidName is returned (wrapped) by Put when an application or key name
// is empty or contains a NUL byte: neither format can store such a name
// (spec §2.5, §7.3 recommended).
var ErrInvalidName = errors.New("invalid name")

// ErrReadOnly is returned (wrapped) by the save functions when the target
// file exists without write permission for its owner (the Unix form of the
// OS/2 read-only attribute): it is refused, not replaced.
var ErrReadOnly = errors.New("read-only file")

// Profile is the one interface that joins local and remote INI files: a
// *File satisfies it, and so does a remote file of package client. Callers
// (the Lua API) build on Profile so that local and remote files behave alike.
//
// Names and values are raw bytes. Implementations must not retain or modify
// the slices passed in, and callers must not modify slices returned.
type Profile interface {
	// Applications returns the application names in file order.
	Applications() ([][]byte, error)
	// Keys returns the key names of app in file order; ErrNotFound when the
	// application does not exist.
	Keys(app []byte) ([][]byte, error)
	// Get returns the value of (app, key); ErrNotFound when absent. A
	// zero-length value is present and distinct from absent.
	Get(app, key []byte) ([]byte, error)
	// Size returns the length in bytes of the value of (app, key);
	// ErrNotFound when absent.
	Size(app, key []byte) (int, error)
	// Put creates or replaces the value of (app, key), creating the
	// application when needed. ErrInvalidName for an empty name or a name
	// containing NUL.
	Put(app, key, value []byte) error
	// Delete removes (app, key). Deleting a missing key is not an error. An
	// application left without keys is removed.
	Delete(app, key []byte) error
	// DeleteApplication removes app and all its keys. Deleting a missing
	// application is not an error.
	DeleteApplication(app []byte) error
}

// Entry is one key of an application: its name and its value.
type Entry struct {
	Key   []byte // key name, without NUL
	Value []byte // raw value bytes; zero length is a present, empty value
}

// Application is one application (section) of an INI file: its name and its
// keys in file order.
type Application struct {
	Name    []byte         // application name, without NUL
	Entries []Entry        // keys in file order; change through File methods
	index   map[string]int // key name -> position in Entries; built lazily
}

// indexThreshold is the number of entries above which lookups go through a
// map instead of a linear scan.
const indexThreshold = 16

// File is an INI file in memory: an ordered list of applications, each an
// ordered list of keys with byte values (spec §1). The zero value is an empty
// file ready to use. New applications and keys are appended at the end;
// replacing a value keeps its position.
//
// A File is not safe for concurrent use.
type File struct {
	Apps  []*Application // applications in file order; change through File methods
	index map[string]int // application name -> position in Apps; built lazily
	tni   *tniMemory     // memory of the last UnmarshalTNI, for the next one
}

// New returns an empty file.
func New() *File { return &File{} }

var _ Profile = (*File)(nil)

func (f *File) findApp(name []byte) int {
	if len(f.Apps) > indexThreshold {
		if f.index == nil {
			f.index = make(map[string]int, len(f.Apps))
			for i := len(f.Apps) - 1; i >= 0; i-- {
				f.index[string(f.Apps[i].Name)] = i
			}
		}
		if i, ok := f.index[string(name)]; ok {
			return i
		}
		return -1
	}
	for i, a := range f.Apps {
		if bytes.Equal(a.Name, name) {
			return i
		}
	}
	return -1
}

func (a *Application) find(key []byte) int {
	if len(a.Entries) > indexThreshold {
		if a.index == nil {
			a.index = make(map[string]int, len(a.Entries))
			for i := len(a.Entries) - 1; i >= 0; i-- {
				a.index[string(a.Entries[i].Key)] = i
			}
		}
		if i, ok := a.index[string(key)]; ok {
			return i
		}
		return -1
	}
	for i := range a.Entries {
		if bytes.Equal(a.Entries[i].Key, key) {
			return i
		}
	}
	return -1
}

// Application returns the application named name, or nil when absent. The
// returned value is the file's own: changing it changes the file (use Put and
// Delete to keep the lookup index right).
func (f *File) Application(name []byte) *Application {
	if i := f.findApp(name); i >= 0 {
		return f.Apps[i]
	}
	return nil
}

// HasApplication reports whether the application exists (it may have no
// keys, when read from a file that holds an empty application).
func (f *File) HasApplication(app []byte) bool { return f.findApp(app) >= 0 }

// Lookup returns the value of (app, key) and whether it exists. The slice is
// the file's own and must not be modified.
func (f *File) Lookup(app, key []byte) ([]byte, bool) {
	a := f.Application(app)
	if a == nil {
		return nil, false
	}
	return a.Lookup(key)
}

// Lookup returns the value of key in a and whether it exists. The slice is
// the file's own and must not be modified.
func (a *Application) Lookup(key []byte) ([]byte, bool) {
	if i := a.find(key); i >= 0 {
		return a.Entries[i].Value, true
	}
	return nil, false
}

// Applications returns the application names in file order. The error is
// always nil (it is there to satisfy Profile).
func (f *File) Applications() ([][]byte, error) {
	names := make([][]byte, len(f.Apps))
	for i, a := range f.Apps {
		names[i] = a.Name
	}
	return names, nil
}

// Keys returns the key names of app in file order; an error wrapping
// ErrNotFound when the application does not exist.
func (f *File) Keys(app []byte) ([][]byte, error) {
	a := f.Application(app)
	if a == nil {
		return nil, fmt.Errorf("application %q: %w", app, ErrNotFound)
	}
	names := make([][]byte, len(a.Entries))
	for i, e := range a.Entries {
		names[i] = e.Key
	}
	return names, nil
}

// Get returns the value of (app, key), or an error wrapping ErrNotFound. The
// slice is the file's own and must not be modified.
func (f *File) Get(app, key []byte) ([]byte, error) {
	v, ok := f.Lookup(app, key)
	if !ok {
		return nil, fmt.Errorf("application %q key %q: %w", app, key, ErrNotFound)
	}
	return v, nil
}

// Size returns the length in bytes of the value of (app, key), or an error
// wrapping ErrNotFound.
func (f *File) Size(app, key []byte) (int, error) {
	v, err := f.Get(app, key)
	return len(v), err
}

// CheckName returns an error wrapping ErrInvalidName when name cannot be an
// application or key name: empty, or containing a NUL byte (spec §2.5). what
// is "application" or "key", used in the message.
func CheckName(what string, name []byte) error {
	if len(name) == 0 {
		return fmt.Errorf("empty %s name: %w", what, ErrInvalidName)
	}
	if bytes.IndexByte(name, 0) >= 0 {
		return fmt.Errorf("%s name %q contains NUL: %w", what, name, ErrInvalidName)
	}
	return nil
}

// Put creates or replaces the value of (app, key). The application and key
// are appended when new; a replaced value keeps its position. value is
// copied. Errors wrap ErrInvalidName (see CheckName); the file is unchanged
// then.
func (f *File) Put(app, key, value []byte) error {
	if err := CheckName("application", app); err != nil {
		return err
	}
	if err := CheckName("key", key); err != nil {
		return err
	}
	f.put(app, key, bytes.Clone(value))
	if value == nil {
		// keep "present, zero length" distinct from absent
		a := f.Application(app)
		a.Entries[a.find(key)].Value = []byte{}
	}
	return nil
}

// put stores value (not copied) without checking the names.
func (f *File) put(app, key, value []byte) {
	a := f.addApp(app)
	if i := a.find(key); i >= 0 {
		a.Entries[i].Value = value
		return
	}
	a.Entries = append(a.Entries, Entry{Key: bytes.Clone(key), Value: value})
	if a.index != nil {
		a.index[string(key)] = len(a.Entries) - 1
	}
}

// addApp returns the application named name, appending an empty one when
// absent.
func (f *File) addApp(name []byte) *Application {
	if i := f.findApp(name); i >= 0 {
		return f.Apps[i]
	}
	a := &Application{Name: bytes.Clone(name)}
	f.Apps = append(f.Apps, a)
	if f.index != nil {
		f.index[string(a.Name)] = len(f.Apps) - 1
	}
	return a
}

// AddApplication creates an empty application at the end when it does not
// exist yet (a TNI file can hold one: spec §4.1). It returns ErrInvalidName
// for a name Put would refuse.
func (f *File) AddApplication(app []byte) error {
	if err := CheckName("application", app); err != nil {
		return err
	}
	f.addApp(app)
	return nil
}

// Delete removes the key (app, key). A missing key or application is not an
// error. When the application has no keys left it is removed too (spec
// iniserve-protocol.md §4 "Deleting"). The error is always nil.
func (f *File) Delete(app, key []byte) error {
	ai := f.findApp(app)
	if ai < 0 {
		return nil
	}
	a := f.Apps[ai]
	ki := a.find(key)
	if ki < 0 {
		return nil
	}
	a.Entries = append(a.Entries[:ki], a.Entries[ki+1:]...)
	a.index = nil
	if len(a.Entries) == 0 {
		f.removeApp(ai)
	}
	return nil
}

// DeleteApplication removes app with all its keys. A missing application is
// not an error. The error is always nil.
func (f *File) DeleteApplication(app []byte) error {
	if ai := f.findApp(app); ai >= 0 {
		f.removeApp(ai)
	}
	return nil
}

func (f *File) removeApp(i int) {
	f.Apps = append(f.Apps[:i], f.Apps[i+1:]...)
	f.index = nil
}

// NumKeys returns the number of keys of app, 0 when it does not exist.
func (f *File) NumKeys(app []byte) int {
	if a := f.Application(app); a != nil {
		return len(a.Entries)
	}
	return 0
}

// Clone returns a deep copy of f: names and values are copied, so the clone
// shares no memory with f.
func (f *File) Clone() *File {
	g := &File{Apps: make([]*Application, len(f.Apps))}
	for i, a := range f.Apps {
		b := &Application{Name: bytes.Clone(a.Name), Entries: make([]Entry, len(a.Entries))}
		for j, e := range a.Entries {
			v := bytes.Clone(e.Value)
			if v == nil {
				v = []byte{}
			}
			b.Entries[j] = Entry{Key: bytes.Clone(e.Key), Value: v}
		}
		g.Apps[i] = b
	}
	return g
}

// Equal reports whether f and g hold the same applications, keys and values
// in the same order.
func (f *File) Equal(g *File) bool {
	if len(f.Apps) != len(g.Apps) {
		return false
	}
	for i, a := range f.Apps {
		b := g.Apps[i]
		if !bytes.Equal(a.Name, b.Name) || len(a.Entries) != len(b.Entries) {
			return false
		}
		for j, e := range a.Entries {
			if !bytes.Equal(e.Key, b.Entries[j].Key) || !bytes.Equal(e.Value, b.Entries[j].Value) {
				return false
			}
		}
	}
	return true
}

// SameContent reports whether f and g hold the same applications, keys and
// values, ignoring order (an INI file converted to TNI comes back sorted).
func (f *File) SameContent(g *File) bool {
	if len(f.Apps) != len(g.Apps) {
		return false
	}
	for _, a := range f.Apps {
		b := g.Application(a.Name)
		if b == nil || len(a.Entries) != len(b.Entries) {
			return false
		}
		for _, e := range a.Entries {
			i := b.find(e.Key)
			if i < 0 || !bytes.Equal(e.Value, b.Entries[i].Value) {
				return false
			}
		}
	}
	return true
}

// NameList encodes names as the INIServe/OS/2 list pseudo-value: each name
// followed by one NUL, then one more NUL (spec §7.2). An empty list gives the
// single byte 00.
func NameList(names [][]byte) []byte {
	n := 1
	for _, s := range names {
		n += len(s) + 1
	}
	out := make([]byte, 0, n)
	for _, s := range names {
		out = append(out, s...)
		out = append(out, 0)
	}
	return append(out, 0)
}

// ParseNameList decodes a list pseudo-value produced by NameList (names each
// followed by NUL, then a final NUL). It is lenient about a missing final NUL
// (OS/2 may omit it: spec §7.2) and returns an error only when the data does
// not end in NUL at all.
func ParseNameList(data []byte) ([][]byte, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if data[len(data)-1] != 0 {
		return nil, errors.New("name list does not end in NUL")
	}
	data = data[:len(data)-1]
	var names [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, 0)
		if i < 0 {
			// the final NUL we stripped terminated the last name
			names = append(names, data)
			break
		}
		if i == 0 {
			// empty name: only the list terminator can be here
			if len(data) == 1 {
				break
			}
			return nil, errors.New("empty name inside name list")
		}
		names = append(names, data[:i])
		data = data[i+1:]
	}
	return names, nil
}
