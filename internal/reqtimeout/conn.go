// Package reqtimeout times the reads of an HTTP/1 connection as
// mod_reqtimeout's RequestReadTimeout does: the request head must
// arrive within a stage's time, and so must a request body, each
// extended for every MinRate bytes received. It is the slowloris
// defence: a client that trickles its request is cut off, however
// little it sends at a time.
//
// Writes to a TCP socket are timed as Apache's core output filter times
// them: each wait for the client to take more of an answer lasts at most
// Timeout (Config.Idle), however long the whole answer takes.
//
// Conn sits under net/http's server. It learns where the request head
// ends from the read deadlines net/http sets (see SetReadDeadline), and
// where a body starts and ends from the handler (StartBody, EndBody),
// which also picks the body stage of the request's virtual host.
package reqtimeout

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Stage is one RequestReadTimeout stage: Timeout from its first read,
// one second more for every MinRate bytes read (MinRate 0: none), up to
// MaxTimeout from the first read (0: no cap). A zero Timeout leaves the
// stage untimed.
type Stage struct {
	Timeout, MaxTimeout time.Duration
	MinRate             int
}

// Expiry describes a stage whose time ran out.
type Expiry struct {
	// Stage is "header" or "body", as mod_reqtimeout's AH01382 says.
	Stage string
	// RequestLine is the request line read before the header stage
	// ran out, without its line end, when it was complete.
	RequestLine string
	// LineComplete is set when RequestLine is, and LineAt is when the
	// line had been read (Apache's request time).
	LineComplete bool
	LineAt       time.Time
	// First is set when no request head was read on the connection
	// before (Apache logs a timed-out first request even when it
	// could not read its request line).
	First bool
	// Timeout is set when it was a single read that waited longer than
	// core's Timeout, not the stage (mod_reqtimeout logs nothing then).
	Timeout bool
}

// phase is where the connection is in its request cycle.
type phase uint8

const (
	// phaseHeader: reading a request head, under the header stage.
	phaseHeader phase = iota
	// phaseHandler: the head is read; the body stage starts when the
	// handler says the request has a body, and ends at its end.
	phaseHandler
	// phaseBody: reading a request body, under the body stage.
	phaseBody
	// phaseIdle: waiting for the next request (KeepAliveTimeout).
	phaseIdle
)

// Conn is a connection whose request reads are timed. Its Read returns
// an error for which os.ErrDeadlineExceeded holds when a stage runs
// out, after OnExpiry was called.
type Conn struct {
	net.Conn
	Config
	// headExpired is set when a request head ran out of time.
	headExpired atomic.Bool
	// more is set by MoreFollows: the next Write sends with MSG_MORE.
	more    atomic.Bool
	rawOnce sync.Once
	sock    *waitTimed
	// spoke is set once the connection's first bytes tell whether it
	// starts with the HTTP/2 preface (only Read uses it, with prefix,
	// those first bytes).
	spoke  bool
	prefix []byte
	// refusedH2 is set when the connection opened with the HTTP/2
	// preface where it may not speak HTTP/2.
	refusedH2 atomic.Bool

	mu       sync.Mutex
	phase    phase
	stage    Stage
	started  bool      // the stage's first read happened
	due, cap time.Time // when the stage runs out, and its cap
	expired  bool      // the stage ran out (reads fail from then on)
	outer    time.Time // the read deadline net/http set
	applied  time.Time // the deadline set on the connection
	waitEnd  time.Time // when the read under way has waited Timeout
	heads    int       // request heads read
	head     headScan
	hadBody  bool // the request had a body (its head ended the bytes)
	untimed  bool // Untime was called: reads wait as the server says
	// total counts the bytes read; untimeAt, when set, is the count
	// from which the reads go untimed (Untime: the end of the HTTP/2
	// preface).
	total    int64
	untimeAt int
}

