package confparse

// proxyNote is why mod_proxy and its family stay unimplemented.
const proxyNote = "out of scope: gowsgid serves files and WSGI applications and is not a reverse proxy; keep a proxy (Apache, nginx, HAProxy) for these URLs in front of gowsgid"

// moduleNotes explain, for whole modules, why their directives are not
// implemented; a directive's own note wins.
var moduleNotes = map[string]string{
	"mod_proxy.c":               proxyNote,
	"mod_proxy_ajp.c":           proxyNote,
	"mod_proxy_balancer.c":      proxyNote,
	"mod_proxy_connect.c":       proxyNote,
	"mod_proxy_express.c":       proxyNote,
	"mod_proxy_fcgi.c":          proxyNote,
	"mod_proxy_ftp.c":           proxyNote,
	"mod_proxy_hcheck.c":        proxyNote,
	"mod_proxy_html.c":          proxyNote,
	"mod_proxy_http.c":          proxyNote,
	"mod_proxy_http2.c":         proxyNote,
	"mod_proxy_scgi.c":          proxyNote,
	"mod_proxy_uwsgi.c":         proxyNote,
	"mod_proxy_wstunnel.c":      proxyNote,
	"mod_lbmethod_byrequests.c": proxyNote,
	"mod_lbmethod_bytraffic.c":  proxyNote,
	"mod_lbmethod_bybusyness.c": proxyNote,
	"mod_lbmethod_heartbeat.c":  proxyNote,
}
