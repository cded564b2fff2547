package authz

import (
	"os"

	"github.com/gowsgid/gowsgid/confparse"
)

// ScriptHooks runs mod_wsgi's Python authentication hooks: the
// WSGIAccessScript, WSGIAuthUserScript and WSGIAuthGroupScript of the
// request's configuration.
type ScriptHooks interface {
	// AllowAccess calls allow_access(environ, host).
	AllowAccess(r *Request, script *confparse.WSGIScriptRef, host string) ScriptVerdict
	// CheckPassword calls check_password(environ, user, password); a
	// granted user may come back renamed.
	CheckPassword(r *Request, script *confparse.WSGIScriptRef, user, password string) (v ScriptVerdict, renamed string)
	// RealmHash calls get_realm_hash(environ, user, realm): ScriptYes
	// with the hex HA1, ScriptNone for an unknown user.
	RealmHash(r *Request, script *confparse.WSGIScriptRef, user, realm string) (v ScriptVerdict, hash string)
	// GroupsForUser calls groups_for_user(environ, user); ok is false
	// when the hook failed.
	GroupsForUser(r *Request, script *confparse.WSGIScriptRef, user string) (groups []string, ok bool)
}

// ScriptVerdict is a hook's answer.
type ScriptVerdict int

// The answers of a hook.
const (
	// ScriptFailed: the hook failed or returned nonsense (it logged why).
	ScriptFailed ScriptVerdict = iota
	// ScriptNo is False.
	ScriptNo
	// ScriptYes is True (or a user name, from check_password).
	ScriptYes
	// ScriptNone is None: no opinion, or no such user.
	ScriptNone
)

// wsgiAccessChecker is mod_wsgi's access_checker hook: statusOK when the
// script allows the client or has no opinion, 403 when it refuses, and
// when it fails (mod_wsgi's verdict stays "deny").
func (st *state) wsgiAccessChecker() int {
	script := st.dc.WSGI.AccessScript
	if script == nil || st.c.opts.Scripts == nil {
		return statusOK
	}
	switch st.c.opts.Scripts.AllowAccess(st.r, script, ipString(st.r.RemoteIP)) {
	case ScriptYes, ScriptNone:
		return statusOK
	}
	if st.satisfies() != "any" || !st.someAuthRequired() {
		st.log("wsgi", LevelError, "mod_wsgi (pid=%d): Client denied by server configuration: '%s'.",
			os.Getpid(), st.r.Filename)
	}
	return 403
}

// someAuthRequired is ap_some_auth_required: whether Require lines
// apply to the request.
func (st *state) someAuthRequired() bool {
	return st.dc.Authz != nil
}

// wsgiCheckPassword is mod_wsgi's "wsgi" authn provider.
func (st *state) wsgiCheckPassword(user, pw string) authnResult {
	script := st.dc.WSGI.AuthUserScript
	if script == nil || st.c.opts.Scripts == nil {
		st.log("wsgi", LevelError, "mod_wsgi (pid=%d): Location of WSGI user authentication script not provided.", os.Getpid())
		return authnGeneralError
	}
	v, renamed := st.c.opts.Scripts.CheckPassword(st.r, script, user, pw)
	switch v {
	case ScriptYes:
		if renamed != "" {
			st.user = renamed
		}
		return authnGranted
	case ScriptNo:
		return authnDenied
	case ScriptNone:
		return authnUserNotFound
	}
	return authnGeneralError
}

// wsgiRealmHash is the get_realm_hash of mod_wsgi's "wsgi" authn
// provider.
func (st *state) wsgiRealmHash(user, realm string) (authnResult, string) {
	script := st.dc.WSGI.AuthUserScript
	if script == nil || st.c.opts.Scripts == nil {
		st.logServer("wsgi", LevelError, "mod_wsgi (pid=%d): Location of WSGI user authentication script not provided.", os.Getpid())
		return authnGeneralError, ""
	}
	v, hash := st.c.opts.Scripts.RealmHash(st.r, script, user, realm)
	switch v {
	case ScriptYes:
		return authnUserFound, hash
	case ScriptNone:
		return authnUserNotFound, ""
	}
	return authnGeneralError, ""
}

// wsgiGroup is mod_wsgi's "wsgi-group" authz provider.
func (st *state) wsgiGroup(args string) authzResult {
	if !st.hasUser {
		return authzDeniedNoUser
	}
	script := st.dc.WSGI.AuthGroupScript
	if script == nil || st.c.opts.Scripts == nil {
		st.log("wsgi", LevelError, "mod_wsgi (pid=%d): Location of WSGI group authorization script not provided.", os.Getpid())
		return authzDenied
	}
	groups, ok := st.c.opts.Scripts.GroupsForUser(st.r, script, st.user)
	if !ok {
		return authzDenied
	}
	if len(groups) == 0 {
		st.log("wsgi", LevelError, "mod_wsgi (pid=%d): Authorization of user '%s' to access '%s' failed. "+
			"User is not a member of any groups.", os.Getpid(), st.user, st.r.URI)
		return authzDenied
	}
	for _, w := range confWords(args) {
		for _, g := range groups {
			if g == w {
				return authzGranted
			}
		}
	}
	st.log("wsgi", LevelError, "mod_wsgi (pid=%d): Authorization of user '%s' to access '%s' failed. "+
		"User is not a member of designated groups.", os.Getpid(), st.user, st.r.URI)
	return authzDenied
}
