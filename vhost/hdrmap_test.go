package vhost

import (
	"net/http"
	"reflect"
	"testing"
)

// The helpers find a field in any spelling and change it in the
// handler's, as Apache's tables do.
func TestHeaderMapFold(t *testing.T) {
	hdr := http.Header{"vary": {"Cookie", "User-Agent"}, "etag": {`"low"`}, "content-md5": {"abc"}}
	if got := getFold(hdr, "ETag"); got != `"low"` {
		t.Errorf("getFold(ETag) = %q", got)
	}
	mergeFold(hdr, "Vary", "Accept-Encoding")
	setFoldKeep(hdr, "ETag", `"low-gzip"`)
	setFoldKeep(hdr, "Content-Encoding", "gzip")
	delFold(hdr, "Content-MD5")
	want := http.Header{"vary": {"Cookie, Accept-Encoding", "User-Agent"}, "etag": {`"low-gzip"`}, "Content-Encoding": {"gzip"}}
	if !reflect.DeepEqual(hdr, want) {
		t.Errorf("got %v, want %v", hdr, want)
	}
	if hasFold(http.Header{"Content-Type": nil}, "content-type") {
		t.Error("a nil field counts")
	}
}
