package compat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// htaccessSite covers .htaccess files: every AllowOverride class (All,
// None, AuthConfig, FileInfo, Indexes, Limit, Options=...), directives
// refused by the class (500), a broken file, AccessFileName with two
// names, nested files, <Files> inside .htaccess, and the quirk that a
// directory where AllowOverride was never set still reads the file.
func htaccessSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName htaccess.test
ServerAdmin webmaster@htaccess.test
ServerTokens Full
ServerSignature On
AccessFileName .htaccess .acl
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  AllowOverride None
  Options Indexes FollowSymLinks
  Require all granted
</Directory>
<Directory $DIR/htdocs/all>
  AllowOverride All
</Directory>
<Directory $DIR/htdocs/auth>
  AllowOverride AuthConfig
</Directory>
<Directory $DIR/htdocs/fileinfo>
  AllowOverride FileInfo
</Directory>
<Directory $DIR/htdocs/indexes>
  AllowOverride Indexes
</Directory>
<Directory $DIR/htdocs/limit>
  AllowOverride Limit
</Directory>
<Directory $DIR/htdocs/opts>
  AllowOverride Options=Indexes,FollowSymLinks
</Directory>
<Directory $DIR/htdocs/acl>
  AllowOverride All
</Directory>
<Directory $DIR/htdocs/list>
  AllowOverrideList Require AuthType AuthName AuthUserFile
</Directory>
<Directory $DIR/htdocs/listnone>
  AllowOverrideList None
</Directory>
<FilesMatch "^\.(ht|acl)">
  Require all denied
</FilesMatch>
<VirtualHost *:${P2}>
  ServerName unset.test
  DocumentRoot $DIR/unset
  <Directory $DIR/unset>
    Require all granted
  </Directory>
