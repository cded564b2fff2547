package rewrite

import (
	"strings"

	"github.com/gowsgid/gowsgid/internal/apr"
)

// Enabled reports whether d turns the engine on: the test the hooks make
// first, so that a request without RewriteEngine On costs nothing more.
func (d *DirConf) Enabled() bool { return d != nil && d.On }

// Translate is hook_uri2file: the server's rules (sc) applied to the
// request's URI, when the per-directory configuration at translate time
// (dc: the server's defaults and <Location> sections) has the engine on.
// It sets SCRIPT_URL and SCRIPT_URI.
func Translate(sc *ServerConf, dc *DirConf, r *Request) Result {
	if !dc.Enabled() || r.End {
		return Result{}
	}
	if dc.Options&OptAllowAnyURI == 0 && (r.UnparsedURI == "*" || !strings.HasPrefix(r.URI, "/")) {
		return Result{}
	}
	srv := r.Server
	var scriptURL string
	if !r.Sub {
		scriptURL = r.URI
		if v, ok := srv.Env("REDIRECT_SCRIPT_URL"); ok {
			scriptURL = v
		}
	} else {
		scriptURL = r.MainScriptURL
	}
	srv.SetEnv("SCRIPT_URL", scriptURL)
	srv.SetEnv("SCRIPT_URI", r.Scheme+"://"+r.ServerName+portSuffix(r.Port, r.DefaultPort)+scriptURL)
	if sc == nil {
		return Result{}
	}
	oargs, ohas := r.Args, r.HasArgs
	if r.Filename == "" {
		r.Filename = r.URI
	}
	x := &evalCtx{r: r, srv: sc}
	status, lastSub := x.applyList(sc.Rules)
	if status == actionNone {
		return Result{}
	}
	skipAbs, _ := isAbsoluteURI(r.Filename)
	if res, done := x.settle(status, skipAbs, "AH10410", "AH00669"); done {
		return res
	}
	switch {
	case skipAbs > 0:
		return redirectResult(r, x.status, status, skipAbs, oargs, ohas)
	case strings.HasPrefix(r.Filename, "passthrough:") && len(r.Filename) > 12:
		r.URI = r.Filename[12:]
		return Result{Action: PassThrough}
	}
	r.Filename = expandTilde(r.Filename)
	if !strings.HasPrefix(r.Filename, "/") {
		return Result{Action: Answer, Status: 400}
	}
	if sc.Options&OptUnsafePrefixStat != 0 {
		lastSub = nil
	}
	if !prefixStat(r.Filename, lastSub, r.DocumentRoot, r.ContextDocumentRoot) || r.uriReduced {
		f, ok := apr.FilepathMergeSecure(r.DocumentRoot, strings.TrimLeft(r.Filename, "/"))
		if !ok {
			srv.Log("error", "AH00127: Cannot map "+varOf(srv, "THE_REQUEST")+" to file")
			return Result{Action: Answer, Status: 403}
		}
		r.Filename = f
	}
	return Result{Action: Mapped}
}

// settle is what both hooks do first with a rule list's action: refuse
// a query string with control characters or spaces that will not be
// escaped (argsAH), answer a status, refuse [P] (proxyAH). done is false
// when the hook goes on.
func (x *evalCtx) settle(action, skipAbs int, argsAH, proxyAH string) (res Result, done bool) {
	r := x.r
	willEscape := skipAbs > 0 && action != actionNoEscape
	switch {
	case r.HasArgs && !willEscape && hasCtlOrSpace(r.Args):
		r.Server.Log("error", argsAH+": Rewritten query string contains control characters or spaces")
		return Result{Action: Answer, Status: 403}, true
	case action == actionStatus || action == actionSetDone:
		return Result{Action: Answer, Status: x.status}, true
	case strings.HasPrefix(r.Filename, "proxy:") && len(r.Filename) > 6:
		return proxyRefused(r, proxyAH), true
	}
	return Result{}, false
}

// proxyRefused is the answer to [P]: gowsgid has no mod_proxy.
func proxyRefused(r *Request, ah string) Result {
	msg := ah + ": attempt to make remote request from mod_rewrite without proxy enabled: " + r.Filename
	if r.ProxyLoaded {
		msg += " (gowsgid does not implement mod_proxy)"
	}
	r.Server.Log("error", msg)
	return Result{Action: Answer, Status: 403}
}