// Config is how a connection's reads are timed.
type Config struct {
	// Header is the stage of request heads; Stages is false when
	// mod_reqtimeout is off for the connection (then StartBody's stage
	// is not applied either).
	Header Stage
	Stages bool
	// Idle is core's Timeout: the longest a read of a request head or
	// body may wait for data (0: no limit).
	Idle time.Duration
	// KeepAlive, if set, is the wait for the next request of the
	// connection (KeepAliveTimeout), in place of net/http's idle
	// deadline: the value of the configuration the connection came under,
	// which a graceful restart may have changed since its listener's
	// http.Server was made.
	KeepAlive time.Duration
	// OnExpiry (if not nil) runs in the reading goroutine when a
	// stage or a read runs out of time, before Read returns its error:
	// for a head, the time to answer 408 on the connection.
	OnExpiry func(*Conn, Expiry)
	// RefuseHTTP2, when set, is asked when the connection starts with
	// the HTTP/2 preface: true marks a connection that may not speak
	// HTTP/2 (TLS did not choose h2, H2Direct does not allow it), whose
	// preface is then to be read as an HTTP/1 request, as Apache reads
	// it (see RefusedHTTP2).
	RefuseHTTP2 func() bool
}

// http2Preface is how a connection that speaks HTTP/2 starts, as far as
// net/http's first read of it goes (it peeks these 14 bytes alone).
var http2Preface = []byte("PRI * HTTP/2.0")

// RefusedHTTP2 reports whether the connection opened with the HTTP/2
// preface where RefuseHTTP2 said it may not speak HTTP/2.
func (c *Conn) RefusedHTTP2() bool { return c.refusedH2.Load() }

// New times c's reads as cfg says.
func New(c net.Conn, cfg Config) *Conn {
	if !cfg.Stages {
		cfg.Header = Stage{}
	}
	return &Conn{Conn: c, Config: cfg, stage: cfg.Header}
}

// NetConn is the connection under c.
func (c *Conn) NetConn() net.Conn { return c.Conn }

// Read reads under the earlier of net/http's deadline and the stage's.
func (c *Conn) Read(p []byte) (int, error) {
	for {
		c.mu.Lock()
		now := time.Now()
		if c.expireIfDue(now) {
			return 0, c.expire(false)
		}
		c.waitEnd = time.Time{}
		if c.Idle > 0 && !c.untimed && (c.phase == phaseHeader || c.phase == phaseBody) {
			c.waitEnd = now.Add(c.Idle)
		}
		c.applyLocked(now)
		c.mu.Unlock()

		n, err := c.Conn.Read(p)
		if n > 0 && !c.spoke && c.startsHTTP2(p[:n]) && c.RefuseHTTP2 != nil && c.RefuseHTTP2() {
			c.refusedH2.Store(true)
		}

		c.mu.Lock()
		c.received(p[:n])
		if err == nil || !isTimeout(err) || n > 0 {
			c.mu.Unlock()
			return n, err
		}
		now = time.Now()
		if !c.outer.IsZero() && !now.Before(c.outer) {
			c.mu.Unlock()
			return n, err // net/http's own deadline
		}
		if c.expireIfDue(now) {
			return 0, c.expire(false)
		}
		if !c.waitEnd.IsZero() && !now.Before(c.waitEnd) {
			return 0, c.expire(true)
		}
		// The deadline moved while the read waited (a stage ended):
		// read again under the new one.
		c.mu.Unlock()
	}
}

// startsHTTP2 follows the connection's first bytes, b those just read,
// however they are split, and reports true once they are known to be
// the HTTP/2 preface's first line.
func (c *Conn) startsHTTP2(b []byte) bool {
	need := len(http2Preface) - len(c.prefix)
	c.prefix = append(c.prefix, b[:min(len(b), need)]...)
	switch {
	case !bytes.HasPrefix(http2Preface, c.prefix):
		c.spoke, c.prefix = true, nil
	case len(c.prefix) == len(http2Preface):
		c.spoke, c.prefix = true, nil
		return true
	}
	return false
}

// Write writes to the connection, except after a request head ran out
// of time: what net/http would send then (a 400 for the partial line it
// parses) is not Apache's answer, which OnExpiry sent.
func (c *Conn) Write(p []byte) (int, error) {
	if c.headExpired.Load() {
		return 0, net.ErrClosed
	}
	if c.more.Load() && c.more.Swap(false) {
		return c.writeMore(p)
	}
	if n, ok, err := c.write(p); ok {
		return n, err
	}
	return c.Conn.Write(p)
}

// timed reports whether the current phase runs under a stage.
func (c *Conn) timed() bool {
	return !c.untimed && (c.phase == phaseHeader || c.phase == phaseBody) && c.stage.Timeout > 0
}

