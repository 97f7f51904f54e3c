package repl

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/adrg/xdg"
	"github.com/chzyer/readline"
	"github.com/yuin/gopher-lua/parse"
)

// DefaultHistoryFile returns the REPL history file: inilua/history under
// the user's XDG state directory ($XDG_STATE_HOME, by default
// ~/.local/state), creating the directory. It fails when the directory
// cannot be created.
func DefaultHistoryFile() (string, error) {
	return xdg.StateFile(filepath.Join("inilua", "history"))
}

// secretRE matches statements that must not be written to history: any
// mention of a password (the password and password_env options included),
// a passwd or a secret, in any case.
var secretRE = regexp.MustCompile(`(?i)passw(or)?d|secret`)

// IsSecret reports whether a statement mentions a password or secret and
// so is kept out of the history file (and out of the in-memory history).
func IsSecret(stmt string) bool { return secretRE.MatchString(stmt) }

// history is the REPL history file: one line per history entry (see
// entries for multi-line statements), mode 0600, trimmed to limit lines
// when it grows past twice that. An entry equal to the one before is not
// repeated.
type history struct {
	path  string
	limit int
	last  string // newest entry, not repeated
}

func newHistory(path string, limit int) *history { return &history{path: path, limit: limit} }

// load returns the last limit lines of the history file, oldest first;
// none when there is no file or it cannot be read (history is a comfort,
// never a reason to refuse to start).
func (h *history) load() []string {
	if h.path == "" {
		return nil
	}
	data, err := os.ReadFile(h.path)
	if err != nil {
		return nil
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 2*h.limit {
		lines = lines[len(lines)-h.limit:]
		h.rewrite(lines)
	}
	if len(lines) > h.limit {
		lines = lines[len(lines)-h.limit:]
	}
	if len(lines) > 0 {
		h.last = lines[len(lines)-1]
	}
	return lines
}

// rewrite replaces the history file with lines (temp file and rename, so
// a crash never leaves a truncated history).
func (h *history) rewrite(lines []string) {
	tmp, err := os.CreateTemp(filepath.Dir(h.path), ".history-*")
	if err != nil {
		return
	}
	_, err = tmp.WriteString(strings.Join(lines, "\n") + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), h.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}

// entries returns the history entries for a statement typed on several
// lines: one entry with the lines joined by spaces, so the arrow keys
// recall the whole statement, when joining keeps the meaning (no comment,
// long string or line-continued string, and both the statement and the
// joined text parse);
// otherwise each line is an entry, as typed.
func entries(lines []string) []string {
	if len(lines) < 2 {
		return lines
	}
	parts := make([]string, len(lines))
	for i, l := range lines {
		if strings.Contains(l, "--") || strings.Contains(l, "[[") || strings.Contains(l, "[=") || strings.HasSuffix(l, "\\") {
			return lines
		}
		parts[i] = strings.TrimSpace(l)
	}
	joined := strings.Join(parts, " ")
	if !parses(joined) || !parses(strings.Join(lines, "\n")) {
		return lines // joining would not keep the meaning (or the error)
	}
	return []string{joined}
}

// parses reports whether text is a valid chunk or expression.
func parses(text string) bool {
	for _, t := range []string{text, "return " + text} {
		if _, err := parse.Parse(strings.NewReader(t), chunkName); err == nil {
			return true
		}
	}
	return false
}

// add records one statement, typed as lines, in the editor's history and
// appends it to the history file, unless the statement is a secret.
func (h *history) add(rl *readline.Instance, lines ...string) {
	// With DisableAutoSaveHistory the editor keeps the text just entered as
	// the pending text of its current history entry; an empty entry resets
	// that (and points the editor back at the newest entry), so a secret
	// line cannot come back with the arrow keys either.
	rl.SaveHistory("")
	if IsSecret(strings.Join(lines, "\n")) {
		return
	}
	var b strings.Builder
	for _, e := range entries(lines) {
		if strings.TrimSpace(e) == "" || e == h.last {
			continue
		}
		h.last = e
		rl.SaveHistory(e)
		b.WriteString(e)
		b.WriteByte('\n')
	}
	if h.path == "" || b.Len() == 0 {
		return
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(b.String())
}
