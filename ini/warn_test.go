package ini

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// collect returns a warn func and the messages (Error()) it received.
func collect() (func(*FormatError), *[]string) {
	var got []string
	return func(e *FormatError) { got = append(got, e.Error()) }, &got
}

func TestParseWarnBinary(t *testing.T) {
	data := binWorkedExample()
	warn, got := collect()
	if _, err := ParseWarn("W.INI", data, FormatINI, warn); err != nil || len(*got) != 0 {
		t.Fatalf("clean file: %v, warnings %q", err, *got)
	}
	bad := bytes.Clone(data)
	binary.LittleEndian.PutUint32(bad[8:], uint32(len(bad)+100)) // header length field
	binPut16(bad, 0x22, 9)                                       // second copy of the application name length
	warn, got = collect()
	f, err := ParseWarn("W.INI", bad, FormatINI, warn)
	if err != nil || f == nil {
		t.Fatalf("tolerated anomalies refused: %v", err)
	}
	want := []string{
		"W.INI: offset 0 (0x0): header: file length field says",
		"W.INI: offset 20 (0x14): application record: the two copies of the application name length differ",
	}
	if len(*got) != len(want) {
		t.Fatalf("warnings %q, want %d", *got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix((*got)[i], w) {
			t.Errorf("warning %d = %q, want prefix %q", i, (*got)[i], w)
		}
	}
	// the same file through Parse: same model, no way to see the anomalies
	g, err := Parse("W.INI", bad, FormatINI)
	if err != nil || !g.Equal(f) {
		t.Errorf("Parse differs from ParseWarn: %v", err)
	}
}

func TestParseWarnLongLines(t *testing.T) {
	long := strings.Repeat("x", RefLineMax-4) // "k='" + long + "'" is RefLineMax bytes
	text := "[A]\r\n" +
		"k='" + long + "'\r\n" + // line 2: exactly RefLineMax, kept by the reference
		"m='" + long + "yz'\r\n" + // line 3: RefLineMax+2
		"[/A]\n" +
		"\x1a\n" +
		strings.Repeat("y", 600) + "\n" // after Ctrl-Z: not read by anyone
	warn, got := collect()
	f, err := ParseWarn("L.TNI", []byte(text), FormatTNI, warn)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Lookup([]byte("A"), []byte("m")); len(v) != RefLineMax-2 {
		t.Errorf("the long value was cut: %d bytes", len(v))
	}
	want := "L.TNI:3: line is 514 bytes long; the reference TNI reader (LoadINI, INIServe) keeps only the first 512 and drops the rest"
	if len(*got) != 1 || (*got)[0] != want {
		t.Errorf("warnings %q, want [%q]", *got, want)
	}
	// a refused file gives its error, no warnings
	warn, got = collect()
	if _, err := ParseWarn("L.TNI", []byte("junk\n"+strings.Repeat("z", 600)), FormatTNI, warn); err == nil || len(*got) != 0 {
		t.Errorf("refused file: %v, warnings %q", err, *got)
	}
}

func TestChooseWarnsUseTNISize(t *testing.T) {
	files := memFiles{
		"P.INI": binaryWith(t, []byte{1, 0, 0, 0}),
		"P.TNI": tniWith("UseTNI=1"), // 4 bytes: the common mistake
	}
	warn, got := collect()
	p, format, err := Choose("P", ChooseOptions{ReadFile: files.read, Warn: warn})
	if err != nil || p != "P.INI" || format != FormatINI {
		t.Fatalf("Choose = %q %v %v, want P.INI (both values absent)", p, format, err)
	}
	if len(*got) != 2 || !strings.HasPrefix((*got)[0], "P.INI: ($SYS, UseTNI) is 4 bytes long, not 1") ||
		!strings.HasPrefix((*got)[1], "P.TNI: ($SYS, UseTNI) is 4 bytes long, not 1") {
		t.Errorf("warnings %q", *got)
	}
	files["P.TNI"] = tniWith("UseTNI=(1)1")
	files["P.INI"] = binaryWith(t, nil)
	warn, got = collect()
	if p, _, err := Choose("P", ChooseOptions{ReadFile: files.read, Warn: warn}); err != nil || p != "P.TNI" || len(*got) != 0 {
		t.Errorf("right size: %q %v, warnings %q", p, err, *got)
	}
}
