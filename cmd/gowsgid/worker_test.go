package main

import "testing"

// TestWorkerProcs: a daemon worker runs Go on one processor unless the
// environment says otherwise (GOMAXPROCS=4 stays Go's to apply).
func TestWorkerProcs(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if n, ok := workerProcs(getenv); !ok || n != 1 {
		t.Errorf("no GOMAXPROCS in the environment: %d, %v; want 1, true", n, ok)
	}
	env["GOMAXPROCS"] = "4"
	if _, ok := workerProcs(getenv); ok {
		t.Error("GOMAXPROCS=4 in the environment was overridden")
	}
}
