package compat

import (
	"fmt"
	"strings"
	"testing"
)

// accessSite covers access control as sections combine it: Require with
// RequireAll/RequireAny/RequireNone and "not", AuthMerging, Order/Allow/
// Deny in each order with partial addresses and networks, Satisfy, <Limit>
// and <LimitExcept>, and the two styles together, for GET, POST and HEAD.
func accessSite() site {
	dirs := []struct{ path, body string }{
		{"granted", "Require all granted"},
		{"denied", "Require all denied"},
		{"ip", "Require ip 127.0.0.1"},
		{"ipnet", "Require ip 127.0.0.0/8"},
		{"ipmask", "Require ip 127.0.0.0/255.0.0.0"},
		{"ippartial", "Require ip 127.0"},
		{"ipother", "Require ip 10.0.0.0/8 192.168.1"},
		{"ipv6", "Require ip ::1"},
		{"local", "Require local"},
		{"method", "Require method POST"},
		{"notip", "<RequireAll>\nRequire all granted\nRequire not ip 127.0.0.1\n</RequireAll>"},
		{"all", "<RequireAll>\nRequire ip 127.0.0.0/8\nRequire method GET HEAD\n</RequireAll>"},
		{"any", "<RequireAny>\nRequire ip 10.0.0.1\nRequire method POST\n</RequireAny>"},
		{"none", "<RequireAll>\nRequire all granted\n<RequireNone>\nRequire ip 10.0.0.1\nRequire method POST\n</RequireNone>\n</RequireAll>"},
		{"nested", "<RequireAny>\n<RequireAll>\nRequire ip 127.0.0.1\nRequire method POST\n</RequireAll>\nRequire expr %{QUERY_STRING} == 'open'\n</RequireAny>"},
		{"expr", "Require expr %{REQUEST_METHOD} == 'GET' && %{QUERY_STRING} =~ /ok/"},
		{"env", "Require env never_set"},
		{"order1", "Order allow,deny\nAllow from 127.0.0.1"},
		{"order2", "Order deny,allow\nDeny from all\nAllow from 10.0.0.0/8"},
		{"order3", "Order allow,deny\nAllow from all\nDeny from 127.0.0"},
		{"order4", "Order deny,allow\nDeny from all\nAllow from 127.0.0.0/255.0.0.0"},
		{"order5", "Order allow,deny"},
		{"order6", "Order deny,allow"},
		{"mutual", "Order mutual-failure\nAllow from 127.0.0.1\nDeny from 10.0.0.1"},
		{"mutual2", "Order mutual-failure\nAllow from 127.0.0.1\nDeny from 127.0.0.1"},
		{"mixed", "Order deny,allow\nDeny from all\nRequire all granted"},
		{"mixed2", "Order allow,deny\nAllow from all\nRequire all denied"},
		{"satany", "Order deny,allow\nDeny from all\nSatisfy any\nRequire all granted"},
		{"limit", "<Limit POST>\nRequire all denied\n</Limit>"},
		{"limitexcept", "<LimitExcept GET>\nRequire all denied\n</LimitExcept>"},
		{"limitorder", "Order allow,deny\nAllow from all\n<Limit POST>\nDeny from all\n</Limit>"},
		// Order and Satisfy are kept per method: a limited one changes
		// only its methods'.
		{"orderlimit", "Order allow,deny\nAllow from 192.168.\n<Limit PUT DELETE>\nOrder deny,allow\nDeny from all\n</Limit>"},
		{"orderlimit2", "Order allow,deny\n<Limit POST>\nOrder deny,allow\n</Limit>"},
		// HEAD in a <Limit> means GET.
		{"limithead", "<Limit HEAD>\nRequire all denied\n</Limit>"},
		{"limitexcepthead", "<LimitExcept HEAD OPTIONS>\nRequire all denied\n</LimitExcept>"},
		{"orderhead", "Order allow,deny\nAllow from all\n<Limit HEAD>\nOrder deny,allow\nDeny from all\n</Limit>"},
		{"satisfylimit", "AuthType Basic\nAuthName sat\nAuthUserFile $DIR/missing\nRequire valid-user\nSatisfy Any\n<Limit PUT>\nSatisfy All\n</Limit>"},
		{"merge", "Require ip 10.0.0.1"},
		{"merge/and", "AuthMerging And\nRequire all granted"},
		{"merge/or", "AuthMerging Or\nRequire method POST"},
		{"merge/off", "Require method POST"},
		{"merge/inherit", "Options -Indexes"},
		{"compat", "Order allow,deny\nAllow from all"},
		{"compat/inherit", "Options -Indexes"},
		{"compat/replace", "Order deny,allow"},
		{"compat/deny", "Deny from 127.0.0.1"},
		// Matching <Files> and <If> sections are merged with each
		// other before the directory's configuration: the last one's
		// AuthMerging brings the directory's rules back in.
		{"filesand", "Require all denied\n<Files x.txt>\nRequire all granted\n</Files>\n<FilesMatch \"\\.txt$\">\nAuthMerging And\nRequire all granted\n</FilesMatch>"},
		{"filesor", "Require all granted\n<Files x.txt>\nRequire all denied\n</Files>\n<Files x.txt>\nAuthMerging Or\nRequire ip 10.0.0.1\n</Files>"},
		{"ifand", "Require all denied\n<If \"-n %{QUERY_STRING}\">\nRequire all granted\n</If>\n<If \"%{QUERY_STRING} =~ /a/\">\nAuthMerging And\nRequire all granted\n</If>"},
	}
	var b strings.Builder
	b.WriteString(`Listen 127.0.0.1:${P1}
ServerName access.test
ServerTokens OS
ServerSignature On
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
`)
	files := map[string]string{"htdocs/x.txt": "x\n"}
	var reqs []request
	for _, d := range dirs {
		fmt.Fprintf(&b, "<Directory $DIR/htdocs/%s>\n%s\n</Directory>\n", d.path, d.body)
		files["htdocs/"+d.path+"/x.txt"] = d.path + "\n"
		reqs = append(reqs, get("/"+d.path+"/x.txt"), do("POST", "/"+d.path+"/x.txt", body("a=1")))
	}
	reqs = append(reqs, do("HEAD", "/method/x.txt"), do("HEAD", "/limitexcept/x.txt"), get("/expr/x.txt?ok=1"),
		get("/nested/x.txt?open"), do("PUT", "/limit/x.txt"), do("OPTIONS", "/limitexcept/x.txt"),
		get("/denied/"), get("/ip/x.txt", http10(), noHost()),
		do("HEAD", "/orderlimit/x.txt"), do("PUT", "/orderlimit/x.txt"), do("HEAD", "/orderlimit2/x.txt"),
		do("HEAD", "/satisfylimit/x.txt"), do("PUT", "/satisfylimit/x.txt"),
		do("HEAD", "/limithead/x.txt"), do("HEAD", "/limitexcepthead/x.txt"), do("OPTIONS", "/limitexcepthead/x.txt"),
		do("HEAD", "/orderhead/x.txt"), get("/ifand/x.txt?a"), get("/ifand/x.txt?b"))
	return site{
		name: "access", host: "access.test", ports: 1, reqs: reqs,
		conf: head(authMods...) + b.String(), files: files,
	}
}

