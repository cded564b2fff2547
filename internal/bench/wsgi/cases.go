package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/loadgen"
)

// host is the Host header of every request.
const host = "bench.test"

// appSource is the one WSGI application every Python server runs: the
// three cases of issue 5, each answered with a Content-Length so no
// server has to chunk or close. It is written as app.wsgi (gowsgid,
// Apache and uWSGI load it by path) and as app.py (gunicorn and
// waitress import it as a module).
const appSource = `# The WSGI benchmark's application (internal/bench/wsgi).
HELLO = b"Hello, world!"
BIG = bytes(range(256)) * 256  # 64 KiB: 0, 1, ..., 255, 0, 1, ...


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/64k":
        body, ctype = BIG, "application/octet-stream"
    elif path == "/echo":
        n = int(environ.get("CONTENT_LENGTH") or 0)
        body, ctype = environ["wsgi.input"].read(n), "application/octet-stream"
    else:
        body, ctype = HELLO, "text/plain"
    start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]
`

// helloBody and bigBody are what the application answers on / and /64k;
// the bare Go server answers the same bytes.
var (
	helloBody = []byte("Hello, world!")
	bigBody   = func() []byte {
		b := make([]byte, 64<<10)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}()
)

// echoBody is the 1 KiB the echo case posts and must get back.
var echoBody = func() []byte {
	b := make([]byte, 1<<10)
	rand.Read(b)
	return b
}()

// benchCase is one kind of request and the body it must be answered
// with (always status 200).
type benchCase struct {
	name    string
	request []byte
	want    []byte
}

// cases are issue 5's three, with the speed-up over the best Python
// peer each must reach.
var cases = []benchCase{
	{name: "hello", request: loadgen.Get("/", host), want: helloBody},
	{name: "64 KiB", request: loadgen.Get("/64k", host), want: bigBody},
	{name: "1 KiB echo", request: loadgen.Post("/echo", host, echoBody), want: echoBody},
}

// peerTarget is the least gowsgid/best-Python-peer ratio a case must
// reach: 3x on hello-world, 2x on the others.
func (c benchCase) peerTarget() float64 {
	if c.name == "hello" {
		return 3
	}
	return 2
}

// goTarget is the least gowsgid/bare-Go ratio on every case.
const goTarget = 0.8

// probe sends the case's request once to s and checks the answer: status
// 200 and exactly the expected body.
func (c benchCase) probe(s *server) error {
	r, err := loadgen.Do(s.addr, c.request, 5*time.Second)
	if err != nil {
		return fmt.Errorf("%s on %s: %w", c.name, s.Name, err)
	}
	if r.Status != 200 || !bytes.Equal(r.Body, c.want) {
		return fmt.Errorf("%s on %s: got %d with %d bytes (%.40q), want 200 with the %d expected bytes",
			c.name, s.Name, r.Status, len(r.Body), r.Body, len(c.want))
	}
	return nil
}

// check verifies a load run: no errors, only 200s, and every body of the
// expected length.
func (c benchCase) check(s *server, res *loadgen.Result) error {
	if res.Errors > 0 || res.Responses == 0 || res.ByStatus[200] != res.Responses {
		return fmt.Errorf("%s on %s: want only status 200: %v", c.name, s.Name, res)
	}
	if want := res.Responses * int64(len(c.want)); res.BodyBytes != want {
		return fmt.Errorf("%s on %s: %d body bytes in %d responses, want %d each",
			c.name, s.Name, res.BodyBytes, res.Responses, len(c.want))
	}
	return nil
}

// writeApp writes the application as app.wsgi and app.py into dir,
// readable by Apache's unprivileged children.
func writeApp(dir string) error {
	for _, name := range []string{"app.wsgi", "app.py"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(appSource), 0o644); err != nil {
			return fmt.Errorf("writing the WSGI application: %w", err)
		}
	}
	return nil
}
