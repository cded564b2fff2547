package compat

import "testing"

// traversalSite sends path-traversal attempts to three virtual hosts
// that differ in AllowEncodedSlashes (Off, On, NoDecode). Everything
// under $DIR is granted, so only URL mapping keeps secret.txt (beside
// the document root) unreachable: "..", "%2e%2e", ".%2e", "%2f" in each
// mode, "%00", backslashes and "%5c", "//" runs, dot segments,
// absolute-URI forms, and symbolic links out of the root with and
// without FollowSymLinks.
func traversalSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName off.test
ServerTokens OS
ServerSignature On
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR>
  Options Indexes FollowSymLinks
  Require all granted
</Directory>
<Directory $DIR/pub/nolinks>
  Options Indexes
</Directory>
Alias /files/ $DIR/pub/a/
AliasMatch "^/am/(.*)$" "$DIR/pub/a/$1"
CustomLog logs/${SIDE}-uri.log "%>s\t%U"
<VirtualHost *:${P1}>
  ServerName off.test
  DocumentRoot $DIR/pub
  AllowEncodedSlashes Off
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName on.test
  DocumentRoot $DIR/pub
  AllowEncodedSlashes On
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName nodecode.test
  DocumentRoot $DIR/pub
  AllowEncodedSlashes NoDecode
</VirtualHost>
`
	targets := []string{
		"/file.txt", "/../secret.txt", "/a/../../secret.txt", "/%2e%2e/secret.txt", "/.%2e/secret.txt",
		"/%2e./secret.txt", "/a/%2e%2e/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/a/%2e%2e/file.txt",
		"/a%2f..%2f..%2fsecret.txt", "/a%2F..%2Ffile.txt", "/a%2fb.txt", "/a/b%2f", "/%2f", "/%2fsecret.txt",
		"/%252e%252e/secret.txt", "/file.txt%00", "/file.txt%00.html", "/%00", "/a/%2e", "/a/%2e/b.txt",
		"/..%5csecret.txt", "/a/..%5c..%5csecret.txt", "/%5c..%5csecret.txt", "/a\\..\\..\\secret.txt",
		"/a\\b.txt", "//secret.txt", "///file.txt", "/a//b.txt", "/./file.txt", "/a/./../file.txt",
		"/a/b/../../file.txt", "/a/.", "/a/..", "/a/...", "/.../file.txt", "/a/b.txt/..", "/a/b.txt/../b.txt",
		"/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/..%2fsecret.txt", "/files/b.txt",
		"/am/../../secret.txt", "/am/%2e%2e/%2e%2e/secret.txt", "/am/..%2f..%2fsecret.txt", "/am/b.txt",
		"/up/secret.txt", "/nolinks/up/secret.txt", "/nolinks/", "/up/", "/?../secret.txt",
		"/file.txt?/../../secret.txt", "/%zz", "/a%", "/%2", "/%7e", "/%41/b.txt",
	}
	// Bad %-escapes: Apache answers 400 with its page, net/http with its own.
	var reqs []request
	for _, h := range []string{"off.test", "on.test", "nodecode.test"} {
		for _, p := range targets {
			reqs = append(reqs, get(p, host(h)))
		}
	}
	reqs = append(reqs,
		get("../secret.txt"), get("secret.txt"), get("http://off.test/../secret.txt"),
		get("http://off.test/%2e%2e/secret.txt"), get("http://on.test/a%2f..%2f..%2fsecret.txt"),
		get("/../secret.txt", http10(), noHost()), get("*"),
	)
	return site{
		name: "traversal", host: "off.test", ports: 1, reqs: reqs, errorLog: true,
		// %U of a path refused for its escapes is decoded all the same.
		reqLogs: []logCheck{{name: "uri"}},
		conf:    head(stdMods...) + conf,
		files: map[string]string{
			"secret.txt":       "SECRET outside the document root\n",
			"pub/file.txt":     "public file\n",
			"pub/a/b.txt":      "b\n",
			"pub/a%2fb.txt":    "a file with %2f in its name\n",
			"pub/a\\b.txt":     "a file with a backslash in its name\n",
			"pub/.../file.txt": "three dots\n",
			"pub/A/b.txt":      "upper A\n",
			"pub/~":            "tilde\n",
		},
		setup: func(t *testing.T, dir string) {
			symlink(t, dir, "..", "pub/up")
			symlink(t, dir, "../..", "pub/nolinks/up")
		},
	}
}
