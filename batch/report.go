package batch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/version"
	"github.com/inilua/inilua/notation"
)

// Status is the outcome of a batch run on one host.
type Status string

// The statuses of a host, as printed in the recap and written in the JSON
// report.
const (
	// StatusOK: the script ran to the end and changed nothing.
	StatusOK Status = "ok"
	// StatusChanged: the script ran to the end and changed at least one
	// value (in --check mode: would have changed).
	StatusChanged Status = "changed"
	// StatusFailed: the host refused the login ("login refused"), the
	// script raised an error, a command failed or timed out, or the run
	// was interrupted on this host.
	StatusFailed Status = "failed"
	// StatusUnreachable: the connection could not be made, or the host
	// did not greet or answer the login in time; the script did not run.
	StatusUnreachable Status = "unreachable"
	// StatusSkipped: the host was not started, because --max-fail was
	// exceeded or the run was interrupted (Ctrl-C) before its turn.
	StatusSkipped Status = "skipped"
)

// Change is one value changed on a host (or, in --check mode, one value a
// real run would change). Old and New are the raw bytes; nil means absent
// (a new key, or a deleted one).
type Change struct {
	// Host is the session the change was made through: the host's name for
	// its own session, the address for sessions the script opened itself
	// (iniserve.connect).
	Host        string
	File        string // remote path of the INI or TNI file, as the script named it
	Application string
	Key         string
	Old, New    []byte
	// Op is "" for a change of a value; "mkdir", "move" (Key is the
	// destination) or "remove" for a change to the remote file system.
	Op string
	// Partial marks a value written in chunks whose write failed midway
	// (client.ErrPartialWrite): the host may hold part of it, New is nil
	// (unknown) and Old is what a restore puts back.
	Partial bool
}

// Result is what happened on one host.
type Result struct {
	Host     *Host
	Status   Status
	Err      string        // error message for failed, unreachable and skipped; "" otherwise
	Changes  []Change      // values changed (or that would change in --check mode)
	Notified []string      // event semaphores posted (in --check mode: that would be posted)
	Output   []byte        // what the script printed (print, io.write) on this host
	Duration time.Duration // wall time spent on the host
	// Start and End are when the host started and finished (wall clock);
	// zero for a host that was not started (skipped).
	Start, End time.Time
	// Position is the host's 0-based position in the hosts given to Run,
	// before Options.Shard selected some of them: merged shard reports are
	// put back in this order.
	Position int
}

// Summary counts hosts per status.
type Summary struct {
	OK          int `json:"ok"`
	Changed     int `json:"changed"`
	Failed      int `json:"failed"`
	Unreachable int `json:"unreachable"`
	Skipped     int `json:"skipped"`
}

// Summarize counts results per status.
func Summarize(results []*Result) Summary {
	var s Summary
	for _, r := range results {
		switch r.Status {
		case StatusOK:
			s.OK++
		case StatusChanged:
			s.Changed++
		case StatusFailed:
			s.Failed++
		case StatusUnreachable:
			s.Unreachable++
		case StatusSkipped:
			s.Skipped++
		}
	}
	return s
}

// AllGood reports whether every host ended ok or changed.
func (s Summary) AllGood() bool { return s.Failed+s.Unreachable+s.Skipped == 0 }

// ReportMeta is what the JSON report says about the run as a whole
// (schema in docs/batch.md).
type ReportMeta struct {
	// Check marks a --check run (changes are what would change).
	Check bool
	// Script is the script that ran and its arguments; nil for a restore.
	Script *ScriptInfo
	// Shard is the run's --shard; the zero Shard when not sharded (and in
	// a merged report).
	Shard Shard
	// Version is the build of inilua that wrote the report (version.Get()).
	Version version.Info
	// Merged lists, in a report made by Merge, the reports it was made of;
	// nil otherwise.
	Merged []MergedReport
}

// ScriptInfo identifies the script of a run, so that reports of the
// shards of one run can be told from those of another.
type ScriptInfo struct {
	Path   string   `json:"path"`   // as given on the command line
	SHA256 string   `json:"sha256"` // SHA-256 of the script's bytes, lowercase hex
	Args   []string `json:"args"`   // the name=value arguments, in order
}

// NewScriptInfo returns the ScriptInfo of the script at path whose source
// is code, run with args (nil gives an empty list).
func NewScriptInfo(path string, code []byte, args []string) *ScriptInfo {
	sum := sha256.Sum256(code)
	return &ScriptInfo{Path: path, SHA256: hex.EncodeToString(sum[:]), Args: append([]string{}, args...)}
}

// MergedReport is one input of a merged report: its file name (as given
// to Merge), its shard and the inilua build that wrote it.
type MergedReport struct {
	File    string       `json:"file"`
	Shard   *Shard       `json:"shard"`
	Version version.Info `json:"version"`
}

