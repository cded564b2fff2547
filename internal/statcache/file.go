//go:build unix

package statcache

import (
	"io"
	"io/fs"
	"os"
	"sync/atomic"
	"syscall"
)

// descriptor is an open read-only file descriptor that several Files may
// read at once: each reads at an offset of its own (pread, sendfile with
// an offset), never at the descriptor's. The last reference closes it.
type descriptor struct {
	fd   int
	refs atomic.Int32
}

func (d *descriptor) acquire() { d.refs.Add(1) }

func (d *descriptor) release() {
	if d.refs.Add(-1) == 0 {
		syscall.Close(d.fd)
	}
}

// File is a regular file opened for one request: a bare read-only
// descriptor, possibly shared with other requests through the cache,
// read at the File's own offset. os.Open would switch the descriptor to
// non-blocking mode, try to add it to the network poller (which refuses
// regular files) and switch it back, five system calls that change
// nothing for a file sent with sendfile.
//
// A File is not an os.File and offers no syscall.Conn: net's sendfile
// would send from the shared descriptor's offset. SendTo sends it with
// sendfile(2) from the File's own offset instead; elsewhere its bytes
// are read with pread(2). Close it when done.
type File struct {
	d      *descriptor
	off    int64
	closed bool
}

// openFile opens name read-only, the descriptor not shared.
func openFile(name string) (*File, error) {
	fd, err := openFD(name)
	if err != nil {
		return nil, err
	}
	d := &descriptor{fd: fd}
	d.refs.Store(1)
	return &File{d: d}, nil
}

func openFD(name string) (int, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return fd, nil
	}
}

// Read implements io.Reader, from the File's offset.
func (f *File) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := f.pread(p, f.off)
	f.off += int64(n)
	if n == 0 && err == nil {
		return 0, io.EOF
	}
	return n, err
}

// pread is one pread(2), EINTR retried.
func (f *File) pread(p []byte, off int64) (int, error) {
	for {
		n, err := syscall.Pread(f.d.fd, p, off)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		return n, nil
	}
}

// ReadAt implements io.ReaderAt.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := f.pread(p[n:], off+int64(n))
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

// Seek implements io.Seeker; it moves the File's offset only.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	base := int64(0)
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = f.off
	case io.SeekEnd:
		var st syscall.Stat_t
		if err := syscall.Fstat(f.d.fd, &st); err != nil {
			return f.off, &fs.PathError{Op: "seek", Err: err}
		}
		base = st.Size
	default:
		return f.off, &fs.PathError{Op: "seek", Err: syscall.EINVAL}
	}
	if base+offset < 0 {
		return f.off, &fs.PathError{Op: "seek", Err: syscall.EINVAL}
	}
	f.off = base + offset
	return f.off, nil
}

// Fd is the descriptor, for tests and for those that read it with an
// offset of their own.
func (f *File) Fd() int { return f.d.fd }

// Close gives the File's descriptor back: closed when nothing else
// (another request, the cache) holds it.
func (f *File) Close() error {
	if f.closed {
		return os.ErrClosed
	}
	f.closed = true
	f.d.release()
	return nil
}
