package vhost

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/apr"
)

// remoteIP is mod_remoteip's post_read_request: with RemoteIPHeader set,
// the addresses of that header are taken from the right, each presented
// by the proxy before it, for as long as that proxy is trusted
// (RemoteIPTrustedProxy, RemoteIPInternalProxy; every proxy when none is
// configured) and the address is acceptable (a private one only from an
// internal proxy). The last one taken becomes the request's client
// (port 0), the header keeps what was not taken, and the external
// proxies passed are noted in "remoteip-proxy-ip-list" (and
// RemoteIPProxiesHeader).
func (r *Request) remoteIP() {
	if r.proxyClient.IsValid() {
		r.Remote = r.proxyClient
	}
	cfg := &r.Host.remoteIP
	if cfg.Header == "" || r.HTTP == nil || r.proxied {
		return
	}
	values := r.HTTP.Header.Values(cfg.Header)
	if len(values) == 0 {
		return
	}
	// remote is what is left of the header; left is false once all of
	// it is taken (an empty item before a comma stays, as "").
	remote := strings.Join(values, ", ")
	internal := cfg.Proxies != nil
	ua := r.Remote.Addr().Unmap()
	var proxyIPs []string
	taken, left := false, true
	for remote != "" {
		if cfg.Proxies != nil {
			i := matchProxy(cfg.Proxies, ua)
			if i < 0 {
				break // a proxy not trusted: what it says is not taken
			}
			if internal {
				// An internal proxy may present an external one, not
				// the other way round.
				internal = cfg.Proxies[i].Internal
			}
		}
		rest, last, hasComma := cutLast(remote, ',')
		if !hasComma {
			rest, last = "", remote
		}
		candidate := strings.Trim(last, " ")
		ip, err := netip.ParseAddr(candidate)
		if err == nil {
			ip, err = zoneAsGetaddrinfo(ip)
		} else if a, ok := apr.InetAton(candidate); ok {
			// getaddrinfo's numeric IPv4 forms: 8.8.2056, 0x8.8.8.8,
			// 127.1 (the client becomes 8.8.8.8, as Apache prints it).
			ip, err = netip.AddrFrom4(a), nil
		}
		if candidate == "" || err != nil || (!internal && privateAddr(ip.Unmap())) {
			// Left in the header with what comes before it, as Apache
			// leaves it: without the spaces it trimmed at the end.
			if hasComma {
				remote = rest + "," + strings.TrimRight(last, " ")
			} else {
				remote = candidate
			}
			break
		}
		if !internal {
			proxyIPs = append(proxyIPs, ua.String())
		}
		ua, remote, taken, left = ip.Unmap(), rest, true, hasComma
	}
	if !taken {
		return
	}
	// The client's port is unknown: 0, as mod_remoteip sets it.
	r.Remote = netip.AddrPortFrom(ua, 0)
	h := r.HTTP.Header
	if left {
		h.Set(cfg.Header, remote)
	} else {
		h.Del(cfg.Header)
	}
	if len(proxyIPs) > 0 {
		list := strings.Join(proxyIPs, ", ")
		r.SetNote("remoteip-proxy-ip-list", list)
		if cfg.ProxiesHeader != "" {
			h.Set(cfg.ProxiesHeader, list)
		}
	}
}

// cutLast splits s around the last sep.
func cutLast(s string, sep byte) (before, after string, found bool) {
	if i := strings.LastIndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// matchProxy is the index of the first proxy entry that contains ip, or
// -1.
func matchProxy(proxies []confparse.RemoteIPProxy, ip netip.Addr) int {
	for i, p := range proxies {
		if p.Subnet.Subnet.Test(ip) {
			return i
		}
	}
	return -1
}

// privateAddr is what mod_remoteip refuses from an external proxy:
// RFC 3330's local and private IPv4 networks, and any IPv6 address
// outside global unicast (2000::/3).
func privateAddr(ip netip.Addr) bool {
	if ip.Is4() {
		b := ip.As4()
		return b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
			(b[0] == 172 && b[1]&0xf0 == 16) || (b[0] == 192 && b[1] == 168)
	}
	b := ip.As16()
	return b[0]&0xe0 != 0x20
}

// proxiedClientKey is the context key of a PROXY header connection's
// client.
type proxiedClientKey struct{}

// WithProxiedClient returns ctx for a connection that began with a
// PROXY header (mod_remoteip's RemoteIPProxyProtocol): client says
// whom the header named, once it has been read (false when it named
// none, for then the peer is the client).
func WithProxiedClient(ctx context.Context, client func() (netip.AddrPort, bool)) context.Context {
	return context.WithValue(ctx, proxiedClientKey{}, client)
}

func proxiedClient(ctx context.Context) func() (netip.AddrPort, bool) {
	f, _ := ctx.Value(proxiedClientKey{}).(func() (netip.AddrPort, bool))
	return f
}

// zoneAsGetaddrinfo takes an IPv6 zone as getaddrinfo does for
// mod_remoteip: a numeric one on an address that is not link-local is
// dropped, a link-local address keeps a zone that names an interface or
// a number, and any other zone makes the address unacceptable.
func zoneAsGetaddrinfo(ip netip.Addr) (netip.Addr, error) {
	zone := ip.Zone()
	if zone == "" {
		return ip, nil
	}
	numeric := strings.Trim(zone, "0123456789") == ""
	switch {
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		if numeric {
			return ip, nil
		}
		if interfaceExists(zone) {
			return ip, nil
		}
	case numeric:
		return ip.WithZone(""), nil
	}
	return netip.Addr{}, errBadZone
}

// errBadZone refuses an IPv6 zone getaddrinfo would not resolve.
var errBadZone = errors.New("remoteip: unresolvable IPv6 zone")

// interfaceExists reports whether a network interface has the name:
// one stat of its sysfs entry (net.InterfaceByName reads them all).
func interfaceExists(name string) bool {
	if name == "" || len(name) > 15 || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return false
	}
	_, err := os.Stat("/sys/class/net/" + name)
	return err == nil
}
