//go:build !unix

package batch

import "errors"

// RaiseOpenFileLimit has nothing to raise on this system: it returns an
// error saying so (the limits are then unknown).
func RaiseOpenFileLimit() (soft, hard uint64, err error) {
	return 0, 0, errors.New("no open-file limit to raise on this system")
}
