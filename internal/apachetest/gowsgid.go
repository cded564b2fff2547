package apachetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var built struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// GowsgidBinary builds cmd/gowsgid once per test binary and returns its
// path.
func GowsgidBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "gowsgid-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "gowsgid")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(goTool, "build", "-o", built.path, "github.com/gowsgid/gowsgid/cmd/gowsgid")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("building gowsgid: %v\n%s", built.err, built.out)
	}
	return built.path
}

// StartGowsgid is Start for gowsgid: it writes conf to dir/httpd.conf,
// runs `gowsgid -DFOREGROUND -f` on it with the extra args and waits for
// the addresses in waitFor.
func StartGowsgid(t testing.TB, dir, conf string, args []string, waitFor ...string) *Instance {
	t.Helper()
	bin := GowsgidBinary(t)
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := &Instance{Dir: dir, Conf: filepath.Join(dir, "httpd.conf")}
	if err := os.WriteFile(in.Conf, []byte(strings.ReplaceAll(conf, "$DIR", dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	in.cmd = exec.Command(bin, append([]string{"-DFOREGROUND", "-f", in.Conf}, args...)...)
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
			t.Logf("gowsgid output:\n%s\nerror log:\n%s", in.stderr.String(), in.ErrorLog())
		}
	})
	for _, addr := range waitFor {
		if err := in.waitListening(addr, 20*time.Second); err != nil {
			in.Stop()
			t.Fatalf("gowsgid did not start listening on %s: %v\n%s\n%s", addr, err, in.stderr.String(), in.ErrorLog())
		}
	}
	return in
}

// Pid is the server's process id.
func (in *Instance) Pid() int { return in.cmd.Process.Pid }

// Exited is closed when the server process has exited.
func (in *Instance) Exited() <-chan struct{} { return in.exited }
