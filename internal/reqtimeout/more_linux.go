package reqtimeout

import (
	"io"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gowsgid/gowsgid/internal/sendfile"
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
	if h2 || c.socket() == nil {
		return false
	}
	c.more.Store(true)
	return true
}

// socket is the TCP socket under the connection's wrappers (the PROXY
// header reader), found once, with its write waits timed by Timeout;
// nil when there is none, or when a TLS layer stands between: its bytes
// must go through TLS.
func (c *Conn) socket() *waitTimed {
	c.rawOnce.Do(func() { c.sock = newWaitTimed(c.Conn, c.Idle) })
	return c.sock
}

// raw is socket as a syscall.RawConn (nil when there is no socket).
func (c *Conn) raw() syscall.RawConn {
	if s := c.socket(); s != nil {
		return s
	}
	return nil
}

// writeMore writes p whole with send(2) and MSG_MORE.
func (c *Conn) writeMore(p []byte) (int, error) { return c.socket().write(p, unix.MSG_MORE) }

// write writes p to the socket when the connection has one: each wait
// for the socket under Timeout.
func (c *Conn) write(p []byte) (n int, handled bool, err error) {
	s := c.socket()
	if s == nil {
		return 0, false, nil
	}
	n, err = s.write(p, 0)
	return n, true, err
}

// readFrom sends a regular file to the socket with sendfile, each wait
// under Timeout; handled is false when the connection has no socket
// or r is no regular file.
func (c *Conn) readFrom(r io.Reader) (n int64, handled bool, err error) {
	s := c.socket()
	if s == nil {
		return 0, false, nil
	}
	return s.readFromFile(r)
}

// errSendfileUnsupported is what a fileSender reports for a file
// sendfile(2) cannot send.
var errSendfileUnsupported = sendfile.ErrUnsupported
