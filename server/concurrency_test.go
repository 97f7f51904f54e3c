package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/inilua/inilua/ini"
)

// hammer runs sessions clients against each address in addrs (round
// robin), each writing writes distinct keys into C:\shared.INI, and
// returns the first failure.
func hammer(t *testing.T, addrs []string, sessions, writes int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- func() error {
				c, err := net.Dial("tcp", addrs[i%len(addrs)])
				if err != nil {
					return err
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Minute))
				r := bufio.NewReader(c)
				do := func(cmd, want string) error {
					if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
						return err
					}
					got, err := r.ReadString('\n')
					if err != nil || got != want+"\r\n" {
						return fmt.Errorf("session %d: %q: reply %q, %v", i, cmd, got, err)
					}
					return nil
				}
				if got, err := r.ReadString('\n'); err != nil || got != "+\r\n" {
					return fmt.Errorf("greeting %q %v", got, err)
				}
				for _, cmd := range []string{"Psecret", `CC:\`, "Fshared.INI", fmt.Sprintf("Asession%d", i%4)} {
					if err := do(cmd, "+"); err != nil {
						return err
					}
				}
				for j := range writes {
					if err := do(fmt.Sprintf("Kkey%d.%d", i, j), "+"); err != nil {
						return err
					}
					if err := do(fmt.Sprintf("W%08X", i<<16|j), "+"); err != nil {
						return err
					}
				}
				return do("Q", "+")
			}()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func checkHammered(t *testing.T, path string, sessions, writes int) {
	t.Helper()
	f := readINI(t, path)
	n := 0
	for i := range sessions {
		for j := range writes {
			v, ok := f.Lookup([]byte(fmt.Sprintf("session%d", i%4)), []byte(fmt.Sprintf("key%d.%d", i, j)))
			want := fmt.Sprintf("%08X", i<<16|j)
			if !ok || hexOf(v) != want {
				if n < 5 {
					t.Errorf("session %d key %d: %X %v, want %s", i, j, v, ok, want)
				}
				n++
			}
		}
	}
	if n > 0 {
		t.Fatalf("%d of %d writes lost", n, sessions*writes)
	}
}

// TestConcurrentWrites: 32 sessions x 200 writes to distinct keys of one
// file; every write is present afterwards.
func TestConcurrentWrites(t *testing.T) {
	sessions, writes := 32, 200
	if testing.Short() {
		writes = 20
	}
	ts := startServer(t, nil)
	hammer(t, []string{ts.addr}, sessions, writes)
	checkHammered(t, filepath.Join(ts.dirs['C'], "shared.INI"), sessions, writes)
}

// TestTwoServers: two servers (separate caches and locks, as two processes
// would have) on one directory tree do not lose each other's writes: the
// flock on the directory serialises them.
func TestTwoServers(t *testing.T) {
	sessions, writes := 8, 50
	ts := startServer(t, nil)
	pw := "secret"
	other := &Server{Volumes: map[byte]string{'C': ts.dirs['C']}, Password: &pw}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- other.Serve(l) }()
	defer func() {
		other.Shutdown(context.Background())
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Error(err)
		}
	}()
	hammer(t, []string{ts.addr, l.Addr().String()}, sessions, writes)
	checkHammered(t, filepath.Join(ts.dirs['C'], "shared.INI"), sessions, writes)
}

// TestCommitIsolatesFailure: when one change of a group cannot be encoded,
// the others are still saved and only that one fails.
func TestCommitIsolatesFailure(t *testing.T) {
	ts := startServer(t, nil)
	v := ts.srv.vol('C')
	e := ts.srv.cache.acquire(v, "g.INI")
	put := func(key []byte) *writeReq {
		return &writeReq{fn: func(f *ini.File) (bool, error) {
			return true, f.Put([]byte("a"), key, []byte("v"))
		}}
	}
	good1, bad, good2 := put([]byte("k1")), put(bytes.Repeat([]byte("x"), 70000)), put([]byte("k2"))
	e.commit([]*writeReq{good1, bad, good2})
	if good1.err != nil || good2.err != nil || bad.err == nil {
		t.Fatalf("errors: %v, %v, %v", good1.err, bad.err, good2.err)
	}
	f := readINI(t, filepath.Join(ts.dirs['C'], "g.INI"))
	if f.NumKeys([]byte("a")) != 2 {
		t.Errorf("file holds %d keys, want 2", f.NumKeys([]byte("a")))
	}
}
