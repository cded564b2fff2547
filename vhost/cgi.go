package vhost

import (
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
)

// EnvVar is one variable of the environment a script sees.
type EnvVar struct {
	Key, Value string
}

// defaultAdmin is Apache's ServerAdmin when none is configured.
const defaultAdmin = "[no address given]"

// CGIEnv appends to env the environment mod_wsgi gives applications, in
// its order: the request's subprocess_env (SetEnv and friends) overlaid
// by what ap_add_cgi_vars, then ap_add_common_vars add (the request's
// header fields in the order the client sent them). The result has one entry
// per name (names compared without case), as Apache's table after those
// functions: the first entry's spelling and the last one's value, so
// "SetEnv http_host x" yields http_host with the Host header's value.
// passAuth is CGIPassAuth: whether Authorization headers are exported.
func (h *Handler) CGIEnv(r *Request, env []EnvVar, passAuth bool) []EnvVar {
	start := len(env)
	// After a rewrite's internal redirect the environment has the URL
	// it replaced (for %{ENV:REDIRECT_URL}); the CGI variables have it
	// last, where ap_add_common_vars adds it.
	var own []EnvVar
	for _, kv := range r.Env {
		if ln := r.ln; ln != nil && (ln.ownURL && kv.Key == "REDIRECT_URL" || ln.ownArgs && kv.Key == "REDIRECT_QUERY_STRING") {
			own = append(own, kv)
			continue
		}
		env = append(env, kv)
	}
	n := len(env) - start
	env = append(h.cgiEnv(r, env, passAuth), own...)
	tail := compress(env[start:], n)
	return env[:start+len(tail)]
}

func (h *Handler) cgiEnv(r *Request, env []EnvVar, passAuth bool) []EnvVar {
	// mod_wsgi calls ap_add_cgi_vars, then ap_add_common_vars.
	env = h.appendCGIVars(r, env)
	env = appendHeaderVars(r, env, passAuth)
	if v, ok := os.LookupEnv("LD_LIBRARY_PATH"); ok {
		env = append(env, EnvVar{"LD_LIBRARY_PATH", v})
	}
	docRoot := r.Host.DocumentRoot
	if docRoot == "" {
		docRoot = DefaultDocumentRoot
	}
	contextRoot := r.ContextDocumentRoot
	if contextRoot == "" {
		contextRoot = docRoot
	}
	admin := r.Host.Admin
	if admin == "" {
		admin = defaultAdmin
	}
	serverName := r.serverName()
	if strings.Contains(serverName, ":") {
		serverName = "[" + serverName + "]"
	}
	env = append(env,
		EnvVar{"SERVER_SIGNATURE", h.signature(r)},
		EnvVar{"SERVER_SOFTWARE", h.Table.Banner},
		EnvVar{"SERVER_NAME", htmlEscaped(serverName)},
		EnvVar{"SERVER_ADDR", addrString(r.Local.Addr())},
		EnvVar{"SERVER_PORT", strconv.Itoa(r.serverPort())},
	)
	if name, ok := r.RemoteHost(); ok {
		env = append(env, EnvVar{"REMOTE_HOST", name})
	}
	env = append(env,
		EnvVar{"REMOTE_ADDR", addrString(r.Remote.Addr())},
		EnvVar{"DOCUMENT_ROOT", docRoot},
		EnvVar{"REQUEST_SCHEME", r.Scheme},
		EnvVar{"CONTEXT_PREFIX", r.ContextPrefix},
		EnvVar{"CONTEXT_DOCUMENT_ROOT", contextRoot},
		EnvVar{"SERVER_ADMIN", admin},
		EnvVar{"SCRIPT_FILENAME", r.Filename},
		EnvVar{"REMOTE_PORT", strconv.Itoa(int(r.Peer.Port()))},
	)
	if r.User != "" {
		env = append(env, EnvVar{"REMOTE_USER", r.User})
	} else {
		// The user of the request an ErrorDocument was served for.
		for back := r.replaced(); back != nil; back = back.replaced() {
			if back.User != "" {
				env = append(env, EnvVar{"REDIRECT_REMOTE_USER", back.User})
				break
			}
		}
	}
	if r.AuthType != "" {
		env = append(env, EnvVar{"AUTH_TYPE", r.AuthType})
	}
	if p := r.prev; p != nil {
		// The URL an ErrorDocument was served for.
		if r.Dir != nil && flagOn(r.Dir.QualifyRedirectURL) {
			// QualifyRedirectURL On: its URL, scheme, host and query.
			u := p.constructURL(p.URI)
			if p.HasArgs {
				u += "?" + p.Args
			}
			env = append(env, EnvVar{"REDIRECT_URL", u})
		} else {
			env = append(env, EnvVar{"REDIRECT_URL", p.URI})
		}
		if p.HasArgs {
			env = append(env, EnvVar{"REDIRECT_QUERY_STRING", p.Args})
		}
	}
	return env
}

