package batch

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Report is a JSON report read back by ReadReport, or made by Merge: the
// run's metadata and one Result per host (Result.Output is not in reports
// and stays nil).
type Report struct {
	Meta    ReportMeta
	Results []*Result
}

// ReadReport parses a JSON report written by WriteReport (schema in
// docs/batch.md). name (the file's name) is used in error messages, which
// also name the host at fault. Names and values come back as the bytes
// they were (application_hex and key_hex are used when present); Duration
// comes from seconds, Start and End from their RFC 3339 strings. Each
// Host's Source is "name" and its variables are as the report lists them.
// A JSON error names its line and column. Each host entry is checked as
// the inventory reader checks a host (name, address, groups, variable
// names), its status must be one of the five and its position >= 0, so a
// damaged or hand-made report cannot put anything but hosts into a retry
// file.
func ReadReport(r io.Reader, name string) (*Report, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // a byte order mark from an editor, as in inventories
	var rep reportJSON
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s: not a JSON report of inilua batch: %w", name, jsonAt(data, err))
	}
	if rep.Hosts == nil {
		return nil, fmt.Errorf("%s: not a JSON report of inilua batch: no \"hosts\" array", name)
	}
	out := &Report{Meta: ReportMeta{Check: rep.Check, Script: rep.Script, Version: rep.Version, Merged: rep.Merged}}
	if rep.Shard != nil {
		if rep.Shard.Count < 1 || rep.Shard.Index < 1 || rep.Shard.Index > rep.Shard.Count {
			return nil, fmt.Errorf("%s: shard %d/%d is not a shard", name, rep.Shard.Index, rep.Shard.Count)
		}
		out.Meta.Shard = *rep.Shard
	}
	for i, hr := range rep.Hosts {
		res, err := hr.result(name)
		if err != nil {
			if checkHostName(hr.Name) != nil { // no name, or one not to print as it is
				return nil, fmt.Errorf("%s: hosts[%d]: %w", name, i, err)
			}
			return nil, fmt.Errorf("%s: host %s: %w", name, hr.Name, err)
		}
		out.Results = append(out.Results, res)
	}
	return out, nil
}

// ReadReportFile reads the JSON report at path (ReadReport).
func ReadReportFile(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ReadReport(bytes.NewReader(data), path)
}

// result converts a host entry of a report back to a Result.
func (hr hostReport) result(source string) (*Result, error) {
	if hr.Name == "" {
		return nil, fmt.Errorf("no name")
	}
	if hr.Status == "" {
		return nil, fmt.Errorf("no status")
	}
	switch hr.Status {
	case StatusOK, StatusChanged, StatusFailed, StatusUnreachable, StatusSkipped:
	default:
		return nil, fmt.Errorf("status %q is not ok, changed, failed, unreachable or skipped", hr.Status)
	}
	if hr.Position < 0 {
		return nil, fmt.Errorf("position %d is negative", hr.Position)
	}
	h := &Host{Name: hr.Name, Address: hr.Address, Groups: hr.Groups, Vars: hr.Vars.vals, VarOrder: hr.Vars.keys, Source: source}
	if h.Vars == nil {
		h.Vars = map[string]string{}
	}
	if err := checkWritable(h); err != nil {
		return nil, err
	}
	res := &Result{
		Host: h, Status: hr.Status, Err: hr.Error, Notified: hr.Notified, Position: hr.Position,
		Duration: time.Duration(hr.Seconds * float64(time.Second)),
	}
	var err error
	if res.Start, err = parseReportTime("start", hr.Start); err != nil {
		return nil, err
	}
	if res.End, err = parseReportTime("end", hr.End); err != nil {
		return nil, err
	}
	for i, c := range hr.Changes {
		ch := Change{Host: hr.Name, File: c.File, Application: c.Application, Key: c.Key, Op: c.Op}
		var err error
		if ch.Application, err = unhexName(c.Application, c.ApplicationHex); err == nil {
			if ch.Key, err = unhexName(c.Key, c.KeyHex); err == nil {
				if ch.Old, err = unhexValue(c.Old); err == nil {
					ch.New, err = unhexValue(c.New)
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("changes[%d]: %w", i, err)
		}
		res.Changes = append(res.Changes, ch)
	}
	return res, nil
}

func parseReportTime(field string, s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, *s)
	}
	return t, nil
}

// unhexName returns the name's bytes: from its _hex field when present.
func unhexName(name, hexName string) (string, error) {
	if hexName == "" {
		return name, nil
	}
	b, err := hex.DecodeString(hexName)
	if err != nil {
		return "", fmt.Errorf("%q is not hex", hexName)
	}
	return string(b), nil
}

