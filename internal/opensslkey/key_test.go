//go:build cgo

package opensslkey

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

func newKey(t testing.TB, bits int) (*rsa.PrivateKey, *Key) {
	t.Helper()
	goKey, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := New(goKey)
	if err != nil {
		t.Fatal(err)
	}
	return goKey, signer.(*Key)
}

// TestSignaturesVerify checks every signature libcrypto makes against
// Go's verification, for the hashes and paddings TLS uses.
func TestSignaturesVerify(t *testing.T) {
	for _, bits := range []int{2048, 3072} {
		goKey, key := newKey(t, bits)
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			d := h.New()
			fmt.Fprintf(d, "message %d", bits)
			digest := d.Sum(nil)
			for _, pss := range []bool{false, true} {
				t.Run(fmt.Sprintf("%d/%v/pss=%v", bits, h, pss), func(t *testing.T) {
					before := key.signed.Load()
					var opts crypto.SignerOpts = h
					if pss {
						opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
					}
					sig, err := key.Sign(rand.Reader, digest, opts)
					if err != nil {
						t.Fatal(err)
					}
					if key.signed.Load() != before+1 {
						t.Fatal("the signature was not made by libcrypto")
					}
					if pss {
						// A salt as long as the digest, as TLS requires.
						err = rsa.VerifyPSS(&goKey.PublicKey, h, digest, sig, &rsa.PSSOptions{SaltLength: h.Size()})
					} else {
						err = rsa.VerifyPKCS1v15(&goKey.PublicKey, h, digest, sig)
					}
					if err != nil {
						t.Fatalf("libcrypto's signature does not verify: %v", err)
					}
					digest[0] ^= 1
					if rsa.VerifyPKCS1v15(&goKey.PublicKey, h, digest, sig) == nil {
						t.Fatal("the signature verifies for another digest")
					}
					digest[0] ^= 1
				})
			}
		}
	}
}

// TestOtherSignaturesStayWithGo: what libcrypto is not asked to make is
// still made, by Go's key.
func TestOtherSignaturesStayWithGo(t *testing.T) {
	goKey, key := newKey(t, 2048)
	sha1Digest := sha1.Sum([]byte("old"))
	sha256Digest := sha256.Sum256([]byte("new"))
	cases := []struct {
		name   string
		digest []byte
		opts   crypto.SignerOpts
		verify func(sig []byte) error
	}{
		{"PKCS1v15 SHA-1", sha1Digest[:], crypto.SHA1, func(sig []byte) error {
			return rsa.VerifyPKCS1v15(&goKey.PublicKey, crypto.SHA1, sha1Digest[:], sig)
		}},
		{"PSS with the largest salt", sha256Digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256}, func(sig []byte) error {
			return rsa.VerifyPSS(&goKey.PublicKey, crypto.SHA256, sha256Digest[:], sig, nil)
		}},
		{"TLS 1.0's MD5+SHA-1", make([]byte, 36), crypto.MD5SHA1, func(sig []byte) error {
			return rsa.VerifyPKCS1v15(&goKey.PublicKey, crypto.MD5SHA1, make([]byte, 36), sig)
		}},
	}
	for i := range cases {
		c := &cases[i]
		t.Run(c.name, func(t *testing.T) {
			before := key.signed.Load()
			sig, err := key.Sign(rand.Reader, c.digest, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.verify(sig); err != nil {
				t.Fatalf("signature does not verify: %v", err)
			}
			if key.signed.Load() != before {
				t.Fatal("libcrypto made a signature it was not meant to")
			}
		})
	}
	if _, err := key.Sign(rand.Reader, sha256Digest[:20], crypto.SHA256); err == nil {
		t.Fatal("a digest of the wrong length was signed")
	}
}

