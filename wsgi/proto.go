package wsgi

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"time"
)

// The daemon protocol (docs/daemon-protocol.md): one request per data
// connection, a socketpair the server made and handed to the worker.
//
// Server to worker: the request (a length-prefixed record, see
// writeRequest), then the body as frames of [u32 length][bytes], ended
// by a frame of length 0.
//
// Worker to server: frames of [u8 type][u32 length][payload]: one head,
// body blocks, and the end frame.
const (
	frameHead = 'H' // status, status line, headers
	frameBody = 'B' // body bytes, to flush to the client
	frameEnd  = 'E' // the call's Result
)

// maxFrame bounds a frame's payload; larger writes are split.
const maxFrame = 1 << 20

// maxRecord bounds the request record (the environ): mod_wsgi's children
// send theirs whole too.
const maxRecord = 16 << 20

var errProtocol = errors.New("daemon protocol error")

// encoder builds a record.
type encoder struct{ b []byte }

func (e *encoder) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) i64(v int64)  { e.b = binary.LittleEndian.AppendUint64(e.b, uint64(v)) }
func (e *encoder) str(s string) { e.u32(uint32(len(s))); e.b = append(e.b, s...) }

// decoder reads a record; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) u32() uint32 {
	if len(d.b) < 4 {
		d.err = errProtocol
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *decoder) i64() int64 {
	if len(d.b) < 8 {
		d.err = errProtocol
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return int64(v)
}

func (d *decoder) str() string {
	n := d.u32()
	if d.err != nil || uint64(n) > uint64(len(d.b)) {
		d.err = errProtocol
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// writeRequest sends a call's request record.
func writeRequest(w io.Writer, c *Call) error {
	var e encoder
	e.u32(0) // the record's length, filled in below
	script, module := c.Script, c.Module
	if c.jailed != nil {
		script, module = c.jailed.script, c.jailed.module
	}
	for _, s := range [...]string{c.ApplicationGroup, c.ProcessGroup, script, module, c.Callable, c.Client} {
		e.str(s)
	}
	flags := uint32(0)
	if c.Reload {
		flags |= 1
	}
	if c.Body != nil {
		flags |= 2
	}
	e.u32(flags)
	e.i64(c.ScriptMTime)
	e.i64(c.ContentLength)
	e.u32(uint32(c.LogServer))
	if c.jailed == nil {
		e.u32(uint32(len(c.Env)))
		for _, kv := range c.Env {
			e.str(kv.Key)
			e.str(kv.Value)
		}
	} else {
		count := 0
		for _, kv := range c.Env {
			if _, ok := c.jailed.env(kv); ok {
				count++
			}
		}
		e.u32(uint32(count))
		for _, kv := range c.Env {
			if kv, ok := c.jailed.env(kv); ok {
				e.str(kv.Key)
				e.str(kv.Value)
			}
		}
	}
	binary.LittleEndian.PutUint32(e.b, uint32(len(e.b)-4))
	_, err := w.Write(e.b)
	return err
}

// readRequest reads a request record into a call without body or
// response; hasBody says whether body frames follow it.
func readRequest(r io.Reader) (c *Call, hasBody bool, err error) {
	c, flags, err := readRecord(r)
	if err != nil {
		return nil, false, err
	}
	hasBody = flags&2 != 0
	if !hasBody {
		c.ContentLength = 0
	}
	return c, hasBody, nil
}

func readRecord(r io.Reader) (*Call, uint32, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, 0, err
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if n > maxRecord {
		return nil, 0, fmt.Errorf("%w: request record of %d bytes", errProtocol, n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, 0, unexpected(err)
	}
	d := decoder{b: buf}
	c := &Call{}
	for _, p := range [...]*string{&c.ApplicationGroup, &c.ProcessGroup, &c.Script, &c.Module, &c.Callable, &c.Client} {
		*p = d.str()
	}
	flags := d.u32()
	c.Reload = flags&1 != 0
	c.ScriptMTime = d.i64()
	c.ContentLength = d.i64()
	c.LogServer = int(d.u32())
	count := d.u32()
	if d.err == nil && uint64(count)*8 > uint64(len(d.b)) {
		return nil, 0, errProtocol
	}
	c.Env = make([]EnvVar, 0, count)
	for i := uint32(0); i < count && d.err == nil; i++ {
		k := d.str()
		c.Env = append(c.Env, EnvVar{Key: k, Value: d.str()})
	}
	if d.err != nil {
		return nil, 0, d.err
	}
	return c, flags, nil
}

// bodyWriter frames a request body: [u32 length][bytes], then 0.
type bodyWriter struct{ w io.Writer }

func (b bodyWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), maxFrame)
		var hdr [4]byte
		binary.LittleEndian.PutUint32(hdr[:], uint32(n))
		if _, err := b.w.Write(hdr[:]); err != nil {
			return written, err
		}
		if _, err := b.w.Write(p[:n]); err != nil {
			return written, err
		}
		written += n
		p = p[n:]
	}
	return written, nil
}

func (b bodyWriter) Close() error {
	_, err := b.w.Write([]byte{0, 0, 0, 0})
	return err
}

// bodyReader reads a framed request body.
type frameBodyReader struct {
	r    io.Reader
	left uint32
	done bool
	// activity, when set, records the time of each read (the
	// inactivity timer's clock).
	activity *atomic.Int64
}

func (b *frameBodyReader) Read(p []byte) (int, error) {
	if b.activity != nil {
		b.activity.Store(time.Now().UnixNano())
	}
	for b.left == 0 {
		if b.done {
			return 0, io.EOF
		}
		var hdr [4]byte
		if _, err := io.ReadFull(b.r, hdr[:]); err != nil {
			return 0, unexpected(err)
		}
		b.left = binary.LittleEndian.Uint32(hdr[:])
		if b.left == 0 {
			b.done = true
			return 0, io.EOF
		}
	}
	n := min(len(p), int(b.left))
	n, err := b.r.Read(p[:n])
	b.left -= uint32(n)
	if err == io.EOF && b.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// frameWriter writes the worker's response frames.
type frameWriter struct{ w *bufio.Writer }

func (f frameWriter) frame(typ byte, payload ...[]byte) error {
	n := 0
	for _, p := range payload {
		n += len(p)
	}
	if n > math.MaxUint32 {
		return errProtocol
	}
	var hdr [5]byte
	hdr[0] = typ
	binary.LittleEndian.PutUint32(hdr[1:], uint32(n))
	f.w.Write(hdr[:])
	for _, p := range payload {
		f.w.Write(p)
	}
	return nil
}

// readFrame reads one response frame; buf is reused when large enough.
func readFrame(r *bufio.Reader, buf []byte) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[1:])
	if n > maxRecord {
		return 0, nil, errProtocol
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, unexpected(err)
	}
	return hdr[0], buf, nil
}

func encodeHead(status int, line string, headers []Header) []byte {
	var e encoder
	e.u32(uint32(status))
	e.str(line)
	e.u32(uint32(len(headers)))
	for _, h := range headers {
		e.str(h.Name)
		e.str(h.Value)
	}
	return e.b
}

func decodeHead(b []byte) (status int, line string, headers []Header, err error) {
	d := decoder{b: b}
	status = int(d.u32())
	line = d.str()
	n := d.u32()
	if d.err == nil && uint64(n)*8 > uint64(len(d.b)) {
		return 0, "", nil, errProtocol
	}
	for i := uint32(0); i < n && d.err == nil; i++ {
		name := d.str()
		headers = append(headers, Header{Name: name, Value: d.str()})
	}
	return status, line, headers, d.err
}

func encodeResult(res Result) []byte {
	var e encoder
	e.u32(uint32(res.Status))
	incomplete := uint32(0)
	if res.Incomplete {
		incomplete = 1
	}
	e.u32(incomplete)
	return e.b
}

func decodeResult(b []byte) (Result, error) {
	d := decoder{b: b}
	res := Result{Status: int(d.u32()), Incomplete: d.u32() != 0}
	return res, d.err
}
