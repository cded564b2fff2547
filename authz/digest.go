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
// form, with AH10560).

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
	// lastNC is the highest nonce count accepted for ncNonce.
	lastNC    uint64
	ncNonce   string
	lastNonce string
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

// getDigestClient is get_client.
func (st *state) getDigestClient(key uint64) *digestClient {
	if key == 0 {
		st.log("auth_digest", LevelDebug, "AH01765: get_client(): client %d not found", key)
		return nil
	}
	digestTable.mu.Lock()
	c := digestTable.clients[key]
	digestTable.mu.Unlock()
	if c != nil {
		st.log("auth_digest", LevelDebug, "AH01764: get_client(): client %d found", key)
	} else {
		st.log("auth_digest", LevelDebug, "AH01765: get_client(): client %d not found", key)
	}
	return c
}

// genDigestClient is gen_client: a new opaque number and its entry. When
// the table is full, entries are dropped (Apache's gc drops the oldest of
// each bucket); their clients get stale=true on their next request.
func (st *state) genDigestClient() (uint64, *digestClient) {
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
	c := &digestClient{}
	digestTable.clients[key] = c
	digestTable.mu.Unlock()
	st.logServer("auth_digest", LevelDebug, "AH01768: allocated new client %d", key)
	return key, c
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
	// client is the opaque's entry, looked up once (clientDone).
	client     *digestClient
	clientDone bool
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
		n, _ := strtoul16(resp.opaque)
		resp.opaqueNum = n
	}
	resp.status = digestValid
	return resp
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

// client returns the entry of the client's opaque (get_client, once).
func (st *state) digestClientOf(resp *digestResp) *digestClient {
	if !resp.clientDone {
		resp.clientDone = true
		resp.client = st.getDigestClient(resp.opaqueNum)
	}
	return resp.client
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
	if !st.checkNC(conf, resp) {
		st.noteDigestAuthFailure(false)
		return 401
	}
	st.digestOK = true
	return statusOK
}

// checkNC is check_nc as Apache 2.4.71 does it: the count must be above
// the highest one accepted for the nonce (it was "equal to the number of
// requests" in 2.4.62 and earlier).
func (st *state) checkNC(conf *confparse.DigestConfig, resp *digestResp) bool {
	if !conf.NcCheck || st.r.SubRequest {
		return true
	}
	nc, ok := strtoul16(resp.nc)
	if !ok {
		st.log("auth_digest", LevelError, "AH01773: invalid nc %s received - not a number", resp.nc)
		return false
	}
	c := st.digestClientOf(resp)
	if c == nil {
		return false
	}
	digestTable.mu.Lock()
	if c.ncNonce != resp.nonce {
		c.ncNonce, c.lastNC = resp.nonce, 0
	}
	last := c.lastNC
	if nc > last {
		c.lastNC = nc
	}
	digestTable.mu.Unlock()
	if nc <= last {
		st.log("auth_digest", LevelError, "AH01774: Warning, possible replay attack: nonce-count check failed: %d is not above %d for nonce %s",
			nc, last, resp.nonce)
		return false
	}
	return true
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
	case lifetime == 0 && !st.r.SubRequest:
		if c := st.digestClientOf(resp); c != nil {
			digestTable.mu.Lock()
			last := c.lastNonce
			digestTable.mu.Unlock()
			if last != resp.nonce {
				st.log("auth_digest", LevelInfo, "AH01779: user %s: one-time-nonce %s already used - sending new nonce", resp.username, resp.nonce)
				st.noteDigestAuthFailure(true)
				return 401
			}
		}
	}
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
		switch p {
		case "file":
			res, hash = st.fileRealmHash(user, realm)
		case "wsgi":
			res, hash = st.wsgiRealmHash(user, realm)
		default:
			st.log("auth_digest", LevelError, "Authn provider %s is not supported by gowsgid", p)
			res = authnGeneralError
		}
		if res == authnUserFound {
			st.digest.ha1 = hash
		}
		if res != authnUserNotFound {
			break
		}
	}
	return res
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
	var opaque string
	var client *digestClient
	switch {
	case !resp.hasOpaque:
		if conf.NcCheck || conf.NonceLifetime == 0 {
			var key uint64
			key, client = st.genDigestClient()
			opaque = strconv.FormatUint(key, 16)
		}
	case st.digestClientOf(resp) == nil:
		var key uint64
		key, client = st.genDigestClient()
		opaque, stale = strconv.FormatUint(key, 16), true
	default:
		opaque, client = resp.opaque, resp.client
	}
	realm, _ := st.authNameRaw()
	nonce := st.genNonce(conf, realm, opaque)
	shown, _ := st.authName()
	if client != nil && conf.NonceLifetime == 0 {
		digestTable.mu.Lock()
		client.lastNonce = nonce
		digestTable.mu.Unlock()
	}
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
// header of a request Digest authenticated.
func (st *state) digestAuthInfo() string {
	resp := st.digest
	if resp == nil || !st.digestOK || st.r.SubRequest {
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
	case conf.NonceLifetime == 0 && resp.client != nil:
		n := st.genNonce(conf, realm, resp.opaque)
		nextnonce = `, nextnonce="` + n + `"`
		digestTable.mu.Lock()
		resp.client.lastNonce = n
		digestTable.mu.Unlock()
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
