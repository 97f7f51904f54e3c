// Command loadini converts a GenINI TNI text file to a binary OS/2 INI file,
// as GenINI's LoadINI does.
//
//	loadini [-o FILE] [NAME]
//
// NAME is the TNI file, with or without its .TNI extension; without NAME the
// first *.TNI file of the current directory is converted. The output is
// NAME.INI (the previous one kept as NAME.INI.BAK). Run loadini -help for
// the details and exit statuses.
package main

import (
	"os"

	"github.com/inilua/inilua/cmd/internal/iniconv"
)

func main() {
	os.Exit(iniconv.Loadini(os.Args[1:], os.Stdout, os.Stderr))
}
