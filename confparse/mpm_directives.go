package confparse

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// The listener and process directives of the MPM (server/listen.c,
// server/mpm_common.c) and of core that are read once for the whole
// server: each may only stand outside <VirtualHost> and sections.

// ListenSettings are the socket options of every Listen socket: zero
// where the directive is unset (the system's default; Apache's 30
// seconds of TCP_DEFER_ACCEPT).
type ListenSettings struct {
	// Backlog is ListenBacklog: the length of the accept queue.
	Backlog int
	// SendBuffer and ReceiveBuffer are SendBufferSize and
	// ReceiveBufferSize: SO_SNDBUF and SO_RCVBUF of the listening
	// sockets, which the connections accepted on them inherit.
	SendBuffer, ReceiveBuffer int
	// DeferAccept is ListenTCPDeferAccept: TCP_DEFER_ACCEPT's seconds
	// where the accept filter is "data".
	DeferAccept int
}

// DeferAcceptSeconds is TCP_DEFER_ACCEPT's value: ListenTCPDeferAccept,
// else Apache's 30 seconds.
func (l ListenSettings) DeferAcceptSeconds() int {
	if l.DeferAccept > 0 {
		return l.DeferAccept
	}
	return 30
}

// applyListenInt is one of listen.c's integer settings, read with atoi
// as Apache reads them: ok says whether the value is acceptable, msg is
// Apache's message when it is not.
func applyListenInt(field func(*ListenSettings) *int, ok func(int) bool, msg string) ApplyFunc {
	return func(c *Cmd) error {
		if err := c.CheckContext(GlobalOnly); err != nil {
			return err
		}
		v := atoi(c.Args[0])
		if !ok(v) {
			return errors.New(msg)
		}
		*field(&c.Config.Listen) = v
		return nil
	}
}

var (
	// applyListenBacklog is ap_set_listenbacklog.
	applyListenBacklog = applyListenInt(func(l *ListenSettings) *int { return &l.Backlog },
		func(v int) bool { return v >= 1 }, "ListenBacklog must be > 0")
	// applySendBufferSize and applyReceiveBufferSize are
	// ap_set_send_buffer_size and ap_set_receive_buffer_size.
	applySendBufferSize = applyListenInt(func(l *ListenSettings) *int { return &l.SendBuffer },
		func(v int) bool { return v >= 512 || v == 0 }, "SendBufferSize must be >= 512 bytes, or 0 for system default.")
	applyReceiveBufferSize = applyListenInt(func(l *ListenSettings) *int { return &l.ReceiveBuffer },
		func(v int) bool { return v >= 512 || v == 0 }, "ReceiveBufferSize must be >= 512 bytes, or 0 for system default.")
	// applyListenTCPDeferAccept is ap_set_listentcpdeferaccept
	// (Apache 2.4.64 and later).
	applyListenTCPDeferAccept = applyListenInt(func(l *ListenSettings) *int { return &l.DeferAccept },
		func(v int) bool { return v >= 1 }, "ListenTCPDeferAccept must be > 0")
)

// applyGracefulShutdownTimeout is ap_mpm_set_graceful_shutdown: atoi of
// the argument (rubbish is 0, no limit).
func applyGracefulShutdownTimeout(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	c.Config.GracefulShutdownTimeout = max(atoi(c.Args[0]), 0)
	return nil
}

// applyMPMSize is ap_mpm_set_max_mem_free and
// ap_mpm_set_thread_stacksize: strtol of the argument, which must not
// be negative or out of range.
func applyMPMSize(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	// Atoi64 is strtol's reading; its LLONG_MAX is strtol's ERANGE.
	if v := Atoi64(c.Args[0]); v < 0 || v == 1<<63-1 {
		return fmt.Errorf("Invalid %s value: %s", c.Directive.Name, c.Args[0])
	}
	return nil
}

// applyCoreDumpDirectory is ap_mpm_set_coredumpdir: the directory,
// relative to ServerRoot, must exist.
func applyCoreDumpDirectory(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	fname := c.Config.RootRelative(c.Args[0])
	fi, err := os.Stat(fname)
	if err != nil {
		return fmt.Errorf("CoreDumpDirectory %s does not exist", fname)
	}
	if !fi.IsDir() {
		return fmt.Errorf("CoreDumpDirectory %s is not a directory", fname)
	}
	return nil
}

// applyGlobalOnly is a setting Apache only checks the context of
// (ap_set_scoreboard, the MPMs' sizes); the directive is kept for what
// reads it (MaxRequestWorkers, ThreadsPerChild, ExtendedStatus).
func applyGlobalOnly(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	c.Record()
	return nil
}

// applyDefaultType is core's set_default_type: any value but Off or None
// is ignored with a warning (Apache 2.4 has no default type).
func applyDefaultType(c *Cmd) error {
	if v := c.Args[0]; !strings.EqualFold(v, "off") && !strings.EqualFold(v, "none") {
		c.Notice(Notice{Level: "warn", Module: "core", Text: fmt.Sprintf(
			"AH00117: Ignoring deprecated use of DefaultType in line %d of %s.", c.Node.Line, c.Node.File)})
	}
	return nil
}

// applyOnOff refuses a value other than on or off (in any case) with
// msg, as handlers that compare their argument with strcasecmp do.
func applyOnOff(msg string) ApplyFunc {
	return func(c *Cmd) error {
		if v := c.Args[0]; !strings.EqualFold(v, "on") && !strings.EqualFold(v, "off") {
			return errors.New(msg)
		}
		c.Record() // for what reads it (ProtocolsHonorOrder)
		return nil
	}
}

// applyDeprecated is ap_set_deprecated: the directive is refused with
// its usage text (mod_autoindex's FancyIndexing).
func applyDeprecated(c *Cmd) error { return errors.New(c.Directive.Usage) }

// applyMergeSlashes is core's MergeSlashes (set_core_server_flag), a
// setting of each server.
func applyMergeSlashes(c *Cmd) error {
	c.Server.MergeSlashes = ptr(strings.EqualFold(c.Args[0], "on"))
	return nil
}
