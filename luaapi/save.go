package luaapi

import (
	"github.com/inilua/inilua/ini"
)

// saveLocal writes f to path in format atomically with ini's Save (backup:
// the previous file kept as path + ".BAK"; ff: the format file for TNI
// output, may be nil).
func saveLocal(path string, f *ini.File, format ini.Format, backup bool, ff *ini.FormatFile) error {
	return f.Save(path, ini.SaveOptions{Format: format, FormatSet: true, Backup: backup, FormatFile: ff})
}

// chooseLocal applies the GenINI selection rules to base.INI and base.TNI
// on the local disk (ini.Choose) and returns the path to use.
func chooseLocal(base string) (string, error) {
	path, _, err := ini.Choose(base, ini.ChooseOptions{})
	return path, err
}
