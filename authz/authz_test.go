package authz

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
)

const basicAuth = `AuthType Basic
AuthName "Restricted Area"
AuthUserFile $DIR/htpasswd
AuthGroupFile $DIR/groups
`

type checkCase struct {
	name   string
	body   string // inside <Location /t/>
	req    treq
	status int
	log    string // substring of a log line ("[module:level] message")
	realm  string // expected WWW-Authenticate, "" for none
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeAuthFiles(t, dir)
			cfg := loadConfig(t, dir, "<Location /t/>\n"+c.body+"\n</Location>\n")
			ck := NewChecker(Options{Resolver: testResolver})
			res := ck.Check(dirFor(cfg, "/t/x", "/srv/t/x"), c.req.request("/t/x", "/srv/t/x"))
			if res.Status != c.status {
				t.Errorf("status %d, want %d\n%s", res.Status, c.status, logText(res))
			}
			if !hasLog(res, strings.ReplaceAll(c.log, "$DIR", dir)) {
				t.Errorf("no log %q in\n%s", c.log, logText(res))
			}
			if got := res.Header.Get("WWW-Authenticate"); got != c.realm {
				t.Errorf("WWW-Authenticate %q, want %q", got, c.realm)
			}
		})
	}
}

func TestProviders(t *testing.T) {
	runCases(t, []checkCase{
		{"all granted", "Require all granted", treq{}, 0, "[authz_core:debug] AH01626: authorization result of Require all granted: granted", ""},
		{"all denied", "Require all denied", treq{}, 403, "[authz_core:error] AH01630: client denied by server configuration: /srv/t/x", ""},
		{"env set", "Require env a b", treq{env: []string{"B="}}, 0, "", ""},
		{"env unset", "Require env a b", treq{env: []string{"c=1"}}, 403, "AH01630", ""},
		{"env quoted", `Require env "a b"`, treq{env: []string{"a b=1"}}, 0, "", ""},
		{"method GET", "Require method GET POST", treq{method: "GET"}, 0, "", ""},
		{"method HEAD is GET", "Require method GET", treq{method: "HEAD"}, 0, "", ""},
		{"method PUT", "Require method GET POST", treq{method: "PUT"}, 403, "", ""},
		{"expr true", `Require expr %{REQUEST_METHOD} == 'POST'`, treq{method: "POST"}, 0, "", ""},
		{"expr false", `Require expr %{REQUEST_METHOD} == 'POST'`, treq{method: "GET"}, 403, "AH01630", ""},
		{"expr header", `Require expr req('X-Token') == 'abc'`, treq{hdr: []string{"X-Token: abc"}}, 0, "", ""},
		{"expr ip", `Require expr -R '127.0.0.0/8'`, treq{}, 0, "", ""},
		{"expr ip no", `Require expr -R '10.0.0.0/8'`, treq{}, 403, "", ""},
		{"expr remote user no creds", basicAuth + `Require expr %{REMOTE_USER} == 'usha'`, treq{}, 401, "", `Basic realm="Restricted Area"`},
		{"expr remote user ok", basicAuth + `Require expr %{REMOTE_USER} == 'usha'`, treq{creds: true, user: "usha", pw: "password"}, 0, "", ""},
		{"expr remote user other", basicAuth + `Require expr %{REMOTE_USER} == 'usha'`, treq{creds: true, user: "umd5", pw: "password"}, 401,
			"[authz_core:error] AH01629: authorization failure (no authenticated user): /t/x", `Basic realm="Restricted Area"`},
		{"expr without user is plain deny", basicAuth + `Require expr %{REQUEST_METHOD} == 'PUT'`, treq{creds: true, user: "usha", pw: "password"}, 403, "AH01630", ""},
		{"ip exact", "Require ip 127.0.0.1", treq{}, 0, "", ""},
		{"ip partial", "Require ip 10.1", treq{ip: "10.1.2.3"}, 0, "", ""},
		{"ip cidr miss", "Require ip 10.0.0.0/8 192.168.0.0/255.255.0.0", treq{ip: "172.16.0.1"}, 403, "", ""},
		{"ip netmask", "Require ip 10.0.0.0/8 192.168.0.0/255.255.0.0", treq{ip: "192.168.4.4"}, 0, "", ""},
		{"ip v6", "Require ip 2001:db8::/32", treq{ip: "2001:db8::1"}, 0, "", ""},
		{"ip v6 vs v4", "Require ip 2001:db8::/32", treq{ip: "10.0.0.1"}, 403, "", ""},
		{"local loopback", "Require local", treq{ip: "127.3.4.5", local: "10.0.0.1"}, 0, "", ""},
		{"local same address", "Require local", treq{ip: "10.0.0.1", local: "10.0.0.1"}, 0, "", ""},
		{"local v6", "Require local", treq{ip: "::1", local: "::1"}, 0, "", ""},
		{"local no", "Require local", treq{ip: "10.0.0.2", local: "10.0.0.1"}, 403, "", ""},
		{"host suffix", "Require host example.org", treq{ip: "10.0.0.7"}, 0, "", ""},
		{"host exact", "Require host www.example.org", treq{ip: "10.0.0.7"}, 0, "", ""},
		{"host dot boundary", "Require host ample.org", treq{ip: "10.0.0.7"}, 403, "", ""},
		{"host not nogood", "Require host good.org", treq{ip: "10.0.0.9"}, 403, "", ""},
		{"host double reverse fails", "Require host example.org", treq{ip: "10.0.0.8"}, 403,
			"[authz_host:error] AH01753: access check of 'example.org' to /t/x failed, reason: unable to get the remote host name", ""},
		{"host no ptr", "Require host example.org", treq{ip: "10.0.0.99"}, 403, "AH01753", ""},
		{"host comment", "Require host other.org#example.org", treq{ip: "10.0.0.7"}, 403, "[authz_host:warn] AH10121", ""},
		{"forward-dns yes", "Require forward-dns other.example.net fwd.example.net", treq{ip: "10.0.0.2"}, 0,
			"[authz_host:debug] AH03355: access check for 10.0.0.2 as 'fwd.example.net': yes", ""},
		{"forward-dns no", "Require forward-dns fwd.example.net", treq{ip: "10.0.0.3"}, 403, "AH03355: access check for 10.0.0.3 as 'fwd.example.net': no", ""},
		{"forward-dns unknown", "Require forward-dns nx.example.net", treq{ip: "10.0.0.3"}, 403, `[authz_host:warn] AH03356: No sockaddr info for "nx.example.net"`, ""},
		{"valid-user no creds", basicAuth + "Require valid-user", treq{}, 401, "", `Basic realm="Restricted Area"`},
		{"valid-user", basicAuth + "Require valid-user", treq{creds: true, user: "ucrypt", pw: "password"}, 0, "", ""},
		{"user listed", basicAuth + "Require user umd5 ubcrypt", treq{creds: true, user: "ubcrypt", pw: "password"}, 0, "", ""},
		{"user not listed", basicAuth + "Require user umd5 ubcrypt", treq{creds: true, user: "usha", pw: "password"}, 401,
			"[authz_user:debug] AH01663: access to /t/x failed, reason: user 'usha' does not meet 'require'ments for user to be allowed access", `Basic realm="Restricted Area"`},
		{"group member", basicAuth + "Require group admins", treq{creds: true, user: "umd5", pw: "password"}, 0, "", ""},
		{"group name case-insensitive", basicAuth + "Require group ADMINS", treq{creds: true, user: "umd5", pw: "password"}, 0, "", ""},
		{"group trimmed name", basicAuth + "Require group staff", treq{creds: true, user: "ucrypt", pw: "password"}, 0, "", ""},
		{"group not member", basicAuth + "Require group admins", treq{creds: true, user: "usha", pw: "password"}, 401, "AH01667", `Basic realm="Restricted Area"`},
		{"group no groups", basicAuth + "Require group admins", treq{creds: true, user: "usha256", pw: "password"}, 401,
			"[authz_groupfile:info] AH01666: Authorization of user usha256 to access /t/x failed, reason: user doesn't appear in group file ($DIR/groups).", `Basic realm="Restricted Area"`},
		{"group no file configured", "AuthType Basic\nAuthName x\nAuthUserFile $DIR/htpasswd\nRequire group admins", treq{creds: true, user: "umd5", pw: "password"}, 401,
			"[authz_groupfile:error] AH01664: No group file was specified in the configuration", `Basic realm="x"`},
		{"group file missing", "AuthType Basic\nAuthName x\nAuthUserFile $DIR/htpasswd\nAuthGroupFile $DIR/nope\nRequire group admins", treq{creds: true, user: "umd5", pw: "password"}, 401,
			"[authz_groupfile:error] (2)No such file or directory: AH01665: Could not open group file: $DIR/nope", `Basic realm="x"`},
	})
}

