package vhost

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/opensslkey"
)

// hostTLS is a host's mod_ssl setup: its certificate and the TLS
// configuration a handshake for it uses.
type hostTLS struct {
	config *tls.Config
	// checks are the client certificate checks beyond Go's (nil when
	// no certificate is verified).
	checks *clientChecks
	// setup is what SSLVHostSNIPolicy compares of two hosts' TLS.
	setup     tlsSetup
	strictSNI bool
	// clientOrder is ProtocolsHonorOrder Off: ALPN follows the
	// client's preference, not Protocols' order.
	clientOrder bool
}

// tlsSetup is what mod_ssl compares of the host a handshake chose and
// the host a request names (ssl_server_compatible under
// SSLVHostSNIPolicy), as 2.4.71 compares it (measured: the settings in
// effect, not as written, for the protocols, SSLVerifyClient and
// SSLVerifyDepth; strings as written for the rest;
// SSLCertificateChainFile and the settings of the session, such as
// SSLSessionTickets or SSLHonorCipherOrder, not at all).
type tlsSetup struct {
	// certs and keys are the certificate and key files, compared as
	// sets (an unordered list of the same length).
	certs, keys []string
	// protocols are the protocols SSLProtocol enables; ciphers
	// SSLCipherSuite and its TLSv1.3 list as written.
	protocols, ciphers string
	// auth is what the authonly policy compares: SSLVerifyClient,
	// SSLVerifyDepth, SSLCACertificateFile/Path,
	// SSLCARevocationFile/Path/Check, SSLCADNRequestFile/Path and the
	// SSLOpenSSLConfCmd commands.
	auth string
}

// setupOf is a host's tlsSetup.
func setupOf(ssl confparse.SSLSettings) tlsSetup {
	var st tlsSetup
	for _, f := range ssl.CertificateFiles {
		st.certs = append(st.certs, f.Path)
	}
	for _, f := range ssl.KeyFiles {
		st.keys = append(st.keys, f.Path)
	}
	var protos []string
	for _, p := range []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"} {
		if ssl.Protocols == nil || ssl.Protocols[p] {
			protos = append(protos, p)
		}
	}
	st.protocols = strings.Join(protos, " ")
	st.ciphers = strconv.Quote(ssl.CipherSuite) + " " + strconv.Quote(ssl.TLS13Ciphers)
	verify := ssl.VerifyClient
	if verify == "" {
		verify = "none"
	}
	crl := ssl.CRLCheck
	if crl == "" {
		crl = "none"
	}
	var cmds []string
	for _, cmd := range ssl.ConfCmds {
		// The command's name as written: mod_ssl compares "curves"
		// and "Curves" as different.
		name := cmd.Name
		if cmd.Node != nil {
			if args := cmd.Node.Args(); len(args) > 0 {
				name = args[0]
			}
		}
		cmds = append(cmds, strconv.Quote(name), strconv.Quote(cmd.Value))
	}
	st.auth = fmt.Sprintf("%s %d %q %q %q %q %s %t %q %q [%s]", verify, verifyDepth(ssl), ssl.CAFile, ssl.CAPath,
		ssl.CRLFile, ssl.CRLPath, crl, ssl.CRLOptional, ssl.DNFile, ssl.DNPath, strings.Join(cmds, " "))
	return st
}

