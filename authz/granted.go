package authz

import "github.com/gowsgid/gowsgid/confparse"

// AlwaysGranted reports whether Check grants every request under dc with
// the zero Result, so that a caller may skip building the Request: no
// mod_access_compat rules apply, no WSGIAccessScript runs, the Require
// lines decide without looking at the request (every line is "Require
// all ...", none inside <Limit>), they grant, and the debug lines a
// grant logs are not wanted (Options.Logged). The answer is remembered
// for each configuration, which the caller must not change afterwards.
func (c *Checker) AlwaysGranted(dc *confparse.DirConfig) bool {
	if c.opts.Logged == nil || c.opts.Logged(LevelDebug) {
		return false
	}
	if v, ok := c.granted.Load(dc); ok {
		return v.(bool)
	}
	g := c.alwaysGranted(dc)
	if c.ngranted.Add(1) <= maxCache {
		c.granted.Store(dc, g)
	}
	return g
}

// alwaysGranted is AlwaysGranted's decision, following process.
func (c *Checker) alwaysGranted(dc *confparse.DirConfig) bool {
	if dc == nil {
		dc = &confparse.DirConfig{}
	}
	if dc.AccessCompat != nil && c.loaded("mod_access_compat.c") {
		return false // satisfies and accessChecker read the request
	}
	if len(dc.AllowMethods) > 0 {
		return false // allowMethods reads the method
	}
	if dc.WSGI.AccessScript != nil && c.opts.Scripts != nil {
		return false
	}
	if dc.SSLRequireSSL || len(dc.SSLRequire) > 0 || dc.SSLUserName != nil {
		return false // sslAccess reads the connection
	}
	if dc.Authz == nil {
		return dc.AuthType == nil // else AuthType may ask for a 500
	}
	if !requestFree(dc.Authz) {
		return false
	}
	st := &state{c: c, dc: dc, r: &Request{Method: "GET"}}
	return st.apply(authzNode{dc.Authz, dc.Authz.Negate}, true) == authzGranted
}

// requestFree reports whether a Require tree decides the same for every
// request: only "all" lines, no <Limit>/<LimitExcept>.
func requestFree(sec *confparse.AuthzSection) bool {
	if len(sec.Limits) > 0 {
		return false
	}
	if sec.Provider != "" {
		return sec.Provider == "all"
	}
	for _, ch := range sec.Children {
		if !requestFree(ch) {
			return false
		}
	}
	return true
}
