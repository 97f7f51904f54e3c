package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/inilua/inilua/cmd/internal/iniconv"
	"github.com/inilua/inilua/ini"
)

// TestMain registers dumpini and loadini as commands of the test scripts:
// the test binary runs them in a child process (testscript.Main).
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"dumpini": func() { os.Exit(iniconv.Dumpini(os.Args[1:], os.Stdout, os.Stderr)) },
		"loadini": func() { os.Exit(iniconv.Loadini(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar: both commands, end to end.
//
// Extra script commands:
//
//	mkini FILE ITEM...      write an INI (or, for *.TNI, TNI) file; ITEM is
//	                        "sample" (ini.Sample) or three arguments
//	                        APP KEY TYPE:TEXT (see encodeArg)
//	cmpini A B              A and B (format by content) hold the same
//	                        applications, keys and values, in any order
//	showini FILE            print FILE's entries (format by content) in file order, one
//	                        "[APP] KEY = HEX" line each
//	lf FILE                 print FILE with CRLF turned into LF; fails when
//	                        a line ends in a bare LF
//	status N CMD ARG...     run CMD and require exit status N
//	hardlink OLD NEW        make NEW another hard link to OLD
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkini":   cmdMkini,
			"cmpini":  cmdCmpini,
			"showini": cmdShowini,
			"lf":      cmdLF,
			"status":  cmdStatus,
			"hardlink": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: hardlink OLD NEW")
				}
				ts.Check(os.Link(ts.MkAbs(args[0]), ts.MkAbs(args[1])))
			},
		},
	})
}

func cmdMkini(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: mkini FILE [sample | APP KEY TYPE:TEXT]...")
	}
	f := ini.New()
	rest := args[1:]
	for len(rest) > 0 {
		if rest[0] == "sample" {
			for _, a := range ini.Sample().Apps {
				for _, e := range a.Entries {
					ts.Check(f.Put(a.Name, e.Key, e.Value))
				}
			}
			rest = rest[1:]
			continue
		}
		if len(rest) < 3 {
			ts.Fatalf("mkini: want APP KEY TYPE:TEXT, got %q", rest)
		}
		v, err := encodeArg(rest[2])
		ts.Check(err)
		ts.Check(f.Put([]byte(rest[0]), []byte(rest[1]), v))
		rest = rest[3:]
	}
	path := args[0]
	data, err := f.Marshal(ini.FormatForName(path))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(path), data, 0o666))
}

// encodeArg builds a value from TYPE:TEXT. TYPE is a value type name
// (ini.ParseValueType): integers are decimal, "strings" elements are
// separated by commas, "hex" is hex text, the others take TEXT literally
// (with \x00 replaced by a NUL). TYPE "fill" makes TEXT (a decimal count)
// bytes 'x'.
func encodeArg(arg string) ([]byte, error) {
	typ, text, ok := strings.Cut(arg, ":")
	if !ok {
		return nil, fmt.Errorf("value %q: want TYPE:TEXT", arg)
	}
	text = strings.ReplaceAll(text, `\x00`, "\x00")
	if typ == "fill" {
		n, err := strconv.Atoi(text)
		return bytes.Repeat([]byte{'x'}, n), err
	}
	vt, err := ini.ParseValueType(typ)
	if err != nil {
		return nil, err
	}
	switch vt {
	case ini.TypeStrings:
		return ini.Encode(vt, strings.Split(text, ","))
	case ini.TypeBytes, ini.TypeString, ini.TypeString0, ini.TypeHex:
		return ini.Encode(vt, text)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, err
	}
	return ini.Encode(vt, n)
}

// readIni reads an INI or TNI file, choosing the format by content.
func readIni(ts *testscript.TestScript, path string) *ini.File {
	data, err := os.ReadFile(ts.MkAbs(path))
	ts.Check(err)
	f, err := ini.Parse(path, data, ini.DetectFormat(data))
	ts.Check(err)
	return f
}

func cmdCmpini(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmpini A B")
	}
	a, b := readIni(ts, args[0]), readIni(ts, args[1])
	same := a.SameContent(b)
	if same && neg {
		ts.Fatalf("%s and %s hold the same entries", args[0], args[1])
	}
	if !same && !neg {
		ts.Fatalf("%s and %s differ:\n%s\n%s", args[0], args[1], dump(a), dump(b))
	}
}

func dump(f *ini.File) string {
	var b strings.Builder
	for _, a := range f.Apps {
		if len(a.Entries) == 0 {
			fmt.Fprintf(&b, "[%s]\n", a.Name)
		}
		for _, e := range a.Entries {
			fmt.Fprintf(&b, "[%s] %s = %s\n", a.Name, e.Key, ini.Hex(e.Value))
		}
	}
	return b.String()
}

func cmdShowini(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: showini FILE")
	}
	fmt.Fprint(ts.Stdout(), dump(readIni(ts, args[0])))
}

func cmdLF(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lf FILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	if n, m := bytes.Count(data, []byte("\n")), bytes.Count(data, []byte("\r\n")); n != m {
		ts.Fatalf("%s: %d of %d lines do not end in CRLF", args[0], n-m, n)
	}
	ts.Stdout().Write(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
}

func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N CMD ARG...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
