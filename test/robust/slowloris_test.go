package robust

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// slowlorisConf is conf with mod_reqtimeout's header stage of 2 to 4
// seconds and a Timeout far longer, so that only RequestReadTimeout can
// cut a slow client off.
const slowlorisConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule reqtimeout_module /usr/lib/apache2/modules/mod_reqtimeout.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
LogLevel info
PidFile $DIR/httpd.pid
Timeout 300
RequestReadTimeout header=2-4,MinRate=500 body=2,MinRate=500
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
WSGIScriptAlias / $DIR/app.wsgi
`

// The slowloris attack: 1,000 connections that trickle a request head,
// a byte every half second, hold no worker. A normal client keeps
// getting its answers meanwhile, each within the header stage's first
// two seconds (its whole head arrives at once), and every slow
// connection is answered 408 and closed within the stage's bounds: no
// sooner than 2 s, no later than its 4 s cap (plus the second a read
// may wait, as mod_reqtimeout lets it).
func TestSlowloris(t *testing.T) {
	const slow = 1000
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	apachetest.StartGowsgid(t, dir, fmt.Sprintf(slowlorisConf, addr), nil, addr)

	type outcome struct {
		took   time.Duration
		status string
		err    error
	}
	outcomes := make(chan outcome, slow)
	var opened sync.WaitGroup
	opened.Add(slow)
	for i := 0; i < slow; i++ {
		go func() {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			opened.Done()
			if err != nil {
				outcomes <- outcome{err: err}
				return
			}
			defer c.Close()
			start := time.Now()
			closed := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(c)
				closed <- b
			}()
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Trickle: ")
			tick := time.NewTicker(500 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case b := <-closed:
					line, _, _ := strings.Cut(string(b), "\r\n")
					outcomes <- outcome{took: time.Since(start), status: line}
					return
				case <-tick.C:
					c.Write([]byte{'x'})
				case <-time.After(15 * time.Second):
					outcomes <- outcome{took: time.Since(start), err: fmt.Errorf("still open after 15 s")}
					return
				}
			}
		}()
	}
	opened.Wait()

	// The normal client: a request every 100 ms while the slow ones
	// trickle, each on a new connection.
	var lat []time.Duration
	deadline := time.Now().Add(4 * time.Second)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Now().Before(deadline) {
		start := time.Now()
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("the normal client's request failed during the attack: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "Hello, world!" {
			t.Fatalf("the normal client got %d %q", resp.StatusCode, b)
		}
		lat = append(lat, time.Since(start))
		time.Sleep(100 * time.Millisecond)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if worst := lat[len(lat)-1]; worst > 2*time.Second {
		t.Errorf("the normal client waited %v for an answer, more than the header stage's 2 s", worst)
	}
	t.Logf("normal client: %d requests during the attack, median %v, worst %v", len(lat), lat[len(lat)/2], lat[len(lat)-1])

	var took []time.Duration
	for i := 0; i < slow; i++ {
		o := <-outcomes
		switch {
		case o.err != nil:
			t.Fatalf("slow connection: %v", o.err)
		case o.status != "HTTP/1.1 408 Request Timeout":
			t.Fatalf("slow connection closed after %v with %q, want a 408", o.took, o.status)
		}
		took = append(took, o.took)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	if took[0] < 2*time.Second || took[len(took)-1] > 5*time.Second+500*time.Millisecond {
		t.Errorf("slow connections were cut after %v to %v, want 2 s to 5 s", took[0], took[len(took)-1])
	}
	t.Logf("slow connections: %d answered 408 after %v to %v", slow, took[0], took[len(took)-1])

	log, err := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(log, []byte("AH01382: Request header read timeout")); n != slow {
		t.Errorf("the error log has %d AH01382 lines, want %d", n, slow)
	}
	// The server is still serving, also on a kept-alive connection.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the attack: %v %v", resp, err)
	}
}