// authSite covers Basic authentication: htpasswd files in every format
// htpasswd writes (bcrypt, apr1 MD5, SHA-1, crypt, SHA-256 and SHA-512
// crypt, and plain text, which never matches on Linux), Require user,
// valid-user and group, malformed credentials, AuthName quoting, the
// 401 with ErrorDocument, and Satisfy Any with host access.
func authSite() site {
	const basicAuth = "AuthType Basic\nAuthName \"Private Area\"\nAuthUserFile $DIR/htpasswd\nAuthGroupFile $DIR/groups\n"
	conf := `Listen 127.0.0.1:${P1}
ServerName auth.test
ServerTokens OS
ServerSignature On
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/htdocs/valid>
` + basicAuth + `  Require valid-user
</Directory>
<Directory $DIR/htdocs/users>
` + basicAuth + `  Require user ubcrypt usha
</Directory>
<Directory $DIR/htdocs/group>
` + basicAuth + `  Require group admins
</Directory>
<Directory $DIR/htdocs/notgroup>
` + basicAuth + `  <RequireAll>
    Require valid-user
    Require not group admins
  </RequireAll>
</Directory>
<Directory $DIR/htdocs/satany>
` + basicAuth + `  Order deny,allow
  Deny from all
  Allow from 127.0.0.1
  Satisfy any
  Require valid-user
</Directory>
<Directory $DIR/htdocs/satall>
` + basicAuth + `  Order deny,allow
  Deny from all
  Allow from 127.0.0.1
  Satisfy all
  Require valid-user
</Directory>
<Directory $DIR/htdocs/errdoc>
` + basicAuth + `  Require valid-user
  ErrorDocument 401 "Please log in
</Directory>
<Directory $DIR/htdocs/noreq>
  AuthType Basic
  AuthName x
</Directory>
<Directory $DIR/htdocs/nofile>
  AuthType Basic
  AuthName x
  AuthUserFile $DIR/missing
  Require valid-user
</Directory>
<Directory $DIR/htdocs/exprre>
` + basicAuth + `  Require expr %{QUERY_STRING} =~ /%{REMOTE_USER}/
</Directory>
<Directory $DIR/htdocs/expruser>
` + basicAuth + `  Require expr %{HTTP:X-A} == '%{REMOTE_USER}x'
</Directory>
<Location /quoted>
  AuthType Basic
  AuthName "say \"hi\""
  AuthUserFile $DIR/htpasswd
  Require valid-user
</Location>
`
	users := []struct{ opt, user, pass string }{
		{"B", "ubcrypt", "pw-bcrypt"}, {"m", "umd5", "pw-md5"}, {"s", "usha", "pw-sha"},
		{"d", "ucrypt", "pwcrypt"}, {"2", "usha256", "pw-sha256"}, {"5", "usha512", "pw-sha512"},
		{"p", "uplain", "pw-plain"},
	}
	var reqs []request
	for _, u := range users {
		reqs = append(reqs, get("/valid/x.txt", auth(u.user, u.pass)), get("/valid/x.txt", auth(u.user, u.pass+"x")))
	}
	for _, d := range []string{"users", "group", "notgroup", "satany", "satall", "errdoc"} {
		reqs = append(reqs, get("/"+d+"/x.txt"), get("/"+d+"/x.txt", auth("ubcrypt", "pw-bcrypt")),
			get("/"+d+"/x.txt", auth("umd5", "pw-md5")), get("/"+d+"/x.txt", auth("usha", "wrong")))
	}
	reqs = append(reqs,
		get("/valid/x.txt"), do("HEAD", "/valid/x.txt"), do("POST", "/valid/x.txt", body("a=1")),
		get("/valid/x.txt", auth("nobody", "x")), get("/valid/x.txt", auth("", "")),
		get("/valid/x.txt", hdr("Authorization: Basic !!!")), get("/valid/x.txt", hdr("Authorization: Bearer abc")),
		get("/valid/x.txt", hdr("Authorization: Basic "+basic("nocolon", "")[:8])),
		get("/valid/x.txt", hdr("Authorization: basic "+basic("umd5", "pw-md5"))),
		get("/noreq/x.txt"), get("/nofile/x.txt", auth("umd5", "pw-md5")), get("/quoted/x.txt"),
		get("/valid/", auth("umd5", "pw-md5")), get("/valid", auth("umd5", "pw-md5")),
		// A false Require expr asks for a user only when it looks up
		// REMOTE_USER, not when a regex mentions it.
		get("/exprre/x.txt"), get("/exprre/x.txt", auth("umd5", "pw-md5")), get("/exprre/x.txt?umd5", auth("umd5", "pw-md5")),
		get("/expruser/x.txt"), get("/expruser/x.txt", auth("umd5", "pw-md5")),
	)
	files := map[string]string{"groups": "admins: ubcrypt usha\nstaff: umd5\n"}
	for _, d := range []string{"valid", "users", "group", "notgroup", "satany", "satall", "errdoc", "noreq", "nofile", "quoted", "exprre", "expruser"} {
		files["htdocs/"+d+"/x.txt"] = d + "\n"
	}
	return site{
		name: "auth", host: "auth.test", ports: 1, reqs: reqs,
		conf: head(authMods...) + conf, files: files,
		setup: func(t *testing.T, dir string) {
			for _, u := range users {
				htpasswd(t, dir, u.opt, "htpasswd", u.user, u.pass)
			}
		},
	}
}

