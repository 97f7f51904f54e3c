// Package os2path holds the OS/2 path rules of the INIServe protocol
// (../shared/spec/iniserve-protocol.md §5), resolved lexically: drive
// letters, `\` and `/` as equivalent separators, `.` and `..`, and the root
// pseudo-directory whose entries are the drives. It is the one
// implementation that package server (which then looks the components up
// on disk) and package client (which tracks the session's current
// directory without asking the server) both use, so that the two can never
// disagree on where a path leads.
//
// Names are bytes in the OS/2 code page, not UTF-8: case folding touches
// ASCII letters only.
package os2path
