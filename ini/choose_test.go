package ini

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// memFiles is an in-memory ReadFile for Choose.
type memFiles map[string][]byte

func (m memFiles) read(name string) ([]byte, error) {
	if d, ok := m[name]; ok {
		return d, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// binaryWith returns a binary INI file holding ($SYS, UseTNI) = use (absent
// when use is nil) plus one unrelated key.
func binaryWith(t *testing.T, use []byte) []byte {
	t.Helper()
	f := New()
	if err := f.Put([]byte("App"), []byte("Key"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if use != nil {
		if err := f.Put([]byte("$SYS"), []byte("UseTNI"), use); err != nil {
			t.Fatal(err)
		}
	}
	data, err := f.MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary: %v", err)
	}
	return data
}

// tniWith returns TNI text with the given UseTNI line (none when line is "").
func tniWith(line string) []byte {
	s := "[$SYS]\r\n   ServerPort=3560\r\n"
	if line != "" {
		s += "   " + line + "\r\n"
	}
	return []byte(s + "[/$SYS]\r\n")
}

func TestChoose(t *testing.T) {
	one, zero, two := []byte{1}, []byte{0}, []byte{2}
	tests := []struct {
		name     string
		ini      []byte // binary UseTNI value; nil: absent. Ignored unless iniFile
		iniFile  bool
		tni      string // UseTNI line in the TNI file
		tniFile  bool
		override Override
		want     Format
	}{
		// §6.2 rule 1
		{name: "only INI", iniFile: true, want: FormatINI},
		{name: "only INI with UseTNI=1", iniFile: true, ini: one, want: FormatINI},
		{name: "only TNI", tniFile: true, want: FormatTNI},
		{name: "only TNI with UseTNI=0", tniFile: true, tni: "UseTNI=(1)0", want: FormatTNI},
		{name: "neither", want: FormatINI},
		// rule 2/3: both exist
		{name: "both, neither has UseTNI", iniFile: true, tniFile: true, want: FormatINI},
		{name: "both, INI says TNI", iniFile: true, ini: one, tniFile: true, want: FormatTNI},
		{name: "both, INI says INI", iniFile: true, ini: zero, tniFile: true, want: FormatINI},
		{name: "both, TNI says TNI", iniFile: true, tniFile: true, tni: "UseTNI=(1)1", want: FormatTNI},
		{name: "both, TNI says INI", iniFile: true, tniFile: true, tni: "UseTNI=(1)0", want: FormatINI},
		{name: "both agree TNI", iniFile: true, ini: one, tniFile: true, tni: "UseTNI=(1)1", want: FormatTNI},
		{name: "both agree INI", iniFile: true, ini: zero, tniFile: true, tni: "UseTNI=(1)0", want: FormatINI},
		{name: "both agree non-zero 2 and 1", iniFile: true, ini: two, tniFile: true, tni: "UseTNI=(1)1", want: FormatTNI},
		{name: "disagree INI=1 TNI=0", iniFile: true, ini: one, tniFile: true, tni: "UseTNI=(1)0", want: FormatINI},
		{name: "disagree INI=0 TNI=1", iniFile: true, ini: zero, tniFile: true, tni: "UseTNI=(1)1", want: FormatINI},
		// rule 2: only a 1-byte value counts
		{name: "TNI UseTNI=1 is 4 bytes: absent", iniFile: true, tniFile: true, tni: "UseTNI=1", want: FormatINI},
		{name: "TNI 4-byte absent, INI decides", iniFile: true, ini: one, tniFile: true, tni: "UseTNI=0", want: FormatTNI},
		{name: "INI 2-byte UseTNI absent", iniFile: true, ini: []byte{1, 0}, tniFile: true, want: FormatINI},
		{name: "INI 2-byte absent, TNI decides", iniFile: true, ini: []byte{1, 0}, tniFile: true, tni: "UseTNI=(1)1", want: FormatTNI},
		{name: "INI empty UseTNI absent", iniFile: true, ini: []byte{}, tniFile: true, tni: "UseTNI=(1)1", want: FormatTNI},
		{name: "TNI string UseTNI absent", iniFile: true, ini: one, tniFile: true, tni: "UseTNI=x", want: FormatTNI},
		// rule 4: override
		{name: "force TNI, only INI", iniFile: true, override: ForceTNI, want: FormatTNI},
		{name: "force TNI, neither", override: ForceTNI, want: FormatTNI},
		{name: "force INI, both say TNI", iniFile: true, ini: one, tniFile: true, tni: "UseTNI=(1)1", override: ForceINI, want: FormatINI},
		{name: "force INI, only TNI", tniFile: true, override: ForceINI, want: FormatINI},
		{name: "force TNI, both say INI", iniFile: true, ini: zero, tniFile: true, tni: "UseTNI=(1)0", override: ForceTNI, want: FormatTNI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := memFiles{}
			if tt.iniFile {
				files["dir/PROG.INI"] = binaryWith(t, tt.ini)
			}
			if tt.tniFile {
				files["dir/PROG.TNI"] = tniWith(tt.tni)
			}
			path, format, err := Choose("dir/PROG", ChooseOptions{Override: tt.override, ReadFile: files.read})
			if err != nil {
				t.Fatalf("Choose: %v", err)
			}
			wantPath := "dir/PROG.INI"
			if tt.want == FormatTNI {
				wantPath = "dir/PROG.TNI"
			}
			if format != tt.want || path != wantPath {
				t.Errorf("Choose = %q, %v; want %q, %v", path, format, wantPath, tt.want)
			}
		})
	}
}

func TestChooseUseTNIOnlyInSYS(t *testing.T) {
	f := New()
	for _, app := range []string{"$sys", "SYS", "Other"} {
		if err := f.Put([]byte(app), []byte("UseTNI"), []byte{1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Put([]byte("$SYS"), []byte("usetni"), []byte{1}); err != nil {
		t.Fatal(err)
	}
	data, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	files := memFiles{"P.INI": data, "P.TNI": tniWith("")}
	path, format, err := Choose("P", ChooseOptions{ReadFile: files.read})
	if err != nil || path != "P.INI" || format != FormatINI {
		t.Errorf("Choose = %q, %v, %v; want P.INI (UseTNI only counts in $SYS, exact case)", path, format, err)
	}
}

func TestChooseLowerCaseNames(t *testing.T) {
	tests := []struct {
		files    []string
		override Override
		wantPath string
		want     Format
	}{
		{[]string{"p.ini"}, NoOverride, "p.ini", FormatINI},
		{[]string{"p.tni"}, NoOverride, "p.tni", FormatTNI},
		{[]string{"p.ini"}, ForceTNI, "p.TNI", FormatTNI},
		{[]string{"p.tni"}, ForceTNI, "p.tni", FormatTNI},
		{[]string{"p.INI", "p.ini"}, NoOverride, "p.INI", FormatINI},
		{[]string{"p.TNI", "p.tni"}, ForceTNI, "p.TNI", FormatTNI},
		// mixed case such as p.Ini is not looked for
		{[]string{"p.Ini", "p.Tni"}, NoOverride, "p.INI", FormatINI},
	}
	for _, tt := range tests {
		files := memFiles{}
		for _, name := range tt.files {
			files[name] = tniWith("") // content irrelevant: only one format exists or override
		}
		path, format, err := Choose("p", ChooseOptions{Override: tt.override, ReadFile: files.read})
		if err != nil || path != tt.wantPath || format != tt.want {
			t.Errorf("files %v override %v: Choose = %q, %v, %v; want %q, %v", tt.files, tt.override, path, format, err, tt.wantPath, tt.want)
		}
	}
}

func TestChooseLowerCaseBothExist(t *testing.T) {
	files := memFiles{"p.ini": binaryWith(t, nil), "p.tni": tniWith("UseTNI=(1)1")}
	path, format, err := Choose("p", ChooseOptions{ReadFile: files.read})
	if err != nil || path != "p.tni" || format != FormatTNI {
		t.Errorf("Choose = %q, %v, %v; want p.tni, tni", path, format, err)
	}
}

func TestChooseErrors(t *testing.T) {
	denied := errors.New("permission denied")
	failing := func(name string) ([]byte, error) {
		if name == "P.TNI" {
			return nil, &fs.PathError{Op: "open", Path: name, Err: denied}
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if _, _, err := Choose("P", ChooseOptions{ReadFile: failing}); !errors.Is(err, denied) || !strings.Contains(err.Error(), "P.TNI") {
		t.Errorf("read error: Choose error = %v, want it to wrap the read error naming P.TNI", err)
	}

	// both exist and one cannot be parsed: an error naming the file
	files := memFiles{"P.INI": binaryWith(t, []byte{1}), "P.TNI": []byte("; a comment\r\n[$SYS]\r\n[/$SYS]\r\n")}
	_, _, err := Choose("P", ChooseOptions{ReadFile: files.read})
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "P.TNI") {
		t.Errorf("bad TNI: Choose error = %v, want a *FormatError naming P.TNI", err)
	}
	files = memFiles{"P.INI": []byte{0xFF, 0xFF, 0xFF, 0xFF, 1}, "P.TNI": tniWith("UseTNI=(1)1")}
	_, _, err = Choose("P", ChooseOptions{ReadFile: files.read})
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "P.INI") {
		t.Errorf("bad INI: Choose error = %v, want a *FormatError naming P.INI", err)
	}
	// an override does not read the content, so a bad file does not matter
	path, format, err := Choose("P", ChooseOptions{ReadFile: files.read, Override: ForceTNI})
	if err != nil || path != "P.TNI" || format != FormatTNI {
		t.Errorf("override with bad INI: Choose = %q, %v, %v", path, format, err)
	}
	// only one file exists: its content is not parsed either
	files = memFiles{"P.INI": []byte("garbage")}
	path, format, err = Choose("P", ChooseOptions{ReadFile: files.read})
	if err != nil || path != "P.INI" || format != FormatINI {
		t.Errorf("only a bad INI: Choose = %q, %v, %v", path, format, err)
	}
}

// TestChooseInRoot runs Choose on real files through an os.Root, as the
// server does, and through the default os.ReadFile.
func TestChooseInRoot(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "PROG.INI"), binaryWith(t, []byte{1}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "PROG.TNI"), tniWith(""), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	path, format, err := Choose("PROG", ChooseOptions{ReadFile: root.ReadFile})
	if err != nil || path != "PROG.TNI" || format != FormatTNI {
		t.Errorf("in root: Choose = %q, %v, %v; want PROG.TNI, tni", path, format, err)
	}
	// a name escaping the root is refused by the root, not read
	if _, _, err := Choose("../x/PROG", ChooseOptions{ReadFile: root.ReadFile}); err == nil {
		t.Error("Choose outside the root: no error")
	}
	base := filepath.Join(dir, "PROG")
	path, format, err = Choose(base, ChooseOptions{})
	if err != nil || path != base+".TNI" || format != FormatTNI {
		t.Errorf("os.ReadFile: Choose = %q, %v, %v; want %s.TNI, tni", path, format, err, base)
	}
}
