package wsgi

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/vhost"
)

// Handler serves requests mapped to WSGI scripts as mod_wsgi's handler
// does: its checks and error messages, the process and application group
// a request runs in, the environ, and the run on an Engine.
type Handler struct {
	// Embedded runs applications in this process; nil answers 503.
	Embedded Engine
	// EmbeddedError says why Embedded is nil, for the error log.
	EmbeddedError error
	// Daemons are the WSGIDaemonProcess groups by name; Groups are the
	// running ones.
	Daemons map[string]*confparse.WSGIDaemon
	Groups  map[string]Engine
	// Hooks runs WSGIDispatchScript in this process (the embedded
	// engine; nil when there is none).
	Hooks HookRunner
	// RestrictEmbedded is WSGIRestrictEmbedded.
	RestrictEmbedded bool
	// Timeout is how long an application may go without reading or
	// writing before the client is answered 504 (Apache's Timeout).
	Timeout time.Duration
	// Log writes to the error log.
	Log vhost.Logger

	// keepScriptCase is WSGICaseSensitivity Off.
	keepScriptCase bool
	// main is the main server, whose daemon process groups every virtual
	// host may use.
	main *confparse.Server
	// wildcardPorts are the ports some Listen binds on every address.
	wildcardPorts map[int]bool
	modules       sync.Map // script path -> module name
	watch         watchdog
}

// NewHandler returns the handler for a configuration; the caller sets
// the engine and the logger.
func NewHandler(cfg *confparse.Config) *Handler {
	h := &Handler{Daemons: map[string]*confparse.WSGIDaemon{}, Groups: map[string]Engine{},
		RestrictEmbedded: cfg.WSGI.RestrictEmbedded, Timeout: 60 * time.Second,
		main: cfg.Main, wildcardPorts: map[int]bool{}, keepScriptCase: cfg.WSGI.KeepScriptCase}
	for _, l := range cfg.Listeners {
		if l.Host == "" || l.Host == "*" || l.Host == "0.0.0.0" || l.Host == "::" || l.Host == "[::]" {
			h.wildcardPorts[l.Port] = true
		}
	}
	for _, d := range cfg.WSGIDaemons {
		h.Daemons[d.Name] = d
	}
	if n := mainInt(cfg, 0, "Timeout"); n > 0 {
		h.Timeout = time.Duration(n) * time.Second
	}
	return h
}

func (h *Handler) logf(level string, r *vhost.Request, format string, args ...any) {
	if h.Log != nil {
		h.Log(level, "wsgi", r, fmt.Sprintf(format, args...))
	}
}

// scriptError is wsgi_log_script_error: "message: filename" at error.
func (h *Handler) scriptError(r *vhost.Request, status int, msg string) error {
	h.logf("error", r, "%s: %s", msg, r.Filename)
	return fail(status)
}

// fail is an error response (the server closes the connection after
// some, as for its own: vhost.CloseForStatus).
func fail(status int) *vhost.Outcome { return &vhost.Outcome{Status: status} }

// settings are a request's effective mod_wsgi settings
// (wsgi_create_req_config plus the WSGIScriptAlias options).
type settings struct {
	processGroup, applicationGroup, callable string
	// handlerScript is the WSGIHandlerScript that serves the request
	// ("" for a WSGI script itself).
	handlerScript                  string
	passAuth, reloading, chunked   bool
	mapHeadToGet                   string
	enableSendfile, ignoreActivity bool
}

