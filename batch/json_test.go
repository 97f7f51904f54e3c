package batch

import (
	"context"
	"strings"
	"testing"
)

// TestJSONInBatchScripts: the json module is there in batch scripts (a
// migration reads its data from an argument or a file and reports in JSON).
func TestJSONInBatchScripts(t *testing.T) {
	hosts, _, _ := testHosts(t, 1)
	code := []byte(`
local data = json.decode(ARGS.data)
print(json.encode({host = HOST.name, users = data.users}))
`)
	results, err := Run(context.Background(), hosts, Options{Script: "j.lua", Code: code, Args: []string{`data={"users": ["ann", "bob"]}`}})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != StatusOK {
		t.Fatalf("%s: %s", results[0].Status, results[0].Err)
	}
	// the output also holds the runtime's warnings (empty password)
	if got, want := string(results[0].Output), "\n"+`{"host":"host1","users":["ann","bob"]}`+"\n"; !strings.HasSuffix("\n"+got, want) {
		t.Errorf("output %q does not end in the line %q", got, want[1:])
	}
}
