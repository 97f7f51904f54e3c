package server

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/wire"
)

// maxPassword is the number of bytes of a stored password that count (§4).
const maxPassword = 32

// settings are the values of the configuration file (§10).
type settings struct {
	file    string // the file they came from; "" when none
	port    int
	timeout time.Duration
}

var (
	sysApp      = []byte("$SYS")
	keyPort     = []byte("ServerPort")
	keyTimeOut  = []byte("TimeOut")
	keyPassword = []byte("Password")
)

// configPath returns the configuration file to use now and its format, or
// "" when there is none (no ConfigFile, or a stem with neither file).
// warn (may be nil) receives the warnings of the choice (ini.Choose).
func (s *Server) configPath(warn func(*ini.FormatError)) (string, ini.Format, error) {
	name := s.ConfigFile
	if name == "" {
		return "", 0, nil
	}
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".ini" || ext == ".tni" {
		if _, err := os.Stat(name); errors.Is(err, fs.ErrNotExist) {
			return "", 0, nil
		}
		return name, ini.FormatForName(name), nil
	}
	path, format, err := ini.Choose(name, ini.ChooseOptions{Override: s.ConfigFormat, Warn: warn})
	if err != nil {
		return "", 0, fmt.Errorf("server: configuration: %w", err)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", 0, nil
	}
	return path, format, nil
}

// configDescription names ConfigFile for messages: the name, or for a stem
// "stem.INI or stem.TNI".
func (s *Server) configDescription() string {
	if ext := strings.ToLower(filepath.Ext(s.ConfigFile)); ext == ".ini" || ext == ".tni" {
		return s.ConfigFile
	}
	return s.ConfigFile + ".INI or " + s.ConfigFile + ".TNI"
}

// readConfig parses the configuration file selected now; nil when there is
// none. warn (may be nil) receives what the choice and the reader tolerate
// (ini.Choose, ini.ParseWarn).
func (s *Server) readConfig(warn func(*ini.FormatError)) (*ini.File, string, error) {
	name, format, err := s.configPath(warn)
	if err != nil || name == "" {
		return nil, "", err
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, name, fmt.Errorf("server: configuration: %w", err)
	}
	f, err := ini.ParseWarn(name, data, format, warn)
	if err != nil {
		return nil, name, fmt.Errorf("server: configuration: %w", err)
	}
	return f, name, nil
}

// readSettings reads ServerPort and TimeOut from the configuration file (at
// startup and at Reload), logging the codec's warnings about it.
func (s *Server) readSettings() (settings, error) {
	cfg := settings{port: wire.DefaultPort, timeout: DefaultIdleTimeout}
	f, name, err := s.readConfig(func(e *ini.FormatError) {
		s.log.Warn("configuration: " + e.Error())
	})
	if err != nil {
		return cfg, err
	}
	cfg.file = name
	if f == nil {
		if s.ConfigNamed && s.ConfigFile != "" {
			s.log.Warn(fmt.Sprintf("configuration file %s not found: using the defaults (port %d, idle timeout %v, empty password)", s.configDescription(), cfg.port, cfg.timeout))
		}
		return cfg, nil
	}
	if v, ok := f.Lookup(sysApp, keyPort); ok {
		n, ok := leUint(v)
		switch {
		case !ok:
			return cfg, fmt.Errorf("server: %s: $SYS ServerPort: value % X is not a 1-, 2- or 4-byte little-endian number", name, v)
		case n == 0 || n > 65535:
			return cfg, fmt.Errorf("server: %s: $SYS ServerPort: %d is not a TCP port (1-65535)", name, n)
		}
		cfg.port = int(n)
	}
	if v, ok := f.Lookup(sysApp, keyTimeOut); ok {
		n, ok := leUint(v)
		if !ok {
			return cfg, fmt.Errorf("server: %s: $SYS TimeOut: value % X is not a 1-, 2- or 4-byte little-endian number of seconds", name, v)
		}
		cfg.timeout = time.Duration(n) * time.Second
	}
	return cfg, nil
}

// leUint decodes a 1-, 2- or 4-byte little-endian unsigned integer (the
// reference stores 4 bytes; shorter ones are accepted as a courtesy).
func leUint(v []byte) (uint32, bool) {
	switch len(v) {
	case 1, 2, 4:
	default:
		return 0, false
	}
	var n uint32
	for i := len(v) - 1; i >= 0; i-- {
		n = n<<8 | uint32(v[i])
	}
	return n, true
}

// password returns the password in force now, re-reading PasswordFile or
// the configuration file (§4: re-read at every P). Only its first 32 bytes,
// up to a NUL, count.
func (s *Server) password() ([]byte, error) {
	var pw []byte
	switch {
	case s.Password != nil:
		pw = []byte(*s.Password)
	case s.PasswordFile != "":
		data, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("server: password file: %w", err)
		}
		line, _, _ := bytes.Cut(data, []byte{'\n'})
		pw = bytes.TrimSuffix(line, []byte{'\r'})
	default:
		f, _, err := s.readConfig(nil) // warned about at startup and Reload
		if err != nil {
			return nil, err
		}
		if f != nil {
			pw, _ = f.Lookup(sysApp, keyPassword)
		}
	}
	if i := bytes.IndexByte(pw, 0); i >= 0 {
		pw = pw[:i]
	}
	if len(pw) > maxPassword {
		pw = pw[:maxPassword]
	}
	return pw, nil
}
