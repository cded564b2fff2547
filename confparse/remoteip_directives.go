package confparse

import (
	"errors"
	"fmt"
	"github.com/gowsgid/gowsgid/internal/aprerr"
	"net"
	"os"
	"strings"

	"github.com/gowsgid/gowsgid/internal/apr"
)

// RemoteIPSettings are a server's mod_remoteip directives, as written in
// that server (a virtual host takes each unset one from the main server).
type RemoteIPSettings struct {
	// Header is RemoteIPHeader: the request header that names the
	// client ("" when unset); ProxiesHeader is RemoteIPProxiesHeader.
	Header, ProxiesHeader string
	// Proxies are the RemoteIPTrustedProxy and RemoteIPInternalProxy
	// entries (and their List files'), in order; nil when none is set,
	// which trusts every proxy.
	Proxies []RemoteIPProxy
}

// RemoteIPProxy is a proxy allowed to present the header: Internal ones
// (RemoteIPInternalProxy) may present private addresses.
type RemoteIPProxy struct {
	Subnet   IPSubnet
	Internal bool
}

func applyRemoteIPHeader(c *Cmd) error {
	c.Server.RemoteIP.Header = c.Args[0]
	return nil
}

func applyRemoteIPProxiesHeader(c *Cmd) error {
	c.Server.RemoteIP.ProxiesHeader = c.Args[0]
	return nil
}

// applyRemoteIPProxy is RemoteIPTrustedProxy (internal false) and
// RemoteIPInternalProxy: mod_remoteip's proxies_set for each word.
func applyRemoteIPProxy(internal bool) ApplyFunc {
	return func(c *Cmd) error {
		for _, arg := range c.Args {
			if err := addRemoteIPProxy(c, arg, internal); err != nil {
				return err
			}
		}
		return nil
	}
}

// applyRemoteIPProxyList reads a RemoteIPTrustedProxyList or
// RemoteIPInternalProxyList file: words, "#" to the end of a line,
// lines continued by a backslash.
func applyRemoteIPProxyList(internal bool) ApplyFunc {
	return func(c *Cmd) error {
		name := c.Config.RootRelative(c.Args[0])
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("%s: Could not open file %s: %s", c.Node.Name, name, errText(err))
		}
		// ap_cfg_getline's lines: a backslash at the end continues one,
		// and an error names the last physical line of it.
		lr := newLineReader(name, b, maxHtaccessLine)
		for {
			line, n, ok, err := lr.next()
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			for _, w := range SplitWords(line) {
				if strings.HasPrefix(w, "#") {
					break
				}
				if err := addRemoteIPProxy(c, w, internal); err != nil {
					return fmt.Errorf("%v at line %d of %s", err, n, name)
				}
			}
		}
	}
}

// addRemoteIPProxy adds an address, a subnet, or a host name's
// addresses.
func addRemoteIPProxy(c *Cmd, arg string, internal bool) error {
	ip, mask, hasMask := strings.Cut(arg, "/")
	add := func(sn IPSubnet) {
		c.Server.RemoteIP.Proxies = append(c.Server.RemoteIP.Proxies, RemoteIPProxy{Subnet: sn, Internal: internal})
	}
	if looksLikeIPOrSubnet(ip) {
		sn, err := parseIPSubnet(ip, mask, hasMask)
		if err != nil {
			return fmt.Errorf("RemoteIP: Error parsing IP %s (%s error) for %s", arg, errText(err), c.Node.Name)
		}
		add(sn)
		return nil
	}
	if hasMask {
		return fmt.Errorf("RemoteIP: Error parsing IP %s the subnet /%s is invalid for %s", arg, mask, c.Node.Name)
	}
	addrs, err := net.LookupHost(ip)
	if err != nil || len(addrs) == 0 {
		_, text := aprerr.Resolver(err)
		return fmt.Errorf("RemoteIP: Error parsing IP %s (%s error) for %s", arg, text, c.Node.Name)
	}
	for _, a := range addrs {
		sn, err := parseIPSubnet(a, "", false)
		if err == nil {
			add(sn)
		}
	}
	return nil
}

// looksLikeIPOrSubnet is mod_remoteip's looks_like_ip: a ':' (IPv6), or
// digits and dots only.
func looksLikeIPOrSubnet(s string) bool {
	if strings.Contains(s, ":") {
		return true
	}
	return strings.Trim(s, "0123456789.") == ""
}