// unhexValue decodes a value's hex (nil stays nil: absent).
func unhexValue(s *string) ([]byte, error) {
	if s == nil {
		return nil, nil
	}
	b, err := hex.DecodeString(*s)
	if err != nil {
		return nil, fmt.Errorf("value %q is not hex", *s)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// Merge joins reports (as read from files, named in the same order, for
// messages) of the shards of one run into one report: the hosts of all,
// ordered by Result.Position (their place in the whole selection; ties in
// the order of the reports), the common Check and Script, the zero Shard,
// and Meta.Merged listing each input. Meta.Version is left for the caller
// (the build doing the merge). The inputs must agree on --check, the
// script's SHA-256 and its arguments, and the shard count; no shard may
// come twice and no host may be in two reports: each is an error naming
// both files. Missing shards are not an error here (see MissingShards).
func Merge(files []string, reports []*Report) (*Report, error) {
	if len(files) != len(reports) || len(reports) == 0 {
		return nil, fmt.Errorf("merge: no reports")
	}
	first := reports[0].Meta
	out := &Report{Meta: ReportMeta{Check: first.Check, Script: first.Script}}
	hostIn := map[string]string{}
	shardIn := map[int]string{}
	type placed struct {
		res   *Result
		input int
	}
	var all []placed
	for i, rep := range reports {
		m := rep.Meta
		if err := sameRun(files[0], first, files[i], m); err != nil {
			return nil, err
		}
		if m.Shard.Count != 0 {
			if other, dup := shardIn[m.Shard.Index]; dup {
				return nil, fmt.Errorf("merge: %s and %s are both shard %s", other, files[i], m.Shard)
			}
			shardIn[m.Shard.Index] = files[i]
		}
		in := MergedReport{File: files[i], Version: m.Version}
		if m.Shard.Count != 0 {
			s := m.Shard
			in.Shard = &s
		}
		out.Meta.Merged = append(out.Meta.Merged, in)
		for _, r := range rep.Results {
			if other, dup := hostIn[r.Host.Name]; dup {
				if other == files[i] {
					return nil, fmt.Errorf("merge: host %s is twice in %s", r.Host.Name, other)
				}
				return nil, fmt.Errorf("merge: host %s is in both %s and %s", r.Host.Name, other, files[i])
			}
			hostIn[r.Host.Name] = files[i]
			all = append(all, placed{r, i})
		}
	}
	slices.SortStableFunc(all, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.res.Position, b.res.Position), cmp.Compare(a.input, b.input))
	})
	for _, p := range all {
		out.Results = append(out.Results, p.res)
	}
	return out, nil
}

// sameRun checks that report b (file fb) is of the same run as a (fa).
func sameRun(fa string, a ReportMeta, fb string, b ReportMeta) error {
	differ := func(what, x, y string) error {
		return fmt.Errorf("merge: %s and %s are not of the same run: %s differs (%s vs %s)", fa, fb, what, x, y)
	}
	switch {
	case a.Check != b.Check:
		return differ("--check", fmt.Sprint(a.Check), fmt.Sprint(b.Check))
	case (a.Script == nil) != (b.Script == nil):
		return differ("the kind of report", reportKind(a), reportKind(b))
	case a.Shard.Count != b.Shard.Count:
		return differ("the number of shards", shardCount(a.Shard), shardCount(b.Shard))
	case a.Script == nil:
		return nil
	case a.Script.SHA256 != b.Script.SHA256:
		return differ("the script's sha256", a.Script.SHA256, b.Script.SHA256)
	case !slices.Equal(a.Script.Args, b.Script.Args):
		return differ("the script's arguments", strings.Join(quoteArgs(a.Script.Args), " "), strings.Join(quoteArgs(b.Script.Args), " "))
	}
	return nil
}

func reportKind(m ReportMeta) string {
	if m.Script == nil {
		return "restore"
	}
	return "batch"
}

func shardCount(s Shard) string {
	if s.Count == 0 {
		return "not sharded"
	}
	return fmt.Sprintf("%d shards", s.Count)
}

// MissingShards returns, for a report made by Merge from shard reports,
// the shards (1-based) of the run that none of its inputs was, in order;
// nil when none is missing or the inputs were not sharded.
func (r *Report) MissingShards() []int {
	count := 0
	have := map[int]bool{}
	for _, m := range r.Meta.Merged {
		if m.Shard != nil {
			count = m.Shard.Count
			have[m.Shard.Index] = true
		}
	}
	var missing []int
	for i := 1; i <= count; i++ {
		if !have[i] {
			missing = append(missing, i)
		}
	}
	return missing
}
