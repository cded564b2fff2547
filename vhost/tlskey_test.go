//go:build cgo

package vhost

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/certgen"
	"github.com/gowsgid/gowsgid/internal/opensslkey"
)

// TestRSAKeySignsInLibcrypto: a host's RSA certificate is served with
// its key signing in libcrypto, and a client that checks the chain
// accepts the handshake's signature over TLS 1.3 and 1.2.
func TestRSAKeySignsInLibcrypto(t *testing.T) {
	server, err := certgen.SelfSigned(certgen.Spec{CommonName: "main.test", DNSNames: []string{"main.test"}, RSA: true})
	if err != nil {
		t.Fatal(err)
	}
	h := newTLSTestHandler(t, server)
	cfg := h.Table.TLSConfig(netip.MustParseAddrPort("127.0.0.1:8443"), nil)
	if cfg == nil || len(cfg.Certificates) != 1 {
		t.Fatal("no certificate for the TLS port")
	}
	if _, ok := cfg.Certificates[0].PrivateKey.(*opensslkey.Key); !ok {
		t.Fatalf("the RSA key is a %T, not libcrypto's", cfg.Certificates[0].PrivateKey)
	}
	roots := x509.NewCertPool()
	roots.AddCert(server.Leaf())
	for _, max := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		sc, cc := net.Pipe()
		go func() {
			s := tls.Server(sc, cfg)
			s.Handshake()
			s.Write([]byte("x"))
			s.Close()
		}()
		cl := tls.Client(cc, &tls.Config{ServerName: "main.test", RootCAs: roots, MaxVersion: max})
		cl.SetDeadline(time.Now().Add(5 * time.Second))
		if err := cl.Handshake(); err != nil {
			t.Fatalf("TLS %x: %v", max, err)
		}
		cl.Close()
	}
}

// TestCertificateByClientOrder: of an RSA and an ECDSA certificate, the
// one the client's first usable signature algorithm takes is served, as
// OpenSSL chooses (Go would serve the first one the client accepts).
func TestCertificateByClientOrder(t *testing.T) {
	var certs []tls.Certificate
	for _, rsa := range []bool{true, false} {
		c, err := certgen.SelfSigned(certgen.Spec{CommonName: "dual.test", RSA: rsa})
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c.TLS())
	}
	pick := certificateByClientOrder(certs)
	for _, c := range []struct {
		schemes []tls.SignatureScheme
		want    int
	}{
		{[]tls.SignatureScheme{tls.ECDSAWithP256AndSHA256, tls.PSSWithSHA256}, 1},
		{[]tls.SignatureScheme{tls.PSSWithSHA256, tls.ECDSAWithP256AndSHA256}, 0},
		{[]tls.SignatureScheme{tls.Ed25519, tls.ECDSAWithP256AndSHA256}, 1},
		{[]tls.SignatureScheme{tls.PSSWithSHA256}, 0},
	} {
		hello := &tls.ClientHelloInfo{SignatureSchemes: c.schemes, SupportedVersions: []uint16{tls.VersionTLS13},
			SupportedCurves: []tls.CurveID{tls.X25519, tls.CurveP256}, CipherSuites: []uint16{tls.TLS_AES_128_GCM_SHA256}}
		got, err := pick(hello)
		if err != nil || got != &certs[c.want] {
			t.Errorf("%v: certificate %p, want #%d", c.schemes, got, c.want)
		}
	}
}
