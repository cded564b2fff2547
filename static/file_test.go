package static

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	fixtureMtime = time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	fixtureLM    = "Tue, 02 Jan 2024 03:04:05 GMT"
	farLater     = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	hundred      = strings.Repeat("0123456789", 10)
)

// fixture writes content to a new file with the given mtime.
func fixture(t *testing.T, content string, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return p
}

// serve runs ServeFile on path for a request with the given header lines.
func serve(t *testing.T, path, method string, headers []string, o FileOptions) (*httptest.ResponseRecorder, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader
	if method == http.MethodPost || method == http.MethodPut {
		body = strings.NewReader("request body")
	}
	r := httptest.NewRequest(method, "/f.txt", body)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Add(k, strings.TrimSpace(v))
	}
	w := httptest.NewRecorder()
	err = ServeFile(w, r, f, fi, o)
	return w, err
}

func defaultOptions() FileOptions {
	return FileOptions{ContentType: "text/plain", ETag: ETagBits{MTime: true, Size: true}, RequestTime: farLater}
}

func TestServeFilePlain(t *testing.T) {
	p := fixture(t, "file txt\n", fixtureMtime)
	etag := fmt.Sprintf(`"9-%x"`, fixtureMtime.UnixMicro())
	tests := []struct {
		name, method string
		o            FileOptions
		status       int
		want         map[string]string // "" = must be absent
		body         string
	}{
		{"GET", "GET", defaultOptions(), 200, map[string]string{
			"Last-Modified": fixtureLM, "ETag": etag, "Accept-Ranges": "bytes", "Content-Length": "9",
			"Content-Type": "text/plain", "Content-Encoding": "", "Content-Language": ""}, "file txt\n"},
		{"HEAD", "HEAD", defaultOptions(), 200, map[string]string{"Content-Length": "9", "ETag": etag}, ""},
		{"POST", "POST", defaultOptions(), 200, map[string]string{"Content-Length": "9"}, "file txt\n"},
		{"no type", "GET", FileOptions{ETag: ETagBits{MTime: true, Size: true}}, 200, map[string]string{"Content-Type": ""}, "file txt\n"},
		{"FileETag None", "GET", FileOptions{ContentType: "text/plain"}, 200, map[string]string{"ETag": "", "Last-Modified": fixtureLM}, "file txt\n"},
		{"FileETag Size", "GET", FileOptions{ETag: ETagBits{Size: true}, RequestTime: farLater}, 200, map[string]string{"ETag": `"9"`}, "file txt\n"},
		{"FileETag MTime", "GET", FileOptions{ETag: ETagBits{MTime: true}, RequestTime: farLater}, 200, map[string]string{"ETag": fmt.Sprintf(`"%x"`, fixtureMtime.UnixMicro())}, "file txt\n"},
		{"weak when just modified", "GET", FileOptions{ETag: ETagBits{Size: true}, RequestTime: fixtureMtime.Add(999 * time.Millisecond)}, 200, map[string]string{"ETag": `W/"9"`}, "file txt\n"},
		{"strong one second later", "GET", FileOptions{ETag: ETagBits{Size: true}, RequestTime: fixtureMtime.Add(time.Second)}, 200, map[string]string{"ETag": `"9"`}, "file txt\n"},
		{"encodings and languages", "GET", FileOptions{ContentType: "application/x-tar", Encodings: []string{"x-gzip", "x-compress"}, Languages: []string{"en", "de"}}, 200,
			map[string]string{"Content-Encoding": "x-gzip, x-compress", "Content-Language": "en,de"}, "file txt\n"},
		{"MaxRanges none", "GET", FileOptions{MaxRanges: RangesNone}, 200, map[string]string{"Accept-Ranges": "none"}, "file txt\n"},
		{"OPTIONS", "OPTIONS", defaultOptions(), 200, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD,TRACE", "Content-Length": "0",
			"Content-Type": "text/plain", "ETag": "", "Last-Modified": ""}, ""},
		{"OPTIONS TraceEnable Off", "OPTIONS", FileOptions{TraceDisabled: true}, 200, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD", "Content-Type": ""}, ""},
	}
	for _, tt := range tests {
		w, err := serve(t, p, tt.method, nil, tt.o)
		if err != nil {
			t.Errorf("%s: error %v", tt.name, err)
			continue
		}
		checkResponse(t, tt.name, w, tt.status, tt.want, tt.body)
	}
}

func checkResponse(t *testing.T, name string, w *httptest.ResponseRecorder, status int, want map[string]string, body string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("%s: status %d, want %d", name, w.Code, status)
	}
	for k, v := range want {
		// The field spelled exactly k: Values("ETag") would look for
		// Go's "Etag", and Apache sends "ETag".
		got := strings.Join(w.Header()[k], "|")
		if got != v {
			t.Errorf("%s: %s = %q, want %q", name, k, got, v)
		}
	}
	if got := w.Body.String(); got != body {
		t.Errorf("%s: body %q, want %q", name, clipS(got), clipS(body))
	}
}

