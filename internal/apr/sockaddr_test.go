package apr

import (
	"net/netip"
	"testing"
)

// The expected results are glibc getaddrinfo's on numeric hosts.
var sockaddrTests = []struct {
	s, want string // want "" for no address
}{
	{"127.0.0.1", "127.0.0.1"},
	{"127.1", "127.0.0.1"},
	{"10.1.258", "10.1.1.2"},
	{"4294967295", "255.255.255.255"},
	{"1.16777215", "1.255.255.255"},
	{"1.16777216", ""},
	{"010.1.2.3", "8.1.2.3"},
	{"037777777777", "255.255.255.255"},
	{"0x7f.1", "127.0.0.1"},
	{"0X7F.0x0.0x0.0X1", "127.0.0.1"},
	{"1.2.3.0377", "1.2.3.255"},
	{"1.2.3.0400", ""},
	{"00", "0.0.0.0"},
	{"0x0", "0.0.0.0"},
	{"0xffffffff", "255.255.255.255"},
	{"0x100000000", ""},
	{"0x", ""},
	{"0x.1", ""},
	{"08", ""},
	{"1.2.3.4.5", ""},
	{"1.2.3.", ""},
	{"1.2.3.4 ", ""},
	{" 1.2.3.4", ""},
	{"1.+2", ""},
	{"256.1.1.1", ""},
	{"", ""},
	{"localhost", ""},
	{"::1", "::1"},
	{"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
	{"2001:DB8::1", "2001:db8::1"},
	{"::00001", ""},
	{"1::2::3", ""},
	{"::1%1", "::1"},
	{"::1%01", "::1"},
	{"fe80::1%4294967295", "fe80::1"},
	{"fe80::1%4294967296", ""},
	{"fe80::1%lo", "fe80::1"},
	{"ff02::1%lo", "ff02::1"},
	{"::1%lo", ""},
	{"fe80::1%+1", ""},
	{"fe80::1%no-such-interface", ""},
	{"::1%", ""},
	{"1.2.3.4%1", ""},
	{"127.0.0.1\x00junk", "127.0.0.1"},
}

func TestParseSockaddr(t *testing.T) {
	for _, tt := range sockaddrTests {
		got := ParseSockaddr(tt.s)
		if tt.want == "" {
			if got.IsValid() {
				t.Errorf("ParseSockaddr(%q) = %v, want none", tt.s, got)
			}
			continue
		}
		if want := netip.MustParseAddr(tt.want); got != want {
			t.Errorf("ParseSockaddr(%q) = %v, want %v", tt.s, got, want)
		}
	}
}

func TestInetAton(t *testing.T) {
	for _, tt := range sockaddrTests {
		got, ok := InetAton(tt.s)
		want, err := netip.ParseAddr(tt.want)
		wantOK := err == nil && want.Is4()
		if ok != wantOK || (ok && netip.AddrFrom4(got) != want) {
			t.Errorf("InetAton(%q) = %v, %v; want %v, %v", tt.s, got, ok, tt.want, wantOK)
		}
	}
}
