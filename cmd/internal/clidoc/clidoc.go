package clidoc

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"

	"github.com/inilua/inilua/cmd/internal/cliflag"
)

// Command describes a program or one of its subcommands.
type Command struct {
	// Name is the word that runs it: "inilua", "batch", "merge".
	Name string
	// Summary is one line for the NAME section and completion menus.
	Summary string
	// Flags are the command's flags (nil: none). Their Usage function
	// prints the usage text that becomes the man page's description.
	Flags *flag.FlagSet
	// Tail is text the program prints after the flag list in its -h.
	Tail string
	// Args says what completes the words that are not flags: "files",
	// "dirs" or "" (files too).
	Args string
	// Sub are the subcommands, in the order of the man page.
	Sub []*Command
}

// UsageHead returns what fs.Usage prints before the list of flags (the
// synopsis and description), without a last "flags:" line.
func UsageHead(fs *flag.FlagSet) string {
	if fs == nil {
		return ""
	}
	var all, flags bytes.Buffer
	out := fs.Output()
	fs.SetOutput(&all)
	fs.Usage()
	fs.SetOutput(out)
	cliflag.PrintFlags(&flags, fs)
	head := strings.TrimSuffix(all.String(), flags.String())
	lines := strings.Split(strings.TrimRight(head, "\n"), "\n")
	if last := strings.ToLower(strings.TrimSpace(lines[len(lines)-1])); last == "flags:" {
		lines = lines[:len(lines)-1]
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

// flagInfo is one flag as the man page and completion show it.
type flagInfo struct {
	dashed string // --backup-dir
	value  string // DIR; "" for a boolean
	usage  string
	def    string // "" when it is the zero value
}

func flagsOf(fs *flag.FlagSet) []flagInfo {
	var out []flagInfo
	if fs == nil {
		return nil
	}
	fs.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		fi := flagInfo{dashed: cliflag.Dashed(f.Name), value: value, usage: usage}
		switch f.DefValue {
		case "", "0", "false", "0s", "[]":
		default:
			fi.def = f.DefValue
		}
		out = append(out, fi)
	})
	return out
}

// mdEscape escapes the characters markdown would read as markup.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]<>()#+-.!|$~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// codeBlock returns text as a fenced markdown code block (shown as is).
func codeBlock(text string) string {
	return "```\n" + strings.TrimRight(text, "\n") + "\n```\n\n"
}

func writeOptions(b *strings.Builder, c *Command) {
	for _, f := range flagsOf(c.Flags) {
		term := "**" + mdEscape(f.dashed) + "**"
		if f.value != "" {
			term += " *" + mdEscape(f.value) + "*"
		}
		usage := strings.Join(strings.Fields(f.usage), " ")
		if f.def != "" {
			usage += " (default " + f.def + ")"
		}
		fmt.Fprintf(b, "%s\n: %s\n\n", term, mdEscape(usage))
	}
}

