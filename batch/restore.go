package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
)

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// BackupDir is the --backup-dir of the runs to undo.
	BackupDir string
	// Hosts, when not nil, selects the hosts to restore and gives their
	// addresses and passwords (an inventory); a backed-up host not in
	// Hosts is left alone. When nil, every host in BackupDir is restored,
	// at the address recorded in its index, with Password.
	Hosts []*Host
	// Password is the password of hosts without their own.
	Password string
	// Forks, Timeout, Out, ProgressBar, DialContext: as in Options.
	Forks       int
	Timeout     time.Duration
	Out         io.Writer
	ProgressBar bool
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Force restores files that changed since the run that backed them
	// up (see Restore); without it such a host is failed and left as it is.
	Force bool
	// Stop, when closed (the first Ctrl-C), starts no further host (those
	// are reported skipped) and stops each running host after the file it
	// is restoring (failed, "interrupted": the files not reached are left
	// as they are; rerun restore to finish). Cancelling the ctx given to
	// Restore abandons the commands in progress.
	Stop <-chan struct{}
	// ScriptTimeout is the deadline of Options.ScriptTimeout applied to
	// restoring one host: from after login to its last file. When it
	// expires the command in progress is abandoned and the host is failed
	// with "restore timed out after D" and how many files were restored;
	// the file in progress is left as any interruption leaves it (see
	// Restore: the old content, or the new one complete in its temporary
	// file). 0 means DefaultScriptTimeout; a negative value means no
	// limit.
	ScriptTimeout time.Duration
}

// RestorePrefix starts the name of the temporary file a restore writes
// beside each file before moving it into place.
const RestorePrefix = "inilua-restore-"

// emptyMarkerApp and emptyMarkerKey name the one key restoreFile writes,
// then deletes, to create an empty file (the protocol has no command that
// creates a file without a key).
const (
	emptyMarkerApp = "inilua-restore"
	emptyMarkerKey = "empty"
)

// Restore puts back every file backed up under opts.BackupDir: a file that
// did not exist before the run is removed; any other file is rewritten
// from its backup with every application and key in the backup's order.
// The content is written into a temporary file beside the target
// (RestorePrefix + name), and only when that is complete is the target
// removed and the temporary file moved into its place, so an interruption
// never leaves a half-restored file. A file whose content already equals
// its backup is not touched. Each restored file is read back and compared
// with the backup.
//
// Before touching a host, every file whose index entry records the state
// the run left it in (BackupEntry.After) is compared with what the host
// holds now: when any differs (someone changed the file since the run, and
// it is not already back to its backup), nothing is restored on that host
// unless opts.Force is set; the host is failed with an error listing those
// files.
//
// There is one Result per host: ok (nothing to restore), changed (Changes
// lists each file restored, Op "restore", or removed, Op "remove"), failed
// or unreachable. The error is non-nil when BackupDir cannot be read.
func Restore(ctx context.Context, opts RestoreOptions) ([]*Result, error) {
	entries, err := os.ReadDir(opts.BackupDir)
	if err != nil {
		return nil, fmt.Errorf("backup directory: %w", err)
	}
	setDefaults(&opts.Forks, &opts.Timeout, &opts.Out)
	if opts.ScriptTimeout == 0 {
		opts.ScriptTimeout = DefaultScriptTimeout
	}
	type job struct {
		dir  string
		idx  *BackupIndex
		host *Host
	}
	var jobs []job
	for _, e := range entries {
		dir := joinRaw(opts.BackupDir, e.Name())
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				return nil, fmt.Errorf("backup directory %s is a symlink: restore reads only the host directories a run wrote there", dir)
			}
		}
		if !e.IsDir() {
			continue
		}
		idx, err := ReadBackupIndex(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			if opts.Hosts != nil && !slices.ContainsFunc(opts.Hosts, func(x *Host) bool { return HostDirName(x.Name) == e.Name() }) {
				continue // a damaged index of a host not selected does not stop the others
			}
			return nil, err
		}
		if want := HostDirName(idx.Host); e.Name() != want {
			return nil, fmt.Errorf("backup index %s: host %q, whose backups a run keeps in %s, not %s (renamed or edited? name the directory %s)", filepath.Join(dir, IndexFile), idx.Host, want, e.Name(), want)
		}
		h := &Host{Name: idx.Host, Address: idx.Address, Vars: map[string]string{}, Source: dir}
		if opts.Hosts != nil {
			i := slices.IndexFunc(opts.Hosts, func(x *Host) bool { return x.Name == idx.Host })
			if i < 0 {
				continue
			}
			h = opts.Hosts[i]
		}
		jobs = append(jobs, job{dir, idx, h})
	}
	// Two backup directories that restore the same file on the same
	// address (two inventory names for one host) would race: each removes
	// the other's temporary file and the target between its checks.
	seen := map[string]string{} // address and upper-case path -> backup directory
	for _, j := range jobs {
		for _, e := range j.idx.Files {
			k := addrKey(j.host.Address) + " " + remoteKey(e.Remote)
			if other, dup := seen[k]; dup && other != j.dir {
				return nil, fmt.Errorf("backup directories %s and %s both restore %s on %s (two names for one host?): restore one at a time (--hosts with one of the names)", other, j.dir, e.Remote, j.host.Address)
			}
			seen[k] = j.dir
		}
	}
	results := make([]*Result, len(jobs))
	prog := newProgress(opts.Out, opts.ProgressBar, len(jobs))
	finish := func(i int, res *Result) {
		results[i] = res
		prog.done(res, nil)
	}
	schedule(ctx, len(jobs), len(jobs), opts.Forks, opts.Stop,
		func() string {
			if stopped(ctx, opts.Stop) {
				return "not started: interrupted"
			}
			return ""
		},
		func(i int) { finish(i, restoreHost(ctx, opts, jobs[i].host, jobs[i].dir, jobs[i].idx)) },
		func(from int, reason string) {
			for i := from; i < len(jobs); i++ {
				finish(i, &Result{Host: jobs[i].host, Status: StatusSkipped, Err: reason})
			}
		})
	prog.finish()
	return results, nil
}

