package authz

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
)

// mod_ssl's part in access control: the access checker of SSLRequireSSL,
// SSLUserName and SSLRequire, SSLOptions +StrictRequire, and the Require
// providers ssl and ssl-verify-client.

// sslAccess is mod_ssl's ssl_hook_Access as far as gowsgid follows it:
// a directory's SSLVerifyClient is the caller's (vhost refuses what would
// need a renegotiation before access is checked).
func (st *state) sslAccess() int {
	dc, r := st.dc, st.r
	if dc.SSLRequireSSL && r.TLS == nil {
		st.log("ssl", LevelError, "AH02219: access to %s failed, reason: %s", r.Filename, "SSL connection required")
		st.sslForbidden = true
		return 403
	}
	if r.TLS == nil {
		return statusOK // mod_ssl has nothing more to check
	}
	if dc.SSLUserName != nil && !st.sslOptions()["fakebasicauth"] {
		// ssl_var_lookup, under the name as written: the context
		// applies mod_ssl's rules of case.
		if v, _ := (exprCtx{st}).Var(*dc.SSLUserName); v != "" {
			// Apache 2.4.71 also names the scheme (AUTH_TYPE).
			st.user, st.hasUser, st.authType = v, true, "ClientCert"
		} else {
			st.log("ssl", LevelWarn, "AH02227: Failed to set r->user to '%s'", *dc.SSLUserName)
		}
	}
	for _, req := range dc.SSLRequire {
		ok, err := req.Parsed.Eval(exprCtx{st: st})
		if err != nil {
			st.log("ssl", LevelError, "AH02265: access to %s failed, reason: Failed to execute SSL requirement expression: %s", r.Filename, err)
			st.sslForbidden = true
			return 403
		}
		if !ok {
			st.log("ssl", LevelInfo, "AH02266: Access to %s denied for %s (requirement expression not fulfilled)", r.Filename, ipString(r.RemoteIP))
			st.log("ssl", LevelInfo, "AH02228: Failed expression: %s", req.Expr)
			st.log("ssl", LevelError, "AH02229: access to %s failed, reason: %s", r.Filename, "SSL requirement expression not fulfilled")
			st.sslForbidden = true
			return 403
		}
	}
	return statusOK
}

// sslUserCheck is mod_ssl's ssl_hook_UserCheck, the first
// authentication hook: with SSLOptions +StrictRequire a request mod_ssl's
// access check refused stays refused even when Satisfy Any let it
// through; Basic credentials that pose as a faked certificate DN are
// refused; and with +FakeBasicAuth the client certificate's DN becomes
// Basic credentials with the password "password", for mod_auth_basic
// to check.
func (st *state) sslUserCheck() int {
	if !st.c.loaded("mod_ssl.c") {
		return declined
	}
	r := st.r
	opts := st.sslOptions()
	if st.sslForbidden && opts["strictrequire"] {
		return 403
	}
	if r.SubRequest || r.InternalRedirect {
		return declined // not the initial request
	}
	if vals := r.Header.Values("Authorization"); len(vals) > 0 {
		if scheme, rest := getWord(cString(vals[0]), ' '); strings.EqualFold(scheme, "Basic") {
			user, pw, _ := strings.Cut(aprBase64Decode(strings.TrimLeft(rest, " \t")), ":")
			if strings.HasPrefix(user, "/") && pw == "password" {
				st.log("ssl", LevelError, "AH02035: Encountered FakeBasicAuth spoof: %s", user)
				return 403
			}
		}
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || !opts["fakebasicauth"] || st.hasUser {
		return declined
	}
	// Apache 2.4 fakes the DN itself, SSLUserName or not (trunk takes
	// SSLUserName's variable).
	var user string
	if r.ClientDN != nil {
		user = r.ClientDN()
	}
	line := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":password"))
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Authorization", line)
	st.log("ssl", LevelInfo, "AH02036: Faking HTTP Basic Auth header: \"Authorization: %s\"", line)
	return declined
}

// sslOptions is the SSLOptions set in force for the request: the
// server's words, then the directories'.
func (st *state) sslOptions() map[string]bool {
	return confparse.SSLOptionSet(confparse.SSLOptionSet(nil, st.r.SSLServerOptions), st.dc.SSLOptions)
}

// requireSSL is mod_ssl's ssl provider: the request came over TLS.
func (st *state) requireSSL() authzResult {
	if st.r.TLS != nil {
		return authzGranted
	}
	return authzDenied
}

// requireVerifiedClient is mod_ssl's ssl-verify-client provider: the
// client sent a certificate that verified.
func (st *state) requireVerifiedClient() authzResult {
	cs := st.r.TLS
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return authzDenied
	}
	if st.r.ClientVerified != nil && st.r.ClientVerified() || st.r.ClientVerified == nil && len(cs.VerifiedChains) > 0 {
		return authzGranted
	}
	return authzDenied
}
