package server

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"

	"github.com/inilua/inilua/ini"
)

// Benchmarks (docs/PERFORMANCE.md, "server"): the physical limit (a bare
// loopback line-echo server) next to A/K/V commands on a 1 KiB and a 1 MiB
// file, and V of a 64 KiB value next to encoding/hex.
//
//	go test -run XXX -bench . -benchmem ./server/

// echoServer answers every line with "+" CR LF, flushing when no further
// line is buffered (the same policy as a session).
func echoServer(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r, w := bufio.NewReaderSize(c, 64<<10), bufio.NewWriterSize(c, 64<<10)
				for {
					if _, err := r.ReadSlice('\n'); err != nil {
						return
					}
					w.WriteString("+\r\n")
					if n := r.Buffered(); n == 0 || !bytesHasLF(r, n) {
						if w.Flush() != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

func bytesHasLF(r *bufio.Reader, n int) bool {
	p, _ := r.Peek(n)
	return bytes.IndexByte(p, '\n') >= 0
}

// sequential sends cmds round robin, one at a time, b.N in all.
func sequential(b *testing.B, conn net.Conn, r *bufio.Reader, cmds []string) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := io.WriteString(conn, cmds[i%len(cmds)]); err != nil {
			b.Fatal(err)
		}
		line, err := r.ReadSlice('\n')
		if err != nil || line[0] != '+' {
			b.Fatalf("reply %q %v", line, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

// pipelined sends b.N commands from cmds in batches from one goroutine and
// reads the replies in another.
func pipelined(b *testing.B, conn net.Conn, r *bufio.Reader, cmds []string) {
	var batch []byte
	for len(batch) < 32<<10 {
		for _, c := range cmds {
			batch = append(batch, c...)
		}
	}
	perBatch := bytes.Count(batch, []byte{'\n'})
	b.ResetTimer()
	go func() {
		w := bufio.NewWriterSize(conn, 64<<10)
		for sent := 0; sent < b.N; sent += perBatch {
			n := min(perBatch, b.N-sent)
			if n == perBatch {
				w.Write(batch)
			} else {
				// the first n lines of the batch
				i := 0
				for k := 0; k < n; k++ {
					i += bytes.IndexByte(batch[i:], '\n') + 1
				}
				w.Write(batch[:i])
			}
		}
		w.Flush()
	}()
	for i := 0; i < b.N; i++ {
		line, err := r.ReadSlice('\n')
		if err != nil || line[0] != '+' {
			b.Fatalf("reply %d: %q %v", i, line, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}

func benchDial(b *testing.B, addr string, greet bool) (net.Conn, *bufio.Reader) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	r := bufio.NewReaderSize(conn, 1<<20)
	if greet {
		if l, err := r.ReadSlice('\n'); err != nil || string(l) != "+\r\n" {
			b.Fatalf("greeting %q %v", l, err)
		}
	}
	return conn, r
}

func BenchmarkBareEcho(b *testing.B) {
	addr := echoServer(b)
	b.Run("sequential", func(b *testing.B) {
		conn, r := benchDial(b, addr, false)
		sequential(b, conn, r, []string{"V\r\n"})
	})
	b.Run("pipelined", func(b *testing.B) {
		conn, r := benchDial(b, addr, false)
		pipelined(b, conn, r, []string{"V\r\n"})
	})
}

// sizedFile returns a binary INI file of about size bytes: applications of
// 50 keys with 16-byte values; the benchmarked item is app0/key0.
func sizedFile(size int) *ini.File {
	f := ini.New()
	for i := 0; ; i++ {
		for j := 0; j < 50; j++ {
			f.Put([]byte(fmt.Sprintf("app%d", i)), []byte(fmt.Sprintf("key%d", j)), []byte("0123456789ABCDEF"))
			if data, _ := f.MarshalBinary(); len(data) >= size && j%10 == 9 {
				return f
			}
		}
	}
}

func bigFile(size int) *ini.File {
	f := ini.New()
	val := []byte("0123456789ABCDEF") // as in sizedFile
	for i := 0; i*50 < size; i++ {
		f.Put([]byte(fmt.Sprintf("app%d", i/100)), []byte(fmt.Sprintf("key%d", i%100)), val)
	}
	return f
}

func BenchmarkCommands(b *testing.B) {
	for _, sz := range []struct {
		name string
		file *ini.File
	}{{"1KiB", sizedFile(1 << 10)}, {"1MiB", bigFile(1 << 20)}} {
		ts := startServer(b, nil)
		writeINI(b, filepath.Join(ts.dirs['C'], "bench.INI"), sz.file)
		cmds := []string{"Aapp0\r\n", "Kkey1\r\n", "V\r\n"}
		setup := func(b *testing.B) (net.Conn, *bufio.Reader) {
			conn, r := benchDial(b, ts.addr, true)
			for _, c := range []string{"Psecret\r\n", "CC:\r\n", "Fbench.INI\r\n"} {
				io.WriteString(conn, c)
				if l, err := r.ReadSlice('\n'); err != nil || l[0] != '+' {
					b.Fatalf("%q: %q %v", c, l, err)
				}
			}
			return conn, r
		}
		b.Run(sz.name+"/sequential", func(b *testing.B) {
			conn, r := setup(b)
			sequential(b, conn, r, cmds)
		})
		b.Run(sz.name+"/pipelined", func(b *testing.B) {
			conn, r := setup(b)
			pipelined(b, conn, r, cmds)
		})
	}
}

// BenchmarkV64K reads a 65535-byte value (the binary INI maximum) with V;
// MB/s counts value bytes.
func BenchmarkV64K(b *testing.B) {
	val := make([]byte, 65535)
	for i := range val {
		val[i] = byte(i * 7)
	}
	f := ini.New()
	f.Put([]byte("a"), []byte("k"), val)
	ts := startServer(b, nil)
	writeINI(b, filepath.Join(ts.dirs['C'], "big.INI"), f)
	conn, r := benchDial(b, ts.addr, true)
	for _, c := range []string{"Psecret\r\n", "CC:\r\n", "Fbig.INI\r\n", "Aa\r\n", "Kk\r\n"} {
		io.WriteString(conn, c)
		if l, err := r.ReadSlice('\n'); err != nil || l[0] != '+' {
			b.Fatalf("%q: %q %v", c, l, err)
		}
	}
	b.SetBytes(int64(len(val)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		io.WriteString(conn, "V\r\n")
		line, err := r.ReadSlice('\n')
		if err != nil || len(line) != 2*len(val)+3 {
			b.Fatalf("reply of %d bytes, %v", len(line), err)
		}
	}
}

// BenchmarkHexEncode64K is the reference speed for BenchmarkV64K.
func BenchmarkHexEncode64K(b *testing.B) {
	val := make([]byte, 65535)
	dst := make([]byte, 2*len(val))
	b.SetBytes(int64(len(val)))
	for i := 0; i < b.N; i++ {
		hex.Encode(dst, val)
	}
}
