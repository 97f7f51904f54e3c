package batch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONErrorsNameTheLine: a damaged report or backup index is refused
// with the line and column of the fault, so it can be found in a file of
// thousands of hosts.
func TestJSONErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"{\n  \"hosts\": [\n    {\"name\": \"a\",, }\n  ]\n}\n", "line 3, column 18: invalid character ','"},
		{"{\n  \"hosts\": 5\n}\n", "line 2, column 12: json: cannot unmarshal number"},
		{"{\"hosts\": []} trailing", "line 1, column 15: invalid character 't' after top-level value"},
		{"{\"hosts\": [", "unexpected end of JSON input"},
	} {
		_, err := ReadReport(strings.NewReader(tc.text), "r.json")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "r.json: ") {
			t.Errorf("ReadReport(%q): %v, want %q", tc.text, err, tc.want)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, IndexFile), []byte("{\n\"files\": [\n{\"backup\": 7}\n]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadBackupIndex(dir)
	if err == nil || !strings.Contains(err.Error(), "index.json: line 3, column 12: json: cannot unmarshal number") {
		t.Errorf("ReadBackupIndex: %v", err)
	}
}

func TestJSONAtOutsideData(t *testing.T) {
	// an offset the data does not hold leaves the error as it was
	err := jsonAt([]byte("{}"), &json.SyntaxError{Offset: 9})
	if strings.Contains(err.Error(), "line") {
		t.Errorf("jsonAt past the data: %v", err)
	}
}
