package vhost

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/ciphers"
)

// sslFixup is mod_ssl's ssl_hook_Fixup for a request that came over
// TLS: HTTPS and SSL_TLS_SNI always; with SSLOptions +StdEnvVars the
// SSL_ variables of the connection, its server certificate and its
// client certificate (ssl_hook_Fixup_vars and the DN components), and
// with +ExportCertData the certificates themselves.
func (h *Handler) sslFixup(r *Request) {
	cs := r.HTTP.TLS
	r.setEnv("HTTPS", "on")
	if cs.ServerName != "" {
		r.setEnv("SSL_TLS_SNI", cs.ServerName)
	}
	opts := confparse.SSLOptionSet(nil, r.Host.sslOptions)
	opts = confparse.SSLOptionSet(opts, r.Dir.SSLOptions)
	if !opts["stdenvvars"] {
		return
	}
	sslVariables(r, r.setEnv, opts["exportcertdata"])
}

// sslVariables calls set with the SSL_ variables of the request's TLS
// connection that mod_ssl's ssl_var_lookup answers (none are empty); the
// certificates themselves only with exportCerts.
func sslVariables(r *Request, setVar func(k, v string), exportCerts bool) {
	cs := r.HTTP.TLS
	set := func(k, v string) {
		if v != "" {
			setVar(k, v)
		}
	}
	set("SSL_VERSION_INTERFACE", "gowsgid/"+Version)
	set("SSL_VERSION_LIBRARY", "Go crypto/tls")
	set("SSL_PROTOCOL", protocolName(cs.Version))
	set("SSL_SECURE_RENEG", strconv.FormatBool(cs.Version < tls.VersionTLS13))
	set("SSL_COMPRESS_METHOD", "NULL")
	set("SSL_CIPHER", ciphers.Name(cs.CipherSuite))
	set("SSL_CIPHER_EXPORT", "false")
	bits := strconv.Itoa(ciphers.KeyBits(cs.CipherSuite))
	set("SSL_CIPHER_USEKEYSIZE", bits)
	set("SSL_CIPHER_ALGKEYSIZE", bits)
	set("SSL_SESSION_ID", sessionID(cs))
	if cs.DidResume {
		set("SSL_SESSION_RESUMED", "Resumed")
	} else {
		set("SSL_SESSION_RESUMED", "Initial")
	}
	verify := r.clientVerify()
	if len(cs.PeerCertificates) > 0 {
		certVars(set, "SSL_CLIENT_", cs.PeerCertificates[0], exportCerts)
		sanVars(set, "SSL_CLIENT_SAN_", cs.PeerCertificates[0], "msUPN", oidMsUPN, asn1.TagUTF8String)
		if exportCerts {
			// The certificates the client sent after its own (OpenSSL's
			// peer chain leaves the peer's out on the server's side).
			for i, c := range cs.PeerCertificates[1:] {
				set("SSL_CLIENT_CERT_CHAIN_"+strconv.Itoa(i), pemCert(c.Raw))
			}
		}
	}
	set("SSL_CLIENT_VERIFY", verify)
	if leaf := r.serverLeaf(); leaf != nil {
		certVars(set, "SSL_SERVER_", leaf, exportCerts)
		sanVars(set, "SSL_SERVER_SAN_", leaf, "dnsSRV", oidDNSSRV, asn1.TagIA5String)
	}
	if cs.ServerName != "" {
		set("SSL_TLS_SNI", cs.ServerName)
	}
}

// clientVerify is SSL_CLIENT_VERIFY: NONE without a client certificate,
// SUCCESS for one that verified, FAILED: and OpenSSL's reason for one
// SSLVerifyClient optional_no_ca let pass.
func (r *Request) clientVerify() string {
	cs := r.HTTP.TLS
	switch {
	case len(cs.PeerCertificates) == 0:
		return "NONE"
	case len(cs.VerifiedChains) > 0:
		return "SUCCESS"
	}
	hs := r.handshake
	if hs == nil {
		hs = r.Host
	}
	if hs.tls != nil && hs.tls.checks != nil && hs.tls.checks.noCA != nil {
		if code, text, _ := hs.tls.checks.verifyNoCA(cs.PeerCertificates, time.Now()); code != 0 {
			return "FAILED:" + text
		}
		return "SUCCESS"
	}
	return "GENEROUS"
}

