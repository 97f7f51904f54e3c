package main

// The batch, restore and demo subcommands: flag parsing and signal
// handling only; the work is done by package batch (docs/batch.md).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/cmd/internal/cliflag"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/version"
	"github.com/inilua/inilua/notation"
)

// Exit statuses of the batch and restore subcommands (docs/batch.md).
const (
	exitOK    = 0 // every host ok or changed
	exitUsage = 1 // bad flags, arguments, inventory or script: nothing ran
	exitHosts = 2 // some host failed, was unreachable or was skipped
)

// hostFlags are the flags that select hosts and their passwords, shared by
// batch and restore.
type hostFlags struct {
	inventory    multiFlag
	hosts        string
	limit        string
	passwordEnv  string
	passwordFile string
	forks        int
	timeout      time.Duration
	// scriptTimeout is --script-timeout (registered by batch and restore
	// with their own wording); 0 means no limit.
	scriptTimeout time.Duration
}

func (hf *hostFlags) register(fs *flag.FlagSet) {
	fs.Var(&hf.inventory, "inventory", "inventory `FILE` (repeatable): one host per line: name [addr=host:port] [key=value ...], [group] headers, # comments")
	fs.StringVar(&hf.hosts, "hosts", "", "comma-separated `LIST` of host names or host:port addresses (with or instead of --inventory)")
	fs.StringVar(&hf.limit, "limit", "", "only hosts whose name or group matches `PATTERN`: comma-separated globs, !glob excludes")
	fs.StringVar(&hf.passwordEnv, "password-env", "", "take the password from environment variable `VAR`")
	fs.StringVar(&hf.passwordFile, "password-file", "", "take the password from the first line of `FILE`")
	fs.IntVar(&hf.forks, "forks", batch.DefaultForks, "number of hosts to run at once")
	fs.DurationVar(&hf.timeout, "timeout", batch.DefaultTimeout, "per host: limit `D` for connecting and logging in, and for each command (e.g. 30s)")
}

// load returns the selected hosts and the default password.
func (hf *hostFlags) load() ([]*batch.Host, string, error) {
	var hosts []*batch.Host
	for _, inv := range hf.inventory {
		hs, err := batch.ReadInventory(inv)
		if err != nil {
			return nil, "", err
		}
		if hosts, err = batch.MergeInventories(hosts, hs); err != nil {
			return nil, "", err
		}
	}
	if hf.hosts != "" {
		hs, err := batch.HostsFromList(hf.hosts)
		if err != nil {
			return nil, "", err
		}
		hosts = batch.MergeHosts(hosts, hs)
	}
	hosts, err := batch.Limit(hosts, hf.limit)
	if err != nil {
		return nil, "", err
	}
	var pw string
	switch {
	case hf.passwordEnv != "" && hf.passwordFile != "":
		return nil, "", errors.New("use only one of --password-env and --password-file")
	case hf.passwordEnv != "":
		var ok bool
		if pw, ok = os.LookupEnv(hf.passwordEnv); !ok {
			return nil, "", fmt.Errorf("--password-env: environment variable %s is not set", hf.passwordEnv)
		}
	case hf.passwordFile != "":
		if pw, err = batch.ReadPasswordFile(hf.passwordFile); err != nil {
			return nil, "", err
		}
	}
	if hf.forks < 1 {
		return nil, "", errors.New("--forks must be at least 1")
	}
	if hf.timeout <= 0 {
		return nil, "", errors.New("--timeout must be positive")
	}
	if hf.scriptTimeout < 0 {
		return nil, "", errors.New("--script-timeout must not be negative (0 means no limit)")
	}
	return hosts, pw, nil
}

