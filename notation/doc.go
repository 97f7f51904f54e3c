// Package notation renders INI names and values as one line of text, the
// notation of `inilua batch --diff`, `inilua diff` and `inilua query`
// (docs/batch.md, docs/fleet.md): text quoted in Go syntax, anything else as
// hex with the little-endian number for 1, 2 and 4 bytes, names as they are
// unless they hold control bytes.
//
// It has no state and no dependencies beyond the standard library, so the
// batch runner, the differ and the fleet commands share one notation.
package notation
