package luaapi

import (
	"os"
	"path/filepath"

	"github.com/inilua/inilua/ini"
)

// saveLocal writes f to path in format, atomically (temporary file in the
// same directory, fsync, rename). With backup, an existing file is first
// copied to path + ".bak".
func saveLocal(path string, f *ini.File, format ini.Format, backup bool) error {
	data, err := f.Marshal(format)
	if err != nil {
		return err
	}
	if backup {
		old, err := os.ReadFile(path)
		if err == nil {
			if err := writeAtomic(path+".bak", old); err != nil {
				return err
			}
		} else if !os.IsNotExist(err) {
			return err
		}
	}
	return writeAtomic(path, data)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// chooseLocal applies the GenINI selection rules to base.INI and base.TNI
// on the local disk (ini.Choose) and returns the path to use.
func chooseLocal(base string) (string, error) {
	path, _, err := ini.Choose(base, ini.ChooseOptions{})
	return path, err
}