func TestContainers(t *testing.T) {
	const allNotEnv = "<RequireAll>\nRequire ip 127.0.0.0/8\nRequire not env blockme\n</RequireAll>"
	const anyEnvUser = basicAuth + "<RequireAny>\nRequire env letmein\nRequire valid-user\n</RequireAny>"
	const none = "<RequireAll>\nRequire all granted\n<RequireNone>\nRequire env a\nRequire env b\n</RequireNone>\n</RequireAll>"
	const allUserIP = basicAuth + "<RequireAll>\nRequire valid-user\nRequire ip 127.0.0.1\n</RequireAll>"
	const nested = "<RequireAny>\n<RequireAll>\nRequire env a\nRequire env b\n</RequireAll>\n<RequireAll>\nRequire env c\nRequire not env d\n</RequireAll>\n</RequireAny>"
	runCases(t, []checkCase{
		{"all: not env unset", allNotEnv, treq{env: []string{}}, 0, "", ""},
		{"all: not env set", allNotEnv, treq{env: []string{"blockme=1"}}, 403,
			"[authz_core:debug] AH01626: authorization result of Require not env blockme: denied", ""},
		{"all: ip fails", allNotEnv, treq{ip: "10.0.0.1"}, 403, "AH01626: authorization result of <RequireAll>: denied", ""},
		{"any: env", anyEnvUser, treq{env: []string{"letmein=1"}}, 0, "", ""},
		{"any: needs user", anyEnvUser, treq{}, 401, "", `Basic realm="Restricted Area"`},
		{"any: user", anyEnvUser, treq{creds: true, user: "usha", pw: "password"}, 0, "", ""},
		{"none: neither", none, treq{}, 0, "", ""},
		{"none: one", none, treq{env: []string{"b=1"}}, 403, "AH01626: authorization result of Require not env b: denied", ""},
		{"all user ip: no creds", allUserIP, treq{}, 401, "", `Basic realm="Restricted Area"`},
		{"all user ip: wrong ip denies before auth", allUserIP, treq{ip: "10.0.0.1"}, 403, "AH01630", ""},
		{"all user ip: ok", allUserIP, treq{creds: true, user: "usha", pw: "password"}, 0, "", ""},
		{"nested: a b", nested, treq{env: []string{"a=", "b="}}, 0, "", ""},
		{"nested: a", nested, treq{env: []string{"a="}}, 403, "", ""},
		{"nested: c", nested, treq{env: []string{"c="}}, 0, "", ""},
		{"nested: c d", nested, treq{env: []string{"c=", "d="}}, 403, "", ""},
	})
}

