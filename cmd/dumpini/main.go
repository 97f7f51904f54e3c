// Command dumpini converts a binary OS/2 INI file to GenINI's TNI text
// format, as GenINI's DumpINI does.
//
//	dumpini [--fmt FILE] [-o FILE] [--skip-unrepresentable] [NAME]
//
// NAME is the INI file, with or without its .INI extension; without NAME the
// first *.INI file of the current directory is converted. The output is
// NAME.TNI (the previous one kept as NAME.TNI.BAK), written with the format
// file NAME.FMT when it exists. Run dumpini -help for the details and exit
// statuses.
package main

import (
	"os"

	"github.com/inilua/inilua/cmd/internal/iniconv"
)

func main() {
	os.Exit(iniconv.Dumpini(os.Args[1:], os.Stdout, os.Stderr))
}