// Man returns the man page of c in roff, section 1, titled with c.Name;
// source names the package in the footer ("inilua"). seeAlso lists
// other pages ("iniserve(1)"), docs the documents to read further.
func Man(c *Command, source string, seeAlso, docs []string) []byte {
	var b strings.Builder
	upper := strings.ToUpper(c.Name)
	fmt.Fprintf(&b, "%% %s 1 \"\" \"%s\" \"User Commands\"\n\n", upper, source)
	fmt.Fprintf(&b, "# NAME\n\n%s \\- %s\n\n", mdEscape(c.Name), mdEscape(c.Summary))
	b.WriteString("# SYNOPSIS\n\n")
	b.WriteString(codeBlock(UsageHead(c.Flags)))
	if c.Tail != "" {
		b.WriteString("# DESCRIPTION\n\n")
		b.WriteString(codeBlock(strings.Trim(c.Tail, "\n")))
	}
	if c.Flags != nil && len(flagsOf(c.Flags)) > 0 {
		b.WriteString("# OPTIONS\n\n")
		writeOptions(&b, c)
	}
	if len(c.Sub) > 0 {
		b.WriteString("# COMMANDS\n\n")
		var walk func(prefix string, subs []*Command)
		walk = func(prefix string, subs []*Command) {
			for _, s := range subs {
				name := prefix + " " + s.Name
				fmt.Fprintf(&b, "### %s\n\n%s.\n\n", mdEscape(name), mdEscape(s.Summary))
				if s.Flags != nil {
					b.WriteString(codeBlock(UsageHead(s.Flags)))
					writeOptions(&b, s)
				}
				walk(name, s.Sub)
			}
		}
		walk(c.Name, c.Sub)
	}
	if len(docs) > 0 {
		b.WriteString("# SEE ALSO\n\n")
		refs := append([]string(nil), seeAlso...)
		b.WriteString(mdEscape(strings.Join(refs, ", ")))
		if len(refs) > 0 {
			b.WriteString("; ")
		}
		b.WriteString(mdEscape(strings.Join(docs, ", ")) + " in the inilua sources.\n")
	}
	return md2man.Render([]byte(b.String()))
}

// sortedFlags returns the dashed names of c's flags, sorted.
func sortedFlags(c *Command) []string {
	var names []string
	for _, f := range flagsOf(c.Flags) {
		names = append(names, f.dashed)
	}
	sort.Strings(names)
	return names
}

