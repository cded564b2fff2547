package vhost

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/static"
)

// AccessChecker makes the access decision for a mapped request
// (mod_access_compat, authentication, authorization).
type AccessChecker interface {
	CheckAccess(r *Request) AccessResult
}

// AccessResult is an access decision: Status 0 grants.
type AccessResult struct {
	Status   int
	User     string
	AuthType string
	Header   http.Header
	// Logs are the error log lines of the decision.
	Logs []AccessLog
}

// AccessLog is one error log line of an access decision.
type AccessLog struct {
	Level, Module, Message string
}

// Logger receives error log lines: level, module, the request, and
// Apache's message.
type Logger func(level, module string, r *Request, msg string)

// WSGIHandler serves a request mapped to a WSGI script; h is the handler
// mapping it (CGIEnv builds the script's environment from it).
type WSGIHandler func(w http.ResponseWriter, h *Handler, r *Request) error

// Services are what a Table calls out to: access control, the WSGI
// engine and the error log. Nil members are safe: no access control is
// applied, WSGI routes answer 503, nothing is logged.
type Services struct {
	Access AccessChecker
	WSGI   WSGIHandler
	Log    Logger
}

// Outcome is what mapping decided when it did not end in a handler: an
// error status, or a redirect with its Location.
type Outcome struct {
	Status   int
	Location string
	Header   http.Header
	// Notes shown by some error pages ("error-notes").
	Notes string
	// Log, when set, is written to the error log at LogLevel for
	// LogModule when the error is sent.
	Log, LogLevel, LogModule string
}

// Handler serves HTTP requests with a table; the server swaps tables on
// reload.
type Handler struct {
	Table    *Table
	Services Services
}

// maxSubrequestDepth bounds DirectoryIndex and ErrorDocument recursion
// (Apache's LimitInternalRecursion default is 10).
const maxSubrequestDepth = 10

func (h *Handler) logf(level, module string, r *Request, format string, args ...any) {
	if h.Services.Log != nil {
		h.Services.Log(level, module, r, fmt.Sprintf(format, args...))
	}
}

// ServeHTTP maps and serves one request as Apache would.
func (h *Handler) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	t := h.Table
	w.Header()["Date"] = []string{time.Now().UTC().Format(http.TimeFormat)}
	w.Header().Set("Server", t.Banner)
	r := &Request{HTTP: hr, Method: hr.Method, UnparsedURI: hr.RequestURI, Scheme: "http",
		Env: map[string]string{}, Notes: map[string]string{}}
	if hr.TLS != nil {
		r.Scheme = "https"
	}
	if la, ok := hr.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ap, err := netip.ParseAddrPort(la.String()); err == nil {
			r.Local = ap
		}
	}
	if ap, err := netip.ParseAddrPort(hr.RemoteAddr); err == nil {
		r.Remote = ap
	}
	host, port, ok := NormalizeHost(hr.Host)
	cand := t.Addrs.ForConnection(r.Local)
	r.Host = t.Host(cand.ForHost(host, int(r.Local.Port())))
	r.Dir = r.Host.Defaults
	if !ok {
		h.logf("debug", "core", r, "AH00550: Client sent malformed Host header: %s", hr.Host)
		h.sendError(w, r, &Outcome{Status: 400})
		return
	}
	r.Hostname, r.HostPort = host, port
	path, query, hasQuery := strings.Cut(r.UnparsedURI, "?")
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		// An absolute-URI: the path starts after the authority.
		rest := path[strings.Index(path, "//")+2:]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			path = rest[i:]
		} else {
			path = "/"
		}
	}
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path = path[:i]
	}
	r.URI, r.Args, r.HasArgs = path, query, hasQuery
	if r.Method == "OPTIONS" && path == "*" {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(200)
		return
	}
	if o := h.process(w, r); o != nil {
		h.sendError(w, r, o)
	}
}

// process runs the request through mapping and its handler.
func (h *Handler) process(w http.ResponseWriter, r *Request) *Outcome {
	t := h.Table
	norm, ok := NormalizePath(r.URI, true, true)
	if !ok {
		h.logf("error", "core", r, "AH10244: invalid URI path (%s)", r.UnparsedURI)
		return fail(400)
	}
	slashes := slashesForbid
	switch r.Host.AllowEncodedSlashes {
	case "on":
		slashes = slashesDecode
	case "nodecode":
		slashes = slashesNoDecode
	}
	uri, status := Unescape(norm, slashes)
	if status != 0 {
		if status == 404 && slashes == slashesForbid {
			h.logf("info", "core", r, "AH00026: found %%2f (encoded '/') in URI path (%s), returning 404", r.UnparsedURI)
		}
		return fail(status)
	}
	if slashes == slashesDecode {
		uri, _ = NormalizePath(uri, true, false)
	}
	r.URI = uri
	if r.Method == "TRACE" && t.TraceEnable == "off" {
		return &Outcome{Status: 405, Header: http.Header{"Allow": {""}}}
	}
	if o := h.mapRequest(r); o != nil {
		return o
	}
	return h.handle(w, r)
}

