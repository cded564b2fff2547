package confparse

import (
	"errors"
	"net"
	"strconv"
	"strings"
)

// IPSubnet is an address range as apr_ipsubnet_create builds it for
// Allow/Deny, Require ip and WSGITrustedProxies: a full or partial IPv4
// address ("10.1"), an IPv6 address, optionally with /bits or /netmask.
type IPSubnet struct {
	Net *net.IPNet
}

// errNotIP says the text does not look like an address at all (APR's
// EINVAL): Allow/Deny then treat it as a host name.
var errNotIP = errors.New("not an IP address")

// errBadMask is APR's APR_EBADMASK.
var errBadMask = errors.New("The specified network mask is invalid.")

// ParseIPSubnet parses addr with an optional mask ("" for none).
func ParseIPSubnet(addr, mask string) (IPSubnet, error) {
	if strings.Contains(addr, ":") {
		ip := net.ParseIP(addr)
		if ip == nil || ip.To4() != nil && !strings.Contains(addr, "::ffff:") {
			return IPSubnet{}, errNotIP
		}
		bits := 128
		if mask != "" {
			b, err := strconv.Atoi(mask)
			if err != nil || b < 0 || b > 128 || !allDigits(mask) {
				return IPSubnet{}, errBadMask
			}
			bits = b
		}
		return IPSubnet{Net: &net.IPNet{IP: ip.Mask(net.CIDRMask(bits, 128)), Mask: net.CIDRMask(bits, 128)}}, nil
	}
	// IPv4, possibly partial: "10", "10.1", "10.1.2", "10.1.2.3".
	parts := strings.Split(addr, ".")
	if len(parts) > 4 || addr == "" {
		return IPSubnet{}, errNotIP
	}
	var ip [4]byte
	for i, p := range parts {
		if p == "" && i == len(parts)-1 && i > 0 {
			parts = parts[:i] // "10.1." is 10.1
			break
		}
		if !allDigits(p) || p == "" {
			return IPSubnet{}, errNotIP
		}
		v, _ := strconv.Atoi(p)
		if v > 255 {
			return IPSubnet{}, errNotIP
		}
		ip[i] = byte(v)
	}
	bits := 8 * len(parts)
	if mask != "" {
		if strings.Contains(mask, ".") {
			m := net.ParseIP(mask).To4()
			if m == nil {
				return IPSubnet{}, errBadMask
			}
			ones, total := net.IPMask(m).Size()
			if total == 0 {
				return IPSubnet{}, errBadMask
			}
			bits = ones
		} else {
			b, err := strconv.Atoi(mask)
			if err != nil || b < 1 || b > 32 || !allDigits(mask) {
				return IPSubnet{}, errBadMask
			}
			bits = b
		}
	}
	m := net.CIDRMask(bits, 32)
	v4 := net.IPv4(ip[0], ip[1], ip[2], ip[3]).To4()
	return IPSubnet{Net: &net.IPNet{IP: v4.Mask(m), Mask: m}}, nil
}

// Contains reports whether ip is in the subnet; IPv4-mapped IPv6
// addresses match IPv4 subnets, as in APR.
func (s IPSubnet) Contains(ip net.IP) bool {
	if v4 := ip.To4(); v4 != nil && len(s.Net.IP) == net.IPv4len {
		return s.Net.Contains(v4)
	}
	return s.Net.Contains(ip)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
