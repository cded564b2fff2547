package robust

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// workersConf caps the server at two requests at once.
const workersConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
PidFile $DIR/httpd.pid
ThreadsPerChild 2
MaxRequestWorkers 2
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
WSGIScriptAlias /sleep $DIR/sleep.wsgi
`

const sleepApp = `import threading, time

def application(environ, start_response):
    open(__file__ + '.in.%d' % threading.get_ident(), 'w').close()
    time.sleep(2)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'slept']
`

// MaxRequestWorkers caps the requests served at once, whatever serves
// them: with both workers asleep in a WSGI app, a request for a static
// file waits until one is free,
// and the error log says AH00484 once, as Apache's MPM does.
func TestMaxRequestWorkers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sleep.wsgi"), []byte(sleepApp), 0o644)
	os.WriteFile(filepath.Join(dir, "static.txt"), []byte("static\n"), 0o644)
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	apachetest.StartGowsgid(t, dir, fmt.Sprintf(workersConf, addr), nil, addr)

	var wg sync.WaitGroup
	sleep := func() {
		defer wg.Done()
		if code, body := get(t, addr, "/sleep"); code != 200 || body != "slept" {
			t.Errorf("GET /sleep: %d %q", code, body)
		}
	}
	wg.Add(2)
	go sleep()
	go sleep()
	// Both sleepers are in.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if in, _ := filepath.Glob(filepath.Join(dir, "sleep.wsgi.in.*")); len(in) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the two sleeping requests did not reach the app")
		}
	}
	// They hold both workers for well over a second more: the static
	// file waits that long (without the cap it takes milliseconds).
	start := time.Now()
	if code, body := get(t, addr, "/static.txt"); code != 200 || body != "static\n" {
		t.Errorf("GET /static.txt: %d %q", code, body)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("the static file was answered after %v, while both workers slept", waited)
	}
	wg.Wait()
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
	const ah00484 = "[mpm_event:error] [pid "
	if bytes.Count(log, []byte(ah00484)) != 1 || !bytes.Contains(log, []byte("AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting")) {
		t.Errorf("error log, want AH00484 once:\n%s", log)
	}
	// Free again, the static file is served at once.
	if code, body := get(t, addr, "/static.txt"); code != 200 || body != "static\n" {
		t.Errorf("after the sleepers: %d %q", code, body)
	}
}
