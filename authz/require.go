package authz

import (
	"context"
	"net"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
)

// authzResult is mod_auth.h's authz_status.
type authzResult int

const (
	authzDenied authzResult = iota
	authzGranted
	authzNeutral
	authzGeneralError
	authzDeniedNoUser
)

// String is format_authz_result.
func (a authzResult) String() string {
	switch a {
	case authzDenied:
		return "denied"
	case authzGranted:
		return "granted"
	case authzDeniedNoUser:
		return "denied (no authenticated user yet)"
	}
	return "neutral"
}

// authorize is mod_authz_core's authorize_user_core: the access_checker_ex
// hook before authentication (afterAuthn false, may return declined: "a
// user might help") and the auth_checker hook after it.
func (st *state) authorize(afterAuthn bool) int {
	sec := st.dc.Authz
	if sec == nil {
		if st.hasAuthType() {
			st.log("authz_core", LevelError, "AH01627: AuthType configured with no corresponding authorization directives")
			return 500
		}
		st.log("authz_core", LevelDebug, "AH01628: authorization result: granted (no directives)")
		return statusOK
	}
	switch st.apply(authzNode{sec, sec.Negate}, true) {
	case authzGranted:
		return statusOK
	case authzDeniedNoUser:
		if !afterAuthn {
			return declined
		}
		st.log("authz_core", LevelError, "AH01629: authorization failure (no authenticated user): %s", st.r.URI)
		if st.hasUser {
			st.noteAuthFailure()
		}
		return 401
	case authzDenied, authzNeutral:
		if !afterAuthn || !st.hasAuthType() {
			st.log("authz_core", LevelError, "AH01630: client denied by server configuration: %s", st.deniedTarget())
			return 403
		}
		user := "(null)"
		if st.hasUser {
			user = st.user
		}
		st.log("authz_core", LevelError, "AH01631: user %s: authorization failure for \"%s\": ", user, st.r.URI)
		if f := st.dc.AuthzForbiddenOnFailure; f != nil && *f {
			return 403 // AuthzSendForbiddenOnFailure On
		}
		if st.hasUser {
			st.noteAuthFailure()
		}
		return 401
	}
	return 500
}

// authzNode is a section as mod_authz_core evaluates it: after its
// check_config pass, a negated container whose logic differs from its
// parent's is replaced by its children with their negation flipped (De
// Morgan), so a node's negation may differ from its section's.
type authzNode struct {
	sec    *confparse.AuthzSection
	negate bool
}

// children returns the nodes under a container after authz_core_check_section.
func children(sec *confparse.AuthzSection) []authzNode {
	out := make([]authzNode, 0, len(sec.Children))
	for _, ch := range sec.Children {
		if ch.Provider == "" && len(ch.Children) > 0 && ch.Negate && ch.And != sec.And {
			for _, g := range children(ch) {
				out = append(out, authzNode{g.sec, !g.negate})
			}
			continue
		}
		out = append(out, authzNode{ch, ch.Negate})
	}
	return out
}

// applicable reports whether a section applies to the request's method:
// a Require line by its <Limit>/<LimitExcept> sections, a container when
// any line under it does (Apache ORs the children's method masks).
func (st *state) applicable(sec *confparse.AuthzSection) bool {
	if sec.Provider != "" {
		return confparse.Admits(sec.Limits, st.r.Method)
	}
	for _, ch := range sec.Children {
		if st.applicable(ch) {
			return true
		}
	}
	return false
}

// formatCommand is format_authz_command.
func formatCommand(n authzNode) string {
	s := n.sec
	if s.Provider != "" {
		not := ""
		if n.negate {
			not = "not "
		}
		return "Require " + not + s.Provider + " " + s.Args
	}
	// A container confparse made for AuthMerging has no source position.
	merged := s.File == "" && s.Line == 0
	var kind string
	switch {
	case s.And && n.negate:
		kind = "NotAll"
	case s.And:
		kind = "All"
	case n.negate:
		kind = "None"
	default:
		kind = "Any"
	}
	if merged {
		return "AuthMerging " + kind
	}
	return "<Require" + kind + ">"
}