// mapRequest is ap_process_request_internal after URI parsing: translate,
// map to storage, the location and if walks, access, types and fixups.
func (h *Handler) mapRequest(r *Request) *Outcome {
	t := h.Table
	// The location walk runs before translate too, so <Location>-scoped
	// Alias and Redirect work; its merge is thrown away afterwards.
	pre := r.Dir
	t.locationWalk(r)
	locDir := r.Dir
	r.Dir = pre
	if o := t.translateWith(r, locDir); o != nil {
		return o
	}
	r.Dir = r.Host.Defaults
	r.files, r.ifs = nil, nil
	if o := t.mapToStorage(r); o != nil {
		return o
	}
	t.locationWalk(r)
	if o := t.ifWalk(r); o != nil {
		return o
	}
	if o := h.checkAccess(r); o != nil {
		return o
	}
	t.typeChecker(r)
	return h.fixups(r)
}

// translateWith runs translate with the pre-translate location merge
// visible to the <Location>-scoped mod_alias forms.
func (t *Table) translateWith(r *Request, locDir *confparse.DirConfig) *Outcome {
	for _, rd := range locDir.Redirects {
		if !rd.Expr {
			continue
		}
		if rd.To == "" {
			return fail(rd.Status)
		}
		target := rd.To
		if strings.HasPrefix(target, "/") {
			target = r.constructURL(target)
		}
		return &Outcome{Status: rd.Status, Location: target}
	}
	return t.translate(r)
}

func (h *Handler) checkAccess(r *Request) *Outcome {
	if h.Services.Access == nil {
		return nil
	}
	res := h.Services.Access.CheckAccess(r)
	for _, l := range res.Logs {
		h.logf(l.Level, l.Module, r, "%s", l.Message)
	}
	r.User, r.AuthType = res.User, res.AuthType
	if res.Status != 0 {
		return &Outcome{Status: res.Status, Header: res.Header}
	}
	return nil
}

// ifWalk is ap_if_walk: in each chain of <If>/<ElseIf>/<Else>, the first
// branch whose condition holds is merged.
func (t *Table) ifWalk(r *Request) *Outcome {
	sections := append(append([]*confparse.Section(nil), r.Host.ifs...), r.ifs...)
	prevMatched := false
	for _, s := range sections {
		switch s.Kind {
		case confparse.SectionIf:
			prevMatched = false
		case confparse.SectionElseIf, confparse.SectionElse:
			if prevMatched {
				continue
			}
		}
		if s.Kind == confparse.SectionElse {
			r.merge(s.Dir)
			prevMatched = true
			continue
		}
		e, err := confparse.ParseExpr(s.Path)
		if err != nil {
			return fail(500)
		}
		ok, err := e.Eval(exprContext{r})
		if err != nil {
			return fail(500)
		}
		if ok {
			r.merge(s.Dir)
			prevMatched = true
		}
	}
	return nil
}

// typeChecker is mod_mime's find_ct: the content type, and a handler from
// AddHandler.
func (t *Table) typeChecker(r *Request) {
	if r.Info != nil && r.Info.IsDir() {
		r.ContentType = DirMagicType
		return
	}
	if r.Host.Types == nil || r.Filename == "" {
		return
	}
	info := static.Resolve(r.Filename, r.Host.Types, mimeDir(r.Dir))
	r.ContentType = info.ContentType
	r.encodings, r.languages = info.Encodings, info.Languages
	if info.Handler != "" {
		r.Handler = info.Handler
	}
}

