package reqtimeout

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/statcache"
)

// writeWaitTimeout is the Timeout of the write tests: long enough for a
// loaded machine to serve a steady reader's next read, short enough for
// a test.
const writeWaitTimeout = 500 * time.Millisecond

// writePaths are the ways an answer reaches the socket: a plain write,
// a head sent with MSG_MORE, what TLS writes its records to, a file sent
// with sendfile from its own offset (*os.File: a WSGI file_wrapper) and
// from a shared descriptor (statcache.File: a static file). Each makes
// a sender for a connection.
var writePaths = []struct {
	name   string
	sender func(t *testing.T, c *Conn) func(content []byte) (int64, error)
}{
	{"write", func(t *testing.T, c *Conn) func([]byte) (int64, error) {
		return func(content []byte) (int64, error) {
			n, err := c.Write(content)
			return int64(n), err
		}
	}},
	{"MSG_MORE", func(t *testing.T, c *Conn) func([]byte) (int64, error) {
		return func(content []byte) (int64, error) {
			if !c.MoreFollows() {
				t.Fatal("MoreFollows refused a TCP connection")
			}
			n, err := c.Write(content)
			return int64(n), err
		}
	}},
	{"under TLS", func(t *testing.T, c *Conn) func([]byte) (int64, error) {
		w := TimeWrites(c.Conn, c.Idle)
		return func(content []byte) (int64, error) {
			n, err := w.Write(content)
			return int64(n), err
		}
	}},
	{"sendfile", func(t *testing.T, c *Conn) func([]byte) (int64, error) {
		return func(content []byte) (int64, error) {
			f, err := os.Open(writeFile(t, content))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			return c.ReadFrom(&io.LimitedReader{R: f, N: int64(len(content))})
		}
	}},
	{"shared descriptor", func(t *testing.T, c *Conn) func([]byte) (int64, error) {
		cache, err := statcache.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cache.Close() })
		return func(content []byte) (int64, error) {
			p := writeFile(t, content)
			cache.Stat(p)
			f, err := cache.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			return c.ReadFrom(&io.LimitedReader{R: f, N: int64(len(content))})
		}
	}},
}

func writeFile(t *testing.T, content []byte) string {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// smallBuffers makes both ends' socket buffers small, so that a write
// waits for the reader after a few kilobytes.
func smallBuffers(t *testing.T, c *Conn, client net.Conn) {
	t.Helper()
	if err := c.Conn.(*net.TCPConn).SetWriteBuffer(16 << 10); err != nil {
		t.Fatal(err)
	}
	if err := client.(*net.TCPConn).SetReadBuffer(16 << 10); err != nil {
		t.Fatal(err)
	}
}

// TestStalledReaderTimesOut: a client that stops reading its answer is
// cut off once a write has waited Timeout, on every write path, as
// Apache's core output filter cuts it off.
func TestStalledReaderTimesOut(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	for _, p := range writePaths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			c, client := tcpPair(t)
			c.Idle = writeWaitTimeout
			smallBuffers(t, c, client)
			start := time.Now()
			var n int64
			var err error
			sent := make(chan struct{})
			go func() {
				defer close(sent)
				n, err = p.sender(t, c)(content)
			}()
			select {
			case <-sent:
			case <-time.After(10 * time.Second):
				client.Close() // ends the write, with a reset
				<-sent
				t.Fatalf("the write still waited after 10 s (Timeout %v)", writeWaitTimeout)
			}
			took := time.Since(start)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("sent %d bytes to a client that reads nothing: %v, want a timeout", n, err)
			}
			if n >= int64(len(content)) {
				t.Errorf("sent all %d bytes to a client that reads nothing", n)
			}
			if took < writeWaitTimeout || took > writeWaitTimeout+3*time.Second {
				t.Errorf("the write gave up after %v, want Timeout (%v)", took, writeWaitTimeout)
			}
		})
	}
}