func flag(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func (h *Handler) settings(r *vhost.Request) settings {
	w := r.Dir.WSGI
	s := settings{
		processGroup:     expandGroup(r, w.ProcessGroup, processGroup),
		applicationGroup: expandGroup(r, w.ApplicationGroup, applicationGroup),
		callable:         expandCallable(r, w.CallableObject),
		passAuth:         flag(w.PassAuthorization, false),
		reloading:        flag(w.ScriptReloading, true),
		chunked:          flag(w.ChunkedRequest, false),
		mapHeadToGet:     "auto",
		enableSendfile:   flag(w.EnableSendfile, false),
		ignoreActivity:   flag(w.IgnoreActivity, false),
	}
	if w.MapHEADToGET != nil {
		s.mapHeadToGet = strings.ToLower(*w.MapHEADToGET)
	}
	if a := r.WSGIAlias; a != nil {
		if a.ProcessGroup != nil {
			s.processGroup = expandGroup(r, a.ProcessGroup, processGroup)
		}
		if a.ApplicationGroup != nil {
			s.applicationGroup = expandGroup(r, a.ApplicationGroup, applicationGroup)
		}
		if a.CallableObject != "" {
			s.callable = a.CallableObject
		}
		if a.PassAuthorization != nil {
			s.passAuth = *a.PassAuthorization
		}
	}
	if hs := handlerScriptOf(r); hs != nil {
		// The handler's script runs: its handle_request, with the
		// handler's groups.
		s.handlerScript, s.callable = hs.Script, "handle_request"
		if hs.ProcessGroup != nil {
			s.processGroup = expandGroup(r, hs.ProcessGroup, processGroup)
		}
		if hs.ApplicationGroup != nil {
			s.applicationGroup = expandGroup(r, hs.ApplicationGroup, applicationGroup)
		}
		if hs.PassAuthorization != nil {
			s.passAuth = *hs.PassAuthorization
		}
	}
	return s
}

// handlerScriptOf is the WSGIHandlerScript of the request's handler, if
// a handler script serves it.
func handlerScriptOf(r *vhost.Request) *confparse.WSGIHandlerScript {
	switch r.Handler {
	case "wsgi-script", "application/x-httpd-wsgi":
		return nil
	}
	return r.Dir.WSGI.HandlerScripts[r.Handler]
}

// execCGI reports whether Options ExecCGI is in effect.
func execCGI(d *confparse.DirConfig) bool {
	return d.Options.Opts&confparse.OptExecCGI != 0
}

// Serve runs the request's WSGI script: mod_wsgi's wsgi_hook_handler for
// the wsgi-script handler. cgi builds the request's CGI environment.
func (h *Handler) Serve(w http.ResponseWriter, vh *vhost.Handler, r *vhost.Request) error {
	// A handler script runs whatever the target: mod_wsgi checks
	// neither ExecCGI nor the file for it.
	if handlerScriptOf(r) == nil {
		if r.WSGIAlias == nil && !execCGI(r.Dir) {
			return h.scriptError(r, 403, "Options ExecCGI is off in this directory")
		}
		if r.Info == nil {
			return h.scriptError(r, 404, "Target WSGI script not found or unable to stat")
		}
		if r.Info.IsDir() {
			return h.scriptError(r, 403, "Attempt to invoke directory as WSGI application")
		}
	}
	s := h.settings(r)
	if r.PathInfo != "" && r.Dir.AcceptPathInfo != nil && *r.Dir.AcceptPathInfo == "off" {
		return h.scriptError(r, 404, "AcceptPathInfo off disallows user's path")
	}
	hr := r.HTTP
	if te := hr.TransferEncoding; len(te) > 0 {
		if !strings.EqualFold(strings.Join(te, ", "), "chunked") {
			return h.scriptError(r, 501, fmt.Sprintf("Unexpected value for Transfer-Encoding of '%s' supplied. Only 'chunked' supported.", strings.Join(te, ", ")))
		}
		if !s.chunked {
			return h.scriptError(r, 411, "Received request requiring chunked transfer encoding, but optional support for chunked transfer encoding has not been enabled.")
		}
	}
	limit := int64(1 << 30) // Apache 2.4.54+'s LimitRequestBody default
	if r.Dir.LimitRequestBody != nil {
		limit = *r.Dir.LimitRequestBody
	}
	if limit > 0 && hr.ContentLength > limit {
		// mod_wsgi's ap_setup_client_block: the HTTP input filter's
		// refusal, its page framed as a filter's error.
		return &vhost.Outcome{Status: 413, Filtered: true, LogLevel: "info", LogModule: "http",
			Log: fmt.Sprintf("AH01588: Requested content-length of %d is larger than the configured limit of %d", hr.ContentLength, limit)}
	}

	start := time.Now()
	envBuf := envPool.Get().(*[]EnvVar)
	defer func() {
		clear(*envBuf)
		envPool.Put(envBuf)
	}()
	// mod_wsgi builds the environ once, before the dispatch script
	// runs: a connection log id that script's loading makes (its error
	// log line) is not in it.
	connID := r.ConnLogID()
	env := h.environ(vh, r, s, start, connID, (*envBuf)[:0])
	// mod_wsgi sets the environ's variables in the request's
	// environment, where the access log finds them (only kept when a
	// log reads them; kept after the dispatch script, whose environ
	// must not see them).
	keepEnv := vh != nil && vh.Services.LogsReadEnv
	if ds := r.Dir.WSGI.DispatchScript; ds != nil {
		var err error
		if s, err = h.dispatch(r, s, ds, env); err != nil {
			if keepEnv {
				keepScriptEnv(r, env)
			}
			return err
		}
		env = h.environ(vh, r, s, start, connID, env[:0])
	}
	if keepEnv {
		keepScriptEnv(r, env)
	}
	engine, err := h.engineFor(r, s)
	if err != nil {
		return err
	}
	rw := newResponse(w, hr)
	if _, daemon := engine.(*Group); daemon {
		r.SetHandoff(vhost.HandoffStream)
	} else {
		r.SetHandoff(vhost.HandoffBlocks)
	}
	script, mtime := r.Filename, time.Time{}
	if s.handlerScript != "" {
		script = s.handlerScript
		if fi, err := os.Stat(script); err == nil {
			mtime = fi.ModTime()
		}
	} else {
		mtime = r.Info.ModTime()
	}
	call := &Call{
		ApplicationGroup: s.applicationGroup,
		ProcessGroup:     s.processGroup,
		Script:           script,
		Module:           h.moduleName(script),
		Callable:         s.callable,
		Reload:           s.reloading,
		ScriptMTime:      mtime.UnixMicro(),
		Client:           clientAddr(r),
		Server:           r.Host.Server,
		Env:              env,
		ContentLength:    hr.ContentLength,
		Response:         rw,
		ErrorOverride:    flag(r.Dir.WSGI.ErrorOverride, false),
		Context:          hr.Context(),
		Request:          r,
	}
	if _, daemon := engine.(*Group); daemon {
		call.Log = func(level, msg string) { h.logf(level, r, "%s", msg) }
	}
	if hr.Body != nil && hr.Body != http.NoBody {
		var body = hr.Body
		if limit > 0 {
			body = http.MaxBytesReader(w, hr.Body, limit)
		}
		call.Body = &bodyReader{r: body, rw: rw}
		call.BodyOnDemand = hr.ProtoAtLeast(1, 1) && strings.EqualFold(hr.Header.Get("Expect"), "100-continue")
		// An application may read its input after its response began,
		// as Apache lets it: net/http would otherwise discard the
		// unread body when the response's header goes out.
		rw.rc.EnableFullDuplex()
		call.StopBody = rw.stopBody
	}
	return h.run(engine, call, rw, vh, r)
}

// dispatch runs the WSGIDispatchScript's process_group, application_group
// and callable_object (each optional) in the process that accepted the
// request, as mod_wsgi does; a string any of them returns replaces the
// request's setting. A function that fails answers 500.
func (h *Handler) dispatch(r *vhost.Request, s settings, ds *confparse.WSGIScriptRef, env []EnvVar) (settings, error) {
	if h.Hooks == nil {
		h.logf("error", r, "gowsgid: cannot run WSGIDispatchScript %s: %v", ds.Script, ErrUnavailable)
		return s, fail(500)
	}
	group := ""
	if ds.ApplicationGroup != nil {
		group = expandServerGroup(r, *ds.ApplicationGroup)
	}
	// Dispatch_environ: the environ, in the dispatch script's groups,
	// without the callable.
	denv := make([]EnvVar, 0, len(env)+1)
	for _, kv := range env {
		switch kv.Key {
		case "mod_wsgi.process_group", "mod_wsgi.application_group", "mod_wsgi.callable_object":
			continue
		}
		denv = append(denv, kv)
	}
	denv = append(denv, EnvVar{Key: "mod_wsgi.process_group", Value: ""},
		EnvVar{Key: "mod_wsgi.application_group", Value: group})
	call := &Call{ApplicationGroup: group, Script: ds.Script, Module: h.moduleName(ds.Script),
		Reload: s.reloading, Client: clientAddr(r), Server: r.Host.Server, Response: discard{}, Env: denv, Request: r}
	if fi, err := os.Stat(ds.Script); err == nil {
		call.ScriptMTime = fi.ModTime().UnixMicro()
	}
	for _, kind := range [...]HookKind{HookProcessGroup, HookApplicationGroup, HookCallableObject} {
		res, err := h.Hooks.Hook(kind, call)
		if err != nil || res.Verdict == VerdictError {
			return s, fail(500)
		}
		if res.Verdict != VerdictYes {
			continue
		}
		v := res.User
		switch kind {
		case HookProcessGroup:
			s.processGroup = expandGroup(r, &v, processGroup)
		case HookApplicationGroup:
			s.applicationGroup = expandGroup(r, &v, applicationGroup)
		case HookCallableObject:
			s.callable = v
		}
	}
	return s, nil
}

// clientAddr is the client as error log lines name it ("ip:port").
func clientAddr(r *vhost.Request) string {
	if r.Remote.Addr().Is4In6() {
		return fmt.Sprintf("%s:%d", r.Remote.Addr().Unmap(), r.Remote.Port())
	}
	return r.Remote.String()
}

// mayUse is mod_wsgi's rule on groups defined in a virtual host: the
// main server's groups serve everyone, a virtual host's serve it and the
// virtual hosts with the same server name (an http and https pair).
func (h *Handler) mayUse(r *vhost.Request, d *confparse.WSGIDaemon) bool {
	return r.Host == nil || groupServes(h.main, d, r.Host.Server)
}

// groupServes is mayUse's rule for the requests of server s.
func groupServes(main *confparse.Server, d *confparse.WSGIDaemon, s *confparse.Server) bool {
	if d.Server == nil || d.Server == main || s == nil || d.Server == s {
		return true
	}
	name := d.Server.Hostname
	if name == "" && main != nil {
		name = main.Hostname
	}
	return name == s.Hostname
}

// engineFor picks the engine of the request's process group.
func (h *Handler) engineFor(r *vhost.Request, s settings) (Engine, error) {
	if allowed := r.Dir.WSGI.RestrictProcess; allowed != nil && !slices.Contains(allowed, s.processGroup) {
		return nil, h.scriptError(r, 500, fmt.Sprintf("Daemon process called '%s' cannot be accessed by this WSGI application as not a member of allowed groups", s.processGroup))
	}
	if s.processGroup != "" {
		d, ok := h.Daemons[s.processGroup]
		if !ok {
			return nil, h.scriptError(r, 500, fmt.Sprintf("No WSGI daemon process called '%s' has been configured", s.processGroup))
		}
		if !h.mayUse(r, d) {
			return nil, h.scriptError(r, 500, fmt.Sprintf("Daemon process called '%s' cannot be accessed by this WSGI application", s.processGroup))
		}
		if err := h.checkScriptOwner(r, d); err != nil {
			return nil, err
		}
		if g, ok := h.Groups[s.processGroup]; ok {
			return g, nil
		}
		h.logf("error", r, "gowsgid: daemon process group %s is not running: %s", s.processGroup, r.Filename)
		return nil, fail(503)
	}
	if h.RestrictEmbedded {
		return nil, h.scriptError(r, 500, "Embedded mode of mod_wsgi disabled by runtime configuration")
	}
	if h.Embedded == nil {
		reason := h.EmbeddedError
		if reason == nil {
			reason = ErrUnavailable
		}
		h.logf("error", r, "gowsgid: cannot run %s: %v", r.Filename, reason)
		return nil, fail(503)
	}
	return h.Embedded, nil
}

func (h *Handler) moduleName(script string) string {
	if v, ok := h.modules.Load(script); ok {
		return v.(string)
	}
	name := ModuleName(script, h.keepScriptCase)
	h.modules.Store(script, name)
	return name
}

// run runs the call on the request's goroutine. An embedded
// application that stops reading and writing for longer than Timeout
// cannot hold the client: the watchdog answers 504, or cuts the
// connection once the headers went out, while the application keeps its
// thread until it returns. A daemon process group bounds its waits
// itself, as mod_wsgi does, with its socket-timeout and queue-timeout,
// which may be longer than Timeout.
func (h *Handler) run(engine Engine, call *Call, rw *response, vh *vhost.Handler, r *vhost.Request) error {
	rw.h, rw.vh, rw.r = h, vh, r
	if _, daemon := engine.(*Group); h.Timeout > 0 && !daemon {
		h.watch.add(h, rw)
		defer h.watch.remove(rw)
	}
	res, err := engine.Run(call)
	if vh != nil && vh.Services.LogsReadEnv {
		env := call.Env
		if call.ScriptStart > 0 {
			env = append(env, EnvVar{Key: "mod_wsgi.script_start", Value: strconv.FormatInt(call.ScriptStart, 10)})
		}
		keepScriptEnv(r, env)
	}
	if rw.streamReset() {
		panic(http.ErrAbortHandler)
	}
	if rw.wasAnswered() {
		return nil // the server answered in the application's place
	}
	if rw.rangeRefused() {
		// The byterange filter's error, after the application's
		// response went through the output filters.
		return &vhost.Outcome{Status: http.StatusRequestedRangeNotSatisfiable, Filtered: true}
	}
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			h.logf("error", r, "gowsgid: cannot run %s: %v", r.Filename, err)
			return fail(503)
		}
		h.logf("error", r, "gowsgid: %v: %s", err, r.Filename)
		return fail(500)
	}
	if res.Redirect != "" {
		return &vhost.InternalRedirect{Target: res.Redirect, Close: res.DropConnection, Env: redirectEnv(call.Env)}
	}
	if res.FilterStatus != 0 {
		return &vhost.Outcome{Status: res.FilterStatus, Filtered: true, Then: res.Status,
			Header: http.Header{"Connection": {"close"}}}
	}
	if res.Status != 0 {
		o := fail(res.Status)
		if res.DropConnection {
			o.Header = http.Header{"Connection": {"close"}}
		}
		for _, h := range res.ErrorHeaders {
			if o.Header == nil {
				o.Header = http.Header{}
			}
			o.Header[h.Name] = append(o.Header[h.Name], h.Value)
		}
		return o
	}
	if res.Incomplete {
		// Withhold the end of the response so the client can tell.
		panic(http.ErrAbortHandler)
	}
	if res.RaisedAfterBody {
		rw.appendErrorPage(http.StatusInternalServerError)
	}
	if _, daemon := engine.(*Group); !daemon && vhost.BodyFailed(r.HTTP) && r.HTTP.ProtoMajor == 1 && rw.startedOpen() {
		// The body failed after the response began, which therefore
		// does not say Connection: close; net/http would read on after
		// the broken body as if it were a request. The connection ends
		// here, as Apache closes it.
		panic(http.ErrAbortHandler)
	}
	return nil
}

