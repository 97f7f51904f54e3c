package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/scripts"
)

// Sample host layout written by WriteSampleHost, as OS/2 paths on drive C:.
const (
	SampleDir       = `C:\MAILSRV` // the mail server's directory
	SampleSemaphore = `\SEM32\MAILSRV\RELOAD`
)

// WriteSampleHost writes the INI files of sample host number i (0-based)
// into dir, which plays the host's drive C:. The files, generated in code
// (ini.Sample plus variations per host):
//
//	MAILSRV/MAILSRV.INI   binary: ini.Sample() with MaxUsers 250+10*i and an
//	                      application "host" naming the host
//	MAILSRV/DOMAIN1.INI   binary: $SYS TimeOut (u32), Domain, Relay
//	MAILSRV/DOMAIN2.INI   binary: the same for a second domain
//	MAILSRV/USERS.TNI     TNI text: two users
//	OS2/APPS.INI          binary: an unrelated program's file
//
// $SYS TimeOut is 900 (seconds) in MAILSRV.INI and 600 in the domain files,
// except on every third host (i%3 == 2), where it is already 300 everywhere
// (a host a TimeOut=300 migration leaves ok).
func WriteSampleHost(dir string, i int) error {
	timeout := func(def int64) int64 {
		if i%3 == 2 {
			return 300
		}
		return def
	}
	main := ini.Sample()
	main.Put([]byte("$SYS"), []byte("TimeOut"), u32(timeout(900)))
	main.Put([]byte("MailServer"), []byte("MaxUsers"), u32(int64(250+10*i)))
	main.Put([]byte("host"), []byte("Name"), str0(fmt.Sprintf("mail%d.example.com", i+1)))

	files := map[string]*ini.File{"MAILSRV/MAILSRV.INI": main}
	for d, domain := range []string{"example.com", "example.org"} {
		f := ini.New()
		f.Put([]byte("$SYS"), []byte("TimeOut"), u32(timeout(600)))
		f.Put([]byte("Domain"), []byte("Name"), str0(domain))
		f.Put([]byte("Domain"), []byte("Relay"), u8(int64(d)))
		f.Put([]byte("Domain"), []byte("Postmaster"), str0("postmaster@"+domain))
		files[fmt.Sprintf("MAILSRV/DOMAIN%d.INI", d+1)] = f
	}
	users := ini.New()
	users.Put([]byte("jbloggs"), []byte("FullName"), str0("Jo Bloggs"))
	users.Put([]byte("jbloggs"), []byte("Quota"), u32(10<<20))
	users.Put([]byte("asmith"), []byte("FullName"), str0("Alex Smith"))
	users.Put([]byte("asmith"), []byte("Quota"), u32(int64(20+i)<<20))
	files["MAILSRV/USERS.TNI"] = users
	apps := ini.New()
	apps.Put([]byte("PM_Workplace"), []byte("Font"), str0("9.WarpSans"))
	apps.Put([]byte("PM_Workplace"), []byte("TimeOut"), u32(900))
	files["OS2/APPS.INI"] = apps

	for name, f := range files {
		data, err := f.Marshal(ini.FormatForName(name))
		if err != nil {
			return fmt.Errorf("sample %s: %w", name, err)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func u32(n int64) []byte   { b, _ := ini.EncodeU32(n); return b }
func u8(n int64) []byte    { b, _ := ini.EncodeU8(n); return b }
func str0(s string) []byte { b, _ := ini.EncodeString0([]byte(s)); return b }

// MaxDemoHosts is the most sample hosts Demo is meant for (inilua demo
// --hosts).
const MaxDemoHosts = 10000

// DemoOptions configure Demo.
type DemoOptions struct {
	Dir         string // where the sample hosts' files and the backups go
	Hosts       int    // number of sample hosts
	Out         io.Writer
	ProgressBar bool
	Stop        <-chan struct{}
}

// DemoScript is the migration Demo runs and its arguments: every INI file
// of the sample mail server gets $SYS TimeOut = 300 seconds, and the
// server is told to reload.
var DemoScript = struct {
	Name string
	Args []string
}{
	Name: "set-setting.lua",
	Args: []string{`dir=` + SampleDir, `mask=*.INI`, `app=$SYS`, `key=TimeOut`, `type=u32`, `value=300`, `notify=` + SampleSemaphore},
}

// DemoOKNote is what Demo's result line says of a host that had nothing
// to change (every third sample host already has the setting).
const DemoOKNote = "nothing to change, already migrated: $SYS TimeOut is 300 in every file"

// Demo is the embedded default behind `inilua demo`: it writes
// opts.Hosts sample hosts under opts.Dir (WriteSampleHost), serves each
// with an in-process server on loopback (LocalServers), and runs
// scripts/set-setting.lua on all of them with --diff and a backup
// directory, printing the diff and the result line of each host as it
// finishes (the same lines under a progress bar as without; an ok host's
// line says why it had nothing to change, DemoOKNote). It returns the
// results for the recap.
//
// Before writing anything it checks that the process may open enough
// files (DemoFilesNeeded, after RaiseOpenFileLimit); if not, or if the
// system runs out of descriptors or loopback ports while the servers
// start, the error says so plainly, with the limit and what to change.
func Demo(ctx context.Context, opts DemoOptions) ([]*Result, error) {
	need := DemoFilesNeeded(opts.Hosts)
	if soft, hard, err := RaiseOpenFileLimit(); err == nil && soft < need {
		return nil, fmt.Errorf("%d sample hosts need about %d open files (a listening socket per host, plus the connections and files of the %d hosts in flight), "+
			"but this machine's limit for the process is %d (ulimit -n; hard limit %d): use --hosts %d or fewer, or raise the limit (ulimit -n %d)",
			opts.Hosts, need, DefaultForks, soft, hard, maxDemoHosts(soft), need)
	}
	var dirs []string
	for i := range opts.Hosts {
		d := filepath.Join(opts.Dir, fmt.Sprintf("host%d", i+1))
		if err := WriteSampleHost(d, i); err != nil {
			return nil, err
		}
		dirs = append(dirs, d)
	}
	hosts, shutdown, err := LocalServers(dirs, nil)
	switch {
	case OutOfDescriptors(err):
		soft, _, _ := RaiseOpenFileLimit()
		return nil, fmt.Errorf("%w: the machine's open-file limit (%d, ulimit -n, or the system's) stops %d sample hosts; use fewer --hosts", err, soft, opts.Hosts)
	case errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("%w: the machine has no free loopback port left for %d sample hosts; use fewer --hosts", err, opts.Hosts)
	case err != nil:
		return nil, err
	}
	defer shutdown()
	code, err := scripts.FS.ReadFile(DemoScript.Name)
	if err != nil {
		return nil, err
	}
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	fmt.Fprintf(out, "inilua demo: %d sample hosts in %s, each served on loopback by an in-process server\n", opts.Hosts, opts.Dir)
	fmt.Fprintf(out, "running: inilua batch --diff --backup-dir %s scripts/%s %s\n\n",
		filepath.Join(opts.Dir, "backup"), DemoScript.Name, strings.Join(quoteArgs(DemoScript.Args), " "))
	return Run(ctx, hosts, Options{
		Script: "scripts/" + DemoScript.Name, Code: code, Args: DemoScript.Args,
		Diff: true, BackupDir: filepath.Join(opts.Dir, "backup"),
		Out: out, ProgressBar: opts.ProgressBar, Stop: opts.Stop,
		HostLines: true, OKNote: DemoOKNote,
		// the sample servers run on loopback with the empty password on
		// purpose: no warning about it
		Logger:                slog.New(slog.DiscardHandler),
		EmptyPasswordExpected: true,
	})
}

// Open files of Demo: demoFilesPerServer for each sample host (its
// listening socket: LocalServers starts the server, which holds its
// volume's directory open, only while a session is open);
// demoFilesPerHost for each host in flight (the client's connection, the
// server's side of it and its volume's directory, the file being saved
// and its directory, a backup being written); demoSpareFiles besides
// (standard streams, the runtime's poller, the temporary directory).
const (
	demoFilesPerServer = 1
	demoFilesPerHost   = 6
	demoSpareFiles     = 64
)

// DemoFilesNeeded returns about how many open files Demo needs for hosts
// sample hosts: demoFilesPerServer each, plus demoFilesPerHost for each
// of the DefaultForks hosts in flight, plus demoSpareFiles.
func DemoFilesNeeded(hosts int) uint64 {
	return uint64(demoFilesPerServer*hosts + DefaultForks*demoFilesPerHost + demoSpareFiles)
}

// maxDemoHosts is the most sample hosts a limit of soft open files allows.
func maxDemoHosts(soft uint64) int {
	return max(int(soft)-DefaultForks*demoFilesPerHost-demoSpareFiles, 0) / demoFilesPerServer
}

// DemoScriptInfo returns the ScriptInfo of the run Demo makes (for its
// report): scripts/set-setting.lua with DemoScript.Args.
func DemoScriptInfo() *ScriptInfo {
	code, _ := scripts.FS.ReadFile(DemoScript.Name) // embedded: cannot fail
	return NewScriptInfo("scripts/"+DemoScript.Name, code, DemoScript.Args)
}

// quoteArgs quotes arguments for a POSIX shell where needed.
func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, `\$*? "'`) {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
