package batch

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/inilua/inilua/internal/plural"
)

// progress reports finished hosts: a progress bar redrawn below the
// output on a terminal, or one plain line per host otherwise. All output
// of a run goes through it, so lines of different hosts never interleave.
type progress struct {
	mu    sync.Mutex
	out   io.Writer
	bar   *progressbar.ProgressBar
	total int
	n     int
	// hostLines: print the result line of every host under the bar too;
	// okNote: added to the line of an ok host (Options.OKNote)
	hostLines bool
	okNote    string
}

func newProgress(out io.Writer, bar bool, total int) *progress {
	p := &progress{out: out, total: total}
	if bar && total > 0 {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(out),
			progressbar.OptionSetDescription("hosts"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetRenderBlankState(true),
		)
	}
	return p
}

// done prints text (the host's output and diff, may be empty) and counts
// res as finished.
func (p *progress) done(res *Result, text []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.bar != nil {
		// on a terminal, failures are shown as they happen (not only in
		// the recap); skipped hosts only in the recap
		p.bar.Clear()
		p.out.Write(text)
		if p.hostLines {
			fmt.Fprintln(p.out, p.line(res))
		} else if res.Status == StatusFailed || res.Status == StatusUnreachable {
			fmt.Fprintf(p.out, "%s: %s: %s\n", res.Host.Name, res.Status, oneLine(res.Err))
		}
		p.bar.Add(1)
		return
	}
	p.out.Write(text)
	fmt.Fprintln(p.out, p.line(res))
}

// line returns the result line of res, the p.n-th host to finish.
func (p *progress) line(res *Result) string {
	line := fmt.Sprintf("[%d/%d] %s: %s", p.n, p.total, res.Host.Name, res.Status)
	switch {
	case res.Status == StatusChanged && len(res.Notified) > 0:
		line += fmt.Sprintf(" (%s; notified %s)", plural.Count(len(res.Changes), "change"), oneLine(strings.Join(res.Notified, ", ")))
	case res.Status == StatusChanged:
		line += " (" + plural.Count(len(res.Changes), "change") + ")"
	case res.Err != "":
		line += ": " + oneLine(res.Err)
	case res.Status == StatusOK && p.okNote != "":
		line += " (" + p.okNote + ")"
	}
	return line
}

// finish removes the progress bar.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
	}
}
