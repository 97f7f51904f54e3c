// Package wiretest holds test helpers for protocol tests over loopback
// TCP, shared by the client and luaapi tests. It is imported only by
// tests.
package wiretest

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proxy forwards TCP connections to a target, delaying every chunk by a
// fixed delay in each direction, and records every byte the clients send,
// as the server receives it. It does not count round trips: when the
// client is slow to hand over a long batch (a loaded machine), the server
// answers the batch's first part before the proxy has read the rest, and
// a count taken here would see two; TripConn counts them at the client.
type Proxy struct {
	l      net.Listener
	target string
	delay  time.Duration

	mu       sync.Mutex
	received bytes.Buffer // every byte the clients sent, as the server got it
}

// StartProxy listens on a loopback port and forwards each connection to
// target with delay added in each direction (0: none). It stops when the
// test ends.
func StartProxy(t testing.TB, target string, delay time.Duration) *Proxy {
	t.Helper()
	p := &Proxy{target: target, delay: delay}
	p.l = Listen(t, func(c net.Conn) {
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			return
		}
		done := make(chan struct{})
		go func() { defer close(done); p.pipe(s, c, false) }()
		p.pipe(c, s, true)
		<-done
	})
	return p
}

// Addr returns the proxy's address (host:port) for clients to dial.
func (p *Proxy) Addr() string { return p.l.Addr().String() }

// Received returns every command line the clients sent through the proxy
// so far (the server's view of the wire, not the client's trace), without
// CR LF.
func (p *Proxy) Received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	lines := strings.Split(p.received.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l != "" {
			out = append(out, strings.TrimSuffix(l, "\r"))
		}
	}
	return out
}

// delayed is a chunk of data and when it may be passed on.
type delayed struct {
	data []byte
	due  time.Time
}

// pipe copies src to dst with the delay, recording what the client sent.
func (p *Proxy) pipe(src, dst net.Conn, fromClient bool) {
	q := make(chan delayed, 4096)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for d := range q {
			time.Sleep(time.Until(d.due)) // injected latency, not synchronisation
			if _, err := dst.Write(d.data); err != nil {
				break
			}
		}
		for range q {
		}
		dst.Close()
		src.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if fromClient {
				p.mu.Lock()
				p.received.Write(buf[:n])
				p.mu.Unlock()
			}
			q <- delayed{bytes.Clone(buf[:n]), time.Now().Add(p.delay)}
		}
		if err != nil {
			break
		}
	}
	close(q)
	<-done
}

// TripConn wraps a client's connection and counts its round trips: a
// Write that is the connection's first or follows a Read that returned
// data starts one. The count depends only on what the client does, not
// on timing: a client cannot answer a reply before it has read it, and
// the bytes of one Write (however the network splits them) are one trip.
type TripConn struct {
	net.Conn

	mu       sync.Mutex
	trips    int
	readSome bool // a Read returned data since the last Write
	written  bool // a Write happened since the last Reset
}

// Read reads from the connection and notes that data came back.
func (c *TripConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.mu.Lock()
		c.readSome = true
		c.mu.Unlock()
	}
	return n, err
}

// Write counts a round trip when it starts one, then writes.
func (c *TripConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	if !c.written || c.readSome {
		c.trips++
	}
	c.written, c.readSome = true, false
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// RoundTrips returns the round trips counted since the last Reset.
func (c *TripConn) RoundTrips() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trips
}

// Reset sets the round-trip count to zero; the next Write starts a trip.
func (c *TripConn) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trips, c.written, c.readSome = 0, false, false
}

// FakeHost is a scripted INIServe host on loopback for misbehaviour tests:
// for each connection it sends the greeting "+" CR LF, calls newConn once,
// then calls the returned handler with every command line (without its
// line end; P included). The handler writes what it likes to w and
// returns false to close the connection. FakeHost returns the address;
// the host stops when the test ends.
func FakeHost(t testing.TB, newConn func() func(line string, w io.Writer) bool) string {
	t.Helper()
	l := Listen(t, func(c net.Conn) {
		defer c.Close()
		io.WriteString(c, "+\r\n")
		handle := newConn()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if !handle(strings.TrimRight(line, "\r\n"), c) {
				return
			}
		}
	})
	return l.Addr().String()
}

// Listen listens on a loopback port and runs handle in a goroutine for
// every connection. When the test ends, the listener and every connection
// are closed and Listen's goroutines have returned before the test's later
// cleanups run.
func Listen(t testing.TB, handle func(c net.Conn)) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				stop := context.AfterFunc(t.Context(), func() { c.Close() })
				defer stop()
				handle(c)
			}()
		}
	}()
	return l
}
