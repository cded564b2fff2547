package vhost

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"

	"github.com/gowsgid/gowsgid/confparse"
)

// compressBufferSize is DeflateBufferSize's default: a response whose
// compressed body fits is sent with a Content-Length, as Apache's
// content-length filter sees it whole; a longer one goes out as it is
// compressed (chunked on HTTP/1.1).
const compressBufferSize = 8096

// smallResponse is mod_deflate's threshold: a response known to be at
// most this long (gzip header, trailer and 50 bytes of headers) is not
// worth compressing.
const smallResponse = 10 + 8 + 50

// encoder is a gzip or brotli stream writer.
type encoder interface {
	io.Writer
	Flush() error
	Close() error
}

// encoderPools keeps the (large) compressor states for reuse, per
// encoding and level.
type encoderPools struct {
	mu    sync.Mutex
	pools map[string]*sync.Pool
}

func (p *encoderPools) get(enc string, level int, w io.Writer) encoder {
	key := enc + strconv.Itoa(level)
	p.mu.Lock()
	if p.pools == nil {
		p.pools = map[string]*sync.Pool{}
	}
	pool := p.pools[key]
	if pool == nil {
		pool = &sync.Pool{}
		p.pools[key] = pool
	}
	p.mu.Unlock()
	if e, ok := pool.Get().(encoder); ok {
		switch z := e.(type) {
		case *gzip.Writer:
			z.Reset(w)
			z.Header.OS = 3 // Unix, as Apache's fixed gzip header says
		case *brotli.Writer:
			z.Reset(w)
		}
		return e
	}
	if enc == "br" {
		return brotli.NewWriterLevel(w, level)
	}
	z, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		z = gzip.NewWriter(w)
	}
	z.Header.OS = 3
	return z
}

func (p *encoderPools) put(enc string, level int, e encoder) {
	p.mu.Lock()
	pool := p.pools[enc+strconv.Itoa(level)]
	p.mu.Unlock()
	if pool != nil {
		pool.Put(e)
	}
}

// compressor is the DEFLATE and BROTLI_COMPRESS output filters: when the
// response's header goes out it decides, as mod_deflate and mod_brotli
// decide on their first call, whether to compress, and changes the
// header accordingly (Vary, Content-Encoding, ETag, no Content-Length).
type compressor struct {
	http.ResponseWriter
	h *Handler
	r *Request

	decided, compressing bool
	enc                  string // "gzip" or "br"
	level                int
	zw                   encoder
	status               int
	headerSent           bool
	wrote                bool         // body bytes went into zw
	held                 bytes.Buffer // compressed bytes not sent yet
}

// compress wraps w in the compression filters when the configuration
// has any; finish must run once the response is complete.
func (h *Handler) compress(w http.ResponseWriter, r *Request) (http.ResponseWriter, func()) {
	if !h.Table.Config.Compresses || r.Method == "TRACE" {
		return w, func() {}
	}
	c := &compressor{ResponseWriter: w, h: h, r: r}
	return c, c.finish
}

