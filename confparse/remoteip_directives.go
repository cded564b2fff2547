package confparse

import (
	"fmt"
	"net"
	"os"
	"strings"
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
// RemoteIPInternalProxyList file: words, "#" to the end of a line.
func applyRemoteIPProxyList(internal bool) ApplyFunc {
	return func(c *Cmd) error {
		name := c.Config.RootRelative(c.Args[0])
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("%s: Could not open file %s: %s", c.Node.Name, name, errText(err))
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, w := range SplitWords(line) {
				if strings.HasPrefix(w, "#") {
					break
				}
				if err := addRemoteIPProxy(c, w, internal); err != nil {
					return fmt.Errorf("%v at line %d of %s", err, i+1, name)
				}
			}
		}
		return nil
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
		return fmt.Errorf("RemoteIP: Error parsing IP %s (%s error) for %s", arg, "Temporary failure in name resolution", c.Node.Name)
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