</VirtualHost>
`
	reqs := []request{
		get("/x.txt"), get("/none/x.txt"),
		get("/all/"), get("/all/x.txt"), get("/all/missing"), get("/all/type.ht1"), get("/all/deny/x.txt"),
		get("/all/deny/ok.txt"), get("/all/broken/x.txt"), get("/all/sub/x.txt"), get("/all/.htaccess"),
		get("/all/sub/"), get("/all/redirect/x"), get("/all/nolist/"), get("/all/charset/x.txt"),
		get("/auth/x.txt"), get("/auth/x.txt", auth("alice", "alicepw")), get("/auth/x.txt", auth("alice", "bad")),
		get("/auth/bad/x.txt"),
		get("/fileinfo/x.txt"), get("/fileinfo/go"), get("/fileinfo/bad/x.txt"),
		get("/indexes/"), get("/indexes/other.html"), get("/indexes/bad/x.txt"),
		get("/limit/x.txt"), get("/limit/bad/x.txt"),
		get("/limit/head/x.txt"), do("HEAD", "/limit/head/x.txt"), do("POST", "/limit/head/x.txt", body("a=1")),
		get("/limit/excepthead/x.txt"), do("POST", "/limit/excepthead/x.txt", body("a=1")),
		get("/opts/"), get("/opts/x.txt"), get("/opts/bad/x.txt"),
		get("/acl/x.txt"), get("/acl/.acl"), get("/acl/both/x.txt"),
		get("/x.txt", port(1), host("unset.test")), get("/sub/x.txt", port(1), host("unset.test")),
		get("/clean/x.txt", port(1), host("unset.test")),
		get("/all/long/x.txt"), get("/all/long1/x.txt"),
		// AllowOverrideList: the directives it names, and no others,
		// under AllowOverride None.
		get("/list/x.txt"), get("/list/x.txt", auth("alice", "alicepw")), get("/list/x.txt", auth("alice", "bad")),
		get("/list/order/x.txt"), get("/list/limit/x.txt"), get("/listnone/x.txt"),
	}
	return site{
		name: "htaccess", host: "htaccess.test", ports: 2, reqs: reqs,
		conf: head(authMods...) + conf,
		files: map[string]string{
			"htdocs/x.txt":          "x\n",
			"htdocs/none/x.txt":     "x\n",
			"htdocs/none/.htaccess": "Bogus directive\n",
			// A line of 8192 bytes is too long for .htaccess; one of
			// 8191 is not.
			"htdocs/all/long/x.txt":             "x\n",
			"htdocs/all/long/.htaccess":         "#" + strings.Repeat("a", 8191) + "\n",
			"htdocs/all/long1/x.txt":            "x\n",
			"htdocs/all/long1/.htaccess":        "#" + strings.Repeat("a", 8190) + "\n",
			"htdocs/all/.htaccess":              "Options -Indexes\nErrorDocument 404 \"htaccess 404 text\nAddType text/x-ht .ht1\nDirectoryIndex index.txt\n",
			"htdocs/all/x.txt":                  "x\n",
			"htdocs/all/index.txt":              "index.txt of all\n",
			"htdocs/all/type.ht1":               "typed\n",
			"htdocs/all/deny/.htaccess":         "Require all denied\n<Files ok.txt>\nRequire all granted\n</Files>\n",
			"htdocs/all/deny/x.txt":             "x\n",
			"htdocs/all/deny/ok.txt":            "ok\n",
			"htdocs/all/broken/.htaccess":       "Bogus directive\n",
			"htdocs/all/broken/x.txt":           "x\n",
			"htdocs/all/sub/x.txt":              "x\n",
			"htdocs/all/sub/.htaccess":          "Options +Indexes\nIndexIgnore *.txt\n",
			"htdocs/all/redirect/.htaccess":     "Redirect /all/redirect http://example.com/moved\n",
			"htdocs/all/nolist/a.txt":           "a\n",
			"htdocs/all/charset/.htaccess":      "AddDefaultCharset utf-8\n",
			"htdocs/all/charset/x.txt":          "x\n",
			"htdocs/auth/.htaccess":             "AuthType Basic\nAuthName \"ht auth\"\nAuthUserFile $DIR/htpasswd\nRequire valid-user\n",
			"htdocs/auth/x.txt":                 "x\n",
			"htdocs/auth/bad/.htaccess":         "AddType text/x-no .no\n",
			"htdocs/auth/bad/x.txt":             "x\n",
			"htdocs/fileinfo/.htaccess":         "ForceType text/x-forced\nRedirect /fileinfo/go http://example.com/go\n",
			"htdocs/fileinfo/x.txt":             "x\n",
			"htdocs/fileinfo/bad/.htaccess":     "Require all denied\n",
			"htdocs/fileinfo/bad/x.txt":         "x\n",
			"htdocs/indexes/.htaccess":          "DirectoryIndex other.html\nIndexIgnore *.txt\n",
			"htdocs/indexes/other.html":         "<p>other</p>\n",
			"htdocs/indexes/bad/.htaccess":      "ForceType text/x-no\n",
			"htdocs/indexes/bad/x.txt":          "x\n",
			"htdocs/limit/.htaccess":            "Order deny,allow\nDeny from all\n",
			"htdocs/limit/x.txt":                "x\n",
			"htdocs/limit/bad/.htaccess":        "Options +Indexes\n",
			"htdocs/limit/bad/x.txt":            "x\n",
			"htdocs/limit/head/.htaccess":       "Order allow,deny\nAllow from all\n<Limit HEAD>\nDeny from all\n</Limit>\n",
			"htdocs/limit/head/x.txt":           "x\n",
			"htdocs/limit/excepthead/.htaccess": "Order allow,deny\nAllow from all\n<LimitExcept HEAD OPTIONS>\nDeny from all\n</LimitExcept>\n",
			"htdocs/limit/excepthead/x.txt":     "x\n",
			"htdocs/opts/.htaccess":             "Options +Indexes\n",
			"htdocs/opts/x.txt":                 "x\n",
			"htdocs/opts/bad/.htaccess":         "Options +ExecCGI\n",
			"htdocs/opts/bad/x.txt":             "x\n",
			"htdocs/acl/.acl":                   "Require all denied\n",
			"htdocs/acl/x.txt":                  "x\n",
			"htdocs/acl/both/.htaccess":         "Require all granted\n",
			"htdocs/acl/both/.acl":              "Require all denied\n",
			"htdocs/acl/both/x.txt":             "x\n",
			"htdocs/list/.htaccess":             "AuthType Basic\nAuthName \"listed\"\nAuthUserFile $DIR/htpasswd\nRequire valid-user\n",
			"htdocs/list/x.txt":                 "x\n",
			"htdocs/list/order/.htaccess":       "Order deny,allow\n",
			"htdocs/list/order/x.txt":           "x\n",
			"htdocs/list/limit/.htaccess":       "<Limit GET>\nRequire all denied\n</Limit>\n",
			"htdocs/list/limit/x.txt":           "x\n",
			"htdocs/listnone/.htaccess":         "Bogus directive\n",
			"htdocs/listnone/x.txt":             "x\n",
			"unset/x.txt":                       "x\n",
			"unset/sub/.htaccess":               "ForceType text/x-unset\n",
			"unset/sub/x.txt":                   "x\n",
			"unset/clean/x.txt":                 "x\n",
		},
		setup: func(t *testing.T, dir string) {
			htpasswd(t, dir, "m", "htpasswd", "alice", "alicepw")
		},
	}
}

// htaccessErrorsSite covers .htaccess files Apache refuses while a
// request reads them, with the error log lines: a <Limit> naming a
// method the configuration never registered (a .htaccess file cannot
// register one), beside ones it did (<Limit>, RegisterHttpMethod); a
// .htaccess file the server cannot read (403, AH00529).
func htaccessErrorsSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName htaccess-errors.test
User www-data
Group www-data
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  AllowOverride All
  Require all granted
</Directory>
RegisterHttpMethod BAZ
<Location /registered>
  <Limit BAR>
    Require all denied
  </Limit>
</Location>
`
	return site{
		name: "htaccess-errors", host: "htaccess-errors.test", ports: 1, errorLog: true,
		conf: head(authMods...) + conf,
		reqs: []request{
			get("/limitfoo/x.txt"), get("/limitbar/x.txt"), do("BAR", "/limitbar/x.txt"),
			get("/limitbaz/x.txt"), do("BAZ", "/limitbaz/x.txt"),
			get("/unreadable/x.txt"), get("/unreadable/"),
		},
		setup: func(t *testing.T, dir string) {
			// Both servers read the tree as www-data.
			if err := os.Chmod(filepath.Join(dir, "htdocs/unreadable/.htaccess"), 0); err != nil {
				t.Fatal(err)
			}
		},
		files: map[string]string{
			"htdocs/limitfoo/.htaccess":   "<Limit GET FOO>\nRequire all denied\n</Limit>\n",
			"htdocs/limitfoo/x.txt":       "x\n",
			"htdocs/limitbar/.htaccess":   "<Limit BAR>\nRequire all denied\n</Limit>\n",
			"htdocs/limitbar/x.txt":       "x\n",
			"htdocs/limitbaz/.htaccess":   "<Limit BAZ>\nRequire all denied\n</Limit>\n",
			"htdocs/limitbaz/x.txt":       "x\n",
			"htdocs/unreadable/.htaccess": "Require all granted\n",
			"htdocs/unreadable/x.txt":     "x\n",
		},
	}
}