// errText is an error's text without Go's "op path:" prefix.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// ProxyProtocolSettings are mod_remoteip's PROXY protocol directives.
// They are one setting for the whole server, as in mod_remoteip (which
// keeps them in the main server's configuration): the server addresses
// whose connections start with a PROXY header, and the clients exempt.
type ProxyProtocolSettings struct {
	// Enabled and Disabled are the addresses RemoteIPProxyProtocol On
	// and Off named, the most recent first as mod_remoteip lists them.
	// The main server's address is 0.0.0.0 port 0: every address.
	Enabled, Disabled []ProxyProtocolAddr
	// Exceptions are RemoteIPProxyProtocolExceptions: peers that never
	// send a header.
	Exceptions []IPSubnet
}

// ProxyProtocolAddr is a server address of RemoteIPProxyProtocol: an
// unspecified IP (0.0.0.0 or ::) matches every address, port 0 every
// port.
type ProxyProtocolAddr struct {
	IP   net.IP
	Port int
}

// String is the address as mod_remoteip's start-up notices print it.
func (a ProxyProtocolAddr) String() string {
	return fmt.Sprintf("%s:%d", a.IP, a.Port)
}

// Matches is mod_remoteip's remoteip_sockaddr_compat: the same address
// with the same port (or port 0 on either side), or a wildcard address
// (on either side) with port 0 or the other's port.
func (a ProxyProtocolAddr) Matches(b ProxyProtocolAddr) bool {
	switch {
	case a.IP.Equal(b.IP) && (a.Port == b.Port || a.Port == 0 || b.Port == 0):
		return true
	case a.IP.IsUnspecified() && (a.Port == 0 || a.Port == b.Port):
		return true
	case b.IP.IsUnspecified() && (b.Port == 0 || b.Port == a.Port):
		return true
	}
	return false
}

// Expects reports whether a connection accepted on localIP:localPort
// from peer starts with a PROXY header.
func (p *ProxyProtocolSettings) Expects(localIP net.IP, localPort int, peer net.IP) bool {
	local := ProxyProtocolAddr{IP: localIP, Port: localPort}
	if !matchesAny(p.Enabled, local) || matchesAny(p.Disabled, local) {
		return false
	}
	for _, sn := range p.Exceptions {
		if sn.Contains(peer) {
			return false
		}
	}
	return true
}

func matchesAny(list []ProxyProtocolAddr, b ProxyProtocolAddr) bool {
	for _, a := range list {
		if a.Matches(b) {
			return true
		}
	}
	return false
}

// applyRemoteIPProxyProtocol is RemoteIPProxyProtocol On|Off: each
// address of the server moves from the other list (when there exactly)
// to this one (unless an entry of it already covers the address).
func applyRemoteIPProxyProtocol(c *Cmd) error {
	pp := &c.Config.ProxyProtocol
	add, rem := &pp.Enabled, &pp.Disabled
	if !strings.EqualFold(c.Args[0], "on") {
		add, rem = rem, add
	}
	for _, a := range serverAddrs(c.Server) {
		for i, r := range *rem {
			if r.Port == a.Port && r.IP.Equal(a.IP) {
				*rem = append((*rem)[:i:i], (*rem)[i+1:]...)
				break
			}
		}
		if !matchesAny(*add, a) {
			*add = append([]ProxyProtocolAddr{a}, *add...)
		}
	}
	return nil
}

// serverAddrs are a server's addresses as mod_remoteip sees them: a
// virtual host's, or for the main server 0.0.0.0 port 0.
func serverAddrs(s *Server) []ProxyProtocolAddr {
	if s == nil || s.Node == nil {
		return []ProxyProtocolAddr{{IP: net.IPv4zero}}
	}
	var out []ProxyProtocolAddr
	for _, va := range s.Addrs {
		ip := net.ParseIP(va.IP)
		if va.Wildcard || ip == nil {
			ip = net.IPv4zero
			if strings.Contains(va.Host, ":") {
				ip = net.IPv6unspecified
			}
		}
		out = append(out, ProxyProtocolAddr{IP: ip, Port: va.Port})
	}
	return out
}

// applyRemoteIPProxyProtocolExceptions adds networks whose connections
// never start with a PROXY header.
func applyRemoteIPProxyProtocolExceptions(c *Cmd) error {
	if len(c.Args) == 0 {
		return fmt.Errorf("%s requires an argument", c.Directive.Name)
	}
	for _, w := range c.Args {
		addr, mask, hasMask := strings.Cut(w, "/")
		sn, err := parseIPSubnet(addr, mask, hasMask)
		if errors.Is(err, apr.ErrNotIP) {
			return fmt.Errorf("ip address '%s' appears to be invalid", addr)
		}
		if err != nil {
			return fmt.Errorf("ip address '%s' appears to be invalid: %s", addr, errText(err))
		}
		c.Config.ProxyProtocol.Exceptions = append(c.Config.ProxyProtocol.Exceptions, sn)
	}
	return nil
}
