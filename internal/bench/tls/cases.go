package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// helloBody is the file every case fetches.
var helloBody = []byte("Hello, world!")

// benchCase is one measurement on a server.
type benchCase struct {
	name string
	run  func(ctx context.Context, s *server, o options) (result, error)
}

// result is what one round of a case measured: the rate, and the
// processor time the server spent on each operation (0 when not
// measured). The machine's CPUs are shared with the load generator, so
// the rate also depends on the client's cost; the CPU time per operation
// is the server's alone.
type result struct {
	rate     float64
	cpuPerOp time.Duration
}

var cases = []benchCase{
	{name: "handshake RSA-2048", run: func(ctx context.Context, s *server, o options) (result, error) {
		return handshakes(ctx, s, s.rsaAddr, o)
	}},
	{name: "handshake ECDSA P-256", run: func(ctx context.Context, s *server, o options) (result, error) {
		return handshakes(ctx, s, s.ecdsaAddr, o)
	}},
	{name: "handshake ECDSA, Mozilla's groups", run: func(ctx context.Context, s *server, o options) (result, error) {
		return handshakes(ctx, s, s.groupsAddr, o)
	}},
	{name: "h2 requests (h2load)", run: func(ctx context.Context, s *server, o options) (result, error) {
		rate, err := h2load(ctx, s.ecdsaAddr, o)
		return result{rate: rate}, err
	}},
}

// handshakes runs o.conns clients that each, in a loop, open a TLS
// connection (no session resumption), fetch the file with
// "Connection: close" and close; it returns the connections completed
// per second of the measured time, and the server's processor time for
// each.
func handshakes(ctx context.Context, s *server, addr string, o options) (result, error) {
	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: "bench.test", NextProtos: []string{"http/1.1"}}
	req := []byte("GET /hello.txt HTTP/1.1\r\nHost: bench.test\r\nConnection: close\r\n\r\n")
	one := func() error {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(req); err != nil {
			return err
		}
		b, err := io.ReadAll(c)
		if err != nil && len(b) == 0 {
			return err
		}
		if !bytes.HasPrefix(b, []byte("HTTP/1.1 200 ")) || !bytes.HasSuffix(b, helloBody) {
			return fmt.Errorf("unexpected answer %q", b[:min(len(b), 200)])
		}
		return nil
	}
	if err := one(); err != nil {
		return result{}, err
	}
	var done atomic.Int64
	var counting atomic.Bool
	var firstErr error
	var mu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < o.conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := one(); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				if counting.Load() {
					done.Add(1)
				}
			}
		}()
	}
	sleep(ctx, o.warmup)
	cpuStart, cpuErr := s.CPUTime()
	counting.Store(true)
	start := time.Now()
	sleep(ctx, o.duration)
	n := done.Load()
	elapsed := time.Since(start)
	cpuEnd, err := s.CPUTime()
	close(stop)
	wg.Wait()
	switch {
	case firstErr != nil:
		return result{}, firstErr
	case ctx.Err() != nil:
		return result{}, ctx.Err()
	case cpuErr != nil:
		return result{}, cpuErr
	case err != nil:
		return result{}, err
	case n == 0:
		return result{}, fmt.Errorf("no handshake completed in %v", elapsed)
	}
	return result{rate: float64(n) / elapsed.Seconds(), cpuPerOp: (cpuEnd - cpuStart) / time.Duration(n)}, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// h2loadRate matches h2load's summary: "finished in 3.00s, 12345.67 req/s, ...".
var h2loadRate = regexp.MustCompile(`finished in [0-9.]+m?s, ([0-9.]+) req/s`)

// h2loadOK matches its request tally, to check nothing failed:
// "requests: N total, N started, N done, N succeeded, 0 failed, 0 errored".
var h2loadOK = regexp.MustCompile(`requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored`)

// h2load runs h2load over HTTP/2 (ALPN h2) for the measured time and
// returns its requests per second; every request must succeed.
func h2load(ctx context.Context, addr string, o options) (float64, error) {
	bin, err := exec.LookPath("h2load")
	if err != nil {
		return 0, fmt.Errorf("h2load is not installed (make bench installs nghttp2-client): %w", err)
	}
	args := []string{
		"-c", strconv.Itoa(o.conns), "-m", strconv.Itoa(o.streams),
		"-D", strconv.Itoa(max(int(o.duration.Seconds()), 1)),
		"--warm-up-time", strconv.Itoa(max(int(o.warmup.Seconds()), 1)),
		"https://" + addr + "/hello.txt",
	}
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("h2load: %w\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("Application protocol: h2")) {
		return 0, fmt.Errorf("h2load did not speak h2:\n%s", out)
	}
	m := h2loadOK.FindSubmatch(out)
	if m == nil || string(m[4]) != "0" || string(m[5]) != "0" || string(m[2]) != string(m[3]) {
		return 0, fmt.Errorf("h2load had failed requests:\n%s", out)
	}
	r := h2loadRate.FindSubmatch(out)
	if r == nil {
		return 0, fmt.Errorf("no rate in h2load's output:\n%s", out)
	}
	return strconv.ParseFloat(string(r[1]), 64)
}
