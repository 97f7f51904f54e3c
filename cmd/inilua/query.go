package main

// The query subcommand: flag parsing only; the work is done by package
// fleet (docs/fleet.md).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/inilua/inilua/cmd/internal/cliflag"
	"github.com/inilua/inilua/fleet"
	"github.com/inilua/inilua/ini"
)

const queryUsage = `usage: inilua query [flags] 'C:\PATH\FILE.INI' APPLICATION [KEY]

Reads KEY of APPLICATION in the file on every selected host (read-only:
nothing is written, no file is created) and prints a table HOST | VALUE,
hosts grouped by value, the most common value first, so drift stands out.
Hosts without the file or the key, failed and unreachable hosts are rows
of their own. Without KEY, every key of the application: one column per key
when there are at most 4, else one row per key and host. Flags may also
follow the arguments. Exit status: 0 every host answered, 2 some host
failed or was unreachable, 1 usage error. Details: docs/fleet.md.

flags:
`

// queryConfig is what the flags of inilua query set.
type queryConfig struct {
	hf   hostFlags
	typ  string
	json bool
}

// queryFlags builds the flag set of inilua query, bound to c.
func queryFlags(c *queryConfig) *flag.FlagSet {
	fs := cliflag.New("inilua query", queryUsage)
	c.hf.register(fs)
	fs.StringVar(&c.typ, "type", "", "decode values as `TYPE`: "+strings.Join(ini.ValueTypeNames(), ", ")+" (default: the --diff notation)")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of the table (schema in docs/fleet.md)")
	return fs
}

// parseInterspersed parses args with fs, allowing flags after the
// positional arguments (inilua query FILE APP KEY --type u32), and
// returns the positional arguments. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string, e env) ([]string, error) {
	var pos []string
	for {
		if err := cliflag.Parse(fs, args, e.stdout); err != nil {
			return nil, err
		}
		args = fs.Args()
		// flag stops at the first non-flag, or after "--"
		for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			pos = append(pos, args[0])
			args = args[1:]
		}
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
	}
}

// runQuery is `inilua query`; it returns the exit status.
func runQuery(ctx context.Context, args []string, e env) int {
	var cfg queryConfig
	fs := queryFlags(&cfg)
	refuse := func(err error) int { return cliflag.Refuse(e.stderr, fs, err, exitUsage) }
	pos, err := parseInterspersed(fs, args, e)
	if err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return exitOK
		}
		return refuse(err)
	}
	if len(pos) < 2 || len(pos) > 3 {
		return refuse(fmt.Errorf("want FILE APPLICATION [KEY] (got %d arguments)", len(pos)))
	}
	if err := fleet.CheckFile(pos[0]); err != nil {
		return refuse(err)
	}
	if cfg.typ != "" {
		if _, err := ini.ParseValueType(cfg.typ); err != nil {
			return refuse(fmt.Errorf("--type: %w", err))
		}
	}
	hosts, pw, err := cfg.hf.load()
	if err != nil {
		return refuse(err)
	}
	if len(hosts) == 0 {
		return refuse(errors.New("no hosts selected (use --inventory or --hosts, check --limit)"))
	}
	q := fleet.Query{File: pos[0], Application: []byte(pos[1]), Forks: cfg.hf.forks}
	if len(pos) == 3 {
		q.Key = []byte(pos[2])
	}
	c := &fleet.Connector{Hosts: hosts, Password: pw, Timeout: cfg.hf.timeout}
	results := c.Query(ctx, hosts, q)
	show := fleet.Show{Type: cfg.typ}
	if cfg.json {
		err = fleet.WriteJSON(e.stdout, q, results, show)
	} else {
		err = fleet.WriteTable(e.stdout, q, results, show)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "inilua query:", err)
		return exitHosts
	}
	for _, r := range results {
		if r.Status == fleet.StatusFailed || r.Status == fleet.StatusUnreachable {
			return exitHosts
		}
	}
	return exitOK
}
