package apr

import (
	"net/netip"
	"testing"
)

// The expected results are apr_ipsubnet_create's and apr_ipsubnet_test's
// (libapr1 1.7.2), the addresses read by apr_sockaddr_info_get.
var subnetTests = []struct {
	ip, mask string
	hasMask  bool
	err      error
	in, out  []string
}{
	// Single addresses.
	{"10.1.2.3", "", false, nil, []string{"10.1.2.3", "::ffff:10.1.2.3"}, []string{"10.1.2.4", "::10.1.2.3"}},
	{"::1", "", false, nil, []string{"::1"}, []string{"::2", "127.0.0.1", "::ffff:0.0.0.1"}},
	{"010.001.002.003", "", false, nil, []string{"10.1.2.3"}, []string{"8.1.2.3"}},
	{"1::2:", "", false, nil, []string{"1::2"}, []string{"1::2:0"}},
	{"::00001", "", false, nil, []string{"::1"}, nil},
	{"1:2:3:4:5:6:7:8::", "", false, nil, []string{"1:2:3:4:5:6:7:8"}, nil},
	{"::1.2.3.4", "", false, nil, []string{"::102:304"}, []string{"1.2.3.4"}},
	// Legacy network syntax, only without a mask.
	{"10.1", "", false, nil, []string{"10.1.200.3", "10.1.0.0"}, []string{"10.2.0.1", "11.1.0.0"}},
	{"10.1.", "", false, nil, []string{"10.1.200.3"}, []string{"10.2.0.1"}},
	{"10", "", false, nil, []string{"10.255.0.1"}, []string{"11.0.0.1"}},
	{"192.168.1", "", false, nil, []string{"192.168.1.77"}, []string{"192.168.2.77"}},
	{"1.2.3.4.", "", false, nil, []string{"1.2.3.4"}, []string{"1.2.3.5"}},
	// atoi truncates 4294967301 to the int 5.
	{"4294967301.1", "", false, nil, []string{"5.1.0.0"}, []string{"6.1.0.0"}},
	{"10.1", "16", true, ErrBadIP, nil, nil},
	{"256.1", "", false, ErrBadIP, nil, nil},
	{"1..2", "", false, ErrBadIP, nil, nil},
	{".", "", false, ErrBadIP, nil, nil},
	{"1.2.3.4.5", "", false, ErrBadIP, nil, nil},
	{"1234567890123456", "", false, ErrBadIP, nil, nil},
	// Masks: bits, as strtol reads them, or an IPv4 netmask.
	{"192.168.1.0", "24", true, nil, []string{"192.168.1.77"}, []string{"192.168.2.1"}},
	{"192.168.1.99", "24", true, nil, []string{"192.168.1.1"}, []string{"192.168.0.99"}},
	{"10.0.0.0", "255.0.0.0", true, nil, []string{"10.9.9.9"}, []string{"11.0.0.1"}},
	{"10.0.0.0", "255.0.255.0", true, nil, []string{"10.1.0.1"}, []string{"10.0.1.0"}},
	{"10.0.0.0", " +8", true, nil, []string{"10.9.9.9"}, []string{"11.0.0.1"}},
	{"0.0.0.0", "1", true, nil, []string{"127.0.0.1", "::ffff:1.2.3.4"}, []string{"128.0.0.1", "::1"}},
	{"2001:db8::", "32", true, nil, []string{"2001:db8:1::5"}, []string{"2001:db9::", "32.1.13.184"}},
	{"::", "1", true, nil, []string{"::1"}, []string{"8000::", "::ffff:1.2.3.4", "1.2.3.4"}},
	{"2001:db8::", "128", true, nil, []string{"2001:db8::"}, []string{"2001:db8::1"}},
	{"10.0.0.0", "33", true, ErrBadMask, nil, nil},
	{"10.0.0.0", "0", true, ErrBadMask, nil, nil},
	{"10.0.0.0", "-8", true, ErrBadMask, nil, nil},
	{"10.0.0.0", "", true, ErrBadMask, nil, nil},
	{"10.0.0.0", "8 ", true, ErrBadMask, nil, nil},
	{"10.0.0.0", "0x8", true, ErrBadMask, nil, nil},
	{"10.0.0.0", "255.0.0", true, ErrBadMask, nil, nil},
	{"::1", "129", true, ErrBadMask, nil, nil},
	{"::1", "255.255.0.0", true, ErrBadMask, nil, nil},
	// IPv4-mapped IPv6 addresses are refused; so are zones.
	{"::ffff:10.1.2.3", "", false, ErrBadIP, nil, nil},
	{"fe80::1%1", "", false, ErrBadIP, nil, nil},
	{"1::2::3", "", false, ErrBadIP, nil, nil},
	{":1::2", "", false, ErrBadIP, nil, nil},
	{"1:2", "", false, ErrBadIP, nil, nil},
	{"10.1.2.3.4", "", false, ErrBadIP, nil, nil},
	// Not an address at all: APR_EINVAL.
	{"example.org", "", false, ErrNotIP, nil, nil},
	{"", "", false, ErrNotIP, nil, nil},
	{"10.0.0.0 ", "", false, ErrNotIP, nil, nil},
	{"", "8", true, ErrNotIP, nil, nil},
}

func TestSubnet(t *testing.T) {
	for _, tt := range subnetTests {
		sn, err := ParseSubnet(tt.ip, tt.mask, tt.hasMask)
		if err != tt.err {
			t.Errorf("ParseSubnet(%q, %q, %v): err %v, want %v", tt.ip, tt.mask, tt.hasMask, err, tt.err)
			continue
		}
		if (sn == nil) != (err != nil) {
			t.Errorf("ParseSubnet(%q, %q, %v) = %v, %v", tt.ip, tt.mask, tt.hasMask, sn, err)
			continue
		}
		for _, a := range tt.in {
			if !sn.Test(netip.MustParseAddr(a)) {
				t.Errorf("ParseSubnet(%q, %q, %v).Test(%s) = false, want true", tt.ip, tt.mask, tt.hasMask, a)
			}
		}
		for _, a := range tt.out {
			if sn.Test(netip.MustParseAddr(a)) {
				t.Errorf("ParseSubnet(%q, %q, %v).Test(%s) = true, want false", tt.ip, tt.mask, tt.hasMask, a)
			}
		}
		if err == nil && sn.Test(netip.Addr{}) {
			t.Errorf("ParseSubnet(%q, %q, %v).Test(invalid) = true", tt.ip, tt.mask, tt.hasMask)
		}
	}
}

func TestSubnetErrorTexts(t *testing.T) {
	for err, want := range map[error]string{
		ErrBadIP:   "The specified IP address is invalid.",
		ErrBadMask: "The specified network mask is invalid.",
		ErrNotIP:   "Invalid argument",
	} {
		if err.Error() != want {
			t.Errorf("error text %q, want %q", err.Error(), want)
		}
	}
}

func TestNilSubnet(t *testing.T) {
	var sn *Subnet
	if sn.Test(netip.MustParseAddr("10.0.0.1")) {
		t.Error("a nil Subnet matched")
	}
}
