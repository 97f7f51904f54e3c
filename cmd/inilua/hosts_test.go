package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/inilua/inilua/batch"
)

// scriptCmds are the hosts the testscript files can start, in the test
// process, on loopback, for the inilua commands they exec:
//
//	sample-hosts INVENTORY N   N sample hosts (batch.WriteSampleHost under
//	                           $WORK/hostI, served by batch.LocalServers),
//	                           appended to INVENTORY as hostI addr=...
//	stalled-host INVENTORY NAME  a host that accepts the login and never
//	                           answers a command, appended as NAME addr=...
//
// The hosts stop when the script ends.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"sample-hosts": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: sample-hosts INVENTORY N")
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		var dirs []string
		for i := range n {
			d := ts.MkAbs(fmt.Sprintf("host%d", i+1))
			ts.Check(batch.WriteSampleHost(d, i))
			dirs = append(dirs, d)
		}
		hosts, shutdown, err := batch.LocalServers(dirs, nil)
		ts.Check(err)
		ts.Defer(shutdown)
		for _, h := range hosts {
			appendInventory(ts, args[0], h.Name, h.Address)
		}
	},
	"stalled-host": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: stalled-host INVENTORY NAME")
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		var mu sync.Mutex
		var conns []net.Conn
		var wg sync.WaitGroup
		ts.Defer(func() {
			l.Close()
			mu.Lock()
			for _, c := range conns {
				c.Close()
			}
			mu.Unlock()
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
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
				wg.Add(1)
				go func() { defer wg.Done(); stall(c) }()
			}
		}()
		appendInventory(ts, args[0], args[1], l.Addr().String())
	},
}

// stall greets, accepts the login (P) and reads every later command
// without answering it.
func stall(c net.Conn) {
	io.WriteString(c, "+\r\n")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if strings.HasPrefix(line, "P") {
			io.WriteString(c, "+\r\n")
		}
	}
}

// appendInventory adds the line "name addr=addr" to the inventory file.
func appendInventory(ts *testscript.TestScript, inv, name, addr string) {
	f, err := os.OpenFile(ts.MkAbs(inv), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	ts.Check(err)
	_, err = fmt.Fprintf(f, "%s addr=%s\n", name, addr)
	ts.Check(err)
	ts.Check(f.Close())
}
