package vhost

import (
	"io"
	"os"
	"syscall"
)

// file is a regular file opened for the handler to serve: a bare
// read-only descriptor. os.Open would switch it to non-blocking mode,
// try to add it to the network poller (which refuses regular files) and
// switch it back, five system calls a request that change nothing for a
// file sent with sendfile; os.NewFile would still ask for its flags
// (fcntl) and register a cleanup. net's sendfile takes it through
// syscall.Conn, as it takes an *os.File. The handler closes it.
type file struct{ fd int }

// openFile opens name read-only.
func openFile(name string) (*file, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return &file{fd: fd}, nil
	}
}

// Read implements io.Reader.
func (f *file) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(f.fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 && len(p) > 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

// ReadAt implements io.ReaderAt.
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := syscall.Pread(f.fd, p[n:], off+int64(n))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, io.EOF
		}
		n += m
	}
	return n, nil
}

// Seek implements io.Seeker.
func (f *file) Seek(offset int64, whence int) (int64, error) {
	for {
		off, err := syscall.Seek(f.fd, offset, whence)
		if err != syscall.EINTR {
			return off, err
		}
	}
}

// Close closes the descriptor.
func (f *file) Close() error { return syscall.Close(f.fd) }

// SyscallConn gives sendfile the descriptor.
func (f *file) SyscallConn() (syscall.RawConn, error) { return (*fileConn)(f), nil }

// fileConn is a file as a syscall.RawConn: a blocking descriptor, so
// each function runs once, at once.
type fileConn file

func (c *fileConn) Control(fn func(fd uintptr)) error {
	fn(uintptr(c.fd))
	return nil
}

func (c *fileConn) Read(fn func(fd uintptr) bool) error {
	if !fn(uintptr(c.fd)) {
		return syscall.EAGAIN
	}
	return nil
}

func (c *fileConn) Write(fn func(fd uintptr) bool) error { return c.Read(fn) }
