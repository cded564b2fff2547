package apr

import (
	"errors"
	"net/netip"
)

// The errors of apr_ipsubnet_create, with the texts apr_strerror gives
// APR_EBADIP and APR_EBADMASK.
var (
	// ErrNotIP is APR_EINVAL: the text does not look like an IP address
	// at all (it is empty, or has no ':' and a character other than
	// digits and dots). Callers such as Allow/Deny then take it for a
	// host name.
	ErrNotIP = errors.New("Invalid argument")
	// ErrBadIP is APR_EBADIP: the address part is invalid.
	ErrBadIP = errors.New("The specified IP address is invalid.")
	// ErrBadMask is APR_EBADMASK: the mask part is invalid.
	ErrBadMask = errors.New("The specified network mask is invalid.")
)

// Subnet is an apr_ipsubnet_t: an IPv4 or IPv6 network address and mask.
// The mask need not be contiguous ("10.0.0.0/255.0.255.0" is kept as is).
type Subnet struct {
	v6   bool
	sub  [16]byte // network byte order; IPv4 uses the first 4 bytes
	mask [16]byte
}

// looksLikeIP is APR's looks_like_ip: non-empty, and either a ':' or
// only digits and dots.
func looksLikeIP(s cstr) bool {
	if len(s) == 0 {
		return false
	}
	if indexFrom(s, 0, ':') >= 0 {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// inetPton4 is APR's inet_pton4 (apr_inet_pton(AF_INET, ...)): exactly
// four decimal octets, each at most 255; leading zeros are allowed and
// stay decimal.
func inetPton4(s cstr) ([4]byte, bool) {
	var tmp [4]byte
	tp := 0
	sawDigit, octets := false, 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case isDigit(ch):
			n := uint(tmp[tp])*10 + uint(ch-'0')
			if n > 255 {
				return [4]byte{}, false
			}
			tmp[tp] = byte(n)
			if !sawDigit {
				octets++
				if octets > 4 {
					return [4]byte{}, false
				}
				sawDigit = true
			}
		case ch == '.' && sawDigit:
			if octets == 4 {
				return [4]byte{}, false
			}
			tp++
			tmp[tp] = 0
			sawDigit = false
		default:
			return [4]byte{}, false
		}
	}
	if octets < 4 {
		return [4]byte{}, false
	}
	return tmp, true
}

func hexVal(c byte) (uint, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint(c-'A') + 10, true
	}
	return 0, false
}

// inetPton6 is APR's inet_pton6 (apr_inet_pton(AF_INET6, ...)). It is
// laxer than RFC 4291 text: a group may have more than four hex digits
// when the value fits 16 bits ("::00001"), a "::" in a full address is
// ignored ("1:2:3:4:5:6:7:8::"), a single trailing ':' after a "::" is
// accepted ("1::2:"), and an embedded IPv4 address may have leading
// zeros. Zone suffixes ("%eth0") are refused.
func inetPton6(s cstr) ([16]byte, bool) {
	var tmp [16]byte
	const endp = 16
	tp, colonp := 0, -1
	i := 0
	// Leading "::" requires some special handling.
	if s.at(0) == ':' {
		i++
		if s.at(i) != ':' {
			return [16]byte{}, false
		}
	}
	curtok := i
	sawXDigit := false
	var val uint
	for i < len(s) {
		ch := s[i]
		i++
		if d, ok := hexVal(ch); ok {
			val = val<<4 | d
			if val > 0xffff {
				return [16]byte{}, false
			}
			sawXDigit = true
			continue
		}
		if ch == ':' {
			curtok = i
			if !sawXDigit {
				if colonp >= 0 {
					return [16]byte{}, false
				}
				colonp = tp
				continue
			}
			if tp+2 > endp {
				return [16]byte{}, false
			}
			tmp[tp], tmp[tp+1] = byte(val>>8), byte(val)
			tp += 2
			sawXDigit = false
			val = 0
			continue
		}
		if ch == '.' && tp+4 <= endp {
			if v4, ok := inetPton4(s[curtok:]); ok {
				copy(tmp[tp:], v4[:])
				tp += 4
				sawXDigit = false
				break // inetPton4 saw the end of the string
			}
		}
		return [16]byte{}, false
	}
	if sawXDigit {
		if tp+2 > endp {
			return [16]byte{}, false
		}
		tmp[tp], tmp[tp+1] = byte(val>>8), byte(val)
		tp += 2
	}
	if colonp >= 0 {
		// Shift the groups after "::" to the end.
		n := tp - colonp
		for k := 1; k <= n; k++ {
			tmp[endp-k] = tmp[colonp+n-k]
			tmp[colonp+n-k] = 0
		}
		tp = endp
	}
	if tp != endp {
		return [16]byte{}, false
	}
	return tmp, true
}

// isV4Mapped is IN6_IS_ADDR_V4MAPPED.
func isV4Mapped(a [16]byte) bool {
	for i := 0; i < 10; i++ {
		if a[i] != 0 {
			return false
		}
	}
	return a[10] == 0xff && a[11] == 0xff
}

