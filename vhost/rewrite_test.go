package vhost

import (
	"strings"
	"testing"
)

// rewriteModule loads mod_rewrite for the tests of its hooks.
const rewriteModule = "LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n"

// A virtual host takes the main server's RewriteEngine On through its
// per-directory defaults; one without mod_rewrite directives shares the
// main server's configuration (its maps, not its translate hook); one
// directive in a nested <Directory> gives a virtual host its own, and an
// .htaccess file does not.
func TestRewriteVirtualHostInheritance(t *testing.T) {
	conf := rewriteModule + grantedDocroot + `<Directory $R/htdocs>
  AllowOverride All
</Directory>
RewriteEngine On
RewriteMap m txt:$R/map.txt
<Directory $R/htdocs/p>
  RewriteRule ^x$ /a.txt?v=${m:k|DEF}&u=%{ENV:SCRIPT_URI} [R]
</Directory>
<VirtualHost *:80>
  ServerName shared.test
</VirtualHost>
<VirtualHost *:80>
  ServerName nested.test
  <Directory $R/htdocs/n>
    RewriteOptions AllowNoSlash
  </Directory>
</VirtualHost>
<VirtualHost *:80>
  ServerName off.test
  RewriteEngine Off
</VirtualHost>
`
	h, _ := newTestHandler(t, conf, map[string]string{
		"map.txt": "k v\n", "htdocs/a.txt": "a", "htdocs/p/keep": "", "htdocs/n/keep": "",
		"htdocs/f/.htaccess": "RewriteRule ^secret$ - [F]\n", "htdocs/f/secret": "s",
	})
	cases := []struct {
		host, target string
		status       int
		location     string
	}{
		{"shared.test", "/f/secret", 403, ""},
		{"shared.test", "/p/x", 302, "http://shared.test/a.txt?v=v&u="},
		{"nested.test", "/f/secret", 403, ""},
		{"nested.test", "/p/x", 302, "http://nested.test/a.txt?v=DEF&u=http://nested.test/p/x"},
		{"off.test", "/f/secret", 200, ""},
		{"off.test", "/p/x", 404, ""},
	}
	for _, c := range cases {
		w := serve(h, "GET "+c.target+"\nHost: "+c.host, "")
		if w.Code != c.status || w.Header().Get("Location") != c.location {
			t.Errorf("%s%s: %d %q, want %d %q", c.host, c.target, w.Code, w.Header().Get("Location"), c.status, c.location)
		}
	}
	for _, s := range h.Table.Config.VirtualHosts {
		shared := s.ServerName == "shared.test"
		if got := h.Table.Host(s).rewriteShared; got != shared {
			t.Errorf("%s: rewriteShared %v, want %v", s.ServerName, got, shared)
		}
	}
}

// An .htaccess file read at request time leaves the server's
// configuration alone: it is shared by every request.
func TestRewriteHtaccessKeepsServerConfig(t *testing.T) {
	conf := rewriteModule + grantedDocroot + `<Directory $R/htdocs>
  AllowOverride All
</Directory>
`
	h, _ := newTestHandler(t, conf, map[string]string{
		"htdocs/a.txt": "a", "htdocs/f/.htaccess": "RewriteEngine On\nRewriteRule ^x$ /a.txt\n",
	})
	wantResponse(t, serve(h, "GET /f/x", ""), 200, nil, "a")
	if h.Table.Config.Main.Rewrite != nil {
		t.Errorf("the main server's configuration was made by an .htaccess file")
	}
}

// The content type of [T=] and the cookies of [CO=] come from the
// request: a control character in them makes Apache's check of the
// response headers answer 500 (AH02430), an obs-fold is one space.
func TestRewriteHeadersChecked(t *testing.T) {
	conf := rewriteModule + grantedDocroot + `RewriteEngine On
RewriteRule ^/ty/(.*)$ /a.txt [T=$1]
RewriteRule ^/co/(.*)$ /a.txt [CO=c:$1:main.test]
RewriteRule ^/cor/(.*)$ http://main.test/a.txt [R,CO=c:$1:main.test]
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/a.txt": "a"})
	var logged []string
	h.Services.Log = func(level, module string, r *Request, msg string) {
		if module == "http" {
			logged = append(logged, msg)
		}
	}
	cases := []struct {
		target string
		status int
		header map[string]string
		log    string
	}{
		{"/ty/text/x-a", 200, map[string]string{"Content-Type": "text/x-a"}, ""},
		{"/ty/text%01x", 500, map[string]string{"Content-Type": "text/html; charset=iso-8859-1"},
			"AH02430: Response header 'Content-Type' value of 'text\x01x' contains invalid characters, aborting request"},
		{"/ty/text%0d%0a%20x", 200, map[string]string{"Content-Type": "text x"}, ""},
		{"/co/ok", 200, map[string]string{"Set-Cookie": "c=ok; path=/; domain=main.test"}, ""},
		{"/co/a%01b", 500, map[string]string{"Set-Cookie": "-"},
			"AH02430: Response header 'Set-Cookie' value of 'c=a\x01b; path=/; domain=main.test' contains invalid characters, aborting request"},
		{"/co/a%0d%0a%09b", 200, map[string]string{"Set-Cookie": "c=a b; path=/; domain=main.test"}, ""},
		{"/cor/a%0d%0ab", 500, map[string]string{"Set-Cookie": "-", "Location": "-"},
			"AH02430: Response header 'Set-Cookie' value of 'c=a\r\nb; path=/; domain=main.test' contains invalid characters, aborting request"},
		{"/cor/a%0d%0a%20b", 302, map[string]string{"Set-Cookie": "c=a b; path=/; domain=main.test", "Location": "http://main.test/a.txt"}, ""},
	}
	for _, c := range cases {
		logged = nil
		t.Run(c.target, func(t *testing.T) {
			wantResponse(t, serve(h, "GET "+c.target, ""), c.status, c.header, "")
			if got := strings.Join(logged, "\n"); got != c.log {
				t.Errorf("logged %q, want %q", got, c.log)
			}
		})
	}
}
