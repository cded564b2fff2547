// Package listenwait waits for a server process to accept connections.
package listenwait

import (
	"errors"
	"net"
	"time"
)

// ErrExited is returned when the process exits before it listens.
var ErrExited = errors.New("it exited")

// Wait polls addr until it accepts a TCP connection, exited is closed
// (ErrExited), or timeout passes (the last dial error).
func Wait(addr string, timeout time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return ErrExited
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
