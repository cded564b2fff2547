package mapprogram

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/rewrite"
)

// reportScript answers one line with what it was started with: its
// arguments, its directory and its environment.
const reportScript = `#!/bin/sh
read -r key
echo "$key|$*|$(pwd)|$(env | grep -v '^PWD=' | sort | tr '\n' ' ')"
echo "to stderr" >&2
`

// TestStart: the program runs in its own directory with no environment,
// with its arguments, its standard error where the server says.
func TestStart(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(bin, "report.sh")
	if err := os.WriteFile(script, []byte(reportScript), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOWSGID_TEST_LEAK", "1")
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	p, err := Start(rewrite.Program{Argv: []string{script, "a b", "c"}}, stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.In().WriteString("key\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(p.Out()).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if want := "key|a b c|" + bin + "|\n"; line != want {
		t.Errorf("the program said %q, want %q", line, want)
	}
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the program did not end")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "stderr")); string(b) != "to stderr\n" {
		t.Errorf("standard error: %q", b)
	}
}

// TestStartRefused: a program that is not executable, or a user or group
// that does not exist, fails before anything runs, with the system error
// mod_rewrite logs (AH00654).
func TestStartRefused(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "map.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		spec rewrite.Program
		want syscall.Errno
	}{
		{rewrite.Program{Argv: []string{script}}, syscall.EACCES},
		{rewrite.Program{Argv: []string{filepath.Join(dir, "none.sh")}}, syscall.ENOENT},
		{rewrite.Program{Argv: []string{"/bin/cat"}, User: "no-such-user-here"}, syscall.ENOENT},
		{rewrite.Program{Argv: []string{"/bin/cat"}, User: "nobody", Group: "no-such-group-here"}, syscall.ENOENT},
	} {
		p, err := Start(tt.spec, nil)
		if err == nil {
			p.Close()
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.spec, err, tt.want)
		}
	}
}

// TestCloseKills: a program that ignores SIGTERM and its input's end is
// killed once its grace is over.
func TestCloseKills(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "stubborn.sh")
	body := "#!/bin/sh\ntrap '' TERM\necho ready\nwhile :; do sleep 0.05; done\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Start(rewrite.Program{Argv: []string{script}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(p.Out()).ReadString('\n'); strings.TrimSpace(line) != "ready" {
		t.Fatalf("program said %q", line)
	}
	p.killAfter = 200 * time.Millisecond
	start := time.Now()
	p.Close()
	if d := time.Since(start); d < p.killAfter {
		t.Errorf("closed after %v, before the grace of %v", d, p.killAfter)
	}
	if err := syscall.Kill(p.Pid(), 0); err == nil {
		t.Error("the program is still running")
	}
}

// TestStartDead: a program that passes APR's checks but cannot be
// executed (its interpreter is missing) starts dead, with an ExecError
// to log: its output ends at once and a write to it fails, so lookups
// find the empty string, as under Apache.
func TestStartDead(t *testing.T) {
	script := filepath.Join(t.TempDir(), "map.sh")
	if err := os.WriteFile(script, []byte("#!/no/such/interpreter\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Start(rewrite.Program{Argv: []string{script}}, nil)
	var ee *ExecError
	if !errors.As(err, &ee) || p == nil || ee.Path != script || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("Start: %v, %v; want a dead program and an ExecError for ENOENT", p, err)
	}
	defer p.Close()
	if _, err := p.In().WriteString("key\n"); err == nil {
		t.Error("a write to a dead program succeeded")
	}
	if n, err := p.Out().Read(make([]byte, 8)); n != 0 || err == nil {
		t.Errorf("a read from a dead program: %d, %v", n, err)
	}
}

// TestCredential: a map's user:group is looked up as APR looks it up,
// and, as root, gives initgroups(3)'s groups for the map's group: the
// groups /etc/group lists the user in and the group, not the user's own
// group besides.
func TestCredential(t *testing.T) {
	cred, err := credential("daemon", "adm")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if cred != nil {
			t.Errorf("not root: %+v, want none", cred)
		}
		return
	}
	if cred == nil || cred.Uid != 1 || cred.Gid != 4 {
		t.Fatalf("daemon:adm: %+v, want uid 1, gid 4", cred)
	}
	for _, g := range cred.Groups {
		if g == 1 {
			t.Errorf("groups %v hold daemon's own group, which initgroups(daemon, adm) does not give", cred.Groups)
		}
	}
	if _, err := credential("no-such-user-here", ""); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("unknown user: %v", err)
	}
}
