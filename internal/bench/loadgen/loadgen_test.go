package loadgen

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 130, 1000, 1 << 20, 1<<40 + 12345, 1<<63 - 1} {
		i := bucketOf(v)
		if i <= prev || i >= numBuckets {
			t.Errorf("bucketOf(%d) = %d: not increasing within [0, %d)", v, i, numBuckets)
		}
		prev = i
		low, width := bucketRange(i)
		if v < low || v-low >= width {
			t.Errorf("value %d in bucket %d = [%d, %d+%d)", v, i, low, low, width)
		}
		if low >= 128 && float64(width)/float64(low) > 1.0/64 {
			t.Errorf("bucket %d: width %d of %d is over 1/64", i, width, low)
		}
	}
}

func TestHistogramPercentiles(t *testing.T) {
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, 1000 * time.Microsecond}} {
		got := h.Percentile(c.q)
		if d := float64(got-c.want) / float64(c.want); d < -0.02 || d > 0.02 {
			t.Errorf("p%v = %v, want %v within 2%%", c.q*100, got, c.want)
		}
	}
	if h.Max() != time.Millisecond || h.Count() != 1000 {
		t.Errorf("max %v count %d", h.Max(), h.Count())
	}
	o := NewHistogram()
	o.Record(time.Second)
	h.Merge(o)
	if h.Max() != time.Second || h.Count() != 1001 {
		t.Errorf("after merge: max %v count %d", h.Max(), h.Count())
	}
}

// serve runs handler on a test server and returns its address.
func serve(t *testing.T, handler http.HandlerFunc) string {
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func run(t *testing.T, addr string, req []byte) *Result {
	t.Helper()
	res, err := Run(context.Background(), Options{Addr: addr, Request: req, Conns: 4,
		Warmup: 50 * time.Millisecond, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses == 0 || res.RPS() <= 0 || res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 {
		t.Fatalf("implausible result: %v (p90 %v max %v)", res, res.P90, res.Max)
	}
	return res
}

func TestRunFramings(t *testing.T) {
	body := strings.Repeat("x", 5000)
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "5000")
			w.Write([]byte(body))
		case "/chunked":
			w.Write([]byte(body[:100]))
			w.(http.Flusher).Flush()
			w.Write([]byte(body[100:]))
		case "/304":
			w.WriteHeader(304)
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte(body))
		case "/post":
			b := make([]byte, 10)
			n, _ := r.Body.Read(b)
			w.WriteHeader(201)
			w.Write(b[:n])
		}
	})
	cases := []struct {
		name      string
		req       []byte
		status    int
		bodyLen   int64
		reconnect bool
	}{
		{"content-length", Get("/length", "t"), 200, 5000, false},
		{"chunked", Get("/chunked", "t"), 200, 5000, false},
		{"HEAD", Request("HEAD", "/length", "t", nil), 200, 0, false},
		{"304", Get("/304", "t"), 304, 0, false},
		{"connection close", Get("/close", "t"), 200, 5000, true},
		{"POST", Post("/post", "t", []byte("0123456789")), 201, 10, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := run(t, addr, c.req)
			if res.Errors != 0 || res.ByStatus[c.status] != res.Responses {
				t.Errorf("want only %d and no errors: %v", c.status, res)
			}
			if res.BodyBytes != c.bodyLen*res.Responses {
				t.Errorf("body bytes %d for %d responses, want %d each", res.BodyBytes, res.Responses, c.bodyLen)
			}
			if (res.Reconnects > 0) != c.reconnect {
				t.Errorf("reconnects %d, want some: %v", res.Reconnects, c.reconnect)
			}
		})
	}
}

func TestRunHTTP10Close(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					l, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if l == "\r\n" {
						break
					}
				}
				// HTTP/1.0, no length: the body ends with the connection.
				c.Write([]byte("HTTP/1.0 200 OK\r\n\r\nhello"))
			}()
		}
	}()
	res := run(t, ln.Addr().String(), Get("/", "t"))
	if res.Errors != 0 || res.BodyBytes != 5*res.Responses || res.Reconnects == 0 {
		t.Errorf("want close-delimited bodies of 5 bytes and reconnects: %v", res)
	}
}

func TestRunNoServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Run(context.Background(), Options{Addr: addr, Request: Get("/", "t"), Conns: 2, Duration: 100 * time.Millisecond})
	if !errors.Is(err, ErrNoConnection) {
		t.Errorf("Run against a closed port: %v, want ErrNoConnection", err)
	}
	if _, err := Run(context.Background(), Options{Addr: addr, Request: []byte("\r\n")}); err == nil {
		t.Error("a request without a request line was accepted")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(5 * time.Millisecond) })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, Options{Addr: addr, Request: Get("/", "t"), Conns: 2, Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second || res.Elapsed > time.Second || res.Responses == 0 {
		t.Errorf("cancelled run took %v, window %v, %d responses", took, res.Elapsed, res.Responses)
	}
}

func TestDo(t *testing.T) {
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"abc"`)
		w.Write([]byte("hi"))
	})
	r, err := Do(addr, Get("/", "t"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 || r.Header.Get("ETag") != `"abc"` || string(r.Body) != "hi" {
		t.Errorf("Do: %+v", r)
	}
}

// TestCPUReadAtWindowEdges: the server's CPU time is read as the window
// opens and closes, not during the warm-up, and a failed reading fails
// the run.
func TestCPUReadAtWindowEdges(t *testing.T) {
	addr := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	var readings []time.Duration
	start := time.Now()
	cpu := func() (time.Duration, error) {
		readings = append(readings, time.Since(start))
		return time.Duration(len(readings)) * 3 * time.Second, nil
	}
	res, err := Run(context.Background(), Options{Addr: addr, Request: Get("/", "t"), Conns: 2,
		Warmup: 100 * time.Millisecond, Duration: 200 * time.Millisecond, CPU: cpu})
	if err != nil {
		t.Fatal(err)
	}
	if len(readings) != 2 || readings[0] < 100*time.Millisecond || readings[1] < 300*time.Millisecond {
		t.Fatalf("CPU read at %v; want once after the 100ms warm-up and once after the window", readings)
	}
	if res.CPU != 3*time.Second || res.CPUPerResponse() != 3*time.Second/time.Duration(res.Responses) {
		t.Fatalf("CPU %v (%v per response over %d), want 3s", res.CPU, res.CPUPerResponse(), res.Responses)
	}
	_, err = Run(context.Background(), Options{Addr: addr, Request: Get("/", "t"), Conns: 1, Duration: 50 * time.Millisecond,
		CPU: func() (time.Duration, error) { return 0, errors.New("no /proc") }})
	if err == nil || !strings.Contains(err.Error(), "no /proc") {
		t.Fatalf("a failed CPU reading gave %v", err)
	}
}
