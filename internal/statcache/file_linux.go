package statcache

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// SendTo sends up to n bytes of the file, from the File's offset, to the
// socket behind raw with sendfile(2), waiting for the socket as net's
// own writes do (under its write deadline), and moves the offset past
// them. It stops early at the end of the file. The descriptor's own
// offset is neither read nor moved, so requests sharing it do not meet.
func (f *File) SendTo(raw syscall.RawConn, n int64) (int64, error) {
	var sent int64
	var serr error
	err := raw.Write(func(sock uintptr) bool {
		for sent < n {
			off := f.off
			m, err := unix.Sendfile(int(sock), f.d.fd, &off, int(min(n-sent, 1<<30)))
			if m > 0 {
				sent += int64(m)
				f.off += int64(m)
			}
			switch err {
			case nil:
				if m == 0 {
					return true // the file ended
				}
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
		err = os.NewSyscallError("sendfile", serr)
	}
	return sent, err
}
