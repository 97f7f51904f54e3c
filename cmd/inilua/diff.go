package main

// The diff subcommand: flag parsing only; the work is done by packages
// fleet (reading local and remote files) and inidiff (docs/fleet.md).

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/fleet"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/inidiff"
	"github.com/inilua/inilua/internal/version"
)

// Exit statuses of inilua diff, as diff(1).
const (
	diffSame    = 0
	diffDiffer  = 1
	diffTrouble = 2
)

const diffUsage = `usage: inilua diff [flags] OLD NEW

Compares the entries of two INI or TNI files, each local (a path) or on a
host (HOST[:PORT]:C:\PATH\FILE.INI, HOST looked up in --inventory), and
prints the applications and keys added, removed and changed, in the notation
of inilua batch --diff. With --lua it writes instead a Lua migration script
that turns OLD's entries into NEW's (run it with inilua batch or inilua).
Remote files are only read. Exit status: 0 same entries, 1 different, 2
trouble. Details: docs/fleet.md.

flags:
`

// registerReadFlags registers the flags of hf that commands reading one
// or two files need: inventories, passwords and the timeout.
func registerReadFlags(fs *flag.FlagSet, hf *hostFlags) {
	fs.Var(&hf.inventory, "inventory", "inventory `FILE` (repeatable) in which HOST is looked up, as for inilua batch")
	fs.StringVar(&hf.passwordEnv, "password-env", "", "take the password from environment variable `VAR`")
	fs.StringVar(&hf.passwordFile, "password-file", "", "take the password from the first line of `FILE`")
	fs.DurationVar(&hf.timeout, "timeout", batch.DefaultTimeout, "limit for connecting and for each command (e.g. 30s)")
	hf.forks = 1
}

// runDiff is `inilua diff`; it returns the exit status.
func runDiff(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("inilua diff", diffUsage, e.stderr)
	var hf hostFlags
	registerReadFlags(fs, &hf)
	lua := fs.Bool("lua", false, "write a Lua migration script from OLD to NEW instead of the difference")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return diffSame
		}
		return diffTrouble
	}
	if fs.NArg() != 2 {
		fmt.Fprintf(e.stderr, "inilua diff: want two files, OLD and NEW (got %d)\n", fs.NArg())
		fs.Usage()
		return diffTrouble
	}
	hosts, pw, err := hf.load()
	if err != nil {
		fmt.Fprintln(e.stderr, "inilua diff:", err)
		return diffTrouble
	}
	c := &fleet.Connector{Hosts: hosts, Password: pw, Timeout: hf.timeout}
	locs := [2]fleet.Location{fleet.ParseLocation(fs.Arg(0)), fleet.ParseLocation(fs.Arg(1))}
	var files [2]*ini.File
	var srcs [2]inidiff.Source
	for i, l := range locs {
		if files[i], err = c.ReadFile(ctx, l); err != nil {
			fmt.Fprintln(e.stderr, "inilua diff:", err)
			return diffTrouble
		}
		srcs[i] = inidiff.SourceOf(files[i], l.String(), l.Path, l.Remote())
	}
	d := inidiff.Compare(files[0], files[1])
	if *lua {
		err = inidiff.WriteLua(e.stdout, d, inidiff.Header{Old: srcs[0], New: srcs[1],
			Generator: "inilua " + version.Get().String()})
	} else {
		err = inidiff.WriteText(e.stdout, d, locs[0].String(), locs[1].String())
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "inilua diff:", err)
		return diffTrouble
	}
	if d.Empty() {
		return diffSame
	}
	return diffDiffer
}
