package fleet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"time"

	"github.com/inilua/inilua/batch"
	"github.com/inilua/inilua/client"
	"github.com/inilua/inilua/ini"
)

// Location is a file named on the command line: a local path, or a file
// on a host.
type Location struct {
	// Host is "" for a local file, else the host as written: an inventory
	// name, a host name or address, with ":PORT" when one was given.
	Host string
	// Path is the local path, or the absolute OS/2 path on the host
	// (C:\PATH\FILE.INI).
	Path string
}

// Remote reports whether the file is on a host.
func (l Location) Remote() bool { return l.Host != "" }

// String returns the location as ParseLocation reads it.
func (l Location) String() string {
	if l.Host == "" {
		return l.Path
	}
	return l.Host + ":" + l.Path
}

// ParseLocation reads HOST[:PORT]:D:\PATH (D a drive letter, then \ or /)
// as a remote file, and anything else as a local path. HOST is a name
// without ':', '/', '\' or blanks, or an IPv6 address in brackets. So
// `C:\X.INI` alone, `./a:b.ini` and `dir/x.ini` are local, while
// `mail1:C:\MPTN\ETC\WEASEL.INI` and `[::1]:3561:C:/X.INI` are remote.
func ParseLocation(s string) Location {
	host, rest, ok := splitHost(s)
	if !ok {
		return Location{Path: s}
	}
	if j := strings.IndexByte(rest, ':'); j > 0 && isPort(rest[:j]) && isDrivePath(rest[j+1:]) {
		return Location{Host: host + ":" + rest[:j], Path: rest[j+1:]}
	}
	if isDrivePath(rest) {
		return Location{Host: host, Path: rest}
	}
	return Location{Path: s}
}

// splitHost splits s at the ':' after a leading HOST: an IPv6 address in
// brackets, or a nonempty name without ':', '/', '\' or blanks.
func splitHost(s string) (host, rest string, ok bool) {
	if strings.HasPrefix(s, "[") {
		i := strings.Index(s, "]:")
		if i < 0 {
			return "", "", false
		}
		return s[:i+1], s[i+2:], true
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 || strings.ContainsAny(s[:i], `/\ 	`) {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// remoteLike reports whether s, which ParseLocation read as a local path,
// starts like a file on a host, HOST[:PORT]:, but without the drive and
// backslash of an absolute OS/2 path (mail1:WEASEL.INI,
// mail1:3560:ETC\X.INI, mail1:C:WEASEL.INI), and returns how that file
// is named: HOST[:PORT]:C:\PATH\FILE.INI, or HOST[:PORT]:D:\NAME when
// s had the drive D: without its backslash. A one-letter HOST is taken
// for a drive (C:X.INI).
func remoteLike(s string) (string, bool) {
	host, rest, ok := splitHost(s)
	if !ok || len(host) == 1 {
		return "", false
	}
	if j := strings.IndexByte(rest, ':'); j > 0 && isPort(rest[:j]) {
		host, rest = host+":"+rest[:j], rest[j+1:]
	}
	if len(rest) > 2 && rest[1] == ':' && (rest[0]|0x20 >= 'a' && rest[0]|0x20 <= 'z') {
		return host + ":" + rest[:2] + `\` + rest[2:], true // mail1:C:WEASEL.INI: a drive without its root
	}
	return host + `:C:\PATH\FILE.INI`, rest != ""
}

func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDrivePath: a drive letter, ':' and a separator.
func isDrivePath(s string) bool {
	return len(s) >= 3 && (s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z') && s[1] == ':' && (s[2] == '\\' || s[2] == '/')
}

// Connector opens read-only sessions to hosts.
type Connector struct {
	// Hosts are the inventory hosts; a Location's host is looked up here
	// by name first.
	Hosts []*batch.Host
	// Password is the password of hosts without their own (batch
	// Host.Password).
	Password string
	// Timeout bounds connecting and each command; 0 means
	// batch.DefaultTimeout.
	Timeout time.Duration
	// DialContext, when not nil, opens the connection to each host
	// (client.Options.DialContext); nil: a plain TCP connection.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Resolve returns the inventory host called name, or, for a name not in
// the inventory, a host whose address is name (port 3560 unless given).
// Errors: name is not a valid host name or address.
func (c *Connector) Resolve(name string) (*batch.Host, error) {
	for _, h := range c.Hosts {
		if h.Name == name {
			return h, nil
		}
	}
	hs, err := batch.HostsFromList(name)
	if err != nil {
		// HostsFromList words its errors for the --hosts flag; name
		// comes from a location (HOST:D:\PATH), not from --hosts
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		return nil, err
	}
	if len(hs) != 1 {
		return nil, fmt.Errorf("host %q: not a host name or address", name)
	}
	return hs[0], nil
}

// Connect logs in to h in check mode (nothing can be written). Errors:
// the host's password cannot be read (batch Host.Password), or
// client.Dial's.
func (c *Connector) Connect(ctx context.Context, h *batch.Host) (*client.Session, error) {
	pw, err := h.Password(c.Password)
	if err != nil {
		return nil, err
	}
	t := c.Timeout
	if t <= 0 {
		t = batch.DefaultTimeout
	}
	return client.Dial(ctx, h.Address, client.Options{Password: pw, DialTimeout: t, CommandTimeout: t,
		CheckMode: true, DialContext: c.DialContext})
}

// ErrNoFile is returned (wrapped) for a file that does not exist.
var ErrNoFile = errors.New("no such file")

// Exists reports whether the file path exists on the session's host: L
// lists it, and a name the listing holds (ASCII letters compared
// case-insensitively, as OS/2 does) is there. Nothing is selected.
func Exists(ctx context.Context, sess *client.Session, path string) (bool, error) {
	names, err := sess.List(ctx, path)
	if err != nil {
		return false, err
	}
	base := path[strings.LastIndexAny(path, `/\`)+1:]
	for _, n := range names {
		if strings.EqualFold(n, base) {
			return true, nil
		}
	}
	return false, nil
}

// ReadFile reads the file at l whole. A local file is read as ini.open
// reads it: binary INI when it starts with FF FF FF FF, TNI text
// otherwise, by name when it is empty. A remote file is fetched through a
// read-only session (Connect), closed afterwards. Errors name the
// location: unreadable or corrupt local file, unknown or unreachable host,
// and ErrNoFile (wrapped) for a remote file that does not exist.
func (c *Connector) ReadFile(ctx context.Context, l Location) (*ini.File, error) {
	if !l.Remote() {
		f, err := ReadLocal(l.Path)
		if errors.Is(err, fs.ErrNotExist) {
			if name, ok := remoteLike(l.Path); ok {
				err = fmt.Errorf("%w (read as a local path: a file on a host is named with its drive and full path, %s)", err, name)
			}
		}
		return f, err
	}
	h, err := c.Resolve(l.Host)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l, err)
	}
	sess, err := c.Connect(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l, err)
	}
	defer sess.Close()
	ok, err := Exists(ctx, sess, l.Path)
	if err == nil && !ok {
		err = ErrNoFile
	}
	var f *ini.File
	if err == nil {
		f, err = sess.Fetch(ctx, l.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l, err)
	}
	return f, nil
}

// ReadLocal reads the local INI or TNI file at path, the format decided by
// content (as ini.open does). Errors name path (a missing file wraps
// fs.ErrNotExist); a corrupt file gives the *ini.FormatError.
func ReadLocal(path string) (*ini.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	format := ini.FormatForName(path)
	if len(data) > 0 {
		format = ini.DetectFormat(data)
	}
	return ini.Parse(path, data, format)
}
