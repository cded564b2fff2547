package compat

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// copyTree copies the directory src (relative to this package) to dst,
// keeping modes; the trees of the guides and the example site are used
// as they are in testdata.
func copyTree(t *testing.T, src, dst string) {
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			return err
		}
		return os.Chtimes(to, oldTime, oldTime)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// guideTop is the file both servers are started on for a guide: the
// guide's httpd.conf, copied verbatim to $DIR/guide, is included after
// User and Group. Apache started as root needs them (as Debian's
// apache2.conf sets them): mod_wsgi's daemon processes cannot take the
// compiled-in gid -1 and never answer.
const guideTop = "User www-data\nGroup www-data\nInclude $DIR/guide/httpd.conf\n"

// readConf reads a configuration of testdata verbatim.
func readConf(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "# " + err.Error() + "\n"
	}
	return string(b)
}

// modwsgiGuideSite is the daemon-mode example of mod_wsgi's Quick
// Configuration Guide (testdata/guides/modwsgi-quick) verbatim (see
// guideTop): it says Listen 80, so the two servers run one after the
// other on port 80, which only root may bind. GUIDE_ROOT is a copy of
// the guide's directory.
func modwsgiGuideSite() site {
	const src = "../../testdata/guides/modwsgi-quick"
	var reqs []request
	for _, h := range []string{"www.example.com", "example.com", "other.example.com"} {
		reqs = append(reqs,
			get("/robots.txt", host(h)), get("/favicon.ico", host(h)), get("/media/site.css", host(h)),
			get("/media/", host(h)), get("/media/missing.css", host(h)),
			get("/", host(h)), get("/index.html", host(h)), get("/media", host(h)),
		)
	}
	reqs = append(reqs,
		do("HEAD", "/robots.txt", host("www.example.com")), get("/robots.txt", http10(), noHost()),
		get("/robots.txt/x", host("www.example.com")), get("/robots.txtx", host("www.example.com")),
		get("/media/../robots.txt", host("www.example.com")), get("/media/site.css", host("www.example.com"),
			hdr("If-Modified-Since: "+oldTime.Add(3600e9).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"))),
		do("OPTIONS", "/robots.txt", host("www.example.com")), do("PUT", "/robots.txt", host("www.example.com")),
		get("/media/site.css", host("www.example.com"), hdr("Range: bytes=0-4")),
	)
	return site{
		name: "guide-modwsgi-quick", host: "www.example.com", fixed: true, root: true,
		fixedAddrs: []string{"127.0.0.1:80"},
		conf:       guideTop,
		env:        map[string]string{"GUIDE_ROOT": "$DIR/guide"},
		setup:      func(t *testing.T, dir string) { copyTree(t, src, filepath.Join(dir, "guide")) },
		reqs:       reqs,
	}
}

// indicoGuideSite is the Apache configuration of Indico's production
// guide (testdata/guides/indico) verbatim. It says Listen 80 and Listen
// 443; only port 80 is compared (the *:443 host is TLS, which gowsgid's
// listeners do not speak yet).
func indicoGuideSite() site {
	const src = "../../testdata/guides/indico"
	var reqs []request
	for _, d := range []string{"images", "css", "js", "ihelp"} {
		reqs = append(reqs, get("/indico/"+d+"/README.txt"), get("/indico/"+d+"/"), get("/indico/"+d),
			get("/indico/"+d+"/missing.png"))
	}
	reqs = append(reqs,
		get("/indico"), get("/indico/"), get("/indico/event/1"),
		get("/indico/imagesx"), get("/indico/indico.wsgi"),
		get("/"), get("/index.html"), get("/missing"), get("/indico/images/README.txt", http10(), noHost()),
		get("/indico/images/README.txt", host("other.test")), do("HEAD", "/indico/css/README.txt"),
		get("/indico/images/../css/README.txt"), get("/indico/images/%2e%2e/%2e%2e/indico.wsgi"),
		get("/indico/css/README.txt", hdr("Range: bytes=-3")),
	)
	return site{
		name: "guide-indico", host: "localhost", fixed: true, root: true,
		fixedAddrs: []string{"127.0.0.1:80"},
		conf:       guideTop,
		env:        map[string]string{"GUIDE_ROOT": "$DIR/guide"},
		setup:      func(t *testing.T, dir string) { copyTree(t, src, filepath.Join(dir, "guide")) },
		reqs:       reqs,
	}
}

// exampleSite is the example site `make run` serves (testdata/site),
// verbatim: it says Listen 127.0.0.1:8080, so the servers run one after
// the other on that port.
func exampleSite() site {
	const src = "../../testdata/site"
	reqs := []request{
		get("/"), get("/index.html"), get("/static/site.css"), get("/static/"), get("/static"),
		get("/static/missing"), get("/missing"), do("HEAD", "/"), do("OPTIONS", "/static/site.css"),
		get("/", host("other.test")), get("/", http10(), noHost()),
		get("/static/site.css", hdr("If-None-Match: *")), get("/static/?C=M;O=D"),
		get("/app"), get("/app/"), get("/app/x?y=1"), get("/application"),
		get("/wsgi/hello.wsgi"),
		get("/", host("static.localhost")), get("/site.css", host("static.localhost")),
		get("/app", host("static.localhost")), get("/app/x?q=1", host("static.localhost")),
		get("/static/site.css", host("static.localhost")), get("/", host("STATIC.localhost:8080")),
	}
	return site{
		name: "example-site", host: "localhost", fixed: true,
		fixedAddrs: []string{"127.0.0.1:8080"},
		conf:       readConf(src + "/httpd.conf"),
		env:        map[string]string{"SITE": "$DIR"},
		setup: func(t *testing.T, dir string) {
			copyTree(t, src, dir)
			os.Remove(filepath.Join(dir, "logs", "error.log"))
		},
		reqs: reqs,
	}
}
