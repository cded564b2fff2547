package compat

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sniVariants are the hosts of tlsSNISite beside a.test, the first: each
// differs from it in one setting, and a request whose SNI names a.test
// and whose Host names the variant is answered or misdirected (421,
// AH02032) as SSLVHostSNIPolicy compares the two.
var sniVariants = []struct{ name, conf string }{
	{"same.test", ""},
	{"cert.test", "  SSLCertificateFile $DIR/b.crt\n  SSLCertificateKeyFile $DIR/b.key\n"},
	// Not compared: the chain, the protocols as written, explicit
	// defaults, the session's settings.
	{"chain.test", "  SSLCertificateChainFile $DIR/ca.crt\n"},
	{"proto.test", "  SSLProtocol all -SSLv3\n"},
	{"vnone.test", "  SSLVerifyClient none\n"},
	{"depth1.test", "  SSLVerifyDepth 1\n"},
	{"tickets.test", "  SSLSessionTickets off\n"},
	// Compared.
	{"proto2.test", "  SSLProtocol -all +TLSv1.2 +TLSv1.3\n"},
	{"cipher.test", "  SSLCipherSuite HIGH:!aNULL\n"},
	{"verify.test", "  SSLVerifyClient optional\n  SSLCACertificateFile $DIR/ca.crt\n"},
	{"crlfile.test", "  SSLCARevocationFile $DIR/ca.crl\n"},
	{"crlpath.test", "  SSLCARevocationPath $DIR/crls\n"},
	{"crlcheck.test", "  SSLCARevocationFile $DIR/ca.crl\n  SSLCARevocationCheck leaf\n"},
	{"dnfile.test", "  SSLCADNRequestFile $DIR/ca.crt\n"},
	{"dnpath.test", "  SSLCADNRequestPath $DIR/crls\n"},
	{"confcmd.test", "  SSLOpenSSLConfCmd Curves P-256\n"},
}

// tlsSNISite covers the check of a request's Host against the host its
// handshake chose (mod_ssl's ssl_hook_ReadReq) under SSLVHostSNIPolicy
// policy ("" is the default, secure): what each policy compares (the
// certificates, protocols in effect, ciphers, client verification,
// revocation lists, CA names to request, SSLOpenSSLConfCmd), with SNI
// and without. With the default policy the site also has an address
// with a single host and SSLStrictSNIVHostCheck on, which a client
// without SNI may use (the check is for name-based hosts only), and a
// TLS address whose second host has no SSLEngine, which SNI may name.
func tlsSNISite(policy string) site {
	addrs := []string{fmt.Sprintf("127.0.0.1:%d", freePort())}
	name := "tls-sni"
	conf := head(append(append([]string(nil), stdMods...), "ssl", "wsgi")...) + "Listen " + addrs[0] + " https\n"
	if policy != "" {
		name += "-" + policy
		conf += "SSLVHostSNIPolicy " + policy + "\n"
	}
	conf += `ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:error wsgi:warn
<Directory />
  Require all granted
</Directory>
`
	vhost := func(addr, name, extra string) string {
		return "<VirtualHost " + addr + ">\n  ServerName " + name + "\n  SSLEngine on\n  SSLCertificateFile $DIR/a.crt\n  SSLCertificateKeyFile $DIR/a.key\n" + extra + "</VirtualHost>\n"
	}
	conf += vhost(addrs[0], "a.test", "")
	var reqs []request
	for _, v := range sniVariants {
		conf += vhost(addrs[0], v.name, v.conf)
		reqs = append(reqs, get("/x.txt", overTLS("a.test"), host(v.name)))
	}
	reqs = append(reqs, get("/x.txt", overTLS(""), host("crlfile.test")), get("/x.txt", overTLS(""), host("proto.test")),
		get("/x.txt", overTLS("crlpath.test"), host("crlfile.test")), get("/x.txt", overTLS("dnfile.test"), host("dnfile.test")))
	if policy == "" {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", freePort()), fmt.Sprintf("127.0.0.1:%d", freePort()))
		conf += "Listen " + addrs[1] + " https\nListen " + addrs[2] + " https\n" +
			vhost(addrs[1], "only.test", "  SSLStrictSNIVHostCheck on\n") +
			vhost(addrs[2], "tls2.test", "  SSLStrictSNIVHostCheck on\n") +
			"<VirtualHost " + addrs[2] + ">\n  ServerName plain2.test\n  WSGIScriptAlias /env $DIR/env.wsgi\n</VirtualHost>\n"
		reqs = append(reqs,
			get("/x.txt", overTLS(""), host("only.test"), port(1)),
			get("/x.txt", overTLS(""), host("tls2.test"), port(2)),
			get("/env", overTLS("plain2.test"), host("plain2.test"), port(2)),
			get("/x.txt", overTLS("plain2.test"), host("tls2.test"), port(2)),
			get("/x.txt", overTLS("tls2.test"), host("plain2.test"), port(2)))
	}
	return site{
		name: name, host: "a.test", conf: conf, fixed: true, fixedAddrs: addrs,
		files: map[string]string{"htdocs/x.txt": "x\n", "env.wsgi": wsgiEnvApp}, reqs: reqs, errorLog: true,
		setup: func(t *testing.T, dir string) {
			writeSelfSigned(t, dir, "a", "a.test")
			writeSelfSigned(t, dir, "b", "b.test")
			p := testPKI()
			now := time.Now()
			crl, err := p.ca.CRL(1, now.Add(-time.Hour), now.Add(24*time.Hour), revokedSerial)
			if err != nil {
				t.Fatal(err)
			}
			for name, data := range map[string][]byte{"ca.crt": p.caPEM, "ca.crl": crl, "crls/ca.pem": crl} {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
}
