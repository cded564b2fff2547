package wsgi

import (
	"os"

	"github.com/gowsgid/gowsgid/authz"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/vhost"
)

// Hooks runs mod_wsgi's authentication hooks (authz.ScriptHooks) on the
// embedded engine: WSGIAccessScript, WSGIAuthUserScript and
// WSGIAuthGroupScript. mod_wsgi runs them in the process that accepted
// the request, whatever the request's process group.
type Hooks struct {
	Handler *Handler
	// Runner is the embedded engine.
	Runner HookRunner
	// Banner is the server banner, for SERVER_SOFTWARE.
	Banner string
}

// call is the hook call of a script for a request.
func (hk Hooks) call(ar *authz.Request, script *confparse.WSGIScriptRef) (*Call, bool) {
	r, ok := ar.Origin.(*vhost.Request)
	if !ok || hk.Runner == nil {
		return nil, false
	}
	group := ""
	if script.ApplicationGroup != nil {
		group = expandServerGroup(r, *script.ApplicationGroup)
	}
	reload := flag(r.Dir.WSGI.ScriptReloading, true)
	call := &Call{ApplicationGroup: group, Script: script.Script, Module: hk.Handler.moduleName(script.Script),
		Reload: reload, Client: clientAddr(r), Server: r.Host.Server, Response: discard{}, Request: r}
	if fi, err := os.Stat(script.Script); err == nil {
		call.ScriptMTime = fi.ModTime().UnixMicro()
	}
	env := r.HookEnv(hk.Banner, nil)
	call.Env = append(env,
		EnvVar{Key: "mod_wsgi.process_group", Value: ""},
		EnvVar{Key: "mod_wsgi.application_group", Value: group},
		EnvVar{Key: "mod_wsgi.script_reloading", Value: boolDigit(reload)},
	)
	return call, true
}

func verdict(v Verdict) authz.ScriptVerdict {
	switch v {
	case VerdictYes:
		return authz.ScriptYes
	case VerdictNo:
		return authz.ScriptNo
	case VerdictNone:
		return authz.ScriptNone
	}
	return authz.ScriptFailed
}

// AllowAccess runs allow_access(environ, host).
func (hk Hooks) AllowAccess(ar *authz.Request, script *confparse.WSGIScriptRef, host string) authz.ScriptVerdict {
	call, ok := hk.call(ar, script)
	if !ok {
		return authz.ScriptFailed
	}
	res, err := hk.Runner.Hook(HookAccess, call, host)
	if err != nil {
		return authz.ScriptFailed
	}
	return verdict(res.Verdict)
}

// CheckPassword runs check_password(environ, user, password).
func (hk Hooks) CheckPassword(ar *authz.Request, script *confparse.WSGIScriptRef, user, password string) (authz.ScriptVerdict, string) {
	call, ok := hk.call(ar, script)
	if !ok {
		return authz.ScriptFailed, ""
	}
	res, err := hk.Runner.Hook(HookPassword, call, user, password)
	if err != nil {
		return authz.ScriptFailed, ""
	}
	return verdict(res.Verdict), res.User
}

// RealmHash runs get_realm_hash(environ, user, realm).
func (hk Hooks) RealmHash(ar *authz.Request, script *confparse.WSGIScriptRef, user, realm string) (authz.ScriptVerdict, string) {
	call, ok := hk.call(ar, script)
	if !ok {
		return authz.ScriptFailed, ""
	}
	res, err := hk.Runner.Hook(HookRealmHash, call, user, realm)
	if err != nil {
		return authz.ScriptFailed, ""
	}
	return verdict(res.Verdict), res.User
}

// GroupsForUser runs groups_for_user(environ, user).
func (hk Hooks) GroupsForUser(ar *authz.Request, script *confparse.WSGIScriptRef, user string) ([]string, bool) {
	call, ok := hk.call(ar, script)
	if !ok {
		return nil, false
	}
	res, err := hk.Runner.Hook(HookGroups, call, user)
	if err != nil || res.Verdict == VerdictError {
		return nil, false
	}
	return res.Groups, true
}

// expandServerGroup is wsgi_server_group: %{GLOBAL}, %{SERVER} and
// %{HOST}; anything else is used as given.
func expandServerGroup(r *vhost.Request, s string) string {
	switch s {
	case "%{GLOBAL}":
		return ""
	case "%{SERVER}", "%{HOST}":
		return expandGroup(r, &s, applicationGroup)
	}
	return s
}

// discard is the Response of a hook call, which sends nothing.
type discard struct{}

func (discard) Start(int, string, []Header) error { return nil }
func (discard) Write([]byte) error                { return nil }
func (discard) Flush() error                      { return nil }
func (discard) StartFile(int, string, []Header, *os.File, int64, int64) error {
	return nil
}
