package reqtimeout

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"sync"
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

	// mu makes the writes one at a time, as the socket's own lock
	// would; it guards the state of the write under way, which the
	// callbacks handed to the socket (bound once, so that a write
	// allocates nothing) read.
	mu   sync.Mutex
	f    func(fd uintptr) bool // the caller's step (Write)
	step func(fd uintptr) bool // w.timedStep
	// p, flags, n and err are write's: the bytes, the send flags, how
	// many went out, and the system call's error.
	p         []byte
	flags     int
	n         int
	err       error
	writeStep func(fd uintptr) bool // w.sendStep
}

func (w *waitTimed) Control(f func(fd uintptr)) error { return w.raw.Control(f) }

func (w *waitTimed) Read(f func(fd uintptr) bool) error { return w.raw.Read(f) }

func (w *waitTimed) Write(f func(fd uintptr) bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writeLocked(f)
}

// writeLocked is Write with w.mu held.
func (w *waitTimed) writeLocked(f func(fd uintptr) bool) error {
	if w.armed.Load() && w.armed.Swap(false) {
		w.tcp.SetWriteDeadline(time.Time{})
	}
	w.f = f
	err := w.raw.Write(w.step)
	w.f = nil
	return err
}

// timedStep runs the caller's step and, when it is about to wait for
// the socket, gives the wait Timeout.
func (w *waitTimed) timedStep(fd uintptr) bool {
	if w.f(fd) {
		return true
	}
	if w.timeout > 0 {
		w.tcp.SetWriteDeadline(time.Now().Add(w.timeout))
		w.armed.Store(true)
	}
	return false
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
			w := &waitTimed{raw: raw, tcp: tc, timeout: timeout}
			w.step, w.writeStep = w.timedStep, w.sendStep
			return w
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
	w.mu.Lock()
	w.p, w.flags, w.n, w.err = p, flags, 0, nil
	err := w.writeLocked(w.writeStep)
	n, serr := w.n, w.err
	w.p, w.err = nil, nil
	w.mu.Unlock()
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

// sendStep is write's step: it sends what is left of w.p.
func (w *waitTimed) sendStep(fd uintptr) bool {
	for w.n < len(w.p) {
		var m int
		var err error
		if w.flags != 0 {
			m, err = unix.SendmsgN(int(fd), w.p[w.n:], nil, nil, w.flags|unix.MSG_NOSIGNAL)
		} else {
			m, err = unix.Write(int(fd), w.p[w.n:min(len(w.p), w.n+maxWrite)])
		}
		switch err {
		case nil:
			w.n += m
		case unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			w.err = err
			return true
		}
	}
	return true
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