// authBasicOptionsSite covers mod_auth_basic's options:
// AuthBasicAuthoritative Off with no other module to pass an unknown
// user to (500, AH01796; a wrong password is still refused),
// AuthBasicUseDigestAlgorithm MD5 against an htdigest file,
// AuthBasicFake (the Authorization header the handler and Header see:
// faked from expressions, dropped when one comes out empty, with its
// AH02457 line at LogLevel info), and an AuthType expression that comes
// out empty (a type all the same: AH01796).
func authBasicOptionsSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName basicopts.test
DocumentRoot $DIR/htdocs
LogLevel info
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/htdocs/lenient>
  AuthType Basic
  AuthName "Private"
  AuthUserFile $DIR/htpasswd
  AuthBasicAuthoritative Off
  Require valid-user
</Directory>
<Directory $DIR/htdocs/md5>
  AuthType Basic
  AuthName "Private"
  AuthUserFile $DIR/htdigest
  AuthBasicUseDigestAlgorithm MD5
  Require valid-user
</Directory>
<Directory $DIR/htdocs/md5off>
  AuthType Basic
  AuthName "Private"
  AuthUserFile $DIR/htpasswd
  AuthBasicUseDigestAlgorithm Off
  Require valid-user
</Directory>
<Directory $DIR/htdocs/fake>
  AuthBasicFake %{HTTP:X-User} "%{HTTP:X-Pass}-x"
  Header always set X-Seen "expr=%{HTTP:Authorization}"
