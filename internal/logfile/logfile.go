// Package logfile opens the destinations of Apache's log directives
// (ErrorLog, CustomLog, TransferLog) as Apache's log.c and mod_log_config
// open them: a file relative to ServerRoot, opened for appending, or a
// piped program ("|program"). A Set opens each destination once however
// many directives name it, reopens every file at its path on Reopen (so a
// log renamed by logrotate is followed by a new one), and restarts a
// piped program that exits.
package logfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/gowsgid/gowsgid/internal/apr"
)

// BufferSize is mod_log_config's LOG_BUFSIZE (PIPE_BUF): what a
// BufferedLogs destination keeps before writing.
const BufferSize = 4096

// Set holds the open destinations of a configuration.
type Set struct {
	root string
	// Buffered makes new destinations buffer their lines (BufferedLogs).
	buffered bool
	// Errorf reports a piped program's failures (nil: stderr).
	Errorf func(format string, args ...any)
	// OpenFile opens a log file for appending (nil: OpenAppend). A
	// server that dropped its privileges asks its privileged helper.
	OpenFile func(path string) (*os.File, error)
	// StartPipe starts a piped log program (nil: StartProgram, as this
	// process's user). program is what follows the '|'; errorf reports
	// its restarts. A server that dropped its privileges asks its
	// privileged helper, so that the program runs as root, as Apache's
	// piped loggers do.
	StartPipe func(program string, errorf func(format string, args ...any)) (Pipe, error)

	mu    sync.Mutex
	dests map[string]*Dest
	order []*Dest
}

// NewSet returns an empty set; names are relative to serverRoot.
func NewSet(serverRoot string) *Set {
	return &Set{root: serverRoot, dests: map[string]*Dest{}}
}

// SetBuffered makes destinations opened from now on buffer what is
// written to them (BufferedLogs On): lines are written when BufferSize
// bytes are waiting, and on Flush, Reopen and Close.
func (s *Set) SetBuffered(on bool) { s.buffered = on }

// Open returns the destination name designates, opening it the first
// time: "|program" (Apache 2.4 runs it without a shell; "||program" is
// the same, "|$command" runs /bin/sh -c command), else a file path
// relative to ServerRoot. A second Open of the same name shares the
// destination.
func (s *Set) Open(name string) (*Dest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := name
	if name == "" || name[0] != '|' {
		key = s.Path(name)
	}
	if d, ok := s.dests[key]; ok {
		return d, nil
	}
	d := &Dest{name: name, buffered: s.buffered}
	if name != "" && name[0] == '|' {
		p, err := s.startPipe(name[1:])
		if err != nil {
			return nil, err
		}
		d.pipe = p
		d.f = p.Writer()
	} else {
		d.path = key
		f, err := s.opener()(key)
		if err != nil {
			return nil, err
		}
		d.f = f
	}
	s.dests[key] = d
	s.order = append(s.order, d)
	return d, nil
}

// startPipe starts the program of a "|program" destination.
func (s *Set) startPipe(program string) (Pipe, error) {
	if s.StartPipe != nil {
		return s.StartPipe(program, s.errorf)
	}
	return StartProgram(program, s.root, s.errorf)
}

// Path is a file name resolved against ServerRoot and cleaned lexically
// (ap_server_root_relative): "/x/nosub/../a.log" is /x/a.log whether or
// not /x/nosub exists.
func (s *Set) Path(name string) string {
	if s.root == "" && !strings.HasPrefix(name, "/") {
		return name
	}
	return apr.FilepathMerge(s.root, name)
}

