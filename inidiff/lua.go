package inidiff

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/inilua/inilua/ini"
	"github.com/inilua/inilua/internal/plural"
	"github.com/inilua/inilua/notation"
)

// LuaString returns b as a Lua 5.1 string literal in double quotes that
// gopher-lua reads back as exactly the bytes of b. The literal is plain
// ASCII: printable ASCII stays, backslash and double quote are escaped, TAB,
// CR and LF are \t, \r and \n, and every other byte (NUL, control bytes,
// 0x7F, code-page bytes 0x80 and above, invalid UTF-8) is a decimal escape
// \ddd, written with three digits when a digit follows.
func LuaString(b []byte) string {
	var s strings.Builder
	s.Grow(len(b) + 2)
	s.WriteByte('"')
	for i, c := range b {
		switch {
		case c == '\\' || c == '"':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\n':
			s.WriteString(`\n`)
		case c >= 0x20 && c < 0x7F:
			s.WriteByte(c)
		default:
			s.WriteByte('\\')
			if i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '9' {
				fmt.Fprintf(&s, "%03d", c)
			} else {
				s.WriteString(strconv.Itoa(int(c)))
			}
		}
	}
	s.WriteByte('"')
	return s.String()
}

// LuaValue returns a Lua expression of the public Lua API that evaluates to
// exactly the bytes of v, with the typed encoder that fits (the rules of
// notation.Value, so the script reads like `inilua batch --diff`):
//
//   - text (notation.IsText: printable, NULs only at the end) and the empty
//     value: a string literal, "Welcome\0";
//   - a list of two or more NUL-terminated texts ending in an extra NUL:
//     ini.strings{"a", "b"};
//   - any other value of 1, 2 or 4 bytes: ini.u8(n), ini.u16(n), ini.u32(n)
//     (little-endian, unsigned);
//   - anything else: ini.unhex("0A0B...").
func LuaValue(v []byte) string {
	if notation.IsText(v) {
		return LuaString(v)
	}
	if list, err := ini.Strings(v); err == nil && len(list) >= 2 {
		parts := make([]string, len(list))
		ok := true
		for i, e := range list {
			ok = ok && notation.IsText(e)
			parts[i] = LuaString(e)
		}
		if ok {
			return "ini.strings{" + strings.Join(parts, ", ") + "}"
		}
	}
	if n, ok := notation.Number(v); ok {
		return fmt.Sprintf("ini.u%d(%d)", 8*len(v), n)
	}
	return `ini.unhex("` + ini.Hex(v) + `")`
}

// Source names one side of a diff in the header of a Lua script.
type Source struct {
	// Label is the file as the user named it (a local path, or
	// HOST:C:\PATH\FILE.INI); shown in the header only.
	Label string
	// Path is the file path the script opens by default: the local path
	// for a local file, the OS/2 path on the host for a remote one.
	Path string
	// Remote reports whether the file was on a host.
	Remote bool
	// Apps and Keys count its applications (with keys) and keys.
	Apps, Keys int
}

// SourceOf returns the Source of f with label, default path and place.
func SourceOf(f *ini.File, label, path string, remote bool) Source {
	s := Source{Label: label, Path: path, Remote: remote}
	for _, a := range f.Apps {
		if len(a.Entries) > 0 {
			s.Apps++
			s.Keys += len(a.Entries)
		}
	}
	return s
}

// Header is what WriteLua says the script was made from.
type Header struct {
	Old, New Source
	// Generator names the program, e.g. "inilua v0.3.0 (rev ...)".
	Generator string
}

