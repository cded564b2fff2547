package vhost

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// headerOut makes the http_header filter's last changes: Vary joined or
// dropped (force-no-vary, which also ends a body of unknown length with
// the connection), the connection closed under nokeepalive unless a
// proxy relayed the request, a HEAD's Content-Length of 0 dropped.
func TestHeaderOut(t *testing.T) {
	for _, tc := range []struct {
		name, method string
		env          Vars
		via          bool
		in, want     http.Header
	}{
		{"vary joined", "GET", nil, false,
			http.Header{"vary": {"Cookie, Accept-Encoding", "User-Agent"}},
			http.Header{"vary": {"Cookie,Accept-Encoding,User-Agent"}}},
		{"force-no-vary", "GET", Vars{{"force-no-vary", "1"}}, false,
			http.Header{"Vary": {"Accept-Encoding"}, "Keep-Alive": {"timeout=5"}, "Connection": {"Keep-Alive"}},
			http.Header{"Connection": {"close"}, "Transfer-Encoding": {"identity"}}},
		{"force-no-vary with a length", "GET", Vars{{"force-no-vary", "1"}}, false,
			http.Header{"Vary": {"Accept-Encoding"}, "Content-Length": {"5"}},
			http.Header{"Connection": {"close"}, "Content-Length": {"5"}}},
		{"nokeepalive", "GET", Vars{{"nokeepalive", "1"}}, false,
			http.Header{"Connection": {"Upgrade"}},
			http.Header{"Connection": {"close", "Upgrade"}}},
		{"nokeepalive through a proxy", "GET", Vars{{"nokeepalive", "1"}}, true,
			http.Header{}, http.Header{}},
		{"HEAD, length 0", "HEAD", nil, false,
			http.Header{"Content-Length": {"0"}}, http.Header{}},
		{"GET, length 0", "GET", nil, false,
			http.Header{"Content-Length": {"0"}}, http.Header{"Content-Length": {"0"}}},
	} {
		hr := httptest.NewRequest(tc.method, "/", nil)
		if tc.via {
			hr.Header.Set("Via", "1.1 proxy")
		}
		rec := httptest.NewRecorder()
		for k, v := range tc.in {
			rec.Header()[k] = v
		}
		w := &headerOut{ResponseWriter: rec, r: &Request{HTTP: hr, Method: tc.method, Env: tc.env}}
		w.WriteHeader(http.StatusOK)
		if got := rec.Header(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
