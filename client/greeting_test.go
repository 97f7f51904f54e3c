package client

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// A host that accepts but never greets (not an INIServe server, or a hung
// one) gives an error that says what was awaited, within the dial timeout.
func TestNoGreeting(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			defer c.Close()
			var b [1]byte
			c.Read(b[:]) // hold the connection open until the client gives up
		}
	}()
	_, err = Dial(t.Context(), l.Addr().String(), Options{DialTimeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), `waiting for the greeting "+"`) {
		t.Fatalf("err = %v", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) && !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("err %v wraps neither a net.Error nor ErrConnectionLost", err)
	}
}
