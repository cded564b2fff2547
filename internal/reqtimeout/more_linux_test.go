package reqtimeout

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"
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
