package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// jsonAt adds to err, an error of decoding the JSON text data, the line
// and column (1-based, the column counted in bytes) of the byte a
// *json.SyntaxError or *json.UnmarshalTypeError points at: its Offset is
// the number of bytes read when the error was found, so the byte is the
// last of those. An empty data says so. Other errors (and an offset
// outside data) are returned unchanged.
func jsonAt(data []byte, err error) error {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return err
	}
	if len(data) == 0 {
		return fmt.Errorf("the file is empty: %w", err)
	}
	if off < 1 || off > int64(len(data)) {
		return err
	}
	i := int(off) - 1
	line := 1 + bytes.Count(data[:i], []byte{'\n'})
	col := i - bytes.LastIndexByte(data[:i], '\n')
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
