package robust

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// TestChrootAcrossGracefulRestart: a server started as root serves as
// User, and still reads a configuration with chroot= on a graceful
// restart (Apache's parent stays root; gowsgid's server does not, and
// must not refuse it then), whose new daemon process is jailed as the
// first one was.
func TestChrootAcrossGracefulRestart(t *testing.T) {
	dir := rootSiteDir(t)
	jail := filepath.Join(dir, "jail")
	apachetest.CopyStdlib(t, jail)
	if err := os.MkdirAll(filepath.Join(jail, "srv"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(jail, "srv", "app.wsgi"), []byte(fmt.Sprintf(daemonApp, "jailed")), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	conf := asUserConf(addr, `WSGIDaemonProcess jail threads=1 chroot=$DIR/jail home=/srv
WSGIScriptAlias /jail $DIR/jail/srv/app.wsgi process-group=jail
`)
	srv := apachetest.StartGowsgid(t, dir, conf, nil, addr)
	status, version, first := served(t, addr, "/jail")
	if status != 200 || version != "jailed" {
		t.Fatalf("the jailed application: %d %q", status, version)
	}
	if root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", first)); err != nil || root != jail {
		t.Errorf("the daemon process's root is %q (%v), want %s", root, err, jail)
	}
	if uid := uidOfProcess(t, first); uid != "33" {
		t.Errorf("the jailed daemon process runs as uid %s, want www-data (33)", uid)
	}
	syscall.Kill(srv.Pid(), syscall.SIGUSR1)
	deadline := time.Now().Add(10 * time.Second)
	after := first
	for after == first && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if status, _, pid := served(t, addr, "/jail"); status == 200 {
			after = pid
		}
	}
	log := srv.ErrorLog()
	if after == first || strings.Contains(log, "has errors") {
		t.Fatalf("after the graceful restart the old daemon process (%d) still serves:\n%s", first, log)
	}
	if root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", after)); err != nil || root != jail {
		t.Errorf("the new daemon process's root is %q (%v), want %s", root, err, jail)
	}
}
