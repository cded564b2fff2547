package vhost

import (
	"io/fs"
	"net/http"
	"os/user"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/rewrite"
	"github.com/gowsgid/gowsgid/static"
)

// mod_rewrite's hooks in the request pipeline: rewriteURI at translate
// (the server's rules), rewriteFixup and rewriteTypes at fixups (the
// rules of the request's directory, and [T=]/[H=]), rewriteRedirect as
// the handler of a per-directory rewrite's internal redirect. A request
// whose configuration never turns the engine on passes each hook with a
// pointer test.

// requestLinks are the parts of request_rec only mod_rewrite needs: the
// request an internal redirect replaced, and mod_rewrite's state. A
// request has them only when mod_rewrite is loaded (or an internal
// redirect made it), so other configurations pay nothing for them.
type requestLinks struct {
	prev *Request
	rw   rewriteState
	// ownURL and ownArgs: the internal redirect put REDIRECT_URL and
	// REDIRECT_QUERY_STRING in the environment itself (docs/compat.md),
	// rather than renaming them from the request it replaced; CGIEnv
	// gives them the place ap_add_common_vars gives them.
	ownURL, ownArgs bool
}

// rewriteState is mod_rewrite's part of a request.
type rewriteState struct {
	// end is [END]: no more rewriting for this request and its internal
	// redirects.
	end bool
	// vary is the Vary header of a successful response.
	vary string
	// forcedType and forcedHandler are [T=] and [H=].
	forcedType, forcedHandler string
	// cookies are the Set-Cookie headers of [CO=] (on the original
	// request only), cookieNames the names set, sent whether they are
	// in the response header already.
	cookies     []string
	cookieNames map[string]bool
	sent        bool
}

// state returns the request's rewrite state, made on first use.
func (r *Request) state() *rewriteState {
	if r.ln == nil {
		r.ln = &requestLinks{}
	}
	return &r.ln.rw
}

// mainReq is r->main: the request a subrequest was made for.
func (r *Request) mainReq() *Request { return r.main }

// prevReq is r->prev: the request an internal redirect replaced.
func (r *Request) prevReq() *Request {
	if r.ln == nil {
		return nil
	}
	return r.ln.prev
}

// replaced is the request an internal redirect of any kind replaced:
// an ErrorDocument's (prev) or a rewrite's or handler's (prevReq).
func (r *Request) replaced() *Request {
	if r.prev != nil {
		return r.prev
	}
	return r.prevReq()
}

// linkSub records that sub is a subrequest of r.
func (r *Request) linkSub(sub *Request) { sub.main = r }

// original is the request a subrequest or internal redirect comes from.
func (r *Request) original() *Request {
	for {
		switch {
		case r.mainReq() != nil:
			r = r.mainReq()
		case r.prevReq() != nil:
			r = r.prevReq()
		default:
			return r
		}
	}
}

// rewriteServer answers the engine's questions about a request.
type rewriteServer struct {
	h *Handler
	r *Request
}

func (s rewriteServer) Var(name string) (string, bool) {
	r := s.r
	switch name {
	case "REMOTE_HOST":
		return r.remoteName(), true
	case "SERVER_ADDR":
		return addrString(r.Local.Addr()), true
	case "SERVER_SOFTWARE":
		return s.h.Table.Banner, true
	case "SCRIPT_USER", "SCRIPT_GROUP":
		if r.Info == nil {
			return "<unknown>", true
		}
		return fileOwnerName(r.Info, name == "SCRIPT_GROUP"), true
	case "SERVER_NAME":
		return r.serverNameForURL(), true
	case "THE_REQUEST":
		return r.HTTP.Method + " " + r.HTTP.RequestURI + " " + r.HTTP.Proto, true
	}
	return exprContext{r}.Var(name)
}

// Header is apr_table_get on headers_in (requestHeader).
func (s rewriteServer) Header(name string) string {
	v, _ := requestHeader(s.r.HTTP, name)
	return v
}

func (s rewriteServer) RespHeader(string) string { return "" }

func (s rewriteServer) Env(name string) (string, bool) { return s.r.Env.Get(name) }

func (s rewriteServer) Note(name string) (string, bool) {
	v, ok := s.r.Note(name)
	return v, ok
}

func (s rewriteServer) SetEnv(name, value string) { s.r.setEnv(name, value) }