// clientAuth sets up SSLVerifyClient: the CA certificates clients'
// certificates must chain to (SSLCACertificateFile, every file of
// SSLCACertificatePath). The checks the handshake makes beyond Go's
// (SSLVerifyDepth's limit, revocation lists) are returned, to be bound
// to each connection with its error log, with mod_ssl's warnings.
func clientAuth(cfg *tls.Config, conf *confparse.Config, s *confparse.Server, read func(string) ([]byte, error)) (*clientChecks, []LogLine, error) {
	ssl := conf.SSLOf(s)
	if ssl.VerifyClient == "" || ssl.VerifyClient == "none" {
		return nil, nil, nil
	}
	if read == nil {
		read = os.ReadFile
	}
	pool := x509.NewCertPool()
	anchors := newCAAnchors()
	files := fileAndDir(ssl.CAFile, ssl.CAPath)
	for _, f := range files {
		data, err := read(f)
		if err != nil && f == ssl.CAFile {
			// SSL_CTX_load_verify_locations fails (the file's
			// existence was checked with the configuration).
			return nil, nil, fmt.Errorf("AH01895: Unable to configure verify locations for client authentication: %w", err)
		}
		pool.AppendCertsFromPEM(data)
		anchors.add(data)
	}
	if ssl.VerifyClient == "optional_no_ca" {
		// OpenSSL verifies the certificate; mod_ssl lets the errors
		// about its issuer pass (the verifier).
		cfg.ClientAuth = tls.RequestClientCert
		cfg.ClientCAs = pool // the names the certificate request sends
		// The revocation lists hold here too: a revoked certificate is
		// not among the errors mod_ssl lets pass.
		rv, err := loadRevocation(conf, s, read)
		if err != nil {
			return nil, nil, err
		}
		return &clientChecks{depth: verifyDepth(ssl), noCA: pool, anchors: anchors, revocation: rv}, nil, nil
	}
	var warnings []LogLine
	if len(files) == 0 {
		// mod_ssl starts all the same; no client certificate verifies.
		warnings = append(warnings, LogLine{"ssl", "warn", "AH01897: Init: Oops, you want to request client authentication, " +
			"but no CAs are known for verification!?  [Hint: SSLCACertificate*]"})
	}
	cfg.ClientCAs = pool
	cfg.ClientAuth = tls.VerifyClientCertIfGiven
	if ssl.VerifyClient == "require" {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	checks := &clientChecks{depth: verifyDepth(ssl), anchors: anchors}
	rv, err := loadRevocation(conf, s, read)
	if err != nil {
		return nil, nil, err
	}
	checks.revocation = rv
	return checks, warnings, nil
}

// fileAndDir lists file (when set) and every file of dir (when set), as
// gowsgid reads SSLCACertificateFile/-Path and SSLCARevocationFile/-Path.
func fileAndDir(file, dir string) []string {
	var files []string
	if file != "" {
		files = append(files, file)
	}
	if dir != "" {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	return files
}

// verifyDepth is SSLVerifyDepth, mod_ssl's 1 when unset.
func verifyDepth(ssl confparse.SSLSettings) int {
	if ssl.VerifyDepth != nil {
		return *ssl.VerifyDepth
	}
	return 1
}

// clientChecks are mod_ssl's checks of a client's certificate chain that
// Go's verification does not make.
type clientChecks struct {
	// depth is SSLVerifyDepth: how many issuers may stand above the
	// client's certificate.
	depth int
	// revocation is the CRL checking (nil: none).
	revocation *revocation
	// noCA, with SSLVerifyClient optional_no_ca, are the CAs a client's
	// certificate is verified against, Go's TLS verifying none.
	noCA *x509.CertPool
	// anchors are the configuration's CA certificates as OpenSSL builds
	// chains with them.
	anchors caAnchors
}

// caAnchors are the CA certificates of SSLCACertificateFile and -Path
// split as OpenSSL uses them without X509_V_FLAG_PARTIAL_CHAIN: a chain
// is only trusted when it ends in a self-signed certificate of the
// configuration (roots); the others (inters) are links on the way.
// Go's verification takes any certificate of its pool as an anchor.
type caAnchors struct {
	roots, inters *x509.CertPool
}

func newCAAnchors() caAnchors {
	return caAnchors{roots: x509.NewCertPool(), inters: x509.NewCertPool()}
}

// addCert adds a CA certificate.
func (a caAnchors) addCert(c *x509.Certificate) {
	if selfSigned(c) {
		a.roots.AddCert(c)
	} else {
		a.inters.AddCert(c)
	}
}

// add adds the certificates of a PEM file.
func (a caAnchors) add(data []byte) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			a.addCert(c)
		}
	}
}

// errIssuerUnknown is OpenSSL's answer to a chain that ends in a CA
// certificate of the configuration that is not self-signed.
var errIssuerUnknown = verifyError{code: 2, text: "unable to get issuer certificate"}

