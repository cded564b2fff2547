package robust

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

const changesConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
PidFile $DIR/httpd.pid
DocumentRoot $DIR/htdocs
<Directory />
    Require all granted
</Directory>
WSGIScriptAlias /app $DIR/app.wsgi
`

const versionApp = `
def application(environ, start_response):
    body = b'%s' + environ['PATH_INFO'].encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
`

// TestFilesystemChangesSeen changes the served tree between requests,
// with no pause, and checks that each request sees every change made
// before it, as under Apache, which stats every path and opens every
// file on every request: gowsgid keeps stat answers and descriptors
// between requests (internal/statcache).
func TestFilesystemChangesSeen(t *testing.T) {
	dir := t.TempDir()
	htdocs := filepath.Join(dir, "htdocs")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(htdocs, 0o755))
	script := filepath.Join(dir, "app.wsgi")
	must(os.WriteFile(script, []byte(fmt.Sprintf(versionApp, "v1")), 0o644))
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	apachetest.StartGowsgid(t, dir, fmt.Sprintf(changesConf, addr), nil, addr)

	expect := func(step, path string, status int, body string) {
		t.Helper()
		gotStatus, gotBody := get(t, addr, path)
		if gotStatus != status || (status == 200 && gotBody != body) {
			t.Fatalf("%s: GET %s = %d %q, want %d %q", step, path, gotStatus, gotBody, status, body)
		}
	}
	file := func(rel string) string { return filepath.Join(htdocs, rel) }
	for round := 0; round < 3; round++ {
		step := func(s string) string { return fmt.Sprintf("round %d: %s", round, s) }
		expect(step("before"), "/a.txt", 404, "")
		expect(step("before"), "/a.txt/x", 404, "")
		must(os.WriteFile(file("a.txt"), []byte("one"), 0o644))
		expect(step("created"), "/a.txt", 200, "one")
		// The same inode, longer: a stale size would cut the body.
		must(os.WriteFile(file("a.txt"), []byte("three!"), 0o644))
		expect(step("rewritten"), "/a.txt", 200, "three!")
		must(os.Remove(file("a.txt")))
		expect(step("removed"), "/a.txt", 404, "")

		// Deployed as a new file renamed over the served one, whose
		// descriptor the server keeps after its first request.
		must(os.WriteFile(file("d.txt"), []byte("v1"), 0o644))
		expect(step("deployed"), "/d.txt", 200, "v1")
		expect(step("deployed"), "/d.txt", 200, "v1")
		must(os.WriteFile(file("d.txt.new"), []byte("version 2"), 0o644))
		must(os.Rename(file("d.txt.new"), file("d.txt")))
		expect(step("renamed over"), "/d.txt", 200, "version 2")
		must(os.Remove(file("d.txt")))

		must(os.Mkdir(file("sub"), 0o755))
		must(os.WriteFile(file("sub/b.txt"), []byte("bee"), 0o644))
		expect(step("made a directory"), "/sub/b.txt", 200, "bee")
		must(os.Rename(file("sub"), file("sub2")))
		expect(step("renamed the directory"), "/sub/b.txt", 404, "")
		expect(step("renamed the directory"), "/sub2/b.txt", 200, "bee")
		must(os.RemoveAll(file("sub2")))
		must(os.WriteFile(file("sub2"), []byte("now a file"), 0o644))
		expect(step("a file for the directory"), "/sub2/b.txt", 404, "")
		expect(step("a file for the directory"), "/sub2", 200, "now a file")
		must(os.Remove(file("sub2")))

		// A link followed (Options FollowSymLinks, the default), then
		// pointed elsewhere: links are never cached.
		must(os.MkdirAll(filepath.Join(dir, "one"), 0o755))
		must(os.MkdirAll(filepath.Join(dir, "two"), 0o755))
		must(os.WriteFile(filepath.Join(dir, "one", "c.txt"), []byte("first"), 0o644))
		must(os.WriteFile(filepath.Join(dir, "two", "c.txt"), []byte("second"), 0o644))
		must(os.Symlink(filepath.Join(dir, "one"), file("link")))
		expect(step("link"), "/link/c.txt", 200, "first")
		must(os.Remove(file("link")))
		must(os.Symlink(filepath.Join(dir, "two"), file("link")))
		expect(step("link moved"), "/link/c.txt", 200, "second")
		must(os.Remove(file("link")))

		// A changed WSGI script is reloaded on the next request
		// (WSGIScriptReloading): its new mtime must be seen at once.
		version := fmt.Sprintf("v%d", round+2)
		expect(step("script"), "/app/x", 200, fmt.Sprintf("v%d/x", round+1))
		must(os.WriteFile(script, []byte(fmt.Sprintf(versionApp, version)), 0o644))
		later := time.Now().Add(time.Duration(round+1) * time.Second)
		must(os.Chtimes(script, later, later))
		expect(step("script changed"), "/app/x", 200, version+"/x")
	}
}