// sslVar is an SSL_ variable (upper-case name) as mod_ssl's expression
// lookup answers it: "" on a cleartext connection and for what the
// connection does not have. The variables are gathered once a request.
func (r *Request) sslVar(name string) string {
	if r.HTTP.TLS == nil {
		return ""
	}
	if r.sslVars == nil {
		r.sslVars = map[string]string{}
		sslVariables(r, func(k, v string) { r.sslVars[k] = v }, true)
	}
	if v, ok := r.sslVars[name]; ok {
		return v
	}
	name, ok := sslVarName(name)
	if !ok {
		return ""
	}
	if v, ok := r.sslVars[name]; ok {
		return v
	}
	// The DN attributes +StdEnvVars does not export: _SP, _RAW, _n.
	for _, p := range []struct {
		prefix string
		client bool
		raw    func(*x509.Certificate) []byte
	}{
		{"SSL_CLIENT_S_DN_", true, func(c *x509.Certificate) []byte { return c.RawSubject }},
		{"SSL_CLIENT_I_DN_", true, func(c *x509.Certificate) []byte { return c.RawIssuer }},
		{"SSL_SERVER_S_DN_", false, func(c *x509.Certificate) []byte { return c.RawSubject }},
		{"SSL_SERVER_I_DN_", false, func(c *x509.Certificate) []byte { return c.RawIssuer }},
	} {
		rest, ok := strings.CutPrefix(name, p.prefix)
		if !ok {
			continue
		}
		var c *x509.Certificate
		if p.client && len(r.HTTP.TLS.PeerCertificates) > 0 {
			c = r.HTTP.TLS.PeerCertificates[0]
		} else if !p.client {
			c = r.serverLeaf()
		}
		if c != nil {
			v, _ := dnLookup(p.raw(c), rest)
			return v
		}
	}
	return ""
}

// sslVarName is an SSL_ variable's name in the spelling the variables
// are kept under, as ssl_var_lookup_ssl compares names: in any case, but
// the S or I of a DN (SSL_CLIENT_S_DN, not _s_dn) and a DN's attribute
// (SSL_CLIENT_S_DN_CN, not _cn), which must be written as mod_ssl
// writes them (ok is false when the S or I is not); a subjectAltName's
// kind in any case (Email, DNS, OTHER_ and the type's name).
func sslVarName(name string) (_ string, ok bool) {
	upper := apexpr.ASCIIUpper(name)
	const side = len("SSL_CLIENT_") // and SSL_SERVER_
	for _, p := range []string{"SSL_CLIENT_S_DN", "SSL_CLIENT_I_DN", "SSL_SERVER_S_DN", "SSL_SERVER_I_DN"} {
		if rest, found := strings.CutPrefix(upper, p); found && (rest == "" || rest[0] == '_') {
			if name[side] != 'S' && name[side] != 'I' {
				return "", false
			}
			return p + name[len(p):], true
		}
	}
	for _, p := range []string{"SSL_CLIENT_SAN_", "SSL_SERVER_SAN_"} {
		rest, ok := strings.CutPrefix(upper, p)
		if !ok {
			continue
		}
		for _, kind := range []string{"EMAIL_", "DNS_", "OTHER_MSUPN_", "OTHER_DNSSRV_"} {
			if n, ok := strings.CutPrefix(rest, kind); ok {
				return p + map[string]string{"EMAIL_": "Email_", "DNS_": "DNS_", "OTHER_MSUPN_": "OTHER_msUPN_",
					"OTHER_DNSSRV_": "OTHER_dnsSRV_"}[kind] + n, true
			}
		}
	}
	return upper, true
}

// serverLeaf is the certificate of the request's host, parsed.
func (r *Request) serverLeaf() *x509.Certificate {
	if r.Host.tls == nil {
		return nil
	}
	for _, c := range r.Host.tls.config.Certificates {
		if leaf, err := x509.ParseCertificate(c.Certificate[0]); err == nil {
			return leaf
		}
	}
	return nil
}

