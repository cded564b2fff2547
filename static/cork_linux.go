package static

import "syscall"

// setCork and clearCork set and clear TCP_CORK on a socket: with it set,
// the kernel sends only full packets until it is cleared.
func setCork(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, 1) }

func clearCork(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, 0) }
