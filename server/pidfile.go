package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/gowsgid/gowsgid/confparse"
)

// DefaultPidFile is Debian's compiled-in PidFile (DEFAULT_PIDLOG).
const DefaultPidFile = "/run/apache2.pid"

// PidFilePath is where the configuration's PidFile is: relative paths
// are taken from ServerRoot, as Apache takes them.
func PidFilePath(cfg *confparse.Config) string {
	p := cfg.PidFile
	if p == "" {
		p = DefaultPidFile
	}
	if !filepath.IsAbs(p) && cfg.Tree != nil {
		p = filepath.Join(cfg.Tree.ServerRoot, p)
	}
	return p
}

// WritePidFile records this process's pid at path. A file left by a
// server that did not stop cleanly is overwritten with Apache's warning.
// A pid file that cannot be written stops the start, as in Apache.
func (l *ErrorLog) WritePidFile(path string) error {
	if old, err := ReadPidFile(path); err == nil && old != os.Getpid() {
		l.Client("warn", "core", "", fmt.Sprintf("AH00098: pid file %s overwritten -- Unclean shutdown of previous Apache run?", path))
	}
	// As ap_log_pid: a temporary file renamed into place, so a reader
	// never sees a half-written pid.
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".")
	if err != nil {
		return fmt.Errorf("AH00099: could not create %s.XXXXXX: %w", path, err)
	}
	_, err = tmp.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("AH00099: could not create %s: %w", tmp.Name(), err)
	}
	return nil
}

// RemovePidFile removes the pid file if it still names process pid.
func RemovePidFile(path string, pid int) {
	if got, err := ReadPidFile(path); err == nil && got == pid {
		os.Remove(path)
	}
}

// ReadPidFile reads the pid a pid file holds.
func ReadPidFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s holds no pid", path)
	}
	return pid, nil
}

// Running reports the pid of the server a pid file names when that
// process is alive.
func Running(path string) (int, bool) {
	pid, err := ReadPidFile(path)
	if err != nil {
		return 0, false
	}
	err = syscall.Kill(pid, 0)
	return pid, err == nil || errors.Is(err, syscall.EPERM)
}
