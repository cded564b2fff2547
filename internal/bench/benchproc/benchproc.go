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

// Stop ends the process group: SIGTERM, then SIGKILL to whatever of it
// is left after 5 s. The group is waited for, not only its leader:
// Apache's children can outlive their parent (mod_wsgi's interpreter
// shutdown hangs on Python 3.11), and would load the next measurement.
func (p *Process) Stop() {
	pgid := -p.Cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	deadline := time.After(5 * time.Second)
	select {
	case <-p.done:
	case <-deadline:
		syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
	for syscall.Kill(pgid, 0) == nil {
		select {
		case <-deadline:
			syscall.Kill(pgid, syscall.SIGKILL)
			return
		case <-time.After(20 * time.Millisecond):
		}
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

// procStat is what CPUTime and Descendants read of a process.
type procStat struct {
	ppid int
	// ticks is its user and system time, and that of the children it
	// reaped (utime + stime + cutime + cstime), in 1/userHZ seconds.
	ticks int64
}

// readStats reads /proc/PID/stat of every process. The reads are not
// one snapshot: a process reaped between its own read and its parent's
// is counted twice (and once not at all in the other order), which
// matters only when servers' processes exit during a measurement.
func readStats() (map[int]procStat, error) {
	paths, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return nil, err
	}
	stats := make(map[int]procStat, len(paths))
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // it exited
		}
		// pid (comm) state ppid ...: comm may hold spaces and ')'.
		end := bytes.LastIndexByte(b, ')')
		if end < 0 {
			continue
		}
		f := strings.Fields(string(b[end+1:]))
		if len(f) < 15 {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err != nil {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		st := procStat{ppid: ppid}
		// utime, stime, cutime, cstime.
		for _, v := range f[11:15] {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			st.ticks += n
		}
		stats[pid] = st
	}
	return stats, nil
}

// tree maps each process under root (root included) to its children.
func tree(root int, stats map[int]procStat) map[int][]int {
	children := map[int][]int{}
	for pid, st := range stats {
		children[st.ppid] = append(children[st.ppid], pid)
	}
	out := map[int][]int{}
	for queue := []int{root}; len(queue) > 0; queue = queue[1:] {
		pid := queue[0]
		out[pid] = children[pid]
		queue = append(queue, children[pid]...)
	}
	return out
}

// Descendants maps each process under root (root included) to its
// children, from the parent PIDs in /proc/PID/stat.
func Descendants(root int) (map[int][]int, error) {
	stats, err := readStats()
	if err != nil {
		return nil, err
	}
	return tree(root, stats), nil
}

// TreePIDs lists root and every process under it in tree.
func TreePIDs(root int, tree map[int][]int) []int {
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, tree[out[i]]...)
	}
	return out
}

// CPUTime is the processor time the server has used so far: user and
// system time of its process and every process under it (whatever
// their process group: gowsgid's daemon processes have their own), and
// of the children they reaped. The difference of two readings is what
// the server spent in between, on however many processes and threads
// it runs. A process that leaves the tree (reparented to init) is not
// counted.
func (p *Process) CPUTime() (time.Duration, error) {
	stats, err := readStats()
	if err != nil {
		return 0, err
	}
	root := p.Cmd.Process.Pid
	var ticks int64
	for _, pid := range TreePIDs(root, tree(root, stats)) {
		ticks += stats[pid].ticks
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
