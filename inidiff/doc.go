// Package inidiff compares the entries of two INI files and turns the
// difference into text or into a Lua migration script, for `inilua diff`
// (docs/fleet.md).
//
//   - Compare gives the difference per application and key (Diff), in
//     unsigned byte order of the names, so the result does not depend on
//     the order of the files. Only entries count: the same applications,
//     keys and values in another order are the same, and an application
//     without keys counts as absent (INIServe and the OS/2 profile API drop
//     an application with its last key).
//   - WriteText prints a Diff in the notation of `inilua batch --diff`
//     (package notation).
//   - WriteLua writes a Diff as a Lua script for the public Lua API
//     (docs/lua-api.md) that, run on the old entries, gives the new ones,
//     and changes nothing when run again. It runs both under `inilua batch`
//     (the session is the first value of "...") and as a local script.
//   - LuaString and LuaValue give the Lua source for one name or value.
package inidiff
