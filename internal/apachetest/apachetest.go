// Package apachetest starts real Apache httpd (Debian's apache2) for
// differential tests: a configuration in a temporary directory, on free
// loopback ports, in the foreground, stopped when the test ends.
package apachetest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/listenwait"
)

// ModulesDir is where Debian installs Apache's modules.
const ModulesDir = "/usr/lib/apache2/modules"

// Binary returns the path of apache2, or skips the test when Apache is not
// installed (make test installs it, so CI never skips).
func Binary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("apache2")
	if err != nil {
		t.Skip("apache2 is not installed (make test installs it)")
	}
	return p
}

// FreePorts returns n loopback TCP ports that were free a moment ago.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// Instance is a running apache2.
type Instance struct {
	Dir     string // ServerRoot: holds httpd.conf and logs/
	Conf    string
	cmd     *exec.Cmd
	stderr  bytes.Buffer
	stopped bool
	exited  chan struct{} // closed when apache2 exits
}

// Start writes conf to Dir/httpd.conf and runs apache2 -DFOREGROUND on it
// as the current user, then waits until every address in waitFor accepts
// connections. conf may use $DIR for the server root. The instance stops
// when the test ends; its error log is printed if the test failed.
func Start(t testing.TB, dir, conf string, waitFor ...string) *Instance {
	t.Helper()
	bin := Binary(t)
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := &Instance{Dir: dir, Conf: filepath.Join(dir, "httpd.conf")}
	if err := os.WriteFile(in.Conf, []byte(strings.ReplaceAll(conf, "$DIR", dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	in.cmd = exec.Command(bin, "-DFOREGROUND", "-f", in.Conf)
	in.cmd.Dir = dir
	in.cmd.Stdout = &in.stderr
	in.cmd.Stderr = &in.stderr
	in.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in.exited = make(chan struct{})
	go func() { in.cmd.Wait(); close(in.exited) }()
	t.Cleanup(func() {
		in.Stop()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
			t.Logf("apache2 output:\n%s\nerror log:\n%s", in.stderr.String(), b)
		}
	})
	for _, addr := range waitFor {
		if err := in.waitListening(addr, 10*time.Second); err != nil {
			in.Stop()
			t.Fatalf("apache2 did not start listening on %s: %v\n%s\n%s", addr, err, in.stderr.String(), in.ErrorLog())
		}
	}
	return in
}

// Stop stops apache2 (SIGTERM to its process group, then SIGKILL).
func (in *Instance) Stop() {
	if in.stopped || in.cmd.Process == nil {
		return
	}
	in.stopped = true
	pgid := -in.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-in.exited:
	case <-time.After(5 * time.Second):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-in.exited
	}
}

// ErrorLog returns the current content of logs/error.log.
func (in *Instance) ErrorLog() string {
	b, _ := os.ReadFile(filepath.Join(in.Dir, "logs", "error.log"))
	return string(b)
}

func (in *Instance) waitListening(addr string, timeout time.Duration) error {
	if err := listenwait.Wait(addr, timeout, in.exited); err != nil {
		if errors.Is(err, listenwait.ErrExited) {
			return fmt.Errorf("apache2 exited")
		}
		return err
	}
	return nil
}

// LoadModules returns LoadModule lines for Debian's modules by short name
// ("alias" → LoadModule alias_module .../mod_alias.so).
func LoadModules(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "LoadModule %s_module %s/mod_%s.so\n", n, ModulesDir, n)
	}
	return b.String()
}

// RawRequest sends a request exactly as given (CRLFs included) and returns
// the raw response, read until the server closes the connection.
func RawRequest(addr, request string, timeout time.Duration) ([]byte, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte(request)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(c)
	if err != nil && buf.Len() == 0 {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CopyStdlib copies the standard library of the Python gowsgid embeds
// (and mod_wsgi's, /usr/bin/python3's) into jail at its own path: an
// interpreter starts in a chroot= jail only with it there.
func CopyStdlib(t testing.TB, jail string) {
	t.Helper()
	out, err := exec.Command("/usr/bin/python3", "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))").Output()
	if err != nil {
		t.Fatal(err)
	}
	stdlib := strings.TrimSpace(string(out))
	into := filepath.Join(jail, filepath.Dir(stdlib))
	if err := os.MkdirAll(into, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", stdlib, into).CombinedOutput(); err != nil {
		t.Fatalf("copying %s into the jail: %v: %s", stdlib, err, out)
	}
}