func (s rewriteServer) UnsetEnv(name string) { s.r.Env.Unset(name) }

func (s rewriteServer) Log(level, msg string) { s.h.logf(level, "rewrite", s.r, "%s", msg) }

// AddCookie keeps [CO=]'s cookie on the original request, once a name
// (add_cookie's "<name>_rewrite" pool note).
func (s rewriteServer) AddCookie(name, header string) {
	st := s.r.original().state()
	if st.cookieNames[name] {
		return
	}
	if st.cookieNames == nil {
		st.cookieNames = map[string]bool{}
	}
	st.cookieNames[name] = true
	st.cookies = append(st.cookies, header)
}

// MatchesVhost is ap_matches_request_vhost: one of the <VirtualHost>
// addresses (by name as written, and port), or the server's port and one
// of its names.
func (s rewriteServer) MatchesVhost(host string, port int) bool {
	h := s.r.Host
	sv := h.Server
	if sv.IsVirtual() {
		for _, a := range sv.Addrs {
			if (a.Port == 0 || a.Port == port) && strings.EqualFold(host, a.Host) {
				return true
			}
		}
	} else if host == "" {
		return true // the main server's address record matches any port and ""
	}
	if port != h.Port {
		return false
	}
	return matchesAliases(sv, host)
}

// SubrequestURI is ap_sub_req_lookup_uri for -U: the status of mapping
// the URI.
func (s rewriteServer) SubrequestURI(uri string) int {
	_, status := s.uriSubrequest(uri)
	return status
}

// SubrequestFile is ap_sub_req_lookup_file for -F: the status of mapping
// the file and the file name it mapped to.
func (s rewriteServer) SubrequestFile(file string) (int, string) {
	sub, status := s.fileSubrequest(file)
	return status, sub.Filename
}

// LookAhead is the subrequest of %{LA-U:...} and %{LA-F:...}.
func (s rewriteServer) LookAhead(path string, file bool) *rewrite.Request {
	var sub *Request
	if file {
		sub, _ = s.fileSubrequest(path)
	} else {
		sub, _ = s.uriSubrequest(path)
	}
	if sub == nil {
		return nil
	}
	return s.h.engineRequest(sub)
}

// uriSubrequest is ap_sub_req_lookup_uri: the URI (a relative one taken
// from the request's directory) mapped as a GET, with the request's
// environment, and the status of mapping it.
func (s rewriteServer) uriSubrequest(uri string) (*Request, int) {
	r := s.r
	if !strings.HasPrefix(uri, "/") {
		uri = escapeURI(r.URI[:strings.LastIndexByte(r.URI, '/')+1]) + uri
	}
	sub, o := s.h.newSubRequest(r, uri)
	if o != nil {
		return sub, o.Status
	}
	sub.Env = slices.Clone(r.Env)
	if o := s.h.mapRequest(sub); o != nil {
		return sub, o.Status
	}
	return sub, http.StatusOK
}

// fileSubrequest is ap_sub_req_lookup_file: the file (a relative one
// taken from the directory of the request's file) mapped without
// translation, and the status of mapping it.
func (s rewriteServer) fileSubrequest(file string) (*Request, int) {
	r := s.r
	filename, uri, _ := subRequestFile(r, file)
	sub := fileSubRequest(r, filename, uri)
	if s.h.recursionExceeded(r) {
		return sub, http.StatusInternalServerError
	}
	if o := s.h.mapFile(sub); o != nil {
		return sub, o.Status
	}
	return sub, http.StatusOK
}

// serverNameForURL is ap_get_server_name_for_url: the server name, an
// IPv6 address in brackets.
func (r *Request) serverNameForURL() string {
	n := r.serverName()
	if strings.Contains(n, ":") {
		return "[" + n + "]"
	}
	return n
}