// Untime stops timing the connection's reads once the HTTP/2 preface
// has been read: an HTTP/2 connection (negotiated in its TLS handshake)
// has streams, not the request cycle the stages follow, and its
// server's own deadlines apply from the preface on. Until then the
// header stage and Timeout hold, as for a request head: net/http sets
// no deadline of its own before the preface.
func (c *Conn) Untime() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.untimeAt = len(h2Preface)
	c.untimeIfRead()
}

// untimeIfRead stops the timing once the bytes Untime waits for have
// been read. c.mu is held.
func (c *Conn) untimeIfRead() {
	if c.untimed || c.untimeAt == 0 || c.total < int64(c.untimeAt) {
		return
	}
	c.untimed = true
	c.waitEnd = time.Time{}
	c.applyLocked(time.Now())
}

// h2Preface is the whole HTTP/2 client connection preface.
const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// expireIfDue reports whether the stage has run out by now, starting
// its clock at its first read. c.mu is held, and stays held.
func (c *Conn) expireIfDue(now time.Time) bool {
	if c.expired {
		return true
	}
	if !c.timed() {
		return false
	}
	if !c.started {
		c.started = true
		c.due = now.Add(c.stage.Timeout)
		if c.stage.MaxTimeout > 0 {
			c.cap = now.Add(c.stage.MaxTimeout)
		} else {
			c.cap = time.Time{}
		}
		return false
	}
	return !now.Before(c.due)
}

// expire reports a stage (or, idle, a read) that ran out, once, and
// unlocks c.mu.
func (c *Conn) expire(idle bool) error {
	first := !c.expired
	c.expired = true
	e := Expiry{Stage: "header", First: c.heads == 0, Timeout: idle}
	if c.phase == phaseBody {
		e.Stage = "body"
	} else {
		c.headExpired.Store(true)
		if c.head.lineDone {
			e.RequestLine, e.LineComplete, e.LineAt = string(c.head.line), true, c.head.lineAt
		}
	}
	c.mu.Unlock()
	if first && c.OnExpiry != nil {
		c.OnExpiry(c, e)
	}
	return &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.ErrDeadlineExceeded}
}

// applyLocked sets the connection's read deadline, when it changed.
func (c *Conn) applyLocked(now time.Time) {
	if dl := c.deadline(now); !dl.Equal(c.applied) {
		c.applied = dl
		c.Conn.SetReadDeadline(dl)
	}
}

// deadline is the read deadline: the earliest of net/http's, the
// stage's and the read's Timeout. Like mod_reqtimeout, a read waits at
// least a second even when the stage has less left; the stage's end is
// checked again when the read returns.
func (c *Conn) deadline(now time.Time) time.Time {
	dl := earliest(c.outer, c.waitEnd)
	if c.timed() && c.started {
		due := c.due
		if min := now.Add(time.Second); due.Before(min) {
			due = min
		}
		dl = earliest(dl, due)
	}
	return dl
}

// earliest is the earlier of two deadlines (zero: none).
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// received accounts for bytes read: the stage gains a second for every
// MinRate bytes (up to its cap), and the request heads are followed.
func (c *Conn) received(p []byte) {
	if len(p) == 0 {
		return
	}
	c.total += int64(len(p))
	if c.timed() && c.started && c.stage.MinRate > 0 {
		c.due = c.due.Add(time.Duration(len(p)) * time.Second / time.Duration(c.stage.MinRate))
		if !c.cap.IsZero() && c.due.After(c.cap) {
			c.due = c.cap
		}
	}
	// A request without a body ends with its head: what net/http's
	// background read takes while the handler runs (a client that sent
	// its next request as soon as it had the answer) starts the next
	// request.
	if c.phase == phaseHeader || c.phase == phaseIdle || c.phase == phaseHandler && !c.hadBody && !c.untimed {
		c.head.scan(p)
		if c.head.lineDone && string(c.head.line) == h2cPreface && c.untimeAt == 0 {
			// HTTP/2 with prior knowledge (h2c): streams, not HTTP/1's
			// cycle, once the rest of the preface is in.
			c.untimeAt = len(h2Preface)
		}
	}
	c.untimeIfRead()
}

// h2cPreface is the first line of an HTTP/2 connection without TLS.
const h2cPreface = "PRI * HTTP/2.0"

