package main

// inilua completion bash|zsh: shell completion generated from the flag
// sets (package clidoc); inilua completion hosts FILE... lists the host
// names and groups of inventories for it.

import (
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/cmd/internal/clidoc"
	"github.com/inilua/inilua/cmd/internal/cliflag"
)

const completionUsage = `usage: inilua completion bash|zsh

Prints a shell completion script for inilua: subcommands, flags, file and
directory names, and for --limit the host names and groups of the
inventories given with --inventory on the same command line.

  bash:  source <(inilua completion bash)     (e.g. in ~/.bashrc)
  zsh:   source <(inilua completion zsh)      (in ~/.zshrc, after compinit)
`

// completionFlags is the (empty) flag set of inilua completion, for its
// usage text.
func completionFlags() *flag.FlagSet { return cliflag.New("inilua completion", completionUsage) }

// commandTree describes inilua and its subcommands for man pages and
// completion, with the flag sets they parse.
func commandTree() *clidoc.Command {
	return &clidoc.Command{
		Name:    "inilua",
		Summary: "run Lua scripts that read and change OS/2 INI and TNI files, locally or on INIServe hosts",
		Flags:   scriptFlags(),
		Tail:    usageTail,
		Sub: []*clidoc.Command{
			{Name: "batch", Summary: "run a script on many INIServe hosts, with check mode, diffs, backups and a report", Flags: batchFlags(&batchConfig{})},
			{Name: "restore", Summary: "put the files saved by inilua batch --backup-dir back on their hosts", Flags: restoreFlags(&restoreConfig{})},
			{Name: "diff", Summary: "compare two INI or TNI files, local or on hosts", Flags: diffFlags(&diffConfig{})},
			{Name: "query", Summary: "read one key or application on every host, grouped by value", Flags: queryFlags(&queryConfig{})},
			{Name: "pull", Summary: "download files from every host into a local directory", Flags: pullFlags(&pullConfig{}), Args: "dirs"},
			{Name: "report", Summary: "work with the JSON reports of inilua batch", Sub: []*clidoc.Command{
				{Name: "merge", Summary: "merge the reports of the shards of one run", Flags: reportFlags(new(string))},
			}},
			{Name: "demo", Summary: "the batch runner on sample hosts served on loopback", Flags: demoFlags(new(bool), new(int))},
			{Name: "completion", Summary: "print a bash or zsh completion script", Flags: completionFlags(), Sub: []*clidoc.Command{
				{Name: "bash", Summary: "bash completion"},
				{Name: "zsh", Summary: "zsh completion (through bashcompinit)"},
			}},
		},
	}
}

// runCompletion is `inilua completion`; it returns the exit status.
func runCompletion(args []string, e env) int {
	fs := completionFlags()
	if err := cliflag.Parse(fs, args, e.stdout); err != nil {
		if err == cliflag.ErrHelp {
			return exitOK
		}
		return cliflag.Refuse(e.stderr, fs, err, exitUsage)
	}
	args = fs.Args()
	if len(args) == 0 {
		return cliflag.Refuse(e.stderr, fs, fmt.Errorf("name a shell: bash or zsh"), exitUsage)
	}
	var err error
	switch args[0] {
	case "bash", "zsh":
		if len(args) > 1 {
			return cliflag.Refuse(e.stderr, fs, fmt.Errorf("unexpected argument %q", args[1]), exitUsage)
		}
		if args[0] == "bash" {
			err = clidoc.Bash(e.stdout, commandTree())
		} else {
			err = clidoc.Zsh(e.stdout, commandTree())
		}
	case "hosts":
		err = printHostNames(e.stdout, args[1:])
	default:
		return cliflag.Refuse(e.stderr, fs, fmt.Errorf("unknown shell %q (want bash or zsh)", args[0]), exitUsage)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "inilua completion: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// printHostNames writes the host names and group names of the inventory
// files, sorted, one a line (what --limit matches).
func printHostNames(w io.Writer, files []string) error {
	var names []string
	for _, f := range files {
		hosts, err := batch.ReadInventory(f)
		if err != nil {
			return err
		}
		for _, h := range hosts {
			names = append(names, h.Name)
			names = append(names, h.Groups...)
		}
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		fmt.Fprintln(w, n)
	}
	return nil
}
