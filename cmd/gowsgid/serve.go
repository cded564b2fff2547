package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/gowsgid/gowsgid/internal/httpd"
	"github.com/gowsgid/gowsgid/server"
)

// serveCommand checks the configuration as the server does at start-up,
// then serves it until SIGTERM or SIGINT.
func serveCommand(f *httpdFlags, stdout, stderr io.Writer) error {
	diag, err := diagnostics(f.logFormat, stderr)
	if err != nil {
		return err
	}
	res := httpd.Check(f.httpdOptions(stdout, stderr))
	if res.ExitCode != 0 {
		return exitError{res.ExitCode}
	}
	unimplemented := 0
	for _, fd := range httpd.Findings(res.Config) {
		if fd.Unimplemented {
			unimplemented++
		}
		diag.Warn().Str("file", fd.File).Int("line", fd.Line).Str("directive", fd.Directive).Msg(fd.Message)
	}
	if f.strict && unimplemented > 0 {
		fmt.Fprintf(stderr, "%s: --strict: %d directive(s) not implemented; not starting\n", progName(), unimplemented)
		return exitError{1}
	}
	elog, err := server.OpenErrorLog(res.Config)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
		return exitError{1}
	}
	defer elog.Close()
	svc, stopServices := services(res.Config, elog)
	defer stopServices()
	srv, err := server.New(res.Config, server.Options{Services: svc, Diagnostics: diag, ErrorLog: elog})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
		return exitError{1}
	}
	ls, err := srv.Listen()
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitError{1}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := srv.Serve(ctx, ls); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
		return exitError{1}
	}
	_ = os.Stdout
	return nil
}

// diagnostics is the logger of gowsgid's own messages on stderr:
// zerolog's console lines, or JSON objects with --log-format json.
func diagnostics(format string, stderr io.Writer) (zerolog.Logger, error) {
	var w io.Writer
	switch format {
	case "", "console":
		w = zerolog.ConsoleWriter{Out: stderr, NoColor: true, TimeFormat: time.RFC3339}
	case "json":
		w = stderr
	default:
		return zerolog.Logger{}, fmt.Errorf("--log-format %q: want console or json", format)
	}
	return zerolog.New(w).With().Timestamp().Str("prog", progName()).Logger(), nil
}
