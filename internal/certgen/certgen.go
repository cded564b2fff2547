// Package certgen makes certificates for tests and benchmarks: a
// self-signed server certificate, or a CA and the certificates it
// signs, as PEM, with ECDSA P-256 or RSA keys.
package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// Spec says what certificate to make.
type Spec struct {
	// CommonName is the subject's CN; a server certificate also names it
	// as its DNS name.
	CommonName   string
	Organization string
	// NotAfter is the end of validity (zero: a day from now); the
	// certificate is valid from two days before it.
	NotAfter time.Time
	// RSA makes a 2048-bit RSA key instead of ECDSA P-256.
	RSA bool
	// Client makes a client certificate (ExtKeyUsageClientAuth).
	Client bool
	// Serial is the serial number (0: from the clock).
	Serial int64
	// DNSNames, Emails and UPNs are subjectAltName entries, in this
	// order (a server certificate's CommonName comes first); UPNs are
	// Microsoft User Principal Names (otherName msUPN).
	DNSNames, Emails, UPNs []string
	// RawSubject, when set, is the subject's DER (an RDNSequence) in
	// place of CommonName and Organization.
	RawSubject []byte
}

// Cert is a certificate and its key.
type Cert struct {
	CertPEM, KeyPEM []byte
	leaf            *x509.Certificate
	key             crypto.Signer
}

// TLS is the certificate for crypto/tls.
func (c *Cert) TLS() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.leaf.Raw}, PrivateKey: c.key, Leaf: c.leaf}
}

// WriteFiles writes dir/name.crt and dir/name.key.
func (c *Cert) WriteFiles(dir, name string) error {
	if err := os.WriteFile(filepath.Join(dir, name+".crt"), c.CertPEM, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".key"), c.KeyPEM, 0o600)
}

// SelfSigned makes a self-signed certificate.
func SelfSigned(s Spec) (*Cert, error) { return makeCert(s, nil, false) }

// NewCA makes a self-signed CA certificate.
func NewCA(s Spec) (*Cert, error) {
	s.Client = false
	return makeCert(s, nil, true)
}

// Sign makes a certificate signed by ca.
func (ca *Cert) Sign(s Spec) (*Cert, error) { return makeCert(s, ca, false) }

// SignCA makes an intermediate CA certificate signed by ca.
func (ca *Cert) SignCA(s Spec) (*Cert, error) {
	s.Client = false
	return makeCert(s, ca, true)
}

// CRL is a certificate revocation list signed by ca, in force from
// thisUpdate to nextUpdate, that revokes the certificates with the
// given serial numbers; number is the list's CRL number. It is PEM.
func (ca *Cert) CRL(number int64, thisUpdate, nextUpdate time.Time, serials ...int64) ([]byte, error) {
	tmpl := &x509.RevocationList{Number: big.NewInt(number), ThisUpdate: thisUpdate, NextUpdate: nextUpdate}
	for _, sn := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: big.NewInt(sn), RevocationTime: thisUpdate})
	}
	return ca.SignCRL(tmpl)
}

// CRLv1 is a version 1 revocation list (no version field and no
// extensions, what openssl ca -gencrl writes without crl_extensions),
// which crypto/x509 cannot write; ca's key must be ECDSA. It is PEM.
func (ca *Cert) CRLv1(thisUpdate, nextUpdate time.Time, serials ...int64) ([]byte, error) {
	if _, ok := ca.key.(*ecdsa.PrivateKey); !ok {
		return nil, fmt.Errorf("certgen: CRLv1 needs an ECDSA key")
	}
	type revoked struct {
		Serial *big.Int
		Date   time.Time
	}
	algo := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}} // ecdsa-with-SHA256
	tbs := struct {
		Algorithm  pkix.AlgorithmIdentifier
		Issuer     asn1.RawValue
		ThisUpdate time.Time
		NextUpdate time.Time
		Revoked    []revoked `asn1:"optional"`
	}{Algorithm: algo, Issuer: asn1.RawValue{FullBytes: ca.leaf.RawSubject}, ThisUpdate: thisUpdate.UTC(), NextUpdate: nextUpdate.UTC()}
	for _, sn := range serials {
		tbs.Revoked = append(tbs.Revoked, revoked{big.NewInt(sn), thisUpdate.UTC()})
	}
	tbsDER, err := asn1.Marshal(tbs)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(tbsDER)
	sig, err := ca.key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	der, err := asn1.Marshal(struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}{asn1.RawValue{FullBytes: tbsDER}, algo, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), nil
}

// SignCRL signs the revocation list tmpl describes (extensions and all)
// with ca's key, as PEM.
func (ca *Cert) SignCRL(tmpl *x509.RevocationList) ([]byte, error) {
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.leaf, ca.key)
	if err != nil {
		return nil, fmt.Errorf("certgen: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), nil
}

// Leaf is the parsed certificate.
func (c *Cert) Leaf() *x509.Certificate { return c.leaf }

func makeCert(s Spec, ca *Cert, isCA bool) (*Cert, error) {
	var key crypto.Signer
	var err error
	if s.RSA {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, err
	}
	notAfter := s.NotAfter
	if notAfter.IsZero() {
		notAfter = time.Now().Add(24 * time.Hour)
	}
	serial := s.Serial
	if serial == 0 {
		serial = time.Now().UnixNano()
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: s.CommonName},
		NotBefore: notAfter.Add(-48 * time.Hour), NotAfter: notAfter}
	if s.Organization != "" {
		tmpl.Subject.Organization = []string{s.Organization}
	}
	tmpl.RawSubject = s.RawSubject
	switch {
	case isCA:
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	case s.Client:
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	default:
		tmpl.DNSNames = []string{s.CommonName}
	}
	tmpl.DNSNames = append(tmpl.DNSNames, s.DNSNames...)
	tmpl.EmailAddresses = s.Emails
	if len(s.UPNs) > 0 {
		ext, err := subjectAltName(tmpl.DNSNames, s.Emails, s.UPNs)
		if err != nil {
			return nil, err
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, ext)
		tmpl.DNSNames, tmpl.EmailAddresses = nil, nil
	}
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.leaf, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("certgen: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Cert{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), leaf: leaf, key: key}, nil
}

// oidMsUPN is Microsoft's User Principal Name otherName.
var oidMsUPN = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}

// subjectAltName is the extension with DNS names, e-mail addresses and
// msUPN otherNames, which crypto/x509 cannot write itself.
func subjectAltName(dns, emails, upns []string) (pkix.Extension, error) {
	var names []asn1.RawValue
	for _, d := range dns {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(d)})
	}
	for _, e := range emails {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte(e)})
	}
	for _, u := range upns {
		value, err := asn1.MarshalWithParams(u, "utf8")
		if err != nil {
			return pkix.Extension{}, err
		}
		oid, err := asn1.Marshal(oidMsUPN)
		if err != nil {
			return pkix.Extension{}, err
		}
		explicit, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: value})
		if err != nil {
			return pkix.Extension{}, err
		}
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
			Bytes: append(oid, explicit...)})
	}
	der, err := asn1.Marshal(names)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("certgen: subjectAltName: %w", err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: der}, nil
}
