package vhost

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// otherName is a GeneralName otherName of type oid whose value is v.
func otherName(t *testing.T, oid asn1.ObjectIdentifier, v any, params string) asn1.RawValue {
	t.Helper()
	value, err := asn1.MarshalWithParams(v, params)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := asn1.Marshal(oid)
	explicit, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: value})
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(id, explicit...)}
}

// TestSANVars checks mod_ssl's numbering of subjectAltName entries: per
// kind, in the certificate's order, otherNames of the wanted type only,
// and a value of the wrong type skipped without a gap.
func TestSANVars(t *testing.T) {
	names := []asn1.RawValue{
		{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("a.test")},
		otherName(t, oidDNSSRV, "_http.a.test", "ia5"),
		{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte("x@a.test")},
		otherName(t, oidDNSSRV, "not IA5", "utf8"),
		otherName(t, oidMsUPN, "someone@a.test", "utf8"),
		{Class: asn1.ClassContextSpecific, Tag: 7, Bytes: []byte{127, 0, 0, 1}},
		{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("b.test")},
		otherName(t, oidDNSSRV, "_imap.a.test", "ia5"),
	}
	der, err := asn1.Marshal(names)
	if err != nil {
		t.Fatal(err)
	}
	c := &x509.Certificate{Extensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: der}}}
	got := map[string]string{}
	sanVars(func(k, v string) { got[k] = v }, "SSL_SERVER_SAN_", c, "dnsSRV", oidDNSSRV, asn1.TagIA5String)
	want := map[string]string{
		"SSL_SERVER_SAN_DNS_0": "a.test", "SSL_SERVER_SAN_DNS_1": "b.test", "SSL_SERVER_SAN_Email_0": "x@a.test",
		"SSL_SERVER_SAN_OTHER_dnsSRV_0": "_http.a.test", "SSL_SERVER_SAN_OTHER_dnsSRV_1": "_imap.a.test",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

// TestClientChainExported checks +ExportCertData's certificates: the
// client's own as SSL_CLIENT_CERT, the ones it sent after it as
// SSL_CLIENT_CERT_CHAIN_n, and the server's as SSL_SERVER_CERT.
func TestClientChainExported(t *testing.T) {
	root, err := certgen.NewCA(certgen.Spec{CommonName: "Root", Serial: 1})
	if err != nil {
		t.Fatal(err)
	}
	inter, err := root.SignCA(certgen.Spec{CommonName: "Intermediate", Serial: 2})
	if err != nil {
		t.Fatal(err)
	}
	client, err := inter.Sign(certgen.Spec{CommonName: "alice", Client: true, Serial: 3})
	if err != nil {
		t.Fatal(err)
	}
	server, err := certgen.SelfSigned(certgen.Spec{CommonName: "main.test"})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newTestHandler(t, `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
SSLEngine on
SSLCertificateFile $R/s.crt
SSLCertificateKeyFile $R/s.key
SSLOptions +StdEnvVars +ExportCertData
DocumentRoot $R
<Directory $R>
  Require all granted
</Directory>
WSGIScriptAlias /env $R/env.wsgi
`, map[string]string{"s.crt": string(server.CertPEM), "s.key": string(server.KeyPEM), "env.wsgi": "# env\n"})
	var env map[string]string
	h.Services.WSGI = func(w http.ResponseWriter, _ *Handler, r *Request) error {
		env = map[string]string{}
		for _, kv := range r.Env {
			env[kv.Key] = kv.Value
		}
		return nil
	}
	req := httptest.NewRequest("GET", "/env", nil)
	req.Host = "main.test"
	req.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256, HandshakeComplete: true,
		PeerCertificates: []*x509.Certificate{client.Leaf(), inter.Leaf()}}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}
	req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, net.Addr(local)))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if env == nil {
		t.Fatal("the WSGI handler was not reached")
	}
	for k, want := range map[string]string{
		"SSL_CLIENT_CERT":         pemCert(client.Leaf().Raw),
		"SSL_CLIENT_CERT_CHAIN_0": pemCert(inter.Leaf().Raw),
		"SSL_SERVER_CERT":         pemCert(server.Leaf().Raw),
		"SSL_CLIENT_S_DN_CN":      "alice",
		"SSL_CLIENT_I_DN_CN":      "Intermediate",
	} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	if v, ok := env["SSL_CLIENT_CERT_CHAIN_1"]; ok {
		t.Errorf("SSL_CLIENT_CERT_CHAIN_1 = %q: the chain has one certificate", v)
	}
}