// verify builds the chains of certs (the client's own first) up to a
// self-signed CA of the configuration, through the client's other
// certificates and the configuration's intermediate CAs, as OpenSSL
// does. partial is set when the chain could only end in one of the
// configuration's intermediate CAs (OpenSSL's error 2).
func (a caAnchors) verify(certs []*x509.Certificate, now time.Time) (chains [][]*x509.Certificate, partial bool, err error) {
	inter := a.inters.Clone()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: a.roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	chains, err = certs[0].Verify(opts)
	var unknown x509.UnknownAuthorityError
	if err != nil && errors.As(err, &unknown) {
		opts.Roots = a.inters
		if _, perr := certs[0].Verify(opts); perr == nil {
			partial = true
		}
	}
	return chains, partial, err
}

// verifyNoCA verifies a client's certificates (its own first) as
// OpenSSL does for SSLVerifyClient optional_no_ca: code 0 when they
// verify; else OpenSSL's error number and text, and whether mod_ssl
// refuses the handshake for it (ssl_verify_error_is_optional lets a
// self-signed certificate or an unknown issuer pass).
func (cc *clientChecks) verifyNoCA(certs []*x509.Certificate, now time.Time) (code int, text string, fatal bool) {
	chains, partial, err := cc.anchors.verify(certs, now)
	if partial {
		return errIssuerUnknown.code, errIssuerUnknown.text, true // not among the errors mod_ssl lets pass
	}
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	if err == nil && cc.revocation != nil {
		if ve := cc.revocation.check(chains[0], now); ve != nil {
			return ve.code, ve.text, true // not among the errors mod_ssl lets pass
		}
	}
	switch {
	case err == nil && len(chains[0])-1 > cc.depth:
		return 22, "certificate chain too long", true
	case err == nil:
		return 0, "", false
	case errors.As(err, &unknown):
		last := certs[len(certs)-1]
		switch {
		case len(certs) == 1 && selfSigned(last):
			return 18, "self-signed certificate", false
		case len(certs) > 1 && selfSigned(last):
			return 19, "self-signed certificate in certificate chain", false
		case len(certs) > 1:
			return 20, "unable to get local issuer certificate", false
		}
		return 21, "unable to verify the first certificate", false
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		if invalid.Cert != nil && now.Before(invalid.Cert.NotBefore) {
			return 9, "certificate is not yet valid", true
		}
		return 10, "certificate has expired", true
	case errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage:
		return 26, "unsupported certificate purpose", true
	}
	return 7, "certificate signature failure", true
}

// peerCerts parses the certificates a client sent after its own; one
// that does not parse is left out (Go's handshake parsed them all).
func peerCerts(raw [][]byte) []*x509.Certificate {
	var certs []*x509.Certificate
	for _, der := range raw {
		if c, err := x509.ParseCertificate(der); err == nil {
			certs = append(certs, c)
		}
	}
	return certs
}

// selfSigned reports whether c is signed by its own key under its own
// name.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// verifier is VerifyPeerCertificate for one handshake: a chain Go
// verified must also clear the revocation lists and SSLVerifyDepth, as
// ssl_callback_SSLVerify has it; a failure is logged as mod_ssl logs it.
func (cc *clientChecks) verifier(logf func(level, msg string)) func([][]byte, [][]*x509.Certificate) error {
	return func(raw [][]byte, chains [][]*x509.Certificate) error {
		if cc.noCA != nil && len(raw) > 0 {
			var certs []*x509.Certificate
			for _, der := range raw {
				c, err := x509.ParseCertificate(der)
				if err != nil {
					return err
				}
				certs = append(certs, c)
			}
			code, text, fatal := cc.verifyNoCA(certs, time.Now())
			if !fatal {
				return nil
			}
			err := &verifyError{code: code, text: text}
			switch {
			case logf == nil:
			case code == errCertChainTooLong.code:
				logf("error", fmt.Sprintf("AH02040: Certificate Verification: Certificate Chain too long (chain has %d certificates, but maximum allowed are only %d)", len(certs), cc.depth))
			default:
				logf("error", "AH02039: "+err.Error())
			}
			return err
		}
		if len(chains) == 0 {
			return nil // no certificate
		}
		// Go's chains may end in any CA of the configuration; OpenSSL's
		// go on to a self-signed one, which SSLVerifyDepth counts.
		certs := append([]*x509.Certificate{chains[0][0]}, peerCerts(raw[1:])...)
		chains, _, err := cc.anchors.verify(certs, time.Now())
		if err != nil {
			if logf != nil {
				logf("error", "AH02039: "+errIssuerUnknown.Error())
			}
			return &errIssuerUnknown
		}
		var first error
		for _, c := range chains {
			err := cc.check(c)
			if err == nil {
				return nil
			}
			if first == nil {
				first = err
			}
		}
		if logf != nil {
			switch e := first.(type) {
			case *verifyError:
				logf("error", "AH02039: "+e.Error())
			case chainTooLong:
				logf("error", fmt.Sprintf("AH02040: Certificate Verification: Certificate Chain too long (chain has %d certificates, but maximum allowed are only %d)", e.depth, cc.depth))
			}
		}
		return first
	}
}

