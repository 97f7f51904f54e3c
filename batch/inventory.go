package batch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultPort is the INIServe TCP port, added to addresses given without
// one.
const DefaultPort = "3560"

// Reserved inventory variables: they configure the connection. addr
// becomes Host.Address; password_env and password_file stay in Host.Vars
// (they name where the secret is, not the secret).
const (
	VarAddr         = "addr"          // host:port to connect to (default: the name, port 3560)
	VarPasswordEnv  = "password_env"  // environment variable holding the host's password
	VarPasswordFile = "password_file" // file whose first line is the host's password
)

// Host is one target of a batch run, as read from an inventory file or a
// --hosts list.
type Host struct {
	// Name identifies the host in output, reports, backups and --limit.
	Name string
	// Address is host:port to connect to; the port defaults to 3560.
	Address string
	// Groups are the [group] headers the host appeared under, in order.
	Groups []string
	// Vars are the key=value variables of the host's inventory line(s),
	// without the reserved addr; password_env and password_file are kept
	// here too (they name where the secret is, not the secret).
	Vars map[string]string
	// VarOrder lists the keys of Vars in the order first seen.
	VarOrder []string
	// Source is "FILE:LINE" of the host's first inventory line, or "--hosts".
	Source string

	// dir is the inventory file's directory: password_file is relative to it.
	dir string
	// addrSet: the address came from addr= (not from the name).
	addrSet bool
}

// reservedNames may not be used as variable names: they are fields of the
// HOST table given to scripts.
var reservedNames = []string{"name", "address", "groups", "vars"}

// ParseInventory reads an inventory from r. name is used in error messages
// and dir is the directory relative paths (password_file) are resolved
// against. The format, one host per line:
//
//	# comment (also after a host: "mail1 addr=10.0.0.5  # primary")
//	[group]            hosts below belong to group until the next header
//	name [addr=host[:port]] [key=value ...]
//
// Values may be double-quoted Go strings ("a b", "x\ty"). A UTF-8 byte
// order mark at the start and a last line holding only a Ctrl-Z (end of
// file on DOS and OS/2) are accepted; text after such a line is an error.
// A key given twice on one line (addr= twice) is an error. A host listed
// again (under another group) keeps one entry: its groups are merged, later
// variables override earlier ones, and a different addr is an error.
// Errors name the file and line.
func ParseInventory(name, dir string, r io.Reader) ([]*Host, error) {
	var hosts []*Host
	byName := map[string]*Host{}
	group := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	lineNo, eofLine := 0, 0
	for sc.Scan() {
		lineNo++
		text := sc.Text()
		if lineNo == 1 {
			text = strings.TrimPrefix(text, "\uFEFF") // a byte order mark from an editor
		}
		if strings.TrimSpace(text) == "\x1a" && eofLine == 0 {
			eofLine = lineNo // a DOS / OS/2 end-of-file byte
			continue
		}
		line := strings.TrimSpace(stripComment(text))
		if line == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, lineNo)
		if eofLine > 0 {
			return nil, fmt.Errorf("%s: text after the end-of-file byte (Ctrl-Z) on line %d", where, eofLine)
		}
		if strings.HasPrefix(line, "[") && (strings.HasSuffix(line, "]") || !strings.Contains(line, "]:")) {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("%s: group header %q lacks the closing ]", where, line)
			}
			group = strings.TrimSpace(line[1 : len(line)-1])
			if !validGroupName(group) {
				return nil, fmt.Errorf("%s: bad group name %q (no blanks, brackets or control characters)", where, group)
			}
			continue
		}
		fields, err := splitFields(line)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		h := &Host{Name: fields[0], Source: where, dir: dir, Vars: map[string]string{}}
		if err := checkHostName(h.Name); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		seen := map[string]bool{}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("%s: %q is not key=value", where, f)
			}
			if seen[k] {
				return nil, fmt.Errorf("%s: %s= given twice on one line", where, k)
			}
			seen[k] = true
			if !validVarName(k) {
				return nil, fmt.Errorf("%s: bad variable name %q (letters, digits, _ . - only)", where, k)
			}
			if slices.Contains(reservedNames, k) {
				return nil, fmt.Errorf("%s: variable name %q is reserved", where, k)
			}
			if strings.HasPrefix(v, `"`) {
				uq, err := strconv.Unquote(v)
				if err != nil {
					return nil, fmt.Errorf("%s: value of %s: bad quoted string %s", where, k, v)
				}
				v = uq
			}
			if v == "" && (k == VarPasswordEnv || k == VarPasswordFile) {
				return nil, fmt.Errorf("%s: %s= needs a value", where, k)
			}
			if k == VarAddr {
				if h.Address, err = normalizeAddr(v); err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				h.addrSet = true
				continue
			}
			h.setVar(k, v)
		}
		if group != "" {
			h.Groups = []string{group}
		}
		if old := byName[h.Name]; old != nil {
			if err := old.merge(h); err != nil {
				return nil, fmt.Errorf("%s: %w (first seen at %s)", where, err, old.Source)
			}
			continue
		}
		byName[h.Name] = h
		hosts = append(hosts, h)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than 1 MiB (an inventory line is one host): %w", name, lineNo+1, err)
		}
		return nil, fmt.Errorf("%s: line %d: %w", name, lineNo+1, err)
	}
	for _, h := range hosts {
		if h.Address == "" {
			addr, err := normalizeAddr(h.Name)
			if err != nil {
				return nil, fmt.Errorf("%s: host %s has no addr= and its name is not an address: %w", h.Source, h.Name, err)
			}
			h.Address = addr
		}
	}
	return hosts, nil
}

