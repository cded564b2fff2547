package certgen

import (
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"testing"
	"time"
)

// A CA's client certificate verifies against the CA for client
// authentication; a self-signed server certificate loads from its files
// with its key, names its host and ends when asked.
func TestCertificates(t *testing.T) {
	ca, err := NewCA(Spec{CommonName: "CA", Organization: "Org"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := ca.Sign(Spec{CommonName: "alice", Client: true, Serial: 7})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca.CertPEM) {
		t.Fatal("the CA's PEM does not parse")
	}
	leaf := client.TLS().Leaf
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate does not verify: %v", err)
	}
	if leaf.SerialNumber.Int64() != 7 || leaf.Subject.CommonName != "alice" {
		t.Errorf("client certificate %v %v", leaf.SerialNumber, leaf.Subject)
	}
	end := time.Now().Add(time.Hour).Truncate(time.Second)
	for _, rsa := range []bool{false, true} {
		c, err := SelfSigned(Spec{CommonName: "site.test", NotAfter: end, RSA: rsa})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := c.WriteFiles(dir, "site"); err != nil {
			t.Fatal(err)
		}
		pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "site.crt"), filepath.Join(dir, "site.key"))
		if err != nil {
			t.Fatalf("rsa=%v: %v", rsa, err)
		}
		if l := pair.Leaf; l.DNSNames[0] != "site.test" || !l.NotAfter.Equal(end) {
			t.Errorf("rsa=%v: names %v, ends %v", rsa, l.DNSNames, l.NotAfter)
		}
	}
}
