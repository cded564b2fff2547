package wsgi

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gowsgid/gowsgid/internal/aprerr"
)

// Jail is what a worker of a group with chroot= does for itself before
// Python starts, in mod_wsgi's order: change its root directory, then
// take the group's user and groups; EnterHome then changes to its
// working directory, a path in the jail. (A worker without chroot= is
// given its user by the kernel when it starts.)
type Jail struct {
	// Root is the chroot= directory.
	Root string
	// Credential is the user and groups to take (nil: keep the
	// server's); User names the user. Without GroupsGiven
	// (supplementary-groups=), the groups are the user's in the jail's
	// /etc/group, as mod_wsgi's initgroups(3) after chroot(2) finds
	// them, not Credential's.
	Credential  *syscall.Credential `json:",omitempty"`
	User        string              `json:",omitempty"`
	GroupsGiven bool                `json:",omitempty"`
}

// setupFailure logs a daemon process's failure to set itself up as
// mod_wsgi logs it (the system error, then its "Failure to configure"
// line) and returns it.
func setupFailure(log func(level, msg string), err error, format string, args ...any) error {
	pid := os.Getpid()
	msg := fmt.Sprintf("mod_wsgi (pid=%d): "+format, append([]any{pid}, args...)...)
	prefix := ""
	if err != nil {
		prefix = aprerr.Prefix(unwrapPath(err))
	}
	log("alert", prefix+msg)
	log("alert", fmt.Sprintf("mod_wsgi (pid=%d): Failure to configure the daemon process correctly and process left in unspecified state. Restarting daemon process after delay.", pid))
	return errors.New(msg)
}

// EnterHome changes the calling worker to its working directory:
// home=, else the user's home directory when it runs as another user
// than the server, else "/" (where it started). A failure is logged as
// mod_wsgi logs it, and returned: the process must exit, to be started
// again by the server.
func (cfg *WorkerConfig) EnterHome(log func(level, msg string)) error {
	switch {
	case cfg.Home != "":
		if err := os.Chdir(cfg.Home); err != nil {
			return setupFailure(log, err, "Unable to change working directory to '%s'.", cfg.Home)
		}
	case cfg.HomeFromPasswd:
		uid := os.Geteuid()
		u, err := user.LookupId(strconv.Itoa(uid))
		if err != nil {
			return setupFailure(log, nil, "Unable to determine home directory for uid=%d.", uid)
		}
		if err := os.Chdir(u.HomeDir); err != nil {
			return setupFailure(log, err, "Unable to change working directory to home directory '%s' for uid=%d.", u.HomeDir, uid)
		}
	case cfg.Jail != nil:
		// A jail's process must not keep a directory outside it.
		if err := os.Chdir("/"); err != nil {
			return setupFailure(log, err, "Unable to change working directory to '%s'.", "/")
		}
	}
	return nil
}

// Enter changes the calling process into the jail. A failure is logged
// as mod_wsgi logs it, and returned: the process must exit, to be
// started again by the server. Call it from the goroutine that lives as
// long as the process: it stays locked to its thread.
func (j *Jail) Enter(log func(level, msg string)) error {
	ppid := os.Getppid() // the server, which started this process
	if err := syscall.Chroot(j.Root); err != nil {
		return setupFailure(log, err, "Unable to change root directory to '%s'.", j.Root)
	}
	c := j.Credential
	if c == nil {
		return nil
	}
	if err := syscall.Setgid(int(c.Gid)); err != nil {
		return setupFailure(log, err, "Unable to set group id to gid=%d.", c.Gid)
	}
	groups := make([]int, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = int(g)
	}
	if !j.GroupsGiven {
		groups = initGroups(j.User, int(c.Gid))
	}
	if err := syscall.Setgroups(groups); err != nil {
		return setupFailure(log, err, "Unable to set groups for uname=%s and gid=%d.", j.User, c.Gid)
	}
	if err := syscall.Setuid(int(c.Uid)); err != nil {
		return setupFailure(log, err, "Unable to change to uid=%d.", c.Uid)
	}
	// A change of credentials clears the parent-death signal: ask for
	// it again, then go if the server died before that (this process
	// then has another parent), as Go's own fork does. The signal
	// belongs to the thread that asks, which must outlive the process's
	// work: the caller's goroutine (the worker's main one) keeps it.
	runtime.LockOSThread()
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0)
	if os.Getppid() != ppid {
		return errors.New("the server is gone")
	}
	return nil
}

// initGroups is initgroups(3): gid, then the groups /etc/group lists
// name in (the user's passwd group only when it is gid or listed).
func initGroups(name string, gid int) []int {
	groups := []int{gid}
	if name == "" {
		return groups
	}
	// GroupIds asks getgrouplist(3) with the User's Gid as the group
	// given, so the passwd entry's own group is not added.
	ids, err := (&user.User{Username: name, Gid: strconv.Itoa(gid)}).GroupIds()
	if err != nil {
		return groups
	}
	for _, id := range ids {
		if n, err := strconv.Atoi(id); err == nil && n != gid {
			groups = append(groups, n)
		}
	}
	return groups
}

// unwrapPath is the system error of a *PathError.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// jailPath is path as a process jailed in root sees it, and whether
// path is in the jail at all: mod_wsgi's test, root followed by a slash.
func jailPath(root, path string) (string, bool) {
	if !strings.HasPrefix(path, root) || len(path) <= len(root) || path[len(root)] != '/' {
		return path, false
	}
	return path[len(root):], true
}

// jailedCall is a call's script and paths as a jailed worker sees them:
// mod_wsgi's daemon takes the jail's directory off SCRIPT_FILENAME and
// DOCUMENT_ROOT (and leaves out a DOCUMENT_ROOT outside the jail), and
// names the script's module after its path in the jail.
type jailedCall struct {
	root           string
	script, module string
}

// jail prepares call for a worker jailed in root, or reports that the
// request's file is outside the jail. As in mod_wsgi, the test is on
// the request's file (SCRIPT_FILENAME); a WSGIHandlerScript's path goes
// to the worker as it is.
func (call *Call) jail(root string, keepCase bool) bool {
	file := call.jailedFile()
	inside, ok := jailPath(root, file)
	if !ok {
		return false
	}
	j := &jailedCall{root: root, script: call.Script, module: call.Module}
	if call.Script == file {
		j.script, j.module = inside, ModuleName(inside, keepCase)
	}
	call.jailed = j
	return true
}

// jailedFile is the file mod_wsgi tests against a chroot= jail: the
// request's, SCRIPT_FILENAME.
func (call *Call) jailedFile() string {
	for _, kv := range call.Env {
		if kv.Key == "SCRIPT_FILENAME" {
			return kv.Value
		}
	}
	return call.Script
}

// jailedEnv is the environ variable kv as the jailed worker gets it,
// and whether it gets it at all.
func (j *jailedCall) env(kv EnvVar) (EnvVar, bool) {
	switch kv.Key {
	case "SCRIPT_FILENAME":
		kv.Value, _ = jailPath(j.root, kv.Value)
	case "DOCUMENT_ROOT":
		if !strings.HasPrefix(kv.Value, j.root) {
			return kv, false
		}
		kv.Value = kv.Value[len(j.root):]
	}
	return kv, true
}
