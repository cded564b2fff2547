// Package embedpy runs WSGI applications in CPython embedded in the
// gowsgid process: mod_wsgi's embedded mode.
//
// Python runs inline on the goroutine that serves a request: one cgo call
// attaches the thread state cached for the current OS thread, builds the
// environ, calls the application and detaches. A semaphore of Threads
// slots caps how many requests are inside Python at once. The GIL is held
// only inside that call and released around every call back into Go
// (request body reads, response writes, log lines). See
// ../shared/spec/embedpy-design.md for the measurements behind this.
//
// CPython is process-global: Start may be called once per process.
//
// Built with the nopython tag (or without cgo) the package keeps its API
// and Start reports wsgi.ErrUnavailable.
package embedpy

import (
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/wsgi"
)

// Config is the process-wide Python configuration: mod_wsgi's
// WSGIPython* directives (or a daemon group's python-* options) and the
// values the environ and the mod_wsgi module report.
type Config struct {
	// Home is WSGIPythonHome / python-home: a prefix or a virtualenv.
	Home string
	// Path is WSGIPythonPath / python-path, ':'-separated, added with
	// site.addsitedir and moved to the front of sys.path.
	Path string
	// DaemonHome is a daemon process group's home=: inserted first on
	// sys.path, after Path, as mod_wsgi does in daemon mode.
	DaemonHome string
	// Optimize is WSGIPythonOptimize.
	Optimize int
	// HashSeed is WSGIPythonHashSeed: "", "random" or a number.
	HashSeed string
	// Warnings are the WSGIPythonWarnings filters.
	Warnings []string
	// Eggs is WSGIPythonEggs (PYTHON_EGG_CACHE).
	Eggs string
	// DontWriteBytecode is WSGIDontWriteBytecode.
	DontWriteBytecode bool
	// RestrictStdin, RestrictStdout and RestrictSignal are
	// WSGIRestrictStdin, WSGIRestrictStdout and WSGIRestrictSignal.
	RestrictStdin, RestrictStdout, RestrictSignal bool
	// DestroyInterpreter is WSGIDestroyInterpreter: run the atexit
	// callbacks of every interpreter at Close.
	DestroyInterpreter bool

	// Threads is how many requests may be inside Python at once.
	Threads int
	// MultiThread, MultiProcess and RunOnce are wsgi.multithread,
	// wsgi.multiprocess and wsgi.run_once.
	MultiThread, MultiProcess, RunOnce bool
	// ProcessGroup is mod_wsgi.process_group ("" in embedded mode).
	ProcessGroup string
	// MaximumProcesses and ThreadsPerProcess are the mod_wsgi module's
	// maximum_processes and threads_per_process; MPMName apache.mpm_name.
	MaximumProcesses, ThreadsPerProcess int
	MPMName                             string

	// Log receives the error log lines of the engine and of Python code
	// (wsgi.errors, sys.stderr, ...): the Apache level, the request's
	// server and client address (nil and "" when the line is not about
	// a request), the text, and the call the line is about (nil when
	// mod_wsgi logs it without the request).
	Log func(level Level, server *confparse.Server, client, msg string, call *wsgi.Call)
}

// Level is an Apache log level.
type Level int

// Apache's log levels, most severe first.
const (
	LevelEmerg Level = iota
	LevelAlert
	LevelCrit
	LevelError
	LevelWarn
	LevelNotice
	LevelInfo
	LevelDebug
)

// String is the level as Apache writes it.
func (l Level) String() string {
	names := [...]string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"}
	if l < 0 || int(l) >= len(names) {
		return "error"
	}
	return names[l]
}

// Import is a script to load at start-up (WSGIImportScript, or a
// WSGIScriptAlias naming both groups).
type Import struct {
	Script, Module, ApplicationGroup, ProcessGroup string
}