// chainTooLong is a chain with more issuers than SSLVerifyDepth allows.
type chainTooLong struct{ depth int }

func (e chainTooLong) Error() string { return "certificate chain too long" }

// check runs the checks on one chain in OpenSSL's order: revocation
// before the walk down from the trusted CA that meets the depth limit.
func (cc *clientChecks) check(chain []*x509.Certificate) error {
	if cc.revocation != nil {
		if err := cc.revocation.check(chain, time.Now()); err != nil {
			return err
		}
	}
	// The leaf and its issuers up to the trusted CA: depth counts the
	// issuers above the leaf.
	if len(chain)-1 > cc.depth {
		return chainTooLong{depth: len(chain) - 1}
	}
	return nil
}

// certificateByClientOrder is OpenSSL's choice among a host's
// certificates (an RSA and an ECDSA one): the first of the client's
// signature algorithms, in the client's order, that one of them makes.
// Go would serve the first certificate the client takes.
func certificateByClientOrder(certs []tls.Certificate) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	algos := make([]x509.PublicKeyAlgorithm, len(certs))
	for i, c := range certs {
		leaf := c.Leaf
		if leaf == nil && len(c.Certificate) > 0 {
			leaf, _ = x509.ParseCertificate(c.Certificate[0])
		}
		if leaf != nil {
			algos[i] = leaf.PublicKeyAlgorithm
		}
	}
	return func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		for _, s := range hello.SignatureSchemes {
			for i := range certs {
				if schemeKey(s) == algos[i] && hello.SupportsCertificate(&certs[i]) == nil {
					return &certs[i], nil
				}
			}
		}
		for i := range certs {
			if hello.SupportsCertificate(&certs[i]) == nil {
				return &certs[i], nil
			}
		}
		return &certs[0], nil
	}
}

// schemeKey is the key type a signature scheme signs with.
func schemeKey(s tls.SignatureScheme) x509.PublicKeyAlgorithm {
	switch s {
	case tls.ECDSAWithP256AndSHA256, tls.ECDSAWithP384AndSHA384, tls.ECDSAWithP521AndSHA512, tls.ECDSAWithSHA1:
		return x509.ECDSA
	case tls.Ed25519:
		return x509.Ed25519
	case tls.PSSWithSHA256, tls.PSSWithSHA384, tls.PSSWithSHA512,
		tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512, tls.PKCS1WithSHA1:
		return x509.RSA
	}
	return x509.UnknownPublicKeyAlgorithm
}