// apply is apply_authz_sections.
func (st *state) apply(n authzNode, parentAnd bool) authzResult {
	sec := n.sec
	if !st.applicable(sec) {
		res := authzNeutral
		if parentAnd {
			res = authzGranted
		}
		if st.logged(LevelDebug) {
			st.log("authz_core", LevelDebug, "AH01625: authorization result of %s: %s (directive limited to other methods)", formatCommand(n), res)
		}
		return res
	}
	var res authzResult
	if sec.Provider != "" {
		res = st.provider(sec)
	} else {
		res = authzNeutral
		for _, ch := range children(sec) {
			cr := st.apply(ch, sec.And)
			if cr == authzGeneralError {
				return authzGeneralError
			}
			if cr == authzNeutral {
				continue
			}
			if sec.And {
				if cr == authzDenied {
					res = cr
					break
				}
				if (cr == authzDeniedNoUser && res != authzDenied) || res == authzNeutral {
					res = cr
				}
			} else {
				if cr == authzGranted {
					res = cr
					break
				}
				if (cr == authzDeniedNoUser && res == authzDenied) || res == authzNeutral {
					res = cr
				}
			}
		}
	}
	if n.negate {
		switch res {
		case authzGranted:
			res = authzDenied
		case authzDenied, authzDeniedNoUser:
			res = authzNeutral
		}
	}
	if st.logged(LevelDebug) {
		st.log("authz_core", LevelDebug, "AH01626: authorization result of %s: %s", formatCommand(n), res)
	}
	return res
}

var (
	localhostV4 = &net.IPNet{IP: net.IPv4(127, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)}
	localhostV6 = net.IPv6loopback
)

// provider runs one Require line's provider.
func (st *state) provider(sec *confparse.AuthzSection) authzResult {
	args := sec.Args
	r := st.r
	switch sec.Provider {
	case "all":
		if strings.EqualFold(args, "granted") {
			return authzGranted
		}
		return authzDenied
	case "env":
		for _, w := range confWords(args) {
			if _, ok := st.env(w); ok {
				return authzGranted
			}
		}
		return authzDenied
	case "method":
		m := st.method()
		for _, w := range confWords(args) {
			if w == "HEAD" {
				w = "GET"
			}
			if w == m {
				return authzGranted
			}
		}
		return authzDenied
	case "expr":
		return st.requireExpr(args)
	case "ip":
		for _, n := range st.c.subnets(args) {
			if subnetContains(n, r.RemoteIP) {
				return authzGranted
			}
		}
		return authzDenied
	case "local":
		ip := r.RemoteIP
		if ip != nil && ((r.LocalIP != nil && ip.Equal(r.LocalIP)) || localhostV4.Contains(ip) || ip.Equal(localhostV6)) {
			return authzGranted
		}
		return authzDenied
	case "host":
		return st.requireHost(args)
	case "forward-dns":
		return st.requireForwardDNS(args)
	case "valid-user":
		if !st.hasUser {
			return authzDeniedNoUser
		}
		return authzGranted
	case "user":
		if !st.hasUser {
			return authzDeniedNoUser
		}
		require, err := st.evalString(args)
		if err != nil {
			st.log("authz_user", LevelError, "AH02594: authz_user authorize: require user: Can't evaluate require expression: %s", err)
			return authzDenied
		}
		for _, w := range confWords(require) {
			if w == st.user {
				return authzGranted
			}
		}
		st.log("authz_user", LevelDebug, "AH01663: access to %s failed, reason: user '%s' does not meet 'require'ments for user to be allowed access", r.URI, st.user)
		return authzDenied
	case "ssl":
		return st.requireSSL()
	case "ssl-verify-client":
		return st.requireVerifiedClient()
	case "wsgi-group":
		return st.wsgiGroup(args)
	case "group":
		return st.requireGroup(args)
	}
	st.log("authz_core", LevelError, "Require %s is not supported by gowsgid", sec.Provider)
	return authzGeneralError
}

// subnets parses the arguments of Require ip.
func (c *Checker) subnets(args string) []confparse.IPSubnet {
	return c.cached("ip\x00"+args, func() any {
		var out []confparse.IPSubnet
		for _, w := range confWords(args) {
			addr, mask, _ := strings.Cut(w, "/")
			if n, err := confparse.ParseIPSubnet(addr, mask); err == nil {
				out = append(out, n)
			}
		}
		return out
	}).([]confparse.IPSubnet)
}

// requireExpr is mod_authz_core's expr provider.
func (st *state) requireExpr(src string) authzResult {
	if len(src) >= 2 && src[0] == '"' && src[len(src)-1] == '"' {
		src = src[1 : len(src)-1]
	}
	e, err := st.c.parseExpr(src, 0)
	if err == nil {
		var ok bool
		ok, err = e.Eval(exprCtx{st})
		if err == nil {
			if ok {
				return authzGranted
			}
			// mod_authz_core's expr_lookup_fn: an expression that looks
			// up REMOTE_USER makes a false one "denied, a user might
			// help" (a regex mentioning it does not).
			if e.ReadsVar("REMOTE_USER") {
				return authzDeniedNoUser
			}
			return authzDenied
		}
	}
	st.log("authz_core", LevelError, "AH02320: Error evaluating expression in 'Require expr': %s", err)
	return authzGeneralError
}