// WriteLua writes d as a Lua migration script. Run on a file holding the
// entries of h.Old it leaves exactly the entries of h.New; run again it
// changes nothing (every write sets bytes already there, every delete
// finds nothing). It uses only the public Lua API: f:set, f:delete,
// f:changes, f:save, ini.open, s:open, s:ls and the encoders.
//
// The script takes its session, if any, as the first value of "..." (as
// `inilua batch` passes it) and an argument file=PATH naming the file;
// without it the file is h.Old.Path when the script runs where the old
// file was (on a host for a remote one, locally for a local one), else the
// script stops with an error asking for file=. Any other argument is an
// error. An existing file is required, unless the old file had no entries
// (then the script creates it). Locally the file is saved only when
// something changed. It prints "FILE: N changes" (or "would change" under
// --check).
//
// Keys are set and deleted in the order of d (applications and keys in
// unsigned byte order); an application the new file lacks is deleted
// whole with f:delete(app).
//
// An empty application or key name (real files may hold one) cannot be
// written with the Lua API: WriteLua then writes nothing and returns an
// error naming it.
func WriteLua(w io.Writer, d Diff, h Header) error {
	for _, a := range d.Apps {
		if len(a.Name) == 0 {
			return fmt.Errorf("application with an empty name: the Lua API cannot change it")
		}
		for _, k := range a.Keys {
			if len(k.Key) == 0 {
				return fmt.Errorf("application %s: key with an empty name: the Lua API cannot change it", notation.Name(string(a.Name)))
			}
		}
	}
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	added, removed, changed := d.Counts()
	gen := h.Generator
	if gen == "" {
		gen = "inilua diff"
	}
	p("-- Migration script made by %s (inilua diff --lua).\n", asciiComment(gen))
	p("--   from: %s (%s)\n", asciiComment(h.Old.Label), describe(h.Old))
	p("--   to:   %s (%s)\n", asciiComment(h.New.Label), describe(h.New))
	p("--   %s set (%d changed, %d added), %d deleted.\n", plural.Count(added+changed, "key"), changed, added, removed)
	p("-- Run on the entries of the first file it gives those of the second; run\n")
	p("-- again it changes nothing. Only the public Lua API is used\n")
	p("-- (docs/lua-api.md), so it can be read and edited.\n")
	p("--   inilua batch --inventory hosts.txt THIS.lua [file=C:\\PATH\\FILE.INI]\n")
	p("--   inilua THIS.lua [file=LOCAL.INI]\n")
	p("-- Without file= it works on %s%s.\n\n", asciiComment(h.Old.Path), place(h.Old.Remote))

	p("local MADE_FROM = %s\n", LuaString([]byte(h.Old.Path)))
	p("local MADE_ON_HOST = %t\n", h.Old.Remote)
	p("local CREATE = %t -- true when the first file had no entries: then a missing file is created\n\n", h.Old.Keys == 0)
	p("%s", luaPrelude)
	for _, a := range d.Apps {
		app := LuaString(a.Name)
		switch a.Status {
		case AppRemoved:
			p("\n-- application %s: removed (%s)\n", app, plural.Count(len(a.Keys), "key"))
			p("f:delete(%s)\n", app)
			continue
		case AppAdded:
			p("\n-- application %s: added (%s)\n", app, plural.Count(len(a.Keys), "key"))
		default:
			p("\n-- application %s\n", app)
		}
		for _, k := range a.Keys {
			key := LuaString(k.Key)
			switch {
			case k.New == nil:
				p("f:delete(%s, %s) -- was %s\n", app, key, shortValue(k.Old))
			case k.Old == nil || a.Status == AppAdded:
				p("f:set(%s, %s, %s)\n", app, key, LuaValue(k.New))
			default:
				p("f:set(%s, %s, %s) -- was %s\n", app, key, LuaValue(k.New), shortValue(k.Old))
			}
		}
	}
	p("%s", luaEpilogue)
	return bw.Flush()
}

// luaPrelude reads the arguments and opens the file.
const luaPrelude = `local session, file
for i = 1, select("#", ...) do
  local a = select(i, ...)
  if type(a) ~= "string" then
    session = session or a -- inilua batch: the host's session comes first
  else
    local name, value = string.match(a, "^([%w_]+)=(.*)$")
    if name ~= "file" then
      error("argument " .. string.format("%q", a) .. ": this script takes only file=PATH", 0)
    end
    file = value
  end
end
if file == nil then
  if (session ~= nil) ~= MADE_ON_HOST then
    error(session and "give file=C:\\PATH\\FILE.INI: this script was made from a local file"
      or "give file=LOCAL.INI: this script was made from a file on a host", 0)
  end
  file = MADE_FROM
end

local f
if session then
  if not CREATE and #session:ls(file) == 0 then
    error("file " .. file .. " does not exist on " .. session:host(), 0)
  end
  f = session:open(file)
else
  f = ini.open(file, {create = CREATE})
end
`

// luaEpilogue saves a local file and reports the number of changes.
const luaEpilogue = `
local n = #f:changes()
if session == nil and n > 0 then
  f:save()
end
print(string.format("%s: %d %s", file, n, CHECK and "changes (would change, --check)" or "changes"))
`

// place says where the default file is.
func place(remote bool) string {
	if remote {
		return " on each host"
	}
	return " (a local file)"
}

// describe counts the applications and keys of s.
func describe(s Source) string {
	return plural.Count(s.Apps, "application") + ", " + plural.Count(s.Keys, "key")
}

// shortValue is a value in the --diff notation for a comment, cut to about
// 60 characters.
func shortValue(v []byte) string {
	s := notation.Value(v)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return asciiComment(s)
}

// asciiComment makes s safe for a one-line Lua comment in an ASCII file:
// bytes outside printable ASCII become Go-style \xNN escapes.
func asciiComment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c < 0x7F {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\x%02X`, c)
		}
	}
	return b.String()
}
