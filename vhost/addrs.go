// Package vhost turns a processed configuration into what serving needs:
// the address table that picks a virtual host for a connection and a Host
// header, as Apache's server/vhost.c does, and its apache2 -S listing.
package vhost

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"

	"github.com/gowsgid/gowsgid/confparse"
)

// AddrChain is the set of virtual hosts that share one <VirtualHost>
// address: Apache's ipaddr_chain. With one member it is an IP-based virtual
// host; with several, name-based among them.
type AddrChain struct {
	// Addr is the address that opened the chain.
	Addr confparse.VHostAddr
	// Default is the virtual host that serves when no name matches: the
	// first in config order.
	Default *confparse.Server
	// Names lists the name-based members in config order, each with the
	// address it was listed under; nil when the chain has one member.
	Names []NameEntry

	initial []NameEntry // a lone member, set aside until a second arrives
	// ip is Addr.IP parsed as net.ParseIP does (invalid when it does
	// not parse), an IPv4 address unmapped, for ForConnection.
	ip netip.Addr
}

// chainIP is an address of a chain as ForConnection compares it.
func chainIP(s string) netip.Addr {
	ip := net.ParseIP(s)
	if ip == nil {
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// NameEntry is one member of a name-based chain.
type NameEntry struct {
	Server *confparse.Server
	Addr   confparse.VHostAddr
}

// AddrTable is the address part of Apache's virtual host lookup.
type AddrTable struct {
	// IP lists the chains of specific addresses, in Apache's hash order.
	IP []*AddrChain
	// Wildcard lists the chains of "*" and "_default_", in config order.
	Wildcard []*AddrChain
}

const ipHashSize = 256 // IPHASH_TABLE_SIZE

// hashAddr is vhost.c's hash_addr: the last four bytes of the address, read
// as a little-endian word (Apache reads them in host order).
func hashAddr(ip net.IP) int {
	b := ip.To16()
	if v4 := ip.To4(); v4 != nil {
		b = v4
	}
	key := binary.LittleEndian.Uint32(b[len(b)-4:])
	key ^= key >> 16
	return int(((key >> 8) ^ key) % ipHashSize)
}

// BuildAddrTable builds the chains as ap_fini_vhost_config does: virtual
// hosts are visited in reverse config order and each new chain or name is
// put in front, which leaves everything in config order.
func BuildAddrTable(cfg *confparse.Config) *AddrTable {
	var buckets [ipHashSize][]*AddrChain
	var wild []*AddrChain // built by prepending, as Apache's default_list
	findWild := func(port int) *AddrChain {
		var wildPort *AddrChain
		for _, c := range wild {
			if c.Addr.Port == port {
				return c
			}
			if wildPort == nil && c.Addr.Port == 0 {
				wildPort = c
			}
		}
		return wildPort
	}
	findIP := func(ip net.IP, port int) *AddrChain {
		var wildPort *AddrChain
		for _, c := range buckets[hashAddr(ip)] {
			cip := net.ParseIP(c.Addr.IP)
			if !cip.Equal(ip) {
				continue
			}
			if c.Addr.Port == port {
				return c
			}
			if wildPort == nil && (c.Addr.Port == 0 || port == 0) {
				wildPort = c
			}
		}
		return wildPort
	}
	vhosts := cfg.VirtualHosts
	for i := len(vhosts) - 1; i >= 0; i-- {
		s := vhosts[i]
		var prev *confparse.VHostAddr
		for j := range s.Addrs {
			a := s.Addrs[j]
			if a.Wildcard {
				c := findWild(a.Port)
				if c != nil && a.Port == c.Addr.Port {
					if prev == nil || !prev.Wildcard || prev.Port != a.Port {
						c.addName(s, a)
					}
				} else {
					c = &AddrChain{Addr: a, Default: s}
					wild = append([]*AddrChain{c}, wild...)
					c.addName(s, a)
				}
			} else {
				ip := net.ParseIP(a.IP)
				c := findIP(ip, a.Port)
				if c == nil || a.Port != c.Addr.Port {
					c = &AddrChain{Addr: a, Default: s, ip: chainIP(a.IP)}
					h := hashAddr(ip)
					buckets[h] = append(buckets[h], nil)
					copy(buckets[h][1:], buckets[h])
					buckets[h][0] = c
				}
				c.addName(s, a)
			}
			prev = &s.Addrs[j]
		}
	}
	t := &AddrTable{Wildcard: wild}
	for _, b := range buckets {
		t.IP = append(t.IP, b...)
	}
	return t
}

// addName is add_name_vhost_config.
func (c *AddrChain) addName(s *confparse.Server, a confparse.VHostAddr) {
	e := NameEntry{Server: s, Addr: a}
	c.Default = s
	switch {
	case c.Names == nil && c.initial == nil:
		c.initial = []NameEntry{e}
	case c.Names == nil:
		c.Names = append([]NameEntry{e}, c.initial...)
		c.initial = nil
	default:
		c.Names = append([]NameEntry{e}, c.Names...)
	}
}

// DumpVHosts writes the "VirtualHost configuration:" listing of apache2 -S.
func DumpVHosts(w io.Writer, t *AddrTable) {
	fmt.Fprintln(w, "VirtualHost configuration:")
	for _, c := range t.IP {
		dumpChain(w, c)
	}
	for _, c := range t.Wildcard {
		dumpChain(w, c)
	}
}

func dumpChain(w io.Writer, c *AddrChain) {
	var addr string
	if c.Addr.Wildcard {
		addr = fmt.Sprintf("*:%d", c.Addr.Port)
	} else if ip := net.ParseIP(c.Addr.IP); ip != nil && ip.To4() == nil {
		addr = fmt.Sprintf("[%s]:%d", c.Addr.IP, c.Addr.Port)
	} else {
		addr = fmt.Sprintf("%s:%d", c.Addr.IP, c.Addr.Port)
	}
	if c.Addr.Port == 0 {
		addr = addr[:len(addr)-1] + "*"
	}
	def := c.Default
	if c.Names == nil {
		fmt.Fprintf(w, "%-22s %s (%s:%d)\n", addr, def.Hostname, def.Node.File, def.Node.Line)
		return
	}
	fmt.Fprintf(w, "%-22s is a NameVirtualHost\n%8s default server %s (%s:%d)\n",
		addr, "", def.Hostname, def.Node.File, def.Node.Line)
	for _, n := range c.Names {
		if n.Addr.Port != 0 {
			fmt.Fprintf(w, "%8s port %d ", "", n.Addr.Port)
		} else {
			fmt.Fprintf(w, "%8s port * ", "")
		}
		fmt.Fprintf(w, "namevhost %s (%s:%d)\n", n.Server.Hostname, n.Server.Node.File, n.Server.Node.Line)
		for _, a := range n.Server.Names {
			fmt.Fprintf(w, "%16s alias %s\n", "", a)
		}
		for _, a := range n.Server.WildNames {
			fmt.Fprintf(w, "%16s wild alias %s\n", "", a)
		}
	}
}
