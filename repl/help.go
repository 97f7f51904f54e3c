package repl

import (
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// commandHelp describes the REPL commands and keys.
const commandHelp = `Commands:
  :help              this text
  :quit              leave (also Ctrl-D on an empty line)
  :traceback on|off  show the Lua traceback with errors
Keys:
  Tab                complete globals, fields, methods (v. v:), applications
                     (f["), keys (f[app]["), remote paths (s:cd(" s:open("))
  Ctrl-C             cancel the line, or interrupt the running statement
  Up/Down, Ctrl-R    history (statements mentioning a password are not kept)
Input:
  an expression prints its values (=expr too); an unfinished statement
  continues on a ">> " line; top-level locals stay defined for later lines.
Output:
  text strings print quoted; binary values as a hex dump (1, 2 and 4 byte
  values decoded as u8/u16/u32); tables nested and sorted; INI files,
  applications and sessions as a summary.
`

// helpText is the :help output: the commands, the functions of the ini and
// iniserve modules found in the state, and the host's API summary.
func (r *REPL) helpText() string {
	var b strings.Builder
	b.WriteString(commandHelp)
	for _, mod := range []string{"ini", "iniserve"} {
		t, ok := r.L.GetGlobal(mod).(*lua.LTable)
		if !ok {
			continue
		}
		var names []string
		t.ForEach(func(k, v lua.LValue) {
			if s, ok := k.(lua.LString); ok {
				if _, fn := v.(*lua.LFunction); fn {
					names = append(names, mod+"."+string(s))
				}
			}
		})
		slices.Sort(names)
		b.WriteString("Module " + mod + ":\n")
		b.WriteString(wrap(names, 76, "  "))
	}
	if r.cfg.Help != "" {
		b.WriteString(strings.TrimRight(r.cfg.Help, "\n") + "\n")
	}
	return b.String()
}

// wrap joins words with spaces into lines of at most width columns, each
// starting with indent.
func wrap(words []string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for _, w := range words {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	if len(line) > len(indent) {
		b.WriteString(line + "\n")
	}
	return b.String()
}
