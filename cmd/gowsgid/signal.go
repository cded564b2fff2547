package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/internal/aprerr"
	"github.com/gowsgid/gowsgid/internal/httpd"
	"github.com/gowsgid/gowsgid/server"
)

// signalCommand is httpd's -k: it finds the running server through the
// configuration's PidFile and sends it the signal httpd uses (stop:
// TERM, restart: HUP, graceful: USR1, graceful-stop: WINCH). start, and
// restart or graceful with no server running, start the server in the
// background, as httpd does, unless -DFOREGROUND keeps it in front.
func signalCommand(f *httpdFlags, stdout, stderr io.Writer) error {
	signals := map[string]syscall.Signal{"stop": syscall.SIGTERM, "restart": syscall.SIGHUP,
		"graceful": syscall.SIGUSR1, "graceful-stop": syscall.SIGWINCH}
	sig, known := signals[f.signal]
	if !known && f.signal != "start" {
		fmt.Fprintf(stderr, "%s: invalid -k argument %q: start, restart, graceful, graceful-stop or stop\n", progName(), f.signal)
		return exitError{1}
	}
	res := httpd.Check(f.httpdOptions(stdout, stderr))
	if res.ExitCode != 0 {
		return exitError{res.ExitCode}
	}
	pidFile := server.PidFilePath(res.Config)
	if _, err := server.ReadPidFile(pidFile); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		// ap_signal_server: a pid file that exists and says nothing
		// stops every -k, start included.
		prefix := aprerr.Prefix(err)
		if prefix == "" {
			prefix = "(20014)Internal error (specific information not available): " // APR_EGENERAL
		}
		fmt.Fprintf(stderr, "%sAH00058: Error retrieving pid file %s\n", prefix, pidFile)
		fmt.Fprintln(stderr, "AH00059: Remove it before continuing if it is corrupted.")
		return exitError{1}
	}
	pid, running := server.Running(pidFile)
	switch {
	case f.signal == "start" && running:
		fmt.Fprintf(stdout, "httpd (pid %d) already running\n", pid)
		return nil
	case f.signal == "start":
		return startServer(f, stdout, stderr, pidFile)
	case !running && (f.signal == "restart" || f.signal == "graceful"):
		fmt.Fprintln(stdout, "httpd not running, trying to start")
		return startServer(f, stdout, stderr, pidFile)
	case !running:
		if _, err := os.Stat(pidFile); err != nil {
			fmt.Fprintln(stdout, "httpd (no pid file) not running")
		} else {
			fmt.Fprintf(stdout, "httpd (pid %d?) not running\n", pid)
		}
		return nil
	}
	if err := syscall.Kill(pid, sig); err != nil {
		fmt.Fprintf(stderr, "%s: signalling pid %d: %v\n", progName(), pid, err)
		return exitError{1}
	}
	return nil
}

// startServer starts the server: in this process with -DFOREGROUND,
// else as a detached copy of this binary (Go cannot fork without exec)
// whose start this waits for, reporting whether it came up.
func startServer(f *httpdFlags, stdout, stderr io.Writer, pidFile string) error {
	for _, d := range f.defines {
		if d == "FOREGROUND" || d == "NO_DETACH" {
			return serveCommand(f, stdout, stderr)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := append(withoutSignalFlag(os.Args[1:]), "-DNO_DETACH")
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout = devnull, devnull
	cmd.Stderr = stderr // start-up errors reach the caller, as httpd's do
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for {
		if pid, ok := server.Running(pidFile); ok && pid == cmd.Process.Pid {
			return nil
		}
		select {
		case err := <-exited:
			if err != nil {
				return exitError{1}
			}
			return nil
		case <-deadline:
			fmt.Fprintf(stderr, "%s: the server did not write %s within 30 s\n", progName(), pidFile)
			return exitError{1}
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// withoutSignalFlag drops -k and its argument from a command line.
func withoutSignalFlag(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-k" || a == "--signal":
			i++
		case len(a) > 2 && a[:2] == "-k", len(a) > 9 && a[:9] == "--signal=":
		default:
			out = append(out, a)
		}
	}
	return out
}
