package batch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/inilua/inilua/batch"
)

// Run a migration on three sample hosts served in-process on loopback:
// the third host already has the value, so it stays ok.
func ExampleRun() {
	root, err := os.MkdirTemp("", "batch-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(root)
	var dirs []string
	for i := range 3 {
		dir := filepath.Join(root, fmt.Sprintf("host%d", i+1))
		if err := batch.WriteSampleHost(dir, i); err != nil {
			panic(err)
		}
		dirs = append(dirs, dir)
	}
	hosts, shutdown, err := batch.LocalServers(dirs, nil)
	if err != nil {
		panic(err)
	}
	defer shutdown()

	code := []byte(`
local s = ...
local f = s:open("C:\\MAILSRV\\MAILSRV.INI")
f:set("$SYS", "TimeOut", tonumber(ARGS.timeout), "u32")
`)
	results, err := batch.Run(context.Background(), hosts, batch.Options{
		Script: "timeout.lua", Code: code, Args: []string{"timeout=300"},
	})
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r.Host.Name, r.Status, len(r.Changes))
	}
	fmt.Printf("%+v\n", batch.Summarize(results))
	// Output:
	// host1 changed 1
	// host2 changed 1
	// host3 ok 0
	// {OK:1 Changed:2 Failed:0 Unreachable:0 Skipped:0}
}
