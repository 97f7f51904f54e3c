package main

// The pull subcommand: flag parsing only; the work is done by package
// fleet (docs/fleet.md).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/inilua/inilua/cmd/internal/cliflag"
	"github.com/inilua/inilua/fleet"
)

const pullUsage = `usage: inilua pull [flags] --to DIR 'C:\PATH\*.INI' ...

Copies every file matching the masks (wildcards * and ? in the last
component) from every selected host into DIR/<host>/<drive>/<path>, as TNI
text (--binary: binary INI), holding exactly the file's applications, keys
and values, so a tree of configurations can be kept in git and compared
with inilua diff or git diff. A file whose names TNI cannot hold is written
as binary INI, with a note. Read-only on the hosts; DIR is created when
missing, copies are written atomically, and files no longer on a host are
not removed. Flags may also follow the masks. Exit status: 0 every file
copied, 2 some file or host failed or a host was unreachable, 1 usage
error. Details: docs/fleet.md.

flags:
`

// pullConfig is what the flags of inilua pull set.
type pullConfig struct {
	hf     hostFlags
	to     string
	binary bool
}

// pullFlags builds the flag set of inilua pull, bound to c.
func pullFlags(c *pullConfig) *flag.FlagSet {
	fs := cliflag.New("inilua pull", pullUsage)
	c.hf.register(fs)
	fs.StringVar(&c.to, "to", "", "copy into `DIR`/<host>/<drive>/<path> (required)")
	fs.BoolVar(&c.binary, "binary", false, "write binary INI instead of TNI text")
	return fs
}

// runPull is `inilua pull`; it returns the exit status.
func runPull(ctx context.Context, args []string, e env) int {
	var cfg pullConfig
	fs := pullFlags(&cfg)
	refuse := func(err error) int { return cliflag.Refuse(e.stderr, fs, err, exitUsage) }
	masks, err := parseInterspersed(fs, args, e)
	if err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return exitOK
		}
		return refuse(err)
	}
	switch {
	case cfg.to == "":
		return refuse(errors.New("--to DIR is required"))
	case len(masks) == 0:
		return refuse(errors.New(`no file or mask given (C:\PATH\*.INI)`))
	}
	for _, m := range masks {
		if err := fleet.CheckMask(m); err != nil {
			return refuse(err)
		}
	}
	hosts, pw, err := cfg.hf.load()
	if err != nil {
		return refuse(err)
	}
	if len(hosts) == 0 {
		return refuse(errors.New("no hosts selected (use --inventory or --hosts, check --limit)"))
	}
	if err := os.MkdirAll(cfg.to, 0o755); err != nil {
		return refuse(err)
	}
	c := &fleet.Connector{Hosts: hosts, Password: pw, Timeout: cfg.hf.timeout}
	results, err := c.Pull(ctx, hosts, fleet.PullOptions{Masks: masks, Dir: cfg.to, Binary: cfg.binary, Forks: cfg.hf.forks})
	if err != nil {
		return refuse(err)
	}
	if err := fleet.WritePull(e.stdout, results); err != nil {
		fmt.Fprintln(e.stderr, "inilua pull:", err)
		return exitHosts
	}
	for _, r := range results {
		if r.Status != fleet.StatusValue {
			return exitHosts
		}
	}
	return exitOK
}
