package vhost

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"reflect"
	"testing"
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
