package benchproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// spinScript spins a CPU for half a second in a child, then touches $1.
// With "setsid" as $2 the child runs in a process group of its own (as
// gowsgid's daemon processes do) and stays alive afterwards; otherwise
// it exits and its parent reaps it. (The setsid child outlives Stop,
// which signals the server's group, by two seconds at most.)
const spinScript = `if [ "$2" = setsid ]; then
  setsid sh -c 'timeout 0.5 sh -c "while :; do :; done"; touch "$0"; sleep 2' "$1" >/dev/null 2>&1 &
else
  timeout 0.5 sh -c 'while :; do :; done'; touch "$1"
fi
sleep 30
`

// spin runs spinScript as a server and returns the CPU time it used
// while its child spun.
func spin(t *testing.T, mode string) time.Duration {
	dir := t.TempDir()
	script, marker := filepath.Join(dir, "spin.sh"), filepath.Join(dir, "spun")
	if err := os.WriteFile(script, []byte(spinScript), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Start("spinner", exec.Command("sh", script, marker, mode), nil, time.Second, "")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	start, err := p.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never finished spinning")
		}
		time.Sleep(20 * time.Millisecond)
	}
	end, err := p.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	return end - start
}

// TestCPUTimeCountsReapedChildren: a child that spun and was reaped
// counts, through its parent's cutime.
func TestCPUTimeCountsReapedChildren(t *testing.T) {
	if d := spin(t, "wait"); d < 100*time.Millisecond {
		t.Fatalf("CPU time grew by %v over half a second of spinning", d)
	}
}

// TestCPUTimeCountsOtherGroups: a live descendant in a process group of
// its own counts.
func TestCPUTimeCountsOtherGroups(t *testing.T) {
	if d := spin(t, "setsid"); d < 100*time.Millisecond {
		t.Fatalf("CPU time grew by %v over half a second of spinning", d)
	}
}