</Directory>
<Directory $DIR/htdocs/fake/nopass>
  AuthBasicFake %{HTTP:X-User}
</Directory>
<Directory $DIR/htdocs/fake/off>
  AuthBasicFake off
</Directory>
<Directory $DIR/htdocs/fake/emptypass>
  AuthBasicFake fixed %{HTTP:X-Pass}
</Directory>
<Directory $DIR/htdocs/emptytype>
  AuthType %{HTTP:X-Type}
  AuthName "Private"
  AuthUserFile $DIR/htpasswd
  Require valid-user
</Directory>
`
	reqs := []request{
		get("/lenient/x.txt"), get("/lenient/x.txt", auth("umd5", "pw-md5")),
		get("/lenient/x.txt", auth("umd5", "wrong")), get("/lenient/x.txt", auth("nobody", "x")),
		get("/md5/x.txt", auth("alice", "secret")), get("/md5/x.txt", auth("alice", "wrong")),
		get("/md5/x.txt", auth("bob", "secret")), get("/md5off/x.txt", auth("umd5", "pw-md5")),
		get("/fake/x.txt", hdr("X-User: carol", "X-Pass: pw"), also("X-Seen")),
		get("/fake/x.txt", hdr("X-User: carol", "Authorization: Basic "+basic("dave", "d")), also("X-Seen")),
		get("/fake/x.txt", hdr("Authorization: Basic "+basic("dave", "d")), also("X-Seen")),
		get("/fake/x.txt", also("X-Seen")), get("/fake/missing", hdr("X-User: carol"), also("X-Seen")),
		get("/fake/nopass/x.txt", hdr("X-User: erin"), also("X-Seen")),
		get("/fake/off/x.txt", hdr("X-User: erin", "Authorization: Basic "+basic("dave", "d")), also("X-Seen")),
		get("/fake/emptypass/x.txt", hdr("Authorization: Basic "+basic("dave", "d")), also("X-Seen")),
		get("/fake/emptypass/x.txt", hdr("X-Pass: p"), also("X-Seen")),
		get("/emptytype/x.txt"), get("/emptytype/x.txt", hdr("X-Type: Basic")),
		get("/emptytype/x.txt", hdr("X-Type: Basic"), auth("umd5", "pw-md5")),
		get("/emptytype/x.txt", hdr("X-Type: Other")),
	}
	files := map[string]string{
		"htdigest": "alice:Private:" + md5hex("alice:Private:secret") + "\n",
	}
	for _, d := range []string{"lenient", "md5", "md5off", "fake", "fake/nopass", "fake/off", "fake/emptypass", "emptytype"} {
		files["htdocs/"+d+"/x.txt"] = d + "\n"
	}
	return site{
		name: "auth-basic-options", host: "basicopts.test", ports: 1, reqs: reqs, errorLog: true,
		conf: head(append(append([]string(nil), authMods...), "headers")...) + conf, files: files,
		setup: func(t *testing.T, dir string) {
			htpasswd(t, dir, "m", "htpasswd", "umd5", "pw-md5")
		},
	}
}

// authReuseSite covers when Apache checks access again: not for a
// subrequest (DirectoryIndex) or internal redirect (RewriteRule,
// ErrorDocument) whose configuration is the one the request before it
// had, which takes that request's user; again for one whose
// configuration differs. The error log shows each check (AH01797 of a
// Satisfy Any that fell back to a user, AH01618 of a wrong user).
func authReuseSite() site {
	const basicAuth = "AuthType Basic\nAuthName \"Private Area\"\nAuthUserFile $DIR/htpasswd\n"
	conf := `Listen 127.0.0.1:${P1}
