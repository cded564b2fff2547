package proxyproto

import (
	"io"
	"net"
	"net/netip"
	"sync"
)

// Policy decides, for a connection accepted on local from peer, whether
// it must start with a PROXY header (RemoteIPProxyProtocol and its
// exceptions). It is asked once per connection.
type Policy func(local, peer netip.AddrPort) bool

// Listener wraps a listener whose connections may start with a PROXY
// header. The header is read on the connection's first Read, in the
// goroutine serving it, so a slow or silent client never holds up
// Accept.
type Listener struct {
	net.Listener
	// Expect is consulted for every accepted connection; nil expects
	// none.
	Expect Policy
	// Refused is called once for each connection whose header is
	// refused (an *Error) or could not be read, before it is closed.
	Refused func(c *Conn, err error)
}

// Accept returns the next connection: a *Conn when Expect says it
// starts with a PROXY header, the connection itself otherwise.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || l.Expect == nil {
		return c, err
	}
	local, peer := AddrPort(c.LocalAddr()), AddrPort(c.RemoteAddr())
	if !l.Expect(local, peer) {
		return c, nil
	}
	return &Conn{Conn: c, refused: l.Refused}, nil
}

// AddrPort is a connection's TCP address as a netip.AddrPort (IPv4
// unmapped).
func AddrPort(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		ap := ta.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}

// Conn is a connection that starts with a PROXY header. RemoteAddr
// stays the balancer's address (Apache's client_addr); Client says whom
// the balancer relays.
type Conn struct {
	net.Conn
	refused func(*Conn, error)

	mu      sync.Mutex
	read    bool
	hdr     Header
	err     error
	pending []byte
}

// Read reads the header first, then the connection's data.
func (c *Conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if !c.read {
		c.read = true
		c.hdr, c.pending, c.err = Read(c.Conn)
		if c.err != nil && c.refused != nil {
			c.refused(c, c.err)
		}
	}
	if c.err != nil {
		// A read error: the HTTP server closes the connection without
		// an answer, as Apache does when mod_remoteip aborts it.
		err := &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: c.err}
		c.mu.Unlock()
		return 0, err
	}
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

// Client is the client the PROXY header named: ok is false until the
// header has been read, and when it named none (v1 UNKNOWN, v2 LOCAL),
// for then the peer is the client.
func (c *Conn) Client() (client netip.AddrPort, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.read || c.err != nil || !c.hdr.Client.IsValid() {
		return netip.AddrPort{}, false
	}
	return c.hdr.Client, true
}

// NetConn returns the accepted connection under the header.
func (c *Conn) NetConn() net.Conn { return c.Conn }

// ReadFrom lets a response body go out with the connection's own
// ReadFrom (sendfile for a file), as it would without the header.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}
