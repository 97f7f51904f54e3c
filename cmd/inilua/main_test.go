package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/inilua/inilua/server"
)

// TestMain makes the test binary double as the inilua command for the
// testscript files in testdata/script (each runs "exec inilua ...").
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"inilua": main})
}

// TestScripts runs testdata/script/*.txtar, with two extra commands:
//
//	serve VAR DIR [PASSWORD]   start an INIServe server on loopback serving
//	                           DIR as C: (PASSWORD: the password it wants;
//	                           none: the empty one); $VAR is its address
//	silent VAR                 a loopback listener that accepts and never
//	                           sends a byte; $VAR is its address
//
// and sample-hosts and stalled-host (see scriptCmds).
//
// Both stop when the script ends.
func TestScripts(t *testing.T) {
	cmds := map[string]func(*testscript.TestScript, bool, []string){
		"serve":  cmdServe,
		"silent": cmdSilent,
	}
	for name, cmd := range scriptCmds { // sample-hosts, stalled-host (hosts_test.go)
		cmds[name] = cmd
	}
	testscript.Run(t, testscript.Params{Dir: "testdata/script", Cmds: cmds})
}

func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: serve VAR DIR [PASSWORD]")
	}
	srv := &server.Server{Volumes: map[byte]string{'C': ts.MkAbs(args[1])}}
	if len(args) == 3 {
		srv.Password = &args[2]
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	go srv.Serve(l)
	ts.Defer(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	ts.Setenv(args[0], l.Addr().String())
}

func cmdSilent(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: silent VAR")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	ts.Defer(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	ts.Setenv(args[0], l.Addr().String())
}

// TestParseArgs checks the lua-style option parsing.
func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args    []string
		want    cliOptions
		wantErr bool
	}{
		{nil, cliOptions{}, false},
		{[]string{"s.lua", "-e", "x"}, cliOptions{script: "s.lua", args: []string{"-e", "x"}}, false},
		{[]string{"-e", "a=1", "-eb=2", "-i", "--check", "--safe", "s.lua", "1"}, cliOptions{exec: []string{"a=1", "b=2"}, interactive: true, check: true, safe: true, script: "s.lua", args: []string{"1"}}, false},
		{[]string{"--go-stack", "s.lua"}, cliOptions{goStack: true, script: "s.lua", scriptAt: 2}, false},
		{[]string{"--", "-s.lua", "x"}, cliOptions{script: "-s.lua", args: []string{"x"}}, false},
		{[]string{"-", "x"}, cliOptions{script: "-", args: []string{"x"}}, false},
		{[]string{"-e"}, cliOptions{}, true},
		{[]string{"-x"}, cliOptions{}, true},
	} {
		got, err := parseArgs(c.args)
		if (err != nil) != c.wantErr {
			t.Errorf("%q: error %v", c.args, err)
			continue
		}
		if err == nil && !equalOptions(got, c.want) {
			t.Errorf("%q: got %+v, want %+v", c.args, got, c.want)
		}
	}
}

func equalOptions(a, b cliOptions) bool {
	eq := func(x, y []string) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return eq(a.exec, b.exec) && a.interactive == b.interactive && a.check == b.check &&
		a.safe == b.safe && a.goStack == b.goStack && a.script == b.script && eq(a.args, b.args)
}

// TestRunCancelled: cancelling the context (Ctrl-C) stops a running script
// with status 1 and a message saying so.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"-e", "print('started') while true do end"}, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	}()
	cancel()
	if code := <-done; code != 1 {
		t.Errorf("status %d, want 1", code)
	}
	if !strings.Contains(errb.String(), "inilua: interrupted: ") {
		t.Errorf("stderr %q", errb.String())
	}
}
