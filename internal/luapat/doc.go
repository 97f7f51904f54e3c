// Package luapat is the pattern matcher of Lua 5.1's string library
// (lstrlib.c: match, max_expand, min_expand, classes, %b, %f, captures and
// back references), ported to Go so that luaapi can give scripts a
// string.gsub, find, match and gmatch that are linear in the subject for
// ordinary patterns and can be interrupted.
//
// The matcher backtracks exactly as Lua 5.1 does, so a pathological
// pattern can still take exponential time; Matcher.Check is called every
// CheckEvery steps and an error it returns ends the match at once, which
// is how a script's deadline or Ctrl-C stops one long library call.
//
// Character classes are those of the C locale (ASCII): %a %c %d %l %p %s
// %u %w %x %z and their upper-case complements. A NUL byte in a pattern is
// an ordinary character (in C Lua 5.1 it ends the pattern).
package luapat