// ReadInventory reads the inventory file at path (see ParseInventory).
func ReadInventory(path string) ([]*Host, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return ParseInventory(path, filepath.Dir(path), bytes.NewReader(data))
}

// HostsFromList parses a --hosts value: comma-separated entries, each a
// host name or host:port (the name is the entry as written). Empty entries
// are ignored.
func HostsFromList(list string) ([]*Host, error) {
	var hosts []*Host
	seen := map[string]bool{}
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "" || seen[e] {
			continue
		}
		seen[e] = true
		if err := checkHostName(e); err != nil {
			return nil, fmt.Errorf("--hosts: %w", err)
		}
		addr, err := normalizeAddr(e)
		if err != nil {
			return nil, fmt.Errorf("--hosts: %w", err)
		}
		hosts = append(hosts, &Host{Name: e, Address: addr, Source: "--hosts", Vars: map[string]string{}})
	}
	return hosts, nil
}

// MergeHosts appends the hosts of b not already in a (by name) to a and
// returns the result; a host in both keeps a's entry.
func MergeHosts(a, b []*Host) []*Host {
	seen := map[string]bool{}
	for _, h := range a {
		seen[h.Name] = true
	}
	for _, h := range b {
		if !seen[h.Name] {
			seen[h.Name] = true
			a = append(a, h)
		}
	}
	return a
}

// MergeInventories appends the hosts of b (a later --inventory file) to a
// with the rules of a host listed again in one inventory: a host in both
// keeps one entry (a's, in a's order) with the groups merged and b's
// variables overriding a's; a different address is an error naming both
// lines. The hosts of a are updated in place.
func MergeInventories(a, b []*Host) ([]*Host, error) {
	byName := map[string]*Host{}
	for _, h := range a {
		byName[h.Name] = h
	}
	for _, h := range b {
		old := byName[h.Name]
		if old == nil {
			byName[h.Name] = h
			a = append(a, h)
			continue
		}
		if err := old.merge(h); err != nil {
			return nil, fmt.Errorf("%s: %w (first seen at %s)", h.Source, err, old.Source)
		}
	}
	return a, nil
}