// newTLSTestHandler is a handler whose main server listens with TLS on
// 127.0.0.1:8443 with cert, and the further lines extra.
func newTLSTestHandler(t *testing.T, cert *certgen.Cert, extra ...string) *Handler {
	t.Helper()
	h, _ := newTestHandler(t, `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
Listen 127.0.0.1:8443
SSLEngine on
SSLCertificateFile $R/s.crt
SSLCertificateKeyFile $R/s.key
`+strings.Join(extra, "\n"), map[string]string{"s.crt": string(cert.CertPEM), "s.key": string(cert.KeyPEM)})
	return h
}

// TestSessionResumes checks that a client resumes its TLS session on a
// second connection, with TLS 1.2 and 1.3: with tickets (every
// handshake's config shares the table's ticket key), and with
// SSLSessionTickets off from SSLSessionCache (Debian's ssl.conf), as
// Apache does; with tickets off and no cache, or a cache timeout of 0,
// it cannot, as under Apache.
func TestSessionResumes(t *testing.T) {
	server, err := certgen.SelfSigned(certgen.Spec{CommonName: "main.test"})
	if err != nil {
		t.Fatal(err)
	}
	const shmcb = "LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so"
	for _, tc := range []struct {
		name   string
		extra  []string
		resume bool
	}{
		{"tickets", nil, true},
		{"tickets off", []string{"SSLSessionTickets off"}, false},
		{"tickets off, session cache", []string{shmcb, "SSLSessionCache shmcb:/nowhere(512000)", "SSLSessionTickets off"}, true},
		{"tickets off, session cache timeout 0", []string{shmcb, "SSLSessionCache shmcb:/nowhere(512000)",
			"SSLSessionCacheTimeout 0", "SSLSessionTickets off"}, false},
		{"tickets off, no session cache", []string{shmcb, "SSLSessionCache none", "SSLSessionTickets off"}, false},
	} {
		for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			t.Run(fmt.Sprintf("%s/%x", tc.name, version), func(t *testing.T) {
				testSessionResumes(t, newTLSTestHandler(t, server, tc.extra...), version, tc.resume)
			})
		}
	}
}

func testSessionResumes(t *testing.T, h *Handler, version uint16, resume bool) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			// The server asks for a config for each connection.
			c := tls.Server(raw, h.Table.TLSConfig(netip.MustParseAddrPort("127.0.0.1:8443"), nil))
			// TLS 1.3 sends the ticket after the handshake, with data.
			c.Write([]byte("x"))
			c.Close()
		}
	}()
	cache := tls.NewLRUClientSessionCache(4)
	for i, want := range []bool{false, resume} {
		cl, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{ServerName: "main.test", InsecureSkipVerify: true,
			ClientSessionCache: cache, MaxVersion: version})
		if err != nil {
			t.Fatal(err)
		}
		cl.SetDeadline(time.Now().Add(5 * time.Second))
		cl.Read(make([]byte, 1))
		if got := cl.ConnectionState().DidResume; got != want {
			t.Errorf("connection %d: resumed %v, want %v", i+1, got, want)
		}
		cl.Close()
	}
}