// appendHeaderVars adds the request headers as ap_add_common_vars does:
// HTTP_ + the name upper-cased with '-' as '_', names with any other
// character left out, Content-Type and Content-Length without the
// prefix, Proxy never, Authorization only with CGIPassAuth.
func appendHeaderVars(r *Request, env []EnvVar, passAuth bool) []EnvVar {
	hr := r.HTTP
	sawLength := false
	r.eachRequestHeader(func(name, value string) {
		switch {
		case strings.EqualFold(name, "Content-Type"):
			env = append(env, EnvVar{"CONTENT_TYPE", value})
		case strings.EqualFold(name, "Content-Length"):
			env = append(env, EnvVar{"CONTENT_LENGTH", value})
			sawLength = true
		case strings.EqualFold(name, "Proxy"):
		case strings.EqualFold(name, "Authorization"), strings.EqualFold(name, "Proxy-Authorization"):
			if passAuth {
				if key, ok := httpEnvName(name); ok {
					env = append(env, EnvVar{key, value})
				}
			}
		default:
			if key, ok := httpEnvName(name); ok {
				env = append(env, EnvVar{key, value})
			}
		}
	})
	if !sawLength && hr.ContentLength > 0 && len(hr.TransferEncoding) == 0 {
		env = append(env, EnvVar{"CONTENT_LENGTH", strconv.FormatInt(hr.ContentLength, 10)})
	}
	return env
}

// httpEnvName is Apache's http2env: false for names it does not export.
func httpEnvName(name string) (string, bool) {
	b := make([]byte, 0, 5+len(name))
	b = append(b, "HTTP_"...)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		case c == '-':
			b = append(b, '_')
		default:
			return "", false
		}
	}
	return string(b), true
}

// appendCGIVars is ap_add_cgi_vars.
func (h *Handler) appendCGIVars(r *Request, env []EnvVar) []EnvVar {
	proto := r.HTTP.Proto
	if proto == "" {
		proto = "HTTP/1.0"
	}
	env = append(env,
		EnvVar{"GATEWAY_INTERFACE", "CGI/1.1"},
		EnvVar{"SERVER_PROTOCOL", proto},
		EnvVar{"REQUEST_METHOD", r.Method},
		EnvVar{"QUERY_STRING", r.Args},
		EnvVar{"REQUEST_URI", r.HTTP.RequestURI},
	)
	if r.PathInfo == "" {
		return append(env, EnvVar{"SCRIPT_NAME", r.URI})
	}
	env = append(env,
		EnvVar{"SCRIPT_NAME", r.URI[:FindPathInfo(r.URI, r.PathInfo)]},
		EnvVar{"PATH_INFO", r.PathInfo},
	)
	if pt, ok := h.lookupFile(r, r.PathInfo); ok {
		env = append(env, EnvVar{"PATH_TRANSLATED", pt})
	}
	return env
}

// FindPathInfo is ap_find_path_info: where in uri the path info starts,
// tolerating repeated slashes the path walk collapsed.
func FindPathInfo(uri, pathInfo string) int {
	lu, lp := len(uri), len(pathInfo)
	for {
		lu--
		if lu < 0 {
			break
		}
		lp--
		if lp < 0 || uri[lu] != pathInfo[lp] {
			break
		}
		if pathInfo[lp] == '/' {
			for lu > 0 && uri[lu-1] == '/' {
				lu--
			}
		}
	}
	if lu < 0 {
		lu = 0
	}
	for lu < len(uri) && uri[lu] != '/' {
		lu++
	}
	return lu
}

