package confparse

import (
	"net"
	"strings"
	"testing"
)

// RemoteIPProxyProtocol keeps two address lists as mod_remoteip does,
// in the order directives come: On for the main server is every
// address (0.0.0.0:0) unless an entry already covers it, Off for a
// virtual host removes its exact address from the other list, and the
// exceptions are peers. The lists are those Apache 2.4.71 logs at
// start-up (AH03492, AH03494) for the same configurations.
func TestProxyProtocolLists(t *testing.T) {
	const mod = "LoadModule remoteip_module m.so\n"
	for _, tc := range []struct {
		name, conf        string
		enabled, disabled string
	}{
		{"main on, vhost off", mod + "RemoteIPProxyProtocol On\n<VirtualHost 127.0.0.1:8082>\nRemoteIPProxyProtocol Off\n</VirtualHost>\n",
			"0.0.0.0:0", "127.0.0.1:8082"},
		{"vhost on, then main on is covered", mod + "<VirtualHost 127.0.0.1:8081>\nRemoteIPProxyProtocol On\n</VirtualHost>\nRemoteIPProxyProtocol On\n",
			"127.0.0.1:8081", ""},
		{"wildcard vhosts, newest first", mod + "<VirtualHost *:80>\nRemoteIPProxyProtocol On\n</VirtualHost>\n<VirtualHost 127.0.0.1:81>\nRemoteIPProxyProtocol On\n</VirtualHost>\n",
			"127.0.0.1:81 0.0.0.0:80", ""},
		{"off then on moves it", mod + "<VirtualHost 127.0.0.1:8081>\nRemoteIPProxyProtocol Off\nRemoteIPProxyProtocol On\n</VirtualHost>\n",
			"127.0.0.1:8081", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := loadServing(t, tc.conf)
			list := func(l []ProxyProtocolAddr) string {
				var s []string
				for _, a := range l {
					s = append(s, a.String())
				}
				return strings.Join(s, " ")
			}
			if got := list(cfg.ProxyProtocol.Enabled); got != tc.enabled {
				t.Errorf("enabled = %q, want %q", got, tc.enabled)
			}
			if got := list(cfg.ProxyProtocol.Disabled); got != tc.disabled {
				t.Errorf("disabled = %q, want %q", got, tc.disabled)
			}
		})
	}
}

func TestProxyProtocolExpects(t *testing.T) {
	cfg, _ := loadServing(t, "LoadModule remoteip_module m.so\nRemoteIPProxyProtocol On\nRemoteIPProxyProtocolExceptions 10.0.0.0/8 192.0.2.1\n"+
		"<VirtualHost 127.0.0.1:8082>\nRemoteIPProxyProtocol Off\n</VirtualHost>\n")
	pp := &cfg.ProxyProtocol
	for _, tc := range []struct {
		local string
		port  int
		peer  string
		want  bool
	}{
		{"127.0.0.1", 8081, "127.0.0.1", true},
		{"127.0.0.1", 8082, "127.0.0.1", false},
		{"127.0.0.2", 8082, "127.0.0.1", true},
		{"127.0.0.1", 8081, "10.1.2.3", false},
		{"127.0.0.1", 8081, "192.0.2.1", false},
		{"::1", 8081, "::1", true},
	} {
		if got := pp.Expects(net.ParseIP(tc.local), tc.port, net.ParseIP(tc.peer)); got != tc.want {
			t.Errorf("Expects(%s:%d from %s) = %v, want %v", tc.local, tc.port, tc.peer, got, tc.want)
		}
	}
	dir := t.TempDir()
	if _, err := load(t, dir, writeConf(t, dir, "x.conf", "LoadModule mpm_event_module m.so\nLoadModule remoteip_module m.so\nRemoteIPProxyProtocolExceptions 300.1.1.1\n")); err == nil ||
		!strings.Contains(err.Error(), "ip address '300.1.1.1' appears to be invalid: The specified IP address is invalid.") {
		t.Errorf("bad exception: err = %v", err)
	}
}
