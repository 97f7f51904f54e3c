// Package batch is the batch runner behind `inilua batch`: it applies one
// Lua migration script to many INIServe hosts, each in its own Lua state
// (package luaapi) with a logged-in session (package client), and reports
// per host what changed.
//
// The pieces, each usable alone:
//
//   - Hosts: ParseInventory / ReadInventory (inventory files), HostsFromList
//     (--hosts), Limit (--limit globs on names and groups), Host.Password.
//   - Run: the scheduler (Options.Forks at once, Options.Serial rolling
//     batches, Options.MaxFail, Options.Stop for Ctrl-C, Options.Shard for
//     one shard of the hosts: Shard, ParseShard), one Result per host.
//   - Reports: WriteRecap (text table), WriteDiff, WriteReport (JSON, with
//     ReportMeta: script hash and arguments, shard, version),
//     WriteRetryFile (the hosts to rerun, as an inventory); ReadReport and
//     Merge join the reports of the shards of one run.
//   - Backups: BackupStore saves each remote file before its first change;
//     Restore puts them back.
//   - Demo, WriteSampleHost and LocalServers: sample hosts served in-process
//     on loopback, for `inilua demo`, the tests and the benchmark.
//
// The command-line behaviour, the inventory format, the JSON report schema
// and the exit statuses are documented in docs/batch.md.
package batch
