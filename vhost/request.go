package vhost

import (
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/apr"
	"github.com/gowsgid/gowsgid/internal/statcache"
)

// Request is a request being mapped: the parts of Apache's request_rec
// gowsgid uses. Map fills it in the order of ap_process_request_internal.
type Request struct {
	HTTP   *http.Request
	Host   *Host
	Method string
	// UnparsedURI is the request-target as sent; URI the decoded,
	// normalised path (r->uri); Args the query string ("" = none).
	UnparsedURI string
	URI         string
	Args        string
	HasArgs     bool
	depth       int32 // sub-request nesting (in HasArgs' padding)
	// familiar marks a sub-request for an entry of the directory its
	// parent walked (a listing's): Apache reuses the parent's walk for
	// it and checks its final symbolic link only where FollowSymLinks
	// is off, so SymLinksIfOwnerMatch added to FollowSymLinks does not
	// hide an entry it refuses when requested.
	familiar bool
	// fieldOrder is the order and spelling of the request's header
	// fields once RequestHeader has edited them; before, the order is
	// the client's (eachRequestHeader).
	fieldOrder []string
	// Hostname and HostPort come from the Host header ("" / 0 if none).
	Hostname string
	HostPort int
	// Local is the connection's local address. Remote is the client
	// (Apache's useragent_addr): the connection's peer, or whom
	// mod_remoteip found in a PROXY header or a proxy's request header;
	// Peer is always the connection's peer (Apache's client_addr).
	Local  netip.AddrPort
	Remote netip.AddrPort
	Peer   netip.AddrPort
	// proxied is set when the connection began with a PROXY header:
	// RemoteIPHeader is not consulted then, as in mod_remoteip.
	proxied bool
	// proxyClient is the client that header named (invalid: none). It
	// becomes Remote in post_read_request, as mod_remoteip's
	// remoteip_modify_request makes it r->useragent_addr: a request
	// that fails before (a bad request line, a 414, a bad Host) is
	// logged with the balancer's address.
	proxyClient netip.AddrPort
	// handshake is the host whose TLS configuration the connection's
	// handshake used (nil: the request's own, or no TLS).
	handshake *Host
	Scheme    string
	Filename  string
	PathInfo  string
	// Info is the mapped file's information; nil when nothing exists there.
	Info fs.FileInfo
	// Dir is the merged per-directory configuration.
	Dir *confparse.DirConfig
	// Handler and ContentType as the type checker and fixups leave them.
	Handler     string
	ContentType string
	// encodings and languages are mod_mime's Content-Encoding and
	// Content-Language.
	encodings, languages []string
	// Env is the request's environment (subprocess_env); nil while
	// empty.
	Env Vars
	// notes holds request notes ("alias-forced-type", ...): a map
	// never changed once published (setNote replaces it), so that a
	// line logged about the request from another goroutine (a Python
	// thread writing to wsgi.errors) reads it while the response's
	// headers set one (Header note).
	notes atomic.Pointer[map[string]string]
	// WSGIAlias is the WSGIScriptAlias the request went through, if any.
	WSGIAlias *confparse.WSGIScriptAlias
	// User is the authenticated user (REMOTE_USER), AuthType its type;
	// HasUser tells a user named "" from none (r->user NULL).
	User, AuthType string
	HasUser        bool
	// ContextPrefix and ContextDocumentRoot are set by Alias matches.
	ContextPrefix, ContextDocumentRoot string
	// files are the <Files> sections to test (server-level, then nested
	// in matched directories); ifs likewise for <If>.
	files []*confparse.Section
	ifs   []*confparse.Section
	// ln links a subrequest to its main request, an internal redirect
	// to the request it replaced, and holds mod_rewrite's state; nil
	// unless mod_rewrite is loaded (see vhost/rewrite.go).
	ln *requestLinks
	// errorStatus is the status an error document is served with (the
	// internal redirect of ErrorDocument keeps it); 0 otherwise.
	errorStatus int
	// redirectFailed: this is an ErrorDocument's internal redirect that
	// failed, whose page went out on the original request.
	redirectFailed bool
	// loggedStatus, when set, is the request's status (r->status) where
	// it differs from the status line sent: an error page that follows
	// another one (Outcome.Then).
	loggedStatus int
	// Start is when the request came in (r->request_time).
	Start time.Time
	// ConnRequests is how many requests the connection served before
	// this one.
	ConnRequests int
	// Next is the request an ErrorDocument was served by, the internal
	// redirect's new request (r->next); nil when there was none. prev is
	// the other way round.
	Next *Request
	prev *Request
	// main is the request a subrequest was made for (r->main), nil for
	// a request that is none.
	main *Request
	// LineOnly marks a request refused on its request line (400, 414),
	// for which Apache reads no header field.
	LineOnly bool
	// BadLine is the request line as received when it could not be
	// read as one (ServeBadLine), possibly empty; %r logs it. nil for
	// any other request.
	BadLine *string
	// LineLimit is the LimitRequestLine a 414 exceeded: Apache keeps
	// that many bytes of the line, and one more, as the request line.
	LineLimit int
	// Response records the response when the access log is on (nil
	// otherwise); resp holds it for the request net/http handed over.
	Response *Response
	resp     Response
	// headersOut and errHeadersOut are what mod_headers' early actions
	// (and the Vary of conditions) put into Apache's headers_out and
	// err_headers_out before a handler runs.
	headersOut, errHeadersOut Vars
	// handoff is how the handler gives its body to the output filters.
	handoff Handoff
	// errFields are the names of the handler's response fields that its
	// module puts into err_headers_out (see ErrorTableField).
	errFields []string
	// plainOnTLS marks a request sent in plain HTTP to a TLS port.
	plainOnTLS bool
	// sslVars are the SSL_ variables of a TLS connection for
	// expressions, gathered at the first one's use.
	sslVars map[string]string
	// vlist is the variant list validator of a request MultiViews
	// negotiated (r->vlist_validator): the ETag of the variant ends with
	// it.
	vlist string
	// noCache is r->no_cache: the type-map handler negotiated the
	// response for an HTTP/1.0 client, which then gets an Expires of
	// the request time.
	noCache bool
	// invalidHeaders is set once mod_headers made a response's headers
	// invalid: the 500 that answers instead goes out unfiltered.
	invalidHeaders bool
	// endsConnection is set when the handler cuts the connection after
	// a whole answer (http.ErrAbortHandler), as Apache ends one whose
	// request it could not read: not a client gone for %X.
	endsConnection bool
	// h2Preface: the request is the HTTP/2 preface an HTTP/1
	// connection read as a request line, where HTTP/2 is not spoken.
	h2Preface bool
	// h2HostField: an HTTP/2 stream sent a host field of its own
	// (besides :authority, which mod_http2 makes Host).
	h2HostField bool
	// servesFile is set when the default handler serves a file, or
	// the byterange filter a handler's whole body: a 206 it sends is
	// the byterange filter's, and r->status is still 200 while
	// mod_headers runs.
	servesFile bool
	// tableType is set when a 304's Content-Type is a field of the
	// response's tables (a Header action put it there), which Apache's
	// http_header filter sends; the request's content type it drops.
	tableType bool
	// logID is the request's log id once it has one (see EnsureLogID).
	logID atomic.Pointer[string]
	// out is the response writer serve hands the handlers, kept here
	// to save an allocation a request.
	out headerOut
}

