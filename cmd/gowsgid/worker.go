package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/embedpy"
	"github.com/gowsgid/gowsgid/server"
	"github.com/gowsgid/gowsgid/wsgi"
)

// newWorkerCommand is the hidden subcommand a daemon process runs: the
// server re-executes its own binary with it for each process of a
// WSGIDaemonProcess group, with the control socket as fd 3 and the
// error log as fd 4.
func newWorkerCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "worker",
		Short:  "run a WSGI daemon process (started by the server)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runWorker(); err != nil {
				fmt.Fprintf(os.Stderr, "%s worker: %v\n", progName(), err)
				return exitError{1}
			}
			return nil
		},
	}
}

func runWorker() error {
	if n, ok := workerProcs(os.Getenv); ok {
		runtime.GOMAXPROCS(n)
	}
	// Programs the application runs (os.system, a subprocess without
	// close_fds) must not inherit the worker's channel or its log: one
	// left running would hold them open after the worker exits.
	syscall.CloseOnExec(3)
	syscall.CloseOnExec(4)
	control := os.NewFile(3, "wsgi-control")
	logFile := os.NewFile(4, "error-log")
	cfg, err := wsgi.ReadWorkerConfig(control)
	if err != nil {
		return err
	}
	if cfg.Umask != "" {
		if m, err := strconv.ParseUint(cfg.Umask, 8, 32); err == nil {
			syscall.Umask(int(m))
		}
	}
	files := map[int]*os.File{4: logFile}
	elog := server.NewErrorLog(logFile, cfg.LogLevel, cfg.ErrorLog.Formats(), cfg.ErrorLog.Server)
	elog.SetDaemonServers(serverLogs(cfg.ServerLogs, files))
	logf := func(level, msg string) { elog.Client(level, "wsgi", "", msg) }
	startf := logf
	if sl := cfg.StartLog; sl != nil {
		start := server.NewErrorLog(logFileAt(sl.FD, files), sl.Level, sl.Formats(), sl.Server)
		startf = func(level, msg string) { start.Client(level, "wsgi", "", msg) }
	}
	uid, gid := os.Getuid(), os.Getgid()
	if j := cfg.Jail; j != nil && j.Credential != nil {
		uid, gid = int(j.Credential.Uid), int(j.Credential.Gid)
	}
	startf("info", fmt.Sprintf("mod_wsgi (pid=%d): Starting process '%s' with uid=%d, gid=%d and threads=%d.",
		os.Getpid(), cfg.Group, uid, gid, cfg.Threads))
	// mod_wsgi's order: the jail, user and working directory, then the
	// resource limits, all logged through the main server.
	if err := setUp(cfg, startf); err != nil {
		// As mod_wsgi, wait before the exit that makes the server
		// start another: no quick loop of failing processes.
		time.Sleep(setupRetryDelay)
		return err
	}
	cfg.Limits.Apply(cfg.Group, int64(cfg.ShutdownTimeout/time.Second), startf)
	if cfg.Locale != "" && !embedpy.SetLocale(cfg.Locale) {
		startf("error", fmt.Sprintf("mod_wsgi (pid=%d): Unsupported locale setting %s specified for daemon process group %s. Consider using 'C.UTF-8' as fallback setting.",
			os.Getpid(), cfg.Locale, cfg.Group))
	}
	if cfg.Limits.StackSize > 0 {
		if err := embedpy.SetThreadStackSize(cfg.Limits.StackSize); err != nil {
			startf("crit", fmt.Sprintf("mod_wsgi (pid=%d): %v", os.Getpid(), err))
		}
	}
	ec := pythonConfig(cfg.Python, func(level embedpy.Level, _ *confparse.Server, client, msg string, call *wsgi.Call) {
		if call != nil {
			elog.Daemon(level.String(), "wsgi", call, cfg.ErrorLog.LocalIP, msg)
			return
		}
		elog.Remote(level.String(), "wsgi", client, msg)
	})
	ec.Threads = cfg.Threads
	ec.MultiThread = cfg.Threads != 1
	ec.MultiProcess = cfg.ProcessesSet
	ec.RunOnce = cfg.Threads == 1 && cfg.MaximumRequests == 1
	ec.ProcessGroup = cfg.Group
	ec.MaximumProcesses, ec.ThreadsPerProcess = cfg.Processes, cfg.Threads
	ec.MPMName = "event"
	eng, err := embedpy.Start(ec)
	if err != nil {
		logf("error", fmt.Sprintf("mod_wsgi (pid=%d): %v", os.Getpid(), err))
		return err
	}
	for _, im := range cfg.Imports {
		eng.Import(embedpy.Import{Script: im.Script, Module: wsgi.ModuleName(im.Script, cfg.KeepScriptCase),
			ApplicationGroup: im.ApplicationGroup, ProcessGroup: cfg.Group})
	}
	w := &wsgi.Worker{Config: cfg, Engine: eng, Control: control, Log: logf}
	handleWorkerSignals(w, cfg.Limits.CPUTimeLimit > 0)
	return w.Serve()
}

