package wsgi

import (
	"sort"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

func subnets(t *testing.T, specs ...string) []confparse.IPSubnet {
	t.Helper()
	var out []confparse.IPSubnet
	for _, s := range specs {
		addr, mask, _ := strings.Cut(s, "/")
		n, err := confparse.ParseIPSubnet(addr, mask)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func envString(env []EnvVar) string {
	var parts []string
	for _, kv := range env {
		parts = append(parts, kv.Key+"="+kv.Value)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestProxyEnv(t *testing.T) {
	base := func() []EnvVar {
		return []EnvVar{
			{Key: "REMOTE_ADDR", Value: "127.0.0.1"},
			{Key: "HTTP_HOST", Value: "internal:8080"},
			{Key: "SCRIPT_NAME", Value: "/app"},
			{Key: "HTTP_X_FORWARDED_FOR", Value: "10.1.1.1, 192.168.0.9"},
			{Key: "HTTP_X_REAL_IP", Value: "6.6.6.6"},
			{Key: "HTTP_X_FORWARDED_PROTO", Value: "https"},
			{Key: "HTTP_X_FORWARDED_SSL", Value: "off"},
			{Key: "HTTP_X_FORWARDED_HOST", Value: "public.example.org"},
			{Key: "HTTP_X_SCRIPT_NAME", Value: "/mounted"},
		}
	}
	headers := []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Script-Name"}
	for _, tc := range []struct {
		name    string
		proxies []string
		want    string
		https   bool
	}{{
		// mod_wsgi's observed run: the trusted headers apply, the other
		// members of their families go.
		name: "no proxy list",
		want: "HTTP_HOST=public.example.org HTTP_X_FORWARDED_FOR=10.1.1.1, 192.168.0.9 " +
			"HTTP_X_FORWARDED_HOST=public.example.org HTTP_X_FORWARDED_PROTO=https " +
			"HTTP_X_SCRIPT_NAME=/mounted REMOTE_ADDR=10.1.1.1 SCRIPT_NAME=/mounted mod_wsgi.mount_point=/mounted",
		https: true,
	}, {
		name:    "trusted chain",
		proxies: []string{"127.0.0.1", "192.168.0.0/16"},
		want: "HTTP_HOST=public.example.org HTTP_X_FORWARDED_FOR=10.1.1.1, 192.168.0.9 " +
			"HTTP_X_FORWARDED_HOST=public.example.org HTTP_X_FORWARDED_PROTO=https " +
			"HTTP_X_SCRIPT_NAME=/mounted REMOTE_ADDR=10.1.1.1 SCRIPT_NAME=/mounted mod_wsgi.mount_point=/mounted",
		https: true,
	}, {
		name:    "only the peer is trusted",
		proxies: []string{"127.0.0.1"},
		want: "HTTP_HOST=public.example.org HTTP_X_FORWARDED_FOR=192.168.0.9 " +
			"HTTP_X_FORWARDED_HOST=public.example.org HTTP_X_FORWARDED_PROTO=https " +
			"HTTP_X_SCRIPT_NAME=/mounted REMOTE_ADDR=192.168.0.9 SCRIPT_NAME=/mounted mod_wsgi.mount_point=/mounted",
		https: true,
	}, {
		name:    "untrusted peer",
		proxies: []string{"10.9.9.9"},
		want:    "HTTP_HOST=internal:8080 REMOTE_ADDR=127.0.0.1 SCRIPT_NAME=/app",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			env, https := proxyEnv(base(), headers, subnets(t, tc.proxies...), false)
			if got := envString(env); got != tc.want || https != tc.https {
				t.Errorf("got  %s https=%v\nwant %s https=%v", got, https, tc.want, tc.https)
			}
		})
	}
}
