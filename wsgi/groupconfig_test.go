package wsgi

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

// loadDaemon reads a configuration with one WSGIDaemonProcess line and
// resolves the group's options.
func loadDaemon(t *testing.T, line string) GroupOptions {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "httpd.conf")
	if err := os.WriteFile(conf, []byte("LoadModule mpm_event_module x\nLoadModule wsgi_module x\nErrorLog "+dir+"/error.log\n"+line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf}, confparse.ProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := GroupOptionsFor(cfg, cfg.WSGIDaemons[0])
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestDaemonNumbersAsAtoi: mod_wsgi reads option numbers with C's atoi
// (digits up to the first other byte) and the memory limits with
// apr_atoi64 (beyond 32 bits).
func TestDaemonNumbersAsAtoi(t *testing.T) {
	g := loadDaemon(t, "WSGIDaemonProcess g threads=5x processes=2x maximum-requests=100.5 memory-limit=5000000000")
	if g.Threads != 5 || g.Processes != 2 || g.Worker.MaximumRequests != 100 {
		t.Errorf("threads %d, processes %d, maximum-requests %d; want 5, 2, 100", g.Threads, g.Processes, g.Worker.MaximumRequests)
	}
	if g.Worker.Limits.MemoryLimit != 5000000000 {
		t.Errorf("memory-limit %d, want 5000000000", g.Worker.Limits.MemoryLimit)
	}
}

// TestDaemonUserVariables: as mod_wsgi, a daemon process's USER,
// USERNAME and LOGNAME name the user it runs as where the server's
// environment has them, and are not added where it has not.
func TestDaemonUserVariables(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the daemon's user is only changed when the server runs as root")
	}
	t.Setenv("LOGNAME", "someone")
	t.Setenv("USER", "")
	os.Unsetenv("USER")
	t.Setenv("USERNAME", "")
	os.Unsetenv("USERNAME")
	g := loadDaemon(t, "WSGIDaemonProcess g user=daemon")
	if !slices.Contains(g.Env, "LOGNAME=daemon") {
		t.Errorf("LOGNAME not corrected: %v", g.Env)
	}
	for _, kv := range g.Env {
		if k, _, _ := strings.Cut(kv, "="); k == "USER" || k == "USERNAME" {
			t.Errorf("%s added to an environment without it", kv)
		}
	}
}