// TestCipherSuites checks what crypto/tls is given from SSLCipherSuite:
// the suites the string permits (mod_ssl's default when unset, which
// permits RSA key exchange as Apache does), TLS 1.3 only when Go
// implements none of them, and no start when TLS 1.3 is off too or
// OpenSSL would refuse the string.
func TestCipherSuites(t *testing.T) {
	server, err := certgen.SelfSigned(certgen.Spec{CommonName: "main.test", RSA: true})
	if err != nil {
		t.Fatal(err)
	}
	local := netip.MustParseAddrPort("127.0.0.1:8443")
	for _, tc := range []struct {
		name, conf string
		want       []uint16 // CipherSuites, sorted
		min        uint16   // MinVersion, when not 0
		err        string
	}{
		{name: "ECDHE+AESGCM", conf: "SSLCipherSuite ECDHE+AESGCM", want: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}},
		{name: "RSA key exchange", conf: "SSLCipherSuite kRSA+AESGCM", want: []uint16{
			tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384}},
		{name: "none Go implements", conf: "SSLCipherSuite DHE-RSA-AES128-GCM-SHA256", min: tls.VersionTLS13},
		{name: "none Go implements, no TLS 1.3", conf: "SSLProtocol TLSv1.2\nSSLCipherSuite DHE-RSA-AES128-GCM-SHA256", err: "SSLProtocol allows no TLS 1.3"},
		{name: "no match", conf: "SSLCipherSuite FOO", err: "AH01898: Unable to configure permitted SSL ciphers (SSL Library Error: error:0A0000B9:SSL routines::no cipher match)"},
		// ssl_init_ctx_crl checks every TLS host, without SSLVerifyClient too.
		{name: "CRL checks without lists", conf: "SSLCARevocationCheck chain", err: "AH01899: Host main.test:443: CRL checking has been enabled, but neither SSLCARevocationFile nor SSLCARevocationPath is configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, data := range map[string][]byte{"s.crt": server.CertPEM, "s.key": server.KeyPEM, "mime.types": nil} {
				if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			table, err := buildTestTable(t, root, "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nListen 127.0.0.1:8443\nSSLEngine on\n"+
				"SSLCertificateFile $R/s.crt\nSSLCertificateKeyFile $R/s.key\n"+tc.conf+"\n")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Build: %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := table.TLSConfig(local, nil)
			suites := slices.Sorted(slices.Values(got.CipherSuites))
			if !slices.Equal(suites, slices.Sorted(slices.Values(tc.want))) {
				t.Errorf("CipherSuites %x, want %x", suites, tc.want)
			}
			if tc.min != 0 && got.MinVersion != tc.min {
				t.Errorf("MinVersion %x, want %x", got.MinVersion, tc.min)
			}
		})
	}
}