// noLimit maps a --script-timeout value to batch's: 0 (no limit) is -1.
func noLimit(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// thresholdFlag is a --max-fail / --serial value: N or P%.
type thresholdFlag struct{ t batch.Threshold }

func (f *thresholdFlag) String() string { return f.t.String() }
func (f *thresholdFlag) Set(v string) error {
	t, err := batch.ParseThreshold(v)
	f.t = t
	return err
}

// interrupts implements the two-stage Ctrl-C of a batch run. ctx is the
// context main cancels at the first SIGINT. stopCh is closed then: no
// more hosts start, and running scripts stop after the command in
// progress (batch.Options.Stop). hard is cancelled at the second SIGINT:
// commands in progress are abandoned. release stops listening.
// firstStop is what the first Ctrl-C prints (after "interrupted: ").
func interrupts(ctx context.Context, stderr io.Writer, firstStop string) (stopCh <-chan struct{}, hard context.Context, release func()) {
	hard, cancel := context.WithCancel(context.WithoutCancel(ctx))
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt)
	stop := make(chan struct{})
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		// Stages count the signals received here; main's context is
		// cancelled by the same first signal, and also starts stage one
		// when it is cancelled for another reason.
		signals, stopped := 0, false
		first := func() {
			if !stopped {
				stopped = true
				fmt.Fprintln(stderr, "\ninterrupted: "+firstStop)
				close(stop)
			}
		}
		ctxDone := ctx.Done()
		for {
			select {
			case <-ctxDone:
				ctxDone = nil
				first()
			case <-sig:
				signals++
				if signals == 1 {
					first()
					continue
				}
				fmt.Fprintln(stderr, "\ninterrupted again: abandoning the commands in progress")
				cancel()
				return
			case <-done:
				return
			}
		}
	}()
	// release waits for the goroutine: once it returns, a later
	// cancellation of ctx (main's stop() on the way out) cannot be taken
	// for an interruption.
	return stop, hard, func() { signal.Stop(sig); close(done); <-exited; cancel() }
}

// stopRunning is the first Ctrl-C's message for batch and demo runs.
const stopRunning = "starting no more hosts; running hosts stop after their command in progress (Ctrl-C again to abandon it)"

// isTerminal reports whether w is a terminal (for the progress bar).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

const batchUsage = `usage: inilua batch [flags] script.lua [name=value ...]

Runs script.lua once on every selected host, each in its own Lua state, with
a logged-in session as the first value of "...", the global HOST (name,
address, groups, vars and each inventory variable) and ARGS (each name=value
argument). Prints the changes (--diff; remote files by their full OS/2
path, C:\APPS\OS2.INI) and a recap. A host that refuses the login is failed
("login refused"); one that cannot be reached or does not greet within
--timeout is unreachable. Flags go before script.lua.
Exit status: 0 every host ok or changed, 2 some host failed, was unreachable
or was skipped, 1 usage error. Details: docs/batch.md.

flags:
`

// batchConfig is what the flags of inilua batch set.
type batchConfig struct {
	hf              hostFlags
	maxFail, serial thresholdFlag
	check, diff     bool
	goStack         bool
	backupDir       string
	report, retry   string
	shard           string
}

// batchFlags builds the flag set of inilua batch, bound to c.
func batchFlags(c *batchConfig) *flag.FlagSet {
	fs := cliflag.New("inilua batch", batchUsage)
	c.hf.register(fs)
	fs.DurationVar(&c.hf.scriptTimeout, "script-timeout", batch.DefaultScriptTimeout,
		"per host: limit `D` for the whole script (Lua code, its commands, long library calls); the host fails with 'script timed out after D', the others go on; 0: no limit")
	fs.Var(&c.maxFail, "max-fail", "stop starting hosts once more than `N|P%` hosts failed or were unreachable")
	fs.Var(&c.serial, "serial", "run in rolling batches of `N|P%` hosts (at least 1: 0, or a percentage under one host, runs one host at a time); a batch starts only if the hosts so far stayed within --max-fail")
	fs.BoolVar(&c.check, "check", false, "dry run: write nothing on any host; report what would change")
	fs.BoolVar(&c.diff, "diff", false, "print each change: host file [application] key: old -> new")
	fs.StringVar(&c.backupDir, "backup-dir", "", "save each remote file under `DIR`/<host>/ before its first change (undo with inilua restore)")
	fs.StringVar(&c.report, "report", "", "write the JSON report to `FILE` (and the retry file beside it)")
	fs.StringVar(&c.retry, "retry-file", "", "write the hosts that failed, were unreachable or skipped to `FILE` (inventory format)")
	fs.BoolVar(&c.goStack, "go-stack", false, "end a failed host's output with the traceback of its script error, with the Go stack when a Go panic raised it (a bug: for bug reports)")
	fs.StringVar(&c.shard, "shard", "", "run only shard `I/N` of the selected hosts (1-based, by a hash of the host name); auto/N takes I from $"+batch.ShardIndexEnv+" (0-based, Kubernetes Indexed Job)")
	return fs
}