// Final is the request an internal redirect chain ends with: r itself
// when there was none.
func (r *Request) Final() *Request {
	for r.Next != nil {
		r = r.Next
	}
	return r
}

// RedirectFailed reports whether r is an ErrorDocument's internal
// redirect that failed: the canned page went out on the original
// request, and r sent no bytes (mod_log_config's %b and %B of the final
// request).
func (r *Request) RedirectFailed() bool { return r.redirectFailed }

// StatusSent is the status of the response sent (the final request's
// r->status); 200 when the handler wrote nothing, as net/http sends.
func (r *Request) StatusSent() int {
	if r.loggedStatus != 0 {
		return r.loggedStatus
	}
	if r.Response == nil || r.Response.Status == 0 {
		return http.StatusOK
	}
	return r.Response.Status
}

// OriginalStatus is the status of the request net/http handed over
// (r->status of the original request): the error an ErrorDocument was
// served for, else the status sent.
func (r *Request) OriginalStatus() int {
	if r.Next != nil && r.Next.errorStatus != 0 {
		return r.Next.errorStatus
	}
	return r.StatusSent()
}

// ExprContext gives ap_expr expressions the request's variables.
func (r *Request) ExprContext() apexpr.Context { return exprContext{r} }

// setEnv sets a variable of the request's environment.
func (r *Request) setEnv(name, value string) { r.Env.Set(name, value) }

