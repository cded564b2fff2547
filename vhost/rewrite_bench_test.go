package vhost_test

import (
	"os"
	"path/filepath"
	"testing"
)

// rewriteBenchConf is benchConf with mod_rewrite and the rules a typical
// site carries: a canonical host, HTTPS for a path, a front controller
// in the server's rules and one in an .htaccess file.
const rewriteBenchConf = benchConf + `LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
<Directory $R/htdocs/app>
    AllowOverride FileInfo
</Directory>
RewriteEngine On
RewriteCond %{HTTP_HOST} ^www\.(.+)$ [NC]
RewriteRule ^ http://%1%{REQUEST_URI} [R=301,L]
RewriteCond %{HTTPS} off
RewriteRule ^/secure/ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} !-f
RewriteRule ^/page/(.*)$ /4k.bin?p=$1 [L,QSA]
`

// BenchmarkRewrite is BenchmarkStatic's request through mod_rewrite:
// the rules evaluated without a rewrite (the file exists), a server rule
// that maps to the file, and an .htaccess front controller whose
// internal redirect serves it.
func BenchmarkRewrite(b *testing.B) {
	h, root := newBenchHandlerConf(b, rewriteBenchConf)
	os.MkdirAll(filepath.Join(root, "htdocs", "app"), 0o755)
	os.WriteFile(filepath.Join(root, "htdocs", "app", ".htaccess"),
		[]byte("RewriteEngine On\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule ^(.*)$ /4k.bin [L]\n"), 0o644)
	for _, c := range []struct{ name, target string }{
		{"passthrough", "/4k.bin"},
		{"server-rule", "/page/x"},
		{"htaccess", "/app/some/page"},
	} {
		b.Run(c.name, func(b *testing.B) {
			w := &discardWriter{}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, benchRequest(c.target))
				if w.status != 200 {
					b.Fatalf("%s: %d", c.target, w.status)
				}
			}
		})
	}
}
