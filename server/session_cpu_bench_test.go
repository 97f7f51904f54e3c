package server

import (
	"bytes"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// lbConn is a net.Conn for BenchmarkSessionCPU: it delivers pre, then
// left copies of batch, then EOF, and discards what is written.
type lbConn struct {
	pre   []byte
	batch []byte
	off   int
	left  int // batches left
}

func (c *lbConn) Read(b []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(b, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	if c.off == len(c.batch) {
		if c.left == 0 {
			return 0, io.EOF
		}
		c.left--
		c.off = 0
	}
	n := copy(b, c.batch[c.off:])
	c.off += n
	return n, nil
}
func (c *lbConn) Write(b []byte) (int, error)        { return len(b), nil }
func (c *lbConn) Close() error                       { return nil }
func (c *lbConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c *lbConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }
func (c *lbConn) SetDeadline(t time.Time) error      { return nil }
func (c *lbConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *lbConn) SetWriteDeadline(t time.Time) error { return nil }

// BenchmarkSessionCPU is the CPU a session spends per pipelined command
// (Aapp0, Kkey1, V round robin on the 1 MiB file), without the network:
// the commands come from memory in 32 KiB batches and the replies are
// discarded. It has no same-run reference, so it is not in the ratio
// table; it compares revisions (docs/PERFORMANCE.md, server section).
func BenchmarkSessionCPU(b *testing.B) {
	ts := startServer(b, nil)
	writeINI(b, filepath.Join(ts.dirs['C'], "bench.INI"), bigFile(1<<20))
	var batch []byte
	for len(batch) < 32<<10 {
		batch = append(batch, "Aapp0\r\nKkey1\r\nV\r\n"...)
	}
	per := bytes.Count(batch, []byte{'\n'})
	c := &lbConn{pre: []byte("Psecret\r\nCC:\r\nFbench.INI\r\n"), batch: batch, off: len(batch), left: b.N/per + 1}
	ss := newSession(ts.srv, c, 1, true, 0)
	b.ResetTimer()
	ss.run()
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64((b.N/per+1)*per), "ns/cmd")
}
