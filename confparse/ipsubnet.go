package confparse

import (
	"net"
	"net/netip"
	"strings"

	"github.com/gowsgid/gowsgid/internal/apr"
)

// IPSubnet is an address range as apr_ipsubnet_create builds it for
// Allow/Deny, Require ip and WSGITrustedProxies: an IPv4 or IPv6 address,
// a legacy IPv4 network prefix ("10.1" is 10.1.0.0/16), optionally with a
// /bits or /netmask (which, as in APR, need not be contiguous).
type IPSubnet struct {
	Subnet *apr.Subnet
}

// The errors of apr_ipsubnet_create, with APR's texts.
var (
	// errNotIP (APR_EINVAL): the text does not look like an address at
	// all; Allow/Deny then take it as a host name.
	errNotIP   = apr.ErrNotIP
	errBadIP   = apr.ErrBadIP
	errBadMask = apr.ErrBadMask
)

// ParseIPSubnet parses addr with an optional mask ("" for none).
func ParseIPSubnet(addr, mask string) (IPSubnet, error) {
	return parseIPSubnet(addr, mask, mask != "")
}

// parseIPSubnetWord parses an "addr[/mask]" word as Apache's callers of
// apr_ipsubnet_create split it: after a '/', even an empty mask is one
// (and invalid).
func parseIPSubnetWord(w string) (IPSubnet, error) {
	addr, mask, hasMask := strings.Cut(w, "/")
	return parseIPSubnet(addr, mask, hasMask)
}

func parseIPSubnet(addr, mask string, hasMask bool) (IPSubnet, error) {
	sn, err := apr.ParseSubnet(addr, mask, hasMask)
	if err != nil {
		return IPSubnet{}, err
	}
	return IPSubnet{Subnet: sn}, nil
}

// Contains reports whether ip is in the subnet (apr_ipsubnet_test);
// IPv4-mapped IPv6 addresses match IPv4 subnets, as in APR.
func (s IPSubnet) Contains(ip net.IP) bool {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	return s.Subnet.Test(a)
}
