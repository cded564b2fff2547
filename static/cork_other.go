//go:build !linux

package static

// setCork and clearCork do nothing where there is no TCP_CORK.
func setCork(fd uintptr) {}

func clearCork(fd uintptr) {}
