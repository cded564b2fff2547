package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// headerSeeds are heads readHeader must read as ReadMIMEHeader reads
// them: plain, folded, malformed, cut short.
var headerSeeds = []string{
	"Host: a\r\n\r\n",
	"\r\n",
	"\n",
	"host: a\r\nX-b: 1\r\nAccept: */*\r\nx-B: 2\r\n\r\nbody",
	"A: 1\nB: 2\n\n",
	"A: 1\r\n  folded\r\n\tagain \r\nB: 2\r\n\r\n",
	"A: 1\r\n \r\n\r\n",
	" Leading: 1\r\n\r\n",
	"NoColon\r\n\r\n",
	": empty name\r\n\r\n",
	"Bad Name: 1\r\n\r\n",
	"Bad(Name): 1\r\n\r\n",
	"A: ctl\x01\r\n\r\n",
	"A: del\x7f\r\n\r\n",
	"A: obs-text \xe9\r\n\r\n",
	"A: cr\r\r\n\r\n",
	"A: 1\r\nB",
	"A: 1\r\n",
	"A: 1\r\n ",
	"A: 1\r",
	"A:   \r\n\r\n",
	"a-b-c: 1\r\nA-B-C: 2\r\n\r\n",
	"A: 1\r\n\r\n\r\nnext",
	"X: " + strings.Repeat("v", 300) + "\r\nY: " + strings.Repeat("w", 40) + "\r\n\r\n",
}

// readBoth reads head with readHeader from a reader whose buffer is
// size bytes (so that heads longer than it are gathered) and with
// ReadMIMEHeader, and returns what each read and left unread.
func readBoth(head string, size int, slow bool) (own, std http.Header, names []string, ownErr, stdErr error, ownRest, stdRest string) {
	var r io.Reader = strings.NewReader(head)
	if slow {
		r = iotest.OneByteReader(r)
	}
	br := bufio.NewReaderSize(r, size)
	own, names, ownErr = readHeader(br)
	rest, _ := io.ReadAll(br)
	ownRest = string(rest)
	sbr := bufio.NewReader(strings.NewReader(head))
	mh, stdErr := textproto.NewReader(sbr).ReadMIMEHeader()
	std = http.Header(mh)
	rest, _ = io.ReadAll(sbr)
	stdRest = string(rest)
	return
}

// checkLikeTextproto fails t where readHeader and ReadMIMEHeader
// disagree on head: the same fields, the same bytes left, an error for
// the same heads; and names name each field once.
func checkLikeTextproto(t *testing.T, head string, size int) {
	t.Helper()
	checkRead(t, head, size, false)
	checkRead(t, head, size, true)
}

// checkRead is checkLikeTextproto with the head arriving at once or a
// byte at a time (slow).
func checkRead(t *testing.T, head string, size int, slow bool) {
	t.Helper()
	own, std, names, ownErr, stdErr, ownRest, stdRest := readBoth(head, size, slow)
	if errors.Is(ownErr, errEmptyFold) && stdErr == nil {
		return // Apache's rule, not textproto's
	}
	if (ownErr != nil) != (stdErr != nil) {
		t.Fatalf("%q (buffer %d, slow %v): error %v, textproto's %v", head, size, slow, ownErr, stdErr)
	}
	if ownErr != nil {
		return
	}
	if len(own) == 0 && len(std) == 0 {
		own, std = nil, nil
	}
	if !reflect.DeepEqual(own, std) {
		t.Fatalf("%q (buffer %d): fields %q, textproto's %q", head, size, own, std)
	}
	if ownRest != stdRest {
		t.Fatalf("%q (buffer %d): left %q unread, textproto %q", head, size, ownRest, stdRest)
	}
	seen := map[string]bool{}
	for _, n := range names {
		k := textproto.CanonicalMIMEHeaderKey(n)
		if seen[k] || own[k] == nil {
			t.Fatalf("%q: names %q: %q twice or not a field", head, names, n)
		}
		seen[k] = true
	}
	if len(seen) != len(own) {
		t.Fatalf("%q: names %q leave out fields of %q", head, names, own)
	}
}

// TestHeaderLikeTextproto: readHeader reads what ReadMIMEHeader reads,
// with the head inside the buffer and gathered across refills.
func TestHeaderLikeTextproto(t *testing.T) {
	for _, head := range headerSeeds {
		for _, size := range []int{16, 64, 4096} {
			checkLikeTextproto(t, head, size)
		}
	}
}