// Limit returns the hosts selected by pattern: comma-separated globs
// (path.Match syntax: *, ?, [a-z]) matched against each host's name and
// groups; "all" or "*" selects everything; a glob prefixed with "!"
// removes the hosts it matches from the selection (with only "!" globs,
// all hosts are the starting selection). Order is kept. An empty pattern
// selects all hosts. A malformed glob is an error.
func Limit(hosts []*Host, pattern string) ([]*Host, error) {
	if strings.TrimSpace(pattern) == "" {
		return hosts, nil
	}
	var include, exclude []string
	for _, p := range strings.Split(pattern, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if p == "all" {
			p = "*"
		}
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("--limit: bad pattern %q: %w", p, err)
		}
		if neg {
			exclude = append(exclude, p)
		} else {
			include = append(include, p)
		}
	}
	if len(include) == 0 {
		include = []string{"*"}
	}
	var out []*Host
	for _, h := range hosts {
		if h.matches(include) && !h.matches(exclude) {
			out = append(out, h)
		}
	}
	return out, nil
}

func (h *Host) matches(globs []string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, h.Name); ok {
			return true
		}
		for _, grp := range h.Groups {
			if ok, _ := path.Match(g, grp); ok {
				return true
			}
		}
	}
	return false
}

// Password returns the host's password: from the environment variable named
// by its password_env variable, else from the first line of the file named
// by password_file (relative to the inventory's directory), else def. An
// unset variable or unreadable file is an error naming the variable or file
// (never the password).
func (h *Host) Password(def string) (string, error) {
	if env, ok := h.Vars[VarPasswordEnv]; ok {
		pw, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("password_env: environment variable %s is not set", env)
		}
		return pw, nil
	}
	if file, ok := h.Vars[VarPasswordFile]; ok {
		if !filepath.IsAbs(file) && h.dir != "" {
			file = filepath.Join(h.dir, file)
		}
		return ReadPasswordFile(file)
	}
	return def, nil
}

// ReadPasswordFile returns the first line of the file at path, without its
// line ending. Errors name the file.
func ReadPasswordFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	return string(bytes.TrimSuffix(line, []byte("\r"))), nil
}

// InventoryLine returns the host as one inventory line (name, addr=, then
// the variables in order, quoted when needed), so a list of hosts can be
// written back as an inventory (the retry file). A relative password_file
// is written as an absolute path (resolved against the directory of the
// inventory it came from), so the line works from any directory. The
// groups are not part of the line: WriteInventory writes them as headers.
func (h *Host) InventoryLine() string {
	var b strings.Builder
	b.WriteString(h.Name)
	b.WriteString(" addr=")
	b.WriteString(h.Address)
	for _, k := range h.VarOrder {
		b.WriteString(" ")
		b.WriteString(k)
		b.WriteString("=")
		v := h.varValue(k)
		if needsQuote(v) {
			v = strconv.Quote(v)
		}
		b.WriteString(v)
	}
	return b.String()
}

