package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gowsgid/gowsgid/internal/httpd"
)

func newConfigtestCommand(f *httpdFlags, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "configtest",
		Short: "Check the configuration: apache2 -t's output, then gowsgid's own findings",
		Long: `configtest prints exactly what apache2 -t prints for the configuration (and
exits as it does), then gowsgid's findings: every directive gowsgid does not
implement yet, with file and line, and the checks Apache cannot make.
With --strict an unimplemented directive makes the exit status 1.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			f.test = true
			return checkCommand(f, stdout, stderr, true)
		},
	}
}

// checkCommand runs -t, -S, -M or a DUMP_* listing; with findings it also
// prints gowsgid's own findings after Apache's output.
func checkCommand(f *httpdFlags, stdout, stderr io.Writer, findings bool) error {
	res := httpd.Check(f.httpdOptions(stdout, stderr))
	if res.ExitCode != 0 {
		return exitError{res.ExitCode}
	}
	if !findings {
		return nil
	}
	unimplemented, fatal := 0, false
	for _, fd := range httpd.Findings(res.Config) {
		fmt.Fprintf(stderr, "%s:%d: %s\n", fd.File, fd.Line, fd.Message)
		if fd.Unimplemented {
			unimplemented++
		}
		fatal = fatal || fd.Fatal
	}
	if fatal {
		// Apache's -t passes these; its start fails on them.
		fmt.Fprintf(stderr, "%s: the server would not start with this configuration\n", progName())
		return exitError{1}
	}
	if f.strict && unimplemented > 0 {
		fmt.Fprintf(stderr, "%s: --strict: %d directive(s) not implemented\n", progName(), unimplemented)
		return exitError{1}
	}
	return nil
}