// protocolName is the protocol as OpenSSL names it.
func protocolName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return ""
}

// certVars sets a certificate's variables (prefix SSL_CLIENT_ or
// SSL_SERVER_) as mod_ssl words them.
func certVars(set func(k, v string), prefix string, c *x509.Certificate, export bool) {
	set(prefix+"M_VERSION", strconv.Itoa(c.Version))
	set(prefix+"M_SERIAL", strings.ToUpper(hex.EncodeToString(c.SerialNumber.Bytes())))
	set(prefix+"V_START", asn1Time(c.NotBefore))
	set(prefix+"V_END", asn1Time(c.NotAfter))
	if prefix == "SSL_CLIENT_" {
		set(prefix+"V_REMAIN", strconv.Itoa(max(int(time.Until(c.NotAfter).Hours()/24), 0)))
	}
	set(prefix+"S_DN", rfc2253DN(c.RawSubject))
	dnParts(set, prefix+"S_DN_", c.RawSubject)
	set(prefix+"I_DN", rfc2253DN(c.RawIssuer))
	dnParts(set, prefix+"I_DN_", c.RawIssuer)
	if prefix == "SSL_CLIENT_" {
		// RFC 4523's certificateExactAssertion, as mod_ssl words it.
		set(prefix+"CERT_RFC4523_CEA", "{ serialNumber "+c.SerialNumber.String()+", issuer rdnSequence:\""+rfc2253DN(c.RawIssuer)+"\" }")
	}
	set(prefix+"A_KEY", keyAlgorithm(c))
	set(prefix+"A_SIG", sigAlgorithm(c.SignatureAlgorithm))
	if export {
		set(prefix+"CERT", pemCert(c.Raw))
	}
}

// The otherName forms mod_ssl exports: a client certificate's Microsoft
// User Principal Name, a server certificate's SRVName (RFC 4985).
var (
	oidMsUPN  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}
	oidDNSSRV = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 7}
)

// sanVars sets a certificate's subjectAltName variables as mod_ssl's
// modssl_var_extract_san_entries does: prefix+"Email_N", "DNS_N" and
// "OTHER_<other>_N" for the otherName of type oid whose value has the
// ASN.1 tag tag, each numbered from 0 in the certificate's order.
func sanVars(set func(k, v string), prefix string, c *x509.Certificate, other string, oid asn1.ObjectIdentifier, tag int) {
	var ext []byte
	for _, e := range c.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 17}) {
			ext = e.Value
			break
		}
	}
	var names asn1.RawValue
	if ext == nil {
		return
	}
	if _, err := asn1.Unmarshal(ext, &names); err != nil {
		return
	}
	counts := map[string]int{}
	add := func(kind, v string) {
		set(prefix+kind+"_"+strconv.Itoa(counts[kind]), v)
		counts[kind]++
	}
	for rest := names.Bytes; len(rest) > 0; {
		var gn asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
			return
		}
		if gn.Class != asn1.ClassContextSpecific {
			continue
		}
		switch gn.Tag {
		case 1: // rfc822Name
			add("Email", string(gn.Bytes))
		case 2: // dNSName
			add("DNS", string(gn.Bytes))
		case 0: // otherName: type-id, then [0] EXPLICIT value
			var typ asn1.ObjectIdentifier
			after, err := asn1.Unmarshal(gn.Bytes, &typ)
			if err != nil || !typ.Equal(oid) {
				continue
			}
			var explicit, value asn1.RawValue
			if _, err := asn1.Unmarshal(after, &explicit); err != nil {
				continue
			}
			// A value of another type is skipped, leaving no gap in
			// the numbers (mod_ssl numbers the entries it read).
			if _, err := asn1.Unmarshal(explicit.Bytes, &value); err == nil && value.Class == asn1.ClassUniversal && value.Tag == tag {
				add("OTHER_"+other, string(value.Bytes))
			}
		}
	}
}

// asn1Time is OpenSSL's ASN1_TIME_print: "Dec  6 09:00:00 2026 GMT".
func asn1Time(t time.Time) string { return t.UTC().Format("Jan _2 15:04:05 2006 GMT") }