// field is the value of the header field spelled exactly key (Header.Get
// canonicalises "ETag" to "Etag").
func field(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func clipS(s string) string {
	if len(s) > 400 {
		return s[:400] + "..."
	}
	return s
}

func TestServeFileMethodErrors(t *testing.T) {
	p := fixture(t, "x", fixtureMtime)
	tests := []struct {
		method string
		o      FileOptions
		status int
		allow  string
	}{
		{"PUT", defaultOptions(), 405, "GET,POST,OPTIONS,HEAD,TRACE"},
		{"DELETE", defaultOptions(), 405, "GET,POST,OPTIONS,HEAD,TRACE"},
		{"PROPFIND", defaultOptions(), 405, "GET,POST,OPTIONS,HEAD,TRACE"},
		{"TRACE", FileOptions{TraceDisabled: true}, 405, "GET,POST,OPTIONS,HEAD"},
		{"FOO", defaultOptions(), 501, "GET,POST,OPTIONS,HEAD,TRACE"},
		{"get", defaultOptions(), 501, "GET,POST,OPTIONS,HEAD,TRACE"},
	}
	for _, tt := range tests {
		w, err := serve(t, p, tt.method, nil, tt.o)
		var he *HTTPError
		if !errors.As(err, &he) {
			t.Errorf("%s: err = %v, want *HTTPError", tt.method, err)
			continue
		}
		if he.Status != tt.status || he.Header.Get("Allow") != tt.allow {
			t.Errorf("%s: %d Allow %q, want %d %q", tt.method, he.Status, he.Header.Get("Allow"), tt.status, tt.allow)
		}
		if w.Body.Len() != 0 || len(w.Header()) != 0 {
			t.Errorf("%s: something was written: %v %q", tt.method, w.Header(), w.Body)
		}
		if !strings.Contains(he.Error(), fmt.Sprint(tt.status)) {
			t.Errorf("%s: Error() = %q", tt.method, he.Error())
		}
	}
}

func TestServeFileDirectoryAndEmpty(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	err = ServeFile(httptest.NewRecorder(), httptest.NewRequest("GET", "/d", nil), f, fi, defaultOptions())
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 404 {
		t.Errorf("directory: %v, want 404", err)
	}

	p := fixture(t, "", fixtureMtime)
	tests := []struct {
		method  string
		headers []string
		status  int
		cl      string
	}{
		{"GET", nil, 200, "0"},
		{"HEAD", nil, 200, ""}, // Apache drops "Content-Length: 0" for HEAD
		{"GET", []string{"Range: bytes=0-1"}, 200, "0"},
		{"HEAD", []string{`If-Match: "x"`}, 412, ""},
	}
	for _, tt := range tests {
		w, err := serve(t, p, tt.method, tt.headers, defaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		checkResponse(t, "empty "+tt.method+strings.Join(tt.headers, ""), w, tt.status, map[string]string{"Content-Length": tt.cl}, "")
	}
}

func TestServeFileFutureMtime(t *testing.T) {
	future := time.Now().Add(time.Hour)
	p := fixture(t, "x", future)
	before := time.Now().Truncate(time.Second)
	w, err := serve(t, p, "GET", nil, FileOptions{ETag: ETagBits{MTime: true, Size: true}})
	if err != nil {
		t.Fatal(err)
	}
	lm, err := http.ParseTime(w.Header().Get("Last-Modified"))
	if err != nil || lm.Before(before) || lm.After(time.Now()) {
		t.Errorf("Last-Modified %q is not the current time", w.Header().Get("Last-Modified"))
	}
	if want := fmt.Sprintf(`W/"1-%x"`, future.UnixMicro()); field(w.Header(), "ETag") != want {
		t.Errorf("ETag %q, want %q", field(w.Header(), "ETag"), want)
	}
}

// TestServeFileBefore1970: a file dated before 1970 is dated at the
// epoch, as r->mtime (which ap_update_mtime never lowers below 0) dates
// it: Last-Modified is the epoch, and the date preconditions compare with
// the time now (If-Modified-Since just after the epoch: 200; If-
// Unmodified-Since: 412), as for a file dated exactly 0.
func TestServeFileBefore1970(t *testing.T) {
	for _, mtime := range []time.Time{time.Date(1960, 5, 5, 5, 5, 5, 0, time.UTC), time.Unix(-1, 0), time.Unix(0, 0)} {
		p := fixture(t, "x", mtime)
		o := defaultOptions()
		o.RequestTime = time.Time{}
		w, err := serve(t, p, "GET", nil, o)
		if err != nil || w.Header().Get("Last-Modified") != "Thu, 01 Jan 1970 00:00:00 GMT" {
			t.Errorf("%v: Last-Modified %q, %v", mtime, w.Header().Get("Last-Modified"), err)
		}
		const early = "Thu, 01 Jan 1970 00:00:01 GMT"
		if w, _ := serve(t, p, "GET", []string{"If-Modified-Since: " + early}, o); w.Code != 200 {
			t.Errorf("%v: If-Modified-Since: %d, want 200", mtime, w.Code)
		}
		if w, _ := serve(t, p, "GET", []string{"If-Unmodified-Since: " + early}, o); w.Code != 412 {
			t.Errorf("%v: If-Unmodified-Since: %d, want 412", mtime, w.Code)
		}
	}
}

// TestPreconditions is the RFC 7232 precondition matrix as Apache
// evaluates it (ap_meets_conditions).
func TestPreconditions(t *testing.T) {
	p := fixture(t, hundred, fixtureMtime)
	etag := fmt.Sprintf(`"64-%x"`, fixtureMtime.UnixMicro())
	lmPlus := "Tue, 02 Jan 2024 03:04:06 GMT"
	lmMinus := "Tue, 02 Jan 2024 03:04:04 GMT"
	recent := FileOptions{ETag: ETagBits{MTime: true, Size: true}, RequestTime: fixtureMtime.Add(10 * time.Second)}
	noETag := FileOptions{RequestTime: farLater}
	tests := []struct {
		name    string
		method  string
		headers []string
		o       FileOptions
		status  int
	}{
		{"none", "GET", nil, defaultOptions(), 200},
		{"IMS equal", "GET", []string{"If-Modified-Since: " + fixtureLM}, defaultOptions(), 304},
		{"IMS later", "GET", []string{"If-Modified-Since: " + lmPlus}, defaultOptions(), 304},
		{"IMS earlier", "GET", []string{"If-Modified-Since: " + lmMinus}, defaultOptions(), 200},
		{"IMS after request time", "GET", []string{"If-Modified-Since: Sat, 01 Jun 2024 00:00:01 GMT"}, defaultOptions(), 200},
		{"IMS garbage", "GET", []string{"If-Modified-Since: garbage"}, defaultOptions(), 200},
		{"IMS RFC 850", "GET", []string{"If-Modified-Since: Tuesday, 02-Jan-24 03:04:05 GMT"}, defaultOptions(), 304},
		{"IMS asctime", "GET", []string{"If-Modified-Since: Tue Jan  2 03:04:05 2024"}, defaultOptions(), 304},
		{"IMS HEAD", "HEAD", []string{"If-Modified-Since: " + fixtureLM}, defaultOptions(), 304},
		{"IMS POST ignored", "POST", []string{"If-Modified-Since: " + fixtureLM}, defaultOptions(), 200},
		{"IMS with Range, old file", "GET", []string{"If-Modified-Since: " + fixtureLM, "Range: bytes=0-1"}, defaultOptions(), 304},
		{"IUS equal", "GET", []string{"If-Unmodified-Since: " + fixtureLM}, defaultOptions(), 200},
		{"IUS earlier", "GET", []string{"If-Unmodified-Since: " + lmMinus}, defaultOptions(), 412},
		{"IUS garbage", "GET", []string{"If-Unmodified-Since: garbage"}, defaultOptions(), 200},
		{"IUS earlier POST", "POST", []string{"If-Unmodified-Since: " + lmMinus}, defaultOptions(), 412},
		{"INM match", "GET", []string{"If-None-Match: " + etag}, defaultOptions(), 304},
		{"INM weak form", "GET", []string{"If-None-Match: W/" + etag}, defaultOptions(), 304},
		{"INM upper-case hex", "GET", []string{"If-None-Match: " + strings.ToUpper(etag)}, defaultOptions(), 200}, // exact inside quotes
		{"INM other", "GET", []string{`If-None-Match: "other"`}, defaultOptions(), 200},
		{"INM star", "GET", []string{"If-None-Match: *"}, defaultOptions(), 304},
		{"INM list", "GET", []string{`If-None-Match: "a" , ` + etag}, defaultOptions(), 304},
		{"INM two fields", "GET", []string{`If-None-Match: "a"`, "If-None-Match: " + etag}, defaultOptions(), 304},
		{"INM HEAD", "HEAD", []string{"If-None-Match: " + etag}, defaultOptions(), 304},
		{"INM POST", "POST", []string{"If-None-Match: " + etag}, defaultOptions(), 412},
		{"INM POST weak form", "POST", []string{"If-None-Match: W/" + etag}, defaultOptions(), 200},
		{"INM POST star", "POST", []string{"If-None-Match: *"}, defaultOptions(), 412},
		{"INM with Range strong", "GET", []string{"If-None-Match: " + etag, "Range: bytes=0-1"}, defaultOptions(), 304},
		{"INM with Range weak form", "GET", []string{"If-None-Match: W/" + etag, "Range: bytes=0-1"}, defaultOptions(), 206},
		{"IM match", "GET", []string{"If-Match: " + etag}, defaultOptions(), 200},
		{"IM other", "GET", []string{`If-Match: "x"`}, defaultOptions(), 412},
		{"IM star", "GET", []string{"If-Match: *"}, defaultOptions(), 200},
		{"IM weak form", "GET", []string{"If-Match: W/" + etag}, defaultOptions(), 412},
		{"IM weak item first", "GET", []string{`If-Match: W/"x", ` + etag}, defaultOptions(), 412},
		{"IM strong list", "GET", []string{`If-Match: "x", ` + etag}, defaultOptions(), 200},
		{"IM before INM", "GET", []string{`If-Match: "x"`, "If-None-Match: " + etag}, defaultOptions(), 412},
		{"IUS before INM", "GET", []string{"If-Unmodified-Since: " + lmMinus, "If-None-Match: " + etag}, defaultOptions(), 412},
		{"INM match, IMS garbage", "GET", []string{"If-None-Match: " + etag, "If-Modified-Since: garbage"}, defaultOptions(), 200},
		{"INM other, IMS equal", "GET", []string{`If-None-Match: "x"`, "If-Modified-Since: " + fixtureLM}, defaultOptions(), 200},
		{"INM match, IMS equal", "GET", []string{"If-None-Match: " + etag, "If-Modified-Since: " + fixtureLM}, defaultOptions(), 304},
		{"If-Range stops 304", "GET", []string{"If-None-Match: " + etag, "If-Range: " + etag, "Range: bytes=0-1"}, defaultOptions(), 206},
		{"If-Range without Range", "GET", []string{"If-None-Match: " + etag, "If-Range: " + etag}, defaultOptions(), 304},
		{"recent IMS", "GET", []string{"If-Modified-Since: " + fixtureLM}, recent, 304},
		{"recent IMS with Range", "GET", []string{"If-Modified-Since: " + fixtureLM, "Range: bytes=0-1"}, recent, 206},
		{"recent IUS earlier", "GET", []string{"If-Unmodified-Since: " + lmMinus}, recent, 412},
		{"recent IUS earlier with Range", "GET", []string{"If-Unmodified-Since: " + lmMinus, "Range: bytes=0-1"}, recent, 206},
		{"no ETag: INM star", "GET", []string{"If-None-Match: *"}, noETag, 304},
		{"no ETag: INM value", "GET", []string{`If-None-Match: "x"`}, noETag, 200},
		{"no ETag: IM value", "GET", []string{`If-Match: "x"`}, noETag, 412},
		{"no ETag: IM star", "GET", []string{"If-Match: *"}, noETag, 200},
	}
	for _, tt := range tests {
		w, err := serve(t, p, tt.method, tt.headers, tt.o)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if w.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, w.Code, tt.status)
			continue
		}
		switch tt.status {
		case 304:
			want := map[string]string{"Last-Modified": fixtureLM, "Accept-Ranges": "bytes", "Content-Length": "", "Content-Type": ""}
			checkResponse(t, tt.name, w, 304, want, "")
		case 412:
			cl := "0"
			if tt.method == "HEAD" {
				cl = "100"
			}
			checkResponse(t, tt.name, w, 412, map[string]string{"Last-Modified": fixtureLM, "Content-Length": cl}, "")
		}
	}
}