// runBatch is `inilua batch`; it returns the exit status.
func runBatch(ctx context.Context, args []string, e env) int {
	stdout, stderr := e.stdout, e.stderr
	var c batchConfig
	fs := batchFlags(&c)
	hf, maxFail, serial, check, diff, backupDir, report, retryFile := &c.hf, &c.maxFail, &c.serial, &c.check, &c.diff, &c.backupDir, &c.report, &c.retry
	refuse := func(err error) int { return cliflag.Refuse(stderr, fs, err, exitUsage) }
	if err := cliflag.Parse(fs, args, stdout); err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return exitOK
		}
		return refuse(err)
	}
	if fs.NArg() < 1 {
		return refuse(errors.New("no script given"))
	}
	script, scriptArgs := fs.Arg(0), fs.Args()[1:]
	for _, a := range scriptArgs {
		if err := checkScriptArg(fs, a); err != nil {
			return refuse(err)
		}
	}
	var shard batch.Shard
	if c.shard != "" {
		var err error
		if shard, err = batch.ParseShard(c.shard, os.LookupEnv); err != nil {
			return refuse(err)
		}
	}
	hosts, pw, err := hf.load()
	if err != nil {
		return refuse(err)
	}
	if len(hosts) == 0 {
		return refuse(errors.New("no hosts selected (use --inventory or --hosts, check --limit)"))
	}
	if sel, _ := shard.Select(hosts); len(sel) == 0 {
		// not an error: a scheduler may run more shards than there are
		// hosts; the empty report still merges
		fmt.Fprintf(stdout, "inilua batch: shard %s: none of the %d selected hosts falls in this shard\n", shard, len(hosts))
	}
	code, err := os.ReadFile(script)
	if err != nil {
		return refuse(err)
	}
	if err := checkOutputDirs(*report, *retryFile); err != nil {
		return refuse(err)
	}
	outputs := outputFiles(*report, *retryFile)
	inputs := append(hf.inputFiles(), batch.NamedFile{Role: "the script", Path: script})
	if err := batch.CheckOutputs(outputs, append(inputs, batch.PasswordFiles(hosts)...)); err != nil {
		return refuse(err)
	}
	if err := batch.CheckOutsideDir(outputs, batch.NamedFile{Role: "--backup-dir", Path: *backupDir}); err != nil {
		return refuse(err)
	}
	if err := batch.CheckRetryTarget(outputs[1]); err != nil {
		return refuse(err)
	}

	stopCh, hard, release := interrupts(ctx, stderr, stopRunning)
	defer release()
	results, err := batch.Run(hard, hosts, batch.Options{
		Script: script, Code: code, Args: scriptArgs,
		Forks: hf.forks, Timeout: hf.timeout, ScriptTimeout: noLimit(hf.scriptTimeout), MaxFail: maxFail.t, Serial: serial.t,
		Check: *check, Diff: *diff, BackupDir: *backupDir, Password: pw,
		Out: stdout, ProgressBar: isTerminal(stdout), Stop: stopCh, Shard: shard, GoStack: c.goStack,
	})
	if err != nil {
		fmt.Fprintln(stderr, "inilua batch:", err)
		return exitUsage
	}
	meta := batch.ReportMeta{Check: *check, Script: batch.NewScriptInfo(script, code, scriptArgs), Shard: shard, Version: version.Get()}
	return finishRun(results, meta, *report, *retryFile, stdout, stderr)
}

// checkScriptArg checks one argument after the script name: name=value;
// a flag there is refused with a hint, since flags go before the script.
func checkScriptArg(fs *flag.FlagSet, a string) error {
	if name, ok := strings.CutPrefix(a, "-"); ok {
		name = strings.TrimPrefix(name, "-")
		name, _, _ = strings.Cut(name, "=")
		if fs.Lookup(name) != nil || name == "h" || name == "help" {
			return fmt.Errorf("%s after the script: flags go before script.lua", a)
		}
	}
	if k, _, ok := strings.Cut(a, "="); !ok || k == "" {
		return fmt.Errorf("argument %q is not name=value", a)
	}
	return nil
}

// checkOutputDirs checks, before anything runs, that the directories the
// report and the retry file go into exist, so a typo does not surface only
// after a run over every host. A symlink is followed as the write will
// (ini.SaveTarget): the directory checked is its target's.
func checkOutputDirs(report, retryFile string) error {
	for _, p := range []string{report, batch.RetryPath(report, retryFile)} {
		if p == "" {
			continue
		}
		target, err := ini.SaveTarget(p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		dir := filepath.Dir(target)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			if target != p {
				return fmt.Errorf("%s is a symlink to %s: directory %s does not exist", p, target, dir)
			}
			return fmt.Errorf("%s: directory %s does not exist", p, dir)
		}
	}
	return nil
}