// onelineDN is a certificate's subject as OpenSSL's X509_NAME_oneline
// prints it: each attribute in the certificate's order as "/NAME=value",
// bytes outside printable ASCII as \xHH.
func onelineDN(c *x509.Certificate) string {
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(c.RawSubject, &rdns); err != nil {
		return ""
	}
	var b strings.Builder
	for _, rdn := range rdns {
		for _, atv := range rdn {
			b.WriteString("/" + attrName(atv.Type) + "=")
			v := fmt.Sprint(atv.Value)
			for i := 0; i < len(v); i++ {
				if c := v[i]; c < ' ' || c > '~' {
					fmt.Fprintf(&b, "\\x%02X", c)
				} else {
					b.WriteByte(c)
				}
			}
		}
	}
	return b.String()
}

func attrName(oid asn1.ObjectIdentifier) string {
	if s, ok := opensslShortNames[oid.String()]; ok {
		return s
	}
	return oid.String()
}

// keyAlgorithm is the certificate's key algorithm as OpenSSL names it.
func keyAlgorithm(c *x509.Certificate) string {
	switch c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "rsaEncryption"
	case *ecdsa.PublicKey:
		return "id-ecPublicKey"
	case ed25519.PublicKey:
		return "ED25519"
	}
	return ""
}

// sigAlgorithm is the signature algorithm as OpenSSL names it.
func sigAlgorithm(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSA:
		return "sha256WithRSAEncryption"
	case x509.SHA384WithRSA:
		return "sha384WithRSAEncryption"
	case x509.SHA512WithRSA:
		return "sha512WithRSAEncryption"
	case x509.SHA1WithRSA:
		return "sha1WithRSAEncryption"
	case x509.ECDSAWithSHA256:
		return "ecdsa-with-SHA256"
	case x509.ECDSAWithSHA384:
		return "ecdsa-with-SHA384"
	case x509.ECDSAWithSHA512:
		return "ecdsa-with-SHA512"
	case x509.PureEd25519:
		return "ED25519"
	}
	return a.String()
}

