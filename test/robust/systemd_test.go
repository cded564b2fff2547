package robust

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// TestSystemdNotify: started with NOTIFY_SOCKET (Type=notify), gowsgid
// says READY=1 once it serves, RELOADING=1 then READY=1 around a
// graceful restart, and STOPPING=1 when it stops.
func TestSystemdNotify(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	addr, _, srv := startLifecycle(t, "")
	next := func() string {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 256)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}
	if got := next(); got != fmt.Sprintf("READY=1\nMAINPID=%d", srv.Pid()) {
		t.Errorf("at start: %q", got)
	}
	if status, _ := get(t, addr, "/index.html"); status != 200 {
		t.Errorf("serving: %d", status)
	}
	syscall.Kill(srv.Pid(), syscall.SIGUSR1)
	if got := next(); got != "RELOADING=1" {
		t.Errorf("at graceful restart: %q", got)
	}
	if got := next(); got != "READY=1" {
		t.Errorf("after graceful restart: %q", got)
	}
	syscall.Kill(srv.Pid(), syscall.SIGTERM)
	if got := next(); got != "STOPPING=1" {
		t.Errorf("at stop: %q", got)
	}
}

// TestSocketActivation: under systemd-socket-activate (systemd binds the
// port, passes it as fd 3 with LISTEN_FDS and LISTEN_PID) gowsgid serves
// the Listen line on the socket it was given: it could not bind the
// port itself, systemd holds it without SO_REUSEPORT.
func TestSocketActivation(t *testing.T) {
	activate, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Fatal("systemd-socket-activate is missing (Debian's systemd package)")
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("activated\n"), 0o644)
	ports := apachetest.FreePorts(t, 2)
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	// A second socket no Listen line names: closed, with a warning.
	stray := fmt.Sprintf("127.0.0.1:%d", ports[1])
	conf := strings.ReplaceAll(fmt.Sprintf(`ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
PidFile $DIR/logs/httpd.pid
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
`, addr), "$DIR", dir)
	confPath := filepath.Join(dir, "httpd.conf")
	os.WriteFile(confPath, []byte(conf), 0o644)
	cmd := exec.Command(activate, "-l", addr, "-l", stray, apachetest.GowsgidBinary(t), "-DFOREGROUND", "-f", confPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	}()
	// systemd-socket-activate starts gowsgid at the first connection.
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, body := 0, ""
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			status, body = get(t, addr, "/index.html")
		}
		if status == 200 && body == "activated\n" {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
			t.Fatalf("not served through the activated socket: %d %q\n%s\n%s", status, body, out, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
	if want := "no Listen line names " + stray + ", which systemd passed"; !strings.Contains(string(b), want) {
		t.Errorf("the socket no Listen line names is not reported (%q):\n%s", want, b)
	}
}

// TestReloadRefusesOtherSitesPort: a Listen line a graceful restart adds
// is refused (AH00072, the old configuration goes on serving) when
// another site's gowsgid serves that port; SO_REUSEPORT alone would let
// the two share it, and the kernel split the other site's connections.
func TestReloadRefusesOtherSitesPort(t *testing.T) {
	t.Run("another port", func(t *testing.T) {
		addr, _, srv := startLifecycle(t, "")
		otherAddr, _, other := startLifecycle(t, "")
		testReloadRefuses(t, srv, addr, other, otherAddr)
	})
	t.Run("another address of the same port", func(t *testing.T) {
		addr, _, srv := startLifecycle(t, "")
		_, port, _ := net.SplitHostPort(addr)
		otherAddr := "127.0.0.2:" + port
		dir := t.TempDir()
		writeApp(t, dir, "v1")
		other := apachetest.StartGowsgid(t, dir, fmt.Sprintf(lifecycleConf, otherAddr, ""), nil, otherAddr)
		testReloadRefuses(t, srv, addr, other, otherAddr)
	})
}

func testReloadRefuses(t *testing.T, srv *apachetest.Instance, addr string, other *apachetest.Instance, otherAddr string) {
	t.Helper()
	rewriteConf(t, srv, addr, "Listen "+otherAddr)
	signalServer(t, srv, "graceful")
	want := "AH00072: make_sock: could not bind to address " + otherAddr
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(srv.ErrorLog(), want); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the other site's port was not refused (%q):\n%s", want, srv.ErrorLog())
		}
	}
	for i := 0; i < 10; i++ {
		if _, _, pid := served(t, otherAddr, "/embedded"); pid != other.Pid() {
			t.Fatalf("request %d to the other site's port served by pid %d, want %d", i, pid, other.Pid())
		}
	}
}

// TestReusePort: a second gowsgid of the same site (its PidFile names
// the running server) binds the port the first one serves
// (SO_REUSEPORT), and serves it alone once the first stops: a handover
// without a refused connection. A server of another site is refused
// the port, as Apache refuses it.
func TestReusePort(t *testing.T) {
	addr, dir, first := startLifecycle(t, "")
	pidFile := filepath.Join(dir, "logs/httpd.pid")
	waitPidFile(t, pidFile, first.Pid())
	other := t.TempDir()
	writeApp(t, other, "other")
	os.MkdirAll(filepath.Join(other, "logs"), 0o755)
	conf := filepath.Join(other, "httpd.conf")
	os.WriteFile(conf, []byte(strings.ReplaceAll(fmt.Sprintf(lifecycleConf, addr, ""), "$DIR", other)), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, apachetest.GowsgidBinary(t), "-DFOREGROUND", "-f", conf).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "AH00072: make_sock: could not bind to address "+addr) {
		t.Errorf("another site's server on the same port: %v\n%s\nwant AH00072", err, out)
	}
	dir2 := t.TempDir()
	writeApp(t, dir2, "v2")
	second := apachetest.StartGowsgid(t, dir2, fmt.Sprintf(lifecycleConf, addr, "PidFile "+pidFile), nil, addr)
	// The port answered already: wait for the second to serve too.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(second.ErrorLog(), "resuming normal operations"); {
		if time.Now().After(deadline) {
			t.Fatal("the second instance did not start on the port the first serves")
		}
		time.Sleep(50 * time.Millisecond)
	}
	first.Stop()
	for i := 0; i < 20; i++ {
		if status, version, pid := served(t, addr, "/daemon"); status != 200 || version != "v2" {
			t.Fatalf("after the first stopped: %d %q (pid %d), want the second instance", status, version, pid)
		}
	}
}

// TestListenSamePortTwice: a dual-stack configuration (Listen 0.0.0.0:P
// and Listen [::]:P, which Apache accepts) starts: the guard against
// another site's server does not take the server's own first socket
// for one.
func TestListenSamePortTwice(t *testing.T) {
	dir := t.TempDir()
	writeApp(t, dir, "v1")
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("static\n"), 0o644)
	port := apachetest.FreePorts(t, 1)[0]
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	conf := fmt.Sprintf(lifecycleConf, fmt.Sprintf("0.0.0.0:%d", port), fmt.Sprintf("Listen [::]:%d", port))
	apachetest.StartGowsgid(t, dir, conf, nil, addr)
	for _, a := range []string{addr, fmt.Sprintf("[::1]:%d", port)} {
		if status, body := get(t, a, "/index.html"); status != 200 || body != "static\n" {
			t.Errorf("GET http://%s/index.html: %d %q", a, status, body)
		}
	}
}
