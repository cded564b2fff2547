package wsgi

import (
	"cmp"
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

// TestDaemonIdentityAsModWSGI: user= keeps the server's Group (not the
// user's passwd group), group= keeps the server's User, and the groups
// are what initgroups(3) gives that user with that group, or the group
// and supplementary-groups= in that order.
func TestDaemonIdentityAsModWSGI(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the daemon's user is only changed when the server runs as root")
	}
	// Debian's daemon (uid 1, group 1) and www-data (33/33), listed as
	// members of no group; backup is gid 34.
	for _, name := range []string{"daemon", "www-data"} {
		if ids := initGroups(name, 34); len(ids) != 1 {
			t.Fatalf("this test wants %s a member of no group in /etc/group; initgroups gives %v", name, ids)
		}
	}
	for _, c := range []struct {
		line     string
		uid, gid uint32
		groups   []uint32
	}{
		{"user=daemon", 1, 33, []uint32{33}},
		{"group=backup", 33, 34, []uint32{34}},
		{"user=daemon group=backup", 1, 34, []uint32{34}},
		{"user=daemon supplementary-groups=backup,daemon", 1, 33, []uint32{33, 34, 1}},
		{"", 33, 33, []uint32{33}},
	} {
		g := loadDaemon(t, "User www-data\nGroup www-data\nWSGIDaemonProcess g "+c.line)
		cr := g.Credential
		if cr == nil || cr.Uid != c.uid || cr.Gid != c.gid || !slices.Equal(cr.Groups, c.groups) {
			t.Errorf("%q: credential %+v, want uid %d gid %d groups %v", c.line, cr, c.uid, c.gid, c.groups)
		}
	}
}

// TestServerLogs: a group's workers get the log of each server whose
// requests it may serve, each file once, and the group's own log as
// fd 4; a group of a virtual host serves only the virtual hosts of its
// server name (its http and https pair), one of the main server all.
// Their start-up lines go to the main server's log.
func TestServerLogs(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "httpd.conf")
	text := `LoadModule mpm_event_module x
LoadModule wsgi_module x
ServerName main.test
ErrorLog main.log
WSGIDaemonProcess shared
<VirtualHost *:80>
  ServerName a.test
  ErrorLog a.log
  WSGIDaemonProcess own
</VirtualHost>
<VirtualHost *:443>
  ServerName a.test
  ErrorLog a.log
  LogLevel debug
</VirtualHost>
<VirtualHost *:80>
  ServerName b.test
  ErrorLogFormat "[%l] %M"
</VirtualHost>
`
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf}, confparse.ProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Each server's log file, as the server's error log has them open:
	// a virtual host without ErrorLog writes to the main server's.
	files := map[string]*os.File{"main.log": os.Stdin, "a.log": os.Stdout}
	logOf := func(s *confparse.Server) (*os.File, string) {
		level := cmp.Or(s.LogLevel.Level, "warn")
		if s.ErrorLog == "" {
			return files["main.log"], level
		}
		return files[s.ErrorLog], level
	}
	type entry struct {
		FD           int
		Server       string
		Level        string
		customFormat bool
	}
	entries := func(g GroupOptions) []entry {
		var out []entry
		for _, wl := range g.Worker.ServerLogs {
			out = append(out, entry{wl.FD, wl.Server, wl.Level, wl.Format != nil})
		}
		return out
	}
	for _, tc := range []struct {
		group   int
		logFile string
		want    []entry
		extra   []*os.File
	}{
		{0, "main.log", []entry{{4, "main.test", "warn", false}, {5, "a.test", "warn", false},
			{5, "a.test", "debug", false}, {4, "b.test", "warn", true}}, []*os.File{os.Stdout}},
		// Its start-up lines go to the main server's log: one more file.
		{1, "a.log", []entry{{4, "a.test", "warn", false}, {4, "a.test", "debug", false}}, []*os.File{os.Stdin}},
	} {
		d := cfg.WSGIDaemons[tc.group]
		g, err := GroupOptionsFor(cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		g.ErrorLog = files[tc.logFile]
		g.SetServerLogs(cfg, d, logOf)
		if got := entries(g); !slices.Equal(got, tc.want) {
			t.Errorf("group %s: server logs %+v, want %+v", d.Name, got, tc.want)
		}
		if !slices.Equal(g.ServerLogFiles, tc.extra) {
			t.Errorf("group %s: %d extra files, want %d", d.Name, len(g.ServerLogFiles), len(tc.extra))
		}
		// The worker's start-up lines: the main server's log.
		wantFD := 4
		if tc.logFile != "main.log" {
			wantFD = 5 + slices.Index(g.ServerLogFiles, files["main.log"])
		}
		if sl := g.Worker.StartLog; sl == nil || sl.Server != "main.test" || sl.FD != wantFD {
			t.Errorf("group %s: start log %+v, want main.test's on fd %d", d.Name, sl, wantFD)
		}
		for s, i := range g.logIndex {
			if g.Worker.ServerLogs[i].Server != s.Hostname {
				t.Errorf("group %s: server %s has the log entry of %s", d.Name, s.Hostname, g.Worker.ServerLogs[i].Server)
			}
		}
		// A request of the configuration read again (a graceful
		// restart hands it to the new group) finds its server's entry.
		again, err := confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf}, confparse.ProcessOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range append([]*confparse.Server{again.Main}, again.VirtualHosts...) {
			old := append([]*confparse.Server{cfg.Main}, cfg.VirtualHosts...)[i]
			want, served := g.logIndex[old]
			got, found := g.logByKey[serverKey(s)]
			if served != found || got != want {
				t.Errorf("group %s: server %d of the new configuration: entry %d (%v), want %d (%v)", d.Name, i, got, found, want, served)
			}
		}
	}
}

// TestEmbeddedTopologyFromConfig: ThreadsPerChild and MaxRequestWorkers
// of a configuration read by confparse size the embedded engine (their
// context check must keep them for it).
func TestEmbeddedTopologyFromConfig(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "httpd.conf")
	if err := os.WriteFile(conf, []byte("LoadModule mpm_event_module x\nErrorLog "+dir+"/error.log\nThreadsPerChild 7\nMaxRequestWorkers 21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf}, confparse.ProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tp := EmbeddedTopology(cfg); tp.Threads != 7 || tp.MaximumProcesses != 3 {
		t.Errorf("topology %+v, want 7 threads in 3 processes", tp)
	}
}