// reportJSON is the --report file: see docs/batch.md.
type reportJSON struct {
	Version version.Info   `json:"version"`
	Check   bool           `json:"check"`
	Script  *ScriptInfo    `json:"script"`
	Shard   *Shard         `json:"shard"`
	Summary Summary        `json:"summary"`
	Hosts   []hostReport   `json:"hosts"`
	Merged  []MergedReport `json:"merged,omitempty"`
}

type hostReport struct {
	Name     string         `json:"name"`
	Address  string         `json:"address"`
	Groups   []string       `json:"groups"`
	Vars     orderedVars    `json:"vars"`
	Position int            `json:"position"`
	Status   Status         `json:"status"`
	Error    string         `json:"error"`
	Start    *string        `json:"start"`
	End      *string        `json:"end"`
	Seconds  float64        `json:"seconds"`
	Notified []string       `json:"notified"`
	Changes  []changeReport `json:"changes"`
}

type changeReport struct {
	File           string  `json:"file"`
	Application    string  `json:"application"`
	Key            string  `json:"key"`
	ApplicationHex string  `json:"application_hex,omitempty"`
	KeyHex         string  `json:"key_hex,omitempty"`
	Old            *string `json:"old"`
	New            *string `json:"new"`
	Op             string  `json:"op,omitempty"`
	Partial        bool    `json:"partial,omitempty"`
}

// reportTime is the layout of start and end: RFC 3339 in UTC with
// milliseconds.
const reportTime = "2006-01-02T15:04:05.000Z07:00"

// timeOrNil formats t as reportTime, or returns nil for the zero time.
func timeOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(reportTime)
	return &s
}

// hexOrNil returns the uppercase hex of b, or nil when b is nil (absent).
func hexOrNil(b []byte) *string {
	if b == nil {
		return nil
	}
	s := strings.ToUpper(hex.EncodeToString(b))
	return &s
}

// nameHex returns the uppercase hex of a name that is not valid UTF-8 (JSON
// would mangle it), "" otherwise.
func nameHex(name string) string {
	if utf8.ValidString(name) {
		return ""
	}
	return strings.ToUpper(hex.EncodeToString([]byte(name)))
}

