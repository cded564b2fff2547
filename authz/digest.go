package authz

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
)

// This file is mod_auth_digest as Apache 2.4.71 (Debian 12's) behaves:
// RFC 2617 digests with qop=auth and algorithm MD5 only (2.4.71 refuses
// AuthDigestAlgorithm MD5-sess and AuthDigestQop other than auth when
// reading the configuration, and requests without qop, the RFC 2069
// form, with AH10560). A client's state changes only when a request
// authenticates (client_update_nonce): the time of the last nonce it
// used and the highest nonce count it sent with it.

// Lengths of a nonce: base64 of an 8-byte apr_time_t, then the SHA-1 hex.
const (
	nonceTimeLen = 12
	nonceHashLen = 2 * sha1.Size
	nonceLen     = nonceTimeLen + nonceHashLen
	// nextNonceDelta is NEXTNONCE_DELTA: a nextnonce is sent when the
	// nonce expires in less than this.
	nextNonceDelta = 30 * time.Second
	// maxDigestClients bounds the client table (Apache's is bounded by
	// AuthDigestShmemSize).
	maxDigestClients = 100000
)

// digestSecret is the per-process secret hashed into every nonce. Like
// Apache's (retained data, made once in pre_config), it outlives
// configuration reloads, so nonces stay valid across a graceful restart.
var digestSecret = sync.OnceValue(func() []byte {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("authz: no random numbers for the digest secret: " + err.Error())
	}
	return b
})

// digestClient is client_entry: one opaque value handed to a client.
type digestClient struct {
	// nonceCount is the highest nonce count accepted with the nonce of
	// lastNonceTime, the time part of the last nonce the client used
	// (the one-time-nonce counter's value for one-time nonces; 0 for
	// none yet).
	nonceCount    uint64
	lastNonceTime int64
}

// digestTable is Apache's shared-memory client list and counters. gowsgid
// serves from one process, so a table in its memory is what Apache's
// shared memory is to its children; it too outlives reloads.
var digestTable = struct {
	mu      sync.Mutex
	opaque  uint64 // next opaque number, from 1
	otn     int64  // one-time-nonce counter
	clients map[uint64]*digestClient
}{opaque: 1, clients: map[uint64]*digestClient{}}

// digestClientExists is client_exists: whether the client of an opaque
// is still known.
func (st *state) digestClientExists(key uint64) bool {
	digestTable.mu.Lock()
	_, ok := digestTable.clients[key]
	digestTable.mu.Unlock()
	if ok && key != 0 {
		st.log("auth_digest", LevelDebug, "AH01764: client %d found", key)
		return true
	}
	st.log("auth_digest", LevelDebug, "AH01765: client %d not found", key)
	return false
}

// nonceState is enum nonce_state: what client_update_nonce made of a
// request's nonce and nonce count.
type nonceState int

const (
	nonceAccepted nonceState = iota // recorded as the client's latest
	nonceStale                      // already used, or the client is unknown
	nonceBadCount                   // the count did not increase: a replay
)

// updateDigestClient is client_update_nonce: it checks the nonce (by the
// time in it) and the nonce count of a request that authenticated
// against what the client last used, and records them when acceptable.
// A one-time nonce is accepted when newer than the client's last;
// otherwise a newer nonce starts a new count and the same nonce must
// raise it.
func (st *state) updateDigestClient(key uint64, conf *confparse.DigestConfig, nonceTime int64, nc uint64, nonce string) nonceState {
	var tracked uint64
	state := nonceStale
	digestTable.mu.Lock()
	c := digestTable.clients[key]
	if c != nil {
		tracked = c.nonceCount
		switch {
		case conf.NonceLifetime == 0:
			if nonceTime > c.lastNonceTime {
				state = nonceAccepted
			}
		case nonceTime > c.lastNonceTime || (nonceTime == c.lastNonceTime && nc > tracked):
			state = nonceAccepted
		default:
			state = nonceBadCount
		}
		if state == nonceAccepted {
			c.lastNonceTime, c.nonceCount = nonceTime, nc
		}
	}
	digestTable.mu.Unlock()
	switch {
	case c == nil:
		st.log("auth_digest", LevelInfo, "AH10618: client %d is no longer known - sending new nonce", key)
	case state == nonceStale:
		st.log("auth_digest", LevelInfo, "AH01779: user %s: one-time-nonce %s already used - sending new nonce", st.user, nonce)
	case state == nonceBadCount:
		st.log("auth_digest", LevelError, "AH01774: Warning, possible replay attack: nonce-count check failed: %d is not above %d for nonce %s",
			nc, tracked, nonce)
	}
	return state
}

