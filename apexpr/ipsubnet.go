package apexpr

import (
	"net/netip"
	"strings"
)

// ipSubnet mirrors apr_ipsubnet_t as built by apr_ipsubnet_create.
type ipSubnet struct {
	v6   bool
	sub  [16]byte // IPv4 uses the first 4 bytes
	mask [16]byte
}

// inetPton4 is APR's apr_inet_pton(AF_INET, ...): exactly four decimal
// octets, each at most 255.
func inetPton4(s string) ([4]byte, bool) {
	var out [4]byte
	octets, sawDigit, cur := 0, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n := cur*10 + int(c-'0')
			if n > 255 {
				return out, false
			}
			cur = n
			if !sawDigit {
				octets++
				if octets > 4 {
					return out, false
				}
				sawDigit = true
			}
			out[octets-1] = byte(cur)
		case c == '.' && sawDigit:
			if octets == 4 {
				return out, false
			}
			cur = 0
			sawDigit = false
		default:
			return out, false
		}
	}
	return out, octets == 4
}

func inetPton6(s string) (netip.Addr, bool) {
	if !strings.Contains(s, ":") || strings.Contains(s, "%") {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return netip.Addr{}, false
	}
	return a, true
}

// parseSubnet is apr_ipsubnet_create(ipstr, mask_or_numbits); hasMask
// tells whether a mask was given at all.
func parseSubnet(ipstr, mask string, hasMask bool) (*ipSubnet, bool) {
	// looks_like_ip
	if ipstr == "" {
		return nil, false
	}
	if !strings.Contains(ipstr, ":") {
		for i := 0; i < len(ipstr); i++ {
			if ipstr[i] != '.' && (ipstr[i] < '0' || ipstr[i] > '9') {
				return nil, false
			}
		}
	}
	sn := &ipSubnet{}
	for i := range sn.mask {
		sn.mask[i] = 0xff
	}
	// parse_ip
	if a, ok := inetPton6(ipstr); ok {
		if a.Is4In6() {
			return nil, false
		}
		sn.v6 = true
		sn.sub = a.As16()
	} else if a4, ok := inetPton4(ipstr); ok {
		copy(sn.sub[:4], a4[:])
	} else {
		if hasMask {
			return nil, false
		}
		// parse_network: legacy "a.b.c." / "a.b" network syntax
		if len(ipstr) >= len("255.255.255.255")+1 {
			return nil, false
		}
		sn.mask = [16]byte{}
		parts := strings.Split(ipstr, ".")
		if parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		if len(parts) > 4 {
			return nil, false
		}
		for i, part := range parts {
			if part == "" {
				return nil, false
			}
			v := 0
			for j := 0; j < len(part); j++ {
				if part[j] < '0' || part[j] > '9' {
					return nil, false
				}
				v = v*10 + int(part[j]-'0')
				if v > 255 {
					return nil, false
				}
			}
			sn.sub[i] = byte(v)
			sn.mask[i] = 0xff
		}
	}
	if hasMask {
		maxbits := 32
		if sn.v6 {
			maxbits = 128
		}
		if bits, ok := strtolAll(mask); ok && bits > 0 && bits <= int64(maxbits) {
			sn.mask = [16]byte{}
			for i := 0; i < int(bits); i++ {
				sn.mask[i/8] |= 0x80 >> (i % 8)
			}
		} else if m4, ok := inetPton4(mask); ok && !sn.v6 {
			copy(sn.mask[:4], m4[:])
		} else {
			return nil, false
		}
	}
	// fix_subnet
	for i := range sn.sub {
		sn.sub[i] &= sn.mask[i]
	}
	return sn, true
}

// strtolAll is strtol(s, &end, 10) with the requirement *end == '\0'.
func strtolAll(s string) (int64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if v < 1<<40 {
			v = v*10 + int64(s[i]-'0')
		}
		i++
	}
	if i == start {
		// no digits: endptr is the start of the string
		return 0, s == ""
	}
	if neg {
		v = -v
	}
	return v, i == len(s)
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// test is apr_ipsubnet_test.
func (sn *ipSubnet) test(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	if a.Is4() || a.Is4In6() {
		if sn.v6 {
			return false
		}
		b := a.Unmap().As4()
		for i := 0; i < 4; i++ {
			if b[i]&sn.mask[i] != sn.sub[i] {
				return false
			}
		}
		return true
	}
	if !sn.v6 {
		return false
	}
	b := a.As16()
	for i := 0; i < 16; i++ {
		if b[i]&sn.mask[i] != sn.sub[i] {
			return false
		}
	}
	return true
}

// parseSockaddr stands in for apr_sockaddr_info_get(APR_UNSPEC) on a
// numeric address: IPv4 in inet_aton form (getaddrinfo accepts "127.1",
// octal "010.0.0.1" and hex "0x7f.1") or IPv6. Host names are not
// resolved.
func parseSockaddr(s string) netip.Addr {
	if a, ok := inetAton(s); ok {
		return netip.AddrFrom4(a)
	}
	if !strings.Contains(s, ":") {
		return netip.Addr{}
	}
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a
}

// inetAton parses the IPv4 forms glibc's inet_aton accepts: one to four
// parts, each decimal, octal (leading 0) or hex (0x); the last part fills
// the remaining bytes.
func inetAton(s string) ([4]byte, bool) {
	var out [4]byte
	if s == "" {
		return out, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return out, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return out, false
		}
		base := uint64(10)
		switch {
		case len(p) > 1 && (p[1] == 'x' || p[1] == 'X') && p[0] == '0':
			base, p = 16, p[2:]
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		var v uint64
		for j := 0; j < len(p); j++ {
			var d uint64
			c := p[j]
			switch {
			case c >= '0' && c <= '9':
				d = uint64(c - '0')
			case c >= 'a' && c <= 'f':
				d = uint64(c-'a') + 10
			case c >= 'A' && c <= 'F':
				d = uint64(c-'A') + 10
			default:
				return out, false
			}
			if d >= base {
				return out, false
			}
			v = v*base + d
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
