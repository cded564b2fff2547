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
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
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
	opts := confparse.SSLOptionSet(nil, h.Table.Config.SSLOf(r.Host.Server).Options)
	opts = confparse.SSLOptionSet(opts, r.Dir.SSLOptions)
	if !opts["stdenvvars"] {
		return
	}
	set := func(k, v string) {
		if v != "" {
			r.setEnv(k, v)
		}
	}
	set("SSL_VERSION_INTERFACE", "gowsgid/"+Version)
	set("SSL_VERSION_LIBRARY", "Go crypto/tls")
	set("SSL_PROTOCOL", protocolName(cs.Version))
	set("SSL_SECURE_RENEG", strconv.FormatBool(cs.Version < tls.VersionTLS13))
	set("SSL_COMPRESS_METHOD", "NULL")
	cipher := tls.CipherSuiteName(cs.CipherSuite)
	set("SSL_CIPHER", cipher)
	set("SSL_CIPHER_EXPORT", "false")
	bits := "128"
	if strings.Contains(cipher, "AES_256") || strings.Contains(cipher, "CHACHA20") {
		bits = "256"
	}
	set("SSL_CIPHER_USEKEYSIZE", bits)
	set("SSL_CIPHER_ALGKEYSIZE", bits)
	if cs.DidResume {
		set("SSL_SESSION_RESUMED", "Resumed")
	} else {
		set("SSL_SESSION_RESUMED", "Initial")
	}
	verify := "NONE"
	if len(cs.PeerCertificates) > 0 {
		verify = "SUCCESS"
		if len(cs.VerifiedChains) == 0 {
			verify = "GENEROUS"
		}
		certVars(set, "SSL_CLIENT_", cs.PeerCertificates[0], opts["exportcertdata"])
	}
	set("SSL_CLIENT_VERIFY", verify)
	if r.Host.tls != nil {
		for _, c := range r.Host.tls.config.Certificates {
			if leaf, err := x509.ParseCertificate(c.Certificate[0]); err == nil {
				certVars(set, "SSL_SERVER_", leaf, opts["exportcertdata"])
				break
			}
		}
	}
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
	set(prefix+"S_DN", distinguishedName(c.Subject))
	dnParts(set, prefix+"S_DN_", c.Subject)
	set(prefix+"I_DN", distinguishedName(c.Issuer))
	dnParts(set, prefix+"I_DN_", c.Issuer)
	set(prefix+"A_KEY", keyAlgorithm(c))
	set(prefix+"A_SIG", sigAlgorithm(c.SignatureAlgorithm))
	if export {
		set(prefix+"CERT", pemCert(c.Raw))
	}
}

// asn1Time is OpenSSL's ASN1_TIME_print: "Dec  6 09:00:00 2026 GMT".
func asn1Time(t time.Time) string { return t.UTC().Format("Jan _2 15:04:05 2006 GMT") }

// dnNames are the short names OpenSSL gives the attributes of a DN.
var dnNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
	"2.5.4.5": "serialNumber", "2.5.4.9": "street", "2.5.4.12": "title", "2.5.4.42": "GN", "2.5.4.4": "SN",
	"1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
}

// distinguishedName is a DN as mod_ssl prints it (RFC 2253: the most
// specific attribute first, comma-separated).
func distinguishedName(n pkix.Name) string {
	var parts []string
	rdns := n.ToRDNSequence()
	for i := len(rdns) - 1; i >= 0; i-- {
		for _, atv := range rdns[i] {
			parts = append(parts, attrName(atv.Type)+"="+fmt.Sprint(atv.Value))
		}
	}
	return strings.Join(parts, ",")
}

// dnParts sets prefix+NAME for each attribute of the DN (the
// mod_ssl-known ones; a repeated one as NAME, NAME_1, ...).
func dnParts(set func(k, v string), prefix string, n pkix.Name) {
	seen := map[string]int{}
	for _, rdn := range n.ToRDNSequence() {
		for _, atv := range rdn {
			name := attrName(atv.Type)
			if name == atv.Type.String() {
				continue
			}
			if name == "emailAddress" {
				name = "Email"
			}
			k := prefix + name
			if i := seen[name]; i > 0 {
				k += "_" + strconv.Itoa(i)
			}
			seen[name]++
			set(k, fmt.Sprint(atv.Value))
		}
	}
}

func attrName(oid asn1.ObjectIdentifier) string {
	if s, ok := dnNames[oid.String()]; ok {
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

// checkClientCert is mod_ssl's access check for a directory's
// SSLVerifyClient require: unless the handshake already required a
// client certificate, Apache asks for one again (post-handshake
// authentication in TLS 1.3), which Go's TLS cannot do, so the request
// is refused as Apache refuses it for a client that cannot answer.
func (h *Handler) checkClientCert(r *Request) *Outcome {
	v := r.Dir.SSLVerifyClient
	cs := r.HTTP.TLS
	if v == nil || *v != "require" || cs == nil {
		return nil
	}
	if h.Table.Config.SSLOf(r.Host.Server).VerifyClient == "require" && len(cs.VerifiedChains) > 0 {
		return nil
	}
	h.logf("error", "ssl", r, "AH10158: cannot perform post-handshake authentication")
	return &Outcome{Status: 403, Notes: "Reason: Cannot perform Post-Handshake Authentication.<br />"}
}
