package httpd

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/gowsgid/gowsgid/confparse"
)

// Version is gowsgid's release.
const Version = "0.1.0"

// PrintVersion writes the version in the two-line form of apache2 -v, so
// scripts that read "Server version:" keep working.
func PrintVersion(w io.Writer) {
	built := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.time" {
				built = s.Value
			}
		}
	}
	fmt.Fprintf(w, "Server version: gowsgid/%s (compatible with Apache/%s and mod_wsgi/4.9.4)\n", Version, confparse.ApacheVersion)
	fmt.Fprintf(w, "Server built:   %s\n", built)
}
