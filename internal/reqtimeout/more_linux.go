package reqtimeout

import (
	"crypto/tls"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// MoreFollows makes the next Write send with MSG_MORE: the caller is
// about to write a response head and then send a file's bytes at once
// (sendfile). The kernel keeps the head for the body's first packet, as
// TCP_CORK would, without the two setsockopt calls a cork costs. It
// reports false when the connection is not a TCP socket it can reach,
// or carries HTTP/2; the caller then corks, or sends as it is.
func (c *Conn) MoreFollows() bool {
	c.mu.Lock()
	h2 := c.untimed || c.untimeAt != 0
	c.mu.Unlock()
	// An HTTP/2 connection's writes are its frame writer's, not the
	// caller's: the armed write could be another stream's.
	if h2 || c.raw() == nil {
		return false
	}
	c.more.Store(true)
	return true
}

// raw is the socket under the connection's wrappers (the PROXY header
// reader), found once; nil when it is not a TCP socket, or when a TLS
// layer stands between: its bytes must go through TLS.
func (c *Conn) raw() syscall.RawConn {
	c.rawOnce.Do(func() {
		inner := c.Conn
		for {
			if _, ok := inner.(interface{ ConnectionState() tls.ConnectionState }); ok {
				return
			}
			u, ok := inner.(interface{ NetConn() net.Conn })
			if !ok {
				break
			}
			inner = u.NetConn()
		}
		if tc, ok := inner.(*net.TCPConn); ok {
			if raw, err := tc.SyscallConn(); err == nil {
				c.rawConn = raw
			}
		}
	})
	return c.rawConn
}

// writeMore writes p whole with send(2) and MSG_MORE, waiting for the
// socket as net's own writes do (and under the same write deadline).
func (c *Conn) writeMore(p []byte) (int, error) {
	n := 0
	var serr error
	err := c.raw().Write(func(fd uintptr) bool {
		for n < len(p) {
			m, err := unix.SendmsgN(int(fd), p[n:], nil, nil, unix.MSG_MORE|unix.MSG_NOSIGNAL)
			switch err {
			case nil:
				n += m
			case unix.EINTR:
			case unix.EAGAIN:
				return false
			default:
				serr = err
				return true
			}
		}
		return true
	})
	if serr != nil {
		err = os.NewSyscallError("sendmsg", serr)
	}
	if err != nil {
		return n, &net.OpError{Op: "write", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	return n, nil
}
