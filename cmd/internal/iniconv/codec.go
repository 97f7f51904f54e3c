package iniconv

import (
	"fmt"

	"github.com/inilua/inilua/ini"
)

// saveTNI writes f as TNI to path (atomically, or in place with inPlace),
// keeping path.BAK. With skip, names TNI cannot hold are left out and
// reported; without, such names give an *ini.UnrepresentableError and
// nothing is written.
func saveTNI(f *ini.File, path string, ff *ini.FormatFile, skip, inPlace bool) (ini.TNIReport, error) {
	data, report, err := f.MarshalTNIWith(ini.TNIOptions{Format: ff, SkipUnrepresentable: skip})
	if err != nil {
		return report, err // the caller names the input with each name
	}
	return report, ini.WriteFile(path, data, ini.SaveOptions{Backup: true, InPlace: inPlace})
}

// saveINI writes f as binary INI to path (atomically, or in place with
// inPlace), keeping path.BAK.
func saveINI(f *ini.File, path string, inPlace bool) error {
	data, err := f.MarshalBinary()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return ini.WriteFile(path, data, ini.SaveOptions{Backup: true, InPlace: inPlace})
}
