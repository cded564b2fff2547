package vhost

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// failingFlusher is a ResponseWriter whose flushes fail, as net/http's
// do once the client is gone.
type failingFlusher struct{ *httptest.ResponseRecorder }

func (failingFlusher) FlushError() error { return errors.New("write: broken pipe") }

// TestResponseFlushFailure: a flush that fails marks the response failed
// (what %X logs as X), whether it comes through Flush or through
// http.ResponseController; a writer that cannot flush fails nothing.
func TestResponseFlushFailure(t *testing.T) {
	w := &Response{ResponseWriter: failingFlusher{httptest.NewRecorder()}}
	if err := http.NewResponseController(w).Flush(); err == nil || !w.Failed {
		t.Errorf("ResponseController.Flush: error %v, Failed %v; want the error recorded", err, w.Failed)
	}
	w = &Response{ResponseWriter: failingFlusher{httptest.NewRecorder()}}
	w.Flush()
	if !w.Failed {
		t.Error("a failed Flush is not recorded")
	}
	if w.Status != http.StatusOK {
		t.Errorf("status %d after a flush, want 200", w.Status)
	}
	type plain struct{ http.ResponseWriter }
	w = &Response{ResponseWriter: plain{httptest.NewRecorder()}}
	w.Flush()
	if w.Failed {
		t.Error("a writer that cannot flush counts as failed")
	}
}
