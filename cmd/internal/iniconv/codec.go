package iniconv

import (
	"fmt"
	"os"

	"github.com/inilua/inilua/ini"
)

// The calls into package ini that depend on the codec's final API.

// readFormatFile reads and parses an FMT file.
func readFormatFile(path string) (*ini.FormatFile, error) {
	return ini.ReadFormatFile(path)
}

// saveTNI writes f as TNI to path atomically, keeping path.BAK. With skip,
// names TNI cannot hold are left out and reported; without, such names give
// an *ini.UnrepresentableError and nothing is written.
func saveTNI(f *ini.File, path string, ff *ini.FormatFile, skip bool) (ini.TNIReport, error) {
	data, report, err := f.MarshalTNIWith(ini.TNIOptions{Format: ff, SkipUnrepresentable: skip})
	if err != nil {
		return report, err // the caller names the input with each name
	}
	return report, os.WriteFile(path, data, 0o666)
}

// saveINI writes f as binary INI to path atomically, keeping path.BAK.
func saveINI(f *ini.File, path string) error {
	data, err := f.MarshalBinary()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, data, 0o666)
}