// Note is the request note name (r->notes), and whether it is set.
func (r *Request) Note(name string) (string, bool) {
	if m := r.notes.Load(); m != nil {
		v, ok := (*m)[name]
		return v, ok
	}
	return "", false
}

// Notes are the request's notes, not to be changed (nil: none).
func (r *Request) Notes() map[string]string {
	if m := r.notes.Load(); m != nil {
		return *m
	}
	return nil
}

// SetNote sets a request note: in a copy of the notes, which replaces
// them (readers on other goroutines keep the map they have).
func (r *Request) SetNote(name, value string) {
	old := r.Notes()
	m := make(map[string]string, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[name] = value
	r.notes.Store(&m)
}

// wsgiHandler reports whether mod_wsgi serves the request: the
// wsgi-script handler, or a WSGIHandlerScript's.
func (r *Request) wsgiHandler() bool {
	switch r.Handler {
	case "wsgi-script", "application/x-httpd-wsgi":
		return true
	case "":
		return false
	}
	return r.Dir != nil && r.Dir.WSGI.HandlerScripts[r.Handler] != nil
}

// DirMagicType is Apache's content type for a directory.
const DirMagicType = "httpd/unix-directory"

func fail(status int) *Outcome { return &Outcome{Status: status} }

// serverName is ap_get_server_name for the request.
func (r *Request) serverName() string {
	if r.useCanonicalName() == "on" || r.Hostname == "" {
		return r.Host.Hostname
	}
	return r.Hostname
}

func (r *Request) useCanonicalName() string {
	if r.Dir != nil && r.Dir.UseCanonicalName != nil {
		return *r.Dir.UseCanonicalName
	}
	return "off"
}

func (r *Request) defaultPort() int {
	if r.Scheme == "https" {
		return 443
	}
	return 80
}

// serverPort is ap_get_server_port (UseCanonicalPhysicalPort Off).
func (r *Request) serverPort() int {
	if r.useCanonicalName() == "on" {
		if r.Host.Port != 0 {
			return r.Host.Port
		}
		return r.defaultPort()
	}
	switch {
	case r.HostPort != 0:
		return r.HostPort
	case r.Host.Port != 0:
		return r.Host.Port
	}
	return r.defaultPort()
}

// constructURL is ap_construct_url: an absolute URL for a local path.
func (r *Request) constructURL(path string) string {
	host := r.serverName()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := r.serverPort()
	if port != r.defaultPort() {
		host += ":" + strconv.Itoa(port)
	}
	return r.Scheme + "://" + host + path
}

// merge merges a per-directory configuration onto the request's.
func (t *Table) merge(r *Request, dc *confparse.DirConfig) { r.Dir = t.merges.merge(r.Dir, dc) }

// translate is the translate_name phase: mod_alias (Redirect, then Alias),
// then mod_wsgi's WSGIScriptAlias, then the core's DocumentRoot. locDir
// is the location walk's configuration, the per-directory one of this
// phase.
func (t *Table) translate(r *Request, locDir *confparse.DirConfig) *Outcome {
	h := r.Host
	if r.URI != "" && r.URI[0] != '/' {
		return fail(400)
	}
	// Redirects always beat aliases, whatever the order in the file.
	for _, rd := range h.Redirects {
		target, ok := t.matchRedirect(rd, r.URI)
		if !ok {
			continue
		}
		if !isRedirectStatus(rd.Status) {
			return fail(rd.Status)
		}
		if strings.HasPrefix(target, "/") && !flagOn(locDir.RedirectRelative) {
			target = r.constructURL(target)
		}
		if r.HasArgs && !strings.Contains(target, "?") {
			target += "?" + r.Args
		}
		return &Outcome{Status: rd.Status, Location: target}
	}
	if la := locDir.LocationAlias; la != nil {
		return t.locationAlias(r, locDir, la)
	}
	for _, a := range h.Aliases {
		found, ok := t.matchAlias(a, r.URI)
		if !ok {
			continue
		}
		if a.Handler != "" {
			r.Handler = a.Handler
			r.SetNote("alias-forced-type", a.Handler)
		}
		if !a.Regex {
			r.ContextPrefix, r.ContextDocumentRoot = a.From, a.To
		}
		r.Filename = t.Config.RootRelative(found)
		return nil
	}
	for _, a := range h.WSGIAliases {
		found, ok := t.matchWSGIAlias(a, r.URI)
		if !ok {
			continue
		}
		r.Filename = found
		r.Handler = "wsgi-script"
		r.SetNote("alias-forced-type", "wsgi-script")
		r.WSGIAlias = a
		return nil
	}
	path := strings.TrimLeft(r.URI, "/")
	if hasDotSegment(path) {
		// Only a rewritten URI ([PT]) holds "." or ".." here. Apache
		// merges it with APR_FILEPATH_SECUREROOT, which refuses one that
		// climbs above the document root.
		f, ok := apr.FilepathMergeSecure(h.DocumentRoot, path)
		if !ok {
			return &Outcome{Status: 403, LogLevel: "error", LogModule: "core",
				Log: "AH00127: Cannot map " + requestLine(r) + " to file"}
		}
		r.Filename = strings.TrimSuffix(f, "/")
		if strings.HasSuffix(path, "/") {
			r.Filename += "/"
		}
		return nil
	}
	r.Filename = strings.TrimSuffix(h.DocumentRoot, "/") + "/" + path
	return nil
}

// locationAlias is mod_alias's try_alias: a <Location>'s one-argument
// Alias maps the request to its expression's value, followed, under
// AliasPreservePath On, by the rest of the URI after the section's path.
func (t *Table) locationAlias(r *Request, locDir *confparse.DirConfig, la *confparse.LocationAlias) *Outcome {
	found, err := la.Target.EvalString(exprContext{r})
	if err != nil {
		return &Outcome{Status: 500, LogLevel: "error", LogModule: "alias",
			Log: "AH02825: Can't evaluate alias expression: " + err.Error()}
	}
	if la.Fake != "" && flagOn(locDir.AliasPreservePath) {
		if l := confparse.AliasMatches(r.URI, la.Fake); l > 0 {
			r.ContextPrefix, r.ContextDocumentRoot = la.Fake, found
			found += r.URI[l:]
		}
	}
	if la.Handler != "" {
		r.Handler = la.Handler
		r.SetNote("alias-forced-type", la.Handler)
	}
	r.Filename = t.Config.RootRelative(found)
	return nil
}

// hasDotSegment reports whether a relative path has a "." or ".."
// segment.
func hasDotSegment(path string) bool {
	for path != "" {
		seg := path
		if i := strings.IndexByte(path, '/'); i >= 0 {
			seg, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func isRedirectStatus(s int) bool { return s >= 300 && s < 400 }

// matchAlias is try_alias_list for one Alias entry: the file name it maps
// the URI to.
func (t *Table) matchAlias(a confparse.Alias, uri string) (string, bool) {
	if a.Regex {
		re := t.regex[a.From]
		if re == nil {
			return "", false
		}
		m := re.FindStringSubmatchIndex(uri)
		if m == nil {
			return "", false
		}
		return pregsub(a.To, uri, m), true
	}
	l := confparse.AliasMatches(uri, a.From)
	if l <= 0 {
		return "", false
	}
	return a.To + uri[l:], true
}

// matchRedirect is try_alias_list for a Redirect: the escaped target.
func (t *Table) matchRedirect(rd confparse.Redirect, uri string) (string, bool) {
	if rd.Expr {
		return "", false // the <Location> form is applied in fixups
	}
	if rd.Regex {
		re := t.regex[rd.From]
		if re == nil {
			return "", false
		}
		m := re.FindStringSubmatchIndex(uri)
		if m == nil {
			return "", false
		}
		if rd.To == "" {
			return "", true
		}
		found := pregsub(rd.To, uri, m)
		base, frag, hasFrag := strings.Cut(found, "#")
		base, query, hasQuery := strings.Cut(base, "?")
		out := escapeURI(base)
		if hasQuery {
			out += "?" + query
		}
		if hasFrag {
			out += "#" + frag
		}
		return out, true
	}
	l := confparse.AliasMatches(uri, rd.From)
	if l <= 0 {
		return "", false
	}
	return rd.To + escapePath(uri[l:]), true
}

// matchWSGIAlias is mod_wsgi's wsgi_alias_matches plus filename formation:
// the whole URI is appended when the alias is "/", else the rest after the
// match; the regex form substitutes $0-$9 into the target.
func (t *Table) matchWSGIAlias(a *confparse.WSGIScriptAlias, uri string) (string, bool) {
	if a.Match {
		re := t.regex[a.URL]
		if re == nil {
			return "", false
		}
		m := re.FindStringSubmatchIndex(uri)
		if m == nil {
			return "", false
		}
		return pregsub(a.Target, uri, m) + uri[m[1]:], true
	}
	l := confparse.AliasMatches(uri, a.URL)
	if l <= 0 {
		return "", false
	}
	if a.URL == "/" {
		return a.Target + uri, true
	}
	return a.Target + uri[l:], true
}

// mapToStorage is core_map_to_storage: the directory walk, then the file
// walk.
func (t *Table) mapToStorage(r *Request) *Outcome {
	if r.Filename == "" {
		return nil
	}
	if o := t.directoryWalk(r); o != nil {
		return o
	}
	t.fileWalk(r)
	return nil
}

// directoryWalk is ap_directory_walk: it merges the <Directory> sections
// and .htaccess files along the path, stats the path one component at a
// time to find the file and its PATH_INFO, and checks symbolic links
// against Options.
func (t *Table) directoryWalk(r *Request) *Outcome {
	name := filepath.Clean(r.Filename)
	if !strings.HasPrefix(name, "/") {
		return nil
	}
	if strings.HasSuffix(r.Filename, "/") && name != "/" {
		name += "/"
	}
	full, err := t.stat.Stat(name)
	if err != nil || (!full.IsDir() && strings.HasSuffix(name, "/")) {
		full = nil
	}
	opts := r.Dir.Options.Opts
	override, overrideOpts := r.Dir.AllowOverride, r.Dir.AllowOverrideOpts
	overrideList := r.Dir.OverrideList
	var merged *confparse.DirConfig
	mergeIn := func(dc *confparse.DirConfig) {
		merged = t.merges.merge(merged, dc)
		opts, override, overrideOpts = r.Dir.MergedOptions(merged)
		if merged.OverrideList != nil {
			overrideList = merged.OverrideList
		}
	}
	h := r.Host
	secIdx := 0
	// current is the directory reached, with its trailing slash; the
	// components still to walk are name[pos:].
	current, pos := "/", 1
	var info fs.FileInfo
	isDir, fileAtEnd := true, false
	for {
		// The <Directory> sections of this depth: Apache counts the '/'
		// of the path with its trailing slash ("/srv/" is 2; "/" is 1,
		// and <Directory /> counts 0 so it always comes first).
		seg := strings.Count(current, "/")
		for ; secIdx < len(h.dirs); secIdx++ {
			d := h.dirs[secIdx]
			if d.Regex != nil || d.components > seg {
				break
			}
			if d.components != 0 && (d.components < seg || !d.matches(current)) {
				continue
			}
			mergeIn(d.Dir)
			r.files = append(r.files, nestedOf(d.Section, confparse.SectionFiles)...)
			r.ifs = append(r.ifs, nestedIfs(d.Section)...)
		}
		// The .htaccess of this directory.
		if override == nil || *override != 0 || len(overrideList) > 0 {
			ht, o := t.readHtaccess(r, current, override, overrideOpts, overrideList)
			if o != nil {
				// The walk stops with r->filename at this directory.
				r.Filename = current
				return o
			}
			if ht != nil {
				mergeIn(ht.Dir)
				r.files = append(r.files, ht.files...)
			}
		}
		if pos >= len(name) {
			break
		}
		// The next component: candidate is current joined with it, and
		// rest what follows it (the PATH_INFO should the walk stop there).
		end := strings.IndexByte(name[pos:], '/')
		if end < 0 {
			end = len(name)
		} else {
			end += pos
		}
		candidate, rest := name[:end], name[end:]
		pos = end + 1
		last := pos >= len(name)
		if full != nil && opts&(confparse.OptSymOwner|confparse.OptSymLinks) == confparse.OptSymLinks {
			// Apache's first optimisation: the whole path exists and
			// symlinks are followed, so no level is stat'ed and each,
			// the final file's too, is taken for a directory: the
			// <Directory> sections matching the file's own path apply
			// (and its ".htaccess" is looked for, in vain).
			current = dirOf(name, end)
			if last {
				info = full
				fileAtEnd = !full.IsDir()
			}
			continue
		}
		li, err := t.stat.Lstat(candidate)
		if err != nil {
			if os.IsNotExist(err) || isENOTDIR(err) {
				if isENOTDIR(err) {
					return t.forbidden(r, "AH00036: access to "+r.URI+" failed (filesystem path '"+candidate+"')")
				}
				current = candidate
				isDir = false
				info = nil
				r.PathInfo = rest
				break
			}
			if os.IsPermission(err) {
				return t.forbidden(r, "AH00035: access to "+r.URI+" denied (filesystem path '"+candidate+"') because search permissions are missing on a component of the path")
			}
			return t.forbidden(r, "AH00036: access to "+r.URI+" failed (filesystem path '"+candidate+"')")
		}
		if li.Mode()&fs.ModeSymlink != 0 {
			checked := opts
			if last && r.familiar && opts&confparse.OptSymLinks != 0 {
				checked = confparse.OptSymLinks // only the target's existence
			}
			target, ok := resolveSymlink(t.stat, candidate, li, checked)
			if !ok {
				return t.forbidden(r, "AH00037: Symbolic link not allowed or link target not accessible: "+candidate)
			}
			li = target
		}
		switch {
		case li.Mode().IsRegular():
			current = candidate
			info = li
			isDir = false
			// The path info keeps the URI's trailing slash ("file/" has "/").
			r.PathInfo = rest
		case li.IsDir():
			current = dirOf(name, end)
			info = li
			continue
		default:
			return t.forbidden(r, "AH00038: Forbidden: "+candidate+" doesn't point to a file or directory")
		}
		break
	}
	if fileAtEnd {
		current, isDir = strings.TrimSuffix(current, "/"), false
	}
	if isDir {
		r.Filename = strings.TrimSuffix(current, "/")
		if r.Filename == "" {
			r.Filename = "/"
		}
		if info == nil {
			info, _ = t.stat.Stat(current)
		}
		if strings.HasSuffix(name, "/") && r.Filename != "/" {
			r.Filename += "/"
		}
	} else {
		r.Filename = current
	}
	r.Info = info
	// Regex sections match the whole file name.
	for ; secIdx < len(h.dirs); secIdx++ {
		d := h.dirs[secIdx]
		if d.Regex == nil {
			continue
		}
		m := d.Regex.FindStringSubmatchIndex(r.Filename)
		if m == nil {
			continue
		}
		exportNamedGroups(r, d.Regex.SubexpNames(), r.Filename, m)
		mergeIn(d.Dir)
		r.files = append(r.files, nestedOf(d.Section, confparse.SectionFiles)...)
		r.ifs = append(r.ifs, nestedIfs(d.Section)...)
	}
	r.Dir = t.merges.merge(r.Dir, merged)
	return nil
}

func joinDir(dir, name string) string {
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

// dirOf is the directory name[:end] with its trailing slash: a slice of
// name when name has the slash there.
func dirOf(name string, end int) string {
	if end < len(name) {
		return name[:end+1]
	}
	return name + "/"
}

// matches is a <Directory> test at one level: equal path, or fnmatch with
// FNM_PATHNAME for wildcard sections.
func (d *dirSection) matches(dir string) bool {
	if d.fnmatch {
		return apr.Fnmatch(d.Path, dir, apr.FNMPathname)
	}
	return dir == d.Path
}

func fnmatchTest(p string) bool { return apr.FnmatchTest(p) }

// resolveSymlink is request.c's resolve_symlink: FollowSymLinks follows
// any link whose target exists; SymLinksIfOwnerMatch also wants the link
// and target owned by the same user.
func resolveSymlink(c *statcache.Cache, path string, link fs.FileInfo, opts int) (fs.FileInfo, bool) {
	if opts&(confparse.OptSymOwner|confparse.OptSymLinks) == 0 {
		return nil, false
	}
	target, err := c.Stat(path)
	if err != nil {
		return nil, false
	}
	// SymLinksIfOwnerMatch holds whenever it is set, FollowSymLinks or
	// not (Apache's resolve_symlink).
	if opts&confparse.OptSymOwner != 0 && fileOwner(link) != fileOwner(target) {
		return nil, false
	}
	return target, true
}

// fileWalk is ap_file_walk: <Files>/<FilesMatch> sections (server-level,
// then those nested in matched directories and .htaccess files) tested
// against the file name's last component. As in locationWalk, the
// matching sections are merged with each other first, then onto the
// request's configuration: the last one's AuthMerging then decides how
// their access rules combine with the directory's.
func (t *Table) fileWalk(r *Request) {
	base := filepath.Base(strings.TrimSuffix(r.Filename, "/"))
	if r.Filename == "" {
		return
	}
	var merged *confparse.DirConfig
	for _, f := range append(append([]*confparse.Section(nil), r.Host.files...), r.files...) {
		if f.Regex != nil {
			m := f.Regex.FindStringSubmatchIndex(base)
			if m == nil {
				continue
			}
			exportNamedGroups(r, f.Regex.SubexpNames(), base, m)
		} else if apr.FnmatchTest(f.Path) {
			if !apr.Fnmatch(f.Path, base, 0) {
				continue
			}
		} else if f.Path != base {
			continue
		}
		merged = t.merges.merge(merged, f.Dir)
		r.ifs = append(r.ifs, nestedIfs(f)...)
	}
	t.merge(r, merged)
}

// locationWalk is ap_location_walk: every matching <Location> and
// <LocationMatch>, in config order, main server's first, merged with each
// other, then onto the request's configuration (merges are not all
// associative: UnsetEnv in the first of two matching sections is lost).
func (t *Table) locationWalk(r *Request) {
	var merged *confparse.DirConfig
	// <Location> paths match the URI with its slashes merged, even
	// under MergeSlashes Off; <LocationMatch> patterns the URI as it is.
	entry := r.URI
	if r.Host.keepSlashes {
		entry = mergeSlashes(entry)
	}
	for _, l := range r.Host.locations {
		if l.Regex != nil {
			m := l.Regex.FindStringSubmatchIndex(r.URI)
			if m == nil {
				continue
			}
			exportNamedGroups(r, l.Regex.SubexpNames(), r.URI, m)
		} else if !locationMatches(l.Path, entry) {
			continue
		}
		merged = t.merges.merge(merged, l.Dir)
		r.ifs = append(r.ifs, nestedIfs(l)...)
	}
	t.merge(r, merged)
}

// mergeSlashes is ap_no2slash: every run of '/' made one.
func mergeSlashes(s string) string {
	if !strings.Contains(s, "//") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i > 0 && s[i-1] == '/' {
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// locationMatches is the <Location> prefix test: the path must end at a
// '/' or at the end of the URI unless the pattern ends in '/'; a wildcard
// pattern is an fnmatch with FNM_PATHNAME.
func locationMatches(pattern, uri string) bool {
	if apr.FnmatchTest(pattern) {
		return apr.Fnmatch(pattern, uri, apr.FNMPathname)
	}
	if pattern == "/" {
		return true
	}
	if !strings.HasPrefix(uri, pattern) {
		return false
	}
	return strings.HasSuffix(pattern, "/") || len(uri) == len(pattern) || uri[len(pattern)] == '/'
}

func nestedOf(s *confparse.Section, kind confparse.SectionKind) []*confparse.Section {
	var out []*confparse.Section
	for _, n := range s.Nested {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

func nestedIfs(s *confparse.Section) []*confparse.Section {
	var out []*confparse.Section
	for _, n := range s.Nested {
		if n.Kind == confparse.SectionIf || n.Kind == confparse.SectionElseIf || n.Kind == confparse.SectionElse {
			out = append(out, n)
		}
	}
	return out
}

// exportNamedGroups sets MATCH_<NAME> for each named group of a section
// regex, as Apache does for (?<name>...): the name upper-cased as
// ap_str_toupper does it, in ASCII only.
func exportNamedGroups(r *Request, names []string, s string, m []int) {
	for i, n := range names {
		if n == "" || 2*i+1 >= len(m) || m[2*i] < 0 {
			continue
		}
		name := []byte("MATCH_" + n)
		for j, c := range name {
			if 'a' <= c && c <= 'z' {
				name[j] = c - ('a' - 'A')
			}
		}
		r.setEnv(string(name), s[m[2*i]:m[2*i+1]])
	}
}

// forbidden is a 403 with its error log line.
func (t *Table) forbidden(r *Request, msg string) *Outcome {
	return &Outcome{Status: 403, Log: msg, LogLevel: "error", LogModule: "core"}
}

func (o *Outcome) Error() string { return statusLine(o.Status) }
