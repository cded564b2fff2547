// Package benchproc runs the servers a benchmark measures: each in its
// own process group (so a server's children go with it), waited for
// until it accepts connections, and stopped with SIGTERM, then SIGKILL.
package benchproc

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/internal/listenwait"
)

// Process is a running server.
type Process struct {
	// Name names it in messages.
	Name string
	// Cmd is the command it runs; Cmd.Process.Pid leads its group.
	Cmd *exec.Cmd
	// Out holds what it wrote to stdout and stderr.
	Out  bytes.Buffer
	done chan struct{}
}

// Start runs cmd in its own process group and waits until every one of
// addrs accepts a connection. If it does not within timeout, it is
// stopped, and the error shows its output and errorLog (when given).
func Start(name string, cmd *exec.Cmd, addrs []string, timeout time.Duration, errorLog string) (*Process, error) {
	p := &Process{Name: name, Cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.Out, &p.Out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	for _, a := range addrs {
		if err := listenwait.Wait(a, timeout, p.done); err != nil {
			p.Stop()
			var logText []byte
			if errorLog != "" {
				logText, _ = os.ReadFile(errorLog)
			}
			return nil, fmt.Errorf("%s did not listen on %s: %w\n%s%s", name, a, err, p.Out.String(), logText)
		}
	}
	return p, nil
}

// Stop ends the process group: SIGTERM, then SIGKILL after 5 s.
func (p *Process) Stop() {
	pgid := -p.Cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Loopback is 127.0.0.1:port.
func Loopback(port int) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// userHZ is the unit of the CPU times in /proc/PID/stat: USER_HZ, 100
// on every Linux architecture Go runs on.
const userHZ = 100

// CPUTime is the processor time the server's process group has used so
// far: user and system time of its live processes, and of the children
// they reaped. The difference of two readings is what the server spent
// in between, on however many processes and threads it runs.
func (p *Process) CPUTime() (time.Duration, error) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, err
	}
	pgid := strconv.Itoa(p.Cmd.Process.Pid)
	var ticks int64
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // it exited
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces and ')'.
		end := bytes.LastIndexByte(b, ')')
		if end < 0 {
			continue
		}
		f := strings.Fields(string(b[end+1:]))
		if len(f) < 15 || f[2] != pgid {
			continue
		}
		// utime, stime, cutime, cstime.
		for _, v := range f[11:15] {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", path, err)
			}
			ticks += n
		}
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