// compileTLS loads the certificate of a host whose SSLEngine is on, as
// mod_ssl's ssl_init_Module does at start-up, with its messages.
func (t *Table) compileTLS(h *Host) error {
	ssl := t.Config.SSLOf(h.Server)
	if ssl.Engine != "on" {
		return nil
	}
	id := confparse.SSLName(h.Server)
	certs, err := t.Config.LoadCertificates(h.Server)
	if err != nil {
		return err
	}
	t.Warnings = append(t.Warnings, checkServerCerts(id, h.Hostname, certs)...)
	// ssl_init_ctx_crl runs for every TLS host, client certificates
	// or not.
	if msg, fatal := t.Config.CRLFinding(h.Server); fatal {
		return errors.New(msg)
	} else if msg != "" {
		t.Warnings = append(t.Warnings, LogLine{"ssl", "warn", msg})
	}
	// RSA signing in libcrypto, as mod_ssl's: three times Go's speed.
	for i := range certs {
		certs[i] = opensslkey.Certificate(certs[i])
	}
	// mod_ssl's directives, then SSLOpenSSLConfCmd's commands.
	conf, err := t.Config.OpenSSLConf(h.Server)
	if err != nil {
		return err
	}
	if _, err := confparse.TLS13Suites(ssl.TLS13Ciphers); err != nil {
		return fmt.Errorf("AH10127: Unable to configure permitted TLSv1.3 ciphers (%w)", err)
	}
	cfg := &tls.Config{Certificates: certs, NextProtos: t.alpn(h.Server), CurvePreferences: conf.Groups}
	if len(certs) > 1 {
		cfg.GetCertificate = certificateByClientOrder(certs)
	}
	protocols := t.Config.TLSProtocols(h.Server)
	for _, p := range []struct {
		name string
		v    uint16
	}{{"TLSv1", tls.VersionTLS10}, {"TLSv1.1", tls.VersionTLS11}, {"TLSv1.2", tls.VersionTLS12}, {"TLSv1.3", tls.VersionTLS13}} {
		if protocols[p.name] {
			if cfg.MinVersion == 0 {
				cfg.MinVersion = p.v
			}
			cfg.MaxVersion = p.v
		}
	}
	if cfg.MinVersion == 0 {
		return fmt.Errorf("AH02231: No SSL protocols available for %s", id)
	}
	if err := t.restrictCiphers(cfg, h.Server); err != nil {
		return err
	}
	noTickets := ssl.SessionTickets != nil && !*ssl.SessionTickets
	if conf.NoSessionTickets != nil {
		noTickets = *conf.NoSessionTickets
	}
	// mod_ssl reads the key file whether or not tickets are on.
	key := t.ticketKey
	if ssl.TicketKeyFile != "" {
		if key, err = t.readTicketKey(ssl.TicketKeyFile); err != nil {
			return err
		}
	}
	switch {
	case noTickets && t.sessions != nil:
		ttl := defaultSessionCacheTimeout
		if ssl.SessionCacheTimeout != nil {
			ttl = time.Duration(*ssl.SessionCacheTimeout) * time.Second
		}
		t.sessions.configure(cfg, id, ttl)
	case noTickets:
		// No SSLSessionCache: mod_ssl resumes nothing either.
		cfg.SessionTicketsDisabled = true
	default:
		// One key for the clones each handshake makes (else each would
		// make its own, and no session would resume).
		cfg.SetSessionTicketKeys([][32]byte{key})
	}
	checks, warnings, err := clientAuth(cfg, t.Config, h.Server, t.Config.ReadFile)
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	t.Warnings = append(t.Warnings, warnings...)
	h.tls = &hostTLS{config: cfg, checks: checks, setup: setupOf(ssl),
		strictSNI: ssl.StrictSNI != nil && *ssl.StrictSNI, clientOrder: protocolsClientOrder(h.Server, t.Config.Main)}
	return nil
}

// protocolsClientOrder reports ProtocolsHonorOrder Off, the host's, else
// the main server's (core's default is On: Protocols' order decides).
func protocolsClientOrder(s, main *confparse.Server) bool {
	v := ""
	for _, srv := range []*confparse.Server{main, s} {
		if srv == nil {
			continue
		}
		for _, n := range srv.Directives {
			if args := n.Args(); strings.EqualFold(n.Name, "ProtocolsHonorOrder") && len(args) > 0 {
				v = strings.ToLower(args[0])
			}
		}
	}
	return v == "off"
}

// selectALPN is the protocol list a handshake offers the client's: the
// host's in its order (ProtocolsHonorOrder On) or in the client's; none
// when the two share none, so that the handshake goes on without ALPN,
// as ap_select_protocol lets OpenSSL's go on, where Go would refuse it.
func selectALPN(own, client []string, clientOrder bool) []string {
	if len(client) == 0 {
		return own
	}
	var shared []string
	if clientOrder {
		for _, p := range client {
			if slices.Contains(own, p) && !slices.Contains(shared, p) {
				shared = append(shared, p)
			}
		}
	} else {
		for _, p := range own {
			if slices.Contains(client, p) {
				shared = append(shared, p)
			}
		}
	}
	return shared
}

