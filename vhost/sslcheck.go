package vhost

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
)

// LogLine is an error log line a configuration's compilation reports,
// as Apache's post-configuration hooks log it: its module, level and
// message.
type LogLine struct {
	Module, Level, Msg string
}

// checkServerCerts is mod_ssl's ssl_check_public_cert for each
// certificate of a host (id is its SSL name, "host:port"): a warning for
// a certificate that is a CA's (AH01906), and for one whose names do not
// include the server's name (AH01909).
func checkServerCerts(id, hostname string, certs []tls.Certificate) []LogLine {
	var lines []LogLine
	for i, c := range certs {
		leaf := c.Leaf
		if leaf == nil && len(c.Certificate) > 0 {
			leaf, _ = x509.ParseCertificate(c.Certificate[0])
		}
		if leaf == nil {
			continue
		}
		name := fmt.Sprintf("%s:%d", id, i)
		if isCA(leaf) {
			lines = append(lines, LogLine{"ssl", "warn",
				"AH01906: " + name + " server certificate is a CA certificate (BasicConstraints: CA == TRUE !?)"})
		}
		if !certMatchesName(leaf, hostname) {
			lines = append(lines, LogLine{"ssl", "warn",
				"AH01909: " + name + " server certificate does NOT include an ID which matches the server name"})
		}
	}
	return lines
}

// isCA is OpenSSL's X509_check_ca(c) >= 1: a key usage that allows no
// certificate signing says no; basic constraints say yes or no; without
// them, a self-signed version 1 certificate, or one whose key usage
// allows certificate signing, is a CA's.
func isCA(c *x509.Certificate) bool {
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
		return false
	}
	if c.BasicConstraintsValid {
		return c.IsCA
	}
	if c.Version == 1 && bytes.Equal(c.RawIssuer, c.RawSubject) {
		return true
	}
	return c.KeyUsage != 0
}

// certMatchesName is mod_ssl's SSL_X509_match_name with wildcards: one
// of the certificate's DNS names or its common name is name (case
// aside), or is "*." and the part of name after its first dot.
func certMatchesName(c *x509.Certificate, name string) bool {
	ids := append(append([]string(nil), c.DNSNames...), c.Subject.CommonName)
	for _, id := range ids {
		if id == "" {
			continue
		}
		if strings.EqualFold(id, name) {
			return true
		}
		if dot := strings.IndexByte(name, '.'); strings.HasPrefix(id, "*.") && dot >= 0 && strings.EqualFold(id[1:], name[dot:]) {
			return true
		}
	}
	return false
}
