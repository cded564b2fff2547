package server

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// tlsPair accepts one connection on loopback as a tlsConn and dials it
// with dial (which may wait for the handshake, so it runs on its own);
// it returns the server's end and a way to the client's.
func tlsPair(t *testing.T, dial func(addr string) net.Conn) (*tlsConn, func() net.Conn) {
	t.Helper()
	cert, err := certgen.SelfSigned(certgen.Spec{CommonName: "s.test"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client := make(chan net.Conn, 1)
	go func() { client <- dial(ln.Addr().String()) }()
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := newTLSConn(raw, &tls.Config{Certificates: []tls.Certificate{cert.TLS()}, NextProtos: []string{"h2", "http/1.1"}})
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	var cl net.Conn
	return c, func() net.Conn {
		if cl == nil {
			cl = <-client
			if cl == nil {
				t.FailNow()
			}
			t.Cleanup(func() { cl.Close() })
			cl.SetDeadline(time.Now().Add(10 * time.Second))
		}
		return cl
	}
}

// TestTLSConnServesPlaintext checks the TLS path: the handshake runs at
// the first Read and reports its state, reads and writes are the
// plaintext, and CloseWrite ends the stream with close_notify.
func TestTLSConnServesPlaintext(t *testing.T) {
	c, cl := tlsPair(t, func(addr string) net.Conn {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
		if err != nil {
			t.Error(err)
			return nil
		}
		conn.Write([]byte("hello"))
		return conn
	})
	var negotiated string
	c.onHandshake = func(cs tls.ConnectionState) { negotiated = cs.NegotiatedProtocol }
	if c.connectionState() != nil {
		t.Fatal("state before the handshake")
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if negotiated != "h2" || c.connectionState() == nil || c.connectionState().NegotiatedProtocol != "h2" || c.spokePlain() {
		t.Fatalf("after the handshake: negotiated %q, state %v, plain %v", negotiated, c.connectionState(), c.spokePlain())
	}
	if _, err := c.Write([]byte("world")); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(cl())
	if err != nil || string(got) != "world" {
		t.Errorf("client read %q, %v; want world and a clean end", got, err)
	}
}

// TestTLSConnPlainHTTP checks a client that speaks plain HTTP to the
// TLS port: the connection then reads mod_ssl's stand-in request, and
// writes reach the client unencrypted.
func TestTLSConnPlainHTTP(t *testing.T) {
	c, cl := tlsPair(t, func(addr string) net.Conn {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return nil
		}
		io.WriteString(conn, "GET /private HTTP/1.1\r\nHost: s.test\r\nCookie: secret\r\n\r\n")
		return conn
	})
	got := make([]byte, len(httpOnHTTPSPort))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != httpOnHTTPSPort {
		t.Fatalf("read %q, %v; want %q", got, err, httpOnHTTPSPort)
	}
	// What the client sent is never read as a request: the connection
	// reads nothing more until the client goes.
	more := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 100))
		more <- err
	}()
	select {
	case err := <-more:
		t.Fatalf("read after the stand-in request ended at once: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if !c.spokePlain() || c.connectionState() != nil {
		t.Fatalf("plain %v, state %v", c.spokePlain(), c.connectionState())
	}
	if _, err := io.WriteString(c, "HTTP/1.0 400 Bad Request\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	c.CloseWrite()
	answer, _ := io.ReadAll(cl())
	if string(answer) != "HTTP/1.0 400 Bad Request\r\n\r\n" {
		t.Errorf("client read %q", answer)
	}
	cl().Close()
	if err := <-more; err == nil {
		t.Error("the read did not end with the client")
	}
}

// TestTLSConnFailedHandshake checks that bytes that are neither TLS nor
// HTTP end the connection with the handshake's error.
func TestTLSConnFailedHandshake(t *testing.T) {
	c, _ := tlsPair(t, func(addr string) net.Conn {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return nil
		}
		conn.Write([]byte{0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06})
		return conn
	})
	if n, err := c.Read(make([]byte, 10)); err == nil || n != 0 {
		t.Fatalf("read %d bytes, %v; want the handshake's error", n, err)
	}
	if c.spokePlain() || c.connectionState() != nil {
		t.Errorf("plain %v, state %v", c.spokePlain(), c.connectionState())
	}
}
