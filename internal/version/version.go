// Package version reports which build of inilua is running: the module
// version and the VCS revision recorded by the Go toolchain at build time
// (runtime/debug.ReadBuildInfo). Every program's --version and the batch
// JSON report use it, so they agree.
package version

import (
	"runtime/debug"
	"strings"
)

// Info is the build identity of the running program.
type Info struct {
	// Module is the main module's version: a semantic version such as
	// "v0.3.0" for `go install ...@v0.3.0`, "(devel)" for a build from a
	// work tree, or "unknown" when the binary carries no build information.
	Module string `json:"module"`
	// Revision is the VCS commit the binary was built from ("" when the
	// build was not made in a VCS work tree, e.g. `go run` of a module
	// outside one, or tests).
	Revision string `json:"revision,omitempty"`
	// Modified is true when the work tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// GoVersion is the Go toolchain that built the binary ("go1.26.8").
	GoVersion string `json:"go"`
}

// Get reads the build information of the running binary. It never fails:
// missing information gives Module "unknown" and an empty Revision.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Module: "unknown"}
	}
	in := Info{Module: bi.Main.Version, GoVersion: bi.GoVersion}
	if in.Module == "" {
		in.Module = "unknown"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Revision = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// String gives the one-line form printed by --version, without the program
// name: "v0.3.0 (rev 01ac64c1d2e3, modified) go1.26.8". The revision is
// shortened to 12 hex digits.
func (in Info) String() string {
	var b strings.Builder
	b.WriteString(in.Module)
	if in.Revision != "" {
		rev := in.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		b.WriteString(" (rev ")
		b.WriteString(rev)
		if in.Modified {
			b.WriteString(", modified")
		}
		b.WriteString(")")
	}
	if in.GoVersion != "" {
		b.WriteString(" ")
		b.WriteString(in.GoVersion)
	}
	return b.String()
}
