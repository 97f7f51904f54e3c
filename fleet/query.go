package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
)

// Status is what a query found on one host.
type Status string

// The statuses of a host in a query, as written in the JSON output.
const (
	StatusValue       Status = "value"          // the key (or application) is there
	StatusNoKey       Status = "no_key"         // the file is there, the key is not
	StatusNoApp       Status = "no_application" // application mode: no such application
	StatusNoFile      Status = "no_file"        // the file does not exist
	StatusFailed      Status = "failed"         // a command failed or timed out
	StatusUnreachable Status = "unreachable"    // connecting or logging in failed
)

// CheckFile reports whether path can be a Query's File: an absolute OS/2
// path (drive letter, ':', separator, then the file), as the hosts'
// volumes are addressed (spec iniserve-protocol.md, paths). A relative
// path would be resolved against each server's current directory, which
// the query cannot know.
func CheckFile(path string) error {
	if !isDrivePath(path) || len(path) == 3 {
		return fmt.Errorf("%q: not an absolute OS/2 path (C:\\PATH\\FILE.INI)", path)
	}
	return nil
}

// Query names what to read on every host.
type Query struct {
	// File is the OS/2 path of the file (C:\PATH\FILE.INI).
	File string
	// Application is the application name.
	Application []byte
	// Key is the key name; nil reads every key of the application.
	Key []byte
	// Forks is the number of hosts read at once; 0 means
	// batch.DefaultForks.
	Forks int
}

// HostResult is what a query found on one host.
type HostResult struct {
	Host   *batch.Host
	Status Status
	// Entries holds the key read (key mode, when present) or every key
	// of the application in the host's order (application mode).
	Entries []ini.Entry
	// Err says why the host failed or was unreachable.
	Err string
}

// Value returns the value of key in r, nil when absent.
func (r *HostResult) Value(key []byte) []byte {
	for _, e := range r.Entries {
		if string(e.Key) == string(key) {
			return e.Value
		}
	}
	return nil
}

// Query reads q on every host, q.Forks at a time, through read-only
// sessions (Connect), and returns one result per host in the order of
// hosts. Nothing stops the run: a host that is unreachable, fails, or lacks
// the file or key is a result with that status. Cancelling ctx abandons the
// commands in progress (those hosts are failed or unreachable).
func (c *Connector) Query(ctx context.Context, hosts []*batch.Host, q Query) []*HostResult {
	results := make([]*HostResult, len(hosts))
	forEach(len(hosts), q.Forks, func(i int) { results[i] = c.queryHost(ctx, hosts[i], q) })
	return results
}

// forEach calls work(0..n-1), at most forks at a time, and returns when
// every call has returned.
func forEach(n, forks int, work func(i int)) {
	if forks <= 0 {
		forks = batch.DefaultForks
	}
	sem := make(chan struct{}, forks)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			work(i)
		}()
	}
	wg.Wait()
}

func (c *Connector) queryHost(ctx context.Context, h *batch.Host, q Query) *HostResult {
	res := &HostResult{Host: h}
	fail := func(st Status, err error) *HostResult {
		res.Status, res.Err = st, oneLine(err.Error())
		return res
	}
	sess, err := c.Connect(ctx, h)
	if err != nil {
		return fail(StatusUnreachable, err)
	}
	defer sess.Close()
	ok, err := Exists(ctx, sess, q.File)
	if err != nil {
		return fail(StatusFailed, err)
	}
	if !ok {
		res.Status = StatusNoFile
		return res
	}
	rf, err := sess.Open(ctx, q.File)
	if err != nil {
		return fail(StatusFailed, err)
	}
	f := rf.WithContext(ctx)
	if q.Key != nil {
		v, err := f.Get(q.Application, q.Key)
		switch {
		case errors.Is(err, client.ErrNotFound):
			res.Status = StatusNoKey
		case err != nil:
			return fail(StatusFailed, err)
		default:
			res.Status, res.Entries = StatusValue, []ini.Entry{{Key: q.Key, Value: v}}
		}
		return res
	}
	keys, err := f.Keys(q.Application)
	if errors.Is(err, client.ErrNotFound) || err == nil && len(keys) == 0 {
		res.Status = StatusNoApp
		return res
	}
	if err != nil {
		return fail(StatusFailed, err)
	}
	for _, k := range keys {
		v, err := f.Get(q.Application, k)
		if errors.Is(err, client.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return fail(StatusFailed, err)
		}
		res.Entries = append(res.Entries, ini.Entry{Key: k, Value: v})
	}
	res.Status = StatusValue
	return res
}

// oneLine keeps an error message on one line in a table.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

// Group is the hosts that hold the same thing: the same value (key mode),
// the same values of every key (application mode), or the same missing
// file, key or application. Failed and unreachable hosts are one group per
// status.
type Group struct {
	Status Status
	// Entries is what the hosts hold (as in HostResult.Entries).
	Entries []ini.Entry
	Hosts   []*HostResult
}

// statusRank orders the groups of each status after the values.
var statusRank = map[Status]int{StatusValue: 0, StatusNoKey: 0, StatusNoApp: 0, StatusNoFile: 1, StatusFailed: 2, StatusUnreachable: 3}

// GroupResults groups the results by what each host holds, for drift to
// stand out: first the groups of hosts that have the file (a value, or the
// key or application missing), the largest first (ties: the group whose
// first host comes first); then hosts without the file, failed hosts and
// unreachable hosts. Hosts keep their order within a group.
func GroupResults(results []*HostResult) []*Group {
	var groups []*Group
	byKey := map[string]*Group{}
	for _, r := range results {
		k := string(r.Status) + "\x00" + entriesKey(r.Entries)
		if r.Status == StatusFailed || r.Status == StatusUnreachable {
			k = string(r.Status)
		}
		g := byKey[k]
		if g == nil {
			g = &Group{Status: r.Status, Entries: r.Entries}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.Hosts = append(g.Hosts, r)
	}
	// stable: ties keep the order of their first host
	slices.SortStableFunc(groups, func(a, b *Group) int {
		if ra, rb := statusRank[a.Status], statusRank[b.Status]; ra != rb {
			return ra - rb
		}
		if statusRank[a.Status] == 0 {
			return len(b.Hosts) - len(a.Hosts)
		}
		return 0
	})
	return groups
}

// entriesKey is an identity of a list of entries independent of the key
// order on the host.
func entriesKey(es []ini.Entry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = fmt.Sprintf("%x=%x", e.Key, e.Value)
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}
