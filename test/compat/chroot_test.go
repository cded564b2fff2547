package compat

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// jailApp shows the paths a jailed application sees.
const jailApp = `import os, sys
def application(environ, start_response):
    lines = ['SCRIPT_FILENAME=%s' % environ.get('SCRIPT_FILENAME'),
             'DOCUMENT_ROOT=%s' % environ.get('DOCUMENT_ROOT', '(none)'),
             'cwd=%s' % os.getcwd(), 'file=%s' % __file__, 'module=%s' % __name__,
             'uid=%d' % os.getuid(), 'root=%s' % sorted(os.listdir('/'))]
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [('\n'.join(lines) + '\n').encode()]
`

// chrootSite covers WSGIDaemonProcess chroot=: the daemon process
// changes its root directory before it takes its user and its home=
// (a path in the jail), so the application sees the jail's paths:
// SCRIPT_FILENAME and DOCUMENT_ROOT without the jail's directory (no
// DOCUMENT_ROOT when it lies outside), the script's module named after
// its path in the jail; a script outside the jail is a 500. The jail
// holds a copy of Python's standard library, which the interpreter
// needs there. chroot= needs root, in both servers.
func chrootSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + `Listen ` + addr + `
ServerName jail.test
User www-data
Group www-data
LogLevel info wsgi:warn
DocumentRoot $DIR/jail/htdocs
<Directory />
  Require all granted
</Directory>
WSGIDaemonProcess jail threads=2 chroot=$DIR/jail home=/srv
WSGIScriptAlias /in $DIR/jail/srv/app.wsgi process-group=jail
WSGIScriptAlias /out $DIR/app.wsgi process-group=jail
<VirtualHost ` + addr + `>
  ServerName jail.test
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName outside.test
  DocumentRoot $DIR/htdocs
</VirtualHost>
`
	return site{
		name: "chroot", host: "jail.test", conf: conf, root: true, errorLog: true,
		fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{
			"jail/srv/app.wsgi": jailApp,
			"jail/htdocs/a.txt": "a\n",
			"htdocs/a.txt":      "a\n",
			"app.wsgi":          jailApp,
		},
		reqs: []request{get("/in"), get("/in/more"), get("/in", host("outside.test")), get("/out")},
		setup: func(t *testing.T, dir string) {
			apachetest.CopyStdlib(t, filepath.Join(dir, "jail"))
		},
	}
}