// WriteInventory writes hosts to w as an inventory that ParseInventory
// reads back to the same hosts, names, addresses, variables and groups
// (a host's groups in the order of the headers):
// first the hosts without a group, then, under one [group] header per
// group (in the order first seen), a line per member: the host's
// InventoryLine at its first appearance, its name alone after that.
// comment, when not nil, returns a comment to put after a host's first
// line (without the "#"; "" for none).
func WriteInventory(w io.Writer, hosts []*Host, comment func(*Host) string) error {
	var b strings.Builder
	written := map[*Host]bool{}
	line := func(h *Host) {
		if written[h] {
			b.WriteString(h.Name + "\n")
			return
		}
		written[h] = true
		b.WriteString(h.InventoryLine())
		if comment != nil {
			if c := comment(h); c != "" {
				b.WriteString("  # " + c)
			}
		}
		b.WriteString("\n")
	}
	var groups []string
	members := map[string][]*Host{}
	for _, h := range hosts {
		if len(h.Groups) == 0 {
			line(h)
		}
		for _, g := range h.Groups {
			if _, ok := members[g]; !ok {
				groups = append(groups, g)
			}
			members[g] = append(members[g], h)
		}
	}
	for _, g := range groups {
		b.WriteString("[" + g + "]\n")
		for _, h := range members[g] {
			line(h)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// varValue returns variable k as InventoryLine writes it: a relative
// password_file made absolute against the inventory's directory.
func (h *Host) varValue(k string) string {
	v := h.Vars[k]
	if k == VarPasswordFile && !filepath.IsAbs(v) && h.dir != "" {
		if abs, err := filepath.Abs(filepath.Join(h.dir, v)); err == nil {
			v = abs
		}
	}
	return v
}

// inventoryVars returns the variables with varValue's values.
func (h *Host) inventoryVars() map[string]string {
	m := make(map[string]string, len(h.Vars))
	for k := range h.Vars {
		m[k] = h.varValue(k)
	}
	return m
}

func (h *Host) setVar(k, v string) {
	if h.Vars == nil {
		h.Vars = map[string]string{}
	}
	if _, ok := h.Vars[k]; !ok {
		h.VarOrder = append(h.VarOrder, k)
	}
	h.Vars[k] = v
}

func (h *Host) merge(o *Host) error {
	if o.addrSet {
		if h.addrSet && !strings.EqualFold(h.Address, o.Address) { // host names are case-insensitive
			return fmt.Errorf("host %s: addr %s differs from earlier %s", h.Name, o.Address, h.Address)
		}
		h.Address, h.addrSet = o.Address, true
	}
	for _, g := range o.Groups {
		if !slices.Contains(h.Groups, g) {
			h.Groups = append(h.Groups, g)
		}
	}
	for _, k := range o.VarOrder {
		h.setVar(k, o.Vars[k])
	}
	return nil
}

// validGroupName reports whether g can be a [group] header: nonempty,
// without blanks, brackets or control characters.
func validGroupName(g string) bool {
	return g != "" && !strings.ContainsAny(g, " \t[]") && printable(g)
}

// checkWritable returns an error unless h, made from something other than
// an inventory (a JSON report), is what ParseInventory could have read, so
// that its inventory line (a retry file) reads back as the same host: a
// valid name, a host:port address, valid group and variable names.
func checkWritable(h *Host) error {
	if err := checkHostName(h.Name); err != nil {
		return err
	}
	if err := checkNormalAddr(h.Address); err != nil {
		return err
	}
	for _, g := range h.Groups {
		if !validGroupName(g) {
			return fmt.Errorf("bad group name %q (no blanks, brackets or control characters)", g)
		}
	}
	for _, k := range h.VarOrder {
		if !validVarName(k) || k == VarAddr || slices.Contains(reservedNames, k) {
			return fmt.Errorf("bad variable name %q (letters, digits, _ . - only, not addr or a reserved name)", k)
		}
		if h.Vars[k] == "" && (k == VarPasswordEnv || k == VarPasswordFile) {
			return fmt.Errorf("%s= needs a value", k)
		}
		if k == VarPasswordFile && !filepath.IsAbs(h.Vars[k]) {
			// a run writes it absolute; relative, it would be read against
			// another directory by each file it is written into
			return fmt.Errorf("%s=%s is not an absolute path (a run writes it absolute)", k, h.Vars[k])
		}
	}
	return nil
}

// checkNormalAddr returns an error unless a is an address as
// normalizeAddr writes it: host:port, the port without leading zeros.
func checkNormalAddr(a string) error {
	n, err := normalizeAddr(a)
	switch {
	case err != nil:
		return err
	case n != a:
		return fmt.Errorf("address %q is not written as host:port (want %q: the port given, without leading zeros)", a, n)
	}
	return nil
}

// checkHostName refuses names that cannot be written back into an
// inventory line.
func checkHostName(name string) error {
	switch {
	case name == "":
		return errors.New("empty host name")
	case strings.ContainsAny(name, " \t=#\","):
		return fmt.Errorf("host name %q contains one of: space tab = # \" ,", name)
	case strings.HasPrefix(name, "[") && !strings.Contains(name, "]:"):
		return fmt.Errorf("host name %q starts with [ but is not an [IPv6]:port address", name)
	case !printable(name):
		return fmt.Errorf("host name %q contains a control character, a line separator or a format character (a bidirectional override, ...) or is not UTF-8", name)
	}
	return nil
}

// normalizeAddr returns address a as host:port: the default port added
// when a has none, the port without leading zeros. Errors: a is empty, its
// port is not 1-65535, brackets hold something other than an IPv6
// address, or it has more than one ':' without being an IPv6 address.
func normalizeAddr(a string) (string, error) {
	if a == "" {
		return "", errors.New("empty address")
	}
	if host, port, err := net.SplitHostPort(a); err == nil {
		if host == "" || port == "" {
			return "", fmt.Errorf("bad address %q: want host:port", a)
		}
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil || p == 0 {
			return "", fmt.Errorf("bad port in address %q: want 1-65535", a)
		}
		if strings.HasPrefix(a, "[") && !isIPv6(host) {
			return "", fmt.Errorf("bad address %q: only an IPv6 address goes in brackets", a)
		}
		if err := checkAddrHost(host); err != nil {
			return "", fmt.Errorf("bad address %q: %w", a, err)
		}
		return net.JoinHostPort(host, strconv.FormatUint(p, 10)), nil // "h:03560" is h:3560
	}
	if strings.HasPrefix(a, "[") != strings.HasSuffix(a, "]") {
		return "", fmt.Errorf("bad address %q: unbalanced brackets", a)
	}
	var out string
	switch bare := strings.TrimSuffix(strings.TrimPrefix(a, "["), "]"); {
	case strings.HasPrefix(a, "[") && !isIPv6(bare):
		return "", fmt.Errorf("bad address %q: only an IPv6 address goes in brackets", a)
	case strings.Count(a, ":") > 1: // an IPv6 address without a port
		if !isIPv6(bare) {
			return "", fmt.Errorf("bad address %q: want host:port (more than one ':' is only for an IPv6 address, [addr]:port)", a)
		}
		out = net.JoinHostPort(bare, DefaultPort)
	case strings.Contains(a, ":"):
		return "", fmt.Errorf("bad address %q: want host:port", a)
	default:
		out = net.JoinHostPort(a, DefaultPort)
	}
	h, _, err := net.SplitHostPort(out)
	if err != nil || h == "" || strings.ContainsAny(h, "[]") {
		return "", fmt.Errorf("bad address %q: want host:port", a)
	}
	if err := checkAddrHost(h); err != nil {
		return "", fmt.Errorf("bad address %q: %w", a, err)
	}
	return out, nil
}

// checkAddrHost returns an error unless h, the host part of an address,
// is an IP address or a host name of ASCII letters, digits, '.', '-' and
// '_': nothing that could end or split an inventory line (blank, control
// character, '#', '"', '=', ','). An IPv6 zone (fe80::1%eth0) takes the
// same characters.
func checkAddrHost(h string) error {
	name := h
	if isIPv6(h) {
		i := strings.IndexByte(h, '%')
		if i < 0 {
			return nil
		}
		name = h[i+1:]
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("host %q: only ASCII letters, digits, '.', '-' and '_' go in a host name or an IPv6 zone, not %q", h, c)
		}
	}
	return nil
}

// isIPv6 reports whether s is an IPv6 address (a zone allowed: fe80::1%eth0).
func isIPv6(s string) bool {
	ip, err := netip.ParseAddr(s)
	return err == nil && ip.Is6()
}

// stripComment removes a # comment that starts the line or follows
// whitespace, outside double quotes.
func stripComment(s string) string {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case c == '#' && !inQuote && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i]
		}
	}
	return s
}

// splitFields splits on blanks, keeping double-quoted parts (with Go
// escapes) together.
func splitFields(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && inQuote && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
		case c == '"':
			inQuote = !inQuote
			cur.WriteByte(c)
		case (c == ' ' || c == '\t') && !inQuote:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if inQuote {
		return nil, errors.New("unterminated double quote")
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out, nil
}

// needsQuote reports whether an inventory value must be written as a
// double-quoted Go string.
func needsQuote(v string) bool {
	if v == "" || !utf8.ValidString(v) {
		return true
	}
	for _, r := range v {
		if r == ' ' || r == '"' || r == '#' || r == '\\' || !unicode.IsPrint(r) {
			return true
		}
	}
	return false
}

// printable reports whether s is valid UTF-8 of characters a terminal
// shows as themselves (unicode.IsPrint, the ASCII blank): no control
// character, no line or paragraph separator (U+2028, U+2029), no format
// character such as the bidirectional overrides (U+202E) that make a name
// display as another.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}

// validVarName: variable names are made of ASCII letters, digits, '_', '.'
// and '-'.
func validVarName(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return k != ""
}