// genDigestClient is client_generate: a new opaque number and its entry.
// When the table is full, entries are dropped (Apache's gc drops the
// oldest of each bucket); their clients get stale=true on their next
// request.
func (st *state) genDigestClient() uint64 {
	digestTable.mu.Lock()
	key := digestTable.opaque
	digestTable.opaque++
	if len(digestTable.clients) >= maxDigestClients {
		n := 0
		for k := range digestTable.clients {
			delete(digestTable.clients, k)
			if n++; n >= maxDigestClients/10 {
				break
			}
		}
	}
	digestTable.clients[key] = &digestClient{}
	digestTable.mu.Unlock()
	st.logServer("auth_digest", LevelDebug, "AH01768: allocated new client %d", key)
	return key
}

// digestResp is digest_header_rec: the parsed Authorization header and
// what the checks learn about it.
type digestResp struct {
	status                  digestHdrStatus
	scheme                  string
	username, realm, nonce  string
	uri, response           string
	algorithm, cnonce, qop  string
	nc, opaque              string
	hasAlgorithm, hasOpaque bool
	hasQop, hasNc           bool
	opaqueNum               uint64
	ha1                     string
	nonceTime               int64
}

type digestHdrStatus int

const (
	digestNoHeader digestHdrStatus = iota
	digestNotDigest
	digestInvalid
	digestValid
)

// parseDigest is get_digest_rec.
func parseDigest(line string) *digestResp {
	resp := &digestResp{}
	scheme, rest := getWordWhite(line)
	resp.scheme = scheme
	if !strings.EqualFold(scheme, "Digest") {
		resp.status = digestNotDigest
		return resp
	}
	var have struct{ user, realm, nonce, uri, response, cnonce bool }
	s := rest
	for s != "" {
		s = strings.TrimLeft(s, " \t\n\v\f\r")
		i := 0
		for i < len(s) && s[i] != '=' && s[i] != ',' && !isSpace(s[i]) {
			i++
		}
		key := s[:i]
		s = strings.TrimLeft(s[i:], " \t\n\v\f\r")
		var val strings.Builder
		if s != "" && s[0] == '=' {
			s = strings.TrimLeft(s[1:], " \t\n\v\f\r")
			if s != "" && s[0] == '"' {
				s = s[1:]
				for s != "" && s[0] != '"' {
					if s[0] == '\\' && len(s) > 1 {
						s = s[1:]
					}
					val.WriteByte(s[0])
					s = s[1:]
				}
				if s != "" {
					s = s[1:]
				}
			} else {
				j := 0
				for j < len(s) && s[j] != ',' && !isSpace(s[j]) {
					j++
				}
				val.WriteString(s[:j])
				s = s[j:]
			}
		}
		if j := strings.IndexByte(s, ','); j >= 0 {
			s = s[j+1:]
		} else {
			s = ""
		}
		v := val.String()
		switch strings.ToLower(key) {
		case "username":
			resp.username, have.user = v, true
		case "realm":
			resp.realm, have.realm = v, true
		case "nonce":
			resp.nonce, have.nonce = v, true
		case "uri":
			resp.uri, have.uri = v, true
		case "response":
			resp.response, have.response = v, true
		case "algorithm":
			resp.algorithm, resp.hasAlgorithm = v, true
		case "cnonce":
			resp.cnonce, have.cnonce = v, true
		case "opaque":
			resp.opaque, resp.hasOpaque = v, true
		case "qop":
			resp.qop, resp.hasQop = v, true
		case "nc":
			resp.nc, resp.hasNc = v, true
		}
	}
	// Apache 2.4.71 also refuses, as a malformed header, a nonce that
	// cannot be one of its own (length, or the '=' that ends the base64
	// of the time).
	if !have.user || !have.realm || !have.nonce || !have.uri || !have.response ||
		(resp.hasQop && (!have.cnonce || !resp.hasNc)) ||
		len(resp.nonce) != nonceLen || resp.nonce[nonceTimeLen-1] != '=' {
		resp.status = digestInvalid
		return resp
	}
	if resp.hasOpaque {
		resp.opaqueNum = parseOpaque(resp.opaque)
	}
	resp.status = digestValid
	return resp
}

