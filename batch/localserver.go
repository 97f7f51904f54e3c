package batch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/inilua/inilua/server"
)

// LocalServers serves each directory (as drive C:) with an in-process
// INIServe server on its own loopback listener (127.0.0.1, a free port),
// with the empty password and the event semaphore SampleSemaphore
// accepted: posting it calls onEvent (when not nil) with the server's
// index in dirs. It returns the hosts (named host1, host2, ...; group
// "mail") and a function that shuts every server down.
//
// A host holds one descriptor while idle, its listener: its server.Server
// (which keeps its volume's directory open) is started at the first
// connection and shut down when its last session ends, so that 10,000
// hosts fit in an open-file limit of about 10,500. Each start reads the
// files afresh (the server's cache lives as long as the server), as a
// server started for the run would.
func LocalServers(dirs []string, onEvent func(i int, name string)) ([]*Host, func(), error) {
	var (
		mu     sync.Mutex
		locals []*localServer
		wg     sync.WaitGroup // accept loops and servers
	)
	shutdown := func() {
		mu.Lock()
		ls := locals
		mu.Unlock()
		for _, l := range ls {
			l.close()
		}
		wg.Wait()
	}
	var hosts []*Host
	for i, dir := range dirs {
		events := map[string]server.Event{
			SampleSemaphore: {Func: func(_ context.Context, name string) error {
				if onEvent != nil {
					onEvent(i, name)
				}
				return nil
			}},
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			shutdown()
			return nil, nil, fmt.Errorf("starting server %d of %d: %w", i+1, len(dirs), err)
		}
		ls := &localServer{l: l, wg: &wg, newServer: func() *server.Server {
			return &server.Server{Volumes: map[byte]string{'C': dir}, Events: events}
		}}
		mu.Lock()
		locals = append(locals, ls)
		mu.Unlock()
		wg.Add(1)
		go ls.accept()
		hosts = append(hosts, &Host{
			Name: fmt.Sprintf("host%d", i+1), Address: l.Addr().String(),
			Groups: []string{"mail"}, Vars: map[string]string{}, Source: "demo",
		})
	}
	return hosts, shutdown, nil
}

// localServer is one host of LocalServers: its listener, and its server
// while sessions are open.
type localServer struct {
	l         net.Listener
	wg        *sync.WaitGroup
	newServer func() *server.Server

	mu     sync.Mutex
	closed bool
	srv    *server.Server
	feed   *connListener // hands accepted connections to srv
	open   int           // sessions of srv not closed yet
}

// accept accepts connections and hands each to the host's server,
// starting it when none runs; running out of descriptors makes it wait
// and retry, as server.Serve does.
func (s *localServer) accept() {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		c, err := s.l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if OutOfDescriptors(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			fmt.Fprintln(os.Stderr, "server: accept:", err)
			return
		}
		backoff = 0
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		if s.srv == nil {
			s.srv, s.feed = s.newServer(), newConnListener(s.l.Addr())
			srv, feed := s.srv, s.feed
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				if err := srv.Serve(feed); err != nil && !errors.Is(err, server.ErrServerClosed) {
					fmt.Fprintln(os.Stderr, "server:", err)
				}
			}()
		}
		s.open++
		feed := s.feed
		s.mu.Unlock()
		feed.push(&localConn{Conn: c, s: s, feed: feed})
	}
}

// release counts a session of the server fed by feed as ended; the last
// one shuts that server down.
func (s *localServer) release(feed *connListener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.feed != feed {
		return
	}
	s.open--
	if s.open > 0 {
		return
	}
	srv := s.srv
	s.srv, s.feed = nil, nil
	s.wg.Add(1)
	go func() { // not on the session's goroutine: Shutdown waits for it
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
}

// close stops accepting and shuts the running server down.
func (s *localServer) close() {
	s.mu.Lock()
	s.closed = true
	srv := s.srv
	s.srv, s.feed = nil, nil
	s.mu.Unlock()
	s.l.Close()
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}
}

// localConn reports its first Close to its localServer.
type localConn struct {
	net.Conn
	s    *localServer
	feed *connListener
	once sync.Once
}

func (c *localConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.s.release(c.feed) })
	return err
}

// connListener is a net.Listener whose Accept returns the connections
// pushed to it; Addr is the real listener's.
type connListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newConnListener(addr net.Addr) *connListener {
	return &connListener{addr: addr, ch: make(chan net.Conn, 16), done: make(chan struct{})}
}

// push hands c to Accept, or closes c when the listener is closed.
func (l *connListener) push(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() {
		close(l.done)
		for { // connections pushed but never accepted
			select {
			case c := <-l.ch:
				c.Close()
			default:
				return
			}
		}
	})
	return nil
}

func (l *connListener) Addr() net.Addr { return l.addr }
