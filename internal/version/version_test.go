package version

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	in := Info{Module: "v1.2.3", Revision: "0123456789abcdef0123", Modified: true, GoVersion: "go1.26.8"}
	if got, want := in.String(), "v1.2.3 (rev 0123456789ab, modified) go1.26.8"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := (Info{Module: "(devel)"}).String(), "(devel)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestGet(t *testing.T) {
	in := Get()
	if in.Module == "" {
		t.Fatal("Get().Module is empty; want a version, (devel) or unknown")
	}
	if in.GoVersion != "" && !strings.HasPrefix(in.GoVersion, "go") {
		t.Errorf("GoVersion = %q, want a go1.x version", in.GoVersion)
	}
}
