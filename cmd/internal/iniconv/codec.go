package iniconv

import (
	"fmt"
	"io"

	"github.com/inilua/inilua/ini"
)

// saveTNI writes f as TNI to path (atomically, or in place with inPlace),
// keeping path.BAK, or to stdout when path is "-" (see save). With skip, names TNI cannot hold are left out and
// reported; without, such names give an *ini.UnrepresentableError and
// nothing is written.
func saveTNI(f *ini.File, path string, ff *ini.FormatFile, skip, inPlace bool, stdout io.Writer) (ini.TNIReport, error) {
	data, report, err := f.MarshalTNIWith(ini.TNIOptions{Format: ff, SkipUnrepresentable: skip})
	if err != nil {
		return report, err // the caller names the input with each name
	}
	return report, save(path, data, inPlace, stdout)
}

// saveINI writes f as binary INI to path (atomically, or in place with
// inPlace), keeping path.BAK, or to stdout when path is "-" (see save).
func saveINI(f *ini.File, path string, inPlace bool, stdout io.Writer) error {
	data, err := f.MarshalBinary()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return save(path, data, inPlace, stdout)
}

// stdoutName is the -o argument that means standard output.
const stdoutName = "-"

// save writes data to path atomically (or in place with inPlace), keeping
// path.BAK; when path is stdoutName it writes data to stdout instead (no
// file, no backup), naming "standard output" in a write error.
func save(path string, data []byte, inPlace bool, stdout io.Writer) error {
	if path == stdoutName {
		if _, err := stdout.Write(data); err != nil {
			return fmt.Errorf("writing to standard output: %w", err)
		}
		return nil
	}
	return ini.WriteFile(path, data, ini.SaveOptions{Backup: true, InPlace: inPlace})
}
