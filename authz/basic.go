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
	at, ok := st.authTypeConf()
	if ok && strings.EqualFold(at, "Basic") && st.c.loaded("mod_auth_basic.c") {
		if s := st.authenticateBasic(at); s != declined {
			return s
		}
	} else if ok && strings.EqualFold(at, "Digest") && st.c.loaded("mod_auth_digest.c") {
		return st.authenticateDigest()
	}
	if !ok {
		return statusOK
	}
	st.log("authn_core", LevelError, "AH01796: AuthType %s configured without corresponding module", at)
	return 500
}

// authenticateBasic is mod_auth_basic's authenticate_basic_user. It
// declines, with AuthBasicAuthoritative Off, a user no provider could
// check (the user is set all the same).
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

	var realm, digest string
	if md5 := st.dc.AuthBasicDigestMD5; md5 != nil && *md5 {
		realm, _ = st.authNameRaw()
		digest = md5Hex(user + ":" + realm + ":" + pw)
	}
	providers := st.dc.AuthBasicProvider
	if len(providers) == 0 {
		if !st.c.loaded("mod_authn_file.c") {
			st.log("auth_basic", LevelError, "AH01616: No Authn provider configured")
			providers = nil
		} else {
			providers = []string{"file"}
		}
	}
	res := authnGeneralError
	for _, p := range providers {
		res = st.basicCheck(p, user, pw, realm, digest)
		if res != authnUserNotFound {
			break
		}
	}
	if res == authnGranted {
		return statusOK
	}
	if a := st.dc.AuthBasicAuthoritative; a != nil && !*a && res != authnDenied {
		return declined
	}
	switch res {
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

// basicCheck asks one authn provider about a user's password: its
// check_password, or with AuthBasicUseDigestAlgorithm MD5 (digest is
// then the hash of user:realm:password) its get_realm_hash.
func (st *state) basicCheck(provider, user, pw, realm, digest string) authnResult {
	if digest != "" {
		res, hash := st.realmHash("auth_basic", provider, user, realm)
		if res != authnUserFound {
			return res
		}
		if hash != digest {
			return authnDenied
		}
		return authnGranted
	}
	switch provider {
	case "file":
		return st.fileCheckPassword(user, pw)
	case "wsgi":
		return st.wsgiCheckPassword(user, pw)
	}
	st.log("auth_basic", LevelError, "Authn provider %s is not supported by gowsgid", provider)
	return authnGeneralError
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
