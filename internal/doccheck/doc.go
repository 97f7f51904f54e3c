// Package doccheck holds a test that reads every Go file of the module and
// refuses comments that cite the project's own issue tracker by number (the
// word issue or task followed by a number, or a hash and a number): a comment says what the code does and why, and an
// issue number means nothing to a reader of the source. It has no code.
package doccheck
