// Package authz makes the access decisions of Apache httpd 2.4 (as
// shipped in Debian 12, 2.4.71) for a request and its merged
// per-directory configuration (confparse.DirConfig).
//
// Checker.Check follows the access part of ap_process_request_internal:
//
//   - mod_access_compat's access_checker (Order, Allow, Deny per method,
//     with their <Limit>/<LimitExcept>), combined by Satisfy All or Any
//     (Order and Satisfy too are kept per method);
//   - mod_authz_core's access_checker_ex: the Require tree evaluated
//     before authentication (<RequireAll>, <RequireAny>, <RequireNone>,
//     "Require not" turning granted into denied and denied into neutral,
//     lines limited to other methods counting as granted inside an AND and
//     neutral otherwise, the De Morgan rewrite of a <RequireNone> inside a
//     <RequireAll> that Apache's check_config makes, and AuthMerging trees
//     as confparse merges them). "Denied, but a user might help" (Require
//     user, valid-user, group, or an expr reading REMOTE_USER, with no user
//     yet) runs authentication; no Require at all grants; AuthType without
//     Require is a 500 (AH01627);
//   - check_user_id: mod_auth_basic with the file provider (mod_authn_file)
//     and mod_authn_core's fallback: a missing or garbled Authorization
//     header is a 401 with WWW-Authenticate: Basic realm="AuthName",
//     unknown users (AH01618) and wrong passwords (AH01617) too;
//     AuthBasicAuthoritative Off passes on a user no provider knows (to
//     mod_authn_core's AH01796, there being no other module), and
//     AuthBasicUseDigestAlgorithm MD5 asks the provider for the hash of
//     user:realm:password instead (AuthBasicFake is a fixup: vhost's);
//     mod_auth_digest as Apache 2.4.71 does it (digest.go: nonces of a
//     per-process secret, their lifetime and stale=true, one-time nonces,
//     nonce counts in an in-process client table that only requests that
//     authenticate change, the uri check, the file
//     provider's htdigest files and mod_wsgi's get_realm_hash, and the
//     Authentication-Info of add_auth_info in Result.AuthInfo); other
//     AuthTypes are a 500 (AH01796); a Require that needs a user
//     without any AuthType is a 500 (AH00027);
//   - auth_checker: the Require tree again with the user, a failure being
//     a 401 (AH01631) when AuthType is set and a 403 (AH01630) otherwise.
//
// The providers are all, env, method, expr (mod_authz_core), ip, host,
// forward-dns, local (mod_authz_host, with double-reverse DNS through an
// injectable Resolver), user, valid-user (mod_authz_user) and group
// (mod_authz_groupfile). Password files are checked as
// apr_password_validate does (see ValidatePassword for the hash formats);
// password and group files are cached and reread when they change.
//
// Every error log message Apache writes during these phases, down to
// LogLevel debug (AH01626 "authorization result of ..." included), is
// returned in Result.Logs with its module and level, so the caller can
// write the same error log.
//
// AuthzSendForbiddenOnFailure On turns the 401 of an authenticated user
// whom authorization refuses (AH01631) into a 403.
//
// Not modelled, because confparse.DirConfig does not carry them:
// <AuthzProviderAlias> and <AuthnProviderAlias>. Authn providers other than file,
// Require providers of other modules (file-owner, dbm-group, ldap-*, ssl,
// ...) and AuthType Form are refused with a 500 and a log line rather
// than guessed.
package authz