// redirectEnv is the environment mod_wsgi's server side leaves in the
// request when a daemon application's answer becomes an internal
// redirect: the call's CGI variables and mod_wsgi.* values, with PATH
// (which the environ does not get) where ap_add_common_vars puts it,
// after the header fields, without the wsgi.* ones.
func redirectEnv(environ []EnvVar) []EnvVar {
	path, ok := os.LookupEnv("PATH")
	if !ok {
		path = "/bin:/usr/bin:/usr/ucb:/usr/bsd:/usr/local/bin" // Apache's DEFAULT_PATH
	}
	env := make([]EnvVar, 0, len(environ)+1)
	for _, kv := range environ {
		if (kv.Key == "LD_LIBRARY_PATH" || kv.Key == "SERVER_SIGNATURE") && path != "" {
			env = append(env, EnvVar{Key: "PATH", Value: path})
			path = ""
		}
		if !strings.HasPrefix(kv.Key, "wsgi.") {
			env = append(env, kv)
		}
	}
	if path != "" {
		env = append(env, EnvVar{Key: "PATH", Value: path})
	}
	return env
}

// watchdog answers the clients of applications that went quiet for
// longer than Timeout. One goroutine checks every running call a few
// times per Timeout, so a request costs a map insertion, not a timer.
type watchdog struct {
	mu    sync.Mutex
	calls map[*response]struct{}
	once  sync.Once
}