// engineRequest is the request as mod_rewrite sees it.
func (h *Handler) engineRequest(r *Request) *rewrite.Request {
	st := r.state()
	e := &rewrite.Request{Server: rewriteServer{h, r}, Method: r.Method, URI: r.URI,
		UnparsedURI: r.UnparsedURI, Filename: r.Filename, PathInfo: r.PathInfo, Args: r.Args,
		HasArgs: r.HasArgs, Scheme: r.Scheme, TLS: r.HTTP.TLS != nil, ServerName: r.serverNameForURL(),
		Port: r.serverPort(), DefaultPort: r.defaultPort(), DocumentRoot: r.Host.DocumentRoot,
		ContextDocumentRoot: r.ContextDocumentRoot, ContextPrefix: r.ContextPrefix,
		ProxyLoaded: h.Table.Config.Tree.IsLoaded("mod_proxy.c"), LimitRequestLine: r.Host.limits.line,
		End: r.endOwner().state().end, Vary: st.vary, ForcedType: st.forcedType, ForcedHandler: st.forcedHandler}
	if m := r.mainReq(); m != nil {
		e.Sub, e.MainURI = true, m.URI
		e.MainScriptURL, _ = m.Env.Get("SCRIPT_URL")
	}
	if r.Dir != nil {
		e.FollowSymLinks = r.Dir.Options.Opts&(confparse.OptSymLinks|confparse.OptSymOwner) != 0
	}
	return e
}

// endOwner is the request whose pool [END] marks: the first of a chain
// of internal redirects (a subrequest has its own).
func (r *Request) endOwner() *Request {
	for r.prevReq() != nil {
		r = r.prevReq()
	}
	return r
}

// takeBack copies what the engine changed back into the request.
func (r *Request) takeBack(e *rewrite.Request) {
	r.URI, r.Filename, r.PathInfo, r.Args, r.HasArgs = e.URI, e.Filename, e.PathInfo, e.Args, e.HasArgs
	st := r.state()
	st.vary, st.forcedType, st.forcedHandler = e.Vary, e.ForcedType, e.ForcedHandler
	if e.End {
		r.endOwner().state().end = true
	}
	if e.Handler != "" {
		r.Handler = e.Handler
	}
}

// rewriteURI is mod_rewrite's translate_name hook, run before mod_alias
// with the configuration the location walk gave (locDir). mapped is true
// when the rules mapped the request to a file (translate is done).
//
// In a virtual host that shares the main server's configuration the
// hook declines, as hook_uri2file does when the configuration's server
// is not the request's: no rule runs and SCRIPT_URL and SCRIPT_URI are
// not set.
func (h *Handler) rewriteURI(r *Request, locDir *confparse.DirConfig) (mapped bool, o *Outcome) {
	if !locDir.Rewrite.Enabled() || r.Host.rewriteShared {
		return false, nil
	}
	e := h.engineRequest(r)
	res := rewrite.Translate(r.Host.rewrite, locDir.Rewrite, e)
	r.takeBack(e)
	switch res.Action {
	case rewrite.Mapped:
		return true, nil
	case rewrite.PassThrough:
		r.Filename = ""
	case rewrite.Answer:
		return false, &Outcome{Status: res.Status, Location: res.Location}
	}
	return false, nil
}

// rewriteFixup is mod_rewrite's first fixup: the rules of the request's
// directory. A local result sets the redirect handler, which serves the
// new URI by an internal redirect.
func (h *Handler) rewriteFixup(r *Request) *Outcome {
	if !r.Dir.Rewrite.Enabled() {
		return nil
	}
	e := h.engineRequest(r)
	res := rewrite.Fixup(r.Host.rewrite, r.Dir.Rewrite, e)
	r.takeBack(e)
	if res.Action == rewrite.Answer {
		return &Outcome{Status: res.Status, Location: res.Location}
	}
	return nil
}

// rewriteTypes is mod_rewrite's last fixup (hook_mimetype): [T=] and [H=].
func (r *Request) rewriteTypes() {
	if r.ln == nil {
		return
	}
	if t := r.ln.rw.forcedType; t != "" {
		r.ContentType = static.MakeContentType(t, deref(r.Dir.AddDefaultCharset))
	}
	if hd := r.ln.rw.forcedHandler; hd != "" {
		r.Handler = hd
	}
}

// rewriteRedirect is mod_rewrite's redirect handler: ap_internal_redirect
// to the rewritten URI and query string. The new request keeps the
// method, renames the environment to REDIRECT_*, keeps the Vary header,
// and counts against LimitInternalRecursion.
func (h *Handler) rewriteRedirect(w http.ResponseWriter, r *Request) *Outcome {
	target := strings.TrimPrefix(r.Filename, "redirect:")
	if r.HasArgs {
		target += "?" + r.Args
	}
	vary := r.state().vary // "redirect-keeps-vary"
	return h.internalRedirect(w, r, target, func(nr *Request) { nr.ln.rw.vary = vary })
}

