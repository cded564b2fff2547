package vhost

import (
	"slices"
	"testing"
)

// TestSelectALPN: the list a handshake offers a client's ALPN is the
// host's order, or the client's under ProtocolsHonorOrder Off, and empty
// (no ALPN, the handshake goes on) when they share nothing, where Go's
// server would refuse the handshake (no_application_protocol).
func TestSelectALPN(t *testing.T) {
	own := []string{"http/1.1", "h2"}
	for _, c := range []struct {
		client      []string
		clientOrder bool
		want        []string
	}{
		{nil, false, own},
		{[]string{"h2", "http/1.1"}, false, []string{"http/1.1", "h2"}},
		{[]string{"h2", "http/1.1"}, true, []string{"h2", "http/1.1"}},
		{[]string{"h2"}, false, []string{"h2"}},
		{[]string{"spdy/3"}, false, nil},
		{[]string{"spdy/3"}, true, nil},
	} {
		if got := selectALPN(own, c.client, c.clientOrder); !slices.Equal(got, c.want) {
			t.Errorf("client %v, client order %v: %v, want %v", c.client, c.clientOrder, got, c.want)
		}
	}
}
