package vhost

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestHtaccessReplacedSameSizeAndTime: an .htaccess replaced by another
// of the same size and modification time (cp -p, tar, a deployment
// that fixes times) is read anew; the parsed one was kept by size and
// time alone.
func TestHtaccessReplacedSameSizeAndTime(t *testing.T) {
	h, root := newTestHandler(t, `LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
DocumentRoot $R/htdocs
<Directory $R/htdocs>
  AllowOverride AuthConfig
</Directory>
`, map[string]string{"htdocs/f.txt": "file\n", "htdocs/.htaccess": "Require ip 192.0.2.1\n"})
	ht := filepath.Join(root, "htdocs", ".htaccess")
	fixed := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(ht, fixed, fixed); err != nil {
		t.Fatal(err)
	}
	if w := serve(h, "GET /f.txt", ""); w.Code != 200 {
		t.Fatalf("granted to the client: %d", w.Code)
	}
	// The same length, the same time, another rule, renamed into place.
	tmp := ht + ".new"
	if err := os.WriteFile(tmp, []byte("Require ip 192.0.2.9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, fixed, fixed); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, ht); err != nil {
		t.Fatal(err)
	}
	if w := serve(h, "GET /f.txt", ""); w.Code != 403 {
		t.Fatalf("after the .htaccess was replaced: %d, want 403", w.Code)
	}
}
