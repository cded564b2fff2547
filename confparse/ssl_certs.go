package confparse

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/internal/ciphers"
)

// CertificateError is a certificate or key that a server with SSLEngine
// on cannot use, with the line that named it and mod_ssl's message.
type CertificateError struct {
	File string
	Line int
	Msg  string
	// Level is the error log level of Msg ("": emerg, as mod_ssl logs
	// most of its start-up failures).
	Level string
}

func (e *CertificateError) Error() string { return e.Msg }

// LogLevel is the level mod_ssl logs the error at.
func (e *CertificateError) LogLevel() string {
	if e.Level == "" {
		return "emerg"
	}
	return e.Level
}

// SSLName is how mod_ssl names a server in its messages
// (ssl_util_vhostid): name:port, the port ServerName's, else 443 (a
// ServerName without a port sets it to none: a host at *:8443 named
// by ServerName is "name:443"); a virtual host with no ServerName line
// keeps its address's port ("name:8443").
func SSLName(s *Server) string {
	port := s.ServerPort
	if port == 0 && s.ServerName == "" && len(s.Addrs) > 0 {
		// ap_parse_vhost_addrs: the <VirtualHost> address's port, which
		// only a ServerName line replaces.
		port = s.Addrs[0].Port
	}
	if port == 0 {
		port = 443
	}
	return fmt.Sprintf("%s:%d", s.Hostname, port)
}

// LoadCertificates loads the certificates and keys of a server whose
// SSLEngine is on, as mod_ssl's ssl_init_Module does at start-up, with
// its messages: a key that does not match its certificate, an encrypted
// key whose pass phrase the dialog did not give (decryptKey), a file
// that is not PEM.
func (c *Config) LoadCertificates(s *Server) ([]tls.Certificate, error) {
	ssl := c.SSLOf(s)
	id := SSLName(s)
	if len(ssl.CertificateFiles) == 0 {
		return nil, &CertificateError{Msg: fmt.Sprintf("AH02572: Failed to configure at least one certificate and key for %s", id)}
	}
	var certs []tls.Certificate
	for i, cf := range ssl.CertificateFiles {
		certPEM, err := c.readFile(cf.Path)
		if err != nil {
			return nil, &CertificateError{File: cf.File, Line: cf.Line, Msg: fmt.Sprintf("AH02561: Failed to configure certificate %s:%d, check %s", id, i, cf.Path)}
		}
		key, _ := c.KeyFile(s, i)
		read := c.ReadKeyFile
		if c.ReadKey != nil && !c.DeferEncryptedKeys {
			read = c.ReadKey
		}
		keyPEM, err := read(id, i, key)
		deferred := errors.Is(err, errDeferred)
		switch {
		case deferred:
			c.DeferredKeys = append(c.DeferredKeys, key)
		case err != nil:
			var ce *CertificateError
			if errors.As(err, &ce) {
				return nil, ce
			}
			return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf(
				"AH02564: Failed to configure encrypted (?) private key %s:%d, check %s", id, i, key.Path)}
		}
		if ssl.ChainFile != "" {
			chain, err := c.readFile(ssl.ChainFile)
			if err != nil {
				return nil, &CertificateError{File: cf.File, Line: cf.Line, Msg: fmt.Sprintf("AH02561: Failed to configure CA certificate chain %s", ssl.ChainFile)}
			}
			certPEM = append(append(certPEM, '\n'), chain...)
		}
		var cert tls.Certificate
		if deferred {
			// configtest: the certificate alone.
			cert, err = certificateOnly(certPEM)
			if err != nil {
				return nil, &CertificateError{File: cf.File, Line: cf.Line, Msg: fmt.Sprintf("AH02561: Failed to configure certificate %s:%d, check %s: %v", id, i, cf.Path, err)}
			}
		} else {
			cert, err = tls.X509KeyPair(certPEM, keyPEM)
		}
		switch {
		case err != nil && strings.Contains(err.Error(), "does not match"):
			return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf(
				"AH02565: Certificate and private key %s:%d from %s and %s do not match", id, i, cf.Path, key.Path)}
		case err != nil && strings.Contains(err.Error(), "certificate input"):
			// No certificate in the file (a key, or something else).
			return nil, &CertificateError{File: cf.File, Line: cf.Line, Msg: fmt.Sprintf("AH02562: Failed to configure certificate %s:%d (with chain), check %s"+
				" (SSL Library Error: error:0480006C:PEM routines::no start line (Expecting: TRUSTED CERTIFICATE)"+
				" -- Bad file contents or format - or even just a forgotten SSLCertificateKeyFile?)", id, i, cf.Path)}
		case err != nil && key == cf:
			// No SSLCertificateKeyFile, and no key in the certificate's
			// file.
			return nil, &CertificateError{File: cf.File, Line: cf.Line, Msg: "AH02579: Init: Private key not found"}
		case err != nil && strings.Contains(err.Error(), "certificate"):
			return nil, &CertificateError{File: cf.File, Line: cf.Line, Msg: fmt.Sprintf("AH02561: Failed to configure certificate %s:%d, check %s: %v", id, i, cf.Path, err)}
		case err != nil:
			return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf(
				"AH02564: Failed to configure encrypted (?) private key %s:%d, check %s: %v", id, i, key.Path, err)}
		}
		if need := minKeyBits(c.securityLevel(s)); cert.Leaf != nil && keySecurityBits(cert.Leaf.PublicKey) < need {
			return nil, &CertificateError{File: cf.File, Line: cf.Line, Msg: fmt.Sprintf(
				"AH02562: Failed to configure certificate %s:%d (with chain), check %s (SSL Library Error: error:0A00018F:SSL routines::ee key too small)", id, i, cf.Path)}
		}
		certs = append(certs, cert)
	}
	return certs, nil
}