// restrictCiphers gives crypto/tls the suites before TLS 1.3 the host's
// SSLCipherSuite permits. When Go implements none of them, TLS 1.2 and
// earlier are turned off (an empty list would be Go's defaults).
func (t *Table) restrictCiphers(cfg *tls.Config, s *confparse.Server) error {
	sel, err := t.Config.Ciphers(s)
	if err != nil {
		return err
	}
	if len(sel.Go) > 0 {
		cfg.CipherSuites = sel.Go
		return nil
	}
	if cfg.MaxVersion < tls.VersionTLS13 {
		return fmt.Errorf("%s: Go's crypto/tls implements none of the cipher suites SSLCipherSuite permits (%s), and SSLProtocol allows no TLS 1.3",
			confparse.SSLName(s), strings.Join(sel.Names, ":"))
	}
	cfg.MinVersion = tls.VersionTLS13
	return nil
}

// TLSConfig is the TLS configuration of the connections accepted on
// local: nil when their base server's SSLEngine is off. The handshake
// picks the certificate of the name-based host its SNI names (else the
// base server's), as mod_ssl's SNI callback does. logf, when not nil,
// writes mod_ssl's lines about the handshake to the error log of the
// host it picked.
func (t *Table) TLSConfig(local netip.AddrPort, logf func(level string, s *confparse.Server, msg string)) *tls.Config {
	cand := t.Addrs.ForConnection(local)
	base := t.Host(cand.Base)
	if base.tls == nil {
		return nil
	}
	cfg := base.tls.config.Clone()
	cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		h := base
		if hello.ServerName != "" {
			name, _, _ := NormalizeHost(hello.ServerName)
			if sni := t.Host(cand.ForHost(name, int(local.Port()))); sni.tls != nil {
				h = sni
			}
		}
		c := h.tls.config.Clone()
		if !modernTLS(hello, c) {
			// mod_http2 (H2ModernTLSOnly) speaks h2 over TLS 1.2 and
			// later only.
			c.NextProtos = slices.DeleteFunc(slices.Clone(c.NextProtos), func(p string) bool { return p == "h2" })
		}
		c.NextProtos = selectALPN(c.NextProtos, hello.SupportedProtos, h.tls.clientOrder)
		if h.tls.checks != nil {
			var hostLog func(level, msg string)
			if logf != nil {
				hostLog = func(level, msg string) { logf(level, h.Server, msg) }
			}
			c.VerifyPeerCertificate = h.tls.checks.verifier(hostLog)
		}
		return c, nil
	}
	return cfg
}

// HandshakeFailed writes what mod_ssl logs when a handshake on local
// ends with err: a client certificate the handshake's verification
// refused is AH02039 with OpenSSL's error, in the error log of the host
// the client's SNI named (else the address's base host). The checks
// gowsgid adds to the handshake log their own failures.
func (t *Table) HandshakeFailed(local netip.AddrPort, serverName string, err error, logf func(level string, s *confparse.Server, msg string)) {
	var cve *tls.CertificateVerificationError
	if logf == nil || !errors.As(err, &cve) || len(cve.UnverifiedCertificates) == 0 {
		return
	}
	cand := t.Addrs.ForConnection(local)
	h := t.Host(cand.Base)
	if serverName != "" {
		name, _, _ := NormalizeHost(serverName)
		if sni := t.Host(cand.ForHost(name, int(local.Port()))); sni.tls != nil {
			h = sni
		}
	}
	if h.tls == nil || h.tls.checks == nil {
		return
	}
	ve := handshakeVerifyError(cve.UnverifiedCertificates, cve.Err)
	logf("error", h.Server, "AH02039: "+ve.Error())
}

