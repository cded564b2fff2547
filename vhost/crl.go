package vhost

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
)

// Certificate revocation lists, as mod_ssl has OpenSSL check them with
// SSLCARevocationFile/-Path and SSLCARevocationCheck.

// verifyError is an OpenSSL X509_V_ERR_* code with its text, which
// mod_ssl's AH02039 prints.
type verifyError struct {
	code  int
	text  string
	depth int
}

func (e *verifyError) Error() string {
	return fmt.Sprintf("Certificate Verification: Error (%d): %s", e.code, e.text)
}

// The OpenSSL verification errors gowsgid reports.
var (
	errUnableToGetCRL   = verifyError{code: 3, text: "unable to get certificate CRL"}
	errCRLSignature     = verifyError{code: 8, text: "CRL signature failure"}
	errCRLNotYetValid   = verifyError{code: 11, text: "CRL is not yet valid"}
	errCRLExpired       = verifyError{code: 12, text: "CRL has expired"}
	errCertChainTooLong = verifyError{code: 22, text: "certificate chain too long"}
	errCertRevoked      = verifyError{code: 23, text: "certificate revoked"}
)

func (e verifyError) at(depth int) *verifyError { e.depth = depth; return &e }

// revocation is a host's CRL checking: the lists, and which
// certificates of a client's chain they must clear.
type revocation struct {
	lists []*x509.RevocationList
	// chain checks every certificate up to the trusted CA, not only the
	// client's own; optional accepts a certificate whose issuer has no
	// list (no_crl_for_cert_ok).
	chain, optional bool
}

// loadRevocation reads a host's revocation lists (PEM or DER; every
// file of SSLCARevocationPath), as ssl_init_ctx_crl does; nil when
// SSLCARevocationCheck is none.
func loadRevocation(cfg *confparse.Config, s *confparse.Server, read func(string) ([]byte, error)) (*revocation, error) {
	if msg, fatal := cfg.CRLFinding(s); fatal {
		return nil, errors.New(msg)
	}
	ssl, id := cfg.SSLOf(s), confparse.SSLName(s)
	mode := ssl.CRLCheck
	if mode != "leaf" && mode != "chain" {
		return nil, nil
	}
	files := fileAndDir(ssl.CRLFile, ssl.CRLPath)
	rv := &revocation{chain: mode == "chain", optional: ssl.CRLOptional}
	for _, f := range files {
		data, err := read(f)
		if err != nil {
			if f == ssl.CRLFile {
				return nil, fmt.Errorf("AH01901: Host %s: unable to configure X.509 CRL storage for certificate revocation: %w", id, err)
			}
			continue
		}
		lists, err := parseCRLs(data)
		if err != nil && f == ssl.CRLFile {
			return nil, fmt.Errorf("AH01901: Host %s: unable to configure X.509 CRL storage for certificate revocation: %s: %w", id, f, err)
		}
		rv.lists = append(rv.lists, lists...)
	}
	return rv, nil
}

// parseCRLs reads the "X509 CRL" blocks of a PEM file, or one DER list.
func parseCRLs(data []byte) ([]*x509.RevocationList, error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		l, err := parseCRL(data)
		if err != nil {
			return nil, err
		}
		return []*x509.RevocationList{l}, nil
	}
	var out []*x509.RevocationList
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out, nil
		}
		if b.Type != "X509 CRL" {
			continue
		}
		l, err := parseCRL(b.Bytes)
		if err != nil {
			return out, err
		}
		out = append(out, l)
	}
}