func TestServeFileRanges(t *testing.T) {
	p := fixture(t, hundred, fixtureMtime)
	etag := fmt.Sprintf(`"64-%x"`, fixtureMtime.UnixMicro())
	b := multipartBoundary()
	part := func(ct string, s, e int) string {
		h := "\r\n--" + b + "\r\n"
		if ct != "" {
			h += "Content-type: " + ct + "\r\n"
		}
		return h + fmt.Sprintf("Content-range: bytes %d-%d/100\r\n\r\n", s, e) + hundred[s:e+1]
	}
	end := "\r\n--" + b + "--\r\n"
	tests := []struct {
		name    string
		method  string
		headers []string
		o       FileOptions
		status  int
		want    map[string]string
		body    string
	}{
		{"single", "GET", []string{"Range: bytes=0-9"}, defaultOptions(), 206,
			map[string]string{"Content-Range": "bytes 0-9/100", "Content-Length": "10", "Content-Type": "text/plain", "ETag": etag}, "0123456789"},
		{"open", "GET", []string{"Range: bytes=95-"}, defaultOptions(), 206, map[string]string{"Content-Range": "bytes 95-99/100"}, "56789"},
		{"suffix", "GET", []string{"Range: bytes=-3"}, defaultOptions(), 206, map[string]string{"Content-Range": "bytes 97-99/100"}, "789"},
		{"end clipped", "GET", []string{"Range: bytes=98-1000"}, defaultOptions(), 206, map[string]string{"Content-Range": "bytes 98-99/100"}, "89"},
		{"whole via 0-", "GET", []string{"Range: bytes=5-6,0-"}, defaultOptions(), 206, map[string]string{"Content-Range": "bytes 0-99/100"}, hundred},
		{"merged overlap", "GET", []string{"Range: bytes=0-5,3-8"}, defaultOptions(), 206, map[string]string{"Content-Range": "bytes 0-8/100"}, hundred[:9]},
		{"merged adjacent", "GET", []string{"Range: bytes=0-1,2-3"}, defaultOptions(), 206, map[string]string{"Content-Range": "bytes 0-3/100"}, hundred[:4]},
		{"multipart", "GET", []string{"Range: bytes=0-1,5-6"}, defaultOptions(), 206,
			map[string]string{"Content-Type": "multipart/byteranges; boundary=" + b, "Content-Range": ""},
			part("text/plain", 0, 1) + part("text/plain", 5, 6) + end},
		{"multipart in request order", "GET", []string{"Range: bytes=50-51,0-1"}, defaultOptions(), 206, nil,
			part("text/plain", 50, 51) + part("text/plain", 0, 1) + end},
		{"multipart without type", "GET", []string{"Range: bytes=0-1,5-6"}, FileOptions{}, 206, nil,
			part("", 0, 1) + part("", 5, 6) + end},
		{"multipart HEAD", "HEAD", []string{"Range: bytes=0-1,5-6"}, defaultOptions(), 206,
			map[string]string{"Content-Length": fmt.Sprint(len(part("text/plain", 0, 1) + part("text/plain", 5, 6) + end))}, ""},
		{"HEAD single", "HEAD", []string{"Range: bytes=0-9"}, defaultOptions(), 206, map[string]string{"Content-Length": "10"}, ""},
		{"POST", "POST", []string{"Range: bytes=0-9"}, defaultOptions(), 206, nil, "0123456789"},
		{"partly unsatisfiable", "GET", []string{"Range: bytes=200-300,0-1"}, defaultOptions(), 206, map[string]string{"Content-Range": "bytes 0-1/100"}, "01"},
		{"invalid ignored", "GET", []string{"Range: bytes=x-1"}, defaultOptions(), 200, map[string]string{"Content-Range": ""}, hundred},
		{"backwards ignored", "GET", []string{"Range: bytes=5-1"}, defaultOptions(), 200, nil, hundred},
		{"suffix zero ignored", "GET", []string{"Range: bytes=-0"}, defaultOptions(), 200, nil, hundred},
		{"other unit ignored", "GET", []string{"Range: lines=1-2"}, defaultOptions(), 200, nil, hundred},
		{"sum too large ignored", "GET", []string{"Range: bytes=0-60,70-99,65-66,80-95"}, defaultOptions(), 200, nil, hundred},
		{"If-Range etag", "GET", []string{"Range: bytes=0-1", "If-Range: " + etag}, defaultOptions(), 206, nil, "01"},
		{"If-Range other", "GET", []string{"Range: bytes=0-1", `If-Range: "x"`}, defaultOptions(), 200, nil, hundred},
		{"If-Range date", "GET", []string{"Range: bytes=0-1", "If-Range: " + fixtureLM}, defaultOptions(), 206, nil, "01"},
		{"If-Range other date", "GET", []string{"Range: bytes=0-1", "If-Range: Tue, 02 Jan 2024 03:04:06 GMT"}, defaultOptions(), 200, nil, hundred},
		{"If-Range date of recent file", "GET", []string{"Range: bytes=0-1", "If-Range: " + fixtureLM},
			FileOptions{RequestTime: fixtureMtime.Add(30 * time.Second)}, 200, nil, hundred},
		{"MaxRanges 1", "GET", []string{"Range: bytes=0-1,5-6"}, FileOptions{MaxRanges: 1}, 200, nil, hundred},
		{"MaxRanges none", "GET", []string{"Range: bytes=0-1"}, FileOptions{MaxRanges: RangesNone}, 200, map[string]string{"Accept-Ranges": "none"}, hundred},
		{"MaxRangeOverlaps none", "GET", []string{"Range: bytes=0-5,3-8"}, FileOptions{MaxRangeOverlaps: RangesNone}, 200, nil, hundred},
		{"MaxRangeReversals 1", "GET", []string{"Range: bytes=10-19,5-12,0-6"}, FileOptions{MaxRangeReversals: 1}, 200, nil, hundred},
		{"MaxRangeReversals unlimited", "GET", []string{"Range: bytes=10-19,5-12,0-6"}, FileOptions{MaxRangeReversals: RangesUnlimited}, 206, nil, hundred[:20]},
	}
	for _, tt := range tests {
		w, err := serve(t, p, tt.method, tt.headers, tt.o)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		checkResponse(t, tt.name, w, tt.status, tt.want, tt.body)
		if cl := w.Header().Get("Content-Length"); tt.method != "HEAD" && cl != fmt.Sprint(w.Body.Len()) {
			t.Errorf("%s: Content-Length %s for a body of %d", tt.name, cl, w.Body.Len())
		}
	}
}

