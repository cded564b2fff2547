package wsgi

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/errlogfmt"
	"github.com/gowsgid/gowsgid/vhost"
)

// Call is one request for a WSGI application, as an Engine runs it: which
// interpreter and script, the environ strings, the body and where the
// response goes.
type Call struct {
	// ApplicationGroup names the interpreter ("" is the main one);
	// ProcessGroup is only used in log messages.
	ApplicationGroup, ProcessGroup string
	// Script is the script file; Module its module name in sys.modules
	// (mod_wsgi's "_mod_wsgi_" + md5 of the path); Callable the name of
	// the application object in it.
	Script, Module, Callable string
	// Reload asks for the script to be re-imported when ScriptMTime
	// (microseconds since the epoch) differs from the loaded module's.
	Reload      bool
	ScriptMTime int64
	// Client is the client address as error log lines show it; Server
	// the request's server, whose error log receives the lines about
	// the request (wsgi.errors, tracebacks), as mod_wsgi logs them
	// with the request's server_rec.
	Client string
	Server *confparse.Server
	// ScriptStart is set by an engine that runs the application in
	// this process: mod_wsgi.script_start of its environ (microseconds
	// since the epoch), 0 when the application was not called.
	ScriptStart int64
	// LogServer is, in a daemon process, the entry of
	// WorkerConfig.ServerLogs (plus one) whose log receives the lines
	// about the call: Server's; 0 is the worker's own ErrorLog.
	LogServer int
	// Env is the environ's string variables; the engine adds the wsgi.*
	// objects and mod_wsgi's per-process values.
	Env []EnvVar
	// Body is the request body; nil for none. ContentLength is its
	// length, -1 when it ends at EOF (chunked).
	Body          io.Reader
	ContentLength int64
	// BodyOnDemand: the client waits for "100 Continue" before it
	// sends the body, which a read of Body asks for; an engine must not
	// read ahead of the application, which may answer without it.
	BodyOnDemand bool
	// StopBody, when set, makes a read of Body that waits for the
	// client return at once, and later ones fail: an engine that reads
	// Body in the background calls it when the call ends before the
	// body was all read, as no read may follow the handler's return.
	StopBody func()
	// Response receives the status, headers and body.
	Response Response
	// ErrorOverride is WSGIErrorOverride: a daemon's 4xx or 5xx answer
	// is replaced by Apache's error document.
	ErrorOverride bool
	// Context, when set, ends a wait for a daemon process when it is
	// done (the client went away).
	Context context.Context
	// Log, when set, writes an error log line about the call, with its
	// client, as mod_wsgi's server side logs with the request; engines
	// fall back to their own log.
	Log func(level, msg string)
	// Request is the request the call runs for, when the engine runs
	// in this process (its error log lines are about it); nil in a
	// daemon process.
	Request *vhost.Request

	// connLogID is the log id of a daemon process's connection for
	// the call (see ConnLogID).
	connMu    sync.Mutex
	connLogID string
	// jailed is the call as a daemon process in a chroot= jail sees
	// it (nil: as it is).
	jailed *jailedCall
}

// ConnLogID is the log id of the connection a daemon process serves the
// call on: the server's connection's (mod_wsgi.connection_id) when an
// error line about it gave it one, else one made at the first line
// about the call, as Apache makes one for mod_wsgi's daemon connection;
// made reports whether this call made it.
func (c *Call) ConnLogID() (id string, made bool) {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if c.connLogID != "" {
		return c.connLogID, false
	}
	for _, kv := range c.Env {
		if kv.Key == "mod_wsgi.connection_id" && kv.Value != "" {
			c.connLogID = kv.Value
			return c.connLogID, false
		}
	}
	c.connLogID = errlogfmt.NewLogID(time.Now())
	return c.connLogID, true
}

// bodyFinished reports whether a call's body was read to its end (true
// for no body, or a body that cannot tell).
func bodyFinished(call *Call) bool {
	f, ok := call.Body.(interface{ Finished() bool })
	return call.Body == nil || !ok || f.Finished()
}

// EnvVar is one environ string variable.
type EnvVar = vhost.EnvVar

// Header is one response header, as the application gave it.
type Header struct {
	Name, Value string
}

