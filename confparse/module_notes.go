package confparse

// proxyNote is why mod_proxy and its family stay unimplemented.
const proxyNote = "out of scope: gowsgid serves files and WSGI applications and is not a reverse proxy; keep a proxy (Apache, nginx, HAProxy) for these URLs in front of gowsgid"

// Why other modules of Debian's tree stay unimplemented.
const (
	tlsNote   = "not built: gowsgid serves TLS with certificates, SNI, protocol ranges and client certificates; OCSP, proxying and the other mod_ssl settings are not applied"
	http2Note = "not built yet (issue 7): gowsgid speaks HTTP/2 over TLS (Protocols h2), h2c with prior knowledge (H2Direct) and by Upgrade (H2Upgrade), with its own defaults; mod_http2's tuning and server push are not applied"
	cgiNote   = "out of scope: gowsgid runs WSGI applications, not CGI programs; serve CGI scripts from Apache, or port them to WSGI (WSGIScriptAlias)"
	cacheNote = "out of scope: gowsgid keeps no response cache; put a cache (Varnish, nginx, Apache's mod_cache) in front, or cache in the application"
	davNote   = "out of scope: gowsgid serves no WebDAV"
	magicNote = "types come from TypesConfig, AddType and ForceType, never from a file's first bytes"
	userNote  = "~user URLs are not mapped to home directories; use Alias for the directories to publish"
)

// moduleNotes explain, for whole modules, why their directives are not
// implemented; a directive's own note wins.
var moduleNotes = map[string]string{
	"mod_ssl.c":                 tlsNote,
	"mod_http2.c":               http2Note,
	"mod_cgi.c":                 cgiNote,
	"mod_cgid.c":                cgiNote,
	"mod_cache.c":               cacheNote,
	"mod_cache_disk.c":          cacheNote,
	"mod_cache_socache.c":       cacheNote,
	"mod_file_cache.c":          cacheNote,
	"mod_dav.c":                 davNote,
	"mod_dav_fs.c":              davNote,
	"mod_dav_lock.c":            davNote,
	"mod_mime_magic.c":          magicNote,
	"mod_userdir.c":             userNote,
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

// directiveNotes explain single directives of modules gowsgid otherwise
// implements; a behaviour's own note wins.
var directiveNotes = map[string]string{
	"scriptalias":      cgiNote,
	"scriptaliasmatch": cgiNote,
}
