package server

import (
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gowsgid/gowsgid/confparse"
)

// sockopt reads an integer socket option of a listener.
func sockopt(t *testing.T, ln net.Listener, level, opt int) int {
	t.Helper()
	rc, err := ln.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	rc.Control(func(fd uintptr) { v, gerr = unix.GetsockoptInt(int(fd), level, opt) })
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}

// TestListenSocketOptions checks that SendBufferSize, ReceiveBufferSize
// and ListenTCPDeferAccept reach the Listen sockets (Apache's make_sock
// sets them there; accepted connections inherit the buffers).
func TestListenSocketOptions(t *testing.T) {
	cfg := &confparse.Config{
		Listeners: []confparse.Listener{{Host: "127.0.0.1", Port: 0, Protocol: "http"}},
		Listen:    confparse.ListenSettings{SendBuffer: 65536, ReceiveBuffer: 131072, DeferAccept: 12},
	}
	ls, err := listenAll(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ls[0].Close()
	// Linux doubles a buffer size set for its bookkeeping.
	if got := sockopt(t, ls[0], unix.SOL_SOCKET, unix.SO_SNDBUF); got != 2*65536 {
		t.Errorf("SO_SNDBUF %d, want %d", got, 2*65536)
	}
	if got := sockopt(t, ls[0], unix.SOL_SOCKET, unix.SO_RCVBUF); got != 2*131072 {
		t.Errorf("SO_RCVBUF %d, want %d", got, 2*131072)
	}
	// Linux keeps TCP_DEFER_ACCEPT as a count of SYN-ACK retransmits and
	// gives back the seconds they last: 12 seconds read back as 15,
	// Apache's default 30 as 31.
	if got := sockopt(t, ls[0], unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT); got < 12 || got >= 30 {
		t.Errorf("TCP_DEFER_ACCEPT %d, want 12 rounded up (15)", got)
	}

	// Unset, the system's buffers and Apache's 30 seconds.
	cfg.Listen = confparse.ListenSettings{}
	ls, err = listenAll(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ls[0].Close()
	if got := sockopt(t, ls[0], unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT); got < 30 {
		t.Errorf("default TCP_DEFER_ACCEPT %d, want 30 rounded up (31)", got)
	}
}

// TestListenBacklog checks ListenBacklog: with a queue of 2 that nobody
// accepts from, the kernel completes three handshakes (backlog + 1) and
// drops the SYNs of the next connection.
func TestListenBacklog(t *testing.T) {
	cfg := &confparse.Config{
		Listeners: []confparse.Listener{{Host: "127.0.0.1", Port: 0, Protocol: "none"}},
		Listen:    confparse.ListenSettings{Backlog: 2},
	}
	ls, err := listenAll(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ls[0].Close()
	addr := ls[0].Addr().String()
	for i := 0; i < 3; i++ {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		defer c.Close()
	}
	if c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("a fourth connection was queued: ListenBacklog 2 not applied")
	}
}