// stopped reports whether ctx is done or stop is closed.
func stopped(ctx context.Context, stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

func restoreHost(ctx context.Context, opts RestoreOptions, h *Host, dir string, idx *BackupIndex) *Result {
	start := time.Now()
	res := &Result{Host: h, Status: StatusOK}
	defer func() { res.Duration = time.Since(start) }()
	wants, err := loadBackups(dir, idx)
	if err != nil {
		res.Status, res.Err = StatusFailed, err.Error()+"; nothing restored"
		return res
	}
	pw, err := h.Password(opts.Password)
	if err != nil {
		res.Status, res.Err = StatusFailed, err.Error()
		return res
	}
	sess, err := client.Dial(ctx, h.Address, client.Options{
		Password: pw, DialTimeout: opts.Timeout, CommandTimeout: opts.Timeout, DialContext: opts.DialContext,
	})
	if err != nil {
		res.Status, res.Err = dialStatus(err, pw)
		return res
	}
	defer sess.Close()
	hctx := ctx // ctx with the host's deadline
	if opts.ScriptTimeout > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, opts.ScriptTimeout)
		defer cancel()
	}
	timedOut := func(n int) *Result {
		res.Status = StatusFailed
		res.Err = fmt.Sprintf("%s (restored %d of %d files; rerun restore to finish)", TimedOut("restore", opts.ScriptTimeout), n, len(idx.Files))
		return res
	}
	if !opts.Force {
		changed, err := changedSince(hctx, sess, idx, wants)
		if err != nil {
			if expired(hctx) && ctx.Err() == nil {
				return timedOut(0)
			}
			res.Status, res.Err = StatusFailed, err.Error()
			return res
		}
		if len(changed) > 0 {
			res.Status = StatusFailed
			res.Err = fmt.Sprintf("changed since the backup run, nothing restored (--force restores them anyway): %s", strings.Join(changed, ", "))
			return res
		}
	}
	for n, e := range idx.Files {
		if stopped(ctx, opts.Stop) {
			res.Status = StatusFailed
			res.Err = fmt.Sprintf("interrupted after %d of %d files (rerun restore to finish)", n, len(idx.Files))
			return res
		}
		if hctx.Err() != nil {
			return timedOut(n)
		}
		op, err := restoreFile(hctx, sess, e.Remote, wants[n])
		if err != nil {
			if expired(hctx) && ctx.Err() == nil {
				return timedOut(n)
			}
			res.Status, res.Err = StatusFailed, fmt.Sprintf("restoring %s: %v", e.Remote, err)
			return res
		}
		if op != "" {
			res.Status = StatusChanged
			res.Changes = append(res.Changes, Change{File: e.Remote, Op: op})
		}
	}
	return res
}

