package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/httpd"
	"github.com/gowsgid/gowsgid/internal/pemkey"
	"github.com/gowsgid/gowsgid/privsep"
	"github.com/gowsgid/gowsgid/server"
	"github.com/gowsgid/gowsgid/status"
	"github.com/gowsgid/gowsgid/vhost"
)

// serveCommand checks the configuration as the server does at start-up,
// then serves it, answering httpd's signals: SIGUSR1 (graceful restart)
// and SIGHUP (restart) re-read the configuration, SIGWINCH stops
// gracefully, SIGTERM and SIGINT stop.
func serveCommand(f *httpdFlags, stdout, stderr io.Writer) error {
	// Sockets systemd passed are claimed before anything starts a
	// process (envvars' shell, the privileged helper), which would
	// inherit them and LISTEN_FDS.
	activated := server.ClaimActivated()
	// A graceful restart reads the configuration again as User: what
	// needs root was allowed at start-up and stays so.
	f.startedAsRoot = os.Geteuid() == 0
	// A server -k start leaves in the background lets go of its caller's
	// terminal or pipe before it starts any process (the privileged
	// helper, daemon workers, piped loggers inherit fds 1 and 2); its
	// start-up errors still reach the caller, until it serves.
	var caller *os.File
	if f.detached() {
		if caller = detachStandardStreams(); caller != nil {
			defer caller.Close()
			stdout, stderr = caller, caller
		}
	}
	diag, err := diagnostics(f.logFormat, stderr)
	if err != nil {
		return err
	}
	cfg, notices, ok := loadConfigNotices(f, stdout, stderr, diag)
	if !ok {
		return exitError{1}
	}
	// As Apache's children, a server started as root serves as User,
	// with no application code loaded before. The privileged helper,
	// started first, keeps what root is still needed for: it opens the
	// logs and starts the piped log programs, which Apache's parent
	// runs as root, also when they are started again.
	var helper *privsep.Client
	if dropsPrivileges(cfg) {
		if helper, err = startHelper(f); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
			return exitError{1}
		}
	}
	var elog *server.ErrorLog
	if helper != nil {
		elog, err = server.OpenErrorLogVia(cfg, helper.OpenFile, helper.StartPipe)
	} else {
		elog, err = server.OpenErrorLog(cfg)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
		return exitError{1}
	}
	defer elog.Close()
	logNotices(elog, notices)
	if f.detached() {
		// From here on, what the processes it starts write to their
		// standard error reaches the error log, as in Apache.
		stderrToErrorLog(elog)
	}
	if os.Geteuid() == 0 && cfg.User == "" {
		// Apache's children would run as uid -1 (and its mod_wsgi
		// daemons fail to start); gowsgid serves, but says what it
		// serves as.
		elog.Client("warn", "core", "", "gowsgid: no User directive: the server, its WSGI applications and "+
			"daemon processes without user= run as root")
	}
	ls, unused, err := server.Listen(cfg, activated)
	for _, addr := range unused {
		elog.Client("warn", "core", "", fmt.Sprintf("gowsgid: no Listen line names %s, which systemd passed; "+
			"its connections are not served (add a Listen line or remove the ListenStream)", addr))
	}
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitError{1}
	}
	// Signals are taken before the pid file is written: a -k graceful
	// sent the moment it exists waits until the server serves, rather
	// than being lost (Go drops a SIGUSR1 nobody asked for) or stopping
	// the server (SIGHUP).
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGWINCH)
	defer signal.Stop(sigs)
	pidFile := server.PidFilePath(cfg)
	if err := elog.WritePidFile(pidFile); err != nil {
		elog.Client("error", "core", "", err.Error())
		elog.Client("error", "core", "", fmt.Sprintf("AH00100: %s: could not log pid to file %s", progName(), pidFile))
		return exitError{1}
	}
	defer server.RemovePidFile(pidFile, os.Getpid())
	builder := &serviceBuilder{elog: elog, stats: status.New()}
	defer builder.close()
	opts := server.Options{Diagnostics: diag, ErrorLog: elog, Stats: builder.stats, NoStatCache: f.noStatCache,
		CommandLine: commandLine()}
	if helper != nil {
		if err := dropPrivileges(cfg); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
			return exitError{1}
		}
		builder.spawner, opts.Listen = helper, helper.Listen
		opts.OpenFile, opts.StartPipe = helper.OpenFile, helper.StartPipe
		opts.StartMapProgram = helper.StartMapProgram
		cfg.ReadFile, cfg.ReadKey = helper.ReadFile, helper.ReadKey
	}
	// Keys a pass phrase decrypted are kept for the graceful restarts.
	keys := &confparse.KeyCache{}
	cfg.Keys, cfg.PassPhraseTerminal = keys, standardStreams()
	svc, groups := builder.build(cfg)
	opts.Services = svc
	srv, err := server.New(cfg, opts)
	cfg.ForgetPassPhrases()
	if err != nil {
		groups.stop()
		logStartFailure(elog, err)
		if !f.detached() {
			fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
		}
		return exitError{1}
	}
	builder.publish()
	errc := srv.Start(ls)
	// The lines of the configuration's MPM (a graceful restart cannot
	// change it).
	mpm := server.MPMLogOf(cfg)
	notify := func(state string) {
		if err := server.Notify(state); err != nil {
			elog.Client("warn", "systemd", "", err.Error())
		}
	}
	notify(fmt.Sprintf("READY=1\nMAINPID=%d", os.Getpid()))
	if caller != nil {
		caller.Close() // serving: the caller's pipe is let go
	}
	for {
		select {
		case err := <-errc:
			srv.Stop(time.Second)
			groups.stop()
			fmt.Fprintf(stderr, "%s: %v\n", progName(), err)
			return exitError{1}
		case sig := <-sigs:
			switch sig {
			case syscall.SIGUSR1, syscall.SIGHUP:
				mpm.Restarting(elog, sig == syscall.SIGUSR1)
				notify("RELOADING=1")
				if next, ok := reload(f, srv, builder, helper, keys, elog, diag, groups, mpm); ok {
					groups = next
				}
				if f.detached() {
					stderrToErrorLog(elog) // the log was reopened
				}
				notify("READY=1")
			case syscall.SIGWINCH:
				mpm.StoppingGracefully(elog)
				notify("STOPPING=1")
				// Apache's pid file goes at once: graceful-stop then
				// start runs a new server while this one finishes.
				if helper != nil {
					if err := helper.RemovePidFile(); err != nil {
						elog.Client("warn", "core", "", err.Error())
					}
				} else {
					server.RemovePidFile(pidFile, os.Getpid())
				}
				gracefulStop(srv, sigs, elog, mpm)
				groups.stop()
				return nil
			default:
				mpm.Stopping(elog)
				notify("STOPPING=1")
				srv.Stop(3 * time.Second)
				groups.stop()
				return nil
			}
		}
	}
}

