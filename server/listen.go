package server

import (
	"context"
	"errors"
	"net"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gowsgid/gowsgid/confparse"
)

// listenTCP binds a Listen address with SO_REUSEPORT, so that a second
// gowsgid (a new version, started before the old one stops) can bind
// the same port and the two hand it over without refusing a connection
// (those in the old socket's accept queue when it closes are reset
// unless net.ipv4.tcp_migrate_req moves them).
func listenTCP(addr string) (net.Listener, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	return lc.Listen(context.Background(), "tcp", addr)
}

// inUse reports whether a socket is bound to addr already: a bind
// without SO_REUSEPORT fails where any socket listens, one with it
// included.
func inUse(addr string) bool {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return false
	}
	family, sa := unix.AF_INET6, unix.Sockaddr(nil)
	if ip4 := ta.IP.To4(); ip4 != nil {
		family, sa = unix.AF_INET, &unix.SockaddrInet4{Port: ta.Port, Addr: [4]byte(ip4)}
	} else if ta.IP == nil {
		sa = &unix.SockaddrInet6{Port: ta.Port}
	} else {
		sa = &unix.SockaddrInet6{Port: ta.Port, Addr: [16]byte(ta.IP.To16())}
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	return errors.Is(unix.Bind(fd, sa), unix.EADDRINUSE)
}

// tuneListener sets the socket options of a Listen socket: AcceptFilter's
// "data" on Linux (deferAccept: a connection is handed to Accept once
// the client has sent something, or after ListenTCPDeferAccept's
// seconds, 30 by default, so a client that connects and stays silent
// costs the server nothing), SendBufferSize and ReceiveBufferSize
// (which the accepted connections inherit) and ListenBacklog (listen(2)
// again on a listening socket sets its queue's length).
func tuneListener(ln net.Listener, o confparse.ListenSettings, deferAccept bool) {
	if !deferAccept && o == (confparse.ListenSettings{}) {
		return
	}
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		if deferAccept {
			unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, o.DeferAcceptSeconds())
		}
		if o.SendBuffer > 0 {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF, o.SendBuffer)
		}
		if o.ReceiveBuffer > 0 {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, o.ReceiveBuffer)
		}
		if o.Backlog > 0 {
			unix.Listen(int(fd), o.Backlog)
		}
	})
}
