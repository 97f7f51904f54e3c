package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/notation"
)

// PullOptions configure Pull.
type PullOptions struct {
	// Masks are absolute OS/2 paths whose last component may hold the
	// wildcards * and ? (C:\MPTN\ETC\*.INI), or name one file.
	Masks []string
	// Dir is the local directory the copies go under: Dir/<host>/<path>.
	Dir string
	// Binary writes binary INI instead of TNI text.
	Binary bool
	// Forks is the number of hosts copied at once; 0 means
	// batch.DefaultForks.
	Forks int
}

// PulledFile is one remote file copied (or not) by Pull.
type PulledFile struct {
	// Remote is the absolute OS/2 path on the host.
	Remote string
	// Local is the copy's path relative to PullOptions.Dir, with forward
	// slashes: <host>/<drive>/<dir>/.../<name>.
	Local string
	// Format is what was written: TNI text, or binary INI (asked for, or
	// because TNI cannot hold the file: Note says why).
	Format ini.Format
	// Unchanged reports that the local copy already held these bytes (it
	// was not rewritten).
	Unchanged bool
	// Note explains a fall back to binary INI.
	Note string
	// Err is why the file could not be copied ("" when it was).
	Err string
}

// PullResult is what Pull did on one host.
type PullResult struct {
	Host *batch.Host
	// Status is StatusValue when every file was copied, StatusFailed when
	// a file or listing failed, StatusUnreachable when the host could not
	// be reached.
	Status Status
	Files  []PulledFile
	// Empty lists the masks that matched no file on this host.
	Empty []string
	Err   string
}

