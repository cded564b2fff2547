package benchproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCPUTimeCountsChildren: a server's child that spins and is reaped
// still counts, through its parent's cutime.
func TestCPUTimeCountsChildren(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "spun")
	cmd := exec.Command("sh", "-c", "timeout 0.5 sh -c 'while :; do :; done'; touch \"$0\"; sleep 30", marker)
	p, err := Start("spinner", cmd, nil, time.Second, "")
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
	// The spinning child has exited; its time is in its parent's cutime.
	end, err := p.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	if end-start < 100*time.Millisecond {
		t.Fatalf("CPU time went from %v to %v over half a second of spinning", start, end)
	}
}
