package apr

import (
	"net"
	"net/netip"
	"strings"
)

// ParseSockaddr stands in for apr_sockaddr_info_get(APR_UNSPEC) on a
// numeric address, as glibc's getaddrinfo reads it: IPv4 in inet_aton
// form (see InetAton: "127.1", octal "010.0.0.1", hex "0x7f.1") or IPv6,
// with an optional "%zone" suffix that must be valid (a decimal scope id,
// or an interface name for link-local addresses) and is then dropped. Host names are not resolved: for them, and for
// anything else, ParseSockaddr returns the zero netip.Addr, which
// (*Subnet).Test never matches.
func ParseSockaddr(s string) netip.Addr {
	s = string(cstrOf(s))
	if a, ok := InetAton(s); ok {
		return netip.AddrFrom4(a)
	}
	if !strings.Contains(s, ":") {
		return netip.Addr{}
	}
	s, zone, hasZone := strings.Cut(s, "%")
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return netip.Addr{}
	}
	if hasZone && !scopeIDOK(a, zone) {
		return netip.Addr{}
	}
	return a
}

// scopeIDOK is glibc's __inet6_scopeid_pton succeeding: the zone of a
// link-local address (or node- or link-local multicast one) may name a
// network interface; any address's zone may be a decimal number up to
// 2^32-1.
func scopeIDOK(a netip.Addr, zone string) bool {
	if a.IsLinkLocalUnicast() || a.IsInterfaceLocalMulticast() || a.IsLinkLocalMulticast() {
		if ifi, err := net.InterfaceByName(zone); err == nil && ifi.Index != 0 {
			return true
		}
	}
	if zone == "" || !isDigit(zone[0]) {
		return false
	}
	var n uint64
	for i := 0; i < len(zone); i++ {
		if !isDigit(zone[i]) {
			return false
		}
		n = n*10 + uint64(zone[i]-'0')
		if n > 0xffffffff {
			return false
		}
	}
	return true
}

// InetAton parses the IPv4 forms glibc's inet_aton accepts, with nothing
// after the address (__inet_aton_exact, which getaddrinfo uses): one to
// four parts, each decimal, octal (a leading 0) or hex (0x followed by at
// least one hex digit); the last part fills the remaining bytes ("10.1"
// is 10.0.0.1).
func InetAton(s string) ([4]byte, bool) {
	var out [4]byte
	str := cstrOf(s)
	if len(str) == 0 {
		return out, false
	}
	parts := strings.Split(string(str), ".")
	if len(parts) > 4 {
		return out, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		// Each part is strtoul(p, &end, 0) starting at a digit, ending
		// at the '.' or the end of the string.
		if p == "" || !isDigit(p[0]) {
			return out, false
		}
		base := uint64(10)
		switch {
		case len(p) > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
			// Without a hex digit, strtoul reads only the "0".
			base, p = 16, p[2:]
			if p == "" {
				return out, false
			}
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		var v uint64
		for j := 0; j < len(p); j++ {
			d, ok := hexVal(p[j])
			if !ok || uint64(d) >= base {
				return out, false
			}
			v = v*base + uint64(d)
			if v > 0xffffffff {
				return out, false
			}
		}
		vals[i] = v
	}
	n := len(vals)
	for i := 0; i < n-1; i++ {
		if vals[i] > 0xff {
			return out, false
		}
		out[i] = byte(vals[i])
	}
	last := vals[n-1]
	if last >= 1<<(8*uint(5-n)) {
		return out, false
	}
	for i := 3; i >= n-1; i-- {
		out[i] = byte(last)
		last >>= 8
	}
	return out, true
}