// CheckMask reports whether m can be a PullOptions mask: an absolute OS/2
// path (drive letter, ':', separator) with a file name part, wildcards in
// the last component only.
func CheckMask(m string) error {
	if !isDrivePath(m) {
		return fmt.Errorf("%q: not an absolute OS/2 path (C:\\PATH\\*.INI)", m)
	}
	i := strings.LastIndexAny(m, `/\`)
	if i == len(m)-1 {
		return fmt.Errorf("%q: no file name or mask after the directory", m)
	}
	if strings.ContainsAny(m[:i], "*?") {
		return fmt.Errorf("%q: wildcards are allowed in the last component only", m)
	}
	return nil
}

// Pull copies every file matching opts.Masks from every host, opts.Forks
// hosts at a time, through read-only sessions, to
// opts.Dir/<host>/<drive>/<path> (<host> as batch.HostDirName spells it,
// <drive> the drive letter, then the OS/2 path's components), one result
// per host in the order of hosts. The copy holds exactly the file's
// applications, keys and values: as TNI text (checked by reading it back),
// or as binary INI with opts.Binary, and also when TNI cannot hold the
// file's names (PulledFile.Note says so). Each copy is written atomically;
// a copy that already holds the same bytes is left alone. Local files of
// earlier pulls that no longer exist on the host are not removed.
//
// Errors: opts.Dir cannot be opened or a mask is invalid (CheckMask);
// everything else is reported per host and file.
func (c *Connector) Pull(ctx context.Context, hosts []*batch.Host, opts PullOptions) ([]*PullResult, error) {
	for _, m := range opts.Masks {
		if err := CheckMask(m); err != nil {
			return nil, err
		}
	}
	root, err := os.OpenRoot(opts.Dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	results := make([]*PullResult, len(hosts))
	forEach(len(hosts), opts.Forks, func(i int) { results[i] = c.pullHost(ctx, root, hosts[i], opts) })
	return results, nil
}

func (c *Connector) pullHost(ctx context.Context, root *os.Root, h *batch.Host, opts PullOptions) *PullResult {
	res := &PullResult{Host: h, Status: StatusValue}
	sess, err := c.Connect(ctx, h)
	if err != nil {
		res.Status, res.Err = StatusUnreachable, oneLine(err.Error())
		return res
	}
	defer sess.Close()
	seen := map[string]bool{}
	for _, m := range opts.Masks {
		names, err := sess.List(ctx, m)
		if err != nil {
			res.Status, res.Err = StatusFailed, oneLine(err.Error())
			return res
		}
		dir := m[:strings.LastIndexAny(m, `/\`)+1]
		found := false
		for _, n := range names {
			if strings.HasSuffix(n, "/") {
				continue // a directory
			}
			found = true
			if err := listedName(n); err != nil {
				// The host's reply, not trusted to name a file in dir.
				res.Status = StatusFailed
				res.Files = append(res.Files, PulledFile{Remote: dir + n, Err: err.Error()})
				continue
			}
			remote := sess.AbsPath(dir + n)
			if remote == "" || seen[strings.ToUpper(remote)] {
				continue
			}
			seen[strings.ToUpper(remote)] = true
			pf := pullFile(ctx, root, sess, h, remote, opts.Binary)
			if pf.Err != "" {
				res.Status = StatusFailed
			}
			res.Files = append(res.Files, pf)
		}
		if !found {
			res.Empty = append(res.Empty, m)
		}
	}
	return res
}

// listedName checks a file name from a host's L listing before it is
// joined to the mask's directory: a plain name, with no '/', '\' or ':'
// (a path or a drive), not "." or "..", and no control byte. A host that
// lists anything else (a faulty or hostile one) would otherwise have the
// pull fetch files outside the directory its mask names (spec
// iniserve-protocol.md, L: one name per line, directories ending in '/').
func listedName(n string) error {
	if strings.IndexFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7F }) >= 0 {
		return fmt.Errorf("the host listed %q, a name holding a control character: not fetched (a terminal could act on it, and OS/2 names hold none)", n)
	}
	if n == "." || n == ".." || strings.ContainsAny(n, `/\:`) {
		return fmt.Errorf("the host listed %q, which is not a file name in the mask's directory: not fetched", n)
	}
	return nil
}

// pullFile copies one remote file.
func pullFile(ctx context.Context, root *os.Root, sess *client.Session, h *batch.Host, remote string, binary bool) PulledFile {
	pf := PulledFile{Remote: remote}
	local, err := localPath(h.Name, remote)
	if err != nil {
		pf.Err = err.Error()
		return pf
	}
	pf.Local = local
	f, err := sess.Fetch(ctx, remote)
	if err != nil {
		pf.Err = oneLine(err.Error())
		return pf
	}
	data, format, note, err := Encode(f, binary)
	if err != nil {
		pf.Err = err.Error()
		return pf
	}
	pf.Format, pf.Note = format, note
	if old, err := root.ReadFile(local); err == nil && bytes.Equal(old, data) {
		pf.Unchanged = true
		return pf
	}
	if err := root.MkdirAll(path.Dir(local), 0o755); err != nil {
		pf.Err = err.Error()
		return pf
	}
	if err := ini.WriteFileRoot(root, local, data, ini.SaveOptions{}); err != nil {
		pf.Err = err.Error()
	}
	return pf
}

// Encode returns f as TNI text, or as binary INI when binary is set or TNI
// cannot hold f exactly (note then says why). Either way the bytes are
// read back and compared with f, so the copy holds exactly f's entries
// (TNI: in sorted order; binary: in f's order). Errors: f cannot be
// written in binary INI either (a name or value too long).
func Encode(f *ini.File, binary bool) (data []byte, format ini.Format, note string, err error) {
	if !binary {
		data, err = f.MarshalTNI(nil)
		var ue *ini.UnrepresentableError
		switch {
		case errors.As(err, &ue):
			note = fmt.Sprintf("written as binary INI: %v", ue)
		case err != nil:
			note = fmt.Sprintf("written as binary INI: TNI: %v", err)
		default:
			if back, perr := ini.ParseTNI(data); perr == nil && back.SameContent(f) {
				return data, ini.FormatTNI, "", nil
			}
			note = "written as binary INI: the TNI text would not read back exactly"
		}
	}
	data, err = f.MarshalBinary()
	if err != nil {
		return nil, ini.FormatINI, "", err
	}
	if back, perr := ini.ParseBinary(data); perr != nil || !back.Equal(f) {
		return nil, ini.FormatINI, "", errors.New("binary INI would not read back exactly")
	}
	return data, ini.FormatINI, note, nil
}

// localPath is the copy's path under the pull directory for remote
// (C:\A\B.INI) on host: <host>/C/A/B.INI.
func localPath(host, remote string) (string, error) {
	if !isDrivePath(remote) {
		return "", fmt.Errorf("%q: not an absolute path", remote)
	}
	parts := []string{batch.HostDirName(host), strings.ToUpper(remote[:1])}
	for _, c := range strings.FieldsFunc(remote[3:], func(r rune) bool { return r == '\\' || r == '/' }) {
		if c == "." || c == ".." {
			return "", fmt.Errorf("%q: path component %q", remote, c)
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, "/"), nil
}

// WritePull prints what Pull did, one line per file, per mask that matched
// nothing and per failed or unreachable host, then one line of totals:
//
//	host1 C:\MAILSRV\MAILSRV.INI -> host1/C/MAILSRV/MAILSRV.INI (tni)
//	host1 C:\MAILSRV\ODD.INI -> host1/C/MAILSRV/ODD.INI (ini; note: written as binary INI: ...)
//	host2 C:\MAILSRV\X.INI: failed: ...
//	host2: no file matches C:\OTHER\*.INI
//	host3: unreachable: dial tcp ...
//	3 hosts, 7 files (2 unchanged, 1 as binary INI instead of TNI), 1 files failed, 0 hosts failed, 1 hosts unreachable
//
// Local paths are relative to the pull directory; names are shown by
// notation.Name.
func WritePull(w io.Writer, results []*PullResult) error {
	files, unchanged, fallback, failed, unreachable, hostFailed := 0, 0, 0, 0, 0, 0
	for _, r := range results {
		name := notation.Name(r.Host.Name)
		if r.Status == StatusUnreachable {
			unreachable++
			fmt.Fprintf(w, "%s: unreachable: %s\n", name, r.Err)
			continue
		}
		for _, f := range r.Files {
			if f.Err != "" {
				failed++
				fmt.Fprintf(w, "%s %s: failed: %s\n", name, notation.Name(f.Remote), f.Err)
				continue
			}
			files++
			how := f.Format.String()
			if f.Unchanged {
				unchanged++
				how += ", unchanged"
			}
			if f.Note != "" {
				fallback++
				how += "; note: " + f.Note
			}
			fmt.Fprintf(w, "%s %s -> %s (%s)\n", name, notation.Name(f.Remote), notation.Name(f.Local), how)
		}
		for _, m := range r.Empty {
			fmt.Fprintf(w, "%s: no file matches %s\n", name, notation.Name(m))
		}
		if r.Err != "" {
			hostFailed++
			fmt.Fprintf(w, "%s: failed: %s\n", name, r.Err)
		}
	}
	_, err := fmt.Fprintf(w, "%d hosts, %d files (%d unchanged, %d as binary INI instead of TNI), %d files failed, %d hosts failed, %d hosts unreachable\n",
		len(results), files, unchanged, fallback, failed, hostFailed, unreachable)
	return err
}
