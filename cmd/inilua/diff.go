package main

// The diff subcommand: flag parsing only; the work is done by packages
// fleet (reading local and remote files) and inidiff (docs/fleet.md).

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/cmd/internal/cliflag"
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
	fs.DurationVar(&hf.timeout, "timeout", batch.DefaultTimeout, "limit `D` for connecting and for each command (e.g. 30s)")
	hf.forks = 1
}

// diffConfig is what the flags of inilua diff set.
type diffConfig struct {
	hf  hostFlags
	lua bool
}

// diffFlags builds the flag set of inilua diff, bound to c.
func diffFlags(c *diffConfig) *flag.FlagSet {
	fs := cliflag.New("inilua diff", diffUsage)
	registerReadFlags(fs, &c.hf)
	fs.BoolVar(&c.lua, "lua", false, "write a Lua migration script from OLD to NEW instead of the difference")
	return fs
}

// runDiff is `inilua diff`; it returns the exit status.
func runDiff(ctx context.Context, args []string, e env) int {
	var cfg diffConfig
	fs := diffFlags(&cfg)
	refuse := func(err error) int { return cliflag.Refuse(e.stderr, fs, err, diffTrouble) }
	if err := cliflag.Parse(fs, args, e.stdout); err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return diffSame
		}
		return refuse(err)
	}
	if fs.NArg() != 2 {
		return refuse(fmt.Errorf("want two files, OLD and NEW (got %d)", fs.NArg()))
	}
	hosts, pw, err := cfg.hf.load()
	if err != nil {
		return refuse(err)
	}
	c := &fleet.Connector{Hosts: hosts, Password: pw, Timeout: cfg.hf.timeout}
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
	if cfg.lua {
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