// commandLine is the process's command line as the error log shows it
// (AH00094): as Apache's ap_mpm_rewrite_args leaves it, without -k and
// its argument, -DNAME written -D NAME; and without the -DNO_DETACH -k
// start adds for the server it leaves in the background.
func commandLine() string {
	var out []string
	for i := 0; i < len(os.Args); i++ {
		a := os.Args[i]
		switch {
		case a == "-DNO_DETACH":
		case a == "-k" && i > 0:
			i++
		case strings.HasPrefix(a, "-k") && len(a) > 2 && i > 0:
		case strings.HasPrefix(a, "-D") && len(a) > 2 && i > 0:
			out = append(out, "-D", a[2:])
		default:
			out = append(out, a)
		}
	}
	return strings.Join(out, " ")
}

// detached reports whether this server runs in the background, as -k
// start runs it: -DNO_DETACH without -DFOREGROUND.
func (f *httpdFlags) detached() bool {
	return slices.Contains(f.defines, "NO_DETACH") && !slices.Contains(f.defines, "FOREGROUND")
}

// standardStreams are the process's standard streams, where
// "SSLPassPhraseDialog builtin" asks, as Apache's does until it detaches
// (a server -k start ran has /dev/null there, and such a key fails as
// in an Apache started without a terminal).
func standardStreams() *pemkey.Terminal {
	return &pemkey.Terminal{TTY: "/dev/tty", In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
}

// detachStandardStreams points fds 1 and 2 at /dev/null and returns a
// copy of the caller's standard error (close-on-exec, so no process
// started inherits it), nil when that fails.
func detachStandardStreams() *os.File {
	fd, err := syscall.Dup(2)
	if err != nil {
		return nil
	}
	syscall.CloseOnExec(fd)
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		syscall.Close(fd)
		return nil
	}
	defer devnull.Close()
	syscall.Dup3(int(devnull.Fd()), 1, 0)
	syscall.Dup3(int(devnull.Fd()), 2, 0)
	return os.NewFile(uintptr(fd), "caller-stderr")
}

