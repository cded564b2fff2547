package statcache

import (
	"syscall"

	"github.com/gowsgid/gowsgid/internal/sendfile"
)

// SendTo sends up to n bytes of the file, from the File's offset, to the
// socket behind raw with sendfile(2), waiting for the socket as net's
// own writes do (under its write deadline), and moves the offset past
// them. It stops early at the end of the file. The descriptor's own
// offset is neither read nor moved, so requests sharing it do not meet.
// sendfile.ErrUnsupported says the file cannot be sent so (nothing was).
func (f *File) SendTo(raw syscall.RawConn, n int64) (int64, error) {
	return sendfile.To(raw, f.d.fd, &f.off, n)
}
