package vhost

import (
	"net/netip"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
)

// Candidates is what a connection's local address selects, before any
// request on it names a host: Apache's conn->base_server and
// vhost_lookup_data.
type Candidates struct {
	// Base serves requests whose host matches no name; nil means the main
	// server.
	Base *confparse.Server
	// Names are the name-based members of the address's chain, nil when
	// the address is IP-based only.
	Names []NameEntry
}

// ForConnection is ap_update_vhost_given_ip: the chain of the exact local
// address and port, else the wildcard chain of the port, else the main
// server.
func (t *AddrTable) ForConnection(local netip.AddrPort) Candidates {
	ip := local.Addr().Unmap().WithZone("")
	port := int(local.Port())
	var wildPort *AddrChain
	for _, c := range t.IP {
		if c.ip != ip {
			continue
		}
		if c.Addr.Port == port {
			return Candidates{Base: c.Default, Names: c.Names}
		}
		if wildPort == nil && c.Addr.Port == 0 {
			wildPort = c
		}
	}
	if wildPort != nil {
		return Candidates{Base: wildPort.Default, Names: wildPort.Names}
	}
	var wildAny *AddrChain
	for _, c := range t.Wildcard {
		if c.Addr.Port == port {
			return Candidates{Base: c.Default, Names: c.Names}
		}
		if wildAny == nil && c.Addr.Port == 0 {
			wildAny = c
		}
	}
	if wildAny != nil {
		return Candidates{Base: wildAny.Default, Names: wildAny.Names}
	}
	return Candidates{}
}

// ForHost is update_server_from_aliases: among the name-based members
// listed for the connection's port, the first whose ServerName or
// ServerAlias matches host, else the first whose <VirtualHost> address was
// written as host, else Base. host must already be normalised (NormalizeHost).
func (c Candidates) ForHost(host string, localPort int) *confparse.Server {
	if host == "" || c.Names == nil {
		return c.Base
	}
	var byAddr *confparse.Server
	var last *confparse.Server
	for _, n := range c.Names {
		if n.Addr.Port != 0 && n.Addr.Port != localPort {
			continue
		}
		if n.Server != last && matchesAliases(n.Server, host) {
			return n.Server
		}
		if byAddr == nil && strings.EqualFold(host, n.Addr.Host) {
			byAddr = n.Server
		}
		last = n.Server
	}
	if byAddr != nil {
		return byAddr
	}
	return c.Base
}

// matchesAliases is vhost.c's matches_aliases: the ServerName, a plain
// alias (case-insensitive), or a wildcard alias (case-insensitive
// ap_strcasecmp_match: '*' any run including dots, '?' one character).
func matchesAliases(s *confparse.Server, host string) bool {
	if strings.EqualFold(host, s.Hostname) {
		return true
	}
	for _, n := range s.Names {
		if strings.EqualFold(host, n) {
			return true
		}
	}
	for _, w := range s.WildNames {
		if wildMatch(strings.ToLower(w), strings.ToLower(host)) {
			return true
		}
	}
	return false
}

// wildMatch is ap_strcmp_match: '*' matches any run (dots included), '?'
// exactly one character.
func wildMatch(pattern, s string) bool {
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextSx > 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

// NormalizeHost is vhost.c's fix_hostname under HttpProtocolOptions Strict
// (the default): it lower-cases the host of a Host header, drops one
// trailing dot and the port, and reports the port given and whether the
// header is one Apache answers with 400.
func NormalizeHost(header string) (host string, port int, ok bool) {
	if header == "" {
		return "", 0, true
	}
	if strings.Trim(header, "0123456789") == "" {
		return "", 0, false // purely numeric (RFC 3986 7.4)
	}
	h, p, err := confparse.ParseAddrPort(header)
	if err != nil || strings.Contains(h, "%") {
		return "", 0, false
	}
	if strings.HasPrefix(header, "[") {
		h, ok = normalizeV6Literal(h)
		return h, p, ok
	}
	h, ok = normalizeNonV6(h)
	if !ok || !strictHostname(h) {
		return "", 0, false
	}
	return h, p, true
}

func normalizeV6Literal(h string) (string, bool) {
	b := []byte(h)
	doubleColon := false
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			b[i] = c + ('a' - 'A')
		case c == ':':
			if i+1 < len(b) && b[i+1] == ':' {
				if doubleColon {
					return "", false
				}
				doubleColon = true
			} else if i+1 < len(b) && b[i+1] == '.' {
				return "", false
			}
		case c == '.':
			if i+1 < len(b) && (b[i+1] == ':' || b[i+1] == '.') {
				return "", false
			}
		default:
			return "", false
		}
	}
	return string(b), true
}

func normalizeNonV6(h string) (string, bool) {
	if plainHost(h) {
		return h, true
	}
	b := []byte(h)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + ('a' - 'A')
		case c == '.':
			if i+1 < len(b) && b[i+1] == '.' {
				return "", false
			}
		case c == '/' || c == '\\':
			return "", false
		}
	}
	if n := len(b); n > 0 && b[n-1] == '.' {
		b = b[:n-1]
	}
	return string(b), true
}

// plainHost reports whether normalizeNonV6 leaves h as it is: no
// upper-case letter, no "..", '/' or '\\', no trailing dot.
func plainHost(h string) bool {
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c >= 'A' && c <= 'Z', c == '/', c == '\\':
			return false
		case c == '.' && (i+1 == len(h) || h[i+1] == '.'):
			return false
		}
	}
	return true
}

// strictHostname is strict_hostname_check: letters, digits, '-', '_' and
// dots; a dotted-decimal address must have four parts and no leading
// zeros; a name's top-level domain must start with a letter.
func strictHostname(h string) bool {
	dotted, leadingZeros, dots := true, false, 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
			dotted = false
		case c == '.':
			dots++
			if i+2 < len(h) && h[i+1] == '0' && h[i+2] >= '0' && h[i+2] <= '9' {
				leadingZeros = true
			}
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	if dotted {
		if h != "" && (h[0] == '.' || (h[0] == '0' && len(h) > 1 && h[1] >= '0' && h[1] <= '9')) {
			leadingZeros = true
		}
		return !leadingZeros && dots == 3
	}
	if i := strings.LastIndexByte(h, '.'); i >= 0 && i+1 < len(h) {
		c := h[i+1]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
