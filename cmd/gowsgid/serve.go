package main

import (
	"fmt"
	"io"

	"github.com/gowsgid/gowsgid/internal/httpd"
)

// serveCommand checks the configuration as the server does at start-up and
// then serves it.
func serveCommand(f *httpdFlags, stdout, stderr io.Writer) error {
	res := httpd.Check(f.httpdOptions(stdout, stderr))
	if res.ExitCode != 0 {
		return exitError{res.ExitCode}
	}
	unimplemented := 0
	for _, fd := range httpd.Findings(res.Config) {
		if fd.Unimplemented {
			unimplemented++
			fmt.Fprintf(stderr, "%s: warning: %s:%d: %s\n", progName(), fd.File, fd.Line, fd.Message)
		}
	}
	if f.strict && unimplemented > 0 {
		fmt.Fprintf(stderr, "%s: --strict: %d directive(s) not implemented; not starting\n", progName(), unimplemented)
		return exitError{1}
	}
	fmt.Fprintf(stderr, "%s: the configuration is valid, but serving is not built yet\n", progName())
	return exitError{1}
}