// lookupFile maps a URI path as ap_sub_req_lookup_uri does (the whole
// mapping, mod_dir's index included) and returns the file name with its
// path info: how Apache computes PATH_TRANSLATED.
func (h *Handler) lookupFile(r *Request, uri string) (string, bool) {
	// ap_sub_req_lookup_uri(ap_escape_uri(path_info)): the decoded path
	// is escaped again, then normalised and decoded once, as a
	// request's URI is (a "%41" in it stays "%41").
	escaped := escapeURI(uri)
	norm, ok := NormalizePath(escaped, !r.Host.keepSlashes, true)
	if !ok {
		return "", false
	}
	if norm, ok = unescapeSub(norm, encodedSlashes(r.Host.AllowEncodedSlashes)); !ok {
		return "", false
	}
	sub, o := h.newSubRequest(r, "/")
	if o != nil || sub == nil {
		return "", false
	}
	sub.UnparsedURI, sub.URI, sub.Args, sub.HasArgs = escaped, norm, "", false
	// make_sub_request copies the request's environment.
	sub.Env = slices.Clone(r.Env)
	h.mapRequest(sub)
	if sub.Filename == "" {
		return "", false
	}
	return sub.Filename + sub.PathInfo, true
}

// unescapeSub is ap_unescape_url of a sub-request's path; false when it
// refuses the path.
func unescapeSub(path string, slashes int) (string, bool) {
	out, status := Unescape(path, slashes)
	return out, status == 0
}

// ServerName is ap_get_server_name: the host name the request is for.
func (r *Request) ServerName() string { return r.serverName() }

// ServerPort is ap_get_server_port.
func (r *Request) ServerPort() int { return r.serverPort() }

// htmlEscaped is ap_escape_html, without work for the usual name that
// needs no escaping.
func htmlEscaped(s string) string {
	if !strings.ContainsAny(s, `<>&"`) {
		return s
	}
	return escapeHTML(s)
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.Unmap().String()
}

// SendError answers the request with the error response Apache gives for
// o (ErrorDocument included), for handlers that answer from another
// goroutine than the one serving the request.
func (h *Handler) SendError(w http.ResponseWriter, r *Request, o *Outcome) {
	h.sendError(w, r, o)
}

// HookEnv appends the environment mod_wsgi gives its authentication
// hooks (Auth_environ): the request headers but Authorization, the
// server's and client's addresses, the request line's parts and the
// script name and path info. banner is the server banner (ServerTokens).
func (r *Request) HookEnv(banner string, env []EnvVar) []EnvVar {
	hr := r.HTTP
	if hr.Host != "" {
		env = append(env, EnvVar{"HTTP_HOST", hr.Host})
	}
	for name, values := range hr.Header {
		value := strings.Join(values, ", ")
		switch {
		case strings.EqualFold(name, "Content-Type"):
			env = append(env, EnvVar{"CONTENT_TYPE", value})
		case strings.EqualFold(name, "Content-Length"):
			env = append(env, EnvVar{"CONTENT_LENGTH", value})
		case strings.EqualFold(name, "Authorization"), strings.EqualFold(name, "Proxy-Authorization"):
		default:
			if key, ok := httpEnvName(name); ok {
				env = append(env, EnvVar{key, value})
			}
		}
	}
	mode := "off"
	if r.Dir != nil && r.Dir.ServerSignature != nil {
		mode = *r.Dir.ServerSignature
	}
	admin := r.Host.Admin
	if admin == "" {
		admin = defaultAdmin
	}
	docRoot := r.Host.DocumentRoot
	if docRoot == "" {
		docRoot = DefaultDocumentRoot
	}
	proto := hr.Proto
	if proto == "" {
		proto = "HTTP/1.0"
	}
	scriptName, pathInfo := r.URI, r.PathInfo
	if pathInfo != "" {
		scriptName = r.URI[:FindPathInfo(r.URI, pathInfo)]
	}
	return append(env,
		EnvVar{"SERVER_SIGNATURE", Signature("", mode, banner, r.serverName(), r.serverPort(), admin)},
		EnvVar{"SERVER_SOFTWARE", banner},
		EnvVar{"SERVER_NAME", htmlEscaped(r.serverName())},
		EnvVar{"SERVER_ADDR", addrString(r.Local.Addr())},
		EnvVar{"SERVER_PORT", strconv.Itoa(r.serverPort())},
		EnvVar{"REMOTE_ADDR", addrString(r.Remote.Addr())},
		EnvVar{"DOCUMENT_ROOT", docRoot},
		EnvVar{"SERVER_ADMIN", admin},
		EnvVar{"REMOTE_PORT", strconv.Itoa(int(r.Peer.Port()))},
		EnvVar{"SERVER_PROTOCOL", proto},
		EnvVar{"REQUEST_METHOD", r.Method},
		EnvVar{"QUERY_STRING", r.Args},
		EnvVar{"REQUEST_URI", hr.RequestURI},
		EnvVar{"SCRIPT_NAME", scriptName},
		EnvVar{"PATH_INFO", pathInfo},
	)
}
