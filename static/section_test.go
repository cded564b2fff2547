package static

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServeSection: a part of a file served as a type map's Body: is,
// with its length and entity headers and no Last-Modified or ETag; the
// map's time decides the date preconditions; a failed one is an error
// page (412) where ServeFile answers an empty 412; ranges are the
// section's.
func TestServeSection(t *testing.T) {
	file := "Body:--x--\nthe inline body\n--x--\n"
	off, n := int64(len("Body:--x--\n")), int64(len("the inline body\n"))
	o := FileOptions{ContentType: "text/plain; charset=utf-8", Languages: []string{"de"}, RequestTime: farLater}
	run := func(method string, headers ...string) (*httptest.ResponseRecorder, error) {
		r := httptest.NewRequest(method, "/m.var", nil)
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ":")
			r.Header.Add(k, strings.TrimSpace(v))
		}
		w := httptest.NewRecorder()
		return w, ServeSection(w, r, io.NewSectionReader(strings.NewReader(file), off, n), n, fixtureMtime, o)
	}
	w, err := run(http.MethodGet)
	if err != nil || w.Code != 200 || w.Body.String() != "the inline body\n" {
		t.Fatalf("GET: %v %d %q", err, w.Code, w.Body.String())
	}
	h := w.Header()
	if h.Get("Content-Length") != "16" || h.Get("Accept-Ranges") != "bytes" || h.Get("Content-Language") != "de" ||
		h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("Last-Modified") != "" || h[ETagKey] != nil {
		t.Errorf("GET headers %v", h)
	}
	if w, _ := run(http.MethodGet, "If-Modified-Since: "+fixtureLM); w.Code != http.StatusNotModified || w.Header().Get("Content-Length") != "" {
		t.Errorf("If-Modified-Since the map's time: %d %v", w.Code, w.Header())
	}
	if w, _ := run(http.MethodGet, "If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT"); w.Code != 200 {
		t.Errorf("If-Modified-Since before the map: %d", w.Code)
	}
	w, err = run(http.MethodGet, `If-Match: "x"`)
	if he, ok := err.(*HTTPError); !ok || he.Status != http.StatusPreconditionFailed || w.Code != 200 || len(w.Header()) != 0 {
		t.Errorf("If-Match: %v, written %d %v", err, w.Code, w.Header())
	}
	w, err = run(http.MethodGet, "Range: bytes=4-9")
	if err != nil || w.Code != http.StatusPartialContent || w.Body.String() != "inline" || w.Header().Get("Content-Range") != "bytes 4-9/16" {
		t.Errorf("Range: %v %d %q %v", err, w.Code, w.Body.String(), w.Header())
	}
	w, err = run(http.MethodHead)
	if err != nil || w.Body.Len() != 0 || w.Header().Get("Content-Length") != "16" {
		t.Errorf("HEAD: %v %q %v", err, w.Body.String(), w.Header())
	}
}
