// Package scripts holds the Lua migration scripts shipped with inilua, for
// `inilua demo` and the tests. The scripts themselves are meant to be read
// and copied: each starts with a comment saying what it does, its
// arguments and an example command line.
package scripts

import "embed"

// FS holds every *.lua file of this directory, by base name
// ("set-setting.lua").
//
//go:embed *.lua
var FS embed.FS