// TestSessionID checks SSL_SESSION_ID's form (64 lower-case hex digits,
// as mod_ssl prints it) and that it names the connection: the same for
// its requests, another for the next connection.
func TestSessionID(t *testing.T) {
	server, err := certgen.SelfSigned(certgen.Spec{CommonName: "main.test"})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(server.CertPEM, server.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	connect := func() *tls.ConnectionState {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		srv := tls.Server(a, &tls.Config{Certificates: []tls.Certificate{cert}})
		done := make(chan error, 1)
		go func() { done <- tls.Client(b, &tls.Config{InsecureSkipVerify: true}).Handshake() }()
		if err := srv.Handshake(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		cs := srv.ConnectionState()
		return &cs
	}
	first, second := connect(), connect()
	id := sessionID(first)
	if len(id) != 64 || strings.Trim(id, "0123456789abcdef") != "" {
		t.Fatalf("SSL_SESSION_ID %q, want 64 lower-case hex digits", id)
	}
	if again := sessionID(first); again != id {
		t.Errorf("the connection's id changed: %q, then %q", id, again)
	}
	if other := sessionID(second); other == id {
		t.Errorf("two connections have the id %q", id)
	}
}

// TestSessionTicketKeyFile checks that two servers reading the same
// SSLSessionTicketKeyFile (two tables here, each with a ticket key of its
// own otherwise) resume each other's sessions, as load-balanced Apache
// servers sharing the file do; and that a file shorter than 48 bytes
// stops the start with mod_ssl's message.
func TestSessionTicketKeyFile(t *testing.T) {
	server, err := certgen.SelfSigned(certgen.Spec{CommonName: "main.test"})
	if err != nil {
		t.Fatal(err)
	}
	local := netip.MustParseAddrPort("127.0.0.1:8443")
	key := bytes.Repeat([]byte("k"), 48)
	for _, tc := range []struct {
		name   string
		conf   string
		key    []byte
		resume bool
		err    string
	}{
		{name: "shared file", conf: "SSLSessionTicketKeyFile $R/ticket.key", key: key, resume: true},
		{name: "no file", conf: "", resume: false},
		{name: "short file", conf: "SSLSessionTicketKeyFile $R/ticket.key", key: key[:47],
			err: "AH02287: Failed to read 48 bytes from "},
		{name: "short file, tickets off", conf: "SSLSessionTicketKeyFile $R/ticket.key\nSSLSessionTickets off", key: key[:47],
			err: "AH02287: Failed to read 48 bytes from "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string][]byte{"s.crt": server.CertPEM, "s.key": server.KeyPEM, "mime.types": nil}
			if tc.key != nil {
				files["ticket.key"] = tc.key
			}
			for name, data := range files {
				if err := os.WriteFile(filepath.Join(root, name), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			conf := "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nListen 127.0.0.1:8443\nSSLEngine on\n" +
				"SSLCertificateFile $R/s.crt\nSSLCertificateKeyFile $R/s.key\n" + tc.conf + "\n"
			var tables [2]*Table
			for i := range tables {
				tables[i], err = buildTestTable(t, root, conf)
				if tc.err != "" {
					if err == nil || !strings.Contains(err.Error(), tc.err) {
						t.Fatalf("Build: %v, want %q", err, tc.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			cache := tls.NewLRUClientSessionCache(4)
			for i, table := range tables {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer ln.Close()
				go func() {
					raw, err := ln.Accept()
					if err != nil {
						return
					}
					srv := tls.Server(raw, table.TLSConfig(local, nil))
					// TLS 1.3 sends the ticket after the handshake, with data.
					srv.Write([]byte("x"))
					srv.Close()
				}()
				cl, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{ServerName: "main.test", InsecureSkipVerify: true, ClientSessionCache: cache})
				if err != nil {
					t.Fatal(err)
				}
				cl.SetDeadline(time.Now().Add(5 * time.Second))
				if _, err := cl.Read(make([]byte, 1)); err != nil {
					t.Fatal(err)
				}
				want := i == 1 && tc.resume
				if got := cl.ConnectionState().DidResume; got != want {
					t.Errorf("server %d: resumed %v, want %v", i+1, got, want)
				}
				cl.Close()
			}
		})
	}
}

// TestSessionCacheEviction: a full session cache drops its oldest
// session, keeps the others, and expires a session after its time.
func TestSessionCacheEviction(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newSessionCache(3)
	c.now = func() time.Time { return now }
	for i := range 5 {
		c.put(fmt.Sprint(i), []byte{byte(i)}, time.Minute)
	}
	for i, want := range []bool{false, false, true, true, true} {
		if _, ok := c.get(fmt.Sprint(i)); ok != want {
			t.Errorf("session %d cached %v, want %v", i, ok, want)
		}
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.get("4"); ok {
		t.Error("an expired session resumes")
	}
	for i := range 20 {
		c.put(fmt.Sprint("x", i), nil, time.Minute)
	}
	if len(c.entries) != 3 || len(c.order) > 2*3+1 {
		t.Errorf("%d sessions, %d keys in order, want 3 and a bounded order", len(c.entries), len(c.order))
	}
}

// TestSSLVarName: mod_ssl's lookup takes variable names in any case but
// the S or I of a DN and a DN's attribute, and a subjectAltName's kind
// in any case.
func TestSSLVarName(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"ssl_protocol", "SSL_PROTOCOL", true},
		{"Ssl_Client_S_Dn_CN", "SSL_CLIENT_S_DN_CN", true},
		{"SSL_CLIENT_S_DN_cn", "SSL_CLIENT_S_DN_cn", true},
		{"ssl_client_s_dn_O", "", false},
		{"ssl_client_s_dn", "", false},
		{"ssl_server_I_DN", "SSL_SERVER_I_DN", true},
		{"ssl_client_san_email_0", "SSL_CLIENT_SAN_Email_0", true},
		{"SSL_SERVER_SAN_dns_1", "SSL_SERVER_SAN_DNS_1", true},
		{"ssl_client_san_other_msupn_0", "SSL_CLIENT_SAN_OTHER_msUPN_0", true},
		{"ssl_client_s_dnx", "SSL_CLIENT_S_DNX", true},
	} {
		if got, ok := sslVarName(c.in); got != c.want || ok != c.ok {
			t.Errorf("sslVarName(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