// stderrToErrorLog points the process's standard error at the main
// error log (/dev/null for syslog), as Apache's open_logs does. A server
// -k start ran in the background must not keep its caller's terminal or
// pipe: a caller reading the pipe to its end would wait for the server's
// end, and a pipe whose reader went away would end the server with
// SIGPIPE at its next line.
func stderrToErrorLog(elog *server.ErrorLog) {
	f := elog.File()
	if f == nil {
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer devnull.Close()
		f = devnull
	}
	if err := syscall.Dup3(int(f.Fd()), 2, 0); err != nil {
		elog.Client("warn", "core", "", fmt.Sprintf("gowsgid: standard error to the error log: %v", err))
	}
}

// gracefulStop lets the requests in flight finish, up to
// GracefulShutdownTimeout (0: as long as they take), as Apache's
// graceful-stop does; a SIGTERM or SIGINT meanwhile stops at once, as
// it ends Apache's wait.
func gracefulStop(srv *server.Server, sigs <-chan os.Signal, elog *server.ErrorLog, mpm server.MPMLog) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if t := srv.GracefulShutdownTimeout(); t > 0 {
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	done := make(chan struct{})
	go func() {
		srv.Shutdown(ctx)
		close(done)
	}()
	for {
		select {
		case <-done:
			return
		case sig := <-sigs:
			if sig == syscall.SIGTERM || sig == syscall.SIGINT {
				mpm.Stopping(elog)
				cancel()
			}
		}
	}
}

// loadConfig reads and checks the configuration as apache2 does at
// start-up, and logs gowsgid's findings. ok is false when it must not be
// served (the error is printed).
func loadConfig(f *httpdFlags, stdout, stderr io.Writer, diag zerolog.Logger) (*confparse.Config, bool) {
	cfg, _, ok := loadConfigNotices(f, stdout, stderr, diag)
	return cfg, ok
}

// loadConfigNotices is loadConfig, with the warnings and notices the
// configuration gave (which were printed to stderr).
func loadConfigNotices(f *httpdFlags, stdout, stderr io.Writer, diag zerolog.Logger) (*confparse.Config, []confparse.Notice, bool) {
	res := httpd.Check(f.httpdOptions(stdout, stderr))
	if res.ExitCode != 0 {
		return nil, nil, false
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
		return nil, nil, false
	}
	return res.Config, res.Notices, true
}

// logNotices writes the configuration's warnings and notices to the
// error log, as Apache does when it reads its configuration again once
// the log is open (at start-up and at each restart).
func logNotices(elog *server.ErrorLog, notices []confparse.Notice) {
	for _, n := range notices {
		if n.Bare {
			elog.Startup(n.Text)
		} else {
			elog.Client(n.Level, n.Module, "", n.Text)
		}
	}
}