// TestConcurrentSigning signs from several goroutines at once with one
// key, as concurrent handshakes do.
func TestConcurrentSigning(t *testing.T) {
	goKey, key := newKey(t, 2048)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				digest := sha256.Sum256(fmt.Appendf(nil, "%d/%d", g, i))
				opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
				sig, err := key.Sign(rand.Reader, digest[:], opts)
				if err == nil {
					err = rsa.VerifyPSS(&goKey.PublicKey, crypto.SHA256, digest[:], sig, opts)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := key.signed.Load(); n != 160 {
		t.Fatalf("libcrypto made %d signatures, want 160", n)
	}
}

// TestHandshakes serves TLS with a certificate from Certificate and
// checks, with a client that verifies the chain, each way the RSA key
// takes part: TLS 1.3 (PSS), TLS 1.2 ECDHE-RSA (PKCS #1 v1.5 or PSS, as
// the client prefers) and TLS 1.2 RSA key exchange (Go's decryption).
func TestHandshakes(t *testing.T) {
	ca, err := certgen.NewCA(certgen.Spec{CommonName: "opensslkey CA", RSA: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Sign(certgen.Spec{CommonName: "server.test", DNSNames: []string{"server.test"}, RSA: true})
	if err != nil {
		t.Fatal(err)
	}
	cert := Certificate(leaf.TLS())
	key, ok := cert.PrivateKey.(*Key)
	if !ok {
		t.Fatalf("Certificate left the RSA key as %T", cert.PrivateKey)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Leaf())
	cases := []struct {
		name    string
		client  tls.Config
		signing bool
	}{
		{"TLS 1.3", tls.Config{MinVersion: tls.VersionTLS13}, true},
		{"TLS 1.2 ECDHE-RSA", tls.Config{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}, true},
		{"TLS 1.2 RSA key exchange", tls.Config{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}}, false},
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}}
	for i := range cases {
		c := &cases[i]
		t.Run(c.name, func(t *testing.T) {
			before := key.signed.Load()
			client := c.client.Clone()
			client.RootCAs = roots
			client.ServerName = "server.test"
			if err := handshake(server, client); err != nil {
				t.Fatal(err)
			}
			signed := key.signed.Load() - before
			if c.signing && signed != 1 || !c.signing && signed != 0 {
				t.Fatalf("libcrypto made %d signatures in the handshake", signed)
			}
		})
	}
}

// handshake completes a handshake between the two configurations over a
// pipe and exchanges a byte each way.
func handshake(server, client *tls.Config) error {
	sc, cc := net.Pipe()
	defer sc.Close()
	defer cc.Close()
	done := make(chan error, 1)
	go func() {
		s := tls.Server(sc, server)
		b := make([]byte, 1)
		_, err := io.ReadFull(s, b)
		if err == nil {
			_, err = s.Write(b)
		}
		done <- err
	}()
	c := tls.Client(cc, client)
	if _, err := c.Write([]byte{'x'}); err != nil {
		return fmt.Errorf("client: %w", err)
	}
	b := make([]byte, 1)
	if _, err := io.ReadFull(c, b); err != nil {
		return fmt.Errorf("client read: %w", err)
	}
	if err := <-done; err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// TestCertificateLeavesOtherKeys: an ECDSA certificate is not touched.
func TestCertificateLeavesOtherKeys(t *testing.T) {
	ec, err := certgen.SelfSigned(certgen.Spec{CommonName: "ec.test"})
	if err != nil {
		t.Fatal(err)
	}
	cert := Certificate(ec.TLS())
	if _, isKey := cert.PrivateKey.(*Key); isKey {
		t.Fatal("an ECDSA key was handed to the RSA signer")
	}
}

// BenchmarkSign compares one TLS 1.3 signature (RSA-2048, PSS, SHA-256)
// made by libcrypto with one made by Go.
func BenchmarkSign(b *testing.B) {
	goKey, key := newKey(b, 2048)
	digest := sha256.Sum256([]byte("handshake"))
	opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	for _, s := range []struct {
		name   string
		signer crypto.Signer
	}{{"libcrypto", key}, {"go", goKey}} {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.signer.Sign(rand.Reader, digest[:], opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