// TestSteadyReaderIsServed: a client that reads slowly but never waits
// Timeout between reads gets the whole answer, though it takes several
// times Timeout: the limit is on each wait, not on the answer.
func TestSteadyReaderIsServed(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
	const chunk, pause = 32 << 10, 150 * time.Millisecond
	for _, p := range writePaths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			c, client := tcpPair(t)
			c.Idle = writeWaitTimeout
			smallBuffers(t, c, client)
			got := make(chan []byte)
			go func() {
				var b []byte
				buf := make([]byte, chunk)
				for len(b) < len(content) {
					time.Sleep(pause)
					client.SetReadDeadline(time.Now().Add(10 * time.Second))
					n, err := io.ReadFull(client, buf[:min(chunk, len(content)-len(b))])
					b = append(b, buf[:n]...)
					if err != nil {
						break
					}
				}
				got <- b
			}()
			send := p.sender(t, c)
			start := time.Now()
			n, err := send(content)
			if err != nil || n != int64(len(content)) {
				t.Fatalf("sent %d of %d bytes to a steady reader: %v", n, len(content), err)
			}
			if b := <-got; !bytes.Equal(b, content) {
				t.Fatalf("the reader got %d bytes, not the answer", len(b))
			}
			if took := time.Since(start); took < 2*writeWaitTimeout {
				t.Fatalf("the answer took %v, less than twice Timeout: the test proves nothing", took)
			}
			// The deadline the last wait set is long past: the next
			// answer on the connection must not meet it.
			time.Sleep(2 * writeWaitTimeout)
			if _, err := send([]byte("next")); err != nil {
				t.Fatalf("a write after a waited one: %v", err)
			}
			expectRead(t, client, "next")
		})
	}
}

// TestWriteWithoutTimeout: with no Timeout (0) a write waits as long as
// the client takes.
func TestWriteWithoutTimeout(t *testing.T) {
	c, client := tcpPair(t)
	smallBuffers(t, c, client)
	content := bytes.Repeat([]byte("x"), 1<<20)
	done := make(chan error, 1)
	go func() {
		_, err := c.Write(content)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the write ended before the client read: %v", err)
	case <-time.After(time.Second):
	}
	if _, err := io.Copy(io.Discard, io.LimitReader(client, int64(len(content)))); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestSendfileFallsBack: a file sendfile(2) cannot send (a pipe) is
// copied through Write instead.
func TestSendfileFallsBack(t *testing.T) {
	c, client := tcpPair(t)
	c.Idle = writeWaitTimeout
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		w.Write([]byte("from a pipe"))
		w.Close()
	}()
	if n, err := c.ReadFrom(r); n != 11 || err != nil {
		t.Fatalf("ReadFrom a pipe: %d, %v", n, err)
	}
	expectRead(t, client, "from a pipe")
}

// TestTimeWrites: the connection TLS writes its records to is wrapped
// only where a TCP socket is under it and Timeout is set (the stalled
// and steady reader tests time its writes, "under TLS"); never around a
// TLS layer, whose records its writes would bypass.
func TestTimeWrites(t *testing.T) {
	c, _ := tcpPair(t)
	if TimeWrites(c.Conn, writeWaitTimeout) == c.Conn {
		t.Error("TimeWrites left a TCP connection as it was")
	}
	if tl := (tlsLayer{c.Conn}); TimeWrites(tl, writeWaitTimeout) != net.Conn(tl) {
		t.Error("TimeWrites wrapped a TLS connection: its writes would bypass TLS")
	}
	if TimeWrites(c.Conn, 0) != c.Conn {
		t.Error("TimeWrites wrapped a connection with no Timeout")
	}
}

// expectRead reads len(want) bytes from client, within 5 seconds, and
// fails the test unless they are want.
func expectRead(t *testing.T, client net.Conn, want string) {
	t.Helper()
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, len(want))
	if _, err := io.ReadFull(client, b); err != nil || string(b) != want {
		t.Fatalf("read %q: %v, want %q", b, err, want)
	}
}
