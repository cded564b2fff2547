package vhost

import (
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

// compressBufferSize is DeflateBufferSize's default: for a response
// whose length is not known ahead (a handler other than the default
// one's file), a compressed body that fits is sent with a Content-Length
// and a longer one goes out as it is compressed (chunked on HTTP/1.1).
// A file follows zlib (deflateModel).
const compressBufferSize = 8096

// smallResponse is mod_deflate's threshold: a response that reaches it
// whole, at most this long (gzip header, trailer and 50 bytes of
// headers), is not worth compressing.
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

// get is an encoder for enc at level (and, for brotli, window bits)
// writing to w.
func (p *encoderPools) get(enc string, level, window int, w io.Writer) encoder {
	key := enc + strconv.Itoa(level) + "/" + strconv.Itoa(window)
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
		// mod_brotli's window: the stream is libbrotli's, byte for byte.
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: level, LGWin: window})
	}
	z, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		z = gzip.NewWriter(w)
	}
	z.Header.OS = 3
	return z
}

func (p *encoderPools) put(enc string, level, window int, e encoder) {
	p.mu.Lock()
	pool := p.pools[enc+strconv.Itoa(level)+"/"+strconv.Itoa(window)]
	p.mu.Unlock()
	if pool != nil {
		pool.Put(e)
	}
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
// code, on the first brigade they see: with the end of the body (end,
// the body then size bytes long, -1 when unknown) or without it. A 304
// or 204 of the default handler goes out through ap_die, without the
// content filters.
func (c *compressor) decide(code int, end bool, size int64) {
	c.decided = true
	if c.handoff() == HandoffWhole && (code == http.StatusNotModified || code == http.StatusNoContent) {
		return
	}
	hdr := c.Header()
	for _, f := range c.filters(getFold(hdr, "Content-Type"), code) {
		var took bool
		if f == confparse.FilterDeflate {
			if c.handoff() == HandoffEndOnly {
				continue // deflate_out_filter removes itself
			}
			took = c.deflate(code, hdr, end, size)
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
// took the response (compressing it, or changing a 304's header). A
// first brigade that holds the end of a body of at most smallResponse
// bytes is passed as it is.
func (c *compressor) deflate(code int, hdr http.Header, end bool, size int64) bool {
	r := c.r.Final()
	if end && size >= 0 && size <= smallResponse {
		return false
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
	if c.compressing && c.handoff() == HandoffWhole && size > 0 && r.Info != nil && r.Info.Mode().IsRegular() {
		c.model = newDeflateModel(c.level, size, filePiece(r.Dir))
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
	c.level, c.window = *conf.BrotliQuality, *conf.BrotliWindow
	return true
}

// mergeVary adds Accept-Encoding to Vary (apr_table_mergen): to the
// first field's value, which Apache's header filter then writes as one
// field with the others, each name once (headerOut).
func mergeVary(hdr http.Header) {
	mergeFold(hdr, "Vary", "Accept-Encoding")
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