// outputFiles are the files a run writes: the report and the retry file
// (batch.RetryPath: beside the report unless --retry-file is given).
func outputFiles(report, retryFile string) []batch.NamedFile {
	retry := batch.NamedFile{Role: "--retry-file", Path: batch.RetryPath(report, retryFile)}
	if retryFile == "" {
		retry.Role, retry.Fix = "the retry file", "name it with --retry-file or give --report another name"
	}
	return []batch.NamedFile{{Role: "--report", Path: report}, retry}
}

// inputFiles are the files hf reads: the inventories and the password file.
func (hf *hostFlags) inputFiles() []batch.NamedFile {
	var in []batch.NamedFile
	for _, p := range hf.inventory {
		in = append(in, batch.NamedFile{Role: "--inventory", Path: p})
	}
	return append(in, batch.NamedFile{Role: "--password-file", Path: hf.passwordFile})
}

// finishRun prints the recap, writes the report (with meta) and the retry
// file, and returns the exit status.
func finishRun(results []*batch.Result, meta batch.ReportMeta, report, retryFile string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stdout)
	batch.WriteRecap(stdout, results, meta.Check)
	status := exitOK
	if !batch.Summarize(results).AllGood() {
		status = exitHosts
	}
	allGood := status == exitOK
	if report != "" {
		if err := batch.WriteReportFile(report, results, meta); err != nil {
			fmt.Fprintln(stderr, "inilua:", err)
			status = exitHosts
		}
	}
	if p := batch.RetryPath(report, retryFile); p != "" {
		if err := batch.WriteRetryFile(p, results); err != nil {
			fmt.Fprintln(stderr, "inilua:", err)
			status = exitHosts
		} else if !allGood {
			fmt.Fprintf(stdout, "to retry the hosts that did not succeed: --inventory %s\n", p)
		}
	}
	return status
}

const restoreUsage = `usage: inilua restore --backup-dir DIR [--inventory FILE ...] [flags]

Puts back every file saved under DIR by inilua batch --backup-dir (files the
runs created are removed). Without --inventory or --hosts, every host in DIR
is restored at the address recorded there. A host holding a file that
changed since the backup run (someone else wrote it) is not touched: it is
failed with the list of those files; --force restores it anyway.
Exit status as for inilua batch.

flags:
`

// restoreConfig is what the flags of inilua restore set.
type restoreConfig struct {
	hf        hostFlags
	backupDir string
	report    string
	force     bool
}

// restoreFlags builds the flag set of inilua restore, bound to c.
func restoreFlags(c *restoreConfig) *flag.FlagSet {
	fs := cliflag.New("inilua restore", restoreUsage)
	c.hf.register(fs)
	fs.DurationVar(&c.hf.scriptTimeout, "script-timeout", batch.DefaultScriptTimeout,
		"per host: limit `D` for restoring all of its files, after login; the host fails with 'restore timed out after D', the others go on; 0: no limit")
	fs.StringVar(&c.backupDir, "backup-dir", "", "the `DIR` given to inilua batch --backup-dir")
	fs.StringVar(&c.report, "report", "", "write the JSON report to `FILE` (and the retry file beside it: the hosts not restored, as an inventory)")
	fs.BoolVar(&c.force, "force", false, "also restore files changed on the host since the backup run (without it such a host is failed and left as it is)")
	return fs
}

