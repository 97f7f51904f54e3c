package server

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/inilua/inilua/ini"
)

// step is one command of a transcript and the reply lines it must get
// (nil: no reply expected).
type step struct {
	cmd     string
	replies []string
}

// parseScript reads a transcript: "C: cmd" lines and "S: reply" lines
// (an "S:" line with nothing after it is the empty line ending an L
// listing; "S: -*" matches any failure; "S: <closed>" checks that the
// server closed the connection). The first S lines, before any C, are the
// greeting.
func parseScript(t testing.TB, script string) (greeting []string, steps []step, closed bool) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(script), "\n") {
		l = strings.TrimLeft(l, "\t ")
		switch {
		case strings.HasPrefix(l, "C:"):
			steps = append(steps, step{cmd: strings.TrimPrefix(strings.TrimPrefix(l, "C:"), " ")})
		case l == "S: <closed>":
			closed = true
		case strings.HasPrefix(l, "S:"):
			r := strings.TrimPrefix(strings.TrimPrefix(l, "S:"), " ")
			if len(steps) == 0 {
				greeting = append(greeting, r)
			} else {
				steps[len(steps)-1].replies = append(steps[len(steps)-1].replies, r)
			}
		case l == "":
		default:
			t.Fatalf("bad script line %q", l)
		}
	}
	return
}

// runScript replays script against addr, one command at a time or all
// commands in one write (pipelined), with eol after each command.
func runScript(t *testing.T, addr, script string, pipelined bool, eol string) {
	t.Helper()
	greeting, steps, closed := parseScript(t, script)
	c := dial(t, addr)
	c.eol = eol
	check := func(st step, want string) {
		t.Helper()
		if got := c.line(); !match(got, want) {
			t.Fatalf("%q: reply %q, want %q", st.cmd, got, want)
		}
	}
	for _, g := range greeting {
		check(step{cmd: "(greeting)"}, g)
	}
	if pipelined {
		cmds := make([]string, len(steps))
		for i, st := range steps {
			cmds[i] = st.cmd
		}
		c.send(cmds...)
		for _, st := range steps {
			for _, r := range st.replies {
				check(st, r)
			}
		}
	} else {
		for _, st := range steps {
			c.send(st.cmd)
			for _, r := range st.replies {
				check(st, r)
			}
		}
	}
	if closed && !c.closed() {
		t.Fatal("server did not close the connection")
	}
}

// modes runs f for each combination of pipelining and line end.
func modes(t *testing.T, f func(t *testing.T, pipelined bool, eol string)) {
	for _, p := range []bool{false, true} {
		for _, eol := range []string{"\r\n", "\n"} {
			t.Run(fmt.Sprintf("pipelined=%v/eol=%q", p, eol), func(t *testing.T) { f(t, p, eol) })
		}
	}
}