// SetReadDeadline records net/http's deadline, and the request cycle
// it marks. net/http's HTTP/1 server sets, in order: the header
// deadline when it starts reading a request (ReadHeaderTimeout, which
// must be set), the zero deadline once the head is read (ReadTimeout
// must be 0), a past deadline and the zero one to stop a background
// read, and the idle deadline (IdleTimeout) before it waits for the
// next request, then the header deadline again.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.outer = t
	switch future := t.After(now); {
	case c.phase == phaseHeader && t.IsZero():
		c.heads++
		c.hadBody = false
		c.enter(phaseHandler, Stage{})
	case (c.phase == phaseHandler || c.phase == phaseBody) && future:
		c.enter(phaseIdle, Stage{})
		if c.KeepAlive > 0 {
			c.outer = now.Add(c.KeepAlive)
		}
		c.head.nextRequest(!c.hadBody)
	case c.phase == phaseIdle && (future || t.IsZero()):
		c.enter(phaseHeader, c.Header)
	}
	dl := c.deadline(now)
	if dl.Equal(c.applied) {
		return nil // as it is (net/http clears a clear deadline)
	}
	c.applied = dl
	return c.Conn.SetReadDeadline(dl)
}

// enter starts a phase, with its stage not yet started.
func (c *Conn) enter(p phase, s Stage) {
	c.phase, c.stage, c.started = p, s, false
}

// StartBody times the reads of the request body under s, from the
// first: the handler calls it for a request with a body.
func (c *Conn) StartBody(s Stage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase == phaseHandler || c.phase == phaseBody && !c.started {
		if !c.Stages {
			s = Stage{}
		}
		c.hadBody = true
		c.enter(phaseBody, s)
	}
}

// HasBody tells the connection that the request being handled has a
// body, also when its handler answers without reading it (net/http then
// reads it away): bytes read until the next head are not that head's,
// and each read of the body waits at most Timeout, with no stage until
// StartBody gives one. StartBody implies it.
func (c *Conn) HasBody() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase == phaseHandler {
		c.hadBody = true
		c.enter(phaseBody, Stage{})
	}
}

// EndBody ends the body stage: the handler read the body to its end.
// A read still waiting (net/http's background read) goes on untimed.
func (c *Conn) EndBody() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase == phaseBody {
		c.enter(phaseHandler, Stage{})
		c.applyLocked(time.Now())
	}
}

// A fileSender is a file that sends itself to a socket with sendfile(2)
// from an offset of its own (statcache.File: a descriptor several
// requests share, whose own offset is no one's).
type fileSender interface {
	SendTo(raw syscall.RawConn, n int64) (int64, error)
}

// ReadFrom sends a file with sendfile(2): a fileSender's n bytes
// (net/http hands them over as an io.LimitedReader) go out with its
// SendTo, an *os.File's from its offset; on a TCP socket each wait for
// it is bounded by Timeout. Anything else is copied through Write.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if lr, ok := r.(*io.LimitedReader); ok {
		if fs, ok := lr.R.(fileSender); ok {
			if raw := c.raw(); raw != nil {
				n, err := fs.SendTo(raw, lr.N)
				lr.N -= n
				if n == 0 && errors.Is(err, errSendfileUnsupported) {
					return io.Copy(writerOnly{c}, lr) // the file system cannot: copy
				}
				if err != nil {
					err = &net.OpError{Op: "sendfile", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
				}
				return n, err
			}
		}
	}
	if n, ok, err := c.readFrom(r); ok {
		return n, err
	}
	if c.raw() != nil {
		// Through Write, whose waits Timeout bounds.
		return io.Copy(writerOnly{c}, r)
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c.Conn}, r)
}

type writerOnly struct{ io.Writer }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

type ctxKey struct{}

// WithConn gives the handlers of c's requests the Conn (for StartBody).
func WithConn(ctx context.Context, c *Conn) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext is the Conn of a request's connection, nil when its reads
// are not timed.
func FromContext(ctx context.Context) *Conn {
	c, _ := ctx.Value(ctxKey{}).(*Conn)
	return c
}

// NoMore disarms MoreFollows when its Write did not come (the head had
// been written already): a later response's head must not wait.
func (c *Conn) NoMore() { c.more.Store(false) }
