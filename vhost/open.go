package vhost

import (
	"errors"
	"os"
	"syscall"
)

// openFile opens a file the handler serves, read-only. os.Open would
// switch the descriptor to non-blocking mode, try to add it to the
// network poller (which refuses regular files) and switch it back: five
// system calls a request that change nothing for a file read with
// sendfile. os.NewFile keeps the descriptor blocking and out of the
// poller.
func openFile(name string) (*os.File, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return os.NewFile(uintptr(fd), name), nil
	}
}
