package fleet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/plural"
	"github.com/inilua/inilua/notation"
)

// MaxColumns is the largest number of keys an application-mode table shows
// as columns; with more keys it has one row per key and host.
const MaxColumns = 4

// Show renders values for a query table: Type "" uses the notation of
// `inilua batch --diff` (notation.Value); a type name of package ini
// (ini.ValueTypeNames: u32, string0, strings, ...) decodes the value:
// numbers in decimal, texts quoted in Go syntax, lists of strings in
// braces, hex as hex. A value that does not fit the type shows "(not
// TYPE)", then the value in the --diff notation.
type Show struct {
	Type string
}

// Value renders v (nil: "(no key)").
func (s Show) Value(v []byte) string {
	if v == nil {
		return "(no key)"
	}
	if s.Type == "" {
		return notation.Value(v)
	}
	t, err := ini.ParseValueType(s.Type)
	if err != nil {
		return notation.Value(v)
	}
	x, err := ini.Decode(t, v)
	if err != nil {
		return fmt.Sprintf("(not %s) %s", s.Type, notation.Value(v))
	}
	return showDecoded(t, x)
}

// showDecoded renders a value decoded by ini.Decode.
func showDecoded(t ini.ValueType, x any) string {
	switch x := x.(type) {
	case int64:
		return fmt.Sprint(x)
	case [][]byte:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprintf("%q", e)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []byte:
		if t == ini.TypeBytes {
			return notation.Value(x)
		}
		return fmt.Sprintf("%q", x)
	case string:
		return x
	}
	return fmt.Sprint(x)
}

// statusText is the cell of a host without a value.
func statusText(r *HostResult) string {
	switch r.Status {
	case StatusNoKey:
		return "(no key)"
	case StatusNoApp:
		return "(no application)"
	case StatusNoFile:
		return "(no file)"
	case StatusFailed:
		return "(failed) " + r.Err
	case StatusUnreachable:
		return "(unreachable) " + r.Err
	}
	return ""
}

// columns returns the key names of every host holding the application, in
// unsigned byte order.
func columns(results []*HostResult) [][]byte {
	seen := map[string]bool{}
	var keys [][]byte
	for _, r := range results {
		for _, e := range r.Entries {
			if !seen[string(e.Key)] {
				seen[string(e.Key)] = true
				keys = append(keys, e.Key)
			}
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	return keys
}

// WriteTable prints the results of q as a table, hosts grouped by what
// they hold (GroupResults), then one line of totals.
//
// Key mode: columns HOST and VALUE. Application mode with at most
// MaxColumns keys: HOST and one column per key (in byte order); with more:
// KEY, HOST and VALUE, the hosts grouped per key, then the hosts without
// the file, failed and unreachable (KEY "-"). Names are shown by
// notation.Name, values by s.
func WriteTable(w io.Writer, q Query, results []*HostResult, s Show) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	groups := GroupResults(results)
	switch cols := columns(results); {
	case q.Key != nil:
		row("HOST", "VALUE")
		for _, g := range groups {
			for _, r := range g.Hosts {
				if r.Status == StatusValue {
					row(r.Host.Name, s.Value(r.Entries[0].Value))
				} else {
					row(r.Host.Name, statusText(r))
				}
			}
		}
	case len(cols) <= MaxColumns:
		head := []string{"HOST"}
		for _, k := range cols {
			head = append(head, notation.Name(string(k)))
		}
		row(head...)
		for _, g := range groups {
			for _, r := range g.Hosts {
				cells := []string{r.Host.Name}
				for _, k := range cols {
					if r.Status != StatusValue {
						cells = append(cells, statusText(r))
						break
					}
					cells = append(cells, s.Value(r.Value(k)))
				}
				if len(cols) == 0 {
					cells = append(cells, statusText(r))
				}
				row(cells...)
			}
		}
	default:
		row("KEY", "HOST", "VALUE")
		var rest []*HostResult
		for _, r := range results {
			if r.Status != StatusValue && r.Status != StatusNoApp {
				rest = append(rest, r)
			}
		}
		for _, k := range cols {
			var per []*HostResult
			for _, r := range results {
				if r.Status != StatusValue && r.Status != StatusNoApp {
					continue
				}
				one := &HostResult{Host: r.Host, Status: StatusNoKey}
				if v := r.Value(k); v != nil {
					one.Status, one.Entries = StatusValue, []ini.Entry{{Key: k, Value: v}}
				}
				per = append(per, one)
			}
			for _, g := range GroupResults(per) {
				for _, r := range g.Hosts {
					v := "(no key)"
					if r.Status == StatusValue {
						v = s.Value(r.Entries[0].Value)
					}
					row(notation.Name(string(k)), r.Host.Name, v)
				}
			}
		}
		for _, r := range rest {
			row("-", r.Host.Name, statusText(r))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, totals(groups, len(results)))
	return err
}

// totals is the last line of the table: hosts, distinct values, and the
// count of each other status.
func totals(groups []*Group, hosts int) string {
	values := 0
	count := map[Status]int{}
	for _, g := range groups {
		if g.Status == StatusValue {
			values++
		}
		count[g.Status] += len(g.Hosts)
	}
	parts := []string{plural.Count(hosts, "host"), plural.Count(values, "distinct value")}
	for _, st := range []Status{StatusNoKey, StatusNoApp, StatusNoFile, StatusFailed, StatusUnreachable} {
		if n := count[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(string(st), "_", " "), n))
		}
	}
	return strings.Join(parts, ", ")
}

