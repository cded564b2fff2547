package server

import (
	"fmt"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/wsgi"
)

// MPMLog writes the lifecycle lines of the MPM a configuration loads, in
// its module's name and with its message numbers: Apache's event, worker
// and prefork MPMs say the same things under different numbers.
type MPMLog struct {
	module string
	lines  mpmLines
}

type mpmLines struct {
	configured, sigterm, sigwinch, sigusr1, sighup, maxWorkers string
}

// mpmMessages are the messages of mod_mpm_event, mod_mpm_worker and
// mod_mpm_prefork 2.4.
var mpmMessages = map[string]mpmLines{
	"event": {configured: "AH00489: %s configured -- resuming normal operations",
		sigterm: "AH00491: caught SIGTERM, shutting down", sigwinch: "AH00492: caught SIGWINCH, shutting down gracefully",
		sigusr1: "AH00493: SIGUSR1 received.  Doing graceful restart", sighup: "AH00494: SIGHUP received.  Attempting to restart",
		maxWorkers: "AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting"},
	"worker": {configured: "AH00292: %s configured -- resuming normal operations",
		sigterm: "AH00295: caught SIGTERM, shutting down", sigwinch: "AH00296: caught SIGWINCH, shutting down gracefully",
		sigusr1: "AH00297: SIGUSR1 received.  Doing graceful restart", sighup: "AH00298: SIGHUP received.  Attempting to restart",
		maxWorkers: "AH00286: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting"},
	"prefork": {configured: "AH00163: %s configured -- resuming normal operations",
		sigterm: "AH00169: caught SIGTERM, shutting down", sigwinch: "AH00170: caught SIGWINCH, shutting down gracefully",
		sigusr1: "AH00171: Graceful restart requested, doing restart", sighup: "AH00173: SIGHUP received.  Attempting to restart",
		maxWorkers: "AH00161: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting"},
}

// MPMLogOf is the MPMLog of the MPM cfg loads.
func MPMLogOf(cfg *confparse.Config) MPMLog { return mpmLog(wsgi.EmbeddedTopology(cfg).MPM) }

func mpmLog(mpm string) MPMLog {
	lines, ok := mpmMessages[mpm]
	if !ok {
		mpm, lines = "event", mpmMessages["event"]
	}
	return MPMLog{module: "mpm_" + mpm, lines: lines}
}

// Configured is the line a server that serves a configuration logs.
func (m MPMLog) Configured(l *ErrorLog, banner string) {
	l.Notice(m.module, fmt.Sprintf(m.lines.configured, banner))
}

// Stopping is the line of a SIGTERM (or SIGINT).
func (m MPMLog) Stopping(l *ErrorLog) { l.Notice(m.module, m.lines.sigterm) }

// StoppingGracefully is the line of a SIGWINCH (graceful-stop).
func (m MPMLog) StoppingGracefully(l *ErrorLog) { l.Notice(m.module, m.lines.sigwinch) }

// Restarting is the line of a SIGUSR1 (graceful) or SIGHUP (restart).
func (m MPMLog) Restarting(l *ErrorLog, graceful bool) {
	if graceful {
		l.Notice(m.module, m.lines.sigusr1)
	} else {
		l.Notice(m.module, m.lines.sighup)
	}
}

// maxWorkers is the line of the first request that waits for one of the
// MaxRequestWorkers.
func (m MPMLog) maxWorkers(l *ErrorLog) { l.Client("error", m.module, "", m.lines.maxWorkers) }
