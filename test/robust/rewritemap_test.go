package robust

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// mapProgram is a RewriteMap prg: program that answers "pid" with its
// process id, never answers "hang" (a child of its own holds its output
// open), and answers anything else with the number of keys it has read;
// it says on its standard error (the error log) that it started.
const mapProgram = `#!/bin/sh
echo "map program $$ started" >&2
n=0
while IFS= read -r key; do
	n=$((n+1))
	case "$key" in
	pid) echo "$$" ;;
	hang) sleep 600 ;;
	*) echo "$n" ;;
	esac
done
`

// TestMapProgramsRunAsRoot: started as root with User and Group, the
// server starts its RewriteMap prg: programs as root, as Apache's parent
// does, and as the map's user when the RewriteMap line names one; their
// standard error is the error log. A graceful restart starts new
// programs and ends the old ones at once, as Apache does: a lookup stuck
// on an old one ends with the empty string. Stopping the server ends
// them too.
func TestMapProgramsRunAsRoot(t *testing.T) {
	dir := rootSiteDir(t)
	if err := os.WriteFile(filepath.Join(dir, "map.sh"), []byte(mapProgram), 0o755); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	conf := asUserConf(addr, `LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
RewriteEngine On
RewriteMap root "prg:map.sh"
RewriteMap nobody "prg:map.sh" nobody:nogroup
RewriteRule ^/root/(.*)$ /to/${root:$1} [R,L]
RewriteRule ^/nobody/(.*)$ /to/${nobody:$1} [R,L]
`)
	srv := apachetest.StartGowsgid(t, dir, conf, nil, addr)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	lookup := func(path string) string {
		t.Helper()
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		_, value, _ := strings.Cut(resp.Header.Get("Location"), "/to/")
		return value
	}
	pidOf := func(path string) int {
		t.Helper()
		pid, err := strconv.Atoi(lookup(path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return pid
	}
	rootPid, nobodyPid := pidOf("/root/pid"), pidOf("/nobody/pid")
	t.Cleanup(func() { exec.Command("pkill", "-f", "sleep 600").Run() })
	if uid := uidOfProcess(t, rootPid); uid != "0" {
		t.Errorf("the map program runs as uid %s, want root", uid)
	}
	if uid := uidOfProcess(t, nobodyPid); uid != "65534" {
		t.Errorf("the map program of nobody:nogroup runs as uid %s, want 65534", uid)
	}
	if got := lookup("/root/x"); got != "2" {
		t.Errorf("second lookup: %q, want 2", got)
	}
	if log := srv.ErrorLog(); !strings.Contains(log, fmt.Sprintf("map program %d started\n", rootPid)) {
		t.Errorf("the program's standard error is not in the error log:\n%s", log)
	}

	stuck := make(chan string, 1)
	go func() {
		resp, err := client.Get("http://" + addr + "/root/hang")
		if err != nil {
			stuck <- "error: " + err.Error()
			return
		}
		resp.Body.Close()
		_, value, _ := strings.Cut(resp.Header.Get("Location"), "/to/")
		stuck <- value
	}()
	time.Sleep(300 * time.Millisecond) // the lookup waits on the program
	syscall.Kill(srv.Pid(), syscall.SIGUSR1)
	select {
	case v := <-stuck:
		if v != "" {
			t.Errorf("the stuck lookup found %q after the restart, want the empty string", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a lookup stuck on the old program did not end at the graceful restart")
	}
	deadline := time.Now().Add(10 * time.Second)
	newPid := rootPid
	for newPid == rootPid && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		newPid = pidOf("/root/pid")
	}
	if newPid == rootPid {
		t.Fatal("a graceful restart kept the old map program")
	}
	if got := lookup("/root/x"); got != "2" {
		t.Errorf("second lookup of the new program: %q, want 2", got)
	}
	waitGone(t, rootPid, "the old map program")
	waitGone(t, nobodyPid, "the old map program of nobody")
	last := []int{newPid, pidOf("/nobody/pid")}
	srv.Stop()
	for _, pid := range last {
		waitGone(t, pid, "a map program after the server stopped")
	}
}

// waitGone waits up to five seconds for process pid to end (a zombie
// counts as ended).
func waitGone(t *testing.T, pid int, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		if f := strings.Fields(string(b)); len(f) > 2 && f[2] == "Z" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("%s (pid %d) is still running", what, pid)
}