// handshakeVerifyError is the error OpenSSL's verification reports
// first (mod_ssl's verify callback logs it) for a chain Go refused
// with err: the certificates are the client's, its own first.
func handshakeVerifyError(certs []*x509.Certificate, err error) *verifyError {
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	last := certs[len(certs)-1]
	switch {
	case errors.As(err, &unknown) && len(certs) == 1 && selfSigned(last):
		return &verifyError{code: 18, text: "self-signed certificate"}
	case errors.As(err, &unknown) && selfSigned(last):
		return &verifyError{code: 19, text: "self-signed certificate in certificate chain"}
	case errors.As(err, &unknown):
		return &verifyError{code: 20, text: "unable to get local issuer certificate"}
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		if invalid.Cert != nil && time.Now().Before(invalid.Cert.NotBefore) {
			return &verifyError{code: 9, text: "certificate is not yet valid"}
		}
		return &verifyError{code: 10, text: "certificate has expired"}
	case errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage:
		return &verifyError{code: 26, text: "unsupported certificate purpose"}
	}
	return &verifyError{code: 7, text: "certificate signature failure"}
}

// alpn is the protocols a host offers in the TLS handshake, from its
// Protocols list in order: h2 when mod_http2 is loaded, and http/1.1.
func (t *Table) alpn(s *confparse.Server) []string {
	var out []string
	for _, p := range t.Config.ProtocolsOf(s) {
		switch {
		case p == "h2" && t.Config.Tree.IsLoaded("mod_http2.c"), p == "http/1.1":
			out = append(out, p)
		}
	}
	if !slices.Contains(out, "http/1.1") {
		out = append(out, "http/1.1")
	}
	return out
}

// modernTLS reports whether the handshake will speak TLS 1.2 or later:
// the client offers it and the host allows it.
func modernTLS(hello *tls.ClientHelloInfo, c *tls.Config) bool {
	if c.MaxVersion != 0 && c.MaxVersion < tls.VersionTLS12 {
		return false
	}
	for _, v := range hello.SupportedVersions {
		if v >= tls.VersionTLS12 {
			return true
		}
	}
	return false
}

// DirectHTTP2 is mod_http2's h2_c1_allows_direct: whether a connection
// to local may start HTTP/2 with its preface (prior knowledge), without
// an Upgrade or, over TLS, without ALPN choosing h2. H2Direct and the
// Protocols of the connection's server decide: h2c on cleartext, h2
// over TLS.
func (t *Table) DirectHTTP2(local netip.AddrPort, overTLS bool) bool {
	if !t.Config.Tree.IsLoaded("mod_http2.c") {
		return false
	}
	base := t.Addrs.ForConnection(local).Base
	need := "h2c"
	if overTLS {
		need = "h2"
	}
	return t.Config.H2DirectOf(base, overTLS) && slices.Contains(t.Config.ProtocolsOf(base), need)
}

// HTTP2OverTLS reports whether a TLS connection to port may choose
// HTTP/2: a host that could be its base or SNI host has SSLEngine on and
// offers h2.
func (t *Table) HTTP2OverTLS(port int) bool {
	for _, h := range t.hosts {
		if h.tls == nil || !slices.Contains(h.tls.config.NextProtos, "h2") {
			continue
		}
		if !h.Server.IsVirtual() {
			return true
		}
		for _, a := range h.Server.Addrs {
			if a.Port == port || a.Port == 0 {
				return true
			}
		}
	}
	return false
}

// checkSNI is mod_ssl's ssl_hook_ReadReq: a request whose Host names a
// host with another TLS setup than the one of the handshake (the host
// its SNI names, with or without SSLEngine, else the connection's first
// host) is misdirected (421, AH02032) as SSLVHostSNIPolicy has it; with
// SNI and no Host it is a 400 (AH02031); without SNI, on an address with
// name-based hosts, SSLStrictSNIVHostCheck refuses it (403, AH02033).
func (h *Handler) checkSNI(r *Request, cand Candidates) *Outcome {
	cs := r.HTTP.TLS
	if cs == nil {
		return nil
	}
	t := h.Table
	base := t.Host(cand.Base)
	r.handshake = base
	policy := t.Config.SNIPolicy
	if policy == "" {
		policy = "secure"
	}
	if cs.ServerName == "" {
		if cand.Names != nil && (r.Host.tls != nil && r.Host.tls.strictSNI || base.tls != nil && base.tls.strictSNI) {
			h.logf("info", "ssl", r, "AH02033: No hostname was provided via SNI for a name based virtual host")
			return &Outcome{Status: 403, Notes: "Reason: The client software did not provide a hostname using Server Name Indication (SNI), which is required to access this server.<br />\n"}
		}
		if !compatibleTLS(policy, base, r.Host) {
			h.logf("error", "ssl", r, "AH02032: Hostname %s (default host as no SNI was provided) and hostname %s provided via HTTP have no compatible SSL setup for policy '%s'", base.Hostname, r.Hostname, policy)
			return &Outcome{Status: 421}
		}
		return nil
	}
	name, _, _ := NormalizeHost(cs.ServerName)
	if r.Hostname == "" {
		h.logf("error", "ssl", r, "AH02031: Hostname %s provided via SNI, but no hostname provided in HTTP request", name)
		return &Outcome{Status: 400}
	}
	// The handshake's host is the one the SNI names even when its
	// SSLEngine is off (mod_ssl's SNI callback keeps the first host's
	// certificate then).
	sni := t.Host(cand.ForHost(name, int(r.Local.Port())))
	if sni.tls != nil {
		r.handshake = sni
	}
	if !compatibleTLS(policy, sni, r.Host) {
		h.logf("error", "ssl", r, "AH02032: Hostname %s provided via SNI and hostname %s provided via HTTP have no compatible SSL setup for policy '%s'", name, r.Hostname, policy)
		return &Outcome{Status: 421}
	}
	return nil
}

