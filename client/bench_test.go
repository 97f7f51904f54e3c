package client

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/inilua/inilua/ini"
)

// benchFile is 200 keys of 100 bytes in 10 applications.
func benchFile() *ini.File {
	f := ini.New()
	for a := 0; a < 10; a++ {
		for k := 0; k < 20; k++ {
			f.Put(b(fmt.Sprintf("Application%d", a)), b(fmt.Sprintf("Key%02d", k)), pattern(100))
		}
	}
	return f
}

func benchSession(b *testing.B, name string) (*Session, *RemoteFile) {
	ts := startServer(b, nil)
	ts.writeFile(b, name, benchFile())
	s := ts.dial(b, Options{})
	f, err := s.Open(bg, name)
	if err != nil {
		b.Fatal(err)
	}
	return s, f
}

// BenchmarkGet: Get of a 100-byte value on loopback (A K V, one round
// trip; alternating keys so K is sent each time).
func BenchmarkGet(bm *testing.B) {
	_, f := benchSession(bm, "bench.ini")
	keys := [][]byte{b("Key01"), b("Key02")}
	bm.SetBytes(100)
	bm.ReportAllocs()
	for i := 0; bm.Loop(); i++ {
		if _, err := f.Get(b("Application3"), keys[i&1]); err != nil {
			bm.Fatal(err)
		}
	}
}

// BenchmarkGet64KiB: Get of a 64 KiB value of a TNI file (two chunks; the
// first, then S and the second: two round trips).
func BenchmarkGet64KiB(bm *testing.B) {
	_, f := benchSession(bm, "bench.tni")
	if err := f.Put(b("big"), b("value"), pattern(64<<10)); err != nil {
		bm.Fatal(err)
	}
	bm.SetBytes(64 << 10)
	bm.ReportAllocs()
	for bm.Loop() {
		if _, err := f.Get(b("big"), b("value")); err != nil {
			bm.Fatal(err)
		}
	}
}

// BenchmarkPut: Put of a 100-byte value into a binary INI file of 200 keys
// (the server saves the file atomically, with fsync, before answering).
func BenchmarkPut(bm *testing.B) {
	_, f := benchSession(bm, "bench.ini")
	v := pattern(100)
	bm.SetBytes(100)
	bm.ReportAllocs()
	for i := 0; bm.Loop(); i++ {
		v[0] = byte(i)
		if err := f.Put(b("Application3"), b("Key01"), v); err != nil {
			bm.Fatal(err)
		}
	}
}

// BenchmarkFetch: Fetch of a binary INI file of 200 keys of 100 bytes
// (three round trips).
func BenchmarkFetch(bm *testing.B) {
	s, _ := benchSession(bm, "bench.ini")
	bm.SetBytes(200 * 100)
	bm.ReportAllocs()
	for bm.Loop() {
		f, err := s.Fetch(bg, "bench.ini")
		if err != nil || len(f.Apps) != 10 {
			bm.Fatal(err)
		}
	}
}

// BenchmarkBareRoundTrip is the physical limit on this machine: one short
// line to a loopback echo server that answers "+", and its reply.
func BenchmarkBareRoundTrip(bm *testing.B) {
	addr := fakeServer(bm, func(line string, w io.Writer) bool {
		io.WriteString(w, "+\r\n")
		return true
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		bm.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	r.ReadString('\n') // greeting
	for bm.Loop() {
		if _, err := io.WriteString(c, "V\r\n"); err != nil {
			bm.Fatal(err)
		}
		if _, err := r.ReadString('\n'); err != nil {
			bm.Fatal(err)
		}
	}
}

// BenchmarkPut1MiB: Put of a 1 MiB value into a TNI file, 32 chunks of
// 32 KiB pipelined in one round trip (the server rewrites the file for
// every chunk).
func BenchmarkPut1MiB(bm *testing.B) {
	_, f := benchSession(bm, "bench.tni")
	v := pattern(1 << 20)
	bm.SetBytes(1 << 20)
	bm.ReportAllocs()
	for i := 0; bm.Loop(); i++ {
		v[0] = byte(i)
		if err := f.Put(b("big"), b("value"), v); err != nil {
			bm.Fatal(err)
		}
	}
}