func FuzzHeaderLikeTextproto(f *testing.F) {
	for _, head := range headerSeeds {
		f.Add(head, uint8(0))
	}
	f.Fuzz(func(t *testing.T, head string, size uint8) {
		checkLikeTextproto(t, head, 16+int(size))
	})
}

// TestRefusedOnArrival: a line ReadMIMEHeader refuses is refused as it
// arrives, without waiting for the rest of the head (which may never
// come, or come up to the size limit).
func TestRefusedOnArrival(t *testing.T) {
	for _, head := range []string{"Host: x\r\nnocolon\r\n", " leading: x\r\n", "Host: x\r\nBad(Name): y\r\n",
		"Host: x\r\nA: ctl\x01\r\n", "Host: x\r\n  fold\x01\r\n"} {
		pr, pw := io.Pipe()
		go pw.Write([]byte(head)) // and never more, never closed
		done := make(chan error, 1)
		go func() {
			_, _, err := readHeader(bufio.NewReader(pr))
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%q: read without an error", head)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%q: still waiting for the rest of the head", head)
		}
		pr.Close()
	}
}

// TestFieldOrder: names keep the order of first appearance and the
// spelling that came first; repeated fields join in the map.
func TestFieldOrder(t *testing.T) {
	head := "host: a\r\nX-b: 1\r\nAccept: */*\r\nx-B: 2\r\nuser-agent: u\r\n\r\n"
	for _, size := range []int{16, 4096} {
		h, names, err := readHeader(bufio.NewReaderSize(strings.NewReader(head), size))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"host", "X-b", "Accept", "user-agent"}; !reflect.DeepEqual(names, want) {
			t.Errorf("buffer %d: names %q, want %q", size, names, want)
		}
		if got := h["X-B"]; !reflect.DeepEqual(got, []string{"1", "2"}) {
			t.Errorf("buffer %d: X-B %q", size, got)
		}
	}
}

// TestFieldNames: a handler finds the request's field names through
// FieldNames; a request this package did not read has none.
func TestFieldNames(t *testing.T) {
	var got []string
	srv := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = FieldNames(r.WithContext(r.Context()))
	}), ErrorLog: discardLog()}
	ln := serve(t, srv)
	exchange(t, ln.Addr().String(), "GET / HTTP/1.1\r\nuser-agent: x\r\nHOST: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n")
	if want := []string{"user-agent", "HOST", "Transfer-Encoding", "Connection"}; !reflect.DeepEqual(got, want) {
		t.Errorf("FieldNames %q, want %q", got, want)
	}
	if names := FieldNames(httptestRequest()); names != nil {
		t.Errorf("FieldNames of a request not read here: %q", names)
	}
}

func httptestRequest() *http.Request {
	r, _ := http.ReadRequest(bufio.NewReader(bytes.NewReader([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))))
	return r
}

// BenchmarkReadHeader reads a browser-like head with readHeader and with
// ReadMIMEHeader: `go test -bench ReadHeader -benchmem ./internal/http1`.
func BenchmarkReadHeader(b *testing.B) {
	head := "Host: bench.test\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n" +
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\n" +
		"Accept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\nIf-None-Match: \"1000-5f3a\"\r\n" +
		"If-Modified-Since: Mon, 07 Dec 2026 08:00:00 GMT\r\n\r\n"
	sr := strings.NewReader(head)
	br := bufio.NewReader(sr)
	b.Run("own", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sr.Reset(head)
			br.Reset(sr)
			if _, _, err := readHeader(br); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("textproto", func(b *testing.B) {
		b.ReportAllocs()
		tp := textproto.NewReader(br)
		for b.Loop() {
			sr.Reset(head)
			br.Reset(sr)
			if _, err := tp.ReadMIMEHeader(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestEmptyFoldRefused: a continuation line of only white space is
// refused, as Apache refuses it (AH03443), where textproto takes it; a
// continuation with text is joined.
func TestEmptyFoldRefused(t *testing.T) {
	for _, head := range []string{"X-A: a\r\n \r\n\r\n", "X-A: a\r\n\t \t\r\n\r\n", "X-A: a\r\n b\r\n \r\n\r\n"} {
		if _, _, err := readHeader(bufio.NewReader(strings.NewReader(head))); !errors.Is(err, errEmptyFold) {
			t.Errorf("%q: error %v, want errEmptyFold", head, err)
		}
	}
	h, _, err := readHeader(bufio.NewReader(strings.NewReader("X-A: a\r\n \t b\r\n\r\n")))
	if err != nil || h.Get("X-A") != "a b" {
		t.Errorf("folded: %q %v", h, err)
	}
}