// A container with only negative rules stops Apache's start (AH01624),
// but not in a .htaccess file, which nothing checks: there it is
// neutral, so denied.
func TestOnlyNegativeInHtaccess(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, dir, "")
	path := filepath.Join(dir, ".htaccess")
	if err := os.WriteFile(path, []byte("<RequireAll>\nRequire not env a\n</RequireAll>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ht, err := confparse.ReadHtaccess(cfg, path, confparse.OrAuthCfg, confparse.AllOptions, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := NewChecker(Options{Resolver: testResolver}).Check(cfg.Main.Dir.Merge(ht.Dir), treq{}.request("/t/x", "/srv/t/x"))
	if res.Status != 403 || !hasLog(res, "AH01626: authorization result of <RequireAll>: neutral") {
		t.Errorf("status %d\n%s", res.Status, logText(res))
	}
}

func TestLimits(t *testing.T) {
	const limitPost = "<Limit POST>\nRequire all denied\n</Limit>"
	const exceptGet = basicAuth + "<LimitExcept GET>\nRequire valid-user\n</LimitExcept>"
	const mixed = "Require env letmein\n<Limit POST>\nRequire all denied\n</Limit>"
	const inAll = basicAuth + "<RequireAll>\nRequire ip 127.0.0.1\n<Limit POST>\nRequire valid-user\n</Limit>\n</RequireAll>"
	const limitHead = "<Limit HEAD>\nRequire all denied\n</Limit>"
	const exceptHead = "<LimitExcept HEAD OPTIONS>\nRequire all denied\n</LimitExcept>"
	runCases(t, []checkCase{
		{"limit: GET not limited", limitPost, treq{method: "GET"}, 0,
			"AH01625: authorization result of <RequireAny>: granted (directive limited to other methods)", ""},
		{"limit: POST", limitPost, treq{method: "POST"}, 403, "", ""},
		{"except: GET", exceptGet, treq{method: "GET"}, 0, "", ""},
		{"except: HEAD", exceptGet, treq{method: "HEAD"}, 0, "", ""},
		{"except: POST", exceptGet, treq{method: "POST"}, 401, "", `Basic realm="Restricted Area"`},
		{"mixed: GET env", mixed, treq{method: "GET", env: []string{"letmein=1"}}, 0, "", ""},
		{"mixed: GET no env", mixed, treq{method: "GET"}, 403,
			"AH01625: authorization result of Require all denied: neutral (directive limited to other methods)", ""},
		{"mixed: POST env", mixed, treq{method: "POST", env: []string{"letmein=1"}}, 0, "", ""},
		{"in all: GET", inAll, treq{method: "GET"}, 0, "AH01625: authorization result of Require valid-user : granted (directive limited to other methods)", ""},
		{"in all: POST", inAll, treq{method: "POST"}, 401, "", `Basic realm="Restricted Area"`},
		// HEAD in a <Limit> is GET (Apache gives both M_GET).
		{"limit HEAD: GET", limitHead, treq{method: "GET"}, 403, "", ""},
		{"limit HEAD: HEAD", limitHead, treq{method: "HEAD"}, 403, "", ""},
		{"limit HEAD: POST", limitHead, treq{method: "POST"}, 0, "", ""},
		{"except HEAD: GET", exceptHead, treq{method: "GET"}, 0, "", ""},
		{"except HEAD: OPTIONS", exceptHead, treq{method: "OPTIONS"}, 0, "", ""},
		{"except HEAD: POST", exceptHead, treq{method: "POST"}, 403, "", ""},
	})
}

func TestAccessCompat(t *testing.T) {
	const orderPerMethod = "Order allow,deny\nAllow from 192.168.\n<Limit PUT DELETE>\nOrder deny,allow\nDeny from all\n</Limit>"
	runCases(t, []checkCase{
		{"allow,deny allowed", "Order allow,deny\nAllow from 127.0.0.1", treq{}, 0, "", ""},
		{"allow,deny no match", "Order allow,deny\nAllow from 10.0.0.1", treq{}, 403,
			"[access_compat:error] AH01797: client denied by server configuration: /srv/t/x", ""},
		{"allow,deny deny wins", "Order allow,deny\nAllow from all\nDeny from 127.0.0", treq{}, 403, "AH01797", ""},
		{"deny,allow default allow", "Order deny,allow\nDeny from 10.0.0.0/8", treq{}, 0, "", ""},
		{"deny,allow allow wins", "Order deny,allow\nDeny from all\nAllow from env=letmein", treq{env: []string{"letmein=1"}}, 0, "", ""},
		{"deny,allow denied", "Order deny,allow\nDeny from all\nAllow from env=letmein", treq{}, 403, "AH01797", ""},
		{"mutual both", "Order mutual-failure\nAllow from 127.0.0.1\nDeny from env=blockme", treq{env: []string{"blockme=1"}}, 403, "", ""},
		{"mutual allow only", "Order mutual-failure\nAllow from 127.0.0.1\nDeny from env=blockme", treq{}, 0, "", ""},
		{"mutual nothing", "Order mutual-failure\nAllow from 10.0.0.1", treq{}, 403, "", ""},
		{"nenv", "Order allow,deny\nAllow from env=!blockme", treq{}, 0, "", ""},
		{"nenv set", "Order allow,deny\nAllow from env=!blockme", treq{env: []string{"blockme=x"}}, 403, "", ""},
		{"host", "Order allow,deny\nAllow from .example.org", treq{ip: "10.0.0.7"}, 0, "", ""},
		{"host double reverse", "Order allow,deny\nAllow from example.org", treq{ip: "10.0.0.8"}, 403, "", ""},
		{"host boundary", "Order allow,deny\nAllow from good.org", treq{ip: "10.0.0.9"}, 403, "", ""},
		{"with require: both pass", "Order allow,deny\nAllow from all\nRequire all granted", treq{}, 0, "", ""},
		{"with require: compat fails", "Order deny,allow\nDeny from all\nRequire all granted", treq{}, 403, "AH01797", ""},
		{"order limited to POST", "<Limit POST>\nOrder allow,deny\n</Limit>", treq{method: "GET"}, 0, "", ""},
		{"order limited to POST: POST", "<Limit POST>\nOrder allow,deny\n</Limit>", treq{method: "POST"}, 403, "AH01797", ""},
		{"deny limited to POST", "Deny from all\n<Limit POST>\nDeny from all\n</Limit>\nAllow from 10.0.0.1", treq{method: "PUT"}, 403, "", ""},
		// Apache keeps an Order per method: a limited Order changes only
		// its methods'.
		{"order per method: GET", orderPerMethod, treq{method: "GET"}, 403, "AH01797", ""},
		{"order per method: HEAD", orderPerMethod, treq{method: "HEAD"}, 403, "AH01797", ""},
		{"order per method: PUT", orderPerMethod, treq{method: "PUT"}, 403, "AH01797", ""},
		{"order per method: OPTIONS", orderPerMethod, treq{method: "OPTIONS"}, 403, "AH01797", ""},
		{"order per method: POST", "Order allow,deny\n<Limit POST>\nOrder deny,allow\n</Limit>", treq{method: "POST"}, 0, "", ""},
		{"order per method: POST, GET", "Order allow,deny\n<Limit POST>\nOrder deny,allow\n</Limit>", treq{method: "GET"}, 403, "AH01797", ""},
		{"order per method: last wins", "<Limit POST>\nOrder allow,deny\n</Limit>\nOrder deny,allow", treq{method: "POST"}, 0, "", ""},
	})
}

func TestSatisfy(t *testing.T) {
	const anyConf = basicAuth + "Order deny,allow\nDeny from all\nAllow from env=letmein\nSatisfy any\nRequire valid-user"
	const allConf = basicAuth + "Order deny,allow\nDeny from all\nAllow from env=letmein\nSatisfy all\nRequire valid-user"
	const limitedAny = basicAuth + "Order deny,allow\nDeny from all\nAllow from env=letmein\n<Limit POST>\nSatisfy any\n</Limit>\nRequire valid-user"
	const anyAllPut = basicAuth + "Satisfy Any\n<Limit PUT>\nSatisfy All\n</Limit>\nRequire valid-user"
	runCases(t, []checkCase{
		{"any: host ok", anyConf, treq{env: []string{"letmein=1"}}, 0, "", ""},
		{"any: host fails, asks for user", anyConf, treq{}, 401, "[access_compat:error] AH01797", `Basic realm="Restricted Area"`},
		{"any: host fails, user ok", anyConf, treq{creds: true, user: "umd5", pw: "password"}, 0, "AH01797", ""},
		{"any: host fails, bad password", anyConf, treq{creds: true, user: "umd5", pw: "nope"}, 401,
			`[auth_basic:error] AH01617: user umd5: authentication failure for "/t/x": Password Mismatch`, `Basic realm="Restricted Area"`},
		{"all: host fails", allConf, treq{creds: true, user: "umd5", pw: "password"}, 403, "AH01797", ""},
		{"all: host ok, no user", allConf, treq{env: []string{"letmein=1"}}, 401, "", `Basic realm="Restricted Area"`},
		{"all: both", allConf, treq{env: []string{"letmein=1"}, creds: true, user: "umd5", pw: "password"}, 0, "", ""},
		{"any without allow rules grants", basicAuth + "Satisfy any\nRequire valid-user", treq{}, 0, "", ""},
		{"any limited: GET is all", limitedAny, treq{method: "GET", creds: true, user: "umd5", pw: "password"}, 403, "", ""},
		{"any limited: POST", limitedAny, treq{method: "POST", creds: true, user: "umd5", pw: "password"}, 0, "", ""},
		// Apache keeps a Satisfy per method: a limited Satisfy changes
		// only its methods'.
		{"any, all limited: GET", anyAllPut, treq{method: "GET"}, 0, "", ""},
		{"any, all limited: PUT", anyAllPut, treq{method: "PUT"}, 401, "", `Basic realm="Restricted Area"`},
		{"any, all limited: PUT with user", anyAllPut, treq{method: "PUT", creds: true, user: "umd5", pw: "password"}, 0, "", ""},
		{"any: no authn configured", "Order deny,allow\nDeny from all\nSatisfy any\nRequire valid-user", treq{}, 500,
			"[core:error] AH00028: No authentication done but request not allowed without authentication for /t/x. Authentication not configured?", ""},
	})
}

func TestBasicAuth(t *testing.T) {
	const conf = basicAuth + "Require valid-user"
	cases := []checkCase{
		{"no header", conf, treq{}, 401, "", `Basic realm="Restricted Area"`},
		{"wrong scheme", conf, treq{hdr: []string{"Authorization: Bearer abc"}}, 401,
			"[auth_basic:error] AH01614: client used wrong authentication scheme: /t/x", `Basic realm="Restricted Area"`},
		{"scheme case-insensitive", conf, treq{hdr: []string{"Authorization: bAsIc " + basic("usha", "password")[6:]}}, 0, "", ""},
		{"garbled base64", conf, treq{hdr: []string{"Authorization: Basic !!!"}}, 401, "[auth_basic:error] AH01618: user  not found: /t/x", `Basic realm="Restricted Area"`},
		{"no colon", conf, treq{hdr: []string{"Authorization: Basic dXNoYQ=="}}, 401, "AH01617: user usha: authentication failure", `Basic realm="Restricted Area"`},
		{"unknown user", conf, treq{creds: true, user: "nobody", pw: "x"}, 401, "[auth_basic:error] AH01618: user nobody not found: /t/x", `Basic realm="Restricted Area"`},
		{"mismatch", conf, treq{creds: true, user: "ubcrypt", pw: "wrong"}, 401,
			`[auth_basic:error] AH01617: user ubcrypt: authentication failure for "/t/x": Password Mismatch`, `Basic realm="Restricted Area"`},
		{"plain text rejected", conf, treq{creds: true, user: "uplain", pw: "password"}, 401, "AH01617", `Basic realm="Restricted Area"`},
		{"first entry wins", conf, treq{creds: true, user: "umd5", pw: "ignored-second-entry"}, 401, "AH01617", `Basic realm="Restricted Area"`},
		{"quotes in realm", "AuthType Basic\nAuthName 'say \"hi\"'\nAuthUserFile $DIR/htpasswd\nRequire valid-user", treq{}, 401, "", `Basic realm="say \"hi\""`},
		{"AuthType basic lower case", "AuthType basic\nAuthName r\nAuthUserFile $DIR/htpasswd\nRequire valid-user", treq{creds: true, user: "usha", pw: "password"}, 0, "", ""},
		{"no AuthName", "AuthType Basic\nAuthUserFile $DIR/htpasswd\nRequire valid-user", treq{}, 500, "[auth_basic:error] AH01615: need AuthName: /t/x", ""},
		{"no AuthUserFile", "AuthType Basic\nAuthName r\nRequire valid-user", treq{creds: true, user: "usha", pw: "password"}, 500,
			"[authn_file:error] AH01619: AuthUserFile not specified in the configuration", ""},
		{"missing AuthUserFile", "AuthType Basic\nAuthName r\nAuthUserFile $DIR/nope\nRequire valid-user", treq{creds: true, user: "usha", pw: "password"}, 500,
			"[authn_file:error] (2)No such file or directory: AH01620: Could not open password file: $DIR/nope", ""},
		{"AuthUserFile is a directory", "AuthType Basic\nAuthName r\nAuthUserFile $DIR\nRequire valid-user", treq{creds: true, user: "usha", pw: "password"}, 500,
			"(9)Bad file descriptor: AH01620", ""},
		{"AuthType without Require", "AuthType Basic\nAuthName r", treq{}, 500,
			"[authz_core:error] AH01627: AuthType configured with no corresponding authorization directives", ""},
		{"AuthType None", "AuthType None\nRequire all granted", treq{}, 0, "", ""},
		{"AuthType Form", "AuthType Form\nAuthName r\nRequire valid-user", treq{}, 500,
			"[authn_core:error] AH01796: AuthType Form configured without corresponding module", ""},
		{"Require valid-user without AuthType", "Require valid-user", treq{}, 500,
			"[core:error] AH00027: No authentication done but request not allowed without authentication for /t/x. Authentication not configured?", ""},
		{"AuthType with all granted needs no user", basicAuth + "Require all granted", treq{}, 0, "", ""},
		{"AuthType with all denied is 401 after authn? no: 403 before", basicAuth + "Require all denied", treq{creds: true, user: "usha", pw: "password"}, 403, "AH01630", ""},
		{"AuthBasicProvider file", basicAuth + "AuthBasicProvider file\nRequire valid-user", treq{creds: true, user: "usha", pw: "password"}, 0, "", ""},
	}
	for _, u := range testUsers {
		want := 0
		if u.user == "uplain" {
			want = 401
		}
		realm := ""
		if want == 401 {
			realm = `Basic realm="Restricted Area"`
		}
		cases = append(cases, checkCase{"hash " + u.user, conf, treq{creds: true, user: u.user, pw: u.pw}, want, "", realm},
			checkCase{"hash wrong " + u.user, conf, treq{creds: true, user: u.user, pw: "x" + u.pw}, 401, "AH01617", `Basic realm="Restricted Area"`})
	}
	runCases(t, cases)
}

func TestResultUser(t *testing.T) {
	dir := t.TempDir()
	writeAuthFiles(t, dir)
	cfg := loadConfig(t, dir, "<Location /t/>\n"+basicAuth+"Require valid-user\n</Location>\n")
	ck := NewChecker(Options{})
	dc := dirFor(cfg, "/t/x", "")
	res := ck.Check(dc, treq{creds: true, user: "usha", pw: "password"}.request("/t/x", ""))
	if res.Status != 0 || res.User != "usha" || res.AuthType != "Basic" || !res.Granted() {
		t.Errorf("got %+v", res)
	}
	res = ck.Check(dc, treq{creds: true, user: "usha", pw: "bad"}.request("/t/x", ""))
	if res.Status != 401 || res.User != "usha" {
		t.Errorf("got %+v", res)
	}
	// Without a filename the messages name the URI.
	cfg = loadConfig(t, dir, "<Location /t/>\nRequire all denied\n</Location>\n")
	res = ck.Check(dirFor(cfg, "/t/x", ""), treq{}.request("/t/x", ""))
	if !hasLog(res, "AH01630: client denied by server configuration: uri /t/x") {
		t.Errorf("logs:\n%s", logText(res))
	}
	// No configuration at all grants.
	if res := ck.Check(nil, treq{}.request("/", "")); res.Status != 0 || !hasLog(res, "AH01628: authorization result: granted (no directives)") {
		t.Errorf("nil config: %+v", res)
	}
}

func TestExprVary(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, dir, "<Location /t/>\nRequire expr req('X-Token') == 'abc'\n</Location>\n")
	res := NewChecker(Options{}).Check(dirFor(cfg, "/t/x", ""), treq{hdr: []string{"X-Token: abc"}}.request("/t/x", ""))
	if res.Status != 0 || len(res.Vary) != 1 || !strings.EqualFold(res.Vary[0], "X-Token") {
		t.Errorf("got status %d vary %q", res.Status, res.Vary)
	}
}

