package reqtimeout

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gowsgid/gowsgid/internal/sendfile"
)

// Apache's core output filter gives every wait of a write to the client
// core's Timeout: a client that stops reading its answer is cut off
// after it, one that reads slowly but steadily is served however long
// the whole answer takes. Go's write deadlines are for a whole call,
// so the writes here run their own loop on the socket and set the
// deadline only when a write is about to wait (the socket's buffer is
// full): an answer that fits the buffer, as nearly all do, costs no
// deadline at all.

// waitTimed is a TCP socket whose write waits each last at most
// timeout. It implements syscall.RawConn: a Write callback that
// returns false (EAGAIN: the caller will wait for the socket) arms the
// deadline for that wait.
type waitTimed struct {
	raw     syscall.RawConn
	tcp     *net.TCPConn
	timeout time.Duration
	// armed is set while the socket has a write deadline of ours; the
	// next write clears it before it starts, so that an old deadline
	// does not fail it.
	armed atomic.Bool
}

func (w *waitTimed) Control(f func(fd uintptr)) error { return w.raw.Control(f) }

func (w *waitTimed) Read(f func(fd uintptr) bool) error { return w.raw.Read(f) }

func (w *waitTimed) Write(f func(fd uintptr) bool) error {
	if w.armed.Load() && w.armed.Swap(false) {
		w.tcp.SetWriteDeadline(time.Time{})
	}
	return w.raw.Write(func(fd uintptr) bool {
		if f(fd) {
			return true
		}
		if w.timeout > 0 {
			w.tcp.SetWriteDeadline(time.Now().Add(w.timeout))
			w.armed.Store(true)
		}
		return false
	})
}

// newWaitTimed finds the TCP socket under c's wrappers (a PROXY header
// reader) and times its write waits; nil when there is none, or when a
// TLS layer stands between (its bytes must go through TLS).
func newWaitTimed(c net.Conn, timeout time.Duration) *waitTimed {
	for {
		if tc, ok := c.(*net.TCPConn); ok {
			raw, err := tc.SyscallConn()
			if err != nil {
				return nil
			}
			return &waitTimed{raw: raw, tcp: tc, timeout: timeout}
		}
		if _, ok := c.(interface{ ConnectionState() tls.ConnectionState }); ok {
			return nil
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return nil
		}
		c = u.NetConn()
	}
}

// write writes p whole, with flags (MSG_MORE) when they are not 0.
func (w *waitTimed) write(p []byte, flags int) (int, error) {
	n := 0
	var serr error
	err := w.Write(func(fd uintptr) bool {
		for n < len(p) {
			var m int
			var err error
			if flags != 0 {
				m, err = unix.SendmsgN(int(fd), p[n:], nil, nil, flags|unix.MSG_NOSIGNAL)
			} else {
				m, err = unix.Write(int(fd), p[n:min(len(p), n+maxWrite)])
			}
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
		op := "write"
		if flags != 0 {
			op = "sendmsg"
		}
		err = os.NewSyscallError(op, serr)
	}
	if err != nil {
		return n, w.opError("write", err)
	}
	return n, nil
}

// maxWrite is the most one write(2) is given, as net's own writes cap
// theirs.
const maxWrite = 1 << 30

// sendFile sends up to n bytes of f from its offset with sendfile(2),
// moving the offset past them, as net's sendfile does.
func (w *waitTimed) sendFile(f *os.File, n int64) (int64, error) {
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	fraw, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var sent int64
	cerr := fraw.Control(func(src uintptr) {
		sent, err = sendfile.To(w, int(src), &off, n)
	})
	if cerr != nil {
		return sent, cerr
	}
	if sent > 0 {
		if _, serr := f.Seek(off, io.SeekStart); serr != nil && err == nil {
			err = serr
		}
	}
	if err != nil && err != sendfile.ErrUnsupported {
		err = w.opError("sendfile", err)
	}
	return sent, err
}

func (w *waitTimed) opError(op string, err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		err = oe.Err // the raw connection's own ("raw-write")
	}
	return &net.OpError{Op: op, Net: "tcp", Source: w.tcp.LocalAddr(), Addr: w.tcp.RemoteAddr(), Err: err}
}

// readFromFile sends r with sendfile when it is a regular file (as an
// io.LimitedReader of one, which is how net/http hands a body over);
// handled is false for any other reader.
func (w *waitTimed) readFromFile(r io.Reader) (n int64, handled bool, err error) {
	limit := int64(1<<63 - 1)
	lr, isLimited := r.(*io.LimitedReader)
	if isLimited {
		r, limit = lr.R, lr.N
	}
	f, ok := r.(*os.File)
	if !ok {
		return 0, false, nil
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return 0, false, nil
	}
	n, err = w.sendFile(f, limit)
	if err == sendfile.ErrUnsupported {
		return 0, false, nil
	}
	if isLimited {
		lr.N -= n
	}
	return n, true, err
}

// TimeWrites bounds each wait of c's writes by timeout when c is (or
// wraps) a TCP socket, for a connection whose Conn sits above another
// layer (TLS: its records are written to what TimeWrites returns).
// Otherwise, or with no timeout, it returns c.
func TimeWrites(c net.Conn, timeout time.Duration) net.Conn {
	if timeout <= 0 {
		return c
	}
	s := newWaitTimed(c, timeout)
	if s == nil {
		return c
	}
	return &timedWrites{Conn: c, sock: s}
}

// timedWrites is a connection whose writes go to its socket with each
// wait timed.
type timedWrites struct {
	net.Conn
	sock *waitTimed
}

func (c *timedWrites) Write(p []byte) (int, error) { return c.sock.write(p, 0) }

// NetConn is the connection under c.
func (c *timedWrites) NetConn() net.Conn { return c.Conn }
