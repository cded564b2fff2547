// Package opensslkey does the private-key signing of a TLS certificate's
// RSA key in OpenSSL's libcrypto, the library mod_ssl signs with.
//
// A full TLS handshake with an RSA certificate is one RSA signature on
// the server, and Go's constant-time RSA is about three times slower
// than libcrypto's assembly (835 µs against 266 µs for RSA-2048 on the
// machine docs/performance.md describes): with Go's own signing,
// gowsgid completed fewer RSA handshakes a second than Apache.
// Everything else in the handshake stays in crypto/tls.
//
// Only the signatures TLS 1.2 and 1.3 make with SHA-256, SHA-384 or
// SHA-512 (PKCS #1 v1.5, and PSS with a salt as long as the digest) go
// to libcrypto; other signatures and RSA decryption (the RSA key
// exchange of TLS 1.2 and earlier) stay with Go's key, whose decryption
// keeps its defences against padding oracles. Built without cgo, the
// package hands keys back unchanged.
package opensslkey

import (
	"crypto/fips140"
	"crypto/rsa"
	"crypto/tls"
)

// Certificate returns cert with its private key signing in libcrypto if
// it is an RSA key. Other certificates, keys libcrypto refuses (an RSA
// key of more primes than OpenSSL allows), and every certificate while
// Go's FIPS 140 mode is on (libcrypto is outside Go's validated module)
// come back as they are, signing in Go.
func Certificate(cert tls.Certificate) tls.Certificate {
	key, ok := cert.PrivateKey.(*rsa.PrivateKey)
	if !ok || fips140.Enabled() {
		return cert
	}
	signer, err := New(key)
	if err != nil {
		return cert
	}
	cert.PrivateKey = signer
	return cert
}
