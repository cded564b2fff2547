// Package mapprogram runs the programs of mod_rewrite's prg: maps as
// Apache's parent process runs them when it starts serving (mod_rewrite's
// rewritemap_program_child): one process per map, for as long as the
// configuration serves, answering the server's lookups on its standard
// output.
package mapprogram

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/rewrite"
)

// killAfter is how long a program is given to end after SIGTERM before it
// is killed (APR_KILL_AFTER_TIMEOUT's three seconds).
const killAfter = 3 * time.Second

// Running is a map program the server talks to, started by Start or, for
// a server without privileges, by its privileged helper.
type Running interface {
	// In is the write end of the program's standard input.
	In() *os.File
	// Out is the read end of the program's standard output.
	Out() *os.File
	// Close ends the program.
	Close() error
}

// Program is a map program started by Start.
type Program struct {
	cmd *exec.Cmd
	// in is the write end of the program's standard input, out the read
	// end of its standard output.
	in, out *os.File
	exited  chan struct{}
	once    sync.Once
	// killAfter is the grace after SIGTERM (the constant, but for tests).
	killAfter time.Duration
}

// ExecError is a program that passed APR's checks but could not be
// executed (its interpreter is missing, it is no program, the map's user
// may not run it): APR's child fails after the fork and logs it, and the
// server goes on with a program that has ended.
type ExecError struct {
	Path string
	Err  error
}

func (e *ExecError) Error() string { return "exec of '" + e.Path + "' failed: " + e.Err.Error() }

// Unwrap is the system error.
func (e *ExecError) Unwrap() error { return e.Err }

// Start starts spec's program as mod_rewrite does: its standard input
// and output are pipes to the server, its standard error is stderr (the
// main server's error log, Apache's standard error); it runs in its own
// directory with an empty environment (APR_PROGRAM), and, when the
// server runs as root, as spec's User (with the groups initgroups(3)
// gives it with the map's group) and Group. A program that cannot be
// run is an error before anything starts, as APR checks it (access(2)
// for execution). One that passes those checks and still cannot be
// executed comes back as an ended Program with an *ExecError, for the
// caller to log mod_rewrite's AH00653 and go on: its lookups find the
// empty string, as under Apache.
func Start(spec rewrite.Program, stderr *os.File) (*Program, error) {
	if len(spec.Argv) == 0 {
		return nil, errors.New("no program")
	}
	path := spec.Argv[0]
	dir := filepath.Dir(path)
	cred, err := credential(spec.User, spec.Group)
	if err != nil {
		return nil, err
	}
	// apr_procattr_error_check_set: the directory and the program are
	// checked before the fork, so that their errors reach the server.
	if err := syscall.Access(dir, 1); err != nil {
		return nil, &os.PathError{Op: "chdir", Path: dir, Err: err}
	}
	if err := syscall.Access(path, 1); err != nil {
		return nil, &os.PathError{Op: "exec", Path: path, Err: err}
	}
	cmd := exec.Command(path, spec.Argv[1:]...)
	cmd.Path = path // execve, no PATH search
	cmd.Dir = dir
	cmd.Env = []string{}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, stderr
	if stderr == nil {
		cmd.Stderr = os.Stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGTERM}
	err = cmd.Start()
	inR.Close()
	outW.Close()
	p := &Program{cmd: cmd, in: inW, out: outR, exited: make(chan struct{}), killAfter: killAfter}
	if err != nil {
		// Both far ends are closed: a lookup's write fails and its read
		// sees the end at once.
		close(p.exited)
		return p, &ExecError{Path: path, Err: unwrapPath(err)}
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// unwrapPath is the system error under a *PathError.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// credential is whom the program runs as: nil (the server's own user)
// unless the server is root and user is given. The names are looked up
// in any case, as apr_procattr_user_set and apr_procattr_group_set look
// them up: an unknown one is ENOENT.
func credential(userName, groupName string) (*syscall.Credential, error) {
	if userName == "" {
		return nil, nil
	}
	u, err := user.Lookup(userName)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", userName, syscall.ENOENT)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	if groupName != "" {
		g, err := user.LookupGroup(groupName)
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", groupName, syscall.ENOENT)
		}
		gid, _ = strconv.ParseUint(g.Gid, 10, 32)
	}
	if os.Geteuid() != 0 {
		return nil, nil
	}
	// initgroups(user, gid): the groups /etc/group lists the user in,
	// and gid (not the user's own group, unless it is listed or gid).
	groups := []uint32{uint32(gid)}
	member := &user.User{Username: u.Username, Gid: strconv.FormatUint(gid, 10)}
	if ids, err := member.GroupIds(); err == nil {
		for _, id := range ids {
			if n, err := strconv.ParseUint(id, 10, 32); err == nil && uint32(n) != uint32(gid) {
				groups = append(groups, uint32(n))
			}
		}
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}, nil
}

// In is the write end of the program's standard input.
func (p *Program) In() *os.File { return p.in }

// Out is the read end of the program's standard output.
func (p *Program) Out() *os.File { return p.out }

// Pid is the program's process id (0 for one that could not be
// executed).
func (p *Program) Pid() int {
	if p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Close ends the program as Apache's pool cleanup does when its
// configuration is replaced or the server stops: SIGTERM, then SIGKILL
// if it has not ended within three seconds. The pipes close too, so a
// program reading its input sees its end.
func (p *Program) Close() error {
	p.once.Do(func() {
		if p.cmd.Process != nil {
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
		p.in.Close()
		select {
		case <-p.exited:
		case <-time.After(p.killAfter):
			p.cmd.Process.Kill()
			<-p.exited
		}
		p.out.Close()
	})
	return nil
}
