package loadgen_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/loadgen"
)

// A benchmark program checks a case once with Do, then loads it with Run
// and keeps what it compares: requests per second and latencies.
func ExampleRun() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Hello World!"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	req := loadgen.Post("/hello", "bench.test", []byte("a=1"))
	if r, err := loadgen.Do(addr, req, time.Second); err != nil || r.Status != 200 {
		fmt.Println("the case does not answer 200:", err)
		return
	}
	res, err := loadgen.Run(context.Background(), loadgen.Options{
		Addr: addr, Request: req, Conns: 4, Warmup: 50 * time.Millisecond, Duration: 200 * time.Millisecond,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// res.RPS(), res.P50 and res.P99 are the numbers a table prints.
	fmt.Println("all 200:", res.Errors == 0 && res.ByStatus[200] == res.Responses && res.Responses > 0)
	fmt.Println("body bytes:", res.BodyBytes == 12*res.Responses)
	// Output:
	// all 200: true
	// body bytes: true
}
