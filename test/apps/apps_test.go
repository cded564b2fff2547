// Package apps runs real applications from Debian's packages under the
// gowsgid binary, end to end: a Flask application and a Django project
// (its admin, with the static files served through Alias), each in its
// own sub-interpreter of the embedded engine.
package apps

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

const python = "/usr/bin/python3"

// repoFile is a file of the repository, from this package's directory.
func repoFile(t *testing.T, rel string) string {
	_, here, _, _ := runtime.Caller(0)
	p, err := filepath.Abs(filepath.Join(filepath.Dir(here), "..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRun(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// djangoProject makes a fresh Django project in dir/django with an admin
// user, a SQLite database and collected static files in dir/static.
func djangoProject(t *testing.T, dir string) {
	proj := filepath.Join(dir, "django")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, python, "-m", "django", "startproject", "mysite", proj)
	settings := filepath.Join(proj, "mysite", "settings.py")
	extra := fmt.Sprintf("\nALLOWED_HOSTS = ['*']\nSTATIC_ROOT = %q\nDATABASES['default']['NAME'] = %q\n",
		filepath.Join(dir, "static"), filepath.Join(dir, "db.sqlite3"))
	f, err := os.OpenFile(settings, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(extra)
	f.Close()
	manage := filepath.Join(proj, "manage.py")
	mustRun(t, proj, python, manage, "migrate", "--noinput", "-v", "0")
	mustRun(t, proj, python, manage, "collectstatic", "--noinput", "-v", "0")
	mustRun(t, proj, python, manage, "shell", "-c",
		"from django.contrib.auth.models import User; User.objects.create_superuser('admin', 'admin@example.com', 's3cret-pass')")
}

const conf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
TypesConfig /etc/mime.types
ServerName localhost
Listen %s
PidFile $DIR/httpd.pid
ErrorLog $DIR/logs/error.log
LogLevel info
DocumentRoot $DIR/htdocs
<Directory />
    Require all denied
</Directory>
<Directory $DIR>
    Require all granted
</Directory>
<Directory %s>
    Require all granted
</Directory>
WSGIPythonPath $DIR/django
WSGIScriptAlias /flask %s
WSGIScriptAlias /django $DIR/django/mysite/wsgi.py
Alias /static/ $DIR/static/
`

type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, body io.Reader, contentType string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) { return c.do("GET", path, nil, "") }

func (c *client) postForm(path string, form url.Values) (*http.Response, string) {
	return c.do("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

func expect(t *testing.T, what string, resp *http.Response, body string, status int, contains string) {
	t.Helper()
	if resp.StatusCode != status || !strings.Contains(body, contains) {
		if len(body) > 400 {
			body = body[:400] + "..."
		}
		t.Errorf("%s: status %d, want %d containing %q; body:\n%s", what, resp.StatusCode, status, contains, body)
	}
}

func TestFlaskAndDjango(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("%s is missing (make test installs python3-flask and python3-django)", python)
	}
	dir := t.TempDir()
	for _, d := range []string{"htdocs", "logs"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	djangoProject(t, dir)
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	flask := repoFile(t, "testdata/apps/flask/app.wsgi")
	srv := apachetest.StartGowsgid(t, dir, fmt.Sprintf(conf, addr, filepath.Dir(flask), flask), nil, addr)
	c := newClient(t, "http://"+addr)

	t.Run("flask", func(t *testing.T) {
		c.t = t
		resp, body := c.get("/flask/")
		expect(t, "index", resp, body, 200, "Hello from Flask")
		resp, body = c.postForm("/flask/form", url.Values{"name": {"Zoë"}})
		expect(t, "form POST", resp, body, 200, "Hello, Zoë!")
		resp, body = c.get("/flask/private")
		expect(t, "private before login", resp, body, 401, "login first")
		resp, body = c.postForm("/flask/login", url.Values{"user": {"alice"}, "password": {"wrong"}})
		expect(t, "bad login", resp, body, 403, "bad credentials")
		resp, _ = c.postForm("/flask/login", url.Values{"user": {"alice"}, "password": {"wonderland"}})
		if resp.StatusCode != 302 || !strings.HasSuffix(resp.Header.Get("Location"), "/flask/private") {
			t.Errorf("login: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = c.get("/flask/private")
		expect(t, "private after login", resp, body, 200, "Welcome back, alice")
		resp, body = c.get("/flask/stream")
		expect(t, "stream", resp, body, 200, "part 0\npart 1\npart 2\n")
		if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
			t.Errorf("stream: Transfer-Encoding %v, want chunked", resp.TransferEncoding)
		}
		payload := make([]byte, 3<<20)
		rand.Read(payload)
		sum := sha256.Sum256(payload)
		resp, body = c.do("POST", "/flask/upload", bytes.NewReader(payload), "application/octet-stream")
		expect(t, "upload", resp, body, 200, fmt.Sprintf("%d %s", len(payload), hex.EncodeToString(sum[:])))
		resp, body = c.get("/flask/boom")
		expect(t, "exception", resp, body, 500, "Internal Server Error")
		if !strings.Contains(srv.ErrorLog(), "ValueError: flask view failed") {
			t.Error("the Flask traceback is not in the error log")
		}
	})

	t.Run("django", func(t *testing.T) {
		c.t = t
		resp, body := c.get("/django/admin/login/?next=/django/admin/")
		expect(t, "login page", resp, body, 200, "csrfmiddlewaretoken")
		m := regexp.MustCompile(`name="csrfmiddlewaretoken" value="([^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no CSRF token in the login page")
		}
		form := url.Values{"csrfmiddlewaretoken": {m[1]}, "username": {"admin"},
			"password": {"s3cret-pass"}, "next": {"/django/admin/"}}
		resp, _ = c.postForm("/django/admin/login/?next=/django/admin/", form)
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "/django/admin/" {
			t.Fatalf("login POST: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = c.get("/django/admin/")
		expect(t, "admin index", resp, body, 200, "Site administration")
		m = regexp.MustCompile(`href="(/static/admin/css/[a-z]+\.css)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the admin page links no stylesheet under /static/")
		}
		resp, body = c.get(m[1])
		expect(t, "admin stylesheet through Alias", resp, body, 200, "{")
		if ct := resp.Header.Get("Content-Type"); ct != "text/css" {
			t.Errorf("stylesheet Content-Type %q, want text/css", ct)
		}
		resp, body = c.get("/django/admin/auth/user/")
		expect(t, "user list", resp, body, 200, "admin@example.com")
	})
}
