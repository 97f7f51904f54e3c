package luaapi

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/inilua/inilua/ini"
)

// saveLocal encodes f in format (ff: the format file for TNI output, may be
// nil) and writes it to path atomically with ini.WriteFile (backup: the
// previous file kept as path + ".BAK"). It returns the bytes written.
func saveLocal(path string, f *ini.File, format ini.Format, backup bool, ff *ini.FormatFile) ([]byte, error) {
	var data []byte
	var err error
	if format == ini.FormatTNI {
		data, err = f.MarshalTNI(ff)
	} else {
		data, err = f.MarshalBinary()
	}
	if err != nil {
		return nil, fmt.Errorf("save %s: %w", path, err)
	}
	return data, ini.WriteFile(path, data, ini.SaveOptions{Backup: backup})
}

// diskState is what a local file held when a handle read or last saved it:
// whether it existed, its size and the SHA-256 of its bytes.
type diskState struct {
	exists bool
	size   int64
	sum    [sha256.Size]byte
}

// stateOf returns the diskState of data (exists false: there was no file).
func stateOf(data []byte, exists bool) *diskState {
	if !exists {
		return &diskState{}
	}
	return &diskState{exists: true, size: int64(len(data)), sum: sha256.Sum256(data)}
}

// check returns an error wrapping ErrChangedOnDisk when the file at path no
// longer holds what d recorded (created, removed or rewritten since), and
// the error of reading it when it cannot be read. Equal bytes pass even if
// the file was rewritten with them.
func (d *diskState) check(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if d.exists {
			return fmt.Errorf("%w: removed; f:save{force = true} writes it anew", ErrChangedOnDisk)
		}
		return nil
	case err != nil:
		return err
	case !d.exists:
		return fmt.Errorf("%w: created by someone else meanwhile; f:save{force = true} overwrites it", ErrChangedOnDisk)
	case fi.Size() != d.size:
		return fmt.Errorf("%w (%d bytes then, %d now); re-open it, or f:save{force = true} overwrites it", ErrChangedOnDisk, d.size, fi.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if sha256.Sum256(data) != d.sum {
		return fmt.Errorf("%w (same size, other bytes); re-open it, or f:save{force = true} overwrites it", ErrChangedOnDisk)
	}
	return nil
}

// samePath reports whether paths a and b lead to the same file now: equal
// once made absolute and cleaned ("SUB/X.INI", "./SUB/X.INI"), equal after
// resolving symbolic links, or naming one existing file (another case of
// the name on a case-insensitive file system, a hard link).
func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == ab {
		return true
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 == nil && err2 == nil {
		if ra == rb {
			return true
		}
		fa, err1 := os.Stat(ra)
		fb, err2 := os.Stat(rb)
		return err1 == nil && err2 == nil && os.SameFile(fa, fb)
	}
	return false
}

// chooseLocal applies the GenINI selection rules to base.INI and base.TNI
// on the local disk (ini.Choose, warnings to warn) and returns the path to
// use.
func chooseLocal(base string, warn func(*ini.FormatError)) (string, error) {
	path, _, err := ini.Choose(base, ini.ChooseOptions{Warn: warn})
	return path, err
}

// warnFormat logs a warning of the codec (ini.ParseWarn, ini.Choose) at
// Warn level: what was read is used, but the reference programs would read
// it differently, or the user most likely meant something else.
func (r *Runtime) warnFormat(e *ini.FormatError) {
	r.log.Warn(e.Error())
}
