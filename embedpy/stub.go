//go:build !cgo || nopython

package embedpy

import (
	"time"

	"github.com/gowsgid/gowsgid/wsgi"
)

// Available reports whether this build embeds Python.
const Available = false

// Engine is the embedded Python engine; this build has none.
type Engine struct{}

// Start reports that this build has no Python.
func Start(cfg Config) (*Engine, error) { return nil, wsgi.ErrUnavailable }

// Run reports that this build has no Python.
func (e *Engine) Run(call *wsgi.Call) (wsgi.Result, error) {
	return wsgi.Result{}, wsgi.ErrUnavailable
}

// Hook reports that this build has no Python.
func (e *Engine) Hook(kind wsgi.HookKind, call *wsgi.Call, args ...string) (wsgi.HookResult, error) {
	return wsgi.HookResult{Verdict: wsgi.VerdictError}, wsgi.ErrUnavailable
}

// Import reports that this build has no Python.
func (e *Engine) Import(im Import) error { return wsgi.ErrUnavailable }

// Close does nothing.
func (e *Engine) Close(timeout time.Duration) error { return nil }

// ProbeGIL does nothing: this build has no Python.
func (e *Engine) ProbeGIL() {}

// StackTraces returns nothing: this build has no Python.
func (e *Engine) StackTraces() []string { return nil }

// SetLocale does nothing and reports failure: this build has no Python.
func SetLocale(name string) bool { return false }

// SetThreadStackSize reports that this build has no Python.
func SetThreadStackSize(size int64) error { return wsgi.ErrUnavailable }