// reload re-reads the configuration and makes it the one serving. A
// configuration that does not load or build leaves the running one
// serving, and the error log says why. The replaced configuration's
// daemon process groups stop at once where idle, else as their requests
// end (killed if they outlast its last request by a few seconds); the
// new configuration's groups are returned.
func reload(f *httpdFlags, srv *server.Server, builder *serviceBuilder, helper *privsep.Client, keys *confparse.KeyCache,
	elog *server.ErrorLog, diag zerolog.Logger, old daemonGroups, mpm server.MPMLog) (daemonGroups, bool) {
	var out bytes.Buffer
	cfg, notices, ok := loadConfigNotices(f, &out, &out, diag)
	if ok {
		logNotices(elog, notices)
	}
	if !ok {
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			elog.Client("error", "core", "", line)
		}
		elog.Client("error", "core", "", "gowsgid: the new configuration has errors; still serving the old one")
		return nil, false
	}
	if server.MPMLogOf(cfg) != mpm {
		// ap_check_mpm; Apache exits, gowsgid keeps the old
		// configuration, as for any configuration it cannot serve.
		elog.Client("error", "core", "", fmt.Sprintf("AH00534: %s: Configuration error: The MPM cannot be changed during restart.", progName()))
		elog.Client("error", "core", "", "gowsgid: the new configuration has errors; still serving the old one")
		return nil, false
	}
	if helper != nil {
		if err := helper.Reload(); err != nil {
			elog.Client("error", "core", "", fmt.Sprintf("gowsgid: %v; still serving the old configuration", err))
			return nil, false
		}
		cfg.ReadFile, cfg.ReadKey = helper.ReadFile, helper.ReadKey
	}
	cfg.Keys, cfg.PassPhraseTerminal = keys, standardStreams()
	// The error log is reopened at its path, as Apache's restart opens
	// its logs anew, so that logrotate's rename and graceful restart
	// start a new file (the new configuration opens its access logs).
	if err := elog.Reopen(); err != nil {
		elog.Client("error", "core", "", fmt.Sprintf("gowsgid: reopening the error log: %v", err))
	}
	// The new configuration's ErrorLog and LogLevel for each server.
	undoLogs, err := elog.Reload(cfg)
	if err != nil {
		elog.Client("error", "core", "", fmt.Sprintf("gowsgid: %v; still serving the old configuration", err))
		return nil, false
	}
	svc, groups := builder.build(cfg)
	drained, err := srv.Reload(cfg, svc)
	cfg.ForgetPassPhrases()
	if err != nil {
		groups.stop()
		undoLogs()
		var se *vhost.StartupError
		if errors.As(err, &se) {
			elog.Client(se.Level, se.Module, "", se.Msg)
			err = errors.New("the new configuration cannot be served")
		}
		elog.Client("error", "core", "", fmt.Sprintf("gowsgid: %v; still serving the old configuration", err))
		return nil, false
	}
	builder.publish()
	old.retire(groups)
	go func() {
		<-drained
		old.stop()
	}()
	return groups, true
}

// logStartFailure writes why a configuration could not be served to the
// error log, as Apache's failed post-configuration hooks do: the
// module's line, then "AH00016: Configuration Failed", or, for what
// fails when Apache starts serving, "AH00020: Configuration Failed,
// exiting" as a line of no module.
func logStartFailure(elog *server.ErrorLog, err error) {
	var se *vhost.StartupError
	var ce *confparse.CertificateError
	if errors.As(err, &ce) {
		// mod_ssl's ssl_init_Module.
		elog.Client(ce.LogLevel(), "ssl", "", ce.Msg)
	} else if errors.As(err, &se) {
		if se.Bare {
			elog.Startup(se.Msg)
		} else {
			elog.Client(se.Level, se.Module, "", se.Msg)
		}
		switch {
		case se.OpeningLogs:
			elog.Startup("AH00015: Unable to open logs")
			return
		case se.Serving:
			elog.Client("emerg", "", "", "AH00020: Configuration Failed, exiting")
			return
		}
	} else {
		elog.Client("emerg", "core", "", err.Error())
	}
	elog.Startup("AH00016: Configuration Failed")
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
