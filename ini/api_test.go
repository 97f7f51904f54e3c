package ini

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

// TestValueHelpersExported: of the per-type value helpers, only Decode,
// Encode and the few other packages use are exported; the rest are
// internal, so the public API has one way to read and build a typed value.
func TestValueHelpersExported(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "values.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
			got = append(got, fd.Name.Name)
		}
	}
	slices.Sort(got)
	want := []string{"Decode", "Encode", "EncodeString0", "EncodeStrings", "EncodeU32", "EncodeU8", "Hex",
		"ParseValueType", "Strings", "U32", "ValueTypeNames"}
	if !slices.Equal(got, want) {
		t.Errorf("exported functions of values.go:\n got %q\nwant %q", got, want)
	}
}