func (s *Set) errorf(format string, args ...any) {
	if s.Errorf != nil {
		s.Errorf(format, args...)
		return
	}
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

// Reopen reopens every file at its path: after logrotate renamed a log,
// what is written goes to a new file under the old name. Lines written
// before Reopen returns are in the old file or the new one, none lost.
// Piped programs keep running.
func (s *Set) Reopen() error {
	open := s.opener()
	return s.each(func(d *Dest) error { return d.reopen(open) })
}

// opener is how the set opens files.
func (s *Set) opener() func(string) (*os.File, error) {
	if s.OpenFile != nil {
		return s.OpenFile
	}
	return OpenAppend
}

// Flush writes what buffered destinations hold.
func (s *Set) Flush() error { return s.each((*Dest).Flush) }

// each runs f on every destination and joins the errors.
func (s *Set) each(f func(*Dest) error) error {
	s.mu.Lock()
	dests := append([]*Dest(nil), s.order...)
	s.mu.Unlock()
	var errs []error
	for _, d := range dests {
		if err := f(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close flushes and closes every destination; piped programs get the end
// of their input and a moment to finish.
func (s *Set) Close() error {
	s.mu.Lock()
	dests := s.order
	s.order, s.dests = nil, map[string]*Dest{}
	s.mu.Unlock()
	var errs []error
	for _, d := range dests {
		if err := d.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Dest is one open log destination. Write is safe for concurrent use;
// each Write of a whole line is one write(2) (or one buffered append), so
// lines never interleave.
type Dest struct {
	name     string
	path     string // "" for a pipe
	pipe     Pipe
	buffered bool

	// mu guards f against Reopen: writers hold it shared.
	mu sync.RWMutex
	f  *os.File
	// bmu guards buf.
	bmu    sync.Mutex
	buf    []byte
	closed bool
}

// Name is the destination as the configuration names it.
func (d *Dest) Name() string { return d.name }

// File is the open file (the pipe's write end for a piped program), to
// hand to a child process.
func (d *Dest) File() *os.File {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.f
}

// Write writes p, a whole line or lines.
func (d *Dest) Write(p []byte) (int, error) {
	if d.buffered {
		return d.writeBuffered(p)
	}
	d.mu.RLock()
	n, err := d.f.Write(p)
	d.mu.RUnlock()
	return n, err
}

// writeBuffered is ap_buffered_log_writer: lines gather in a buffer of
// BufferSize bytes; a line that does not fit flushes it first, and a line
// as long as the buffer is written at once.
func (d *Dest) writeBuffered(p []byte) (int, error) {
	d.bmu.Lock()
	defer d.bmu.Unlock()
	if len(d.buf)+len(p) > BufferSize {
		if err := d.flushLocked(); err != nil {
			return 0, err
		}
	}
	if len(p) >= BufferSize {
		d.mu.RLock()
		n, err := d.f.Write(p)
		d.mu.RUnlock()
		return n, err
	}
	if d.buf == nil {
		d.buf = make([]byte, 0, BufferSize)
	}
	d.buf = append(d.buf, p...)
	return len(p), nil
}

// Flush writes the buffered lines.
func (d *Dest) Flush() error {
	d.bmu.Lock()
	defer d.bmu.Unlock()
	return d.flushLocked()
}

func (d *Dest) flushLocked() error {
	if len(d.buf) == 0 {
		return nil
	}
	d.mu.RLock()
	_, err := d.f.Write(d.buf)
	d.mu.RUnlock()
	d.buf = d.buf[:0]
	return err
}

func (d *Dest) reopen(open func(string) (*os.File, error)) error {
	if d.path == "" {
		return nil
	}
	if err := d.Flush(); err != nil {
		return err
	}
	f, err := open(d.path)
	if err != nil {
		return err
	}
	d.mu.Lock()
	old := d.f
	if d.closed {
		d.mu.Unlock()
		f.Close()
		return nil
	}
	d.f = f
	d.mu.Unlock()
	return old.Close()
}

// Close flushes and closes the destination.
func (d *Dest) Close() error {
	ferr := d.Flush()
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	f := d.f
	d.mu.Unlock()
	if d.pipe != nil {
		return errors.Join(ferr, d.pipe.Close())
	}
	return errors.Join(ferr, f.Close())
}

// OpenAppend opens a log file as Apache does (APR_WRITE | APR_APPEND |
// APR_CREATE, mode 0644 under the umask), close-on-exec.
func OpenAppend(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, err
	}
	return f, nil
}

var _ io.Writer = (*Dest)(nil)