func hexOf(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// TestSpecSession replays the complete session of spec §11.
func TestSpecSession(t *testing.T) {
	modes(t, func(t *testing.T, pipelined bool, eol string) {
		var posted atomic.Int32
		ts := startServer(t, func(s *Server) {
			s.Events = map[string]Event{`\sem32\weasel\updated`: {Func: func(ctx context.Context, name string) error {
				posted.Add(1)
				return nil
			}}}
		})
		f := ini.New()
		f.Put([]byte("$SYS"), []byte("ServerPort"), []byte{25, 0, 0, 0})
		f.Put([]byte("Alias"), []byte("postmaster"), []byte("root\x00"))
		path := filepath.Join(ts.dirs['D'], "Servers", "Weasel", "Weasel.INI")
		writeINI(t, path, f)
		script := `
			S: +
			C: Psecret
			S: +
			C: CD:\Servers\Weasel
			S: +
			C: FWeasel.INI
			S: +
			C: A
			S: +
			C: V
			S: +2453595300416C6961730000
			C: A$SYS
			S: +
			C: KServerPort
			S: +
			C: S
			S: +4
			C: V
			S: +19000000
			C: W1A000000
			S: +
			C: E\SEM32\WEASEL\UPDATED
			S: +
			C: Q
			S: +
			S: <closed>`
		runScript(t, ts.addr, script, pipelined, eol)
		if v, _ := readINI(t, path).Lookup([]byte("$SYS"), []byte("ServerPort")); hexOf(v) != "1A000000" {
			t.Errorf("ServerPort on disk = %X, want 1A000000", v)
		}
		if posted.Load() != 1 {
			t.Errorf("event posted %d times, want 1", posted.Load())
		}
	})
}

// TestCommands replays every command with its success and failure replies.
func TestCommands(t *testing.T) {
	modes(t, func(t *testing.T, pipelined bool, eol string) {
		ts := startServer(t, func(s *Server) {
			s.Events = map[string]Event{"ok": {Func: func(context.Context, string) error { return nil }}}
		})
		c := ts.dirs['C']
		os.WriteFile(filepath.Join(c, "file1"), []byte("x"), 0o666)
		os.WriteFile(filepath.Join(c, "mydata"), []byte("x"), 0o666)
		os.Mkdir(filepath.Join(c, "help"), 0o777)
		os.WriteFile(filepath.Join(c, "Bad.INI"), []byte("not an INI file"), 0o666)
		script := `
			S: +
			C: V
			S: -Not logged in 
			C: Axyz
			S: -Not logged in xyz
			C: Zfoo
			S: -Not logged in foo
			C: Pwrong
			S: -*
			C: psecret
			S: +
			C: Zfoo
			S: -Unknown command Zfoo
			C: 1
			S: -Unknown command 1
			C: L
			S: +
			S: C:/
			S: D:/
			S:
			C: L*.INI
			S: +
			S: C:/
			S: D:/
			S:
			C: C..
			S: -*
			C: C.
			S: +
			C: C
			S: +
			C: Cfoo
			S: -*
			C: C\foo
			S: -*
			C: CE:
			S: -*
			C: LE:
			S: +
			S:
			C: LC:
			S: +
			S: C:/
			S:
			C: Fx.ini
			S: -*
			C: Mx
			S: -*
			C: Xx
			S: -*
			C: S
			S: -*
			C: V
			S: -*
			C: W00
			S: -*
			C: D
			S: -*
			C: cc:
			S: +
			C: L
			S: +
			S: ../
			S: Bad.INI
			S: file1
			S: help/
			S: mydata
			S:
			C: L*.ini
			S: +
			S: Bad.INI
			S:
			C: LHELP
			S: +
			S: help/
			S:
			C: Lnothere
			S: +
			S:
			C: Lnothere\
			S: +
			S:
			C: LC:\help\
			S: +
			S: ../
			S:
			C: C..
			S: +
			C: L
			S: +
			S: C:/
			S: D:/
			S:
			C: CC:\HELP
			S: +
			C: C..\..\..
			S: -*
			C: C\
			S: +
			C: Fbad.ini
			S: -*
			C: S
			S: -*
			C: Fhelp
			S: -*
			C: Fnodir\new.ini
			S: -*
			C: Fnew.INI
			S: +
			C: A
			S: +
			C: V
			S: +00
			C: S
			S: +1
			C: Aapp
			S: +
			C: V
			S: -*
			C: Kkey
			S: +
			C: V
			S: -*
			C: S
			S: -*
			C: T
			S: -*
			C: D
			S: +
			C: WABC
			S: -*
			C: WGG
			S: -*
			C: WAB CD
			S: -*
			C: W414243
			S: +
			C: V
			S: +414243
			C: S
			S: +3
			C: O1,1
			S: +
			C: V
			S: +42
			C: T
			S: +1
			C: S
			S: +3
			C: O5
			S: +
			C: V
			S: +
			C: T
			S: +0
			C: OFFFFFFFF
			S: +
			C: W01
			S: -*
			C: O
			S: +
			C: V
			S: +414243
			C: O2,1
			S: +
			C: W5a
			S: +
			C: O
			S: +
			C: V
			S: +41425A
			C: O1,5
			S: +
			C: W99
			S: +
			C: O
			S: +
			C: V
			S: +4199
			C: O4,10
			S: +
			C: W77
			S: +
			C: Oxyz,zz
			S: +
			C: V
			S: +4199000077
			C: O0,2
			S: +
			C: W1122
			S: +
			C: O
			S: +
			C: V
			S: +1122000077
			C: Kk2
			S: +
			C: W
			S: +
			C: V
			S: +
			C: S
			S: +0
			C: K
			S: +
			C: V
			S: +6B6579006B320000
			C: W00
			S: -*
			C: A
			S: +
			C: V
			S: +6170700000
			C: W00
			S: -*
			C: D
			S: -*
			C: Aapp
			S: +
			C: Kkey
			S: +
			C: D
			S: +
			C: D
			S: +
			C: K
			S: +
			C: V
			S: +6B320000
			C: D
			S: +
			C: V
			S: -*
			C: A
			S: +
			C: V
			S: +00
			C: Eok
			S: +
			C: EOK
			S: +
			C: Enone
			S: -*
			C: Mhelp
			S: -*
			C: MHELP
			S: -*
			C: Mnew\sub
			S: -*
			C: MNewDir
			S: +
			C: Afile1
			S: +
			C: RNewDir
			S: +
			C: LNEWDIR\
			S: +
			S: ../
			S: file1
			S:
			C: Anothere
			S: +
			C: Rx
			S: -*
			C: Amydata
			S: +
			C: Rnew.INI
			S: -*
			C: Rmydata2
			S: +
			C: Xmydata2
			S: +
			C: Xmydata2
			S: +
			C: Xnodir\x
			S: -*
			C: XNewDir
			S: -*
			C: XNewDir\FILE1
			S: +
			C: Xnewdir
			S: +
			C: Q anything
			S: +
			S: <closed>`
		runScript(t, ts.addr, script, pipelined, eol)
		f := readINI(t, filepath.Join(c, "new.INI"))
		if v, ok := f.Lookup([]byte("app"), []byte("k2")); ok || len(f.Apps) != 0 {
			t.Errorf("new.INI still holds app/k2 = %q %v, %d apps", v, ok, len(f.Apps))
		}
		for _, gone := range []string{"mydata", "mydata2", "NewDir", "file1"} {
			if _, err := os.Stat(filepath.Join(c, gone)); err == nil {
				t.Errorf("%s still exists", gone)
			}
		}
	})
}

// TestPipelinedEnds: replies to commands pipelined before an empty line, a
// ^ or the client's end of input are all sent before the close.
func TestPipelinedEnds(t *testing.T) {
	ts := startServer(t, nil)
	for _, end := range []string{"", "^", "Q"} {
		c := dial(t, ts.addr)
		c.line()
		c.send("Psecret", "CC:", "L", end)
		for _, want := range []string{"+", "+", "+", "../", ""} {
			if got := c.line(); got != want {
				t.Fatalf("end %q: reply %q, want %q", end, got, want)
			}
		}
		if end == "Q" {
			c.line()
		}
		if !c.closed() {
			t.Fatalf("end %q: not closed", end)
		}
	}
	// end of input (half close) after pipelined commands
	c := dial(t, ts.addr)
	c.line()
	c.send("Psecret", "CC:")
	c.conn.(*net.TCPConn).CloseWrite()
	if a, b := c.line(), c.line(); a != "+" || b != "+" {
		t.Fatalf("replies %q %q", a, b)
	}
}

// TestPipelinedLookups: a session answers a pipelined batch of reads from
// its last lookup when nothing changed (session.item's fast path, and
// session.lookup under the entry's lock). The replies must show the
// session's own W and D and staged chunks in the same batch, a switch of
// application, key or file, missing items and the list pseudo-values.
func TestPipelinedLookups(t *testing.T) {
	ts := startServer(t, nil)
	f := ini.New()
	f.Put([]byte("a"), []byte("k1"), []byte("one"))
	f.Put([]byte("a"), []byte("k2"), []byte("two"))
	f.Put([]byte("b"), []byte("k1"), []byte("bee"))
	writeINI(t, filepath.Join(ts.dirs['C'], "p.INI"), f)
	writeINI(t, filepath.Join(ts.dirs['C'], "q.INI"), f)
	const (
		one, two, bee = "+6F6E65", "+74776F", "+626565"
		none          = "-No such item"
	)
	steps := [][2]string{
		{"CC:", "+"}, {"Fp.INI", "+"}, {"Aa", "+"}, {"Kk1", "+"},
		{"V", one}, {"S", "+3"}, {"V", one}, {"Kk2", "+"}, {"V", two}, {"Kk1", "+"}, {"V", one},
		{"Kzz", "+"}, {"V", none}, {"S", none}, {"Kk1", "+"},
		{"Ab", "+"}, {"V", bee}, {"Azz", "+"}, {"V", none}, {"Aa", "+"}, {"V", one},
		{"W41", "+"}, {"V", "+41"}, {"S", "+1"}, {"Kk2", "+"}, {"V", two}, {"Kk1", "+"}, {"V", "+41"},
		{"D", "+"}, {"V", none}, {"Kk2", "+"}, {"V", two},
		{"K", "+"}, {"V", "+6B320000"}, {"A", "+"}, {"V", "+6100620000"},
		{"Aa", "+"}, {"Kk2", "+"}, {"V", two}, {"Fq.INI", "+"}, {"V", two}, {"Kk1", "+"}, {"V", one},
		{"Fp.INI", "+"}, {"V", none}, {"Kk2", "+"}, {"V", two},
		{"Kk3", "+"}, {"O0,2", "+"}, {"W4142", "+"}, {"O", "+"}, {"V", "+4142"}, {"Kk2", "+"}, {"V", two},
		{"Kk3", "+"}, {"O2,2", "+"}, {"W43", "+"}, {"O", "+"}, {"V", "+414243"}, {"S", "+3"},
		{"Kk2", "+"}, {"V", two},
	}
	c := dial(t, ts.addr).login()
	var cmds []string
	for _, s := range steps {
		cmds = append(cmds, s[0])
	}
	c.send(cmds...)
	for i, s := range steps {
		if got := c.line(); got != s[1] {
			t.Errorf("command %d %q: reply %q, want %q", i, s[0], got, s[1])
		}
	}
}