// WriteReport writes the JSON report of results to w (schema in
// docs/batch.md), with meta for the run as a whole.
func WriteReport(w io.Writer, results []*Result, meta ReportMeta) error {
	rep := reportJSON{
		Version: meta.Version, Check: meta.Check, Script: meta.Script,
		Summary: Summarize(results), Hosts: make([]hostReport, 0, len(results)), Merged: meta.Merged,
	}
	if meta.Shard.Count != 0 {
		rep.Shard = &meta.Shard
	}
	for _, r := range results {
		hr := hostReport{
			Name: r.Host.Name, Address: r.Host.Address, Groups: r.Host.Groups,
			Vars: hostVars(r.Host), Position: r.Position,
			Status: r.Status, Error: r.Err, Start: timeOrNil(r.Start), End: timeOrNil(r.End),
			Seconds: r.Duration.Seconds(), Notified: r.Notified, Changes: []changeReport{},
		}
		if hr.Groups == nil {
			hr.Groups = []string{}
		}
		if hr.Notified == nil {
			hr.Notified = []string{}
		}
		for _, c := range r.Changes {
			hr.Changes = append(hr.Changes, changeReport{
				File: c.File, Application: c.Application, Key: c.Key,
				ApplicationHex: nameHex(c.Application), KeyHex: nameHex(c.Key),
				Old: hexOrNil(c.Old), New: hexOrNil(c.New), Op: c.Op, Partial: c.Partial,
			})
		}
		rep.Hosts = append(rep.Hosts, hr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteReportFile writes the JSON report to path atomically, readable by
// its owner only (mode 0600, like the backups): the old and new values may
// be secrets such as the passwords INI files hold.
func WriteReportFile(path string, results []*Result, meta ReportMeta) error {
	var buf bytes.Buffer
	if err := WriteReport(&buf, results, meta); err != nil {
		return err
	}
	if err := ini.WriteFile(path, buf.Bytes(), ini.SaveOptions{Perm: 0o600}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// hostVars returns h's variables in inventory order (any not in VarOrder
// after those, sorted), with varValue's values.
func hostVars(h *Host) orderedVars {
	keys := slices.Clone(h.VarOrder)
	var extra []string
	for k := range h.Vars {
		if !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return orderedVars{keys: append(keys, extra...), vals: h.inventoryVars()}
}

// orderedVars is a host's variables as a JSON object in inventory order.
type orderedVars struct {
	keys []string
	vals map[string]string
}

func (v orderedVars) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range v.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vj, err := json.Marshal(v.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kj)
		b.WriteByte(':')
		b.Write(vj)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (v *orderedVars) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("vars: want an object of strings")
	}
	v.keys, v.vals = nil, map[string]string{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := t.(string)
		var val string
		if err := dec.Decode(&val); err != nil {
			return fmt.Errorf("vars: %s: %w", k, err)
		}
		if _, dup := v.vals[k]; !dup {
			v.keys = append(v.keys, k)
		}
		v.vals[k] = val
	}
	return nil
}

// RetryPath returns where the retry file goes: retryFile when set, else
// beside reportFile (report.json gives report.retry), else "" (no retry
// file: it is never written into the current directory unasked).
func RetryPath(reportFile, retryFile string) string {
	if retryFile != "" {
		return retryFile
	}
	if reportFile == "" {
		return ""
	}
	return strings.TrimSuffix(reportFile, filepath.Ext(reportFile)) + ".retry"
}

// retryHeader starts the first line of every retry file.
const retryHeader = "# hosts that failed, were unreachable or were skipped; "

// isRetryFile reports whether path is a regular file (not a link) whose
// first bytes are retryHeader: a retry file an earlier run wrote.
func isRetryFile(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(retryHeader))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == retryHeader
}

// WriteRetryFile writes, in inventory format (WriteInventory: with their
// groups, so --limit on a group still selects them), every host that did
// not end ok or changed (failed, unreachable, skipped), so that
// `inilua batch --inventory FILE` runs the script on just those. With no
// such host, an existing retry file at path is removed, so a stale list
// is never rerun by mistake: only a regular file that starts with the
// line a retry file starts with (retryHeader); anything else there (a
// directory, a link, another file) is left as it is. The write is atomic.
func WriteRetryFile(path string, results []*Result) error {
	var hosts []*Host
	byHost := map[*Host]*Result{}
	for _, r := range results {
		if r.Status == StatusOK || r.Status == StatusChanged {
			continue
		}
		hosts = append(hosts, r.Host)
		byHost[r.Host] = r
	}
	if len(hosts) == 0 {
		if !isRetryFile(path) {
			return nil
		}
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("retry file: %w", err)
		}
		return nil
	}
	var b strings.Builder
	b.WriteString(retryHeader + "rerun with --inventory " + filepath.Base(path) + "\n")
	WriteInventory(&b, hosts, func(h *Host) string {
		r := byHost[h]
		return fmt.Sprintf("%s: %s", r.Status, oneLine(r.Err))
	})
	if err := ini.WriteFile(path, []byte(b.String()), ini.SaveOptions{Perm: 0o644}); err != nil {
		return fmt.Errorf("retry file: %w", err)
	}
	return nil
}

// WriteRecap prints the recap table: one row per host with its status,
// the number of changes, the time taken and the error, then the totals.
// check marks a --check run in the title.
func WriteRecap(w io.Writer, results []*Result, check bool) error {
	title := "RECAP"
	if check {
		title = "RECAP (--check: nothing was written; changed = would change)"
	}
	fmt.Fprintln(w, title)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tADDRESS\tSTATUS\tCHANGES\tTIME\tERROR")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", r.Host.Name, r.Host.Address, r.Status,
			len(r.Changes), r.Duration.Round(time.Millisecond), oneLine(r.Err))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := Summarize(results)
	_, err := fmt.Fprintf(w, "ok=%d changed=%d failed=%d unreachable=%d skipped=%d\n",
		s.OK, s.Changed, s.Failed, s.Unreachable, s.Skipped)
	return err
}

// WriteDiff prints the changes of one host, one line per value:
//
//	HOST FILE [application] key: old -> new
//
// Names are rendered by ShowName.
// Values are rendered by ShowValue: text quoted (Go syntax, so a trailing
// NUL shows as \x00), anything else (including a number whose bytes
// happen to be code-page characters) as hex (with the number for 1, 2 and 4
// bytes), (absent) for a missing value, (partial) for the new value of a
// write that failed midway (Change.Partial).
func WriteDiff(w io.Writer, r *Result) error {
	for _, c := range r.Changes {
		nv := ShowValue(c.New)
		if c.Partial {
			nv = "(partial)"
		}
		if _, err := fmt.Fprintf(w, "%s %s [%s] %s: %s -> %s\n", r.Host.Name, ShowName(c.File),
			ShowName(c.Application), ShowName(c.Key), ShowValue(c.Old), nv); err != nil {
			return err
		}
	}
	return nil
}

// ShowName renders a file, application or key name for the diff: as it is
// when every byte is printable, else quoted with Go escapes (notation.Name).
func ShowName(s string) string { return notation.Name(s) }

// ShowValue renders a value for the diff (notation.Value): (absent) for
// nil, a quoted string when the bytes are printable text (optionally ending
// in NULs, as C strings in INI files do), otherwise 0x and uppercase hex
// digits in byte order; a value of 1, 2 or 4 bytes also shows its
// little-endian unsigned number, e.g. 0x2C010000 (300).
func ShowValue(b []byte) string { return notation.Value(b) }

// oneLine returns an error text as one line a terminal shows as it is:
// CR, LF and tab as blanks, every other control character (C0, DEL, C1,
// the Unicode line and paragraph separators, and format characters such as
// the bidirectional overrides) as a Go escape (\x1b, \u2028, \u202e), so
// a script's error cannot move the cursor, recolour the terminal, reorder
// what it shows or break the recap's rows.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r) && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		case unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
