// Package fleet reads INI files across many INIServe hosts without
// changing any of them, for `inilua diff`, `inilua query` and `inilua pull`
// (docs/fleet.md).
//
//   - Location and ParseLocation: a file named on the command line, a local
//     path or HOST[:PORT]:C:\PATH\FILE.INI.
//   - Connector: resolves host names through the batch inventory (package
//     batch: addresses and passwords) and opens read-only sessions.
//     Connector.ReadFile reads a local or remote file whole.
//   - Query: one key, or every key of one application, on every host,
//     concurrently; Report groups the hosts by value, majority first, and
//     writes a table (WriteTable) or JSON (WriteJSON).
//   - Pull: copies the files matching masks from every host into a local
//     tree DIR/<host>/<path>, as TNI text or binary INI.
//
// Every session is opened in client check mode (client.Options.CheckMode),
// so W, D, M, R, X, E and ^ can never be sent, and a file is listed with L
// before it is selected with F, so a missing file is reported, never
// created (the original INIServe creates a file on F).
package fleet
