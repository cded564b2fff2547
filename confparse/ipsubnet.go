package confparse

import (
	"errors"
	"net"
	"strconv"
	"strings"
)

// IPSubnet is an address range as apr_ipsubnet_create builds it for
// Allow/Deny, Require ip and WSGITrustedProxies: an IPv4 or IPv6 address,
// a legacy IPv4 network prefix ("10.1" is 10.1.0.0/16), optionally with a
// /bits or /netmask.
type IPSubnet struct {
	Net *net.IPNet
}

// The errors of apr_ipsubnet_create, with APR's texts.
var (
	// errNotIP (APR_EINVAL): the text does not look like an address at
	// all; Allow/Deny then take it as a host name.
	errNotIP   = errors.New("not an IP address")
	errBadIP   = errors.New("The specified IP address is invalid.")
	errBadMask = errors.New("The specified network mask is invalid.")
)

// ParseIPSubnet parses addr with an optional mask ("" for none).
func ParseIPSubnet(addr, mask string) (IPSubnet, error) {
	if !looksLikeIPAddr(addr) {
		return IPSubnet{}, errNotIP
	}
	var ip net.IP
	bits := 0
	if strings.Contains(addr, ":") {
		ip = net.ParseIP(addr)
		if ip == nil || ip.To4() != nil {
			// IPv4-mapped IPv6 addresses are refused, as in APR.
			return IPSubnet{}, errBadIP
		}
		bits = 128
	} else if v4 := parseIPv4(addr); v4 != nil {
		ip, bits = v4, 32
	} else if mask == "" {
		n, nbits, ok := parseIPv4Network(addr)
		if !ok {
			return IPSubnet{}, errBadIP
		}
		ip, bits = n, nbits
	} else {
		return IPSubnet{}, errBadIP
	}
	if mask != "" {
		max := 32
		if ip.To4() == nil {
			max = 128
		}
		if b, err := strconv.Atoi(mask); err == nil && allDigits(strings.TrimPrefix(mask, "-")) && b > 0 && b <= max {
			bits = b
		} else if m := parseIPv4(mask); m != nil && max == 32 {
			ones, total := net.IPMask(m).Size()
			if total == 0 {
				// A non-contiguous netmask: APR keeps it as is; gowsgid
				// refuses it rather than guess.
				return IPSubnet{}, errBadMask
			}
			bits = ones
		} else {
			return IPSubnet{}, errBadMask
		}
	}
	size := 32
	if ip.To4() == nil {
		size = 128
	} else {
		ip = ip.To4()
	}
	m := net.CIDRMask(bits, size)
	return IPSubnet{Net: &net.IPNet{IP: ip.Mask(m), Mask: m}}, nil
}

// looksLikeIPAddr is APR's looks_like_ip: a colon, or only digits and dots.
func looksLikeIPAddr(s string) bool {
	if s == "" {
		return false
	}
	if strings.Contains(s, ":") {
		return true
	}
	return strings.Trim(s, "0123456789.") == ""
}

// parseIPv4 is inet_pton(AF_INET): four decimal octets, no leading zeros.
func parseIPv4(s string) net.IP {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return nil
	}
	var b [4]byte
	for i, p := range parts {
		if p == "" || len(p) > 3 || !allDigits(p) || (len(p) > 1 && p[0] == '0') {
			return nil
		}
		v, _ := strconv.Atoi(p)
		if v > 255 {
			return nil
		}
		b[i] = byte(v)
	}
	return net.IPv4(b[0], b[1], b[2], b[3]).To4()
}

// parseIPv4Network is APR's parse_network: "a", "a.b", "a.b.c" (a trailing
// dot allowed) as a network of 8, 16 or 24 bits.
func parseIPv4Network(s string) (net.IP, int, bool) {
	if len(s) >= len("255.255.255.255") {
		return nil, 0, false
	}
	var b [4]byte
	n := 0
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || n >= 4 {
			return nil, 0, false
		}
		v, _ := strconv.Atoi(s[:i])
		if v > 255 {
			return nil, 0, false
		}
		b[n] = byte(v)
		n++
		s = s[i:]
		if s != "" {
			if s[0] != '.' {
				return nil, 0, false
			}
			s = s[1:]
		}
	}
	return net.IPv4(b[0], b[1], b[2], b[3]).To4(), 8 * n, true
}

// Contains reports whether ip is in the subnet; IPv4-mapped IPv6 addresses
// match IPv4 subnets, as in APR.
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