// runRestore is `inilua restore`; it returns the exit status.
func runRestore(ctx context.Context, args []string, e env) int {
	stdout, stderr := e.stdout, e.stderr
	var c restoreConfig
	fs := restoreFlags(&c)
	hf, backupDir, report := &c.hf, &c.backupDir, &c.report
	refuse := func(err error) int { return cliflag.Refuse(stderr, fs, err, exitUsage) }
	if err := cliflag.Parse(fs, args, stdout); err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return exitOK
		}
		return refuse(err)
	}
	switch {
	case fs.NArg() > 0:
		return refuse(fmt.Errorf("unexpected argument %q (restore takes only flags)", fs.Arg(0)))
	case *backupDir == "":
		return refuse(errors.New("--backup-dir is required"))
	}
	hosts, pw, err := hf.load()
	if err == nil {
		err = checkOutputDirs(*report, "")
	}
	outputs := outputFiles(*report, "") // restore too writes a retry file beside --report
	outputs[1].Fix = "give --report another name (restore writes the retry file beside it, as NAME.retry)"
	if err == nil {
		err = batch.CheckOutputs(outputs, append(hf.inputFiles(), batch.PasswordFiles(hosts)...))
	}
	if err == nil {
		err = batch.CheckOutsideDir(outputs, batch.NamedFile{Role: "--backup-dir", Path: *backupDir})
	}
	if err == nil {
		err = batch.CheckRetryTarget(outputs[1])
	}
	if err != nil {
		return refuse(err)
	}
	if len(hf.inventory) == 0 && hf.hosts == "" {
		if hf.limit != "" {
			return refuse(errors.New("--limit needs --inventory or --hosts"))
		}
		hosts = nil // every host of the backup directory
	} else if hosts == nil {
		hosts = []*batch.Host{} // a selection that matched nothing
	}
	stopCh, hard, release := interrupts(ctx, stderr,
		"starting no more hosts; running hosts stop after the file in progress (Ctrl-C again to abandon it)")
	defer release()
	results, err := batch.Restore(hard, batch.RestoreOptions{
		BackupDir: *backupDir, Hosts: hosts, Password: pw, Force: c.force, Forks: hf.forks, Timeout: hf.timeout,
		ScriptTimeout: noLimit(hf.scriptTimeout),
		Out:           stdout, ProgressBar: isTerminal(stdout), Stop: stopCh,
	})
	if err != nil {
		fmt.Fprintln(stderr, "inilua restore:", err)
		return exitUsage
	}
	if len(results) == 0 { // nothing was contacted
		fmt.Fprintf(stderr, "inilua restore: no backups in %s for the selected hosts (is it the --backup-dir of a run?)\n", *backupDir)
		return exitUsage
	}
	for _, r := range results {
		for _, c := range r.Changes {
			fmt.Fprintf(stdout, "%s %s: %s\n", r.Host.Name, notation.Name(c.File), c.Op)
		}
	}
	return finishRun(results, batch.ReportMeta{Version: version.Get()}, *report, "", stdout, stderr)
}

const demoUsage = `usage: inilua demo [--keep] [--hosts N]

Runs the main job on an embedded default: writes sample INI files for N
hosts into a temporary directory, starts an in-process INIServe server for
each on loopback, runs scripts/set-setting.lua on all of them with the batch
runner (--diff, --backup-dir) and prints the diff, one result line per host
(the same on a terminal, under the progress bar; a host already migrated
says so) and the recap. Nothing outside the temporary directory is touched;
it is removed at the end unless --keep is given (the last line says which).

flags:
`

// demoFlags builds the flag set of inilua demo, bound to keep and hosts.
func demoFlags(keep *bool, hosts *int) *flag.FlagSet {
	fs := cliflag.New("inilua demo", demoUsage)
	fs.BoolVar(keep, "keep", false, "keep the temporary directory (its path is printed) with the backups and report.json")
	fs.IntVar(hosts, "hosts", 3, "number of sample hosts (1..10000; the open-file limit, ulimit -n, must allow a listener per host)")
	return fs
}

// runDemo is `inilua demo`; it returns the exit status.
func runDemo(ctx context.Context, args []string, e env) int {
	stdout, stderr := e.stdout, e.stderr
	keep, n := new(bool), new(int)
	fs := demoFlags(keep, n)
	refuse := func(err error) int { return cliflag.Refuse(stderr, fs, err, exitUsage) }
	if err := cliflag.Parse(fs, args, stdout); err != nil {
		if errors.Is(err, cliflag.ErrHelp) {
			return exitOK
		}
		return refuse(err)
	}
	switch {
	case fs.NArg() > 0:
		return refuse(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case *n < 1 || *n > batch.MaxDemoHosts:
		return refuse(fmt.Errorf("--hosts %d: must be 1..%d", *n, batch.MaxDemoHosts))
	}
	dir, err := os.MkdirTemp("", "inilua-demo-")
	if err != nil {
		fmt.Fprintln(stderr, "inilua demo:", err)
		return exitUsage
	}
	report := ""
	if *keep {
		report = dir + string(os.PathSeparator) + "report.json"
	} else {
		defer os.RemoveAll(dir)
	}
	stopCh, hard, release := interrupts(ctx, stderr, stopRunning)
	defer release()
	results, err := batch.Demo(hard, batch.DemoOptions{
		Dir: dir, Hosts: *n, Out: stdout, Stop: stopCh, ProgressBar: isTerminal(stdout),
	})
	if err != nil {
		fmt.Fprintln(stderr, "inilua demo:", err)
		return exitHosts
	}
	meta := batch.ReportMeta{Script: batch.DemoScriptInfo(), Version: version.Get()}
	status := finishRun(results, meta, report, "", stdout, stderr)
	if *keep {
		fmt.Fprintf(stdout, "kept %s: the hosts' files, backup/ and report.json\n", dir)
	} else {
		fmt.Fprintf(stdout, "%s is removed at exit (inilua demo --keep keeps it, with backup/ and report.json)\n", dir)
	}
	return status
}