// loadBackups reads and checks (SHA-256, format) the backup of every file
// of idx before anything is written, so a damaged backup fails the host
// untouched instead of half-restored; the result holds nil for an Absent
// entry. It also refuses an index whose files include the temporary file
// restore writes for another of them (RestorePrefix + its name, beside
// it): restoring that one would remove the other as a leftover.
func loadBackups(dir string, idx *BackupIndex) ([]*ini.File, error) {
	wants := make([]*ini.File, len(idx.Files))
	for i, e := range idx.Files {
		if e.Absent {
			continue
		}
		tmp := restoreTemp(e.Remote)
		for _, o := range idx.Files {
			if remoteKey(o.Remote) == remoteKey(tmp) {
				return nil, fmt.Errorf("%s is backed up, and it is the temporary file restore writes to put back %s: restoring both cannot work (restore %s by hand from %s)", o.Remote, e.Remote, o.Remote, dir)
			}
		}
		f, err := ReadBackupFile(dir, e)
		if err != nil {
			return nil, err
		}
		wants[i] = f
	}
	return wants, nil
}

// changedSince returns the remote files of idx that hold neither the
// content the run left (BackupEntry.After) nor their backup's (wants, from
// loadBackups), each
// followed by " (missing on the host)" when it is gone.
func changedSince(ctx context.Context, sess *client.Session, idx *BackupIndex, wants []*ini.File) ([]string, error) {
	var changed []string
	for i, e := range idx.Files {
		if e.After == "" {
			continue // unknown: nothing to compare with
		}
		name, err := remoteName(ctx, sess, e.Remote)
		if err != nil {
			return nil, fmt.Errorf("checking %s: %w", e.Remote, err)
		}
		now := AbsentHash
		if name != "" {
			f, err := sess.Fetch(ctx, e.Remote)
			if err != nil {
				return nil, fmt.Errorf("checking %s: %w", e.Remote, err)
			}
			now = ContentHash(f)
		}
		if now == e.After {
			continue
		}
		before := AbsentHash
		if wants[i] != nil {
			before = ContentHash(wants[i])
		}
		switch {
		case now == before:
		case now == AbsentHash:
			changed = append(changed, e.Remote+" (missing on the host)")
		default:
			changed = append(changed, e.Remote)
		}
	}
	return changed, nil
}

