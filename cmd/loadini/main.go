// Command loadini converts a GenINI TNI text file to a binary OS/2 INI file,
// as GenINI's LoadINI does.
//
//	loadini [-q] [--merge] [-o FILE] [--in-place] [NAME]
//
// NAME is the TNI file, with or without its .TNI extension; without NAME the
// first *.TNI file of the current directory is converted. The output is
// NAME.INI (the previous one kept as NAME.INI.BAK), replaced by the TNI
// file's content, or with --merge keeping what the TNI file lacks; loadini
// prints the counts of applications and keys added, changed and removed
// (-q: not). Run loadini -help for the details and exit statuses.
package main

import (
	"os"

	"github.com/inilua/inilua/cmd/internal/iniconv"
)

func main() {
	os.Exit(iniconv.Loadini(os.Args[1:], os.Stdout, os.Stderr))
}
