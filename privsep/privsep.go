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

	"github.com/gowsgid/gowsgid/rewrite"
)

// request is a message from the server.
type request struct {
	ID uint64 `json:"id"`
	// Op is "spawn" (Group, Index), "kill" (Pid), "listen" (Addr),
	// "open" or "read" (Path), "pipe" (Program), "unpipe" (Pipe),
	// "mapprg" (Map, MapID), "unmapprg" (MapID), "key" (Path, Server,
	// Index) or "reload".
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
	// Map is the program of a RewriteMap prg: map to start ("mapprg",
	// with MapID and the program's standard error as the descriptor);
	// MapID names one the helper started ("unmapprg").
	Map   *rewrite.Program `json:"map,omitempty"`
	MapID uint64           `json:"map_id,omitempty"`
	// Server is mod_ssl's name:port of the server whose key ("key")
	// Path is, Index its place among the server's keys.
	Server string `json:"server,omitempty"`
}

// reply is a message from the helper: the answer to request ID, or,
// with ID 0, the notice that worker Pid exited (Exit says how) or what
// piped log program Pipe has to report (Notice: it exited, or could not
// be started again). The answer to "mapprg" for a program that could
// not be executed names it in Notice, with Errno.
type reply struct {
	ID    uint64 `json:"id"`
	Error string `json:"error,omitempty"`
	// Errno is the system error under Error (0 for none), so that the
	// server logs it as Apache does ("(13)Permission denied: ").
	Errno  int    `json:"errno,omitempty"`
	Pid    int    `json:"pid,omitempty"`
	Exit   string `json:"exit,omitempty"`
	Pipe   uint64 `json:"pipe,omitempty"`
	Notice string `json:"notice,omitempty"`
	// Data is a private key in PEM, decrypted ("key").
	Data []byte `json:"data,omitempty"`
	// Level is the error log level of an Error that is mod_ssl's line
	// about a key ("key").
	Level string `json:"level,omitempty"`
}

// maxMessage bounds a message.
const maxMessage = 64 << 10

// maxFds bounds the descriptors a message carries.
const maxFds = 2

// send writes a message with the descriptors fds (those below 0 are
// left out).
func send(f *os.File, msg any, fds ...int) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	var pass []int
	for _, fd := range fds {
		if fd >= 0 {
			pass = append(pass, fd)
		}
	}
	var oob []byte
	if len(pass) > 0 {
		oob = syscall.UnixRights(pass...)
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

// receive reads a message into msg and returns the descriptors it
// carried.
func receive(f *os.File, msg any) ([]int, error) {
	buf := make([]byte, maxMessage)
	oob := make([]byte, syscall.CmsgSpace(4*maxFds))
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var n, oobn int
	var recvErr error
	if err := rc.Read(func(s uintptr) bool {
		n, oobn, _, _, recvErr = syscall.Recvmsg(int(s), buf, oob, syscall.MSG_CMSG_CLOEXEC)
		return recvErr != syscall.EAGAIN
	}); err != nil {
		return nil, err
	}
	if recvErr != nil {
		return nil, recvErr
	}
	var fds []int
	if oobn > 0 {
		if msgs, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil && len(msgs) == 1 {
			fds, _ = syscall.ParseUnixRights(&msgs[0])
		}
	}
	if n == 0 {
		closeAll(fds)
		return nil, errors.New("privsep: the other side is gone")
	}
	if err := json.Unmarshal(buf[:n], msg); err != nil {
		closeAll(fds)
		return nil, fmt.Errorf("privsep: %w", err)
	}
	return fds, nil
}

// remoteError is an error the helper reported, with its system error.
type remoteError struct {
	msg   string
	errno syscall.Errno
}

func (e *remoteError) Error() string { return e.msg }

// Unwrap gives the system error, if there was one.
func (e *remoteError) Unwrap() error {
	if e.errno == 0 {
		return nil
	}
	return e.errno
}

// closeAll closes descriptors nobody takes.
func closeAll(fds []int) {
	for _, fd := range fds {
		if fd >= 0 {
			syscall.Close(fd)
		}
	}
}

// listenerFile is the descriptor of a TCP listener, for passing on.
func listenerFile(ln net.Listener) (*os.File, error) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return nil, fmt.Errorf("privsep: %T is not a TCP listener", ln)
	}
	return tl.File()
}