// filters are the compression filters of the response's chain, in
// Apache's order: mod_mime's AddOutputFilter (by extension), core's
// SetOutputFilter, mod_filter's AddOutputFilterByType. mod_filter's
// harness passes a response of any status but 200 by, unless the
// environment has filter-errordocs.
func (c *compressor) filters(contentType string, status int) []string {
	r := c.r.Final()
	d := r.Dir
	if d == nil {
		return nil
	}
	var list []string
	add := func(names string) {
		for _, f := range strings.Split(names, ";") {
			if (f == confparse.FilterDeflate || f == confparse.FilterBrotli) && !hasString(list, f) {
				list = append(list, f)
			}
		}
	}
	if len(d.OutputFilters) > 0 && r.Filename != "" {
		exts := path.Base(r.Filename)
		exts = strings.TrimLeft(exts, ".")
		if i := strings.IndexByte(exts, '.'); i >= 0 {
			for _, ext := range strings.Split(strings.ToLower(exts[i+1:]), ".") {
				add(d.OutputFilters[ext])
			}
		}
	}
	if d.SetOutputFilter != nil {
		add(*d.SetOutputFilter)
	}
	if len(d.FilterChain) > 0 && contentType != "" && (status == http.StatusOK || r.Env.Has("filter-errordocs")) {
		// filter_lookup: the type up to ';' or white space, compared
		// with case (mod_wsgi's daemon mode lowers it, embedded mode
		// does not).
		mt := contentType
		if i := strings.IndexAny(mt, "; \t"); i >= 0 {
			mt = mt[:i]
		}
		for _, f := range d.FilterChain {
			if slices.Contains(d.FilterTypes[f], mt) {
				add(strings.ToLower(f))
			}
		}
	}
	return list
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decide runs the filters' first-call checks for a response of status
// code; it is called when the handler sends its header.
func (c *compressor) decide(code int) {
	c.decided = true
	hdr := c.Header()
	for _, f := range c.filters(getFold(hdr, "Content-Type"), code) {
		var took bool
		if f == confparse.FilterDeflate {
			took = c.deflate(code, hdr)
		} else {
			took = c.brotli(code, hdr)
		}
		if took {
			return
		}
	}
}

// encoded reports whether a Content-Encoding value names a coding
// besides identity (the filters then leave the response alone), read
// token by token as the modules read it: the tokens compared with case,
// and after each the byte that follows it skipped.
func encoded(encoding string) bool {
	tok, rest := getToken(encoding, false)
	for tok != "" {
		switch tok {
		case "identity", "7bit", "8bit", "binary":
		default:
			return true
		}
		if rest != "" {
			rest = rest[1:]
		}
		if rest == "" {
			break
		}
		tok, rest = getToken(rest, false)
	}
	return false
}

// getToken is ap_get_token: after leading white space, the token up to
// ';', ',', the end, or white space unless acceptWhite (a quoted string
// is taken whole); rest is what follows it and the white space after it.
func getToken(s string, acceptWhite bool) (tok, rest string) {
	i := 0
	for i < len(s) && isSpaceByte(s[i]) {
		i++
	}
	start := i
	for i < len(s) && (acceptWhite || !isSpaceByte(s[i])) && s[i] != ';' && s[i] != ',' {
		c := s[i]
		i++
		if c != '"' {
			continue
		}
		for i < len(s) {
			i++
			if s[i-1] == '"' {
				break
			}
		}
	}
	tok = s[start:i]
	for i < len(s) && isSpaceByte(s[i]) {
		i++
	}
	return tok, s[i:]
}

// accepts is the filters' test of Accept-Encoding (the fields joined,
// as Apache merges them), read as mod_deflate and mod_brotli read it:
// tokens up to ',', ';' or white space, each token's parameters skipped,
// until one names coding without case; it is refused when there is none,
// or when what follows it up to ';' or ',' (white space included) spells
// q=0 (q=0, q=0., ... q=0.000). A token ends at white space, so "gzip
// deflate" names gzip, and "gzip;q=0 , br" keeps gzip ("q=0 ").
func accepts(values []string, coding string) bool {
	if len(values) == 0 {
		return false
	}
	tok, rest := getToken(strings.Join(values, ", "), false)
	for tok != "" && !strings.EqualFold(tok, coding) {
		for strings.HasPrefix(rest, ";") {
			_, rest = getToken(rest[1:], true)
		}
		rest = strings.TrimPrefix(rest, ",")
		if rest == "" {
			return false
		}
		tok, rest = getToken(rest, false)
	}
	if tok == "" {
		return false
	}
	if rest == "" {
		return true
	}
	q, _ := getToken(strings.TrimLeft(rest, ";"), true)
	return !(len(q) >= 3 && strings.HasPrefix("q=0.000", q))
}

// deflate is mod_deflate's deflate_out_filter deciding; true when it
// took the response (compressing it, or changing a 304's header).
func (c *compressor) deflate(code int, hdr http.Header) bool {
	r := c.r.Final()
	if !r.wsgiHandler() {
		// Apache sees a response that comes in one piece with its end
		// (a file, an error page) and skips it when it is small.
		if code == http.StatusNotModified || code == http.StatusNoContent {
			return false
		}
		if n, err := strconv.Atoi(getFold(hdr, "Content-Length")); err == nil && n <= smallResponse {
			return false
		}
	}
	if code == http.StatusNoContent || r.Env.Has("no-gzip") || hasFold(hdr, "Content-Range") {
		return false
	}
	if v, ok := r.Env.Get("gzip-only-text/html"); ok && v == "1" && !strings.HasPrefix(getFold(hdr, "Content-Type"), "text/html") {
		return false
	}
	if encoded(getFold(hdr, "Content-Encoding")) {
		return false
	}
	mergeVary(hdr)
	if !r.Env.Has("force-gzip") && !accepts(r.HTTP.Header["Accept-Encoding"], "gzip") {
		return false
	}
	conf := c.h.Table.Config.CompressionOf(r.Host.Server)
	c.start(code, hdr, "gzip", conf.DeflateETag)
	c.level = conf.DeflateLevel
	if c.level == 0 {
		c.level = gzip.DefaultCompression
	}
	return true
}

// brotli is mod_brotli's compress_filter deciding.
func (c *compressor) brotli(code int, hdr http.Header) bool {
	r := c.r.Final()
	if code == http.StatusNoContent || r.Env.Has("no-brotli") || hasFold(hdr, "Content-Range") {
		return false
	}
	if encoded(getFold(hdr, "Content-Encoding")) {
		return false
	}
	mergeVary(hdr)
	if !accepts(r.HTTP.Header["Accept-Encoding"], "br") {
		return false
	}
	conf := c.h.Table.Config.CompressionOf(r.Host.Server)
	c.start(code, hdr, "br", conf.BrotliETag)
	c.level = *conf.BrotliQuality
	return true
}

// mergeVary adds Accept-Encoding to Vary (apr_table_mergen), which
// Apache's header filter then writes as one field, each name once.
func mergeVary(hdr http.Header) {
	mergeFold(hdr, "Vary", "Accept-Encoding")
	FixupVary(hdr)
}

// start changes the header for content coding enc, every field found
// without case and kept in the handler's spelling; a 304 keeps only
// that change.
func (c *compressor) start(code int, hdr http.Header, enc, etagMode string) {
	if cur := getFold(hdr, "Content-Encoding"); cur == "" || strings.EqualFold(cur, "identity") {
		setFoldKeep(hdr, "Content-Encoding", enc)
	} else {
		mergeFold(hdr, "Content-Encoding", enc)
	}
	if r := c.r.Final(); len(r.encodings) > 0 {
		// r->content_encoding follows, as the header filter writes it.
		r.encodings = []string{getFold(hdr, "Content-Encoding")}
	}
	delFold(hdr, "Content-Length")
	delFold(hdr, "Content-MD5")
	etag := getFold(hdr, "ETag")
	switch {
	case etagMode == "remove":
		delFold(hdr, "ETag")
	case etagMode == "nochange":
	case len(etag) > 2 && etag[len(etag)-1] == '"':
		setFoldKeep(hdr, "ETag", etag[:len(etag)-1]+"-"+enc+`"`)
	}
	if code != http.StatusNotModified {
		c.compressing, c.enc = true, enc
	}
}

func (c *compressor) WriteHeader(code int) {
	switch {
	case code < 200:
		c.ResponseWriter.WriteHeader(code)
	case c.decided && !c.compressing:
		c.ResponseWriter.WriteHeader(code)
	case c.decided:
		if c.status == 0 {
			c.status = code
		}
	case c.r.Final().wsgiHandler():
		// mod_wsgi sends the header with the first block: a response
		// without one reaches the filters as its end alone, which
		// they leave as it is.
		if c.status == 0 {
			c.status = code
		}
	default:
		c.status = code
		c.decideHeld()
	}
}

func (c *compressor) Write(p []byte) (int, error) {
	if !c.decided {
		if len(p) == 0 && c.status != 0 {
			return 0, nil
		}
		c.decideHeld()
	}
	if !c.compressing {
		return c.ResponseWriter.Write(p)
	}
	if c.r.Method == "HEAD" {
		return len(p), nil
	}
	if c.zw == nil {
		c.zw = c.h.Table.encoders.get(c.enc, c.level, sinkFunc(c.sink))
	}
	c.wrote = c.wrote || len(p) > 0
	n, err := c.zw.Write(p)
	if err == nil && c.r.Final().wsgiHandler() {
		// mod_wsgi passes a flush with every block it writes.
		err = c.FlushError()
	}
	return n, err
}

// bypass is the writer under the filters (the compression filters and
// the header filter beneath them), for a response sent without them
// (Apache's own error pages).
func (c *compressor) bypass() http.ResponseWriter {
	if !c.headerSent && !c.wrote {
		c.decided, c.compressing = true, false
	}
	return unwrapFilter(c.ResponseWriter)
}

// ReadFrom keeps sendfile for a response that is not compressed.
func (c *compressor) ReadFrom(src io.Reader) (int64, error) {
	if !c.decided {
		c.decideHeld()
	}
	if !c.compressing {
		return io.Copy(c.ResponseWriter, src)
	}
	return io.Copy(writerOnly{c}, src)
}

type writerOnly struct{ io.Writer }

// sinkFunc adapts a function to io.Writer.
type sinkFunc func([]byte) (int, error)

func (f sinkFunc) Write(p []byte) (int, error) { return f(p) }

// sink takes compressed bytes: held until they pass the buffer's size,
// then sent as they come.
func (c *compressor) sink(p []byte) (int, error) {
	if c.headerSent {
		return c.ResponseWriter.Write(p)
	}
	c.held.Write(p)
	if c.held.Len() > compressBufferSize {
		if err := c.sendHeld(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// sendHeld sends the header (without a Content-Length) and the bytes
// held.
func (c *compressor) sendHeld() error {
	c.headerSent = true
	c.ResponseWriter.WriteHeader(c.statusOr200())
	if c.held.Len() == 0 {
		return nil
	}
	_, err := c.ResponseWriter.Write(c.held.Bytes())
	c.held.Reset()
	return err
}

// decideHeld decides for the status held (200 when none was sent);
// the header goes out now unless the response is compressed.
func (c *compressor) decideHeld() {
	code := c.statusOr200()
	c.decide(code)
	if c.compressing {
		c.status = code
	} else {
		c.ResponseWriter.WriteHeader(code)
	}
}

func (c *compressor) statusOr200() int {
	if c.status == 0 {
		return http.StatusOK
	}
	return c.status
}

// FlushError sends what was compressed so far, as a flush bucket makes
// mod_deflate do (a sync flush); before any body byte it sends nothing,
// so that a response held whole keeps its Content-Length.
func (c *compressor) FlushError() error {
	if !c.decided {
		c.decideHeld()
	}
	if !c.compressing {
		return http.NewResponseController(c.ResponseWriter).Flush()
	}
	if c.r.Method == "HEAD" || !c.wrote {
		return nil
	}
	if err := c.zw.Flush(); err != nil {
		return err
	}
	if !c.headerSent {
		if err := c.sendHeld(); err != nil {
			return err
		}
	}
	return http.NewResponseController(c.ResponseWriter).Flush()
}

func (c *compressor) Flush() { c.FlushError() }

// Unwrap lets http.ResponseController reach the connection.
func (c *compressor) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// finish ends the compressed stream; a response whose compressed body
// was held whole goes out with its Content-Length.
func (c *compressor) finish() {
	if !c.decided && c.status != 0 {
		// A WSGI response without a body: sent as it is.
		c.decided = true
		c.ResponseWriter.WriteHeader(c.status)
		return
	}
	if !c.compressing {
		return
	}
	if c.r.Method == "HEAD" {
		if !c.headerSent {
			c.headerSent = true
			c.ResponseWriter.WriteHeader(c.statusOr200())
		}
		return
	}
	if c.zw == nil {
		c.zw = c.h.Table.encoders.get(c.enc, c.level, sinkFunc(c.sink))
	}
	c.zw.Close()
	c.h.Table.encoders.put(c.enc, c.level, c.zw)
	if !c.headerSent {
		c.headerSent = true
		c.Header()["Content-Length"] = []string{strconv.Itoa(c.held.Len())}
		c.ResponseWriter.WriteHeader(c.statusOr200())
		c.ResponseWriter.Write(c.held.Bytes())
	}
}
