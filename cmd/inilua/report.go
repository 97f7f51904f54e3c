package main

// The report subcommand: `inilua report merge` joins the JSON reports of
// the shards of one run (package batch: ReadReportFile, Merge).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/cmd/internal/cliflag"
	"github.com/inilua/inilua/internal/version"
)

const reportUsage = `usage: inilua report merge [--retry-file FILE] OUT.json IN.json...

Merges the JSON reports of the shards of one run (inilua batch --shard I/N
--report IN.json) into OUT.json, with the same schema, writes the retry
file beside it (OUT.retry, or --retry-file) and prints one recap. The
reports must be of the same script, arguments and --check; a host in two
reports is an error naming both. Exit status: 0 every host ok or changed,
2 some host failed, was unreachable or was skipped, or a shard is missing,
1 usage error (nothing written). Details: docs/batch.md.

flags:
`

// reportFlags builds the flag set of inilua report merge, bound to retry.
func reportFlags(retry *string) *flag.FlagSet {
	fs := cliflag.New("inilua report merge", reportUsage)
	fs.StringVar(retry, "retry-file", "", "write the hosts that failed, were unreachable or skipped to `FILE` (default: OUT.retry beside OUT.json)")
	return fs
}

// runReport is `inilua report`; it returns the exit status.
func runReport(_ context.Context, args []string, e env) int {
	stdout, stderr := e.stdout, e.stderr
	var retry string
	fs := reportFlags(&retry)
	refuse := func(err error) int { return cliflag.Refuse(stderr, fs, err, exitUsage) }
	if len(args) == 0 || args[0] != "merge" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			cliflag.Parse(fs, args[:1], stdout)
			return exitOK
		}
		if len(args) == 0 {
			return refuse(errors.New("no command given (inilua report merge OUT.json IN.json...)"))
		}
		return refuse(fmt.Errorf("unknown command %q (inilua report merge OUT.json IN.json...)", args[0]))
	}
	if err := cliflag.Parse(fs, args[1:], stdout); err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return exitOK
		}
		return refuse(err)
	}
	if fs.NArg() < 2 {
		return refuse(errors.New("want the output file and at least one report to merge"))
	}
	out, inputs := fs.Arg(0), fs.Args()[1:]
	for _, in := range inputs {
		if strings.HasPrefix(in, "-") {
			return refuse(fmt.Errorf("%s after the output file: flags go before OUT.json (inilua report merge [flags] OUT.json IN.json...)", in))
		}
	}
	if err := checkOutputDirs(out, retry); err != nil {
		return refuse(err)
	}
	outputs := outputFiles(out, retry)
	outputs[0].Role = "the output"
	if retry == "" {
		outputs[1].Fix = "name it with --retry-file or give the output another name"
	}
	var inFiles []batch.NamedFile
	for _, in := range inputs {
		inFiles = append(inFiles, batch.NamedFile{Role: "the input", Path: in})
	}
	if err := batch.CheckOutputs(outputs, inFiles); err != nil {
		return refuse(err)
	}
	if err := batch.CheckDistinct(inFiles); err != nil {
		return refuse(err)
	}
	var reports []*batch.Report
	for _, in := range inputs {
		rep, err := batch.ReadReportFile(in)
		if err != nil {
			return refuse(err)
		}
		reports = append(reports, rep)
	}
	merged, err := batch.Merge(inputs, reports)
	if err != nil {
		return refuse(err)
	}
	var hosts []*batch.Host
	for _, r := range merged.Results {
		hosts = append(hosts, r.Host)
	}
	if err := batch.CheckOutputs(outputs, batch.PasswordFiles(hosts)); err != nil {
		return refuse(err)
	}
	if err := batch.CheckRetryTarget(outputs[1]); err != nil {
		return refuse(err)
	}
	merged.Meta.Version = version.Get()
	status := finishRun(merged.Results, merged.Meta, out, retry, stdout, stderr)
	if missing := merged.MissingShards(); len(missing) > 0 {
		var s []string
		count := 0
		for _, m := range merged.Meta.Merged {
			if m.Shard != nil {
				count = m.Shard.Count
			}
		}
		for _, i := range missing {
			s = append(s, fmt.Sprintf("%d/%d", i, count))
		}
		fmt.Fprintf(stderr, "inilua report merge: no report of shard %s: the hosts of those shards are not in %s\n", strings.Join(s, ", "), out)
		status = exitHosts
	}
	return status
}
