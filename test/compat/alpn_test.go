package compat

import (
	"crypto/tls"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// alpnConf has three TLS hosts on one port: one listing h2 first, one
// listing it last with ProtocolsHonorOrder Off, one without h2.
const alpnConf = `ServerRoot "$DIR"
%s
ServerName localhost
Listen %s
PidFile logs/httpd.pid
ErrorLog logs/error.log
DocumentRoot $DIR
<Directory />
  Require all granted
</Directory>
<VirtualHost %[2]s>
  ServerName first.test
  SSLEngine on
  SSLCertificateFile $DIR/site.crt
  SSLCertificateKeyFile $DIR/site.key
  Protocols h2 http/1.1
</VirtualHost>
<VirtualHost %[2]s>
  ServerName client.test
  SSLEngine on
  SSLCertificateFile $DIR/site.crt
  SSLCertificateKeyFile $DIR/site.key
  Protocols http/1.1 h2
  ProtocolsHonorOrder Off
</VirtualHost>
<VirtualHost %[2]s>
  ServerName h1.test
  SSLEngine on
  SSLCertificateFile $DIR/site.crt
  SSLCertificateKeyFile $DIR/site.key
  Protocols http/1.1
</VirtualHost>
`

// TestALPNAgainstApache: the protocol ALPN settles on, for each host and
// client offer, is Apache's: Protocols' order unless ProtocolsHonorOrder
// is Off.
func TestALPNAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	cases := []struct {
		host  string
		offer []string
	}{
		{"first.test", []string{"h2", "http/1.1"}}, {"first.test", []string{"http/1.1", "h2"}},
		{"client.test", []string{"h2", "http/1.1"}}, {"client.test", []string{"http/1.1", "h2"}},
		{"h1.test", []string{"h2", "http/1.1"}},
		// (A client offering only h2 to h1.test: mod_ssl answers with
		// http/1.1, which the client did not offer and Go's client
		// refuses; gowsgid completes the handshake without ALPN, which
		// OpenSSL's clients take the same way. Not compared.)
	}
	run := func(start func(dir, conf, addr string) *apachetest.Instance) []string {
		dir := makeRoot(t)
		writeSelfSigned(t, dir, "site", "first.test")
		addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
		mods := apachetest.LoadModules("mpm_event", "authz_core", "ssl", "socache_shmcb", "http2")
		in := start(dir, fmt.Sprintf(alpnConf, mods, addr), addr)
		defer in.Stop()
		var out []string
		for _, c := range cases {
			d := &net.Dialer{Timeout: 5 * time.Second}
			conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: c.host, InsecureSkipVerify: true, NextProtos: c.offer})
			got := ""
			if err != nil {
				got = "handshake refused: " + err.Error()
			} else {
				got = "ALPN " + conn.ConnectionState().NegotiatedProtocol
				conn.Close()
			}
			out = append(out, fmt.Sprintf("%s offering %v: %s", c.host, c.offer, got))
		}
		return out
	}
	a := run(func(dir, conf, addr string) *apachetest.Instance { return apachetest.Start(t, dir, conf, addr) })
	g := run(func(dir, conf, addr string) *apachetest.Instance {
		return apachetest.StartGowsgid(t, dir, conf, nil, addr)
	})
	for i := range a {
		if a[i] != g[i] {
			t.Errorf("apache  %s\ngowsgid %s", a[i], g[i])
		}
	}
}
