// Package sendfile sends a file's bytes to a socket with sendfile(2),
// from an offset the caller keeps, waiting for the socket as net's own
// writes do: through the socket's syscall.RawConn, whose Write parks
// the goroutine in Go's poller (under the socket's write deadline) when
// the socket is full.
package sendfile

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrUnsupported says sendfile(2) cannot send from the file at all (a
// file system without it); nothing was sent, and the caller copies.
var ErrUnsupported = errors.New("sendfile: not supported for this file")

// maxChunk is the most one sendfile(2) is asked for, as net's own
// writes cap theirs.
const maxChunk = 1 << 30

// To sends up to n bytes of the file whose descriptor is src, from *off
// (which it moves past them), to the socket behind raw. It stops early
// at the end of the file. The descriptor's own offset is neither read
// nor moved.
func To(raw syscall.RawConn, src int, off *int64, n int64) (int64, error) {
	var sent int64
	var serr error
	err := raw.Write(func(sock uintptr) bool {
		for sent < n {
			m, err := unix.Sendfile(int(sock), src, off, int(min(n-sent, maxChunk)))
			if m > 0 {
				sent += int64(m)
			}
			switch err {
			case nil:
				if m == 0 {
					return true // the file ended
				}
			case unix.EINTR:
			case unix.EAGAIN:
				return false
			case unix.EINVAL, unix.ENOSYS, unix.EOPNOTSUPP:
				if sent == 0 {
					serr = ErrUnsupported
					return true
				}
				serr = err
				return true
			default:
				serr = err
				return true
			}
		}
		return true
	})
	switch {
	case serr == ErrUnsupported:
		return 0, serr
	case serr != nil:
		return sent, os.NewSyscallError("sendfile", serr)
	}
	return sent, err
}
