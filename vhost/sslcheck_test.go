package vhost

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// TestCheckServerCerts: mod_ssl's start-up warnings for a server
// certificate that is a CA's and for one whose names (DNS names and
// common name, "*." matching one label) lack the server's.
func TestCheckServerCerts(t *testing.T) {
	mk := func(ca bool, spec certgen.Spec) tls.Certificate {
		t.Helper()
		newCert := certgen.SelfSigned
		if ca {
			newCert = certgen.NewCA
		}
		c, err := newCert(spec)
		if err != nil {
			t.Fatal(err)
		}
		return c.TLS()
	}
	for _, tc := range []struct {
		name     string
		cert     tls.Certificate
		hostname string
		want     []string
	}{
		{"matching leaf", mk(false, certgen.Spec{CommonName: "www.test"}), "www.test", nil},
		{"name in any case", mk(false, certgen.Spec{CommonName: "WWW.test"}), "www.TEST", nil},
		{"other name", mk(false, certgen.Spec{CommonName: "other.test"}), "www.test", []string{"AH01909: www.test:443:0 "}},
		{"alternative name", mk(false, certgen.Spec{CommonName: "other.test", DNSNames: []string{"www.test"}}), "www.test", nil},
		{"wildcard", mk(false, certgen.Spec{CommonName: "*.w.test"}), "a.w.test", nil},
		{"wildcard one label only", mk(false, certgen.Spec{CommonName: "*.w.test"}), "a.b.w.test", []string{"AH01909: "}},
		{"CA", mk(true, certgen.Spec{CommonName: "www.test"}), "www.test", []string{"AH01906: www.test:443:0 server certificate is a CA certificate"}},
	} {
		got := checkServerCerts("www.test:443", tc.hostname, []tls.Certificate{tc.cert})
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %d lines", tc.name, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if got[i].Module != "ssl" || got[i].Level != "warn" || !strings.HasPrefix(got[i].Msg, w) {
				t.Errorf("%s: line %d %+v, want %q...", tc.name, i, got[i], w)
			}
		}
	}
}
