package static

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// readFromRecorder records what a file's body is copied from: net/http's
// ReadFrom sends an *os.File (under an io.LimitedReader) with sendfile(2).
type readFromRecorder struct {
	*httptest.ResponseRecorder
	fromFile bool
}

func (w *readFromRecorder) ReadFrom(src io.Reader) (int64, error) {
	r := src
	if lr, ok := r.(*io.LimitedReader); ok {
		r = lr.R
	}
	_, w.fromFile = r.(*os.File)
	return io.Copy(w.ResponseRecorder, src)
}

// TestEnableSendfileOff checks that EnableSendfile Off (NoSendfile)
// hides the file from net/http's sendfile path, for a whole file, a range
// and several ranges, and that the body is the same.
func TestEnableSendfileOff(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rng := range []string{"", "bytes=2-4"} {
		for _, off := range []bool{false, true} {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := f.Stat()
			req := httptest.NewRequest(http.MethodGet, "/f.txt", nil)
			if rng != "" {
				req.Header.Set("Range", rng)
			}
			w := &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
			if err := ServeFile(w, req, f, fi, FileOptions{NoSendfile: off}); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if w.fromFile == off {
				t.Errorf("range %q, NoSendfile %v: file handed to ReadFrom %v", rng, off, w.fromFile)
			}
			want := "0123456789"
			if rng != "" {
				want = "234"
			}
			if got := w.Body.String(); got != want {
				t.Errorf("range %q, NoSendfile %v: body %q, want %q", rng, off, got, want)
			}
		}
	}
}
