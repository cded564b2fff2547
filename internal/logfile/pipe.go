package logfile

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/internal/aprargv"
	"github.com/gowsgid/gowsgid/internal/aprerr"
)

// pipe is a piped log program (ap_open_piped_log): it reads the log from
// its standard input, runs in ServerRoot with the server's environment,
// and is started again when it exits (piped_log_maintenance). The server
// keeps both ends of the pipe, so what the old program had not read yet
// goes to the new one.
type pipe struct {
	// program is the command as the configuration gives it, for
	// messages; argv is what runs.
	program string
	argv    []string
	dir     string
	r, w    *os.File
	errorf  func(string, ...any)

	mu     sync.Mutex
	cmd    *exec.Cmd
	closed bool
	exited chan struct{}
}

// restartDelay spaces the restarts of a program that keeps exiting.
const restartDelay = time.Second

// Pipe is a running piped log program (see StartProgram).
type Pipe interface {
	// Writer is the write end of the program's input.
	Writer() *os.File
	// Close ends the program's input and gives it a moment to finish
	// what it read; the program is not started again.
	Close() error
}

// ProgramName is how Apache's messages name the program of a "|program"
// destination (what follows the '|'): without a second '|' or a '$'.
func ProgramName(program string) string {
	return strings.TrimPrefix(strings.TrimPrefix(program, "|"), "$")
}

// StartProgram starts the program of a "|program" destination, program
// being what follows the '|': APR's APR_PROGRAM_ENV (the words of the
// line, no shell) as Apache 2.4 runs it, or, for "|$command",
// APR_SHELLCMD_ENV: /bin/sh -c with the words of the command joined by
// single spaces; "||program" is "|program". The program runs in dir, as
// the calling process's user, and is started again when it exits;
// errorf reports that (AH00106) and a failed restart (AH00104).
func StartProgram(program, dir string, errorf func(format string, args ...any)) (Pipe, error) {
	program = strings.TrimPrefix(program, "|")
	command, shell := strings.CutPrefix(program, "$")
	argv := aprargv.Tokenize(command)
	if len(argv) == 0 {
		return nil, errors.New("empty piped log program")
	}
	if shell {
		// APR_SHELLCMD_ENV: the words, their quotes gone, joined with
		// single spaces into one string for the shell.
		argv = []string{"/bin/sh", "-c", strings.Join(argv, " ")}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &pipe{program: command, argv: argv, dir: dir, r: r, w: w, errorf: errorf}
	if err := p.start(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	return p, nil
}

// Writer is the write end of the program's input.
func (p *pipe) Writer() *os.File { return p.w }

func (p *pipe) start() error {
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Path = p.argv[0] // APR_PROGRAM_ENV: execv, no PATH search
	cmd.Dir = p.dir
	cmd.Stdin = p.r
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	p.cmd, p.exited = cmd, exited
	go p.wait(cmd, exited)
	return nil
}

// wait restarts the program when it exits while the log is open.
func (p *pipe) wait(cmd *exec.Cmd, exited chan struct{}) {
	cmd.Wait()
	close(exited)
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return
	}
	p.errorf("AH00106: piped log program '%s' failed unexpectedly", p.program)
	time.Sleep(restartDelay)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if err := p.start(); err != nil {
		p.errorf("%sAH00104: unable to start piped log program '%s'", aprerr.Prefix(err), p.program)
	}
}

// Close ends the program's input and gives it two seconds to finish what
// it read before it is sent SIGTERM.
func (p *pipe) Close() error {
	p.mu.Lock()
	p.closed = true
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	err := p.w.Close()
	p.r.Close()
	if cmd == nil {
		return err
	}
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	}
	return err
}