// securityLevel is the OpenSSL security level a TLS server's context
// has when mod_ssl loads its certificates: the default, or
// SSLCipherSuite's @SECLEVEL (SSLOpenSSLConfCmd runs after).
func (c *Config) securityLevel(s *Server) int {
	sel, err := c.sslCipherSuite(s)
	if err != nil {
		return ciphers.DefaultSecurityLevel
	}
	return sel.SecurityLevel
}

// minKeyBits is the security, in bits, a certificate's key must offer at
// an OpenSSL security level (SSL_CTX_use_certificate refuses weaker
// keys: "ee key too small").
func minKeyBits(level int) int {
	return [...]int{0, 80, 112, 128, 192, 256}[min(max(level, 0), 5)]
}

// keySecurityBits is OpenSSL's security bits of a public key: an RSA
// key's by its modulus (BN_security_bits), an elliptic curve's half its
// order. Keys of other kinds are not checked.
func keySecurityBits(pub any) int {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		for _, step := range []struct{ modulus, security int }{{15360, 256}, {7680, 192}, {3072, 128}, {2048, 112}, {1024, 80}} {
			if bits >= step.modulus {
				return step.security
			}
		}
		return 0
	case *ecdsa.PublicKey:
		return k.Curve.Params().BitSize / 2
	}
	return 256
}

// readFile reads a certificate or key: with ReadFile when it is set
// (the privileged helper, once privileges are dropped).
func (c *Config) readFile(path string) ([]byte, error) {
	if c.ReadFile != nil {
		return c.ReadFile(path)
	}
	return os.ReadFile(path)
}

// certificateOnly is the certificate chain of certPEM, without its key.
func certificateOnly(certPEM []byte) (tls.Certificate, error) {
	var cert tls.Certificate
	for {
		var b *pem.Block
		b, certPEM = pem.Decode(certPEM)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			cert.Certificate = append(cert.Certificate, b.Bytes)
		}
	}
	if len(cert.Certificate) == 0 {
		return cert, errors.New("no certificate")
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	cert.Leaf = leaf
	return cert, err
}

// CertificateFindings checks, for configtest, what mod_ssl checks only
// when the server starts: each server with SSLEngine on has a usable
// certificate and key and a cipher string OpenSSL accepts (Fatal
// findings, as the server would not start), and its certificates are
// within their validity (a warning).
func CertificateFindings(c *Config, now time.Time) []Finding {
	var out []Finding
	// No pass phrase dialog runs for configtest (Apache's -t loads no
	// key): an encrypted key is left to the start, and said so.
	defer func(defer0 bool) { c.DeferEncryptedKeys, c.DeferredKeys = defer0, nil }(c.DeferEncryptedKeys)
	c.DeferEncryptedKeys = true
	for _, s := range append([]*Server{c.Main}, c.VirtualHosts...) {
		if s == nil || c.SSLOf(s).Engine != "on" {
			continue
		}
		c.DeferredKeys = nil
		certs, err := c.LoadCertificates(s)
		if ce, ok := err.(*CertificateError); ok {
			file, line := ce.File, ce.Line
			if file == "" && s.Node != nil {
				file, line = s.Node.File, s.Node.Line
			}
			out = append(out, Finding{File: file, Line: line, Message: ce.Msg, Fatal: true})
			continue
		}
		dialog := c.PassPhraseDialog
		if dialog == "" || dialog == "builtin" {
			dialog = "SSLPassPhraseDialog builtin asks on the server's terminal, or reads its standard input"
		}
		for _, k := range c.DeferredKeys {
			out = append(out, Finding{File: k.File, Line: k.Line, Directive: "SSLCertificateKeyFile", Message: fmt.Sprintf(
				"the private key %s of %s is encrypted: it is decrypted when the server starts (%s), and not checked against its certificate here", k.Path, SSLName(s), dialog)})
		}
		out = append(out, c.cipherFindings(s)...)
		if msg, fatal := c.CRLFinding(s); msg != "" {
			f := Finding{Message: msg, Fatal: fatal}
			if s.Node != nil {
				f.File, f.Line = s.Node.File, s.Node.Line
			}
			out = append(out, f)
		}
		for i, cert := range certs {
			leaf, err := x509.ParseCertificate(cert.Certificate[0])
			if err != nil {
				continue
			}
			cf := c.SSLOf(s).CertificateFiles[i]
			if now.After(leaf.NotAfter) {
				out = append(out, Finding{File: cf.File, Line: cf.Line, Directive: "SSLCertificateFile", Message: fmt.Sprintf(
					"the certificate %s of %s expired on %s (clients will refuse it)", cf.Path, SSLName(s), leaf.NotAfter.UTC().Format(time.RFC1123))})
			}
		}
	}
	return out
}

// CRLFinding is mod_ssl's ssl_init_ctx_crl check of a TLS server's
// revocation settings: fatal when SSLCARevocationCheck asks for checks
// without a list to check against, a warning when lists are named but
// not checked; "" when neither.
func (c *Config) CRLFinding(s *Server) (msg string, fatal bool) {
	ssl := c.SSLOf(s)
	checks := ssl.CRLCheck == "leaf" || ssl.CRLCheck == "chain"
	lists := ssl.CRLFile != "" || ssl.CRLPath != ""
	switch {
	case checks && !lists:
		return fmt.Sprintf("AH01899: Host %s: CRL checking has been enabled, but neither SSLCARevocationFile nor SSLCARevocationPath is configured", SSLName(s)), true
	case lists && !checks:
		return fmt.Sprintf("AH01902: Host %s: X.509 CRL storage locations configured, but CRL checking (SSLCARevocationCheck) is not enabled", SSLName(s)), false
	}
	return "", false
}
