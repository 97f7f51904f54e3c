package client

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// FuzzReplies feeds arbitrary server output to a session running every
// kind of command: no panic, no hang (each call ends by its reply, the end
// of the data, or the command timeout).
func FuzzReplies(f *testing.F) {
	f.Add([]byte("+\r\n+\r\n+\r\n+\r\n+1\r\n+00\r\n"))
	f.Add([]byte("+\r\n+\r\n+\r\n+\r\n+3\r\n+616200\r\n+\r\n+\r\n+2\r\n+6B00\r\n"))
	f.Add([]byte("+\r\n+\r\n+\r\n+\r\n+20\r\n+" + strings.Repeat("41", 16) + "\r\n+\r\n+" + strings.Repeat("42", 16) + "\r\n"))
	f.Add([]byte("-x\r\n+\r\n../\r\nfile\r\n\r\n"))
	f.Add([]byte("+\r\n+FFFFFFFF\r\n+zz\r\n"))
	f.Add([]byte("+\n+\n+\n+\n+1\n+00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, srv := net.Pipe()
		go io.Copy(io.Discard, srv)
		go func() {
			srv.Write([]byte("+\r\n+\r\n")) // greeting, P
			srv.Write(data)
			srv.Close()
		}()
		s := newSession("fuzz", Options{ChunkSize: 16, CommandTimeout: time.Second})
		if err := s.login(bg, bg, c, time.Second); err != nil {
			return
		}
		defer s.Close()
		if r, err := s.Open(bg, "x.ini"); err == nil {
			r.Get(b("a"), b("k"))
			r.Keys(b("a"))
			r.Applications()
			r.Size(b("a"), b("k"))
			r.Put(b("a"), b("k"), pattern(40))
		}
		s.List(bg, "")
		s.Fetch(bg, "x.ini")
		s.Push(bg, "x.ini", fileOf("a", "k", "v"), PushOptions{Delete: true})
	})
}
