package server

import (
	"errors"
	"net"
	"syscall"

	"github.com/inilua/inilua/internal/wire"
	"golang.org/x/sys/unix"
)

// splicer sends big V replies to a TCP connection through a pipe: the
// reply is encoded piece by piece, each piece written into the pipe, and
// the pipe's contents spliced into the socket, one splice per pipe-full.
// A write to a TCP socket copies the bytes into freshly allocated
// multi-page blocks, which on the virtual machines measured were mostly
// not backed by the host any more (each first touch a fault outside the
// guest: a 128 KiB write took 45 µs in that copy alone); a pipe takes
// single pages still in the cache, and splice hands them to the socket
// without copying them again. The peer receives the same bytes.
type splicer struct {
	rc   syscall.RawConn
	pr   int // pipe read end (non-blocking)
	pw   int // pipe write end (non-blocking)
	size int // pipe capacity in bytes

	// the state of the reply being sent, kept here so that sending one
	// allocates nothing
	pending int                // bytes in the pipe
	started bool               // a byte of the reply reached the socket
	serr    error              // the error that stopped spliceOut
	out     func(uintptr) bool // sp.spliceOut, made once
}

// pipeSize is the pipe capacity asked for: the V reply of the largest
// binary INI value (2*65535+3 bytes) in one splice. When that is refused
// (an unprivileged user over its pipe quota) the pipe keeps the size it
// has, and a reply takes more splices.
const pipeSize = 256 << 10

// newSplicer returns a splicer for c, or nil when c is not a TCP
// connection or no pipe can be had (replies are then written as usual).
// The caller closes it.
func newSplicer(c net.Conn) *splicer {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil
	}
	sp := &splicer{rc: rc, pr: p[0], pw: p[1]}
	unix.FcntlInt(uintptr(sp.pw), unix.F_SETPIPE_SZ, pipeSize) // best effort
	n, err := unix.FcntlInt(uintptr(sp.pw), unix.F_GETPIPE_SZ, 0)
	if err != nil || n < unix.Getpagesize() {
		sp.close()
		return nil
	}
	sp.size = n
	sp.out = sp.spliceOut
	return sp
}

// errPipeStuck is returned by sendHex when an empty pipe takes no byte
// (which a pipe of at least one page cannot do).
var errPipeStuck = errors.New("pipe takes no data")

// sendHex sends the V reply of v ('+', two uppercase hex digits per byte,
// CR LF) to the socket, encoding it piece by piece into buf (its capacity,
// at least 4 bytes, bounds a piece). It returns nil when the whole reply
// was sent. Otherwise it returns the error that stopped it and whether any
// byte of the reply reached the socket: if none did, the caller may send
// the reply another way; the pipe may still hold bytes either way, so the
// splicer must be closed.
func (sp *splicer) sendHex(buf, v []byte) (started bool, err error) {
	sp.pending, sp.started = 0, false
	for first := true; ; first = false {
		b := buf[:0]
		if first {
			b = append(b, '+')
		}
		n := min(len(v), (cap(buf)-len(b)-2)/2)
		b = wire.AppendHex(b, v[:n])
		v = v[n:]
		if len(v) == 0 {
			b = append(b, '\r', '\n')
		}
		for len(b) > 0 {
			k, err := unix.Write(sp.pw, b)
			switch {
			case err == unix.EAGAIN || err == unix.EINTR:
				k = 0
			case err != nil:
				return sp.started, err
			}
			sp.pending += k
			b = b[k:]
			if len(b) == 0 || err == unix.EINTR {
				continue
			}
			if sp.pending == 0 {
				return sp.started, errPipeStuck
			}
			// the pipe is full: empty it into the socket
			if err := sp.drain(); err != nil {
				return sp.started, err
			}
		}
		if len(v) == 0 {
			return sp.started, sp.drain()
		}
	}
}

// drain splices the bytes in the pipe into the socket, waiting for the
// socket (and honouring its write deadline) when it is full.
func (sp *splicer) drain() error {
	if sp.pending == 0 {
		return nil
	}
	sp.serr = nil
	if err := sp.rc.Write(sp.out); err != nil {
		return err
	}
	return sp.serr
}

// spliceOut is drain's syscall.RawConn.Write callback: it splices until
// the pipe is empty (true), the socket is full (false: called again when
// it takes more) or an error, kept in sp.serr (true).
func (sp *splicer) spliceOut(fd uintptr) bool {
	for sp.pending > 0 {
		k, err := unix.Splice(sp.pr, nil, int(fd), nil, sp.pending, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return false
		case err != nil:
			sp.serr = err
			return true
		case k <= 0:
			sp.serr = unix.EPIPE
			return true
		}
		sp.pending -= int(k)
		sp.started = true
	}
	return true
}

// close releases the pipe.
func (sp *splicer) close() {
	unix.Close(sp.pr)
	unix.Close(sp.pw)
}