func (wd *watchdog) add(h *Handler, rw *response) {
	wd.once.Do(func() {
		wd.calls = map[*response]struct{}{}
		go wd.loop(h)
	})
	wd.mu.Lock()
	wd.calls[rw] = struct{}{}
	wd.mu.Unlock()
}

func (wd *watchdog) remove(rw *response) {
	wd.mu.Lock()
	delete(wd.calls, rw)
	wd.mu.Unlock()
}

// loop runs for the life of the process, like mod_wsgi's monitor thread.
func (wd *watchdog) loop(h *Handler) {
	tick := min(max(h.Timeout/4, 50*time.Millisecond), time.Second)
	for range time.Tick(tick) {
		now := time.Now().UnixNano()
		var late []*response
		wd.mu.Lock()
		for rw := range wd.calls {
			if rw.reading.Load() == 0 && time.Duration(now-rw.activity.Load()) >= h.Timeout {
				late = append(late, rw)
				delete(wd.calls, rw)
			}
		}
		wd.mu.Unlock()
		for _, rw := range late {
			h.expire(rw)
		}
	}
}

// expire answers a request whose application went quiet: Apache's 504
// page if nothing was sent yet, else a cut connection.
func (h *Handler) expire(rw *response) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.answerLocked(504, "wsgi", fmt.Sprintf("gowsgid: no response from the WSGI application within Timeout (%s): %s", h.Timeout, rw.r.Filename))
}

