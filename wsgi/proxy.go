package wsgi

import (
	"net"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/apr"
)

// The header families of WSGITrustedProxyHeaders: when one member is
// trusted, the others of its family are removed from the environ.
var (
	proxyClientHeaders = []string{"HTTP_X_FORWARDED_FOR", "HTTP_X_CLIENT_IP", "HTTP_X_REAL_IP"}
	proxySchemeHeaders = []string{"HTTP_X_FORWARDED_HTTPS", "HTTP_X_FORWARDED_PROTO",
		"HTTP_X_FORWARDED_SCHEME", "HTTP_X_FORWARDED_SSL", "HTTP_X_HTTPS", "HTTP_X_SCHEME"}
	proxyHostHeaders       = []string{"HTTP_X_FORWARDED_HOST", "HTTP_X_HOST"}
	proxyScriptNameHeaders = []string{"HTTP_X_SCRIPT_NAME", "HTTP_X_FORWARDED_SCRIPT_NAME"}
)

// envName is mod_wsgi's wsgi_http2env for a configured header name.
func envName(header string) string {
	b := []byte("HTTP_")
	for i := 0; i < len(header); i++ {
		c := header[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		default:
			b = append(b, '_')
		}
	}
	return string(b)
}

// proxyEnv applies WSGITrustedProxyHeaders and WSGITrustedProxies as
// wsgi_process_proxy_headers does. https is the HTTPS variable before
// (set) and after; the environ's REMOTE_ADDR, HTTP_HOST, SERVER_NAME,
// SERVER_PORT and SCRIPT_NAME may be replaced, and the proxy headers
// that are not trusted are removed.
func proxyEnv(env []EnvVar, headers []string, proxies []confparse.IPSubnet, https bool) ([]EnvVar, bool) {
	if len(headers) == 0 {
		return env, https
	}
	// A WSGITrustedProxies list, even an empty one, trusts only its
	// addresses; without one every peer is trusted.
	trusted := true
	if proxies != nil {
		ip := net.ParseIP(getEnv(env, "REMOTE_ADDR"))
		trusted = ip != nil && inSubnets(ip, proxies)
	}
	var client, scheme, host, script string
	var matchClient, matchScheme, matchHost, matchScript bool
	for _, h := range headers {
		name := envName(h)
		value, ok := lookup(env, name)
		switch name {
		case "HTTP_X_FORWARDED_FOR", "HTTP_X_CLIENT_IP", "HTTP_X_REAL_IP":
			matchClient = true
			if trusted && ok {
				if name == "HTTP_X_FORWARDED_FOR" {
					env = forwardedFor(env, value, proxies)
				} else {
					env = setEnv(env, "REMOTE_ADDR", value)
				}
				client = name
			}
		case "HTTP_X_FORWARDED_HOST", "HTTP_X_HOST":
			matchHost = true
			if trusted && ok {
				host = name
				env = setEnv(env, "HTTP_HOST", value)
			}
		case "HTTP_X_FORWARDED_SERVER":
			if trusted && ok {
				env = setEnv(env, "SERVER_NAME", value)
			}
		case "HTTP_X_FORWARDED_PORT":
			if trusted && ok {
				env = setEnv(env, "SERVER_PORT", value)
			}
		case "HTTP_X_SCRIPT_NAME", "HTTP_X_FORWARDED_SCRIPT_NAME":
			matchScript = true
			if trusted && ok {
				script = name
				env = setEnv(env, "mod_wsgi.mount_point", value)
				env = setEnv(env, "SCRIPT_NAME", value)
			}
		case "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_SCHEME", "HTTP_X_SCHEME":
			matchScheme = true
			if trusted && ok {
				scheme = name
				switch {
				case strings.EqualFold(value, "https"):
					https = true
				case strings.EqualFold(value, "http"):
					https = false
				}
			}
		case "HTTP_X_FORWARDED_HTTPS", "HTTP_X_FORWARDED_SSL", "HTTP_X_HTTPS":
			matchScheme = true
			if trusted && ok {
				scheme = name
				switch strings.ToLower(value) {
				case "on", "true", "1":
					https = true
				case "off", "false", "0":
					https = false
				}
			}
		}
	}
	drop := func(family []string, keep string) {
		for _, name := range family {
			if name != keep {
				env = unsetEnv(env, name)
			}
		}
	}
	if matchClient {
		drop(proxyClientHeaders, client)
	}
	if matchScheme {
		drop(proxySchemeHeaders, scheme)
	}
	if matchHost {
		drop(proxyHostHeaders, host)
	}
	if matchScript {
		drop(proxyScriptNameHeaders, script)
	}
	return env, https
}

// forwardedFor is wsgi_process_forwarded_for: without trusted proxies the
// client is the first address of the list; with them, the address just
// before the trusted proxies at the end of the list, and the list is cut
// to start there.
func forwardedFor(env []EnvVar, value string, proxies []confparse.IPSubnet) []EnvVar {
	if len(proxies) == 0 {
		// The first entry, up to the first comma; the list stays.
		if v := strings.TrimLeft(value, " \t"); v != "" {
			first, _, _ := strings.Cut(v, ",")
			env = setEnv(env, "REMOTE_ADDR", strings.TrimRight(first, " \t"))
		}
		return env
	}
	items := forwardedItems(value)
	if len(items) == 0 {
		return env
	}
	first := -1
	for i := len(items) - 1; i >= 0; i-- {
		// apr_sockaddr_info_get: numeric forms as getaddrinfo takes
		// them ("127.1" too); host names are not looked up.
		ip := apr.ParseSockaddr(items[i])
		if !ip.IsValid() || !inSubnets(net.IP(ip.Unmap().AsSlice()), proxies) {
			break
		}
		first = i
	}
	if first < 0 {
		last := items[len(items)-1]
		env = setEnv(env, "REMOTE_ADDR", last)
		return setEnv(env, "HTTP_X_FORWARDED_FOR", last)
	}
	i := max(first-1, 0)
	env = setEnv(env, "REMOTE_ADDR", items[i])
	return setEnv(env, "HTTP_X_FORWARDED_FOR", strings.Join(items[i:], ", "))
}

// forwardedItems splits an X-Forwarded-For value as mod_wsgi's
// wsgi_process_forwarded_for does: white space before an item is
// skipped, an item runs to the next comma and loses its trailing white
// space, so an empty one between two commas stays (",, a" is "", "", a)
// and a comma at the end adds none.
func forwardedItems(value string) []string {
	var items []string
	for {
		value = strings.TrimLeft(value, " \t\n\v\f\r")
		if value == "" {
			return items
		}
		item, rest, _ := strings.Cut(value, ",")
		items = append(items, strings.TrimRight(item, " \t\n\v\f\r"))
		value = rest
	}
}

func inSubnets(ip net.IP, nets []confparse.IPSubnet) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func lookup(env []EnvVar, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if env[i].Key == key {
			return env[i].Value, true
		}
	}
	return "", false
}

func unsetEnv(env []EnvVar, key string) []EnvVar {
	kept := env[:0]
	for _, kv := range env {
		if kv.Key != key {
			kept = append(kept, kv)
		}
	}
	return kept
}