// jsonEntry is one key and value in the JSON output.
type jsonEntry struct {
	Key    string `json:"key"`
	KeyHex string `json:"key_hex,omitempty"`
	Hex    string `json:"value_hex"`
	Text   string `json:"text"`
}

type jsonHost struct {
	Name    string      `json:"name"`
	Address string      `json:"address"`
	Status  Status      `json:"status"`
	Error   string      `json:"error,omitempty"`
	Hex     *string     `json:"value_hex,omitempty"`
	Text    string      `json:"text,omitempty"`
	Keys    []jsonEntry `json:"keys,omitempty"`
}

type jsonGroup struct {
	Status Status      `json:"status"`
	Hex    *string     `json:"value_hex,omitempty"`
	Text   string      `json:"text,omitempty"`
	Keys   []jsonEntry `json:"keys,omitempty"`
	Hosts  []string    `json:"hosts"`
}

type jsonQuery struct {
	File           string      `json:"file"`
	Application    string      `json:"application"`
	ApplicationHex string      `json:"application_hex,omitempty"`
	Key            *string     `json:"key"`
	KeyHex         string      `json:"key_hex,omitempty"`
	Type           string      `json:"type,omitempty"`
	Hosts          []jsonHost  `json:"hosts"`
	Groups         []jsonGroup `json:"groups"`
}

// WriteJSON writes the results of q as one JSON object (schema in
// docs/fleet.md): the query, "hosts" in the order given with each host's
// status and value (value_hex: uppercase hex; text: as WriteTable shows
// it), and "groups" in the order of GroupResults. Names that are not
// valid UTF-8 also come as *_hex.
func WriteJSON(w io.Writer, q Query, results []*HostResult, s Show) error {
	out := jsonQuery{File: q.File, Application: string(q.Application), ApplicationHex: nameHex(q.Application), Type: s.Type,
		Hosts: []jsonHost{}, Groups: []jsonGroup{}}
	if q.Key != nil {
		k := string(q.Key)
		out.Key, out.KeyHex = &k, nameHex(q.Key)
	}
	entries := func(es []ini.Entry) (hex *string, text string, keys []jsonEntry) {
		if q.Key != nil {
			if len(es) == 1 {
				h := ini.Hex(es[0].Value)
				return &h, s.Value(es[0].Value), nil
			}
			return nil, "", nil
		}
		keys = []jsonEntry{}
		for _, e := range es {
			keys = append(keys, jsonEntry{Key: string(e.Key), KeyHex: nameHex(e.Key), Hex: ini.Hex(e.Value), Text: s.Value(e.Value)})
		}
		return nil, "", keys
	}
	for _, r := range results {
		h := jsonHost{Name: r.Host.Name, Address: r.Host.Address, Status: r.Status, Error: r.Err}
		if r.Status == StatusValue {
			h.Hex, h.Text, h.Keys = entries(r.Entries)
		}
		out.Hosts = append(out.Hosts, h)
	}
	for _, g := range GroupResults(results) {
		jg := jsonGroup{Status: g.Status, Hosts: []string{}}
		if g.Status == StatusValue {
			jg.Hex, jg.Text, jg.Keys = entries(g.Entries)
		}
		for _, r := range g.Hosts {
			jg.Hosts = append(jg.Hosts, r.Host.Name)
		}
		out.Groups = append(out.Groups, jg)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// nameHex is the uppercase hex of a name that is not valid UTF-8 (JSON
// would mangle it), "" otherwise.
func nameHex(name []byte) string {
	if utf8.Valid(name) {
		return ""
	}
	return ini.Hex(name)
}