// envPool recycles the environ slices of finished requests.
var envPool = sync.Pool{New: func() any {
	s := make([]EnvVar, 0, 80)
	return &s
}}

// keepScriptEnv sets the environ's variables in the request's
// environment, with the HTTPS=1 mod_wsgi sets there for a connection
// mod_ssl serves (the environ itself consumes HTTPS).
func keepScriptEnv(r *vhost.Request, env []EnvVar) {
	if r.HTTP.TLS != nil {
		env = append(env[:len(env):len(env)], EnvVar{Key: "HTTPS", Value: "1"})
	}
	r.KeepScriptEnv(env)
}

// environ is wsgi_build_environment: the CGI environment, then mod_wsgi's
// changes and its own variables, appended to env.
func (h *Handler) environ(vh *vhost.Handler, r *vhost.Request, s settings, start time.Time, connID string, env []EnvVar) []EnvVar {
	env = vh.CGIEnv(r, env, false)
	if r.HTTP.TLS != nil {
		// mod_wsgi sets HTTPS=1 in subprocess_env for a connection
		// mod_ssl serves, over what SetEnv said.
		env = setEnv(env, "HTTPS", "1")
	}
	r.ScriptEnv(env)
	https := r.Scheme == "https"
	kept := env[:0]
	for _, kv := range env {
		switch kv.Key {
		case "PATH":
			continue
		case "HTTPS":
			https = strings.EqualFold(kv.Value, "on") || kv.Value == "1"
			continue
		}
		kept = append(kept, kv)
	}
	env = kept
	if s.mapHeadToGet == "on" && r.Method == "HEAD" {
		env = setEnv(env, "REQUEST_METHOD", "GET")
	}
	if s.passAuth {
		// Apache merges a repeated header into one; an empty one is
		// passed empty.
		if auth, ok := r.HTTP.Header["Authorization"]; ok {
			env = setEnv(env, "HTTP_AUTHORIZATION", strings.Join(auth, ", "))
		}
	}
	scriptName := collapseSlashes(getEnv(env, "SCRIPT_NAME"))
	pathInfo := collapseSlashes(getEnv(env, "PATH_INFO"))
	env = setEnv(env, "SCRIPT_NAME", scriptName)
	env = setEnv(env, "PATH_INFO", pathInfo)
	env, https = proxyEnv(env, r.Dir.WSGI.TrustedProxyHeaders, r.Dir.WSGI.TrustedProxies, https)
	if r.HTTP.TLS != nil {
		https = true // mod_ssl's connection, after the proxy headers
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	listenerHost := ""
	if h.specificListener(r) {
		listenerHost = r.Local.Addr().Unmap().String()
	}
	// The mount point a trusted proxy header gave follows path_info,
	// where mod_wsgi adds it.
	var mount []EnvVar
	if i := slices.IndexFunc(env, func(kv EnvVar) bool { return kv.Key == "mod_wsgi.mount_point" }); i >= 0 {
		mount = []EnvVar{env[i]}
		env = slices.Delete(env, i, i+1)
	}
	env = append(env,
		EnvVar{Key: "mod_wsgi.script_name", Value: scriptName},
		EnvVar{Key: "mod_wsgi.path_info", Value: pathInfo})
	env = append(env, mount...)
	env = append(env,
		EnvVar{Key: "mod_wsgi.process_group", Value: s.processGroup},
		EnvVar{Key: "mod_wsgi.application_group", Value: s.applicationGroup},
		EnvVar{Key: "mod_wsgi.callable_object", Value: s.callable},
		EnvVar{Key: "mod_wsgi.request_handler", Value: r.Handler},
		EnvVar{Key: "mod_wsgi.handler_script", Value: s.handlerScript},
		EnvVar{Key: "mod_wsgi.script_reloading", Value: boolDigit(s.reloading)},
		EnvVar{Key: "mod_wsgi.listener_host", Value: listenerHost},
		EnvVar{Key: "mod_wsgi.listener_port", Value: strconv.Itoa(int(r.Local.Port()))},
		EnvVar{Key: "mod_wsgi.enable_sendfile", Value: boolDigit(s.enableSendfile)},
		EnvVar{Key: "mod_wsgi.ignore_activity", Value: boolDigit(s.ignoreActivity)},
		EnvVar{Key: "mod_wsgi.request_start", Value: strconv.FormatInt(start.UnixMicro(), 10)},
	)
	// mod_wsgi gives the request its log id (the access log's %L and
	// the error log's show it) and passes the connection's, connID,
	// when an error line about it already made one.
	id, _ := r.EnsureLogID()
	env = append(env, EnvVar{Key: "mod_wsgi.request_id", Value: id})
	if connID != "" {
		env = append(env, EnvVar{Key: "mod_wsgi.connection_id", Value: connID})
	}
	env = append(env, EnvVar{Key: "wsgi.url_scheme", Value: scheme})
	return env
}

// specificListener reports whether the connection came in on a listener
// bound to an address: only then does mod_wsgi.listener_host name it.
func (h *Handler) specificListener(r *vhost.Request) bool {
	return !h.wildcardPorts[int(r.Local.Port())]
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// sameKey compares environment names as Apache's tables do: ASCII
// letters without case.
func sameKey(a, b string) bool { return len(a) == len(b) && strings.EqualFold(a, b) }

func getEnv(env []EnvVar, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if sameKey(env[i].Key, key) {
			return env[i].Value
		}
	}
	return ""
}

// setEnv replaces every occurrence of key (in any case, keeping its
// spelling), or appends it.
func setEnv(env []EnvVar, key, value string) []EnvVar {
	found := false
	for i := range env {
		if sameKey(env[i].Key, key) {
			env[i].Value = value
			found = true
		}
	}
	if !found {
		env = append(env, EnvVar{Key: key, Value: value})
	}
	return env
}