func TestModuleLoaded(t *testing.T) {
	dir := t.TempDir()
	writeAuthFiles(t, dir)
	cfg := loadConfig(t, dir, "<Location /t/>\n"+basicAuth+"Order deny,allow\nDeny from all\nRequire valid-user\n</Location>\n")
	dc := dirFor(cfg, "/t/x", "")
	for _, c := range []struct {
		missing string
		status  int
		log     string
	}{
		{"", 403, "AH01797"},
		{"mod_access_compat.c", 401, ""},
		{"mod_authn_file.c", 401, ""},
		{"mod_auth_basic.c", 500, "AH01796: AuthType Basic configured without corresponding module"},
	} {
		ck := NewChecker(Options{ModuleLoaded: func(m string) bool {
			return m != c.missing && (c.missing == "" || m != "mod_access_compat.c")
		}})
		res := ck.Check(dc, treq{}.request("/t/x", ""))
		if res.Status != c.status || !hasLog(res, c.log) {
			t.Errorf("without %q: status %d, logs\n%s", c.missing, res.Status, logText(res))
		}
	}
	ck := NewChecker(Options{ModuleLoaded: func(m string) bool { return m != "mod_authn_file.c" && m != "mod_access_compat.c" }})
	res := ck.Check(dc, treq{creds: true, user: "usha", pw: "password"}.request("/t/x", ""))
	if res.Status != 500 || !hasLog(res, "AH01616: No Authn provider configured") {
		t.Errorf("without authn_file: status %d, logs\n%s", res.Status, logText(res))
	}
}

func TestLogLineFormat(t *testing.T) {
	r := &Request{RemoteIP: []byte{127, 0, 0, 1}, RemotePort: 58744}
	l := LogLine{Module: "authz_core", Level: LevelError, Message: "AH01630: client denied by server configuration: /x"}
	tm := mustTime("2026-11-22T03:13:42.888677Z")
	got := l.Format(tm, 20034, 20038, r.ClientAddr())
	want := "[Sun Nov 22 03:13:42.888677 2026] [authz_core:error] [pid 20034:tid 20038] [client 127.0.0.1:58744] AH01630: client denied by server configuration: /x"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	l.Server = true
	if got := l.Format(tm, 1, 2, r.ClientAddr()); strings.Contains(got, "[client") {
		t.Errorf("server line has a client: %s", got)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
