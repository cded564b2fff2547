package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/loadgen"
)

// host is the Host header of every request.
const host = "bench.test"

// benchCase is one kind of request: how to build it for a server and the
// answer it must get.
type benchCase struct {
	name string
	// build returns the request; some need a value only the server
	// knows (its ETag).
	build   func(s *server) ([]byte, error)
	status  int
	bodyLen int
}

// cases are issue 3's four: a small file, a large file, a revalidation
// that ends in 304, and a range of a large file.
var cases = []benchCase{
	{name: "4 KiB", status: 200, bodyLen: 4 << 10,
		build: func(*server) ([]byte, error) { return loadgen.Get("/4k.bin", host), nil }},
	{name: "1 MiB", status: 200, bodyLen: 1 << 20,
		build: func(*server) ([]byte, error) { return loadgen.Get("/1m.bin", host), nil }},
	{name: "304", status: 304, bodyLen: 0, build: notModified},
	{name: "range", status: 206, bodyLen: 4 << 10,
		build: func(*server) ([]byte, error) {
			return loadgen.Get("/1m.bin", host, "Range: bytes=65536-69631"), nil
		}},
}

// notModified is a browser's revalidation of /4k.bin: the server's own
// ETag and Last-Modified, as it sent them.
func notModified(s *server) ([]byte, error) {
	r, err := loadgen.Do(s.addr, loadgen.Request("HEAD", "/4k.bin", host, nil), 5*time.Second)
	if err != nil {
		return nil, err
	}
	tag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
	if tag == "" || lm == "" {
		return nil, fmt.Errorf("%s sends no ETag or Last-Modified for /4k.bin", s.Name)
	}
	return loadgen.Get("/4k.bin", host, "If-None-Match: "+tag, "If-Modified-Since: "+lm), nil
}

// request builds the case's request for s and checks, with one exchange,
// that s answers it as expected.
func (c benchCase) request(s *server) ([]byte, error) {
	req, err := c.build(s)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", c.name, s.Name, err)
	}
	r, err := loadgen.Do(s.addr, req, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", c.name, s.Name, err)
	}
	if r.Status != c.status || len(r.Body) != c.bodyLen {
		return nil, fmt.Errorf("%s on %s: got %d with %d bytes, want %d with %d", c.name, s.Name,
			r.Status, len(r.Body), c.status, c.bodyLen)
	}
	return req, nil
}

// writeDocroot writes the files the cases ask for, readable by all.
func writeDocroot(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, size := range map[string]int{"4k.bin": 4 << 10, "1m.bin": 1 << 20} {
		b := make([]byte, size)
		rand.Read(b)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("writing the document root: %w", err)
		}
	}
	return nil
}
