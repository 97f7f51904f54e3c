//go:build !amd64

package ini

// tniEncodeTriplesWide is the SSSE3 encoder of triples_amd64.go, which
// other CPUs do not have: it reports false and the caller's loop does all.
func tniEncodeTriplesWide(dst, src []byte) bool { return false }

// tniHasSSSE3 is false: there is no SSSE3 code for other CPUs.
var tniHasSSSE3 = false