// Bash writes a bash completion script for the program c to w: it defines
// the function _NAME and registers it with complete. Program runs the
// program itself to list host names (NAME completion hosts FILE...).
func Bash(w io.Writer, c *Command) error {
	var b strings.Builder
	fn := "_" + strings.ReplaceAll(c.Name, "-", "_")
	fmt.Fprintf(&b, "# bash completion for %s, generated by `%s completion bash`.\n", c.Name, c.Name)
	fmt.Fprintf(&b, "# Load it with: source <(%s completion bash)\n\n", c.Name)
	fmt.Fprintf(&b, "%s_hosts() {\n", fn)
	b.WriteString(`	# host names and groups of the inventories given on the command line
	local i w files=()
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--inventory | -inventory)
			if [[ ${COMP_WORDS[i+1]} == "=" ]]; then files+=("${COMP_WORDS[i+2]}"); else files+=("${COMP_WORDS[i+1]}"); fi ;;
		--inventory=* | -inventory=*) files+=("${w#*=}") ;;
		esac
	done
	((${#files[@]})) || return
	local list=${cur##*,} pre=""
	[[ $cur == *,* ]] && pre=${cur%,*},
	[[ $list == '!'* ]] && pre=$pre'!' && list=${list#!}
	local names
	names=$("${COMP_WORDS[0]}" completion hosts "${files[@]}" 2>/dev/null) || return
	local n
	COMPREPLY=()
	while IFS= read -r n; do
		[[ -n $n && $n == "$list"* ]] && COMPREPLY+=("$pre$n")
	done <<<"$names"
}

`)
	fmt.Fprintf(&b, "%s_paths() {\n", fn)
	b.WriteString(`	# files (-f) or directories (-d) starting with $cur, added to COMPREPLY
	# one per line of compgen's output: a name with a blank or a * stays one
	local names n
	names=$(compgen "$1" -- "$cur") || return
	while IFS= read -r n; do
		[[ -n $n ]] && COMPREPLY+=("$n")
	done <<<"$names"
}

`)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString(`	[[ -n ${ZSH_VERSION-} ]] && setopt localoptions ksharrays
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	if [[ $prev == "=" ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}
	elif [[ $cur == "=" ]]; then prev=${COMP_WORDS[COMP_CWORD-1]}; cur=""
	fi
	local cmd="" n=1
`)
	// which (sub)command: walk the words that name subcommands
	b.WriteString("\twhile ((n < COMP_CWORD)); do\n\t\tcase \"$cmd ${COMP_WORDS[n]}\" in\n")
	var paths []string
	var walk func(prefix string, subs []*Command)
	walk = func(prefix string, subs []*Command) {
		for _, s := range subs {
			p := strings.TrimSpace(prefix + " " + s.Name)
			paths = append(paths, p)
			walk(p, s.Sub)
		}
	}
	walk("", c.Sub)
	for _, p := range paths {
		parent, word := "", p
		if i := strings.LastIndex(p, " "); i >= 0 {
			parent, word = p[:i], p[i+1:]
		}
		fmt.Fprintf(&b, "\t\t%q) cmd=%q ;;\n", parent+" "+word, p)
	}
	b.WriteString("\t\t*) break ;;\n\t\tesac\n\t\t((n++))\n\tdone\n")
	b.WriteString("\tcase $cmd in\n")
	var emit func(path string, c *Command)
	emit = func(path string, c *Command) {
		fmt.Fprintf(&b, "\t%q)\n", path)
		var files, dirs, values, hosts []string
		for _, f := range flagsOf(c.Flags) {
			switch {
			case f.value == "":
			case f.dashed == "--limit":
				hosts = append(hosts, f.dashed)
			case f.value == "FILE" || strings.HasSuffix(f.value, "FILE"):
				files = append(files, f.dashed)
			case f.value == "DIR":
				dirs = append(dirs, f.dashed)
			default:
				values = append(values, f.dashed)
			}
		}
		b.WriteString("\t\tcase $prev in\n")
		for _, g := range []struct {
			names  []string
			action string
		}{
			{hosts, fn + "_hosts; return ;;"},
			{files, "COMPREPLY=(); " + fn + "_paths -f; return ;;"},
			{dirs, "COMPREPLY=(); " + fn + "_paths -d; return ;;"},
			{values, "return ;;"},
		} {
			if len(g.names) == 0 {
				continue
			}
			sort.Strings(g.names)
			var alts []string
			for _, n := range g.names {
				alts = append(alts, n)
				if strings.HasPrefix(n, "--") {
					alts = append(alts, n[1:]) // the flag package's -name spelling
				}
			}
			fmt.Fprintf(&b, "\t\t%s) %s\n", strings.Join(alts, " | "), g.action)
		}
		b.WriteString("\t\tesac\n")
		words := sortedFlags(c)
		fmt.Fprintf(&b, "\t\tif [[ $cur == -* ]]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", strings.Join(words, " "))
		var subs []string
		for _, s := range c.Sub {
			subs = append(subs, s.Name)
		}
		if len(subs) > 0 {
			fmt.Fprintf(&b, "\t\tif ((n == COMP_CWORD)); then COMPREPLY=($(compgen -W %q -- \"$cur\")); fi\n", strings.Join(subs, " "))
		}
		if (len(c.Sub) == 0 && c.Flags != nil) || path == "" {
			action := fn + "_paths -f"
			if c.Args == "dirs" {
				action = fn + "_paths -d"
			}
			b.WriteString("\t\t" + action + "\n")
		}
		b.WriteString("\t\t;;\n")
		for _, s := range c.Sub {
			emit(strings.TrimSpace(path+" "+s.Name), s)
		}
	}
	emit("", c)
	b.WriteString("\tesac\n}\n\n")
	fmt.Fprintf(&b, "complete -o filenames -F %s %s\n", fn, c.Name)
	_, err := io.WriteString(w, b.String())
	return err
}

// Zsh writes a zsh completion script for c: the bash completion run by
// zsh's bashcompinit (load it after compinit).
func Zsh(w io.Writer, c *Command) error {
	fmt.Fprintf(w, "# zsh completion for %s, generated by `%s completion zsh`.\n", c.Name, c.Name)
	fmt.Fprintf(w, "# Load it after compinit: source <(%s completion zsh)\n", c.Name)
	fmt.Fprintf(w, "autoload -U +X bashcompinit && bashcompinit\n\n")
	return Bash(w, c)
}