// redirectResult is the external redirect both hooks end in: the URL
// escaped unless [NE], the query string appended (escaped unless [NE] or
// unchanged), and the status of [R=] if it is a redirect, else 302.
func redirectResult(r *Request, status, action, skipAbs int, oargs string, ohas bool) Result {
	loc := r.Filename
	if action != actionNoEscape {
		loc = escapeAbsoluteURI(loc, skipAbs)
	}
	if r.HasArgs {
		if action == actionNoEscape || (ohas && r.Args == oargs) {
			loc += "?" + r.Args
		} else {
			loc += "?" + escapeURI(r.Args)
		}
	}
	if status < 300 || status > 399 {
		status = 302
	}
	return Result{Action: Answer, Status: status, Location: loc}
}

// Fixup is hook_fixup: the rules of the request's per-directory
// configuration applied to its file name (with the directory prefix
// stripped). A local result becomes an internal redirect (Action
// Redirect, Handler set to RedirectHandler); sc gives the maps.
func Fixup(sc *ServerConf, dc *DirConf, r *Request) Result {
	if !dc.Enabled() || dc.Directory == "" {
		return Result{}
	}
	if dc.Options&OptAllowNoSlash == 0 {
		l := len(dc.Directory) - 1
		if r.Filename != "" && len(r.Filename) == l && dc.Directory[l] == '/' && r.Filename == dc.Directory[:l] {
			return Result{}
		}
	}
	if r.End {
		return Result{}
	}
	srv := r.Server
	if !r.FollowSymLinks {
		srv.Log("error", "AH00670: Options FollowSymLinks and SymLinksIfOwnerMatch are both off, so the RewriteRule directive is also forbidden due to its similar ability to circumvent directory restrictions : "+r.Filename)
		return Result{Action: Answer, Status: 403}
	}
	ofilename, oargs, ohas := r.Filename, r.Args, r.HasArgs
	if r.Filename == "" {
		r.Filename = r.URI
	}
	x := &evalCtx{r: r, srv: sc, perdir: dc.Directory, perdirBase: dc.Base}
	status, _ := x.applyList(dc.Rules)
	if status == actionNone {
		r.Filename = ofilename
		return Result{}
	}
	skipAbs, _ := isAbsoluteURI(r.Filename)
	if res, done := x.settle(status, skipAbs, "AH10411", "AH10160"); done {
		return res
	}
	switch {
	case skipAbs > 0:
		if dc.Base != "" {
			// A redirect to this directory's path is given the
			// RewriteBase instead.
			if slash := strings.IndexByte(r.Filename[skipAbs:], '/'); slash >= 0 && skipAbs+slash+1 < len(r.Filename) {
				cp := skipAbs + slash + 1
				rest, _ := substPrefixPath(r.Filename[cp:], strings.TrimPrefix(dc.Directory, "/"), dc.Base[1:])
				r.Filename = r.Filename[:cp] + rest
			}
		}
		return redirectResult(r, x.status, status, skipAbs, oargs, ohas)
	}
	if strings.HasPrefix(r.Filename, "passthrough:") && len(r.Filename) > 12 {
		r.Filename = r.Filename[12:]
	}
	if !strings.HasPrefix(r.Filename, "/") {
		return Result{Action: Answer, Status: 400}
	}
	if ofilename != "" && r.Filename == ofilename {
		return Result{} // "initial URL equal rewritten URL"
	}
	changed := false
	if dc.Base != "" {
		r.Filename, changed = substPrefixPath(r.Filename, dc.Directory, dc.Base)
	} else if root := strings.TrimSuffix(r.DocumentRoot, "/"); strings.HasPrefix(r.Filename, root) &&
		len(r.Filename) > len(root) && r.Filename[len(root)] == '/' {
		r.Filename, changed = r.Filename[len(root):], true
	}
	if !changed && dc.Options&OptIgnoreContextInfo == 0 {
		// Under an Alias: its directory is replaced by its URL.
		root := r.ContextDocumentRoot
		if root == "" {
			root = r.DocumentRoot
		}
		r.Filename, _ = substPrefixPath(r.Filename, root, r.ContextPrefix)
	}
	loc := r.Filename
	if r.HasArgs {
		loc += "?" + r.Args
	}
	r.Filename = "redirect:" + r.Filename
	r.Handler = RedirectHandler
	return Result{Action: Redirect, Location: loc}
}
