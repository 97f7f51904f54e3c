package ini

import "errors"

// Stubs replaced by the real codec; each owner deletes its stub when the real
// function lands.

var errTODO = errors.New("not implemented yet")

// ParseBinary decodes a binary OS/2 INI file (spec §2.7). STUB.
func ParseBinary(data []byte) (*File, error) { return nil, errTODO }

// MarshalBinary encodes f in the canonical binary layout (spec §2.6). STUB.
func (f *File) MarshalBinary() ([]byte, error) { return nil, errTODO }

// ParseTNI decodes TNI text (spec §3, refusing the input of §3.9). STUB.
func ParseTNI(data []byte) (*File, error) { return nil, errTODO }

// MarshalTNI encodes f as TNI text the way DumpINI does (spec §4), honouring
// the format file fmt when not nil. STUB.
func (f *File) MarshalTNI(fmt *FormatFile) ([]byte, error) { return nil, errTODO }

// FormatFile is a parsed FMT format file (spec §5). STUB.
type FormatFile struct{}
