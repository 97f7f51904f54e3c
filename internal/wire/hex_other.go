//go:build !amd64

package wire

// appendHexWide returns 0: AppendHex's table loop encodes everything.
func appendHexWide(out, src []byte) int { return 0 }
