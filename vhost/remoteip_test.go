package vhost

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

func TestRemoteIP(t *testing.T) {
	subnet := func(s string) confparse.IPSubnet {
		addr, mask, _ := strings.Cut(s, "/")
		sn, err := confparse.ParseIPSubnet(addr, mask)
		if err != nil {
			t.Fatal(err)
		}
		return sn
	}
	internal := []confparse.RemoteIPProxy{{Subnet: subnet("127.0.0.1"), Internal: true}}
	for _, c := range []struct {
		name     string
		proxies  []confparse.RemoteIPProxy
		xff      []string
		client   string // "" when unchanged
		leftover string // the header after, "" when removed
		proxyIPs string
	}{
		{"public address", nil, []string{"203.0.113.9"}, "203.0.113.9", "", "127.0.0.1"},
		{"private address from an external proxy", nil, []string{"10.1.2.3"}, "", "10.1.2.3", ""},
		{"private address from an internal proxy", internal, []string{"10.1.2.3"}, "10.1.2.3", "", ""},
		{"a chain, right to left", nil, []string{"203.0.113.9, 198.51.100.7"}, "203.0.113.9", "", "127.0.0.1, 198.51.100.7"},
		{"repeated headers join", nil, []string{"203.0.113.9", "198.51.100.7"}, "203.0.113.9", "", "127.0.0.1, 198.51.100.7"},
		{"garbage stops the walk", nil, []string{"garbage , 203.0.113.9"}, "203.0.113.9", "garbage", "127.0.0.1"},
		{"an empty item takes nothing", nil, []string{"203.0.113.9, "}, "", "203.0.113.9, ", ""},
		{"mapped IPv4", nil, []string{"::ffff:203.0.113.9"}, "203.0.113.9", "", "127.0.0.1"},
		{"link-local IPv6", nil, []string{"fe80::1"}, "", "fe80::1", ""},
		{"untrusted peer", []confparse.RemoteIPProxy{{Subnet: subnet("10.0.0.0/8")}}, []string{"203.0.113.9"}, "", "203.0.113.9", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			hr := &http.Request{Header: http.Header{"X-Forwarded-For": c.xff}}
			r := &Request{HTTP: hr, Remote: netip.MustParseAddrPort("127.0.0.1:5000"),
				Host: &Host{remoteIP: confparse.RemoteIPSettings{Header: "X-Forwarded-For", Proxies: c.proxies}}}
			r.remoteIP()
			want := netip.MustParseAddrPort("127.0.0.1:5000")
			if c.client != "" {
				// The client's port is unknown: 0, as in mod_remoteip.
				want = netip.AddrPortFrom(netip.MustParseAddr(c.client), 0)
			}
			if r.Remote != want {
				t.Errorf("client %s, want %s", r.Remote, want)
			}
			got := hr.Header.Get("X-Forwarded-For")
			if c.client == "" {
				// Nothing taken: the header is as it came.
				if got != c.xff[0] {
					t.Errorf("header %q changed, want it untouched", got)
				}
			} else if got != c.leftover {
				t.Errorf("header left %q, want %q", got, c.leftover)
			}
			if got, _ := r.Note("remoteip-proxy-ip-list"); got != c.proxyIPs {
				t.Errorf("proxy list %q, want %q", got, c.proxyIPs)
			}
		})
	}
}