// requireHost is mod_authz_host's host provider.
func (st *state) requireHost(args string) authzResult {
	host, ok := st.remoteHost()
	if !ok {
		st.log("authz_host", LevelError, "AH01753: access check of '%s' to %s failed, reason: unable to get the remote host name", args, st.r.URI)
		return authzDenied
	}
	require, err := st.evalString(args)
	if err != nil {
		st.log("authz_host", LevelError, "AH02593: authz_host authorize: require host: Can't evaluate require expression: %s", err)
		return authzDenied
	}
	if i := strings.IndexByte(require, '#'); i >= 0 {
		if i == 0 {
			st.log("authz_host", LevelError, "AH10120: authz_host authorize: dubious empty 'Require host %s' with only comment", require)
			return authzDenied
		}
		st.log("authz_host", LevelWarn, "AH10121: authz_host authorize: ignoring comment in 'Require host %s'", require)
		require = require[:i]
	}
	for _, w := range confWords(require) {
		if inDomain(w, host) {
			return authzGranted
		}
	}
	return authzDenied
}

// requireForwardDNS is mod_authz_host's forward-dns provider.
func (st *state) requireForwardDNS(args string) authzResult {
	require, err := st.evalString(args)
	if err != nil {
		st.log("authz_host", LevelError, "AH03354: authz_host authorize: require forward-dns: Can't evaluate require expression: %s", err)
		return authzDenied
	}
	ip := st.r.RemoteIP
	for _, w := range confWords(require) {
		hash := strings.IndexByte(w, '#')
		if hash == 0 {
			break
		}
		if hash > 0 {
			w = w[:hash]
		}
		ctx, cancel := context.WithTimeout(st.ctx(), st.c.opts.DNSTimeout)
		addrs, err := st.c.opts.Resolver.LookupIP(ctx, "ip", w)
		cancel()
		if err == nil {
			for _, a := range addrs {
				match := ip != nil && a.Equal(ip)
				yes := "no"
				if match {
					yes = "yes"
				}
				st.log("authz_host", LevelDebug, "AH03355: access check for %s as '%s': %s", ipString(ip), w, yes)
				if match {
					return authzGranted
				}
			}
		} else {
			st.log("authz_host", LevelWarn, "AH03356: No sockaddr info for \"%s\"", w)
		}
		if hash > 0 {
			break
		}
	}
	return authzDenied
}

// requireGroup is mod_authz_groupfile's group provider.
func (st *state) requireGroup(args string) authzResult {
	if !st.hasUser {
		return authzDeniedNoUser
	}
	if st.dc.AuthGroupFile == nil {
		st.log("authz_groupfile", LevelError, "AH01664: No group file was specified in the configuration")
		return authzDenied
	}
	path := *st.dc.AuthGroupFile
	v, err := st.c.files.load("group", path, parseGroupFile)
	if err != nil {
		st.openFailed(path, err)
		st.log("authz_groupfile", LevelError, "%sAH01665: Could not open group file: %s", errnoPrefix(err), path)
		return authzDenied
	}
	groups := v.(*groupFile).groups[st.user]
	if len(groups) == 0 {
		st.log("authz_groupfile", LevelInfo, "AH01666: Authorization of user %s to access %s failed, reason: user doesn't appear in group file (%s).", st.user, st.r.URI, path)
		return authzDenied
	}
	require, err := st.evalString(args)
	if err != nil {
		st.log("authz_groupfile", LevelError, "AH02592: authz_groupfile authorize: require group: Can't evaluate require expression: %s", err)
		return authzDenied
	}
	for _, w := range confWords(require) {
		for _, g := range groups {
			// The groups are an APR table: names compare case-insensitively.
			if strings.EqualFold(g, w) {
				return authzGranted
			}
		}
	}
	st.log("authz_groupfile", LevelDebug, "AH01667: Authorization of user %s to access %s failed, reason: user is not part of the 'require'ed group(s).", st.user, st.r.URI)
	return authzDenied
}

// openFailed logs ap_pcfg_openfile's own message for a file that is not
// a regular file.
func (st *state) openFailed(path string, err error) {
	if err == errNotRegular {
		st.logs = append(st.logs, LogLine{Module: "core", Level: LevelError, Server: true,
			Message: "AH00555: Access to file " + path + " denied by server: not a regular file"})
	}
}
