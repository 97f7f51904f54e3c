// Package clidoc turns the flag sets of the programs in cmd/ (the same
// *flag.FlagSet each program parses with, built by its flags function)
// into man pages and bash/zsh completion scripts, so both follow every
// flag added to a program.
//
// Man pages: Man writes markdown (NAME, SYNOPSIS, DESCRIPTION from the
// usage text the program prints, OPTIONS from the flags, COMMANDS for
// subcommands) and converts it to roff with github.com/cpuguy83/go-md2man
// (the converter cobra's doc generator uses), instead of writing roff
// and its escaping by hand. The pages are checked in under docs/man/; each
// program's test regenerates them and fails when they differ
// (go test ./cmd/... -run TestManPage -update rewrites them).
//
// Completion: Bash writes a bash completion function generated from the
// flag sets: subcommands, flags (spelt as cliflag.Dashed spells them),
// file and directory names for flags whose value is a FILE or DIR, and for
// --limit the host names and groups of the inventories named on the
// command line, read by the program itself (CompleteHosts). Zsh writes the
// same function behind zsh's bashcompinit. This is generated here rather
// than with a library: cobra generates completions only for cobra
// commands, and posener/complete needs a hook run at the start of every
// program; neither fits flag sets parsed with the standard flag package.
package clidoc