// mimeDir is mod_mime's per-directory tables of a configuration.
func mimeDir(d *confparse.DirConfig) static.MimeDir {
	md := static.MimeDir{Types: d.Types, Charsets: d.Charsets, Encodings: d.Encodings,
		Languages: d.Languages, Handlers: d.Handlers, DefaultCharset: deref(d.AddDefaultCharset)}
	if d.ForceType != nil && *d.ForceType != "none" {
		md.ForceType = *d.ForceType
	}
	return md
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// fixups runs core_override_type (ForceType, SetHandler), mod_dir's
// directory handling and mod_alias's per-directory redirects.
func (h *Handler) fixups(r *Request) *Outcome {
	d := r.Dir
	if d.ForceType != nil && *d.ForceType != "none" {
		r.ContentType = *d.ForceType
	}
	if d.SetHandler != nil {
		if v := strings.ToLower(*d.SetHandler); v != "none" {
			r.Handler = v
		}
	}
	if o := h.Table.perDirRedirect(r); o != nil {
		return o
	}
	if r.Info != nil && r.Info.IsDir() {
		return h.fixupDir(r)
	}
	return nil
}

// perDirRedirect is mod_alias's fixup_redir for Redirect inside
// <Directory>/.htaccess (the path form).
func (t *Table) perDirRedirect(r *Request) *Outcome {
	for _, rd := range r.Dir.Redirects {
		if rd.Expr {
			continue
		}
		target, ok := t.matchRedirect(rd, r.URI)
		if !ok {
			continue
		}
		if !isRedirectStatus(rd.Status) {
			return fail(rd.Status)
		}
		if strings.HasPrefix(target, "/") {
			target = r.constructURL(target)
		}
		if r.HasArgs && !strings.Contains(target, "?") {
			target += "?" + r.Args
		}
		return &Outcome{Status: rd.Status, Location: target}
	}
	return nil
}

// fixupDir is mod_dir's fixup_dir: the trailing-slash redirect, then the
// DirectoryIndex sub-requests.
func (h *Handler) fixupDir(r *Request) *Outcome {
	if r.Handler == "" {
		r.Handler = DirMagicType
	}
	if r.PathInfo != "" {
		return nil
	}
	if !h.Table.Config.Tree.IsLoaded("mod_dir.c") {
		return nil
	}
	d := r.Dir
	if r.URI == "" || !strings.HasSuffix(r.URI, "/") {
		if d.DirectorySlash != nil && !*d.DirectorySlash {
			return nil
		}
		if r.Method != "GET" && r.Env["redirect-carefully"] != "" {
			return nil
		}
		loc := escapeURI(r.URI) + "/"
		if r.HasArgs {
			loc += "?" + r.Args
		}
		return &Outcome{Status: 301, Location: r.constructURL(loc)}
	}
	names := d.DirectoryIndex
	if names == nil {
		names = []string{"index.html"}
	}
	errNotFound := 0
	for i, name := range names {
		uri := name
		if !strings.HasPrefix(uri, "/") {
			uri = r.URI + name
		}
		sub, o := h.subRequest(r, uri)
		if o == nil && sub.Info != nil && sub.Info.Mode().IsRegular() {
			*r = *sub // ap_internal_fast_redirect
			return nil
		}
		if o != nil {
			if isRedirectStatus(o.Status) || (len(names) == 1 && (o.Status == 406 || o.Status == 401)) {
				return o
			}
			if o.Status != 404 {
				errNotFound = o.Status
			}
		}
		_ = i
	}
	if errNotFound != 0 {
		return fail(errNotFound)
	}
	r.Notes["dir-index-names"] = strings.Join(names, ",")
	return nil
}

// subRequest is ap_sub_req_lookup_uri: the given URI mapped as a GET on
// the same host, with access checks; the caller decides what to do with it.
func (h *Handler) subRequest(r *Request, uri string) (*Request, *Outcome) {
	if r.depth >= maxSubrequestDepth {
		return nil, fail(500)
	}
	path, query, hasQuery := strings.Cut(uri, "?")
	sub := &Request{HTTP: r.HTTP, Host: r.Host, Method: "GET", UnparsedURI: uri, URI: path, Args: query,
		HasArgs: hasQuery, Hostname: r.Hostname, HostPort: r.HostPort, Local: r.Local, Remote: r.Remote,
		Scheme: r.Scheme, Env: map[string]string{}, Notes: map[string]string{}, Dir: r.Host.Defaults,
		depth: r.depth + 1}
	if !hasQuery && r.HasArgs {
		sub.Args, sub.HasArgs = r.Args, true
	}
	norm, ok := NormalizePath(path, true, true)
	if !ok {
		return sub, fail(400)
	}
	sub.URI = norm
	return sub, h.mapRequest(sub)
}

// handle runs the request's handler.
func (h *Handler) handle(w http.ResponseWriter, r *Request) *Outcome {
	switch r.Handler {
	case "wsgi-script", "application/x-httpd-wsgi":
		if h.Services.WSGI == nil {
			h.logf("error", "wsgi", r, "gowsgid: the WSGI engine is not available in this build; cannot run %s", r.Filename)
			return fail(503)
		}
		if err := h.Services.WSGI(w, h, r); err != nil {
			if o, ok := err.(*Outcome); ok {
				return o
			}
			return fail(500)
		}
		return nil
	case DirMagicType:
		return h.serveDirectory(w, r)
	}
	return h.defaultHandler(w, r)
}

// defaultHandler is core's default_handler: plain files for GET, HEAD and
// POST; OPTIONS; 405 for the other methods Apache knows, 501 for the rest.
func (h *Handler) defaultHandler(w http.ResponseWriter, r *Request) *Outcome {
	traceOff := h.Table.TraceEnable == "off"
	switch r.Method {
	case "GET", "HEAD", "POST":
	case "OPTIONS":
		w.Header().Set("Allow", allowHeader(traceOff))
		if r.ContentType != "" {
			w.Header().Set("Content-Type", r.ContentType)
		} else {
			w.Header()["Content-Type"] = nil
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(200)
		return nil
	default:
		if !knownMethods[r.Method] {
			h.logf("error", "core", r, "AH00135: Invalid method in request %s", requestLine(r))
			return &Outcome{Status: 501, Header: http.Header{"Allow": {allowHeader(traceOff)}}}
		}
		return &Outcome{Status: 405, Header: http.Header{"Allow": {allowHeader(traceOff)}}}
	}
	if r.Info == nil {
		h.logf("info", "core", r, "AH00128: File does not exist: %s%s", r.Filename, r.PathInfo)
		return fail(404)
	}
	if r.Info.IsDir() {
		h.logf("info", "core", r, "AH00129: Attempt to serve directory: %s", r.Filename)
		return fail(404)
	}
	if r.PathInfo != "" && (r.Dir.AcceptPathInfo == nil || *r.Dir.AcceptPathInfo != "on") {
		h.logf("info", "core", r, "AH00130: File does not exist: %s%s", r.Filename, r.PathInfo)
		return fail(404)
	}
	f, err := openFile(r.Filename)
	if err != nil {
		h.logf("error", "core", r, "(13)Permission denied: AH00132: file permissions deny server access: %s", r.Filename)
		return fail(403)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fail(500)
	}
	opts := static.FileOptions{ContentType: r.ContentType, Encodings: r.encodings, Languages: r.languages,
		ETag: etagBits(r.Dir.FileETag), TraceDisabled: traceOff}
	if err := static.ServeFile(w, r.HTTP, f, fi, opts); err != nil {
		if he, ok := err.(*static.HTTPError); ok {
			return &Outcome{Status: he.Status, Header: he.Header}
		}
		return nil // the client went away mid-body
	}
	return nil
}

// knownMethods are the methods Apache registers at start-up.
var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "PUT": true, "POST": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true,
	"PROPFIND": true, "PROPPATCH": true, "MKCOL": true, "COPY": true,
	"MOVE": true, "LOCK": true, "UNLOCK": true, "VERSION-CONTROL": true,
	"CHECKOUT": true, "UNCHECKOUT": true, "CHECKIN": true, "UPDATE": true,
	"LABEL": true, "REPORT": true, "MKWORKSPACE": true, "MKACTIVITY": true,
	"BASELINE-CONTROL": true, "MERGE": true,
}

func etagBits(s *confparse.FileETagSpec) static.ETagBits {
	if s == nil {
		return static.ETagBits{MTime: true, Size: true}
	}
	return static.ETagBits{INode: s.INode, MTime: s.MTime, Size: s.Size}
}

func requestLine(r *Request) string {
	return r.Method + " " + r.UnparsedURI + " " + r.HTTP.Proto
}

// trace echoes the request as message/http (TraceEnable On).
func (h *Handler) trace(w http.ResponseWriter, r *Request) *Outcome {
	var b strings.Builder
	b.WriteString(requestLine(r) + "\r\n")
	b.WriteString("Host: " + r.HTTP.Host + "\r\n")
	for k, vs := range r.HTTP.Header {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("\r\n")
	w.Header().Set("Content-Type", "message/http")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(200)
	io.WriteString(w, b.String())
	return nil
}

// serveDirectory is mod_autoindex's handler for a directory with no index
// file, or the answer Apache gives without it.
func (h *Handler) serveDirectory(w http.ResponseWriter, r *Request) *Outcome {
	if !h.Table.autoindex {
		return fail(404)
	}
	if r.Dir.Options.Opts&confparse.OptIndexes == 0 {
		// mod_autoindex declines when Options Indexes is off.
		idx := r.Notes["dir-index-names"]
		h.logf("error", "autoindex", r, "AH01276: Cannot serve directory %s: No matching DirectoryIndex (%s) found, and server-generated directory index forbidden by Options directive", r.Filename, idx)
		return fail(403)
	}
	switch r.Method {
	case "GET", "HEAD", "POST":
	default:
		return &Outcome{Status: 405}
	}
	opts := static.IndexOptions{URI: r.URI, Signature: h.signature(r), ETag: etagBits(r.Dir.FileETag),
		TraceDisabled: h.Table.TraceEnable == "off", Types: r.Host.Types, Mime: mimeDir(r.Dir)}
	if len(r.Dir.IndexOptions) > 0 {
		opts.Options = [][]string{r.Dir.IndexOptions}
	}
	for _, p := range r.Dir.IndexIgnore {
		opts.Ignore = append(opts.Ignore, static.IndexIgnore{Pattern: p})
	}
	if err := static.ServeIndex(w, r.HTTP, r.Filename, opts); err != nil {
		if he, ok := err.(*static.HTTPError); ok {
			return &Outcome{Status: he.Status, Header: he.Header}
		}
		return fail(500)
	}
	return nil
}

// signature is ap_psignature for the request.
func (h *Handler) signature(r *Request) string {
	mode := "off"
	if r.Dir.ServerSignature != nil {
		mode = *r.Dir.ServerSignature
	}
	return Signature("", mode, h.Table.Banner, r.serverName(), r.serverPort(), r.Host.Admin)
}

// sendError is ap_send_error_response with ErrorDocument (ap_die).
func (h *Handler) sendError(w http.ResponseWriter, r *Request, o *Outcome) {
	if o.Log != "" {
		h.logf(o.LogLevel, o.LogModule, r, "%s", o.Log)
	}
	hdr := w.Header()
	for k, v := range o.Header {
		hdr[k] = v
	}
	status := o.Status
	if o.Location != "" {
		hdr.Set("Location", o.Location)
	}
	if status == 304 || status == 204 {
		w.WriteHeader(status)
		return
	}
	if r.Dir != nil && r.depth == 0 {
		if doc, ok := r.Dir.ErrorDocuments[status]; ok && !strings.EqualFold(doc, "default") {
			if h.errorDocument(w, r, status, doc) {
				return
			}
		}
	}
	hdr.Set("Content-Type", "text/html; charset=iso-8859-1")
	if status == 405 || status == 501 {
		if _, set := o.Header["Allow"]; !set {
			hdr.Set("Allow", allowHeader(h.Table.TraceEnable == "off"))
		}
	}
	sig := ""
	if r.Dir != nil {
		sig = h.signature(r)
		if sig != "" {
			sig = "<hr>\n" + sig
		}
	}
	body := ErrorPage(status, r.Method, o.Location, o.Notes, r.Host.Admin, sig)
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != "HEAD" {
		io.WriteString(w, body)
	}
}

// allowHeader is make_allow for the default handler.
func allowHeader(traceOff bool) string {
	if traceOff {
		return "GET,POST,OPTIONS,HEAD"
	}
	return "GET,POST,OPTIONS,HEAD,TRACE"
}

// errorDocument applies ErrorDocument: quoted text is the body, a URL is a
// 302 to it, a local path is served (as an internal GET) with the
// original status. It reports whether it answered.
func (h *Handler) errorDocument(w http.ResponseWriter, r *Request, status int, doc string) bool {
	hdr := w.Header()
	isText := strings.Contains(doc, " ") || (!strings.HasPrefix(doc, "/") && !isURL(doc)) || strings.HasPrefix(doc, `"`)
	switch {
	case isText:
		body := strings.TrimPrefix(doc, `"`)
		hdr.Set("Content-Type", "text/html; charset=iso-8859-1")
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		if r.Method != "HEAD" {
			io.WriteString(w, body)
		}
		return true
	case isURL(doc):
		if status == 401 {
			return false
		}
		loc := doc
		hdr.Set("Location", loc)
		body := ErrorPage(302, r.Method, loc, "", r.Host.Admin, h.sigLine(r))
		hdr.Set("Content-Type", "text/html; charset=iso-8859-1")
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(302)
		if r.Method != "HEAD" {
			io.WriteString(w, body)
		}
		return true
	}
	sub, o := h.subRequest(r, doc)
	if o != nil || sub.Info == nil || !sub.Info.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(sub.Filename)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	if sub.ContentType != "" {
		hdr.Set("Content-Type", sub.ContentType)
	}
	hdr.Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	w.WriteHeader(status)
	if r.Method != "HEAD" {
		io.Copy(w, f)
	}
	return true
}

func (h *Handler) sigLine(r *Request) string {
	if s := h.signature(r); s != "" {
		return "<hr>\n" + s
	}
	return ""
}