// handlerRedirect is ap_internal_redirect_handler as mod_cgi and
// mod_wsgi's daemon mode call it for a local Location: the request
// becomes a GET without a body (its Content-Length goes from the header
// table the new request shares), then target is served in its place.
func (h *Handler) handlerRedirect(w http.ResponseWriter, r *Request, ir *InternalRedirect) *Outcome {
	r.Method = http.MethodGet
	r.HTTP.Header.Del("Content-Length")
	r.HTTP.ContentLength = 0
	r.HTTP.Body = http.NoBody
	if ir.Close {
		w.Header().Set("Connection", "close")
	}
	if ir.Env != nil {
		r.Env = ir.Env
	}
	return h.internalRedirect(w, r, ir.Target, nil)
}

// internalRedirect is ap_internal_redirect: a new request for target
// (a local URI with its query) that keeps the method, renames the
// environment to REDIRECT_*, and counts against
// LimitInternalRecursion; prepare (if not nil) adjusts it before it is
// mapped.
func (h *Handler) internalRedirect(w http.ResponseWriter, r *Request, target string, prepare func(*Request)) *Outcome {
	if h.recursionExceeded(r) {
		return fail(500)
	}
	p, q, hasQ := splitTarget(target)
	nr := &Request{HTTP: r.HTTP, fieldOrder: r.fieldOrder, Host: r.Host, Method: r.Method, UnparsedURI: target, URI: p, Args: q,
		HasArgs: hasQ, Hostname: r.Hostname, HostPort: r.HostPort, Local: r.Local, Remote: r.Remote, Peer: r.Peer, proxied: r.proxied,
		Scheme: r.Scheme, Dir: r.Host.Defaults, Start: r.Start, depth: r.depth,
		main: r.main, ln: &requestLinks{prev: r}}
	renamedArgs := false
	for _, kv := range r.Env {
		if strings.EqualFold(kv.Key, "REDIRECT_URL") || strings.EqualFold(kv.Key, "REDIRECT_QUERY_STRING") {
			continue // ap_add_cgi_vars's, not the environment's
		}
		renamedArgs = renamedArgs || strings.EqualFold(kv.Key, "QUERY_STRING")
		nr.setEnv("REDIRECT_"+kv.Key, kv.Value)
	}
	nr.setEnv("REDIRECT_STATUS", "200")
	nr.setEnv("REDIRECT_URL", r.URI)
	if r.HasArgs {
		nr.setEnv("REDIRECT_QUERY_STRING", r.Args)
	}
	nr.ln.ownURL, nr.ln.ownArgs = true, r.HasArgs && !renamedArgs
	// r->next: the access log's final request (%f, %>U, %{VAR}e) is
	// the new one.
	r.Next = nr
	if prepare != nil {
		prepare(nr)
	}
	// The new request starts with its own headers_out: the
	// Authentication-Info add_auth_info gave this one is not sent, and
	// the new one, not the initial request, gets none.
	r.headersOut.Unset("Authentication-Info")
	// internal_internal_redirect runs the post_read_request hooks on the
	// new request ("mod_setenvif and mod_unique_id really need to do
	// their thing on internal redirects as well"): the server's SetEnvIf
	// rules, the X-Forwarded-Proto recipe behind a balancer among them.
	h.postReadRequest(nr)
	if o := h.process(w, nr); o != nil {
		h.sendError(w, nr, o)
	}
	return nil
}

// splitTarget is apr_uri_parse of a local URI: the path ends at '?' or
// '#', the query at '#'.
func splitTarget(t string) (p, q string, hasQ bool) {
	i := strings.IndexAny(t, "?#")
	if i < 0 {
		return t, "", false
	}
	p = t[:i]
	if t[i] == '#' {
		return p, "", false
	}
	q = t[i+1:]
	if j := strings.IndexByte(q, '#'); j >= 0 {
		q = q[:j]
	}
	return p, q, true
}

// rewriteSetsHeaders reports whether mod_rewrite gives the response a
// header made from the request, which the response headers check
// (check_headers) must see: a [T=] content type or [CO=] cookies.
func (r *Request) rewriteSetsHeaders() bool {
	if r.ln == nil {
		return false
	}
	return r.ln.rw.forcedType != "" || len(r.original().state().cookies) > 0
}

