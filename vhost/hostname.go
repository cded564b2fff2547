package vhost

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// hostLookupTimeout bounds one HostnameLookups lookup (Apache waits for
// the resolver as long as it takes).
const hostLookupTimeout = 10 * time.Second

// hostCache is a connection's answer to HostnameLookups, as Apache keeps
// it in the conn_rec: once looked up, the client's name is the
// connection's, whatever HostnameLookups says where it is asked for
// later ("" when the address has no name, or Double found it does not
// resolve back).
type hostCache struct {
	mu     sync.Mutex
	ip     netip.Addr
	looked bool
	name   string
}

// RemoteHost is ap_get_useragent_host: the client's host name (lower
// case). The first request of a connection whose directory has
// HostnameLookups On or Double looks it up (with Double, a name that
// does not resolve back to the client's address is no name); from then
// on the connection has it. ok is false when there is no name to give:
// callers then use the address, or nothing.
func (r *Request) RemoteHost() (name string, ok bool) {
	if !r.Remote.IsValid() {
		return "", false
	}
	mode := "off"
	if r.Dir != nil && r.Dir.HostnameLookups != nil {
		mode = *r.Dir.HostnameLookups
	}
	var c *hostCache
	if cs := connOf(r); cs != nil {
		c = &cs.host
	} else {
		c = &hostCache{}
	}
	return c.lookup(r.HTTP.Context(), r.Remote.Addr().Unmap(), mode)
}

func (c *hostCache) lookup(ctx context.Context, ip netip.Addr, mode string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.looked || c.ip != ip {
		if mode == "off" {
			return "", false
		}
		c.ip, c.looked, c.name = ip, true, ""
		ctx, cancel := context.WithTimeout(ctx, hostLookupTimeout)
		defer cancel()
		if names, err := net.DefaultResolver.LookupAddr(ctx, ip.String()); err == nil && len(names) > 0 {
			c.name = strings.ToLower(strings.TrimSuffix(names[0], "."))
		}
		if c.name != "" && mode == "double" && !resolvesTo(ctx, c.name, ip) {
			c.name = ""
		}
	}
	return c.name, c.name != ""
}

// resolvesTo is the double-reverse check: whether name's addresses
// include ip.
func resolvesTo(ctx context.Context, name string, ip netip.Addr) bool {
	addrs, _ := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
	for _, a := range addrs {
		if a.Unmap() == ip {
			return true
		}
	}
	return false
}

// remoteName is the client as REMOTE_NAME asks for it: its host name
// when one is looked up, else its address.
func (r *Request) remoteName() string {
	if name, ok := r.RemoteHost(); ok {
		return name
	}
	return addrString(r.Remote.Addr())
}