// pemCert is a certificate in PEM, as ExportCertData exports it.
func pemCert(der []byte) string {
	var b strings.Builder
	b.WriteString("-----BEGIN CERTIFICATE-----\n")
	enc := base64.StdEncoding.EncodeToString(der)
	for len(enc) > 64 {
		b.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	b.WriteString(enc + "\n-----END CERTIFICATE-----\n")
	return b.String()
}

// sessionID is SSL_SESSION_ID: 32 bytes in lower-case hex, as mod_ssl
// prints a session id. Go's TLS keeps no session ids, so gowsgid
// derives one from the connection's keys (a TLS exporter): the same for
// every request of a connection, another for each connection, as
// OpenSSL's TLS 1.3 sessions have (their id is made anew with each
// ticket). "" when the connection cannot export keys (TLS 1.2 without
// the extended master secret).
func sessionID(cs *tls.ConnectionState) (id string) {
	// A state crypto/tls did not make has no exporter, and calling it
	// panics.
	defer func() {
		if recover() != nil {
			id = ""
		}
	}()
	b, err := cs.ExportKeyingMaterial("EXPORTER-gowsgid-session-id", nil, 32)
	if err != nil {
		return ""
	}
	return hex.EncodeToString(b)
}

// cipherList is what a cipher string permits, or why OpenSSL refuses it.
type cipherList struct {
	sel ciphers.Selection
	err error
}

// cipherListOf evaluates spec once per table.
func (t *Table) cipherListOf(spec string) cipherList {
	if v, ok := t.cipherLists.Load(spec); ok {
		return v.(cipherList)
	}
	sel, err := ciphers.Select(spec)
	v, _ := t.cipherLists.LoadOrStore(spec, cipherList{sel, err})
	return v.(cipherList)
}

// checkCipherSuite is mod_ssl's access check for a directory's
// SSLCipherSuite on a connection before TLS 1.3 (mod_ssl leaves TLS 1.3
// connections alone). Where the directory's string is not the host's
// SSLCipherSuite, mod_ssl compares the lists: where the directory's
// differs from the connection's (with SSLOptions +OptRenegotiate: where
// it leaves out the suite in use), Apache renegotiates with the new
// list. Go's TLS cannot renegotiate, and most clients today refuse to;
// the request is refused as Apache refuses it then. An HTTP/2 stream
// cannot renegotiate its connection: mod_ssl refuses it as soon as the
// strings differ.
func (h *Handler) checkCipherSuite(r *Request) *Outcome {
	spec := r.Dir.SSLCipherSuite
	cs := r.HTTP.TLS
	if spec == "" || cs == nil || cs.Version >= tls.VersionTLS13 {
		return nil
	}
	cfg := h.Table.Config
	if spec == cfg.SSLOf(r.Host.Server).CipherSuite {
		return nil
	}
	if r.HTTP.ProtoMajor == 2 {
		return &Outcome{Status: 403}
	}
	dir := h.Table.cipherListOf(spec)
	if dir.err != nil {
		h.logf("warn", "ssl", r, "AH02253: Unable to configure (per-directory) permitted SSL ciphers")
		h.logf("error", "ssl", r, "SSL Library Error: %v", dir.err)
		return &Outcome{Status: 403}
	}
	opts := confparse.SSLOptionSet(confparse.SSLOptionSet(nil, r.Host.sslOptions), r.Dir.SSLOptions)
	var renegotiate bool
	if opts["optrenegotiate"] {
		renegotiate = !slices.Contains(dir.sel.Names, ciphers.Name(cs.CipherSuite))
	} else {
		// The connection's list: what its host's cipher strings left
		// (an SSLOpenSSLConfCmd CipherString replaces SSLCipherSuite's).
		list := cfg.SSLOf(r.Host.Server).CipherSuite
		if conf, _ := cfg.OpenSSLConf(r.Host.Server); conf.CipherString != "" {
			list = conf.CipherString
		} else if list == "" {
			list = confparse.DefaultCipherString
		}
		conn := h.Table.cipherListOf(list)
		renegotiate = conn.err != nil || !slices.Equal(conn.sel.Names, dir.sel.Names)
	}
	if !renegotiate {
		return nil
	}
	h.logf("error", "ssl", r, "AH02261: Re-negotiation handshake failed")
	return &Outcome{Status: 403}
}

// checkClientCert is mod_ssl's access check for SSLVerifyClient: where
// the request's directory or server asks for more than the handshake
// did (a certificate at all, or a required one), or a lower
// SSLVerifyDepth, Apache asks for one again (post-handshake
// authentication in TLS 1.3), which Go's TLS
// cannot do, so the request is refused as Apache refuses it for a
// client that cannot answer. A server's own setting differs from the
// handshake's only under SSLVHostSNIPolicy insecure.
func (h *Handler) checkClientCert(r *Request) *Outcome {
	cs := r.HTTP.TLS
	if cs == nil {
		return nil
	}
	cfg := h.Table.Config
	want := verifyFlags(cfg.SSLOf(r.Host.Server).VerifyClient)
	if v := r.Dir.SSLVerifyClient; v != nil {
		want |= verifyFlags(*v)
	}
	hs := r.handshake
	if hs == nil {
		hs = r.Host
	}
	had := verifyFlags(cfg.SSLOf(hs.Server).VerifyClient)
	// A directory's SSLVerifyDepth below the handshake's restricts the
	// chain: mod_ssl verifies again too.
	deeper := false
	if d := r.Dir.SSLVerifyDepth; d != nil {
		deeper = *d < verifyDepth(cfg.SSLOf(hs.Server))
	}
	if want&^had == 0 && !deeper {
		return nil
	}
	h.logf("error", "ssl", r, "AH10158: cannot perform post-handshake authentication")
	return &Outcome{Status: 403, Notes: "Reason: Cannot perform Post-Handshake Authentication.<br />"}
}

// verifyFlags is an SSLVerifyClient mode as OpenSSL's verify flags:
// 1 asks for a certificate (SSL_VERIFY_PEER), 2 requires one
// (SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
func verifyFlags(mode string) int {
	switch mode {
	case "optional", "optional_no_ca":
		return 1
	case "require":
		return 3
	}
	return 0
}