// handleWorkerSignals answers the signals a mod_wsgi daemon process
// answers, sent to the worker itself (kill, pkill, a supervisor):
// SIGTERM and SIGINT stop it as a shutdown does (its requests get
// shutdown-timeout), SIGUSR1 evicts it gracefully, SIGXCPU is the
// cpu-time-limit, and SIGHUP is ignored. The server starts a replacement
// in each case.
func handleWorkerSignals(w *wsgi.Worker, cpuLimit bool) {
	signal.Ignore(syscall.SIGHUP)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	if cpuLimit {
		signal.Notify(sigs, syscall.SIGXCPU)
	}
	go func() {
		for sig := range sigs {
			switch sig {
			case syscall.SIGUSR1:
				w.Evict()
			case syscall.SIGXCPU:
				w.CPUTimeExceeded()
			default:
				w.ShutdownRequested()
			}
		}
	}()
}

// setupRetryDelay is how long a worker that could not set itself up
// (chroot=, its user in the jail, home=) waits before it exits
// (mod_wsgi's delay).
const setupRetryDelay = 20 * time.Second

// setUp is mod_wsgi's wsgi_setup_access in the worker: the jail, then
// the working directory.
func setUp(cfg *wsgi.WorkerConfig, logf func(level, msg string)) error {
	if cfg.Jail != nil {
		if err := cfg.Jail.Enter(logf); err != nil {
			return err
		}
	}
	return cfg.EnterHome(logf)
}

// serverLogs opens the error logs of the servers whose requests the
// worker serves: the descriptors the server passed (files has those
// open already, 4 the worker's own log).
func serverLogs(logs []wsgi.WorkerLog, files map[int]*os.File) []server.DaemonServer {
	var servers []server.DaemonServer
	for _, wl := range logs {
		servers = append(servers, server.DaemonServer{Out: logFileAt(wl.FD, files), Level: wl.Level,
			Formats: wl.Formats(), Hostname: wl.Server})
	}
	return servers
}

// logFileAt is the log file the server passed as descriptor fd, opened
// once (files has the open ones).
func logFileAt(fd int, files map[int]*os.File) *os.File {
	if f, ok := files[fd]; ok {
		return f
	}
	syscall.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), "error-log")
	files[fd] = f
	return f
}

// pythonConfig is the engine configuration of a process's interpreter
// settings.
func pythonConfig(p wsgi.PythonSettings, log func(embedpy.Level, *confparse.Server, string, string, *wsgi.Call)) embedpy.Config {
	return embedpy.Config{Home: p.Home, Path: p.Path, DaemonHome: p.DaemonHome, Eggs: p.Eggs, HashSeed: p.HashSeed,
		Optimize: p.Optimize, Warnings: p.Warnings, DontWriteBytecode: p.DontWriteBytecode,
		RestrictStdin: p.RestrictStdin, RestrictStdout: p.RestrictStdout,
		RestrictSignal: p.RestrictSignal, DestroyInterpreter: p.DestroyInterpreter, Log: log}
}

// workerProcs is the GOMAXPROCS of a daemon worker: 1, unless the
// environment sets GOMAXPROCS (then ok is false and Go's own reading of
// it stands). A worker's requests take turns in Python's GIL, and its Go
// code only moves their bytes; a second processor bought nothing but
// the scheduler's spinning and hand-offs. Measured on the daemon
// benchmark (2 processes x 8 threads, hello world): 11-17% less CPU per
// request and 13-20% more requests/s, and a fast request that arrives
// while another sleeps in Python answered in 1-4 ms instead of 6-12
// (as under mod_wsgi); see docs/performance.md.
func workerProcs(getenv func(string) string) (n int, ok bool) {
	if getenv("GOMAXPROCS") != "" {
		return 0, false
	}
	return 1, true
}
