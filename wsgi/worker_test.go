package wsgi

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRequestAgesConsistent: the monitor's sum of the running requests'
// ages never counts a request that has ended (or has not started) with
// the other's figure, however requests start and end around it. Read
// apart, the count and the sum of start times once gave a sum near the
// current time, and request-timeout restarted a busy worker for nothing.
func TestRequestAgesConsistent(t *testing.T) {
	w := &Worker{}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				start := time.Now()
				w.beginRequest(start)
				w.endRequest(start)
			}
		}()
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	checks := 0
	for time.Now().Before(deadline) {
		now := time.Now()
		active, ages := w.requestAges(now)
		if active < 0 || active > 4 || ages < -time.Second || ages > time.Minute {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("after %d checks: %d requests running, %v of ages", checks, active, ages)
		}
		checks++
	}
	stop.Store(true)
	wg.Wait()
	if active, ages := w.requestAges(time.Now()); active != 0 || ages != 0 {
		t.Fatalf("all requests ended, yet %d running, %v of ages", active, ages)
	}
}
