package static

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestServeFileOnTCP serves files on a real keep-alive TCP connection
// whose context carries it (WithConn), so the body goes corked through
// sendfile: whole files, ranges and several ranges of sizes around the
// packet and buffer sizes arrive intact, one after another on the same
// connection.
func TestServeFileOnTCP(t *testing.T) {
	dir := t.TempDir()
	sizes := []int{1, 511, 512, 513, 4096, 70000, 1 << 20}
	data := map[string][]byte{}
	for _, n := range sizes {
		b := make([]byte, n)
		rand.Read(b)
		name := fmt.Sprintf("f%d", n)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		data["/"+name] = b
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(filepath.Join(dir, r.URL.Path))
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		fi, _ := f.Stat()
		if err := ServeFile(w, r, f, fi, defaultOptions()); err != nil {
			t.Error(err)
		}
	}))
	srv.Config.ConnContext = WithConn
	srv.Start()
	defer srv.Close()
	client := srv.Client()
	get := func(path, rng string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	for _, n := range sizes {
		path := fmt.Sprintf("/f%d", n)
		if resp, body := get(path, ""); resp.StatusCode != 200 || !bytes.Equal(body, data[path]) {
			t.Errorf("GET %s: %d, %d bytes, want 200 and the file", path, resp.StatusCode, len(body))
		}
		if n < 2 {
			continue
		}
		if resp, body := get(path, fmt.Sprintf("bytes=1-%d", n-2)); resp.StatusCode != 206 || !bytes.Equal(body, data[path][1:n-1]) {
			t.Errorf("GET %s, a range: %d, %d bytes", path, resp.StatusCode, len(body))
		}
		if resp, body := get(path, "bytes=0-0,-1"); resp.StatusCode != 206 || !bytes.Contains(body, data[path][n-1:]) {
			t.Errorf("GET %s, two ranges: %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
}