func TestServeFileUnsatisfiable(t *testing.T) {
	p := fixture(t, hundred, fixtureMtime)
	for _, tt := range []struct {
		method string
		rng    string
		o      FileOptions
	}{
		{"GET", "bytes=100-", defaultOptions()},
		{"HEAD", "bytes=200-300,300-", defaultOptions()},
		{"GET", "bytes=100-", FileOptions{MaxRanges: RangesNone}},
	} {
		w, err := serve(t, p, tt.method, []string{"Range: " + tt.rng}, tt.o)
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != 416 {
			t.Errorf("%s %s: %v, want 416", tt.method, tt.rng, err)
			continue
		}
		if w.Body.Len() != 0 || field(w.Header(), "ETag") != "" || w.Header().Get("ETag") != "" || w.Header().Get("Content-Length") != "" {
			t.Errorf("%s %s: written or headers left: %v", tt.method, tt.rng, w.Header())
		}
	}
}

func TestServeFileManyRanges(t *testing.T) {
	p := fixture(t, strings.Repeat(hundred, 10), fixtureMtime)
	var rs []string
	for i := range 33 {
		rs = append(rs, fmt.Sprintf("%d-%d", i*20, i*20+1))
	}
	w, err := serve(t, p, "GET", []string{"Range: bytes=" + strings.Join(rs, ",")}, defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if w.Code != 206 || w.Header().Get("Content-Length") != "" {
		t.Errorf("33 ranges: %d, Content-Length %q; Apache sends no length", w.Code, w.Header().Get("Content-Length"))
	}
	if n := strings.Count(w.Body.String(), "Content-range: "); n != 33 {
		t.Errorf("%d parts", n)
	}
	w, _ = serve(t, p, "GET", []string{"Range: bytes=" + strings.Join(rs[:32], ",")}, defaultOptions())
	if w.Header().Get("Content-Length") != fmt.Sprint(w.Body.Len()) {
		t.Errorf("32 ranges: Content-Length %q, body %d", w.Header().Get("Content-Length"), w.Body.Len())
	}
}

func TestDigestETag(t *testing.T) {
	p := fixture(t, "digest me", fixtureMtime)
	sum := sha1.Sum([]byte("digest me"))
	want := `"` + base64.StdEncoding.EncodeToString(sum[:]) + `"`
	w, err := serve(t, p, "GET", nil, FileOptions{ETag: ETagBits{Digest: true, MTime: true}, RequestTime: fixtureMtime})
	if err != nil {
		t.Fatal(err)
	}
	if got := field(w.Header(), "ETag"); got != want {
		t.Errorf("ETag %q, want %q (a digest is never weak)", got, want)
	}
	if w.Body.String() != "digest me" {
		t.Errorf("body %q", w.Body)
	}
	dfi, err := os.Stat(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := makeETag(dfi, ETagBits{Digest: true}, time.Now().Add(time.Hour), nil); got != `""` {
		t.Errorf("directory with FileETag Digest: %q, want Apache's empty quotes", got)
	}
}

func TestFindETag(t *testing.T) {
	tests := []struct {
		line, tok string
		weak      bool
		want      bool
	}{
		{`"abc"`, `"abc"`, false, true},
		{`"abc"`, `"abd"`, false, false},
		{`"ABC"`, `"abc"`, false, false},         // exact inside quotes
		{`"abc" ;x=Y`, `"abc";x=y`, false, true}, // outside: case-insensitive, blanks around ; dropped
		{`W/"abc"`, `"abc"`, false, false},
		{`W/"abc"`, `"abc"`, true, true},
		{`"abc"`, `W/"abc"`, true, true},
		{`"abc"`, `W/"abc"`, false, false},
		{`"x", "abc"`, `"abc"`, false, true},
		{`W/"x", "abc"`, `"abc"`, false, false}, // strong scan stops at a weak item
		{`W/"x", "abc"`, `"abc"`, true, true},
		{`,, "abc" ,`, `"abc"`, false, true},
		{`"ab"`, `"abc"`, false, false},
		{`"abc`, `"abc"`, false, false},
		{`"abcd"`, `"abc"`, false, false},
		{`"a b"`, `"a b"`, false, true},
		{``, `"abc"`, false, false},
		{`"abc"`, ``, true, false},
		{`abc`, `abc`, true, false},
	}
	for _, tt := range tests {
		if got := findETag(tt.line, tt.tok, tt.weak); got != tt.want {
			t.Errorf("findETag(%q, %q, weak=%v) = %v, want %v", tt.line, tt.tok, tt.weak, got, tt.want)
		}
	}
}

func TestParseHTTPDate(t *testing.T) {
	want := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC).Unix()
	tests := []struct {
		in   string
		want int64
	}{
		{"Sun, 06 Nov 1994 08:49:37 GMT", want},
		{"Sunday, 06-Nov-94 08:49:37 GMT", want},
		{"Sun Nov  6 08:49:37 1994", want},
		{"Sun, 6 Nov 1994 08:49:37 GMT", want},
		{"  Sun, 06 Nov 1994 08:49:37 GMT", want},
		{"Sun, 06 Nov 1994 08:49:37 XYZ", want}, // the zone is not looked at
		{"Xyz, 06 Nov 1994 08:49:37 GMT", want}, // nor the weekday
		{"Sun, 06 Nov 1994 08:49:37", 0},        // a blank must follow the time
		{"Sun, 06 nov 1994 08:49:37 GMT", 0},
		{"Sun, 06 Nov 1994 24:49:37 GMT", 0},
		{"Sun, 31 Nov 1994 08:49:37 GMT", 0},
		{"Sun, 29 Feb 1996 08:49:37 GMT", time.Date(1996, 2, 29, 8, 49, 37, 0, time.UTC).Unix()},
		{"Sun, 29 Feb 1995 08:49:37 GMT", 0},
		{"Sun, 29 Feb 2000 08:49:37 GMT", time.Date(2000, 2, 29, 8, 49, 37, 0, time.UTC).Unix()},
		{"Sun, 06 Nov 1969 08:49:37 GMT", 0},
		{"Sunday, 06-Nov-69 08:49:37 GMT", time.Date(2069, 11, 6, 8, 49, 37, 0, time.UTC).Unix()},
		{"garbage", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := parseHTTPDate(tt.in); got != tt.want {
			t.Errorf("parseHTTPDate(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestSetByterange(t *testing.T) {
	tests := []struct {
		rng        string
		clength    int64
		want       []byteRange
		n, ov, rev int
	}{
		{"bytes=0-9", 100, []byteRange{{0, 9}}, 1, 0, 0},
		{"BYTES=0-9", 100, []byteRange{{0, 9}}, 1, 0, 0},
		{"bytes=0-1,5-6", 100, []byteRange{{0, 1}, {5, 6}}, 2, 0, 0},
		{"bytes=0-5,3-8", 100, []byteRange{{0, 8}}, 1, 1, 0},
		{"bytes=0-1,2-3", 100, []byteRange{{0, 3}}, 1, 1, 0},
		{"bytes=5-9,0-4", 100, []byteRange{{0, 9}}, 1, 1, 1},
		{"bytes=5-9,0-3", 100, []byteRange{{5, 9}, {0, 3}}, 2, 0, 0},
		{"bytes=0-1,5-6,1-5", 100, []byteRange{{0, 1}, {1, 6}}, 2, 1, 1},
		{"bytes=-10", 100, []byteRange{{90, 99}}, 1, 0, 0},
		{"bytes=-1000", 100, []byteRange{{0, 99}}, 1, 0, 0},
		{"bytes=90-", 100, []byteRange{{90, 99}}, 1, 0, 0},
		{"bytes=1-1,0-", 100, []byteRange{{0, 99}}, 1, 0, 0},
		{"bytes=0-,x", 100, []byteRange{{0, 99}}, 1, 0, 0},
		{"bytes=100-", 100, nil, -1, 0, 0},
		{"bytes=100-,0-0", 100, []byteRange{{0, 0}}, 1, 0, 0},
		{"bytes=0-0,,2-2", 100, []byteRange{{0, 0}, {2, 2}}, 2, 0, 0},
		{"bytes=0-0,", 100, []byteRange{{0, 0}}, 1, 0, 0},
		{"bytes=", 100, nil, 0, 0, 0},
		{"bytes= 0-1", 100, nil, 0, 0, 0},
		{"bytes=0-1, 3-4", 100, nil, 0, 0, 0},
		{"bytes=+1-2", 100, nil, 0, 0, 0},
		{"bytes=-", 100, nil, 0, 0, 0},
		{"bytes=1", 100, nil, 0, 0, 0},
		{"bytes=2-1", 100, nil, 0, 0, 0},
		{"bytes=99999999999999999999-", 100, nil, 0, 0, 0},
		{"bytes=0-60,50-99,0-", 100, []byteRange{{0, 99}}, 1, 1, 0}, // "0-" does not reset the counters
		{"bytes=0-60,70-99,65-66", 100, []byteRange{{0, 60}, {70, 99}, {65, 66}}, 3, 0, 0},
		{"bytes=0-60,70-99,65-66,60-70", 100, nil, 0, 1, 1}, // sum of lengths > file
		{"items=0-1", 100, nil, 0, 0, 0},
		{"byte", 100, nil, 0, 0, 0},
	}
	for _, tt := range tests {
		got, n, ov, rev := setByterange(tt.rng, tt.clength)
		if n != tt.n || ov != tt.ov || rev != tt.rev || (n > 0 && fmt.Sprint(got) != fmt.Sprint(tt.want)) {
			t.Errorf("setByterange(%q, %d) = %v, n=%d ov=%d rev=%d; want %v, n=%d ov=%d rev=%d",
				tt.rng, tt.clength, got, n, ov, rev, tt.want, tt.n, tt.ov, tt.rev)
		}
	}
}

// FuzzRange checks that whatever setByterange accepts lies inside the file
// and never adds up to more than the file.
func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=0-1,5-6", "bytes=-5", "bytes=5-", "bytes=0-5,3-8,1-2,90-", "bytes=100-", "bytes=,,,"} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, rng string, clength int64) {
		if clength <= 0 {
			return
		}
		rs, n, _, _ := setByterange(rng, clength)
		if n <= 0 {
			if len(rs) != 0 {
				t.Fatalf("n=%d with ranges %v", n, rs)
			}
			return
		}
		if n != len(rs) {
			t.Fatalf("n=%d, %d ranges", n, len(rs))
		}
		var sum int64
		for _, r := range rs {
			if r.start < 0 || r.end >= clength || r.start > r.end {
				t.Fatalf("range %v outside a file of %d", r, clength)
			}
			sum += r.end - r.start + 1
		}
		if sum > clength {
			t.Fatalf("sum %d > %d", sum, clength)
		}
	})
}

// FuzzPreconditions checks that any combination of validators gives one of
// the statuses Apache can give, and 304 only for GET and HEAD.
func FuzzPreconditions(f *testing.F) {
	f.Add("GET", `"9-1"`, "", "", "", "", "", "")
	f.Add("POST", "", `"9-1"`, "", "", "", "", "")
	f.Add("HEAD", "*", "*", fixtureLM, fixtureLM, `"9-1"`, "bytes=0-1", "")
	f.Fuzz(func(t *testing.T, method, im, inm, ims, ius, ifRange, rng, _ string) {
		if method != "GET" && method != "HEAD" && method != "POST" {
			method = "GET"
		}
		r := httptest.NewRequest(method, "/", nil)
		for k, v := range map[string]string{"If-Match": im, "If-None-Match": inm, "If-Modified-Since": ims,
			"If-Unmodified-Since": ius, "If-Range": ifRange, "Range": rng} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		v := validators{etag: `"9-1"`, mtime: fixtureMtime.Unix(), reqtime: farLater.Unix(), isGet: method != "POST"}
		switch s := v.meetsConditions(r); s {
		case 0, 412:
		case 304:
			if method == "POST" {
				t.Fatal("304 for POST")
			}
		default:
			t.Fatalf("status %d", s)
		}
	})
}

func TestNoBodyForHEAD(t *testing.T) {
	p := fixture(t, hundred, fixtureMtime)
	for _, h := range [][]string{nil, {"Range: bytes=0-1"}, {"Range: bytes=0-1,4-5"}, {"If-None-Match: *"}} {
		w, _ := serve(t, p, "HEAD", h, defaultOptions())
		if w.Body.Len() != 0 {
			t.Errorf("HEAD %v wrote a body", h)
		}
	}
}

// FuzzParsers feeds arbitrary text to the ported C parsers and matchers:
// none may panic, and a pattern without special characters matches only
// itself (NUL ends a string in C, so it is left out of that check).
func FuzzParsers(f *testing.F) {
	for _, s := range [][2]string{{"*.txt", "a.txt"}, {"[a-", "x"}, {`\`, `\`}, {"text/html; a=\"b\"", "W/\"x\", \"y\""},
		{"Sun, 06 Nov 1994 08:49:37 GMT", "bytes=0-1,-5"}, {"a??*[!]]", ".hidden"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, flags := range []int{0, fnmNoEscape | fnmPeriod, fnmPathname, fnmCaseBlind} {
			m := fnmatch(a, b, flags)
			if !strings.ContainsAny(a, "*?[\\/\x00") && !strings.Contains(b, "\x00") && a != "" && b != "" && flags&fnmCaseBlind == 0 && m != (a == b) &&
				!(flags&fnmPeriod != 0 && strings.HasPrefix(b, ".")) {
				t.Fatalf("fnmatch(%q, %q, %#x) = %v", a, b, flags, m)
			}
		}
		fnmatchTest(a)
		strcmpMatch(a, b, false)
		strcmpMatch(a, b, true)
		strnatcmp(a, b, true)
		analyzeCT(a)
		rebuildContentType(a, b)
		parseHTTPDate(a)
		findETag(a, b, true)
		findETag(a, b, false)
		setByterange(a, int64(len(b)))
		getwordConf(a)
		normalizeParent("/" + a)
		unescapeURL(a)
		(&listing{d: &aiConfig{}}).terminateDescription(a, 0, len(b)+1)
	})
}

// An error document keeps the error's status: no preconditions (Apache's
// no_local_copy), no ranges (the byterange filter only handles 200).
func TestServeFileErrorStatus(t *testing.T) {
	p := fixture(t, hundred, fixtureMtime)
	o := defaultOptions()
	o.Status = http.StatusNotFound
	for _, h := range [][]string{nil, {"If-Modified-Since: " + fixtureLM}, {"Range: bytes=0-9"}, {"If-Match: \"nope\""}} {
		w, err := serve(t, p, http.MethodGet, h, o)
		if err != nil {
			t.Fatal(err)
		}
		checkResponse(t, fmt.Sprint(h), w, http.StatusNotFound, map[string]string{"Content-Length": "100",
			"Last-Modified": fixtureLM, "Content-Range": ""}, hundred)
	}
}

// TestServeBodyRanges covers the byterange filter on a handler's body:
// a section of a file from an offset, the handler's own validators for
// If-Range (named in any case), and the headers that make the filter
// leave the body alone.
func TestServeBodyRanges(t *testing.T) {
	p := fixture(t, hundred, fixtureMtime)
	b := multipartBoundary()
	tests := []struct {
		name    string
		reqHdr  []string
		handler http.Header
		o       FileOptions
		served  bool
		status  int
		want    map[string]string
		body    string
	}{
		{"single from the offset", []string{"Range: bytes=0-4"}, nil, FileOptions{}, true, 206,
			map[string]string{"Content-Range": "bytes 0-4/50", "Content-Length": "5"}, hundred[40:45]},
		{"suffix", []string{"Range: bytes=-3"}, nil, FileOptions{}, true, 206,
			map[string]string{"Content-Range": "bytes 47-49/50"}, hundred[87:90]},
		{"multipart", []string{"Range: bytes=0-1,10-11"}, nil, FileOptions{ContentType: "text/x"}, true, 206,
			map[string]string{"Content-Type": "multipart/byteranges; boundary=" + b},
			"\r\n--" + b + "\r\nContent-type: text/x\r\nContent-range: bytes 0-1/50\r\n\r\n" + hundred[40:42] +
				"\r\n--" + b + "\r\nContent-type: text/x\r\nContent-range: bytes 10-11/50\r\n\r\n" + hundred[50:52] +
				"\r\n--" + b + "--\r\n"},
		{"If-Range names the handler's etag", []string{"Range: bytes=0-1", `If-Range: "h"`},
			http.Header{"etag": {`"h"`}}, FileOptions{}, true, 206, nil, hundred[40:42]},
		{"If-Range names another", []string{"Range: bytes=0-1", `If-Range: "x"`},
			http.Header{"ETag": {`"h"`}}, FileOptions{}, false, 0, nil, ""},
		{"If-Range date of the handler's Last-Modified", []string{"Range: bytes=0-1", "If-Range: " + fixtureLM},
			http.Header{"last-modified": {fixtureLM}}, FileOptions{}, true, 206, nil, hundred[40:42]},
		{"If-Range date without Last-Modified", []string{"Range: bytes=0-1", "If-Range: " + fixtureLM},
			nil, FileOptions{}, false, 0, nil, ""},
		{"already a range", []string{"Range: bytes=0-1"}, http.Header{"content-range": {"bytes 0-1/2"}}, FileOptions{}, false, 0, nil, ""},
		{"already multipart", []string{"Range: bytes=0-1"}, http.Header{"Content-Type": {"Multipart/Byteranges; boundary=x"}}, FileOptions{}, false, 0, nil, ""},
		{"over MaxRanges", []string{"Range: bytes=0-1,5-6"}, nil, FileOptions{MaxRanges: 1}, false, 0, nil, ""},
		{"no Range", nil, nil, FileOptions{}, false, 0, nil, ""},
	}
	for _, tt := range tests {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/app", nil)
		for _, h := range tt.reqHdr {
			k, v, _ := strings.Cut(h, ": ")
			r.Header.Add(k, v)
		}
		w := httptest.NewRecorder()
		for k, v := range tt.handler {
			w.Header()[k] = v
		}
		served, err := ServeBodyRanges(w, r, f, 40, 50, tt.o)
		f.Close()
		if err != nil || served != tt.served {
			t.Errorf("%s: served %v, %v; want %v", tt.name, served, err, tt.served)
			continue
		}
		if !served {
			if w.Body.Len() != 0 || w.Code != 200 || len(w.Header()) != len(tt.handler) {
				t.Errorf("%s: wrote %d %q %v while passing the body on", tt.name, w.Code, w.Body, w.Header())
			}
			continue
		}
		checkResponse(t, tt.name, w, tt.status, tt.want, tt.body)
	}

	f, _ := os.Open(p)
	defer f.Close()
	r := httptest.NewRequest("GET", "/app", nil)
	r.Header.Set("Range", "bytes=50-")
	w := httptest.NewRecorder()
	served, err := ServeBodyRanges(w, r, f, 40, 50, FileOptions{})
	var he *HTTPError
	if served || !errors.As(err, &he) || he.Status != 416 || w.Body.Len() != 0 {
		t.Errorf("past the end: served %v, %v, body %q; want a 416 with nothing written", served, err, w.Body)
	}
}
