package httpd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests run real Apache (Debian's apache2, which make test installs)
// and gowsgid on the same configuration and compare what they print and
// how they exit.

// apache2 returns the path of apache2, or skips a test on a machine
// without it (make test installs it, so CI never skips).
func apache2(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("apache2")
	if err != nil {
		t.Skip("apache2 is not installed (make test installs it)")
	}
	return p
}

// preamble is the minimal server every case starts from; $DIR is the
// case's directory.
const preamble = `ServerRoot $DIR
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
PidFile httpd.pid
ServerName localhost
ErrorLog error.log
DocumentRoot $DIR
`

// modAllowMethods loads mod_allowmethods.
const modAllowMethods = "LoadModule allowmethods_module /usr/lib/apache2/modules/mod_allowmethods.so\n"

// rewriteModule loads mod_rewrite for the cases of its directives.
const rewriteModule = "LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\n"

type diffCase struct {
	name  string
	conf  string            // after the preamble
	files map[string]string // more files, relative to the case directory
	links map[string]string // symbolic links to make there: name -> target
	args  []string          // extra apache2 flags ($DIR replaced); -t is always given
	bare  bool              // conf replaces the preamble
	env   []string
}

// authzHost loads mod_authz_host, for Require ip.
const authzHost = "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n"

var diffCases = []diffCase{
	{name: "sslprotocol-any-case", conf: modSSL + "SSLProtocol All -SSLv2 -SSLv3 -TLSv1 -TLSv1.1\n<VirtualHost *:443>\nSSLProtocol -all +tlsv1.2 +TLSV1.3\n</VirtualHost>\n<VirtualHost *:8443>\nSSLProtocol ALL -sslv3\n</VirtualHost>"},
	{name: "sslprotocol-bad", conf: modSSL + "SSLProtocol All -Bogus"},
	{name: "sslprotocol-sslv3-lower", conf: modSSL + "SSLProtocol all +sslv3"},
	{name: "sslcompression-off", conf: modSSL + "SSLCompression off\nSSLInsecureRenegotiation off\nSSLStaplingResponderTimeout 5\nSSLStaplingReturnResponderErrors off\nSSLStaplingStandardCacheTimeout 3600\nSSLStaplingErrorCacheTimeout 600\nSSLStaplingFakeTryLater off\nBogus"},
	{name: "sslcompression-on", conf: modSSL + "SSLCompression on"},
	{name: "sslsessionticketkeyfile-missing", conf: modSSL + "SSLSessionTicketKeyFile nope.key"},
	{name: "sslsessioncache-forms", conf: modSSL + "SSLSessionCache none\nSSLSessionCache nonenotnull\nSSLSessionCache shmcb:$DIR/scache(512000)\nSSLSessionCacheTimeout abc\nSSLSessionCacheTimeout 0\nBogus"},
	{name: "sslstaplingcache-no-socache", conf: "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nSSLStaplingCache shmcb:x(100)"},
	{name: "sslstaplingcache-in-vhost", conf: modSSL + "<VirtualHost *:443>\nSSLStaplingCache none\n</VirtualHost>"},
	{name: "sslstaplingcache-good", conf: modSSL + "SSLStaplingCache shmcb:$DIR/stapling(32768)\nBogus"},
	{name: "sslsessioncache-in-vhost", conf: modSSL + "<VirtualHost *:443>\nSSLSessionCache none\n</VirtualHost>"},
	{name: "sslsessioncachetimeout-negative", conf: modSSL + "<VirtualHost *:443>\nSSLSessionCacheTimeout -5\n</VirtualHost>"},
	{name: "sslsessioncache-no-socache", conf: "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\nSSLSessionCache shmcb:x"},
	{name: "httpprotocoloptions-words", conf: "HttpProtocolOptions strict lenientmethods REQUIRE1.0\n<VirtualHost *:80>\nHttpProtocolOptions RegisteredMethods\n</VirtualHost>\nBogus"},
	{name: "httpprotocoloptions-bad", conf: "HttpProtocolOptions Strict Bogus"},
	{name: "httpprotocoloptions-exclusive-words", conf: "HttpProtocolOptions Strict Unsafe"},
	{name: "httpprotocoloptions-exclusive-lines", conf: "HttpProtocolOptions RegisteredMethods\nHttpProtocolOptions LenientMethods"},
	{name: "httpprotocoloptions-exclusive-09", conf: "HttpProtocolOptions Allow0.9 Require1.0"},
	{name: "httpprotocoloptions-vhost-own", conf: "HttpProtocolOptions RegisteredMethods\n<VirtualHost *:80>\nHttpProtocolOptions LenientMethods\n</VirtualHost>\nBogus"},
	{name: "httpprotocoloptions-in-directory", conf: "<Directory />\nHttpProtocolOptions Strict\n</Directory>"},
	{name: "allowmethods-values", conf: modAllowMethods + "<Directory />\nAllowMethods HEAD GET PATCH\nAllowMethods reset\nAllowMethods RESET\n</Directory>\n<Location /x>\nAllowMethods get\n</Location>"},
	{name: "allowmethods-no-args", conf: modAllowMethods + "<Directory />\nAllowMethods\n</Directory>"},
	{name: "allowmethods-reset-and-more", conf: modAllowMethods + "<Directory />\nAllowMethods reset GET\n</Directory>"},
	{name: "allowmethods-server-context", conf: modAllowMethods + "AllowMethods GET"},
	{name: "allowmethods-unregistered", conf: modAllowMethods + "RegisterHttpMethod FOO\n<Directory />\nAllowMethods FOO BAR\n</Directory>"},
	{name: "ifversion-equal-minor-only", conf: "<IfVersion = 2.4>\nBogus1\n</IfVersion>\n<IfVersion 2.4.71>\nBogus2\n</IfVersion>"},
	{name: "ifversion-ops", conf: "<IfVersion >= 2.4>\nServerAdmin a@b\n</IfVersion>\n<IfVersion < 2.2>\nBogus\n</IfVersion>\n<IfVersion !~ ^2\\.4>\nBogus\n</IfVersion>\n<IfVersion > 2.4.70>\nBogus3\n</IfVersion>"},
	{name: "ifversion-regex", conf: "<IfVersion = /^2\\.4\\./>\nBogus4\n</IfVersion>"},
	{name: "ifversion-bad-op", conf: "<IfVersion ?= 2.4>\n</IfVersion>"},
	{name: "ifversion-bad-version", conf: "<IfVersion >= x.4>\n</IfVersion>"},
	{name: "ifversion-missing-gt", conf: "<IfVersion >= 2.4\n</IfVersion>"},
	{name: "ifversion-space-gt", conf: "<IfVersion >= 2.4 >\nBogus5\n</IfVersion>"},
	{name: "ifmodule-negated-space", conf: "<IfModule ! mod_rewrite.c>\nBogus6\n</IfModule>"},
	{name: "ifmodule-by-id", conf: "<IfModule alias_module>\nBogus7\n</IfModule>"},
	{name: "ifdirective", conf: "<IfDirective Alias>\nBogus8\n</IfDirective>\n<IfDirective RewriteRule>\nBogus9\n</IfDirective>"},
	{name: "ifsection", conf: "<IfSection Directory>\nBogus10\n</IfSection>"},
	{name: "iffile-relative", conf: "<IfFile sub/x.txt>\nBogus11\n</IfFile>", files: map[string]string{"sub/x.txt": "x"}},
	{name: "define-twice-on-command-line", args: []string{"-D", "TWICE", "-D", "TWICE"}, conf: "UnDefine TWICE\n<IfDefine TWICE>\nBogus41\n</IfDefine>"},
	{name: "define-twice-dump", args: []string{"-D", "TWICE", "-D", "OTHER", "-D", "TWICE", "-D", "DUMP_RUN_CFG"}, conf: "Define TWICE\nDefine OTHER x"},
	{name: "define-twice-undefine-twice", args: []string{"-D", "TWICE", "-D", "TWICE"}, conf: "UnDefine TWICE\nUnDefine TWICE\n<IfDefine TWICE>\nBogus42\n</IfDefine>\nBogus43"},
	{name: "ifdefine-from-command-line", conf: "<IfDefine TESTDEF>\nBogus12\n</IfDefine>", args: []string{"-D", "TESTDEF"}},
	{name: "define-undefine", conf: "Define X 1\nUnDefine X\n<IfDefine X>\nBogus\n</IfDefine>\nServerAdmin ${X}"},
	{name: "define-var-case-insensitive", conf: "Define Xvar a@b\nServerAdmin ${XVAR}\nDefine XVAR c@d\nServerAdmin ${xvar}\nBogus33 ${xVaR}"},
	{name: "define-undefine-other-case", conf: "Define Yvar 1\nUnDefine YVAR\n<IfDefine Yvar>\nBogus34\n</IfDefine>\nBogus35 ${Yvar}"},
	{name: "define-case-dump", args: []string{"-D", "DUMP_RUN_CFG"}, conf: "Define Zvar v1\nDefine ZVAR\nDefine zvar v2"},
	{name: "ifdefine-case-sensitive", conf: "Define Wvar\n<IfDefine WVAR>\nBogus36\n</IfDefine>\nBogus37"},
	{name: "define-without-value-uses-env", conf: "Define HOME\nServerAdmin ${HOME}", env: []string{"HOME=/root"}},
	{name: "var-in-directive-name", conf: "Define D \"DocumentRoot $DIR\"\n${D}\nBogus13 ${D}"},
	{name: "var-with-colon-no-warning", conf: "ServerAdmin ${a:b}"},
	{name: "var-unterminated", conf: "ServerAdmin ${abc"},
	{name: "dollar-literal", conf: "ServerAdmin $x"},
	{name: "var-expands-to-empty-line", conf: "${EMPTYVAR}\nDefine E \" \"\n${E}\n\t${E}${EMPTYVAR}  \nBogus24", env: []string{"EMPTYVAR="}},
	{name: "include-directory-recursive", conf: "Include conf.d", files: map[string]string{
		"conf.d/b.conf": "ServerAdmin b@b", "conf.d/a/z.conf": "Bogus14", "conf.d/A.conf": "ServerAdmin a@a"}},
	{name: "include-wildcard-middle", conf: "Include */x.conf", files: map[string]string{
		"d1/x.conf": "ServerAdmin a@a", "d2/x.conf": "Bogus15", "file": ""}},
	{name: "include-wildcard-missing-dir", conf: "Include nodir/*.conf"},
	{name: "include-wildcard-middle-symlink", conf: "Include l*/x.conf", files: map[string]string{"real/x.conf": "Bogus30"},
		links: map[string]string{"lnk": "real"}},
	{name: "include-wildcard-middle-symlink-and-dir", conf: "Include *k/x.conf", files: map[string]string{"dirk/x.conf": "Bogus31"},
		links: map[string]string{"lnk": "dirk"}},
	{name: "include-wildcard-last-symlink", conf: "Include l*", files: map[string]string{"real/x.conf": "Bogus32"},
		links: map[string]string{"lnk": "real"}},
	{name: "include-absolute-dotdot", conf: "Include $DIR/nosub/../a.conf", files: map[string]string{"a.conf": "Bogus25"}},
	{name: "include-absolute-dot-doubleslash", conf: "Include $DIR//./a.conf", files: map[string]string{"a.conf": "Bogus26"}},
	{name: "include-missing-named-cleaned", conf: "Include $DIR/x/./../nope.conf"},
	{name: "include-relative-trailing-slash", conf: "Include nope.d/"},
	{name: "config-file-dotdot", args: []string{"-f", "$DIR/nosub/../main.conf"}, files: map[string]string{"main.conf": preamble + "Bogus27"}},
	{name: "iffile-dotdot", conf: "<IfFile $DIR/nosub/../a.txt>\nBogus28\n</IfFile>", files: map[string]string{"a.txt": "x"}},
	{name: "loadfile-dotdot", conf: "LoadFile $DIR/nosub/../nope.so"},
	{name: "loadfile-relative", conf: "LoadFile sub/../nope.so"},
	{name: "loadfile-bare-name", conf: "LoadFile nope.so"},
	{name: "loadmodule-unknown-dotdot", conf: "LoadModule nope_module $DIR/nosub/../mod_nope.so"},
	{name: "documentroot-dotdot", conf: "DocumentRoot $DIR/nosub/../sub\nBogus29", files: map[string]string{"sub/x": "x"}},
	{name: "includeoptional-missing-dir", conf: "IncludeOptional nodir/*.conf\nBogus16"},
	{name: "include-relative-path", conf: "Include sub/one.conf", files: map[string]string{"sub/one.conf": "Include sub/two.conf", "sub/two.conf": "Bogus17"}},
	{name: "include-nested-parse-error", conf: "Include one.conf", files: map[string]string{"one.conf": "\nInclude two.conf", "two.conf": "<Directory /x>\n"}},
	{name: "include-nested-open-error", conf: "Include one.conf", files: map[string]string{"one.conf": "Include nope.conf"}},
	{name: "include-dump", conf: "Include one.conf\nInclude d", files: map[string]string{"one.conf": "Include two.conf\n", "two.conf": "", "d/x.conf": ""},
		args: []string{"-D", "DUMP_INCLUDES"}},
	{name: "include-in-section", conf: "<VirtualHost *:80>\nInclude v.conf\n</VirtualHost>", files: map[string]string{"v.conf": "ServerName v\nListen 80"}},
	{name: "section-across-files", conf: "Include opener.conf\n</Directory>", files: map[string]string{"opener.conf": "<Directory /x>"}},
	{name: "true-conditional-unclosed-inner", conf: "<IfModule alias_module>\n<Directory /x>\n</IfModule>"},
	{name: "close-tag-case", conf: "<directory /tmp>\n</DIRECTORY>\n<location /x>\nrequire all granted\n</LOCATION>"},
	{name: "close-tag-stray-in-conditional", conf: "<IfModule alias_module>\n</Directory>\n</IfModule>"},
	{name: "close-tag-with-space-in-conditional", conf: "<IfModule alias_module>\n</IfModule >"},
	{name: "open-tag-junk-after-gt", conf: "<Directory /tmp> junk\n</Directory>"},
	{name: "unknown-section", conf: "<Frobnicate x>\nServerAdmin a@b\n</Frobnicate>"},
	{name: "location-in-location", conf: "<Location /a>\n<Location /b>\n</Location>\n</Location>"},
	{name: "files-in-location", conf: "<Location /a>\n<Files x>\n</Files>\n</Location>"},
	{name: "files-in-directory", conf: "<Directory /a>\n<Files x>\nRequire all denied\n</Files>\n</Directory>"},
	{name: "limit-at-top", conf: "<Limit GET>\n</Limit>"},
	{name: "limit-nested-excludes-all", conf: "<Directory /a>\n<Limit GET>\n<Limit POST>\n</Limit>\n</Limit>\n</Directory>"},
	{name: "limit-nested-same", conf: "<Directory /a>\n<Limit GET POST>\n<Limit GET POST>\n</Limit>\n</Limit>\n</Directory>"},
	{name: "limitexcept-trace-ok", conf: "<Directory /a>\n<LimitExcept TRACE>\nRequire all denied\n</LimitExcept>\n</Directory>"},
	// HEAD is registered as M_GET: naming it names GET.
	{name: "limit-head-in-get", conf: "<Directory /a>\n<Limit GET>\n<Limit HEAD>\n</Limit>\n</Limit>\n</Directory>"},
	{name: "limit-get-in-head", conf: "<Directory /a>\n<Limit HEAD>\n<Limit GET>\n</Limit>\n</Limit>\n</Directory>"},
	{name: "registerhttpmethod", conf: "RegisterHttpMethod FOO BAR\n<Directory /a>\n<Limit FOO>\nRequire all denied\n</Limit>\n</Directory>"},
	{name: "registerhttpmethod-in-vhost", conf: "<VirtualHost *:80>\nRegisterHttpMethod FOO\n</VirtualHost>"},
	{name: "limit-get-in-limitexcept-head", conf: "<Directory /a>\n<LimitExcept HEAD>\n<Limit GET>\n</Limit>\n</LimitExcept>\n</Directory>"},
	{name: "require-variants", conf: "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n<Directory /a>\nRequire ip 10.1 192.168.0.0/16 ::1\nRequire not ip 10.0.0.1\nRequire host example.org\nRequire method GET POST\nRequire env FOO\n</Directory>"},
	{name: "require-bad-ip", conf: "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n<Directory /a>\nRequire ip 10.1.2.3.4\n</Directory>"},
	{name: "require-ip-bad-mask", conf: "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so\n<Directory /a>\nRequire ip 10.0.0.0/40\n</Directory>"},
	{name: "require-user-without-module", conf: "<Directory /a>\nRequire valid-user\n</Directory>"},
	{name: "require-case-sensitive-provider", conf: "<Directory /a>\nRequire All granted\n</Directory>"},
	{name: "requireall-args", conf: "<Directory /a>\n<RequireAll x>\n</RequireAll>\n</Directory>"},
	// mod_authz_core's check_config (AH01624): a container whose rules
	// are all negative, after the De Morgan rewrite of <RequireNone>.
	{name: "requireall-negative-only", conf: authzHost + "<Directory /a>\n<RequireAll>\nRequire not ip 10.1.2.3\n</RequireAll>\n</Directory>"},
	{name: "requireall-requirenone-only", conf: authzHost + "<Directory /a>\n<RequireAll>\n<RequireNone>\nRequire ip 10.1.2.3\n</RequireNone>\n</RequireAll>\n</Directory>"},
	{name: "requireall-requirenone-ok", conf: authzHost + "<Directory /a>\n<RequireAll>\nRequire all granted\n<RequireNone>\nRequire ip 10.1.2.3\n</RequireNone>\n</RequireAll>\n</Directory>"},
	{name: "requireany-nested-negative-only", conf: authzHost + "<Location /a>\n<RequireAny>\nRequire all granted\n<RequireAll>\nRequire not ip 10.1.2.3\nRequire not ip 10.1.2.4\n</RequireAll>\n</RequireAny>\n</Location>"},
	{name: "requirenone-nested-negative-only", conf: authzHost + "<Files a>\n<RequireAll>\nRequire all granted\n<RequireNone>\n<RequireAll>\nRequire not ip 10.1.2.3\n</RequireAll>\n</RequireNone>\n</RequireAll>\n</Files>"},
	{name: "negative-only-after-log-check", conf: authzHost + "CustomLog $DIR/nolog/x.log common\n<Directory /a>\n<RequireAll>\nRequire not ip 10.1.2.3\n</RequireAll>\n</Directory>"},
	{name: "requireany-ok", conf: "<Directory /a>\n<RequireAny>\nRequire all granted\n</RequireAny>\n</Directory>"},
	{name: "access-compat", conf: "LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so\n<Directory /a>\nOrder Deny,Allow\nDeny from all\nAllow from 127.0.0.1 10.0.0.0/255.0.0.0 example.org env=FOO\nSatisfy Any\n</Directory>"},
	{name: "access-compat-bad-from", conf: "LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so\n<Directory /a>\nAllow all\n</Directory>"},
	{name: "access-compat-comment", conf: "LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so\n<Directory /a>\nAllow from all #x\n</Directory>"},
	{name: "access-compat-bad-satisfy", conf: "LoadModule access_compat_module /usr/lib/apache2/modules/mod_access_compat.so\n<Directory /a>\nSatisfy some\n</Directory>"},
	{name: "options-all-then", conf: "<Directory /a>\nOptions Indexes All\n</Directory>"},
	{name: "options-none-later", conf: "<Directory /a>\nOptions Indexes None\n</Directory>"},
	{name: "options-merge", conf: "<Directory /a>\nOptions -Indexes +FollowSymLinks\n</Directory>"},
	{name: "options-plus-then-plain", conf: "<Directory /a>\nOptions +Indexes FollowSymLinks\n</Directory>"},
	{name: "allowoverride-in-files", conf: "<Files x>\nAllowOverride All\n</Files>"},
	{name: "allowoverride-nonfatal", conf: "<Directory /a>\nAllowOverride Nonfatal\n</Directory>"},
	{name: "notice-escapes", conf: "ServerAdmin ${A\\B}\n<VirtualHost *:80>\nDocumentRoot \"/nonexistent/C:\\Repos\tcaf\u00e9\"\n</VirtualHost>"},
	{name: "documentroot-in-vhost-missing", conf: "<VirtualHost *:80>\nDocumentRoot /nonexistent/x\n</VirtualHost>"},
	{name: "servername-port-range", conf: "ServerName a:70000"},
	{name: "servername-scheme", conf: "ServerName https://a.example:8443"},
	{name: "listen-variants", conf: "Listen 8081\nListen 127.0.0.1:8082 https\nListen [::1]:8083\nListen *:8084"},
	{name: "listen-no-port", conf: "Listen 127.0.0.1"},
	{name: "listen-in-directory", conf: "<Directory /a>\nListen 80\n</Directory>"},
	{name: "listen-bad-ipv6", conf: "Listen [::1:80"},
	{name: "vhost-missing-address", conf: "<VirtualHost 80>\n</VirtualHost>"},
	{name: "vhost-no-args", conf: "<VirtualHost>\n</VirtualHost>"},
	{name: "alias-in-location", conf: "<Location /x>\nAlias /tmp\n</Location>"},
	{name: "alias-in-directory", conf: "<Directory /x>\nAlias /tmp\n</Directory>"},
	{name: "aliasmatch-bad-regex", conf: "AliasMatch ^/(x /tmp"},
	{name: "redirect-forms", conf: "Redirect /a http://x/\nRedirect permanent /b /c\nRedirect gone /d\nRedirect 410 /e\nRedirectMatch 301 ^/f(.*) http://x$1\nRedirectTemp /g /h\nRedirectPermanent /i /j"},
	{name: "redirect-non-url", conf: "Redirect /a b"},
	{name: "redirect-missing-url", conf: "Redirect 301 /a"},
	{name: "redirect-url-for-gone", conf: "Redirect gone /a http://x/"},
	{name: "redirect-bad-three", conf: "Redirect foo /a http://x/"},
	{name: "errordocument-forms", conf: "ErrorDocument 404 /missing.html\nErrorDocument 500 \"Oops\"\nErrorDocument 403 http://x/\nErrorDocument 401 http://x/"},
	{name: "loglevel-forms", conf: "LogLevel info core:debug alias:trace3"},
	{name: "loglevel-bad-module", conf: "LogLevel nosuch:debug"},
	{name: "loglevel-bad-level", conf: "LogLevel core:loud"},
	{name: "loglevel-empty-level", conf: "LogLevel core:"},
	{name: "keepalivetimeout-units", conf: "KeepAliveTimeout 500ms\nKeepAliveTimeout 2mi\nKeepAliveTimeout 5sec"},
	{name: "keepalivetimeout-bad-unit", conf: "KeepAliveTimeout 5x"},
	{name: "mutex-forms", conf: "Mutex file:/tmp default\nMutex posixsem rewrite-map"},
	{name: "mutex-bad", conf: "Mutex bogus"},
	{name: "user-root", conf: "User root"},
	{name: "user-unknown", conf: "User no-such-user-here"},
	{name: "user-in-vhost", conf: "<VirtualHost *:80>\nUser www-data\n</VirtualHost>"},
	{name: "error-quoted", conf: "Error 'single quoted'"},
	{name: "error-empty", conf: "Error"},
	{name: "loadmodule-wrong-structure", conf: "LoadModule headers_module /usr/lib/apache2/modules/mod_rewrite.so"},
	{name: "loadmodule-unknown-wrong-structure", conf: "LoadModule nope_module /usr/lib/apache2/modules/mod_rewrite.so"},
	{name: "loadmodule-not-elf", conf: "LoadModule wsgi_module $DIR/text.so", files: map[string]string{"text.so": strings.Repeat("not a shared object\n", 4)}},
	{name: "loadmodule-unknown-not-elf", conf: "LoadModule nope_module $DIR/text.so", files: map[string]string{"text.so": strings.Repeat("not a shared object\n", 4)}},
	{name: "loadmodule-too-short", conf: "LoadModule wsgi_module $DIR/short.so", files: map[string]string{"short.so": "\x7fELF"}},
	{name: "loadmodule-directory", conf: "LoadModule wsgi_module $DIR/dir.so", files: map[string]string{"dir.so/x": "x"}},
	{name: "loadmodule-twice", conf: "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so"},
	{name: "loadmodule-builtin", conf: "LoadModule version_module /usr/lib/apache2/modules/mod_version.so"},
	{name: "loadfile-missing", conf: "LoadFile /nonexistent/libx.so"},
	{name: "serverroot-in-vhost", conf: "<VirtualHost *:80>\nServerRoot /tmp\n</VirtualHost>"},
	{name: "define-in-htaccess-context-ok", conf: "<Directory /a>\nDefine INDIR\n</Directory>\n<IfDefine INDIR>\nBogus18\n</IfDefine>"},
	{name: "wsgi-daemon-options", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 processes=2 threads=15 display-name=%{GROUP} user=www-data group=www-data home=/tmp python-path=/a:/b lang='en_US.UTF-8' locale=C.UTF-8 maximum-requests=100 inactivity-timeout=60 request-timeout=30 graceful-timeout=5 queue-timeout=45 socket-timeout=60 connect-timeout=15 header-buffer-size=65536 response-buffer-size=1048576 listen-backlog=100 umask=0022\nWSGIProcessGroup g1\nWSGIApplicationGroup %{GLOBAL}"},
	{name: "wsgi-daemon-bad-option", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 bogus=1"},
	{name: "wsgi-daemon-no-equals", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 processes"},
	{name: "wsgi-daemon-no-name", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess"},
	{name: "wsgi-daemon-duplicate", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1\nWSGIDaemonProcess g1"},
	{name: "wsgi-daemon-zero-processes", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 processes=0"},
	{name: "wsgi-daemon-root", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 user=root"},
	{name: "wsgi-daemon-unknown-user", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 user=no-such-user-here"},
	{name: "wsgi-daemon-script-user-unknown", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 script-user=no-such-user-here"},
	{name: "wsgi-daemon-script-user-no-uid", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 script-user=#4242"},
	{name: "wsgi-daemon-script-group-unknown", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 script-group=no-such-group-here"},
	{name: "wsgi-daemon-script-group-no-gid", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 script-group=#4242"},
	{name: "wsgi-daemon-script-uid-and-group", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 script-user=#33 script-group=www-data"},
	{name: "wsgi-daemon-relative-home", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 home=tmp"},
	{name: "wsgi-daemon-small-header-buffer", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 header-buffer-size=100"},
	{name: "wsgi-daemon-script-user-and-group", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1 script-user=www-data script-group=www-data"},
	{name: "wsgi-daemon-in-directory", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\n<Directory /a>\nWSGIDaemonProcess g1\n</Directory>"},
	{name: "wsgi-scriptalias-options", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1\nWSGIScriptAlias /a /x/a.wsgi process-group=g1 application-group=%{GLOBAL} callable-object=app pass-authorization=On"},
	{name: "wsgi-scriptalias-too-few", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIScriptAlias /a"},
	{name: "wsgi-scriptalias-bad-option", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIScriptAlias /a /x/a.wsgi foo=bar"},
	{name: "wsgi-scriptalias-bad-auth", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIScriptAlias /a /x/a.wsgi pass-authorization=maybe"},
	{name: "wsgi-scriptalias-preload-undefined-group", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIScriptAlias /a /x/a.wsgi process-group=nope application-group=%{GLOBAL}"},
	{name: "wsgi-scriptalias-preload-group-later", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIScriptAlias /a /x/a.wsgi process-group=g1 application-group=%{GLOBAL}\nWSGIDaemonProcess g1"},
	{name: "wsgi-scriptalias-preload-other-vhost", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\n<VirtualHost *:80>\nServerName a\nWSGIDaemonProcess g1\n</VirtualHost>\n<VirtualHost *:80>\nServerName b\nWSGIScriptAlias /a /x/a.wsgi process-group=g1 application-group=%{GLOBAL}\n</VirtualHost>"},
	{name: "wsgi-scriptaliasmatch-bad-regex", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIScriptAliasMatch ^/(a /x/$1.wsgi"},
	{name: "wsgi-importscript", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIDaemonProcess g1\nWSGIImportScript /x/a.wsgi process-group=g1 application-group=%{GLOBAL}\nWSGIImportScript /x/a.wsgi process-group=g1"},
	{name: "wsgi-global-in-vhost", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\n<VirtualHost *:80>\nWSGIPythonHome /usr\n</VirtualHost>"},
	{name: "wsgi-flag-values", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIRestrictEmbedded On\nWSGIScriptReloading maybe"},
	{name: "wsgi-maphead", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIMapHEADToGET Auto\nWSGIMapHEADToGET Sometimes"},
	{name: "wsgi-hashseed", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGIPythonHashSeed 4294967296"},
	{name: "wsgi-trusted-proxies", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGITrustedProxies 10.0.0.0/8 ::1\nWSGITrustedProxies proxy.example"},
	{name: "wsgi-socketprefix", conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\nWSGISocketPrefix run/wsgi"},
	{name: "vhosts-dump", args: []string{"-S"}, conf: `Listen 127.0.0.1:28081
<VirtualHost *:28081>
ServerName a.test
</VirtualHost>
<VirtualHost *:28081>
ServerName b.test
ServerAlias alias.b.test *.b.test w?.test
</VirtualHost>
<VirtualHost 127.0.0.1:28082 127.0.0.2:28082>
ServerName ip.test
</VirtualHost>
<VirtualHost 127.0.0.1:28082>
ServerName ip2.test
</VirtualHost>
<VirtualHost _default_:*>
ServerName def.test
</VirtualHost>
<VirtualHost *>
</VirtualHost>
<VirtualHost [::1]:28083>
ServerName v6.test
</VirtualHost>`},
	{name: "modules-dump", args: []string{"-M"}, conf: "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so"},
	{name: "run-config-dump", args: []string{"-D", "DUMP_RUN_CFG"}, conf: "Define WITHVALUE v\nUser www-data\nGroup #33\nMutex flock rewrite-map\nLoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so"},
	{name: "rewrite-pcre-start-options", conf: rewriteModule + "RewriteRule \"(*UTF)(*CRLF)^/a$\" /x\nRewriteCond %{HTTP_HOST} \"(*LIMIT_MATCH=10)(*NO_JIT)x\"\nRewriteRule (*UCP)\\d /y"},
	{name: "rewrite-pcre-class-range", conf: rewriteModule + "RewriteRule [\\d-z] /x"},
	{name: "rewrite-pcre-class-range-cond", conf: rewriteModule + "RewriteCond %{HTTP_HOST} [a-\\d]\nRewriteRule ^ /x"},
	{name: "rewrite-pcre-named-reference", conf: rewriteModule + "RewriteRule (?P=n) /x"},
	{name: "rewrite-pcre-unknown-verb", conf: rewriteModule + "RewriteRule a(*UTF) /x"},
	{name: "rewrite-pcre-verb", conf: rewriteModule + "RewriteRule a(*FAIL)|b /x"},
	{name: "errorlog-dir-missing", conf: "ErrorLog /nonexistent/dir/error.log"},
	{name: "errorlog-vhost-dir-missing", conf: "<VirtualHost *:80>\nErrorLog /nonexistent/dir/error.log\n</VirtualHost>"},
	{name: "errorlog-pipe", conf: "ErrorLog \"|/bin/cat\""},
	{name: "logformat-unknown", conf: "LogFormat \"%h %Z\""},
	{name: "logformat-unclosed-brace", conf: "LogFormat \"%{x\""},
	{name: "logformat-caret-unknown", conf: "LogFormat \"%^zz\""},
	{name: "logformat-ran-off", conf: "LogFormat \"%>\""},
	{name: "logformat-repeated-close-brace", conf: "LogFormat \"%{User-Agent}}i %{Referer}}}i\" x\nCustomLog error.log \"%{Host}}i\"\nLogFormat \"%{x}}\""},
	{name: "logformat-ssl-not-loaded", conf: "LogFormat \"%{c}x\""},
	{name: "logformat-logio", conf: "LogFormat \"%I %O %S %^FB %^FU\""},
	{name: "logformat-every-directive", conf: "LogFormat \"a\\\\q%%b%!200,304{X}i %<s %>s %400,501{Referer}i %^ti %^to %k %R %L %C %{ms}T %{%d}t\" x\nCustomLog logs/x x"},
	{name: "customlog-bad-clause", conf: "CustomLog error.log common envx=1"},
	{name: "customlog-env-empty", conf: "CustomLog error.log common env="},
	{name: "customlog-env-bang", conf: "CustomLog error.log common env=!"},
	{name: "customlog-expr-empty", conf: "CustomLog error.log common expr="},
	{name: "customlog-expr-bad", conf: "CustomLog error.log common \"expr=%{FOO} ==\""},
	{name: "customlog-bad-format", conf: "CustomLog error.log \"%Q\""},
	{name: "customlog-dir-missing", conf: "CustomLog nolog/access.log common\n<VirtualHost *:80>\nTransferLog /nonexistent/x\n</VirtualHost>"},
	{name: "customlog-pipe", conf: "CustomLog \"|/bin/cat\" common \"expr=%{REQUEST_STATUS} -ge 400\""},
	{name: "globallog-in-vhost", conf: "<VirtualHost *:80>\nGlobalLog error.log common\n</VirtualHost>"},
	{name: "transferlog-two-args", conf: "TransferLog a b"},
	{name: "bufferedlogs-bad", conf: "BufferedLogs maybe"},
	{name: "loglevel-module-missing", conf: "LogLevel info wsgi:debug"},
	{name: "loglevel-module-forms", conf: "LogLevel mod_log_config.c:info log_config_module:debug http:debug core:info mpm_event:debug so:info"},
	{name: "loglevel-bad-module-level", conf: "LogLevel info core:x"},
	{name: "errorlog-syslog-facility", conf: "ErrorLog syslog:bogus"},
	{name: "errorlogformat-unknown-item", conf: "ErrorLogFormat \"%Z %M\""},
	{name: "errorlogformat-no-message", conf: "ErrorLogFormat \"[%t] %a\""},
	{name: "errorlogformat-ran-off", conf: "ErrorLogFormat \"%M %{Referer\""},
	{name: "errorlogformat-percent-at-end", conf: "ErrorLogFormat \"%M %\""},
	{name: "errorlogformat-plus-in-main", conf: "ErrorLogFormat \"%+a %M\""},
	{name: "errorlogformat-level-out-of-range", conf: "ErrorLogFormat \"%16a %M\""},
	{name: "errorlogformat-message-in-connection", conf: "ErrorLogFormat connection \"%a %M\""},
	{name: "errorlogformat-level-in-request", conf: "ErrorLogFormat request \"%7a\""},
	{name: "errorlogformat-bad-type", conf: "ErrorLogFormat Connections \"%a\""},
	{name: "errorlogformat-empty", conf: "ErrorLogFormat \"\""},
	{name: "errorlogformat-connection-empty", conf: "ErrorLogFormat connection \"\""},
	{name: "errorlogformat-three-args", conf: "ErrorLogFormat request a b"},
	{name: "errorlogformat-in-directory", conf: "<Directory /x>\nErrorLogFormat \"%M\"\n</Directory>"},
	{name: "errorlogformat-vhost-bad", conf: "<VirtualHost *:80>\nErrorLogFormat CONNECTION \"%L\"\nErrorLogFormat \"%{cu}t %-L %M\"\nErrorLogFormat request \"%+{x}i %-{c}L\"\nErrorLogFormat \"%\\ %7F %Q\"\n</VirtualHost>"},
	{name: "errorlogformat-valid", conf: "ErrorLogFormat \"[%{u}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\\ %a] %M% ,\\ referer\\ %{Referer}i\"\nErrorLogFormat connection \"%{c}L %a %A %k\"\nErrorLogFormat request \"%L %+{X}i %e %n %v %V %{g}T %%\""},
	{name: "c-and-C-directives", args: []string{"-C", "Define FROMC yes", "-c", "ServerAdmin ${FROMC}@x"}, conf: "<IfDefine FROMC>\nServerAdmin c@d\n</IfDefine>"},
	{name: "C-directive-backslash-ends-no-line", args: []string{"-C", "Define A \\", "-C", "Define B"}, conf: "<IfDefine B>\nBogus45\n</IfDefine>"},
	{name: "C-directive-newline-splits-no-line", args: []string{"-C", "Define C\nDefine D"}, conf: "<IfDefine D>\nBogus46\n</IfDefine>\n<IfDefine C>\nBogus47\n</IfDefine>"},
	{name: "c-directive-newline-in-walked-directive", args: []string{"-c", "ServerAdmin a@b\nServerName x"}, conf: ""},
	{name: "C-directive-error", args: []string{"-C", "<Directory /x>"}, conf: ""},
	{name: "no-mpm", bare: true, conf: "ServerRoot $DIR\nServerName localhost\nErrorLog error.log"},
	{name: "main-file-missing-include-first", bare: true, conf: "Include $DIR/nope.conf"},
	{name: "line-over-16MiB", conf: "#" + strings.Repeat("a", 16<<20) + "\nBogus40"},
	{name: "line-of-16MiB", conf: "#" + strings.Repeat("a", 16<<20-1) + "\nBogus38"},
	{name: "line-of-16MiB-less-one", conf: "#" + strings.Repeat("a", 16<<20-2) + "\nBogus39"},
	{name: "bom-and-binary", conf: "\xef\xbb\xbfServerAdmin a@b\n\x01\x02\x03 garbage"},
	{name: "dir-as-include-target-empty", conf: "Include emptydir", files: map[string]string{"emptydir/.keep": ""}},
	{name: "ssl-vars-without-mod-ssl", conf: "<If \"%{SSL_CLIENT_S_DN_CN} == 'a'\">\n</If>"},
	{name: "ssl-vars-with-mod-ssl", conf: modSSL + "<If \"%{ssl_client_s_dn_cn} == SSL('SSL_PROTOCOL')\">\n</If>\nBogus18"},
	{name: "ssl-require-unknown-var", conf: modSSL + "<Location /a>\nSSLRequire %{NOPE} eq 1\n</Location>"},
	{name: "ssl-require-syntax", conf: modSSL + "<Location /a>\nSSLRequire %{SSL_CIPHER} eq\n</Location>"},
	{name: "ssl-passphrase-dialogs", conf: modSSL + "SSLPassPhraseDialog exec:/bin/true\nSSLPassPhraseDialog |/bin/cat\nSSLPassPhraseDialog builtin"},
	{name: "ssl-passphrase-invalid", conf: modSSL + "SSLPassPhraseDialog exec"},
	{name: "ssl-passphrase-missing-program", conf: modSSL + "SSLPassPhraseDialog exec:/nonexistent/pp"},
	{name: "ssl-passphrase-in-vhost", conf: modSSL + "<VirtualHost *:80>\nSSLPassPhraseDialog builtin\n</VirtualHost>"},
	{name: "pcre-section-lookaround", conf: "<LocationMatch \"^/(?!x)\">\n</LocationMatch>\n<DirectoryMatch \"(?<=a)b\">\n</DirectoryMatch>\nAliasMatch \"^/(\\w)\\1\" /tmp\nBogus18"},
	{name: "pcre-section-bad-lookbehind", conf: "<LocationMatch \"(?<=a+)b\">\n</LocationMatch>"},
	{name: "ssl-require-quoted", conf: modSSL + "<Location /a>\nSSLRequire \"%{SSL_CIPHER} eq 'x'\"\n</Location>"},
	{name: "ssl-require-old-syntax", conf: modSSL + "<Location /a>\nSSLRequire %{SSL_CLIENT_S_DN_O} in {\"A\", \"B\"} and %{SSL_CIPHER} !~ m/^(EXP|NULL)-/ or %{REMOTE_ADDR} =~ m/^10\\./\n</Location>\nBogus19"},
	{name: "ssl-requiressl-args", conf: modSSL + "<Location /a>\nSSLRequireSSL on\n</Location>"},
	{name: "require-ssl-args", conf: modSSL + "<Location /a>\nRequire ssl yes\n</Location>"},
	{name: "require-ssl-verify-client-args", conf: modSSL + "<Location /a>\nRequire ssl-verify-client 1\n</Location>"},
	{name: "ssl-cipher-suite-protocol", conf: modSSL + "SSLCipherSuite TLSv1.4 HIGH"},
	{name: "ssl-cipher-suite-tls13-in-dir", conf: modSSL + "<Location /a>\nSSLCipherSuite TLSv1.3 TLS_AES_128_GCM_SHA256\n</Location>"},
	{name: "ssl-cipher-suite-forms", conf: modSSL + "SSLCipherSuite SSL HIGH:!aNULL\nSSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384\n<Location /a>\nSSLCipherSuite ECDHE+AESGCM\n</Location>\nSSLCipherSuite FOO\nBogus20"},
	{name: "ssl-cipher-suite-arity", conf: modSSL + "SSLCipherSuite SSL HIGH extra"},
	{name: "max-ranges-values", conf: "MaxRanges none\nMaxRangeOverlaps unlimited\nMaxRangeReversals 3x\n<Location /a>\nMaxRanges Default\n</Location>\nMaxRanges 0"},
	{name: "max-range-overlaps-bad", conf: "MaxRangeOverlaps -1"},
	{name: "max-range-reversals-bad", conf: "MaxRangeReversals many"},
	{name: "file-etag-aliases", conf: "FileETag LMTime LastModified\n<Location /a>\nFileETag +Digest -lmtime\n</Location>\nFileETag +None"},
	{name: "ssl-conf-cmd-unknown", conf: modSSL + "SSLOpenSSLConfCmd Bogus 1"},
	{name: "ssl-conf-cmd-cmdline-only", conf: modSSL + "SSLOpenSSLConfCmd no_ticket 1"},
	{name: "ssl-conf-cmd-file-missing", conf: modSSL + "SSLOpenSSLConfCmd DHParameters nope.pem"},
	{name: "ssl-conf-cmd-dir-missing", conf: modSSL + "SSLOpenSSLConfCmd ChainCAPath nope"},
	{name: "ssl-conf-cmd-in-directory", conf: modSSL + "<Location /a>\nSSLOpenSSLConfCmd Curves X25519\n</Location>"},
	{name: "ssl-conf-cmd-good", conf: modSSL + "SSLOpenSSLConfCmd curves X25519:P-256\nSSLOpenSSLConfCmd GROUPS bogus\nSSLOpenSSLConfCmd MinProtocol tlsv9\nSSLOpenSSLConfCmd Options -SessionTicket\nSSLOpenSSLConfCmd DHParameters dh.pem\nSSLOpenSSLConfCmd VerifyCAPath .\nBogus21",
		files: map[string]string{"dh.pem": "x"}},
	{name: "require-ssl-without-mod-ssl", conf: "<Location /a>\nRequire ssl\n</Location>"},
	{name: "ssl-username-args", conf: modSSL + "<Location /a>\nSSLUserName\n</Location>"},
	{name: "h2upgrade-bad", conf: modHTTP2 + "H2Upgrade maybe"},
	{name: "h2direct-bad", conf: modHTTP2 + "<VirtualHost *:80>\nH2Direct 1\n</VirtualHost>"},
	{name: "h2-flags-good", conf: modHTTP2 + "H2Direct OFF\n<Location /a>\nH2Upgrade on\n</Location>\nBogus22"},
	{name: "h2-max-session-streams-zero", conf: modHTTP2 + "H2MaxSessionStreams 0"},
	{name: "h2-max-session-streams-word", conf: modHTTP2 + "<VirtualHost *:80>\nH2MaxSessionStreams many\n</VirtualHost>"},
	{name: "h2-window-size-small", conf: modHTTP2 + "H2WindowSize 1023"},
	{name: "h2-max-workers-zero", conf: modHTTP2 + "H2MaxWorkers 0"},
	{name: "h2-modern-tls-only-bad", conf: modHTTP2 + "H2ModernTLSOnly maybe"},
	{name: "h2-settings-good", conf: modHTTP2 + "H2MaxSessionStreams 50x\nH2WindowSize 1024\nH2MinWorkers 1\nH2MaxWorkers 8\nH2ModernTLSOnly off\nH2TLSWarmUpSize 0\nBogus23"},
	{name: "ssl-crl-check-bad", conf: modSSL + "SSLCARevocationCheck sometimes"},
	{name: "ssl-crl-check-bad-flag", conf: modSSL + "SSLCARevocationCheck Chain no_crl_for_cert_ok maybe"},
	{name: "ssl-crl-check-flags", conf: modSSL + "SSLCARevocationCheck LEAF no_crl_for_cert_ok\nBogus20"},
	{name: "ssl-crl-check-empty", conf: modSSL + "SSLCARevocationCheck \"\""},
	{name: "ssl-crl-file-missing", conf: modSSL + "SSLCARevocationFile nope.crl"},
	{name: "ssl-crl-file-empty", conf: modSSL + "SSLCARevocationFile empty.crl", files: map[string]string{"empty.crl": ""}},
	{name: "ssl-crl-path-missing", conf: modSSL + "SSLCARevocationPath nope"},
	{name: "ssl-crl-path-file", conf: modSSL + "SSLCARevocationPath x.crl\nBogus21", files: map[string]string{"x.crl": "x"}},
	{name: "recursion-limit-zero", conf: "LimitInternalRecursion 0"},
	{name: "recursion-limit-second-bad", conf: "LimitInternalRecursion 5 -1"},
	{name: "recursion-limit-low", conf: "LimitInternalRecursion 3 2\n<VirtualHost *:80>\nLimitInternalRecursion 20x\n</VirtualHost>\nBogus24"},
	{name: "recursion-limit-dir", conf: "<Directory />\nLimitInternalRecursion 5\n</Directory>"},
	// mod_autoindex's add_opts and add_icon refuse what they cannot use.
	{name: "indexoptions-good", conf: modAutoindex + "IndexOptions\nIndexOptions FancyIndexing None\nIndexOptions NameWidth=0 DescriptionWidth=0 -NameWidth -DescriptionWidth IconWidth -IconHeight NameWidth=5 DescriptionWidth=12 Type=x Charset= UseOldDateFormat\nBogus44"},
	{name: "indexoptions-desc-width-small", conf: modAutoindex + "<Directory />\nIndexOptions DescriptionWidth=11\n</Directory>"},
	{name: "indexoptions-name-width-small", conf: modAutoindex + "IndexOptions FancyIndexing NameWidth=4"},
	{name: "indexoptions-unknown", conf: modAutoindex + "IndexOptions FancyIndexing Bogus"},
	{name: "indexoptions-minus-name-width-n", conf: modAutoindex + "IndexOptions -NameWidth=5"},
	{name: "indexoptions-minus-desc-width-n", conf: modAutoindex + "IndexOptions -DescriptionWidth=*"},
	{name: "indexoptions-minus-icon-width-n", conf: modAutoindex + "IndexOptions -IconWidth=3"},
	{name: "indexoptions-minus-icon-height-n", conf: modAutoindex + "IndexOptions -IconHeight=3"},
	{name: "indexoptions-name-width-bare", conf: modAutoindex + "IndexOptions NameWidth"},
	{name: "indexoptions-desc-width-bare", conf: modAutoindex + "IndexOptions +DescriptionWidth"},
	{name: "indexoptions-plus-none", conf: modAutoindex + "IndexOptions +None"},
	{name: "indexoptions-minus-none", conf: modAutoindex + "IndexOptions -None"},
	{name: "indexoptions-none-with-others", conf: modAutoindex + "IndexOptions None FancyIndexing"},
	{name: "indexoptions-none-then-incremental", conf: modAutoindex + "<Location /a>\nIndexOptions None\nIndexOptions +FancyIndexing\n</Location>\nBogus45"},
	{name: "indexoptions-none-then-line", conf: modAutoindex + "<Location /a>\nIndexOptions FancyIndexing None\nIndexOptions HTMLTable\n</Location>"},
	{name: "indexoptions-other-section", conf: modAutoindex + "IndexOptions None\n<Location /a>\nIndexOptions FancyIndexing\n</Location>\nBogus48"},
	{name: "addicon-missing-paren", conf: modAutoindex + "AddIcon (ALT /i.gif) .txt"},
	{name: "addiconbytype-missing-paren", conf: modAutoindex + "<Directory />\nAddIconByType (TXT /i.gif) text/*\n</Directory>"},
	{name: "addicon-good", conf: modAutoindex + "AddIcon (A,/i.gif) .txt\nAddIconByEncoding (Z,/z.gif) gzip\nAddAlt (x y\nBogus46"},
	{name: "directory-index-redirect-values", conf: modDir + "DirectoryIndexRedirect On\n<Directory />\nDirectoryIndexRedirect seeother\nDirectoryIndexRedirect 399\nDirectoryIndexRedirect 3xx\n</Directory>\nBogus49"},
	{name: "directory-index-redirect-bad-word", conf: modDir + "DirectoryIndexRedirect maybe"},
	{name: "directory-index-redirect-bad-code", conf: modDir + "<Location /a>\nDirectoryIndexRedirect 200\n</Location>"},
	{name: "directory-index-redirect-big-code", conf: modDir + "DirectoryIndexRedirect 400"},
	{name: "index-ignore-reset-bad", conf: modAutoindex + "IndexIgnoreReset maybe"},
	{name: "index-ignore-reset-good", conf: modAutoindex + "<Directory />\nIndexIgnoreReset ON\n</Directory>\nIndexIgnoreReset off\nBogus50"},
	{name: "remove-mime-good", conf: "RemoveEncoding .gz gz\n<Directory />\nRemoveLanguage .EN\nRemoveCharset utf8\n</Directory>\nBogus51"},
	{name: "enable-mmap-bad", conf: "EnableMMAP maybe"},
	{name: "enable-mmap-good", conf: "EnableMMAP ON\n<Directory />\nEnableMMAP off\n</Directory>\nBogus47"},
	// The core, MPM, mod_alias, mod_mime, mod_dir and mod_authz_core
	// directives that were not implemented before.
	{name: "merge-slashes-good", conf: "MergeSlashes off\n<VirtualHost *:80>\nMergeSlashes ON\n</VirtualHost>\nBogus60"},
	{name: "merge-slashes-bad", conf: "MergeSlashes maybe"},
	{name: "merge-slashes-in-directory", conf: "<Directory />\nMergeSlashes Off\n</Directory>"},
	{name: "listen-options-good", conf: "ListenBacklog 100\nSendBufferSize 0\nSendBufferSize 512\nReceiveBufferSize 65536\nListenTCPDeferAccept 10\nGracefulShutdownTimeout abc\nGracefulShutdownTimeout 5\nBogus61"},
	{name: "listen-backlog-zero", conf: "ListenBacklog 0"},
	{name: "listen-backlog-rubbish", conf: "ListenBacklog x"},
	{name: "listen-backlog-in-vhost", conf: "<VirtualHost *:80>\nListenBacklog 5\n</VirtualHost>"},
	{name: "send-buffer-small", conf: "SendBufferSize 511"},
	{name: "receive-buffer-negative", conf: "ReceiveBufferSize -1024"},
	{name: "receive-buffer-in-directory", conf: "<Directory />\nReceiveBufferSize 1024\n</Directory>"},
	{name: "defer-accept-zero", conf: "ListenTCPDeferAccept 0"},
	{name: "defer-accept-in-vhost", conf: "<VirtualHost *:80>\nListenTCPDeferAccept 5\n</VirtualHost>"},
	{name: "graceful-timeout-in-vhost", conf: "<VirtualHost *:80>\nGracefulShutdownTimeout 5\n</VirtualHost>"},
	{name: "mpm-sizes-good", conf: "MaxMemFree 2048\nMaxMemFree x\nThreadStackSize 8388608\nScoreBoardFile run/sb\nCoreDumpDirectory $DIR\nBogus62"},
	{name: "max-mem-free-negative", conf: "MaxMemFree -1"},
	{name: "max-mem-free-huge", conf: "MaxMemFree 99999999999999999999"},
	{name: "thread-stack-size-negative", conf: "ThreadStackSize -8"},
	{name: "thread-stack-size-in-vhost", conf: "<VirtualHost *:80>\nThreadStackSize 8388608\n</VirtualHost>"},
	{name: "scoreboard-in-vhost", conf: "<VirtualHost *:80>\nScoreBoardFile x\n</VirtualHost>"},
	{name: "core-dump-dir-missing", conf: "CoreDumpDirectory nope"},
	{name: "core-dump-dir-file", conf: "CoreDumpDirectory httpd.conf"},
	{name: "default-type", conf: "DefaultType text/plain\nDefaultType None\nDefaultType off\n<Directory />\nDefaultType application/octet-stream\n</Directory>\nBogus63"},
	{name: "fancy-indexing", conf: modAutoindex + "FancyIndexing on"},
	{name: "alias-flags-good", conf: "RedirectRelative On\n<Location /a>\nAliasPreservePath on\nAlias /tmp\n</Location>\n<Directory />\nRedirectRelative off\n</Directory>\nBogus64"},
	{name: "redirect-relative-bad", conf: "RedirectRelative maybe"},
	{name: "alias-preserve-path-bad", conf: "AliasPreservePath 1"},
	{name: "default-language-good", conf: "DefaultLanguage en\n<Directory />\nDefaultLanguage de-CH\n</Directory>\nBogus65"},
	{name: "default-language-two", conf: "DefaultLanguage en de"},
	{name: "qualify-redirect-url", conf: "QualifyRedirectURL On\n<Directory />\nQualifyRedirectURL x\n</Directory>"},
	{name: "directory-check-handler", conf: modDir + "DirectoryCheckHandler On\n<Location />\nDirectoryCheckHandler maybe\n</Location>"},
	{name: "authz-forbidden-on-failure-server", conf: "AuthzSendForbiddenOnFailure On"},
	{name: "authz-forbidden-on-failure-good", conf: "<Location />\nAuthzSendForbiddenOnFailure On\n</Location>\nBogus66"},
	{name: "authz-forbidden-on-failure-bad", conf: "<Directory />\nAuthzSendForbiddenOnFailure yes\n</Directory>"},
}

// modDir loads mod_dir.
const modDir = "LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so\n"

// modAutoindex loads mod_autoindex.
const modAutoindex = "LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so\n"

// modHTTP2 loads mod_http2.
const modHTTP2 = "LoadModule http2_module /usr/lib/apache2/modules/mod_http2.so\n"

// modSSL loads mod_ssl (with the socache module its session cache needs).
const modSSL = "LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"

func TestAgainstApache(t *testing.T) {
	bin := apache2(t)
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) { runDiffCase(t, bin, tc) })
	}
}

// runDiffCase runs apache2 and gowsgid on one case and compares their
// output and exit codes.
func runDiffCase(t *testing.T, bin string, tc diffCase) {
	dir := t.TempDir()
	conf := tc.conf
	if !tc.bare {
		conf = preamble + conf
	}
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(body, "$DIR", dir)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("httpd.conf", conf)
	for name, body := range tc.files {
		write(name, body)
	}
	for name, target := range tc.links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-t", "-f", filepath.Join(dir, "httpd.conf")}
	for _, a := range tc.args {
		args = append(args, strings.ReplaceAll(a, "$DIR", dir))
	}
	wantOut, wantErr, wantCode := runApache(t, bin, dir, tc.env, args)
	gotOut, gotErr, gotCode := runGowsgid(t, dir, tc.env, args)
	if gotCode != wantCode {
		t.Errorf("exit code %d, apache2 %d", gotCode, wantCode)
	}
	compareOutput(t, "stdout", gotOut, wantOut)
	compareOutput(t, "stderr", gotErr, wantErr)
}

func runApache(t *testing.T, bin, dir string, env, args []string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// runGowsgid runs Check in-process with apache2's flags parsed the way
// cmd/gowsgid parses them, under the name apache2 so messages compare.
func runGowsgid(t *testing.T, dir string, env, args []string) (string, string, int) {
	t.Helper()
	o := Options{Prog: "apache2"}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-t":
			o.Test = true
		case "-f":
			i++
			o.ConfigFile = args[i]
		case "-d":
			i++
			o.ServerRoot = args[i]
		case "-D":
			i++
			o.Defines = append(o.Defines, args[i])
		case "-C":
			i++
			o.Before = append(o.Before, args[i])
		case "-c":
			i++
			o.After = append(o.After, args[i])
		case "-S":
			o.Defines = append(o.Defines, "DUMP_VHOSTS", "DUMP_RUN_CFG")
		case "-M":
			o.Defines = append(o.Defines, "DUMP_MODULES")
		default:
			t.Fatalf("flag %q", args[i])
		}
	}
	extra := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		extra[k] = v
	}
	o.Getenv = func(k string) (string, bool) {
		if v, ok := extra[k]; ok {
			return v, true
		}
		return os.LookupEnv(k)
	}
	var out, errb bytes.Buffer
	o.Stdout, o.Stderr = &out, &errb
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	res := Check(o)
	return out.String(), errb.String(), res.ExitCode
}