// restoreFile makes remote hold exactly want (nil: makes it absent). It
// returns "" when nothing had to be done, else "restore" or "remove".
func restoreFile(ctx context.Context, sess *client.Session, remote string, want *ini.File) (string, error) {
	onDisk, err := remoteName(ctx, sess, remote)
	if err != nil {
		return "", err
	}
	exists := onDisk != ""
	dir := remote[:len(remote)-len(baseName(remote))]
	if exists {
		remote = dir + onDisk // keep the file name's case on disk
	}
	if want == nil {
		if !exists {
			return "", nil
		}
		if err := sess.Remove(ctx, remote); err != nil {
			return "", err
		}
		return "remove", nil
	}
	if exists {
		cur, err := sess.Fetch(ctx, remote)
		if err != nil {
			return "", err
		}
		if cur.Equal(want) {
			return "", nil
		}
	}
	tmp := restoreTemp(remote)
	if err := removeLeftover(ctx, sess, tmp, want); err != nil {
		return "", err
	}
	rf, err := sess.Open(ctx, tmp)
	if err != nil {
		return "", err
	}
	rf = rf.WithContext(ctx)
	wrote := false
	for _, a := range want.Apps {
		for _, kv := range a.Entries {
			if err := rf.Put(a.Name, kv.Key, kv.Value); err != nil {
				return "", fmt.Errorf("writing %s: %w", tmp, err)
			}
			wrote = true
		}
	}
	if !wrote {
		// an empty file: create it with one key and delete that key
		if err := rf.Put([]byte(emptyMarkerApp), []byte(emptyMarkerKey), nil); err != nil {
			return "", fmt.Errorf("writing %s: %w", tmp, err)
		}
		if err := rf.DeleteApplication([]byte(emptyMarkerApp)); err != nil {
			return "", fmt.Errorf("writing %s: %w", tmp, err)
		}
	}
	if exists {
		if err := sess.Remove(ctx, remote); err != nil {
			return "", err
		}
	}
	if err := sess.Move(ctx, tmp, remote); err != nil {
		// say where the content is only after looking: something else on
		// the host may have removed the temporary file too
		if name, lerr := remoteName(ctx, sess, tmp); lerr == nil && name != "" {
			return "", fmt.Errorf("moving %s to %s: %w (the content is safe in %s)", tmp, remote, err, tmp)
		}
		return "", fmt.Errorf("moving %s to %s: %w (%s is gone too; the backup still holds the content: rerun restore, with --force if it refuses the file as changed since the run)", tmp, remote, err, tmp)
	}
	got, err := sess.Fetch(ctx, remote)
	if err != nil {
		return "", fmt.Errorf("reading back: %w", err)
	}
	if !got.Equal(want) {
		return "", errors.New("reading back: the content differs from the backup")
	}
	return "restore", nil
}

// removeLeftover removes tmp, the temporary file restore is about to
// write for a file whose backup is want, when it is a leftover of an
// earlier restore of that backup: every key it holds is in want with the
// same value (or it holds only the marker restoreFile writes for an empty
// file), which an interrupted restore of want leaves. Removing such a
// file loses nothing: want, about to be written, holds all of it. Any
// other file there (one a user made, or one an earlier restore of another
// backup left) is refused with an error naming it, and nothing is
// removed; so is one that cannot be read as an INI file.
func removeLeftover(ctx context.Context, sess *client.Session, tmp string, want *ini.File) error {
	name, err := remoteName(ctx, sess, tmp)
	if err != nil {
		return fmt.Errorf("looking for a leftover %s: %w", tmp, err)
	}
	if name == "" {
		return nil
	}
	tmp = tmp[:len(tmp)-len(baseName(tmp))] + name
	cur, err := sess.Fetch(ctx, tmp)
	if err != nil {
		return fmt.Errorf("%s is in the way of restore's temporary file and cannot be read (%w): move it away and rerun", tmp, err)
	}
	if !leftoverOf(cur, want) {
		return fmt.Errorf("%s is in the way of restore's temporary file and holds keys the backup does not: it is not a leftover of restoring this backup, so it is left alone; move it away and rerun", tmp)
	}
	if err := sess.Remove(ctx, tmp); err != nil {
		return fmt.Errorf("removing a leftover %s: %w", tmp, err)
	}
	return nil
}

// leftoverOf reports whether every key of cur is in want with the same
// value, or cur holds only restoreFile's empty-file marker.
func leftoverOf(cur, want *ini.File) bool {
	for _, a := range cur.Apps {
		if string(a.Name) == emptyMarkerApp {
			if len(a.Entries) == 1 && string(a.Entries[0].Key) == emptyMarkerKey && len(a.Entries[0].Value) == 0 {
				continue
			}
		}
		for _, kv := range a.Entries {
			v, ok := want.Lookup(a.Name, kv.Key)
			if !ok || !bytes.Equal(v, kv.Value) {
				return false
			}
		}
	}
	return true
}

// addrKey returns the host:port address a in the form every spelling of
// it shares without a name lookup: lower case, and an IP address in its
// canonical form (an IPv4-mapped IPv6 address as IPv4), so that
// [::ffff:127.0.0.1]:1 and 127.0.0.1:1 are one address.
func addrKey(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return strings.ToLower(a)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.Unmap().String()
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}

// restoreTemp returns the temporary file restore writes beside remote:
// RestorePrefix + its name, in its directory.
func restoreTemp(remote string) string {
	base := baseName(remote)
	return remote[:len(remote)-len(base)] + RestorePrefix + base
}