// checkRewriteCookies is check_headers on the cookies of [CO=], which
// are in err_headers_out whatever the response: Apache's message for the
// first that is not a valid header field, "" when all are (their folds
// are then replaced, as check_header does). A refused cookie is dropped
// with the others, as ap_die clears the table before it answers 500
// instead; so are all when drop is set.
func checkRewriteCookies(w http.ResponseWriter, r *Request, drop bool) string {
	if r.ln == nil {
		return ""
	}
	top := r.original().state()
	if len(top.cookies) == 0 {
		return ""
	}
	msg := ""
	folded := make([]string, len(top.cookies))
	for i, c := range top.cookies {
		if folded[i], msg = checkHeader("Set-Cookie", c); msg != "" {
			break
		}
	}
	hdr := w.Header()
	switch {
	case msg != "" || drop:
		if top.sent {
			hdr["Set-Cookie"] = slices.DeleteFunc(hdr["Set-Cookie"], func(v string) bool { return slices.Contains(top.cookies, v) })
		}
		top.sent = true
	case top.sent:
		for i, v := range hdr["Set-Cookie"] {
			if j := slices.Index(top.cookies, v); j >= 0 {
				hdr["Set-Cookie"][i] = folded[j]
			}
		}
	default:
		top.cookies = folded
	}
	return msg
}

// rewriteHeaders adds mod_rewrite's response headers: the cookies of
// [CO=] (err_headers_out: every response), and, unless the response is
// an error, the Vary of the conditions that looked at request headers.
func rewriteHeaders(w http.ResponseWriter, r *Request, isError bool) {
	if r.ln == nil {
		return
	}
	if top := r.original().state(); !top.sent && len(top.cookies) > 0 {
		top.sent = true
		for _, c := range top.cookies {
			w.Header().Add("Set-Cookie", c)
		}
	}
	if v := r.ln.rw.vary; v != "" {
		if isError {
			w.Header().Del("Vary")
		} else {
			w.Header().Set("Vary", v)
		}
	}
}

// compileRewrite gives a host its mod_rewrite server configuration when
// mod_rewrite is loaded (nil otherwise): a virtual host's merged over the
// main server's, or, for a virtual host where no mod_rewrite directive
// appears, the main server's itself (merge_server_configs merges only
// the modules a virtual host configured).
func (h *Host) compileRewrite(s, main *confparse.Server, loaded bool) {
	if !loaded {
		return
	}
	switch {
	case main == nil:
		h.rewrite = rewrite.MergeServer(nil, s.Rewrite)
	case s.Rewrite == nil:
		h.rewrite = rewrite.MergeServer(nil, main.Rewrite)
		h.rewriteShared = true
	default:
		h.rewrite = rewrite.MergeServer(main.Rewrite, s.Rewrite)
	}
}

// fileOwnerName is the user (or group) name of a file's owner, as
// SCRIPT_USER and SCRIPT_GROUP give it.
func fileOwnerName(fi fs.FileInfo, group bool) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "<unknown>"
	}
	if group {
		if g, err := user.LookupGroupId(strconv.Itoa(int(st.Gid))); err == nil {
			return g.Name
		}
	} else if u, err := user.LookupId(strconv.Itoa(int(st.Uid))); err == nil {
		return u.Username
	}
	return "<unknown>"
}

// RewritePrograms are the prg: maps whose programs the server starts, as
// mod_rewrite's post_config starts them: the maps of every server whose
// RewriteEngine is on (the main server, then the virtual hosts in
// Apache's order), each once however many servers share it.
func (t *Table) RewritePrograms() []*rewrite.Map {
	var maps []*rewrite.Map
	seen := map[*rewrite.Map]bool{}
	add := func(h *Host) {
		if h == nil || h.rewrite == nil || !h.rewrite.On {
			return
		}
		names := make([]string, 0, len(h.rewrite.Maps))
		for name := range h.rewrite.Maps {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			m := h.rewrite.Maps[name]
			if _, ok := m.Program(); ok && !seen[m] {
				seen[m] = true
				maps = append(maps, m)
			}
		}
	}
	add(t.Main)
	for i := len(t.Config.VirtualHosts) - 1; i >= 0; i-- {
		add(t.hosts[t.Config.VirtualHosts[i]])
	}
	return maps
}
