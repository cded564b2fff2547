// Package privsep keeps what a server started as root still needs root
// for after it has dropped to its User and Group, as Apache's parent
// process keeps it: a helper process, started before the drop, binds the
// listening sockets a graceful restart adds and starts daemon worker
// processes under their groups' users, opens the log files and starts
// the piped log programs, which Apache's parent starts as root (so that
// "|/usr/bin/rotatelogs /var/log/apache2/..." may write where only root
// may).
//
// The helper trusts nothing the server asks beyond the configuration it
// read itself: it binds only the configuration's Listen addresses,
// starts only its WSGIDaemonProcess groups, with the identities the
// configuration gives them, opens only its log files and starts only the
// programs of its piped ErrorLog, CustomLog, TransferLog and GlobalLog
// lines. A server taken over by an application can
// therefore get no more from it than the configuration already grants.
//
// Helper and server talk over a SOCK_SEQPACKET socketpair, one JSON
// message a datagram, descriptors passed with SCM_RIGHTS.
package privsep

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// request is a message from the server.
type request struct {
	ID uint64 `json:"id"`
	// Op is "spawn" (Group, Index), "kill" (Pid), "listen" (Addr),
	// "open" or "read" (Path), "pipe" (Program), "unpipe" (Pipe) or
	// "reload".
	Op    string `json:"op"`
	Group string `json:"group,omitempty"`
	Index int    `json:"index,omitempty"`
	Pid   int    `json:"pid,omitempty"`
	Addr  string `json:"addr,omitempty"`
	Path  string `json:"path,omitempty"`
	// Program is a piped log program: what follows the '|' of the
	// destination.
	Program string `json:"program,omitempty"`
	// Pipe names a piped log program the helper started.
	Pipe uint64 `json:"pipe,omitempty"`
}

// reply is a message from the helper: the answer to request ID, or,
// with ID 0, the notice that worker Pid exited (Exit says how) or what
// piped log program Pipe has to report (Notice: it exited, or could not
// be started again).
type reply struct {
	ID     uint64 `json:"id"`
	Error  string `json:"error,omitempty"`
	Pid    int    `json:"pid,omitempty"`
	Exit   string `json:"exit,omitempty"`
	Pipe   uint64 `json:"pipe,omitempty"`
	Notice string `json:"notice,omitempty"`
}

// maxMessage bounds a message.
const maxMessage = 64 << 10

// send writes a message with an optional descriptor.
func send(f *os.File, msg any, fd int) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	var oob []byte
	if fd >= 0 {
		oob = syscall.UnixRights(fd)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var sendErr error
	if err := rc.Write(func(s uintptr) bool {
		sendErr = syscall.Sendmsg(int(s), b, oob, nil, 0)
		return sendErr != syscall.EAGAIN
	}); err != nil {
		return err
	}
	return sendErr
}

// receive reads a message into msg and returns the descriptor it
// carried, or -1.
func receive(f *os.File, msg any) (int, error) {
	buf := make([]byte, maxMessage)
	oob := make([]byte, syscall.CmsgSpace(4))
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	var n, oobn int
	var recvErr error
	if err := rc.Read(func(s uintptr) bool {
		n, oobn, _, _, recvErr = syscall.Recvmsg(int(s), buf, oob, syscall.MSG_CMSG_CLOEXEC)
		return recvErr != syscall.EAGAIN
	}); err != nil {
		return -1, err
	}
	if recvErr != nil {
		return -1, recvErr
	}
	if n == 0 {
		return -1, errors.New("privsep: the other side is gone")
	}
	fd := -1
	if oobn > 0 {
		if msgs, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil && len(msgs) == 1 {
			if fds, err := syscall.ParseUnixRights(&msgs[0]); err == nil && len(fds) == 1 {
				fd = fds[0]
			}
		}
	}
	if err := json.Unmarshal(buf[:n], msg); err != nil {
		if fd >= 0 {
			syscall.Close(fd)
		}
		return -1, fmt.Errorf("privsep: %w", err)
	}
	return fd, nil
}

// listenerFile is the descriptor of a TCP listener, for passing on.
func listenerFile(ln net.Listener) (*os.File, error) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return nil, fmt.Errorf("privsep: %T is not a TCP listener", ln)
	}
	return tl.File()
}