ServerName reuse.test
DocumentRoot $DIR/htdocs
LogLevel info
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/htdocs/any>
` + basicAuth + `  Order deny,allow
  Deny from all
  Satisfy Any
  Require valid-user
  RewriteEngine On
  RewriteRule ^alias$ index.html [L]
  ErrorDocument 404 /any/index.html
</Directory>
<Directory $DIR/htdocs/valid>
` + basicAuth + `  Require valid-user
  ErrorDocument 401 /valid/denied.html
</Directory>
<Directory $DIR/htdocs/gone>
` + basicAuth + `  Require valid-user
  ErrorDocument 401 /gone/missing.html
</Directory>
<Directory $DIR/htdocs/pub>
  DirectoryIndex /valid/index.html
</Directory>
<Directory $DIR/htdocs/other>
` + basicAuth + `  Require user umd5
  RewriteEngine On
  RewriteRule ^go$ /valid/index.html [L]
</Directory>
`
	reqs := []request{
		// The same configuration: checked once.
		get("/any/", auth("umd5", "pw-md5")), get("/any/alias", auth("umd5", "pw-md5")),
		get("/any/missing", auth("umd5", "pw-md5")), get("/any/", auth("nobody", "x")),
		get("/valid/x.txt"), get("/valid/x.txt", auth("nobody", "x")), get("/valid/", auth("umd5", "pw-md5")),
		get("/gone/x.txt"),
		// Another configuration: checked again.
		get("/pub/"), get("/pub/", auth("umd5", "pw-md5")), get("/pub/", auth("nobody", "x")),
		get("/other/go", auth("umd5", "pw-md5")), get("/other/go", auth("usha", "pw-sha")),
	}
	files := map[string]string{
		"htdocs/any/index.html":    "any\n",
		"htdocs/valid/index.html":  "valid\n",
		"htdocs/valid/x.txt":       "x\n",
		"htdocs/valid/denied.html": "denied\n",
		"htdocs/pub/x.txt":         "pub\n",
		"htdocs/other/x.txt":       "other\n",
	}
	return site{
		name: "auth-reuse", host: "reuse.test", ports: 1, reqs: reqs, errorLog: true,
		conf: head(append(append([]string(nil), authMods...), "rewrite")...) + conf, files: files,
		setup: func(t *testing.T, dir string) {
			htpasswd(t, dir, "m", "htpasswd", "umd5", "pw-md5")
			htpasswd(t, dir, "s", "htpasswd", "usha", "pw-sha")
		},
	}
}
