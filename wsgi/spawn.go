package wsgi

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

// Proc is a running worker process.
type Proc interface {
	Pid() int
	// Wait blocks until the process has exited and says how it ended,
	// in mod_wsgi's words ("terminated by signal 9").
	Wait() string
	// Kill kills the process and its process group.
	Kill()
}

// Spawner starts the worker processes of a group: the server itself, or,
// once the server has dropped its privileges, a helper that kept them,
// so that a worker can still be given its group's user.
type Spawner interface {
	// Spawn starts worker index of the group, configured, and returns
	// the server's end of its control channel.
	Spawn(opts *GroupOptions, index int) (control *os.File, proc Proc, err error)
}

// LocalSpawner starts workers as children of this process.
type LocalSpawner struct{}

// Spawn re-executes opts.Executable as a worker with the control channel
// as its fd 3 and the error log as its fd 4, under the group's identity,
// and sends it its configuration.
func (LocalSpawner) Spawn(opts *GroupOptions, index int) (*os.File, Proc, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("daemon process group %s: %w", opts.Name, err)
	}
	mine := os.NewFile(uintptr(fds[0]), "wsgi-control")
	theirs := os.NewFile(uintptr(fds[1]), "wsgi-control")
	defer theirs.Close()
	cmd := exec.Command(opts.Executable, opts.Args...)
	// What ps shows: display-name, else the server's own program name
	// (the executable may be /proc/self/exe).
	cmd.Args[0] = os.Args[0]
	if opts.DisplayName != "" {
		cmd.Args[0] = opts.DisplayName
	}
	// The worker changes to its home= itself, as mod_wsgi's daemon
	// does, and logs a failure as mod_wsgi does (WorkerConfig.Home);
	// without one it stays in the server's working directory.
	cmd.Env = opts.Env
	// What the application or a program it runs writes to its
	// descriptor 2 (a C extension, faulthandler, a subprocess) goes to
	// the main error log, as Apache points every process's stderr there.
	cmd.Stdout, cmd.Stderr = os.Stderr, logFileOrStderr(opts.ErrorLog)
	cmd.ExtraFiles = []*os.File{theirs, logFileOrStderr(opts.ErrorLog)}
	for _, f := range opts.ServerLogFiles {
		cmd.ExtraFiles = append(cmd.ExtraFiles, logFileOrStderr(f))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: opts.Credential}
	wc := opts.Worker
	wc.Index = index
	cfg, err := json.Marshal(wc)
	if err != nil {
		mine.Close()
		return nil, nil, err
	}
	if err := startNiced(cmd, wc.Limits.CPUPriority); err != nil {
		mine.Close()
		return nil, nil, fmt.Errorf("daemon process group %s: starting a worker: %w", opts.Name, err)
	}
	if _, err := mine.Write(append([]byte{ctlConfig}, cfg...)); err != nil && opts.Log != nil {
		opts.Log("error", fmt.Sprintf("mod_wsgi (pid=%d): Cannot configure process '%s': %v", cmd.Process.Pid, opts.Name, err))
	}
	return mine, localProc{cmd}, nil
}

// startNiced starts cmd with the nice value prio (cpu-priority) from its
// first instruction, as mod_wsgi sets it before the daemon process drops
// its privileges (a negative value needs them). A child takes the nice
// value of the thread that forks it, and every thread of the worker
// that of its main thread, so cmd starts from a thread set to prio for
// the moment; only root may set that thread back afterwards, so as
// another user the worker sets its own (a negative value then fails,
// with mod_wsgi's message). The thread is given back, never ended: a
// child's parent-death signal comes when the thread that started it
// exits.
func startNiced(cmd *exec.Cmd, prio int) error {
	if prio == 0 || os.Geteuid() != 0 {
		return cmd.Start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		was := niceOfThread()
		// Who 0 is this thread alone, on Linux.
		syscall.Setpriority(syscall.PRIO_PROCESS, 0, prio)
		errc <- cmd.Start()
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, was); err != nil {
			// Never hand a niced thread back to the scheduler; end it
			// instead, with the goroutine (this cannot fail as root).
			runtime.Goexit()
		}
	}()
	return <-errc
}

// localProc is a worker this process started.
type localProc struct{ cmd *exec.Cmd }

func (p localProc) Pid() int { return p.cmd.Process.Pid }

func (p localProc) Kill() { syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) }

func (p localProc) Wait() string { return ExitDescription(p.cmd.Wait()) }

// ExitDescription says how a process ended, from exec.Cmd.Wait's error,
// as mod_wsgi logs it.
func ExitDescription(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return fmt.Sprintf("terminated by signal %d", ws.Signal())
		}
		return fmt.Sprintf("terminated normally, exit code %d", ee.ExitCode())
	}
	return "terminated normally, exit code 0"
}

// logFileOrStderr is a log file to hand a worker, or stderr for none
// (syslog) or one closed since the group's options were made (a graceful
// restart reopens the logs before the old groups retire): a worker
// started in between writes to the server's stderr, not to a descriptor
// that is gone.
func logFileOrStderr(f *os.File) *os.File {
	if f == nil || f.Fd() == ^uintptr(0) {
		return os.Stderr
	}
	return f
}