// parseNetwork is APR's parse_network: the legacy "a", "a.b", "a.b.c"
// syntax (a trailing dot allowed) for a network of 8, 16, 24 or 32 bits.
func (sn *Subnet) parseNetwork(network cstr) error {
	if len(network) >= len("255.255.255.255")+1 {
		return ErrBadIP
	}
	var sub, mask uint32
	shift := 24
	s := 0
	for s < len(network) {
		t := s
		if !isDigit(network.at(t)) {
			return ErrBadIP
		}
		for isDigit(network.at(t)) {
			t++
		}
		end := t
		if network.at(t) == '.' {
			t++
		} else if t < len(network) {
			return ErrBadIP
		}
		if shift < 0 {
			return ErrBadIP
		}
		// octet = atoi(s): strtol's long, truncated to int. The component
		// has at most 15 digits, so the long does not overflow.
		var l int64
		for k := s; k < end; k++ {
			l = l*10 + int64(network[k]-'0')
		}
		octet := int32(l)
		if octet < 0 || octet > 255 {
			return ErrBadIP
		}
		sub |= uint32(octet) << shift
		mask |= 0xff << shift
		s = t
		shift -= 8
	}
	sn.v6 = false
	sn.sub = [16]byte{byte(sub >> 24), byte(sub >> 16), byte(sub >> 8), byte(sub)}
	// Only the first word of the mask is reset; the others keep their
	// 0xff bytes, unused for IPv4.
	sn.mask[0], sn.mask[1], sn.mask[2], sn.mask[3] = byte(mask>>24), byte(mask>>16), byte(mask>>8), byte(mask)
	return nil
}

// parseIP is APR's parse_ip.
func (sn *Subnet) parseIP(ipstr cstr, networkAllowed bool) error {
	if a, ok := inetPton6(ipstr); ok {
		// IPv4-mapped IPv6 addresses are refused: apr_ipsubnet_test
		// matches them against IPv4 subnets.
		if isV4Mapped(a) {
			return ErrBadIP
		}
		sn.v6 = true
		sn.sub = a
		return nil
	}
	if a, ok := inetPton4(ipstr); ok {
		copy(sn.sub[:4], a[:])
		return nil
	}
	if networkAllowed {
		return sn.parseNetwork(ipstr)
	}
	return ErrBadIP
}

// strtol10 is strtol(s, &end, 10), returning the value (clamped, as the
// range check that follows needs) and whether *end == '\0'.
func strtol10(s cstr) (int64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	for i < len(s) && isDigit(s[i]) {
		if v < 1<<40 {
			v = v*10 + int64(s[i]-'0')
		}
		i++
	}
	if i == start {
		// No digits: end is the start of the string.
		return 0, len(s) == 0
	}
	if neg {
		v = -v
	}
	return v, i == len(s)
}

// ParseSubnet is apr_ipsubnet_create(ipstr, mask): hasMask tells whether
// a mask (the text after a '/') was given at all; an empty mask is then
// invalid. ipstr may be an IPv6 address, an IPv4 address in dotted-quad
// form or, without a mask, a legacy IPv4 network ("10.1" or "10.1." for
// 10.1.0.0/16). The mask is a number of bits (1 to 32 or 128, as strtol
// reads it) or, for IPv4, a dotted netmask. The error is ErrNotIP,
// ErrBadIP or ErrBadMask.
func ParseSubnet(ipstr, mask string, hasMask bool) (*Subnet, error) {
	ip := cstrOf(ipstr)
	if !looksLikeIP(ip) {
		return nil, ErrNotIP
	}
	sn := &Subnet{}
	// Assume ipstr is an individual IP address, not a subnet.
	for i := range sn.mask {
		sn.mask[i] = 0xff
	}
	if err := sn.parseIP(ip, !hasMask); err != nil {
		return nil, err
	}
	if hasMask {
		m := cstrOf(mask)
		maxbits := int64(32)
		if sn.v6 {
			maxbits = 128
		}
		if bits, ok := strtol10(m); ok && bits > 0 && bits <= maxbits {
			sn.mask = [16]byte{}
			for i := 0; i < int(bits); i++ {
				sn.mask[i/8] |= 0x80 >> (i % 8)
			}
		} else if m4, ok := inetPton4(m); ok && !sn.v6 {
			copy(sn.mask[:4], m4[:])
		} else {
			return nil, ErrBadMask
		}
	}
	// fix_subnet: clear the address bits the mask leaves out.
	for i := range sn.sub {
		sn.sub[i] &= sn.mask[i]
	}
	return sn, nil
}

// Test is apr_ipsubnet_test: it reports whether a is in the subnet. An
// IPv4-mapped IPv6 address is tested as the IPv4 address it maps, and
// never matches an IPv6 subnet. An invalid (zero) a matches nothing.
func (sn *Subnet) Test(a netip.Addr) bool {
	if sn == nil || !a.IsValid() {
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
