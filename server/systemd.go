package server

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
)

// Notify sends a state to systemd's notification socket (sd_notify(3),
// without libsystemd): "READY=1", "RELOADING=1", "STOPPING=1". Without
// NOTIFY_SOCKET (not started by systemd with Type=notify) it does
// nothing.
func Notify(state string) error {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return nil
	}
	if name[0] == '@' {
		name = "\x00" + name[1:] // the abstract namespace
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}

// Activated are the listening sockets systemd passed (socket
// activation), by their local address, for Listen to serve.
type Activated map[string]net.Listener

// ClaimActivated takes the listening sockets systemd passed to this
// process (sd_listen_fds(3): LISTEN_PID and LISTEN_FDS, descriptors from
// 3); nil when there are none. Call it before starting any process: the
// descriptors and the variables are this process's only.
func ClaimActivated() Activated { return activatedListeners() }

// activatedListeners is ClaimActivated's work.
func activatedListeners() Activated {
	pid, err := strconv.Atoi(os.Getenv("LISTEN_PID"))
	if err != nil || pid != os.Getpid() {
		return nil
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return nil
	}
	// The variables are this process's only: children must not take
	// the descriptors for theirs.
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	ls := Activated{}
	for fd := 3; fd < 3+n; fd++ {
		syscall.CloseOnExec(fd)
		f := os.NewFile(uintptr(fd), "listen-fd-"+strconv.Itoa(fd))
		ln, err := net.FileListener(f)
		f.Close()
		if err != nil {
			continue // not a stream socket we can serve
		}
		ls[ln.Addr().String()] = ln
	}
	return ls
}

// takeActivated finds the socket systemd passed for a Listen address
// ("host:port", host empty for every address) and removes it from ls.
func takeActivated(ls Activated, addr string) (net.Listener, bool) {
	if ln, ok := ls[addr]; ok {
		delete(ls, addr)
		return ln, true
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return nil, false
	}
	// "Listen 80": a socket systemd bound on every address.
	for _, any := range []string{"[::]:" + port, "0.0.0.0:" + port} {
		if ln, ok := ls[any]; ok {
			delete(ls, any)
			return ln, true
		}
	}
	return nil, false
}
