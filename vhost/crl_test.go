package vhost

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// TestRevocationCheck runs the CRL checks on a three-level chain (root,
// intermediate, client) with the lists OpenSSL would consult, and
// compares the verification error and its depth.
func TestRevocationCheck(t *testing.T) {
	now := time.Now()
	root, err := certgen.NewCA(certgen.Spec{CommonName: "Root", Serial: 1})
	noErr(t, err)
	mid, err := root.SignCA(certgen.Spec{CommonName: "Mid", Serial: 2})
	noErr(t, err)
	leaf, err := mid.Sign(certgen.Spec{CommonName: "client", Client: true, Serial: 3})
	noErr(t, err)
	// An impostor: same name as the root, another key.
	fake, err := certgen.NewCA(certgen.Spec{CommonName: "Root", Serial: 1})
	noErr(t, err)
	chain := []*x509.Certificate{leaf.Leaf(), mid.Leaf(), root.Leaf()}
	crl := func(ca *certgen.Cert, from, to time.Time, serials ...int64) *x509.RevocationList {
		t.Helper()
		p, err := ca.CRL(1, from, to, serials...)
		noErr(t, err)
		ls, err := parseCRLs(p)
		noErr(t, err)
		return ls[0]
	}
	valid := func(ca *certgen.Cert, serials ...int64) *x509.RevocationList {
		return crl(ca, now.Add(-time.Hour), now.Add(time.Hour), serials...)
	}
	// special is a current list from ca, revoking nothing, with one
	// more extension.
	special := func(ca *certgen.Cert, id asn1.ObjectIdentifier, critical bool) *x509.RevocationList {
		t.Helper()
		p, err := ca.SignCRL(&x509.RevocationList{Number: big.NewInt(9), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
			ExtraExtensions: []pkix.Extension{{Id: id, Critical: critical, Value: []byte{0x30, 0x00}}}})
		noErr(t, err)
		ls, err := parseCRLs(p)
		noErr(t, err)
		return ls[0]
	}
	// v1 is a version 1 list (no version, no extensions), which
	// crypto/x509 does not parse by itself.
	v1 := func(ca *certgen.Cert, serials ...int64) *x509.RevocationList {
		t.Helper()
		p, err := ca.CRLv1(now.Add(-time.Hour), now.Add(time.Hour), serials...)
		noErr(t, err)
		ls, err := parseCRLs(p)
		noErr(t, err)
		return ls[0]
	}
	cases := []struct {
		name  string
		rv    revocation
		code  int // 0: accepted
		depth int
	}{
		{"v1 leaf clean", revocation{lists: []*x509.RevocationList{v1(mid)}}, 0, 0},
		{"v1 leaf revoked", revocation{lists: []*x509.RevocationList{v1(mid, 3)}}, 23, 0},
		{"v1 forged signature", revocation{chain: true, lists: []*x509.RevocationList{v1(mid), v1(fake)}}, 8, 1},
		{"v1 chain revoked CA", revocation{chain: true, lists: []*x509.RevocationList{v1(mid), v1(root, 2)}}, 23, 1},
		{"leaf clean", revocation{lists: []*x509.RevocationList{valid(mid)}}, 0, 0},
		{"leaf revoked", revocation{lists: []*x509.RevocationList{valid(mid, 3)}}, 23, 0},
		{"leaf mode ignores a revoked CA", revocation{lists: []*x509.RevocationList{valid(mid), valid(root, 2)}}, 0, 0},
		{"chain mode finds a revoked CA", revocation{chain: true, lists: []*x509.RevocationList{valid(mid), valid(root, 2)}}, 23, 1},
		{"chain mode needs every list", revocation{chain: true, lists: []*x509.RevocationList{valid(mid)}}, 3, 1},
		{"chain clean", revocation{chain: true, lists: []*x509.RevocationList{valid(mid), valid(root)}}, 0, 0},
		{"no list", revocation{lists: []*x509.RevocationList{valid(root)}}, 3, 0},
		{"no list is fine when optional", revocation{optional: true, lists: []*x509.RevocationList{valid(root)}}, 0, 0},
		{"expired", revocation{lists: []*x509.RevocationList{crl(mid, now.Add(-2*time.Hour), now.Add(-time.Hour))}}, 12, 0},
		{"not yet valid", revocation{lists: []*x509.RevocationList{crl(mid, now.Add(time.Hour), now.Add(2*time.Hour))}}, 11, 0},
		{"an expired list beside a current one", revocation{lists: []*x509.RevocationList{crl(mid, now.Add(-2*time.Hour), now.Add(-time.Hour)), valid(mid, 3)}}, 23, 0},
		{"forged signature", revocation{chain: true, lists: []*x509.RevocationList{valid(mid), valid(fake)}}, 8, 1},
		{"the newest list wins", revocation{lists: []*x509.RevocationList{crl(mid, now.Add(-2*time.Hour), now.Add(time.Hour)), valid(mid, 3)}}, 23, 0},
		{"a delta list is not a whole list", revocation{lists: []*x509.RevocationList{special(mid, oidDeltaCRLIndicator, false)}}, 3, 0},
		{"a list for one distribution point is passed over", revocation{lists: []*x509.RevocationList{special(mid, oidIssuingDistributionPoint, true), valid(mid, 3)}}, 23, 0},
		{"an unknown critical extension", revocation{lists: []*x509.RevocationList{special(mid, asn1.ObjectIdentifier{1, 2, 3, 4}, true)}}, 3, 0},
	}
	for _, c := range cases {
		err := c.rv.check(chain, now)
		switch {
		case c.code == 0 && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.code != 0 && err == nil:
			t.Errorf("%s: accepted, want error %d", c.name, c.code)
		case c.code != 0 && (err.code != c.code || err.depth != c.depth):
			t.Errorf("%s: error %d at depth %d (%s), want %d at %d", c.name, err.code, err.depth, err.text, c.code, c.depth)
		}
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// anchorsOf is the CA certificates as clientAuth splits them.
func anchorsOf(cas ...*certgen.Cert) caAnchors {
	a := newCAAnchors()
	for _, c := range cas {
		a.addCert(c.Leaf())
	}
	return a
}

// TestVerifyNoCA checks SSLVerifyClient optional_no_ca's verification:
// a chain to a known CA verifies (within SSLVerifyDepth), the errors
// about an issuer pass with OpenSSL's number and text, an expired
// certificate does not.
func TestVerifyNoCA(t *testing.T) {
	now := time.Now()
	root, err := certgen.NewCA(certgen.Spec{CommonName: "Root", Serial: 1})
	noErr(t, err)
	mid, err := root.SignCA(certgen.Spec{CommonName: "Mid", Serial: 2})
	noErr(t, err)
	leaf, err := root.Sign(certgen.Spec{CommonName: "alice", Client: true, Serial: 3})
	noErr(t, err)
	deep, err := mid.Sign(certgen.Spec{CommonName: "bob", Client: true, Serial: 4})
	noErr(t, err)
	old, err := root.Sign(certgen.Spec{CommonName: "old", Client: true, Serial: 5, NotAfter: now.Add(-time.Hour)})
	noErr(t, err)
	self, err := certgen.SelfSigned(certgen.Spec{CommonName: "self", Client: true})
	noErr(t, err)
	other, err := certgen.NewCA(certgen.Spec{CommonName: "Other", Serial: 6})
	noErr(t, err)
	stranger, err := other.Sign(certgen.Spec{CommonName: "carl", Client: true, Serial: 7})
	noErr(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(root.Leaf())
	revokedPEM, err := root.CRL(1, now.Add(-time.Hour), now.Add(time.Hour), 3)
	noErr(t, err)
	revokedLists, err := parseCRLs(revokedPEM)
	noErr(t, err)
	revoked := &revocation{lists: revokedLists}
	for _, c := range []struct {
		name  string
		certs []*certgen.Cert
		depth int
		code  int
		fatal bool
	}{
		{"verified", []*certgen.Cert{leaf}, 1, 0, false},
		{"through an intermediate", []*certgen.Cert{deep, mid}, 2, 0, false},
		{"too deep", []*certgen.Cert{deep, mid}, 1, 22, true},
		{"self-signed", []*certgen.Cert{self}, 1, 18, false},
		{"unknown issuer", []*certgen.Cert{stranger}, 1, 21, false},
		{"unknown issuer with its CA", []*certgen.Cert{stranger, other}, 1, 19, false},
		{"unknown intermediate's issuer", []*certgen.Cert{deep, mid}[:1], 1, 21, false},
		{"expired", []*certgen.Cert{old}, 1, 10, true},
	} {
		var certs []*x509.Certificate
		for _, x := range c.certs {
			certs = append(certs, x.Leaf())
		}
		cc := &clientChecks{depth: c.depth, noCA: pool, anchors: anchorsOf(root)}
		code, text, fatal := cc.verifyNoCA(certs, now)
		if code != c.code || fatal != c.fatal {
			t.Errorf("%s: %d %q (fatal %v), want %d (fatal %v)", c.name, code, text, fatal, c.code, c.fatal)
		}
	}
	// The revocation lists hold under optional_no_ca too: a revoked
	// certificate is not among the errors mod_ssl lets pass.
	// OpenSSL trusts no chain that ends in an intermediate CA of the
	// configuration (error 2), and counts the depth up to the root.
	for _, c := range []struct {
		name    string
		anchors caAnchors
		depth   int
		code    int
	}{
		{"only the intermediate known", anchorsOf(mid), 5, 2},
		{"root and intermediate known, too deep", anchorsOf(root, mid), 1, 22},
		{"root and intermediate known", anchorsOf(root, mid), 2, 0},
	} {
		cc := &clientChecks{depth: c.depth, noCA: pool, anchors: c.anchors}
		if code, text, fatal := cc.verifyNoCA([]*x509.Certificate{deep.Leaf()}, now); code != c.code || fatal != (code != 0) {
			t.Errorf("optional_no_ca, %s: %d %q (fatal %v), want %d", c.name, code, text, fatal, c.code)
		}
		// SSLVerifyClient require: Go's handshake verified the chain up
		// to the intermediate, which the verifier does not take.
		cc = &clientChecks{depth: c.depth, anchors: c.anchors}
		err := cc.verifier(nil)([][]byte{deep.Leaf().Raw}, [][]*x509.Certificate{{deep.Leaf(), mid.Leaf()}})
		var ve *verifyError
		var long chainTooLong
		switch {
		case c.code == 0 && err != nil,
			c.code == 2 && (!errors.As(err, &ve) || ve.code != 2),
			c.code == 22 && !errors.As(err, &long):
			t.Errorf("require, %s: %v, want code %d", c.name, err, c.code)
		}
	}
	cc := &clientChecks{depth: 1, noCA: pool, anchors: anchorsOf(root), revocation: revoked}
	if code, text, fatal := cc.verifyNoCA([]*x509.Certificate{leaf.Leaf()}, now); code != 23 || !fatal {
		t.Errorf("revoked: %d %q (fatal %v), want 23 (fatal)", code, text, fatal)
	}
}
