package iniconv

import (
	"bytes"
	"fmt"

	"github.com/inilua/inilua/ini"
)

// counts is what a conversion changed in the output file: applications and
// keys added, changed (an application with any key added, changed or
// removed; a key whose value differs) and removed, old file against new.
type counts struct {
	appsAdded, appsChanged, appsRemoved int
	keysAdded, keysChanged, keysRemoved int
}

// String returns "applications: 1 added, 2 changed, 0 removed; keys: 3
// added, 1 changed, 0 removed".
func (c counts) String() string {
	return fmt.Sprintf("applications: %d added, %d changed, %d removed; keys: %d added, %d changed, %d removed",
		c.appsAdded, c.appsChanged, c.appsRemoved, c.keysAdded, c.keysChanged, c.keysRemoved)
}

// compare counts the changes from old to new (old nil: no file before).
func compare(old, new *ini.File) counts {
	var c counts
	if old == nil {
		old = ini.New()
	}
	for _, a := range new.Apps {
		oa := old.Application(a.Name)
		if oa == nil {
			c.appsAdded++
			c.keysAdded += len(a.Entries)
			continue
		}
		changed := false
		for _, e := range a.Entries {
			v, ok := old.Lookup(a.Name, e.Key)
			switch {
			case !ok:
				c.keysAdded++
				changed = true
			case !bytes.Equal(v, e.Value):
				c.keysChanged++
				changed = true
			}
		}
		for _, e := range oa.Entries {
			if _, ok := new.Lookup(a.Name, e.Key); !ok {
				c.keysRemoved++
				changed = true
			}
		}
		if changed {
			c.appsChanged++
		}
	}
	for _, a := range old.Apps {
		if !new.HasApplication(a.Name) {
			c.appsRemoved++
			c.keysRemoved += len(a.Entries)
		}
	}
	return c
}

// merge returns old with every application and key of add put into it: a
// key of add replaces the same key of old in its place, new applications
// and keys go after the existing ones, and what add lacks stays (the old
// LOADINI behaviour, loadini --merge).
func merge(old, add *ini.File) (*ini.File, error) {
	out := old.Clone()
	for _, a := range add.Apps {
		if !out.HasApplication(a.Name) {
			if err := out.AddApplication(a.Name); err != nil {
				return nil, err
			}
		}
		for _, e := range a.Entries {
			if err := out.Put(a.Name, e.Key, e.Value); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
