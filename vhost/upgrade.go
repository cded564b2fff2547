package vhost

import (
	"net/http"
	"slices"
	"strings"
)

// Protocol upgrades as Apache's core_upgrade_handler makes them, with
// mod_http2 the one module that proposes a protocol to switch to: an
// HTTP/1.1 request that asks for h2c (Upgrade: h2c, with its
// HTTP2-Settings) is answered 101 and served again as HTTP/2 stream 1;
// the first response of a connection lists the protocols the host
// prefers to the one spoken.

// currentProtocol is what ap_get_protocol names an HTTP/1 connection.
const currentProtocol = "http/1.1"

// upgrade is core_upgrade_handler, the first handler to run: it reports
// true when it switched the connection (the request is answered).
func (h *Handler) upgrade(w http.ResponseWriter, r *Request) bool {
	hr := r.HTTP
	if r.depth > 0 || r.prev != nil || hr.ProtoMajor != 1 {
		return false // a subrequest, a redirect, or an HTTP/2 stream
	}
	protocols := h.Table.Config.ProtocolsOf(r.Host.Server)
	if up := firstValue(hr.Header, "Upgrade"); up != "" {
		if !connectionHas(hr.Header["Connection"], "upgrade") || h.Services.Upgrade == nil {
			return false
		}
		offers, ok := parseTokenList(up)
		if !ok || !h.proposesH2C(r, offers, protocols) {
			return false
		}
		if !h.Services.Upgrade(w, r.HTTP) {
			return false
		}
		r.resp.Status = http.StatusSwitchingProtocols
		return true
	}
	if r.ConnRequests > 0 {
		return false
	}
	// The connection's first request hears of the protocols listed
	// before the one it speaks.
	var upgrades []string
	if len(protocols) > 1 || !slices.Contains(protocols, currentProtocol) {
		for _, p := range protocols {
			if p == currentProtocol {
				break
			}
			upgrades = append(upgrades, p)
		}
	}
	if len(upgrades) > 0 {
		hdr := w.Header()
		hdr["Upgrade"] = []string{strings.Join(upgrades, ",")}
		if c := hdr.Get("Connection"); c != "" {
			hdr["Connection"] = []string{"Upgrade, " + c}
		} else {
			hdr["Connection"] = []string{"Upgrade"}
		}
	}
	return false
}

// proposesH2C is mod_http2's h2_protocol_propose for an Upgrade
// request: h2c on a cleartext connection of a host whose Protocols name
// it, where H2Upgrade is on, with HTTP2-Settings (named in Connection
// too) and no body.
func (h *Handler) proposesH2C(r *Request, offers, protocols []string) bool {
	hr := r.HTTP
	if hr.TLS != nil || !slices.Contains(protocols, "h2c") || !h.Table.Config.Tree.IsLoaded("mod_http2.c") {
		return false
	}
	if !slices.ContainsFunc(offers, func(o string) bool { return strings.EqualFold(o, "h2c") }) {
		return false
	}
	allowed := h.Table.Config.H2UpgradeOf(r.Host.Server)
	if r.Dir.H2Upgrade != nil {
		allowed = *r.Dir.H2Upgrade
	}
	if !allowed {
		return false // H2Upgrade off
	}
	if firstValue(hr.Header, "HTTP2-Settings") == "" {
		h.logf("debug", "http2", r, "AH03085: upgrade without HTTP2-Settings declined")
		return false
	}
	if !connectionHas(hr.Header["Connection"], "http2-settings") {
		h.logf("debug", "http2", r, "AH03086: upgrade without HTTP2-Settings declined")
		return false
	}
	if cl := firstValue(hr.Header, "Content-Length"); cl != "" && cl != "0" || cl == "" && len(hr.TransferEncoding) > 0 {
		h.logf("debug", "http2", r, "AH03087: upgrade with body declined")
		return false
	}
	return true
}

// firstValue is apr_table_get: a header's first value.
func firstValue(h http.Header, name string) string {
	if vs := h[http.CanonicalHeaderKey(name)]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// parseTokenList is ap_parse_token_list_strict: comma-separated tokens,
// white space around them; false when one holds another character.
func parseTokenList(s string) ([]string, bool) {
	var out []string
	for _, t := range strings.Split(s, ",") {
		t = strings.Trim(t, " \t")
		if t == "" {
			continue
		}
		for i := 0; i < len(t); i++ {
			if !isTokenChar(t[i]) {
				return nil, false
			}
		}
		out = append(out, t)
	}
	return out, true
}
