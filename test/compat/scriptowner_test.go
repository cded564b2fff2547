package compat

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scriptOwnerCase is one script of the scriptowner site: its directory
// under $DIR, who owns it and its directory, and their modes.
type scriptOwnerCase struct {
	dir                string
	uid, gid           int // the script's owner and group
	dirUID, dirGID     int
	mode, dirMode      os.FileMode
	group, description string
}

// www-data's and root's ids on Debian.
const (
	wwwData = 33
	root    = 0
)

// scriptOwnerCases cover mod_wsgi's script-user and script-group checks:
// the script's owner (or group) and its directory's, and the write
// permissions each rule refuses.
var scriptOwnerCases = []scriptOwnerCase{
	{"u/ok", wwwData, root, wwwData, root, 0o644, 0o755, "byuser", "owned by the script user"},
	{"u/root", root, root, wwwData, root, 0o644, 0o755, "byuser", "owned by another user"},
	{"u/gw", wwwData, root, wwwData, root, 0o664, 0o755, "byuser", "writable to its group"},
	{"u/ww", wwwData, root, wwwData, root, 0o646, 0o755, "byuser", "writable to the world"},
	{"u/dirroot", wwwData, root, root, root, 0o644, 0o755, "byuser", "in another user's directory"},
	{"u/dirgw", wwwData, root, wwwData, root, 0o644, 0o775, "byuser", "in a directory writable to its group"},
	{"u/dirww", wwwData, root, wwwData, root, 0o644, 0o757, "byuser", "in a directory writable to the world"},
	{"n/ok", wwwData, root, wwwData, root, 0o644, 0o755, "byuid", "owned by the user named by #33"},
	{"g/ok", root, wwwData, root, wwwData, 0o644, 0o755, "bygroup", "of the script group"},
	{"g/root", root, root, root, wwwData, 0o644, 0o755, "bygroup", "of another group"},
	{"g/gw", root, wwwData, root, wwwData, 0o664, 0o755, "bygroup", "writable to its group (allowed)"},
	{"g/ww", root, wwwData, root, wwwData, 0o646, 0o755, "bygroup", "writable to the world"},
	{"g/dirroot", root, wwwData, root, root, 0o644, 0o755, "bygroup", "in another group's directory"},
	{"g/dirgw", root, wwwData, root, wwwData, 0o644, 0o775, "bygroup", "in a directory writable to its group (allowed)"},
	{"g/dirww", root, wwwData, root, wwwData, 0o644, 0o757, "bygroup", "in a directory writable to the world"},
	{"e/root", root, root, root, root, 0o646, 0o757, "", "in embedded mode, which checks nothing"},
}

// scriptOwnerSite covers WSGIDaemonProcess script-user= (also as #uid)
// and script-group=: a script that fails the check is forbidden (403)
// with mod_wsgi's reason in the error log. The owners are only set when
// the tests run as root; otherwise both servers refuse every daemon
// script as not www-data's.
func scriptOwnerSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	var aliases strings.Builder
	var reqs []request
	files := map[string]string{}
	for _, c := range scriptOwnerCases {
		opt := ""
		if c.group != "" {
			opt = " process-group=" + c.group
		}
		fmt.Fprintf(&aliases, "WSGIScriptAlias /%s $DIR/%s/app.wsgi%s\n", c.dir, c.dir, opt)
		files[c.dir+"/app.wsgi"] = "def application(environ, start_response):\n" +
			"    start_response('200 OK', [('Content-Type', 'text/plain')])\n" +
			"    return [environ['mod_wsgi.process_group'].encode() + b'\\n']\n"
		reqs = append(reqs, get("/"+c.dir, func(r *request) { r.name = "GET /" + c.dir + ": " + c.description }))
	}
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + `Listen ` + addr + `
ServerName owner.test
User www-data
Group www-data
# mod_wsgi logs loading the script with its process id.
LogLevel info wsgi:warn
WSGIDaemonProcess byuser threads=2 script-user=www-data
WSGIDaemonProcess byuid threads=2 script-user=#33
WSGIDaemonProcess bygroup threads=2 script-group=www-data
DocumentRoot $DIR
<Directory />
  Require all granted
</Directory>
` + aliases.String()
	return site{
		name: "scriptowner", host: "owner.test", conf: conf, errorLog: true,
		fixed: true, fixedAddrs: []string{addr},
		files: files, reqs: reqs,
		setup: func(t *testing.T, dir string) {
			for _, c := range scriptOwnerCases {
				script := filepath.Join(dir, c.dir, "app.wsgi")
				chownIfRoot(t, script, c.uid, c.gid)
				chownIfRoot(t, filepath.Dir(script), c.dirUID, c.dirGID)
				if err := os.Chmod(script, c.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(filepath.Dir(script), c.dirMode); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
}

// chownIfRoot gives path to uid and gid when the tests run as root.
func chownIfRoot(t *testing.T, path string, uid, gid int) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}