// compatibleTLS is ssl_server_compatible under SSLVHostSNIPolicy
// policy: whether a request for host b may be served on a connection
// whose handshake chose host a. A host without SSLEngine on is
// compatible with no other but under insecure.
func compatibleTLS(policy string, a, b *Host) bool {
	switch {
	case a == b || policy == "insecure":
		return true
	case policy == "strict" || a.tls == nil || b.tls == nil:
		return false
	}
	x, y := a.tls.setup, b.tls.setup
	if x.auth != y.auth {
		return false
	}
	if policy == "authonly" {
		return true
	}
	return sameStrSet(x.certs, y.certs) && sameStrSet(x.keys, y.keys) && x.protocols == y.protocols && x.ciphers == y.ciphers
}

// sameStrSet is mod_ssl's ap_array_same_str_set: as many strings, each
// of a found in b.
func sameStrSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

// h2Env is what mod_http2 puts in the environment of a request that
// came as an HTTP/2 stream: HTTP2, the push settings (gowsgid pushes
// nothing) and the stream's id and tag. Client streams are numbered 1,
// 3, 5, ... in the order they open: the id is worked out from the
// requests the connection served before.
func h2Env(r *Request) {
	stream := strconv.Itoa(2*r.ConnRequests + 1)
	r.setEnv("HTTP2", "on")
	r.setEnv("H2PUSH", "off")
	r.setEnv("H2_PUSH", "off")
	r.setEnv("H2_PUSHED", "")
	r.setEnv("H2_PUSHED_ON", "")
	r.setEnv("H2_STREAM_ID", stream)
	r.setEnv("H2_STREAM_TAG", h2StreamTag(r))
}

// h2StreamTag is mod_http2's tag of the stream a request came on.
func h2StreamTag(r *Request) string {
	return strconv.Itoa(os.Getpid()) + "-0-" + strconv.Itoa(2*r.ConnRequests+1)
}

// defaultSessionCacheTimeout is mod_ssl's SSL_SESSION_CACHE_TIMEOUT.
const defaultSessionCacheTimeout = 300 * time.Second

// ticketKeyLen is TLSEXT_TICKET_KEY_LEN, the size of an
// SSLSessionTicketKeyFile.
const ticketKeyLen = 48

// readTicketKey is ssl_init_ticket_key: the first 48 bytes of the file
// (mod_ssl's key name, HMAC secret and AES key) become the key of Go's
// tickets, so every server that reads the same file resumes the
// sessions of the others, which is what the file is for.
func (t *Table) readTicketKey(path string) ([32]byte, error) {
	read := t.Config.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		return [32]byte{}, fmt.Errorf("AH02286: Failed to open ticket key file %s: %w", path, err)
	}
	if len(data) < ticketKeyLen {
		return [32]byte{}, fmt.Errorf("AH02287: Failed to read %d bytes from %s: (70014) End of file found", ticketKeyLen, path)
	}
	return sha256.Sum256(data[:ticketKeyLen]), nil
}
