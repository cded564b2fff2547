package authz

import "strings"

// authnResult is mod_auth.h's authn_status.
type authnResult int

const (
	authnDenied authnResult = iota
	authnGranted
	authnUserFound
	authnUserNotFound
	authnGeneralError
)

// checkUserID runs the check_user_id hooks: mod_ssl's
// ssl_hook_UserCheck, mod_auth_basic's authenticate_basic_user, then
// mod_authn_core's authenticate_no_user.
func (st *state) checkUserID() int {
	if s := st.sslUserCheck(); s != declined {
		return s
	}
	at := st.authTypeConf()
	if at != "" && strings.EqualFold(at, "Basic") && st.c.loaded("mod_auth_basic.c") {
		return st.authenticateBasic(at)
	}
	if at != "" && strings.EqualFold(at, "Digest") && st.c.loaded("mod_auth_digest.c") {
		return st.authenticateDigest()
	}
	if at == "" {
		return statusOK
	}
	st.log("authn_core", LevelError, "AH01796: AuthType %s configured without corresponding module", at)
	return 500
}

// authenticateBasic is mod_auth_basic's authenticate_basic_user (with
// AuthBasicAuthoritative On, no AuthBasicFake and no
// AuthBasicUseDigestAlgorithm, which DirConfig does not model).
func (st *state) authenticateBasic(authType string) int {
	r := st.r
	if _, ok := st.authName(); !ok {
		st.log("auth_basic", LevelError, "AH01615: need AuthName: %s", r.URI)
		return 500
	}
	st.authType = authType

	// get_basic_auth
	var vals []string
	if r.Header != nil {
		vals = r.Header.Values("Authorization")
	}
	if len(vals) == 0 {
		st.noteBasicAuthFailure()
		return 401
	}
	line := cString(strings.Join(vals, ", "))
	scheme, rest := getWord(line, ' ')
	if !strings.EqualFold(scheme, "Basic") {
		st.log("auth_basic", LevelError, "AH01614: client used wrong authentication scheme: %s", r.URI)
		st.noteBasicAuthFailure()
		return 401
	}
	rest = strings.TrimLeft(rest, " \t")
	decoded := aprBase64Decode(rest)
	user, pw, _ := strings.Cut(decoded, ":")
	st.user, st.hasUser = user, true

	var res authnResult
	if len(st.dc.AuthBasicProvider) == 0 {
		if !st.c.loaded("mod_authn_file.c") {
			st.log("auth_basic", LevelError, "AH01616: No Authn provider configured")
			res = authnGeneralError
		} else {
			res = st.fileCheckPassword(user, pw)
		}
	} else {
		for _, p := range st.dc.AuthBasicProvider {
			if p == "file" {
				res = st.fileCheckPassword(user, pw)
			} else if p == "wsgi" {
				res = st.wsgiCheckPassword(user, pw)
			} else {
				st.log("auth_basic", LevelError, "Authn provider %s is not supported by gowsgid", p)
				res = authnGeneralError
			}
			if res != authnUserNotFound {
				break
			}
		}
	}
	switch res {
	case authnGranted:
		return statusOK
	case authnDenied:
		st.log("auth_basic", LevelError, "AH01617: user %s: authentication failure for \"%s\": Password Mismatch", user, r.URI)
	case authnUserNotFound:
		st.log("auth_basic", LevelError, "AH01618: user %s not found: %s", user, r.URI)
	default:
		return 500
	}
	st.noteBasicAuthFailure()
	return 401
}

// fileCheckPassword is mod_authn_file's check_password.
func (st *state) fileCheckPassword(user, pw string) authnResult {
	if st.dc.AuthUserFile == nil {
		st.log("authn_file", LevelError, "AH01619: AuthUserFile not specified in the configuration")
		return authnGeneralError
	}
	path := *st.dc.AuthUserFile
	v, err := st.c.files.load("user", path, parseUserFile)
	if err != nil {
		st.openFailed(path, err)
		st.log("authn_file", LevelError, "%sAH01620: Could not open password file: %s", errnoPrefix(err), path)
		return authnGeneralError
	}
	hash, ok := v.(*userFile).users[user]
	if !ok {
		return authnUserNotFound
	}
	if ValidatePassword(pw, hash) {
		return authnGranted
	}
	return authnDenied
}
