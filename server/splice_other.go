//go:build !linux

package server

import (
	"errors"
	"net"
)

// splicer is Linux only (splice_linux.go); elsewhere big replies are
// written with the session's writer.
type splicer struct{}

// newSplicer returns nil: no splice here.
func newSplicer(net.Conn) *splicer { return nil }

// sendHex is never called (newSplicer returns nil).
func (*splicer) sendHex(buf, v []byte) (bool, error) { return false, errNoSplice }

// close does nothing.
func (*splicer) close() {}

var errNoSplice = errors.New("no splice on this system")