// Response receives an application's response. The engine calls Start
// once, before the first Write, or StartFile in its place; an error from
// any method means the client has gone.
type Response interface {
	// Start sends the status and headers. statusLine is the status line
	// the application gave ("200 OK"). It must not keep headers.
	Start(status int, statusLine string, headers []Header) error
	// Write sends body bytes; Flush pushes what was written to the
	// client (mod_wsgi flushes after every block an application yields).
	Write(p []byte) error
	Flush() error
	// StartFile sends the status and headers with length bytes of f
	// from offset as the whole body: a wsgi.file_wrapper of a regular
	// file, which mod_wsgi passes to Apache as one file bucket with the
	// end of the response, so that Apache's byterange filter may answer
	// a Range request from it.
	StartFile(status int, statusLine string, headers []Header, f *os.File, offset, length int64) error
}

// Result is how a call ended.
type Result struct {
	// Status, when not 0, is the status to answer with: nothing was
	// sent (500 after an exception, 404 for a missing callable).
	Status int
	// DropConnection: the request's body was cut short, so its
	// connection cannot serve another request.
	DropConnection bool
	// ErrorHeaders are headers the error document for Status keeps: an
	// overridden answer's WWW-Authenticate, which mod_wsgi puts in
	// err_headers_out.
	ErrorHeaders []Header
	// Incomplete reports an error after the headers went out: the
	// client must see a truncated response.
	Incomplete bool
	// RaisedAfterBody reports an application callable that raised
	// after write() sent body bytes. mod_wsgi then returns 500 to
	// Apache, whose ap_die sends its 500 page as more of the body and
	// ends the response whole; the access log says 500. (A daemon's
	// front end only sees the body end: the flag is not sent.)
	RaisedAfterBody bool
	// FilterStatus, when set, is the error Apache's input filter answered
	// a broken request body with (400, 413) before mod_wsgi answered
	// Status: both pages go out, under FilterStatus's status line.
	FilterStatus int
	// Redirect is the local URL a daemon application answered with (a
	// 200 whose Location starts with '/'): nothing was sent, and the
	// server serves that URL in its place.
	Redirect string
}

// Engine runs WSGI applications: CPython in this process (embedpy) or a
// daemon process group.
type Engine interface {
	Run(call *Call) (Result, error)
}

// HookKind is one of mod_wsgi's hooks: authentication, or dispatch.
type HookKind int

// The hooks, by the Python function they call.
const (
	// HookAccess is WSGIAccessScript's allow_access(environ, host).
	HookAccess HookKind = iota + 1
	// HookPassword is WSGIAuthUserScript's check_password(environ,
	// user, password).
	HookPassword
	// HookGroups is WSGIAuthGroupScript's groups_for_user(environ, user).
	HookGroups
	// HookProcessGroup, HookApplicationGroup and HookCallableObject are
	// WSGIDispatchScript's process_group(environ),
	// application_group(environ) and callable_object(environ), each
	// optional: a string (HookResult.User) replaces the request's
	// setting, None (VerdictNone) keeps it.
	HookProcessGroup
	HookApplicationGroup
	HookCallableObject
	// HookRealmHash is WSGIAuthUserScript's get_realm_hash(environ, user,
	// realm) for AuthDigestProvider wsgi: a string (HookResult.User, the
	// hex HA1) or None (VerdictNone, no such user).
	HookRealmHash
)

// Verdict is what a hook decided.
type Verdict int

// A hook's verdicts.
const (
	// VerdictError: the hook failed (logged); Apache answers 500.
	VerdictError Verdict = iota - 1
	// VerdictNo: False (access or password refused).
	VerdictNo
	// VerdictYes: True.
	VerdictYes
	// VerdictNone: None (no opinion, or no such user).
	VerdictNone
)

// HookResult is a hook's answer.
type HookResult struct {
	Verdict Verdict
	// User is the user name check_password returned instead of True.
	User string
	// Groups are groups_for_user's groups.
	Groups []string
}

// HookRunner runs authentication hooks; mod_wsgi runs them in the
// process that accepted the request, never in a daemon process.
type HookRunner interface {
	Hook(kind HookKind, call *Call, args ...string) (HookResult, error)
}

// ErrUnavailable is returned by an engine that cannot run Python (a build
// without it, or a failed start).
var ErrUnavailable = errors.New("the Python engine is not available")