// parseCRL is x509.ParseRevocationList, which also takes a version 1
// list (no version field, no extensions: what openssl ca -gencrl writes
// without crl_extensions), as OpenSSL does. crypto/x509 refuses those:
// the list is parsed with version 2 put in, and keeps its own encoding,
// over which its signature is checked.
func parseCRL(der []byte) (*x509.RevocationList, error) {
	l, err := x509.ParseRevocationList(der)
	if err == nil {
		return l, nil
	}
	var outer struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}
	if rest, perr := asn1.Unmarshal(der, &outer); perr != nil || len(rest) > 0 || outer.TBS.Tag != asn1.TagSequence {
		return nil, err
	}
	var first asn1.RawValue
	if _, perr := asn1.Unmarshal(outer.TBS.Bytes, &first); perr != nil || first.Tag == asn1.TagInteger {
		return nil, err // not a version 1 list: crypto/x509's reason stands
	}
	v2TBS, perr := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true,
		Bytes: append([]byte{0x02, 0x01, 0x01}, outer.TBS.Bytes...)})
	if perr != nil {
		return nil, err
	}
	v2, perr := asn1.Marshal(struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}{asn1.RawValue{FullBytes: v2TBS}, asn1.RawValue{FullBytes: outer.Algorithm.FullBytes}, outer.Signature})
	if perr != nil {
		return nil, err
	}
	l, perr = x509.ParseRevocationList(v2)
	if perr != nil {
		return nil, err
	}
	l.Raw, l.RawTBSRevocationList = der, outer.TBS.FullBytes
	return l, nil
}

// check clears a verified chain (the client's certificate first, the
// trusted CA last) as OpenSSL's check_revocation does: the client's
// certificate, or with chain every certificate, must have a list from
// its issuer that is in force and does not name it.
func (rv *revocation) check(chain []*x509.Certificate, now time.Time) *verifyError {
	last := 0
	if rv.chain {
		last = len(chain) - 1
	}
	for i := 0; i <= last && i < len(chain); i++ {
		issuer := chain[len(chain)-1] // a self-signed CA is its own issuer
		if i+1 < len(chain) {
			issuer = chain[i+1]
		}
		if err := rv.checkCert(chain[i], issuer, now); err != nil {
			return err.at(i)
		}
	}
	return nil
}

func (rv *revocation) checkCert(c, issuer *x509.Certificate, now time.Time) *verifyError {
	// OpenSSL takes the newest list in force that its issuer signed,
	// among the complete ones whose scope it understands.
	var best *x509.RevocationList
	var bestErr *verifyError
	for _, l := range rv.lists {
		if !bytes.Equal(l.RawIssuer, c.RawIssuer) || !usableCRL(l) {
			continue
		}
		var err *verifyError
		switch {
		case l.CheckSignatureFrom(issuer) != nil:
			err = &errCRLSignature
		case l.ThisUpdate.After(now):
			err = &errCRLNotYetValid
		case !l.NextUpdate.IsZero() && l.NextUpdate.Before(now):
			err = &errCRLExpired
		}
		if err == nil {
			if best == nil || l.ThisUpdate.After(best.ThisUpdate) {
				best = l
			}
			continue
		}
		if bestErr == nil || err.code > bestErr.code {
			bestErr = err // the nearest miss: in time beats signed
		}
	}
	if best == nil {
		if bestErr != nil {
			e := *bestErr
			return &e
		}
		if rv.optional {
			return nil
		}
		e := errUnableToGetCRL
		return &e
	}
	for _, r := range best.RevokedCertificateEntries {
		if r.SerialNumber.Cmp(c.SerialNumber) == 0 {
			e := errCertRevoked
			return &e
		}
	}
	return nil
}

// The CRL extensions OpenSSL weighs when it picks a list.
var (
	oidDeltaCRLIndicator        = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidIssuingDistributionPoint = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidCRLNumber                = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidAuthorityKeyID           = asn1.ObjectIdentifier{2, 5, 29, 35}
)

// usableCRL reports whether a list may stand for every certificate of
// its issuer: not a delta list, not one limited to a distribution point
// (gowsgid does not match scopes), no critical extension it does not
// know. Such lists are passed over, as OpenSSL does without
// X509_V_FLAG_USE_DELTAS and extended CRL support.
func usableCRL(l *x509.RevocationList) bool {
	for _, e := range l.Extensions {
		switch {
		case e.Id.Equal(oidDeltaCRLIndicator), e.Id.Equal(oidIssuingDistributionPoint):
			return false
		case e.Critical && !e.Id.Equal(oidCRLNumber) && !e.Id.Equal(oidAuthorityKeyID):
			return false
		}
	}
	return true
}
