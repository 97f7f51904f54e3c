// Package plural spells counts in messages: "1 key", "2 keys". The nouns
// used take a plain s (application, key, byte, host, item, name).
package plural

import "strconv"

// Count returns n and noun, with an s unless n is 1: Count(1, "key") is
// "1 key", Count(0, "key") is "0 keys".
func Count(n int, noun string) string {
	return strconv.Itoa(n) + " " + Noun(n, noun)
}

// Noun returns noun, with an s unless n is 1: Noun(2, "host") is "hosts".
func Noun(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
