package reqtimeout

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/statcache"
)

// tcpPair is a connected loopback pair: the server's end wrapped in a
// Conn, and the client's end.
func tcpPair(t *testing.T) (*Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return &Conn{Conn: server}, client
}

// TestMoreFollows sends a head with MSG_MORE and a body after it, the
// head larger than the socket takes at once (the write waits for the
// reader), and checks every byte arrives in order.
func TestMoreFollows(t *testing.T) {
	c, client := tcpPair(t)
	head := bytes.Repeat([]byte("h"), 8<<20)
	body := []byte("the body")
	want := append(append([]byte(nil), head...), body...)
	got := make(chan []byte)
	go func() {
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(io.LimitReader(client, int64(len(want))))
		got <- b
	}()
	if !c.MoreFollows() {
		t.Fatal("MoreFollows refused a TCP connection")
	}
	if n, err := c.Write(head); n != len(head) || err != nil {
		t.Fatalf("head: wrote %d of %d: %v", n, len(head), err)
	}
	if c.more.Load() {
		t.Error("the flag outlived the write it armed")
	}
	if _, err := c.Write(body); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Errorf("client read %d bytes, want %d in order", len(b), len(want))
	}
}

// TestNoMore checks that a disarmed write is sent at once: a client
// waiting for it gets it without anything written after.
func TestNoMore(t *testing.T) {
	c, client := tcpPair(t)
	c.MoreFollows()
	c.NoMore()
	if _, err := c.Write([]byte("alone")); err != nil {
		t.Fatal(err)
	}
	client.SetReadDeadline(time.Now().Add(2 * time.Second))
	b := make([]byte, 5)
	if _, err := io.ReadFull(client, b); err != nil || string(b) != "alone" {
		t.Fatalf("read %q: %v", b, err)
	}
}

// TestMoreFollowsNotOnHTTP2 checks that a connection whose timing was
// stepped aside for HTTP/2 refuses: its writes are the frame writer's.
func TestMoreFollowsNotOnHTTP2(t *testing.T) {
	c, _ := tcpPair(t)
	c.Untime()
	if c.MoreFollows() {
		t.Error("MoreFollows armed an HTTP/2 connection")
	}
	var pipe Conn
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	pipe.Conn = a
	if pipe.MoreFollows() {
		t.Error("MoreFollows armed a connection that is not TCP")
	}
}

// tlsLayer stands for a TLS connection over a TCP one: it unwraps to
// the socket, as tls.Conn does.
type tlsLayer struct{ net.Conn }

func (l tlsLayer) NetConn() net.Conn                         { return l.Conn }
func (l tlsLayer) ConnectionState() (cs tls.ConnectionState) { return cs }

// TestMoreFollowsNotThroughTLS checks that a Conn over TLS never writes
// to the socket under it: its bytes would go out unencrypted.
func TestMoreFollowsNotThroughTLS(t *testing.T) {
	c, _ := tcpPair(t)
	c.Conn = tlsLayer{c.Conn}
	if c.MoreFollows() {
		t.Fatal("MoreFollows armed a write that would bypass TLS")
	}
}

// TestReadFromSendsFileAtItsOffset checks that net/http's copy of a
// shared-descriptor file (statcache.File) goes out with the file's
// SendTo: the bytes from the File's offset, the descriptor's own offset
// left alone for the other requests holding it.
func TestReadFromSendsFileAtItsOffset(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	content := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	cache, err := statcache.New()
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	cache.Stat(p)
	f, err := cache.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Seek(100, io.SeekStart)
	sender := &recordingSender{File: f}
	c, client := tcpPair(t)
	got := make(chan []byte)
	go func() {
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(io.LimitReader(client, 5000))
		got <- b
	}()
	if n, err := io.CopyN(c, sender, 5000); n != 5000 || err != nil {
		t.Fatalf("CopyN sent %d: %v", n, err)
	}
	if sender.calls != 1 {
		t.Errorf("SendTo called %d times, want once", sender.calls)
	}
	if b := <-got; !bytes.Equal(b, content[100:5100]) {
		t.Errorf("client read %d bytes, not the file's 100-5099", len(b))
	}
	if off, _ := syscall.Seek(f.Fd(), 0, io.SeekCurrent); off != 0 {
		t.Errorf("the descriptor's own offset moved to %d", off)
	}
	if off, _ := f.Seek(0, io.SeekCurrent); off != 5100 {
		t.Errorf("the File's offset is %d after sending, want 5100", off)
	}
}

// recordingSender counts the File's SendTo calls.
type recordingSender struct {
	*statcache.File
	calls int
}

func (s *recordingSender) SendTo(raw syscall.RawConn, n int64) (int64, error) {
	s.calls++
	return s.File.SendTo(raw, n)
}
