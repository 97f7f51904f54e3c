package inidiff

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/plural"
	"github.com/inilua/inilua/notation"
)

// AppStatus says what happened to one application between the two files.
type AppStatus int

// The statuses of an application in a Diff.
const (
	AppChanged AppStatus = iota // in both files, with keys added, removed or changed
	AppAdded                    // only in the new file (every key is added)
	AppRemoved                  // only in the old file (every key is removed)
)

// String returns "changed", "added" or "removed".
func (s AppStatus) String() string {
	switch s {
	case AppAdded:
		return "added"
	case AppRemoved:
		return "removed"
	}
	return "changed"
}

// KeyChange is one key that differs: Old is nil when the key was added,
// New is nil when it was removed; both are set when the value changed.
type KeyChange struct {
	Key      []byte
	Old, New []byte
}

// AppChange is one application that differs, with its differing keys in
// unsigned byte order of their names.
type AppChange struct {
	Name   []byte
	Status AppStatus
	Keys   []KeyChange
}

// Diff is the difference between two files: the applications that differ,
// in unsigned byte order of their names. The zero value (no applications)
// means the entries are the same.
type Diff struct {
	Apps []AppChange
}

// Empty reports whether the two files had the same entries.
func (d Diff) Empty() bool { return len(d.Apps) == 0 }

// Counts returns the number of keys added, removed and changed.
func (d Diff) Counts() (added, removed, changed int) {
	for _, a := range d.Apps {
		for _, k := range a.Keys {
			switch {
			case k.Old == nil:
				added++
			case k.New == nil:
				removed++
			default:
				changed++
			}
		}
	}
	return
}

// Compare returns the difference from old to new. Neither file is
// changed; the Diff shares their name and value slices.
func Compare(old, new *ini.File) Diff {
	oldApps, newApps := sortedApps(old), sortedApps(new)
	var d Diff
	i, j := 0, 0
	for i < len(oldApps) || j < len(newApps) {
		var c int
		switch {
		case i == len(oldApps):
			c = 1
		case j == len(newApps):
			c = -1
		default:
			c = bytes.Compare(oldApps[i].Name, newApps[j].Name)
		}
		switch {
		case c < 0:
			a := oldApps[i]
			d.Apps = append(d.Apps, AppChange{Name: a.Name, Status: AppRemoved, Keys: keyChanges(a.Entries, nil)})
			i++
		case c > 0:
			a := newApps[j]
			d.Apps = append(d.Apps, AppChange{Name: a.Name, Status: AppAdded, Keys: keyChanges(nil, a.Entries)})
			j++
		default:
			if ks := keyChanges(oldApps[i].Entries, newApps[j].Entries); len(ks) > 0 {
				d.Apps = append(d.Apps, AppChange{Name: oldApps[i].Name, Status: AppChanged, Keys: ks})
			}
			i++
			j++
		}
	}
	return d
}

// Same reports whether a and b hold the same entries (Compare is empty).
func Same(a, b *ini.File) bool { return Compare(a, b).Empty() }

// sortedApps returns the applications of f that hold keys, sorted by name.
func sortedApps(f *ini.File) []*ini.Application {
	var apps []*ini.Application
	for _, a := range f.Apps {
		if len(a.Entries) > 0 {
			apps = append(apps, a)
		}
	}
	slices.SortFunc(apps, func(a, b *ini.Application) int { return bytes.Compare(a.Name, b.Name) })
	return apps
}

// keyChanges merges two key lists (in any order) into the changes from old
// to new, sorted by key name.
func keyChanges(old, new []ini.Entry) []KeyChange {
	o, n := slices.Clone(old), slices.Clone(new)
	byKey := func(a, b ini.Entry) int { return bytes.Compare(a.Key, b.Key) }
	slices.SortFunc(o, byKey)
	slices.SortFunc(n, byKey)
	var out []KeyChange
	i, j := 0, 0
	for i < len(o) || j < len(n) {
		var c int
		switch {
		case i == len(o):
			c = 1
		case j == len(n):
			c = -1
		default:
			c = bytes.Compare(o[i].Key, n[j].Key)
		}
		switch {
		case c < 0:
			out = append(out, KeyChange{Key: o[i].Key, Old: nonNil(o[i].Value)})
			i++
		case c > 0:
			out = append(out, KeyChange{Key: n[j].Key, New: nonNil(n[j].Value)})
			j++
		default:
			if !bytes.Equal(o[i].Value, n[j].Value) {
				out = append(out, KeyChange{Key: o[i].Key, Old: nonNil(o[i].Value), New: nonNil(n[j].Value)})
			}
			i++
			j++
		}
	}
	return out
}

// nonNil keeps an empty value distinct from an absent one.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// WriteText prints d, one line per key in the notation of `inilua batch
// --diff` without host and file:
//
//	[application] key: old -> new
//
// with (absent) for a key added or removed, and before the keys of an
// application added or removed one line
//
//	[application]: application added (N keys)
//
// Names are shown by notation.Name, values by notation.Value. When d is not
// empty and oldName or newName is not "", two header lines "--- oldName"
// and "+++ newName" come first, as diff -u prints them.
func WriteText(w io.Writer, d Diff, oldName, newName string) error {
	if d.Empty() {
		return nil
	}
	if oldName != "" || newName != "" {
		if _, err := fmt.Fprintf(w, "--- %s\n+++ %s\n", notation.Name(oldName), notation.Name(newName)); err != nil {
			return err
		}
	}
	for _, a := range d.Apps {
		app := notation.Name(string(a.Name))
		if a.Status != AppChanged {
			if _, err := fmt.Fprintf(w, "[%s]: application %s (%s)\n", app, a.Status, plural.Count(len(a.Keys), "key")); err != nil {
				return err
			}
		}
		for _, k := range a.Keys {
			if _, err := fmt.Fprintf(w, "[%s] %s: %s -> %s\n", app, notation.Name(string(k.Key)),
				notation.Value(k.Old), notation.Value(k.New)); err != nil {
				return err
			}
		}
	}
	return nil
}