// parseOpaque is the client id of an opaque as parse_digest_header
// reads it: strtol(opaque, 16) of the whole text, from 1 to 2^32-1; 0
// otherwise.
func parseOpaque(s string) uint64 {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && isHex(t[2]) {
		t = t[2:]
	}
	if t == "" || neg {
		return 0
	}
	n, err := strconv.ParseUint(t, 16, 64)
	if err != nil || n > 1<<32-1 {
		return 0
	}
	return n
}

// getWordWhite is ap_getword_white: the word up to white space, and the
// rest after the white space.
func getWordWhite(s string) (string, string) {
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return s[:i], strings.TrimLeft(s[i:], " \t\n\v\f\r")
}

// strtoul16 is strtol(s, &end, 16) cast to unsigned long: the value and
// whether all of s (but trailing white space) was the number.
func strtoul16(s string) (uint64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && len(t) > 2 && isHex(t[2]) {
		t = t[2:]
	}
	i := 0
	var n uint64
	for i < len(t) && isHex(t[i]) {
		d, _ := strconv.ParseUint(t[i:i+1], 16, 8)
		if n < 1<<59 {
			n = n*16 + d
		} else {
			n = 1<<63 - 1
		}
		i++
	}
	if i == 0 {
		return 0, strings.TrimSpace(s) == ""
	}
	if neg {
		n = -n
	}
	rest := t[i:]
	return n, rest == "" || isSpace(rest[0])
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// digestConf is the request's mod_auth_digest configuration, with the
// module's defaults where no section set one.
func (st *state) digestConf() *confparse.DigestConfig {
	if st.dc.Digest != nil {
		return st.dc.Digest
	}
	return &confparse.DigestConfig{NonceLifetime: confparse.DefaultNonceLifetime, Algorithm: "MD5"}
}

// authenticateDigest is mod_auth_digest's authenticate_digest_user.
func (st *state) authenticateDigest() int {
	r := st.r
	realm, ok := st.authNameRaw()
	if !ok {
		st.log("auth_digest", LevelError, "AH01780: need AuthName: %s", r.URI)
		return 500
	}
	conf := st.digestConf()
	resp := &digestResp{}
	if r.Header != nil {
		if vals := r.Header.Values("Authorization"); len(vals) > 0 {
			resp = parseDigest(cString(strings.Join(vals, ", ")))
		}
	}
	st.digest = resp

	switch resp.status {
	case digestValid:
	case digestNotDigest:
		st.log("auth_digest", LevelError, "AH01781: client used wrong authentication scheme `%s': %s", resp.scheme, r.URI)
		fallthrough
	case digestInvalid:
		if resp.status == digestInvalid {
			st.log("auth_digest", LevelError, "AH01782: missing user, realm, nonce, uri, digest, cnonce, or nonce_count in authorization header: %s", r.URI)
		}
		fallthrough
	default:
		st.noteDigestAuthFailure(false)
		return 401
	}

	st.user, st.hasUser = resp.username, true
	st.authType = "Digest"

	if s := st.checkDigestURI(resp); s != statusOK {
		return s
	}
	if resp.hasOpaque && resp.opaqueNum == 0 {
		st.log("auth_digest", LevelError, "AH01787: received invalid opaque - got `%s'", resp.opaque)
		st.noteDigestAuthFailure(false)
		return 401
	}
	if resp.realm != realm {
		st.log("auth_digest", LevelError, "AH01788: realm mismatch - got `%s' but expected `%s'", resp.realm, realm)
		st.noteDigestAuthFailure(false)
		return 401
	}
	if resp.hasAlgorithm && !strings.EqualFold(resp.algorithm, "MD5") {
		st.log("auth_digest", LevelError, "AH01789: unknown algorithm `%s' received: %s", resp.algorithm, r.URI)
		st.noteDigestAuthFailure(false)
		return 401
	}

	switch st.digestGetHash(conf, resp.username, realm) {
	case authnUserFound:
	case authnUserNotFound:
		st.log("auth_digest", LevelError, "AH01790: user `%s' in realm `%s' not found: %s", resp.username, realm, r.URI)
		st.noteDigestAuthFailure(false)
		return 401
	case authnDenied:
		st.log("auth_digest", LevelError, "AH01791: user `%s' in realm `%s' denied by provider: %s", resp.username, realm, r.URI)
		st.noteDigestAuthFailure(false)
		return 401
	default:
		return 500
	}

	if !resp.hasQop || !strings.EqualFold(resp.qop, "auth") {
		q := "(null)"
		if resp.hasQop {
			q = resp.qop
		}
		st.log("auth_digest", LevelError, "AH10560: invalid or missing qop value '%s', RFC 2069 is no longer supported: %s", q, r.URI)
		st.noteDigestAuthFailure(false)
		return 401
	}
	method := r.ClientMethod
	if method == "" {
		method = r.Method
	}
	ha2 := md5Hex(method + ":" + resp.uri)
	want := md5Hex(resp.ha1 + ":" + resp.nonce + ":" + resp.nc + ":" + resp.cnonce + ":" + resp.qop + ":" + ha2)
	if subtle.ConstantTimeCompare([]byte(want), []byte(resp.response)) != 1 {
		st.log("auth_digest", LevelError, "AH01794: user %s: password mismatch: %s", resp.username, r.URI)
		st.noteDigestAuthFailure(false)
		return 401
	}

	// Apache 2.4.71 checks the nonce before the count (an opaque the
	// server never gave fails the nonce's hash, AH01776, not the count).
	if s := st.checkNonce(conf, resp, realm); s != statusOK {
		return s
	}
	if s := st.checkAndRecordNonce(conf, resp); s != statusOK {
		return s
	}
	st.digestOK = true
	return statusOK
}

// checkAndRecordNonce is check_and_record_nonce: with AuthDigestNcCheck
// or one-time nonces, the nonce and count of a request that
// authenticated must be new for its client, and are recorded. Every
// request that authenticates is checked, subrequests and internal
// redirects too (those with the configuration of the request before
// them are not authenticated again).
func (st *state) checkAndRecordNonce(conf *confparse.DigestConfig, resp *digestResp) int {
	if !conf.NcCheck && conf.NonceLifetime != 0 {
		return statusOK // nothing is tracked per client
	}
	nc, ok := strtoul16(resp.nc)
	if !ok {
		st.log("auth_digest", LevelError, "AH01773: invalid nc %s received - not a number", resp.nc)
		st.noteDigestAuthFailure(false)
		return 401
	}
	switch st.updateDigestClient(resp.opaqueNum, conf, resp.nonceTime, nc, resp.nonce) {
	case nonceAccepted:
		return statusOK
	case nonceStale:
		// The credentials were good: the client may retry silently
		// with the new nonce.
		st.noteDigestAuthFailure(true)
	default:
		st.noteDigestAuthFailure(false)
	}
	return 401
}

// checkNonce is check_nonce (the format was checked with the header).
func (st *state) checkNonce(conf *confparse.DigestConfig, resp *digestResp, realm string) int {
	var t [8]byte
	base64.StdEncoding.Decode(t[:], []byte(resp.nonce[:nonceTimeLen])) //nolint:errcheck // apr_base64_decode_binary ignores garbage too
	resp.nonceTime = int64(binary.LittleEndian.Uint64(t[:]))
	hash := nonceHash(realm, resp.nonce[:nonceTimeLen], resp.opaque)
	if hash != resp.nonce[nonceTimeLen:] {
		st.log("auth_digest", LevelError, "AH01776: invalid nonce %s received - hash is not %s", resp.nonce, hash)
		st.noteDigestAuthFailure(true)
		return 401
	}
	now := st.now().UnixMicro()
	dt := now - resp.nonceTime
	lifetime := conf.NonceLifetime * 1e6
	switch {
	case lifetime > 0 && dt < 0:
		st.log("auth_digest", LevelError, "AH01777: invalid nonce %s received - user attempted time travel", resp.nonce)
		st.noteDigestAuthFailure(true)
		return 401
	case lifetime > 0 && dt > lifetime:
		st.log("auth_digest", LevelInfo, "AH01778: user %s: nonce expired (%.2f seconds old - max lifetime %.2f) - sending new nonce",
			resp.username, float64(dt/1e6), float64(conf.NonceLifetime))
		st.noteDigestAuthFailure(true)
		return 401
	}
	// A one-time nonce is retired by use, in checkAndRecordNonce.
	return statusOK
}

// checkDigestURI is the uri attribute check of authenticate_digest_user:
// 400 when the digest's uri is not the request's.
func (st *state) checkDigestURI(resp *digestResp) int {
	r := st.r
	raw := r.RequestURI
	if raw == "" {
		raw = r.URI
	}
	if resp.uri == raw {
		return statusOK
	}
	// The request's URI, completed as copy_uri_components does.
	rq, err := url.ParseRequestURI(raw)
	if err != nil {
		rq = &url.URL{Path: raw}
	}
	rHost, rPort := rq.Hostname(), r.ServerPort
	if rHost == "" {
		rHost = r.ServerName
	}
	if p := rq.Port(); p != "" {
		rPort, _ = strconv.Atoi(p)
	}
	rPath, rQuery := unescapeURL(rq.EscapedPath()), unescapeURL(rq.RawQuery)
	rHasQuery := rq.RawQuery != "" || rq.ForceQuery

	d, err := url.Parse(resp.uri)
	if err != nil {
		st.log("auth_digest", LevelError, "AH01783: invalid uri <%s> in Authorization header", resp.uri)
		return 400
	}
	dHost := unescapeURL(d.Hostname())
	dPortStr := d.Port()
	dPath := unescapeURL(d.EscapedPath())
	if d.Opaque != "" {
		dPath = unescapeURL(d.Opaque)
	}
	dHasQuery := d.RawQuery != "" || d.ForceQuery
	dQuery := unescapeURL(d.RawQuery)
	if !dHasQuery && rHasQuery {
		if _, ok := st.env("AuthDigestEnableQueryStringHack"); ok {
			st.log("auth_digest", LevelInfo, "AH01784: applying AuthDigestEnableQueryStringHack to uri <%s>", raw)
			dHasQuery, dQuery = true, rQuery
		}
	}
	dPort := 0
	if dPortStr != "" {
		dPort, _ = strconv.Atoi(dPortStr)
	}
	defPort := r.DefaultPort
	if defPort == 0 {
		defPort = 80
	}
	mismatch := (dHost != "" && !strings.EqualFold(dHost, rHost)) ||
		(dPortStr != "" && dPort != rPort) ||
		(dHost != "" && dPortStr == "" && rPort != defPort) ||
		dPath != rPath ||
		dHasQuery != rHasQuery || dQuery != rQuery
	if mismatch {
		st.log("auth_digest", LevelError, "AH01786: uri mismatch - <%s> does not match request-uri <%s>", resp.uri, raw)
		return 400
	}
	return statusOK
}

// unescapeURL is ap_unescape_url, leniently: a bad escape leaves the
// text as it is.
func unescapeURL(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// digestGetHash is get_hash: the providers' get_realm_hash in order, the
// file provider when none is configured.
func (st *state) digestGetHash(conf *confparse.DigestConfig, user, realm string) authnResult {
	providers := conf.Providers
	if len(providers) == 0 {
		if !st.c.loaded("mod_authn_file.c") {
			st.log("auth_digest", LevelError, "AH01770: No Authn provider configured")
			return authnGeneralError
		}
		providers = []string{"file"}
	}
	res := authnGeneralError
	for _, p := range providers {
		var hash string
		res, hash = st.realmHash("auth_digest", p, user, realm)
		if res == authnUserFound {
			st.digest.ha1 = hash
		}
		if res != authnUserNotFound {
			break
		}
	}
	return res
}

// realmHash asks one authn provider for the hash of user:realm:password
// (its get_realm_hash), for module's check.
func (st *state) realmHash(module, provider, user, realm string) (authnResult, string) {
	switch provider {
	case "file":
		return st.fileRealmHash(user, realm)
	case "wsgi":
		return st.wsgiRealmHash(user, realm)
	}
	st.log(module, LevelError, "Authn provider %s is not supported by gowsgid", provider)
	return authnGeneralError, ""
}

// digestFile is a parsed htdigest file: the hash of each user and realm
// (the first line wins).
type digestFile struct {
	hashes map[[2]string]string
}

func parseDigestFile(data []byte) any {
	df := &digestFile{hashes: map[[2]string]string{}}
	for _, l := range cfgLines(data, maxStringLen) {
		if l == "" || l[0] == '#' {
			continue
		}
		user, rest := getWord(l, ':')
		realm, rest := getWord(rest, ':')
		hash, _ := getWord(rest, ':')
		k := [2]string{user, realm}
		if _, dup := df.hashes[k]; !dup {
			df.hashes[k] = hash
		}
	}
	return df
}

// fileRealmHash is mod_authn_file's get_realm_hash.
func (st *state) fileRealmHash(user, realm string) (authnResult, string) {
	if st.dc.AuthUserFile == nil {
		st.log("authn_file", LevelError, "AH01621: AuthUserFile not specified in the configuration")
		return authnGeneralError, ""
	}
	path := *st.dc.AuthUserFile
	v, err := st.c.files.load("digest", path, parseDigestFile)
	if err != nil {
		st.openFailed(path, err)
		st.log("authn_file", LevelError, "%sAH01622: Could not open password file: %s", errnoPrefix(err), path)
		return authnGeneralError, ""
	}
	hash, ok := v.(*digestFile).hashes[[2]string{user, realm}]
	if !ok {
		return authnUserNotFound, ""
	}
	return authnUserFound, hash
}

// noteDigestAuthFailure is note_digest_auth_failure: the Digest challenge.
func (st *state) noteDigestAuthFailure(stale bool) {
	conf := st.digestConf()
	resp := st.digest
	if resp == nil {
		resp = &digestResp{}
		st.digest = resp
	}
	// The client's recorded nonce and count are left alone: the client
	// may not even see this challenge (anyone can quote its opaque).
	var opaque string
	switch {
	case !resp.hasOpaque:
		if conf.NcCheck || conf.NonceLifetime == 0 {
			opaque = strconv.FormatUint(st.genDigestClient(), 16)
		}
	case !st.digestClientExists(resp.opaqueNum):
		// The client was dropped (or never was): a new one, stale.
		opaque, stale = strconv.FormatUint(st.genDigestClient(), 16), true
	default:
		opaque = resp.opaque
	}
	realm, _ := st.authNameRaw()
	nonce := st.genNonce(conf, realm, opaque)
	shown, _ := st.authName()
	var b strings.Builder
	b.WriteString(`Digest realm="`)
	b.WriteString(shown)
	b.WriteString(`", nonce="`)
	b.WriteString(nonce)
	b.WriteString(`", algorithm=`)
	b.WriteString(conf.Algorithm)
	if opaque != "" {
		b.WriteString(`, opaque="` + opaque + `"`)
	}
	if len(conf.Domain) > 0 {
		b.WriteString(`, domain="` + strings.Join(conf.Domain, " ") + `"`)
	}
	if stale {
		b.WriteString(", stale=true")
	}
	b.WriteString(`, qop="auth"`)
	st.header = append(st.header, b.String())
}

// genNonce is gen_nonce: base64 of the time (or of the one-time-nonce
// counter), then the hash.
func (st *state) genNonce(conf *confparse.DigestConfig, realm, opaque string) string {
	var t int64
	if conf.NonceLifetime != 0 {
		t = st.now().UnixMicro()
	} else {
		digestTable.mu.Lock()
		digestTable.otn++
		t = digestTable.otn
		digestTable.mu.Unlock()
	}
	var raw [8]byte
	binary.LittleEndian.PutUint64(raw[:], uint64(t))
	ts := base64.StdEncoding.EncodeToString(raw[:])
	return ts + nonceHash(realm, ts, opaque)
}

// nonceHash is gen_nonce_hash: SHA-1 of the secret, the realm, the time
// part and the opaque, in hex.
func nonceHash(realm, timestr, opaque string) string {
	h := sha1.New()
	h.Write(digestSecret())
	h.Write([]byte(realm))
	h.Write([]byte(timestr))
	h.Write([]byte(opaque))
	return hex.EncodeToString(h.Sum(nil))
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// digestAuthInfo is add_auth_info (a fixup): the Authentication-Info
// header of a request Digest authenticated. Only the initial request
// has one: a subrequest's or internal redirect's is not sent.
func (st *state) digestAuthInfo() string {
	resp := st.digest
	if resp == nil || !st.digestOK || st.r.SubRequest || st.r.InternalRedirect {
		return ""
	}
	conf := st.digestConf()
	realm, _ := st.authNameRaw()
	nextnonce := ""
	switch {
	case conf.NonceLifetime > 0:
		if st.now().UnixMicro()-resp.nonceTime > (conf.NonceLifetime*1e6 - nextNonceDelta.Microseconds()) {
			nextnonce = `, nextnonce="` + st.genNonce(conf, realm, resp.opaque) + `"`
		}
	case conf.NonceLifetime == 0 && resp.opaqueNum != 0:
		nextnonce = `, nextnonce="` + st.genNonce(conf, realm, resp.opaque) + `"`
	}
	ha2 := md5Hex(":" + resp.uri)
	dig := md5Hex(resp.ha1 + ":" + resp.nonce + ":" + resp.nc + ":" + resp.cnonce + ":" + resp.qop + ":" + ha2)
	return `rspauth="` + dig + `"` + nextnonce + `, cnonce="` + escapeQuotes(resp.cnonce) + `", nc=` + resp.nc + ", qop=" + resp.qop
}

// now is r->request_time.
func (st *state) now() time.Time {
	if st.r.Time.IsZero() {
		st.r.Time = time.Now()
	}
	return st.r.Time
}
