package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"

	"github.com/gowsgid/gowsgid/internal/bench/benchproc"
)

// bareGoFlag is the hidden flag that makes this program the bare Go
// server: it listens on the address given and serves the three cases.
// It runs as a separate process (this program re-executed) so it does
// not share a Go runtime, and its scheduler, with the load generator,
// just as gowsgid does not.
const bareGoFlag = "bare-go-listen"

// bareGoHandler answers the application's three paths with the same
// status, Content-Type, Content-Length and body: the ceiling for any Go
// server answering these requests with net/http.
func bareGoHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, "text/plain", helloBody)
	})
	mux.HandleFunc("/64k", func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, "application/octet-stream", bigBody)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, max(r.ContentLength, 0))
		if _, err := io.ReadFull(r.Body, body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeBody(w, "application/octet-stream", body)
	})
	return mux
}

// writeBody sends a 200 with body, its type and length.
func writeBody(w http.ResponseWriter, ctype string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// serveBareGo is the bare Go server process: it serves until it is
// killed.
func serveBareGo(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("bare Go server: %w", err)
	}
	err = http.Serve(l, bareGoHandler())
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("bare Go server: %w", err)
}

// startBareGo re-executes this program as the bare Go server.
func startBareGo(ctx context.Context) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this program to run the bare Go server: %w", err)
	}
	port, err := benchproc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-"+bareGoFlag, benchproc.Loopback(port))
	return start("go", "net/http handler, separate process, GOMAXPROCS default", cmd, port, "")
}
