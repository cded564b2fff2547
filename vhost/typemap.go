package vhost

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/internal/aprerr"
	"github.com/gowsgid/gowsgid/internal/http1"
	"github.com/gowsgid/gowsgid/static"
)

// mod_negotiation's type maps: a file (Debian's mime.conf gives ".var"
// the type-map handler) that lists the variants of a resource, one
// block of header lines each, blank lines between them. A variant is a
// file named by "URI:", relative to the map's directory, or a body
// inside the map after "Body:", up to an end tag. The type-map handler
// (handle_map_file) negotiates among them with the algorithm of
// MultiViews and redirects to the file chosen, or sends the body; a map
// MultiViews finds among a name's candidates lists the variants instead
// of them (read_types_multi).

// The two ways a file is a type map: its content type (MAP_FILE_MAGIC_TYPE)
// or its handler.
const (
	mapFileMagicType = "application/x-type-map"
	typeMapHandler   = "type-map"
)

// isTypeMap reports whether the type-map handler serves r: its handler,
// or its content type (without parameters) where it has no handler, as
// ap_invoke_handler names the handler.
func (r *Request) isTypeMap() bool {
	if r.Handler != "" {
		return r.Handler == typeMapHandler || r.Handler == mapFileMagicType
	}
	ct, _, _ := strings.Cut(r.ContentType, ";")
	return strings.TrimRight(ct, " \t") == mapFileMagicType
}

// mapBufLen is MAX_STRING_LEN, the size of read_type_map's buffer: a
// header line is read in pieces of one byte less, its continuations fill
// it to two bytes less, and a Body:'s end tag is looked for within its
// first mapBufLen-1 bytes.
const mapBufLen = 8192

// mapReader reads a type map as APR's buffered file functions read it
// for get_header_line and get_body: bytes with one byte of push-back
// (apr_file_getc, apr_file_ungetc), lines (apr_file_gets), and a look
// ahead that is consumed only as far as it is used.
type mapReader struct {
	br *bufio.Reader
	// pushed is the byte ungetc gave back, -1 for none.
	pushed int
	// off is the offset in the file of the next byte br gives.
	off int64
}

func newMapReader(r io.Reader) *mapReader {
	return &mapReader{br: bufio.NewReaderSize(r, 2*mapBufLen), pushed: -1}
}

// getc is apr_file_getc: false at the end of the file.
func (m *mapReader) getc() (byte, bool) {
	if m.pushed >= 0 {
		c := byte(m.pushed)
		m.pushed = -1
		return c, true
	}
	c, err := m.br.ReadByte()
	if err != nil {
		return 0, false
	}
	m.off++
	return c, true
}

// ungetc is apr_file_ungetc: c is the next byte getc gives.
func (m *mapReader) ungetc(c byte) { m.pushed = int(c) }

// gets is apr_file_gets into read_type_map's buffer: the bytes up to
// and with the next newline, at most mapBufLen-1 of them, as the C
// string they make (up to a NUL); false at the end of the file.
func (m *mapReader) gets() (string, bool) {
	var line []byte
	for len(line) < mapBufLen-1 {
		c, ok := m.getc()
		if !ok {
			break
		}
		line = append(line, c)
		if c == '\n' {
			break
		}
	}
	if len(line) == 0 {
		return "", false
	}
	return cString(line), true
}

// skipLine reads up to and with the next newline.
func (m *mapReader) skipLine() {
	for {
		if c, ok := m.getc(); !ok || c == '\n' {
			return
		}
	}
}

// cString is b as C's string functions see it: up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// mapLine is what headerLine found.
type mapLine int

const (
	mapEOF    mapLine = iota // header_eof
	mapHeader                // header_seen
	mapBlank                 // header_sep: the end of a variant's block
)

// headerLine is get_header_line: the next line that is not a comment
// ('#' first), with its continuation lines (those that start with white
// space) appended after its newline without their leading white space,
// and the comment lines among them skipped. A "Body:" line has no
// continuation: its body follows.
func (m *mapReader) headerLine() (string, mapLine) {
	var line string
	for {
		l, ok := m.gets()
		if !ok {
			return "", mapEOF
		}
		if !strings.HasPrefix(l, "#") {
			line = l
			break
		}
	}
	if strings.TrimLeft(line, " \t\n\v\f\r") == "" {
		return "", mapBlank
	}
	if len(line) >= 5 && strings.EqualFold(line[:5], "body:") {
		return line, mapHeader
	}
	b := []byte(line)
	for {
		c, ok := m.getc()
		switch {
		case !ok:
			return string(b), mapHeader
		case c == '#':
			m.skipLine()
		case isSpaceByte(c):
			// A blank line ends the header (its newline is read again
			// as the blank line); other white space continues it.
			for c != '\n' && isSpaceByte(c) {
				next, ok := m.getc()
				if !ok {
					break
				}
				c = next
			}
			m.ungetc(c)
			if c == '\n' {
				return string(b), mapHeader
			}
			for len(b) < mapBufLen-2 {
				c, ok := m.getc()
				if !ok || c == '\n' {
					break
				}
				b = append(b, c)
			}
			b = append(b, '\n')
		default:
			m.ungetc(c)
			return string(b), mapHeader
		}
	}
}

// body is get_body: the inline body that starts after the "Body:" line
// just read and ends where tag first occurs within the next mapBufLen-1
// bytes (as a C string: not past a NUL); the reader goes on after the
// rest of the tag's line. ok is false when the tag is not there.
func (m *mapReader) body(tag string) (off, n int64, ok bool) {
	start := m.off
	data, _ := m.br.Peek(mapBufLen - 1)
	if len(data) == 0 {
		return 0, 0, false
	}
	text := []byte(cString(data))
	i := bytes.Index(text, []byte(tag))
	if i < 0 {
		return 0, 0, false
	}
	end := i + len(tag)
	if nl := bytes.IndexByte(text[end:], '\n'); nl >= 0 {
		end += nl + 1
	} else {
		end = len(text)
	}
	m.br.Discard(end)
	m.off += int64(end)
	return start, int64(i), true
}

// mapProblem is a line of a type map Apache refuses: its log message,
// and whether the request fails with 500 (fatal) or is negotiated among
// the variants read before the line.
type mapProblem struct {
	msg   string
	fatal bool
}

// parseTypeMap is read_type_map's reading: the variants of the map,
// those that name a file (URI:, or Body:, which names the map itself,
// mapFile) and say something about it (Content-Type, -Length,
// -Language or -Encoding). Header names are matched without case,
// comments in parentheses are blanked out of values. logName is the
// file name Apache's log lines name: the request's.
func parseTypeMap(m *mapReader, mapFile, logName string) ([]*variant, *mapProblem) {
	var vars []*variant
	cur, hasContent := newVariant(), false
	for {
		line, state := m.headerLine()
		if state != mapHeader {
			if cur.fileName != "" && hasContent {
				vars = append(vars, cur)
			}
			if state == mapEOF {
				return vars, nil
			}
			cur, hasContent = newVariant(), false
			continue
		}
		header, value, p := splitMapHeader(line, logName)
		if p != nil {
			return vars, p
		}
		value = stripParenComments(value)
		switch {
		case strings.HasPrefix(header, "uri:"):
			cur.fileName, _ = getToken(value, false)
		case strings.HasPrefix(header, "content-type:"):
			a, _ := getEntry(value)
			cur.setMimeFields(a)
			hasContent = true
		case strings.HasPrefix(header, "content-length:"):
			tok, _ := getToken(value, false)
			if !http1.StrictLength(tok) {
				return vars, &mapProblem{msg: "AH00684: Parse error in type map, Content-Length: '" + tok + "' in " + logName + " is invalid."}
			}
			cur.bytes, _ = strconv.ParseInt(tok, 10, 64)
			hasContent = true
		case strings.HasPrefix(header, "content-language:"):
			cur.languages = languagesLine(value)
			hasContent = true
		case strings.HasPrefix(header, "content-encoding:"):
			cur.encoding, _ = getToken(value, false)
			cur.hasEnc = true
			hasContent = true
		case strings.HasPrefix(header, "description:"):
			// Newlines become spaces, and the last character (the
			// line's newline) goes.
			d := strings.ReplaceAll(value, "\n", " ")
			cur.description = d[:len(d)-1]
		case strings.HasPrefix(header, "body:"):
			tag := strings.TrimRight(value, " \t\n\v\f\r")
			off, n, ok := m.body(tag)
			if !ok {
				return vars, &mapProblem{msg: "AH00685: Syntax error in type map, no end tag '" + tag + "' found in " + logName + " for Body: content."}
			}
			cur.body, cur.bytes = off, n
			cur.fileName = path.Base(mapFile)
		}
	}
}

// splitMapHeader is lcase_header_name_return_body: the line with its
// name lower-cased (up to the ':'), and the value after the ':' and the
// white space that follows it; a line without ':' or without a value is
// a fatal problem.
func splitMapHeader(line, logName string) (header, value string, p *mapProblem) {
	i := strings.IndexByte(line, ':')
	if i < 0 {
		return "", "", &mapProblem{fatal: true,
			msg: "AH00681: Syntax error in type map, no ':' in " + logName + " for header " + strings.ToLower(line)}
	}
	header = strings.ToLower(line[:i]) + line[i:]
	value = strings.TrimLeft(line[i+1:], " \t\n\v\f\r")
	if value == "" {
		return "", "", &mapProblem{fatal: true,
			msg: "AH00682: Syntax error in type map --- no header body: " + logName + " for " + header}
	}
	return header, value, nil
}

// stripParenComments is strip_paren_comments: each "(" up to the next
// ")" (or the end) becomes spaces. Apache's skipping of quoted strings
// stops at their opening quote, so a quote protects nothing.
func stripParenComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		if b[i] != '(' {
			continue
		}
		for ; i < len(b) && b[i] != ')'; i++ {
			b[i] = ' '
		}
		if i < len(b) {
			b[i] = ' '
		}
	}
	return string(b)
}

// languagesLine is do_languages_line: the tokens of a Content-Language,
// lower-cased, separated by ',' or ';'.
func languagesLine(s string) []string {
	var out []string
	for s != "" {
		tok, rest := getToken(s, false)
		out = append(out, strings.ToLower(tok))
		if rest != "" && (rest[0] == ',' || rest[0] == ';') {
			rest = rest[1:]
		}
		s = rest
	}
	return out
}

// mapFile is a type map opened for reading.
type mapFile interface {
	io.Reader
	io.ReaderAt
	io.Closer
}

// openTypeMap opens the file of the type map request m (read_type_map's
// apr_file_open): a failure is logged, and answered 404 where the file
// is not there, 403 otherwise.
func (h *Handler) openTypeMap(m *Request) (mapFile, *Outcome) {
	f, err := h.Table.stat.Open(m.Filename)
	if err == nil {
		return f, nil
	}
	status := http.StatusForbidden
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
		status = http.StatusNotFound
	}
	return nil, &Outcome{Status: status, LogLevel: "error", LogModule: "negotiation",
		Log: aprerr.Prefix(err) + "AH00683: cannot access type map file: " + m.Filename}
}

// readTypeMap is read_type_map on the open file f of the type map
// request m, for the negotiation's request: the map's variants, in its
// order, and the map's ETag as the request's variant list validator. A
// line Apache refuses is logged; the fatal ones fail the request.
func (h *Handler) readTypeMap(neg *negotiation, m *Request, f mapFile) *Outcome {
	r := neg.r
	vars, p := parseTypeMap(newMapReader(f), m.Filename, r.Filename)
	neg.vars = vars
	if p != nil {
		h.logf("error", "negotiation", r, "%s", p.msg)
		if p.fatal {
			return fail(http.StatusInternalServerError)
		}
	}
	// set_vlist_validator(r, m): the map's ETag, made as ap_make_etag
	// makes it for m (its FileETag, and a validator m has already).
	if m.Info != nil {
		r.vlist = static.ETag(m.Info, etagBits(m.Dir.FileETag), r.Start, f, m.vlist)
	}
	return nil
}

// readTypeMapFile is read_type_map for a map MultiViews found: opened,
// read and closed.
func (h *Handler) readTypeMapFile(neg *negotiation, m *Request) *Outcome {
	f, o := h.openTypeMap(m)
	if o != nil {
		return o
	}
	defer f.Close()
	return h.readTypeMap(neg, m, f)
}

// fileRequest is ap_sub_req_lookup_file: the file name, relative to the
// directory of r's file, mapped as a GET subrequest. A file of that
// directory has the URI of r's directory (path info included, as Apache
// takes it) with its name; any other has none.
func (h *Handler) fileRequest(r *Request, name string) (*Request, *Outcome) {
	if h.recursionExceeded(r) {
		return nil, fail(http.StatusInternalServerError)
	}
	filename, uri, inDir := subRequestFile(r, name)
	sub := fileSubRequest(r, filename, uri)
	sub.familiar = inDir
	return sub, h.mapFile(sub)
}

// subRequestFile is how ap_sub_req_lookup_file names name: relative to
// the directory of r's file, cleaned as apr_filepath_merge cleans it (a
// trailing '/' kept); inDir when it is a file of that directory, which
// then has the URI of r's directory (path info included, as Apache
// takes it) with its name, if r has one.
func subRequestFile(r *Request, name string) (filename, uri string, inDir bool) {
	dir := r.Filename[:strings.LastIndexByte(r.Filename, '/')+1]
	if !strings.HasPrefix(name, "/") {
		name = dir + name
	}
	filename = path.Clean(name)
	if strings.HasSuffix(name, "/") && filename != "/" {
		filename += "/"
	}
	rest, inDir := strings.CutPrefix(filename, dir)
	inDir = inDir && rest != "" && !strings.Contains(rest, "/")
	if inDir && r.URI != "" {
		uri = r.URI[:strings.LastIndexByte(r.URI, '/')+1] + rest
	}
	return filename, uri, inDir
}

// fileSubRequest is make_sub_request for a file known in advance: a GET
// of r's host for filename at uri, with r's environment, not mapped yet.
func fileSubRequest(r *Request, filename, uri string) *Request {
	sub := &Request{HTTP: r.HTTP, fieldOrder: r.fieldOrder, Host: r.Host, Method: "GET", UnparsedURI: r.UnparsedURI,
		URI: uri, Filename: filename, Hostname: r.Hostname, HostPort: r.HostPort,
		Local: r.Local, Remote: r.Remote, Peer: r.Peer, proxied: r.proxied, Scheme: r.Scheme,
		Dir: r.Host.Defaults, depth: r.depth + 1, Start: r.Start}
	sub.Env = append(Vars(nil), r.Env...)
	r.linkSub(sub)
	return sub
}

// serveTypeMap is handle_map_file, the type-map handler: the map's
// variants negotiated as MultiViews negotiates (never preferring
// scripts); the chosen one is sent from the map if it is a Body:,
// otherwise reached by an internal redirect to its URI, relative to the
// map's. An HTTP/1.0 client gets an Expires of the request time unless
// CacheNegotiatedDocs is on.
func (h *Handler) serveTypeMap(w http.ResponseWriter, r *Request) *Outcome {
	neg := h.newNegotiation(r)
	f, o := h.openTypeMap(r)
	if o != nil {
		return o
	}
	defer f.Close()
	if o := h.readTypeMap(neg, r, f); o != nil {
		return o
	}
	best, o := neg.doNegotiation(false)
	if o != nil {
		return o
	}
	if !r.HTTP.ProtoAtLeast(1, 1) && !r.Host.cacheNegotiatedDocs {
		r.noCache = true
	}
	if best.body != 0 {
		return h.serveMapBody(h.withHeaderFilter(w, r), r, f, best)
	}
	return h.internalRedirect(w, r, mapVariantURI(r, best.fileName), func(nr *Request) {
		// internal_internal_redirect hands these on: the
		// negotiation's headers (err_headers_out), the variant list
		// validator, the mark for HTTP/1.0 and the status of an error
		// document.
		nr.errHeadersOut = r.errHeadersOut
		nr.vlist, nr.noCache = r.vlist, r.noCache
		if r.errorStatus != 0 {
			nr.errorStatus = r.errorStatus
			nr.setEnv("REDIRECT_STATUS", strconv.Itoa(r.errorStatus))
		}
	})
}

// mapVariantURI is the URI handle_map_file redirects to for a variant
// that names a file: the name after the directory of r's URI (less its
// path info, escaped), then the path info and the query, both as they
// are.
func mapVariantURI(r *Request, name string) string {
	uri := r.URI
	if r.PathInfo != "" {
		uri = uri[:FindPathInfo(uri, r.PathInfo)]
	}
	target := escapeURI(uri[:strings.LastIndexByte(uri, '/')+1]) + name + r.PathInfo
	if r.HasArgs {
		target += "?" + r.Args
	}
	return target
}

// serveMapBody sends the inline body of a type map's variant v from the
// map f: GET, HEAD and POST only (405 for the others, OPTIONS
// included), with the variant's type, charset, languages and encoding,
// its length and Accept-Ranges, no Last-Modified or ETag, and the
// preconditions measured against the map's modification time.
func (h *Handler) serveMapBody(w http.ResponseWriter, r *Request, f mapFile, v *variant) *Outcome {
	traceOff := r.Host.TraceEnable == "off"
	switch r.Method {
	case "GET", "HEAD", "POST":
	default:
		return &Outcome{Status: http.StatusMethodNotAllowed, Header: http.Header{"Allow": {allowHeader(traceOff)}}}
	}
	if o := h.checkBodyLimit(r); o != nil {
		return o
	}
	if v.mimeType != "" {
		ct := v.mimeType
		if v.charset != "" {
			ct += "; charset=" + v.charset
		}
		r.ContentType = static.MakeContentType(ct, deref(r.Dir.AddDefaultCharset))
	}
	if len(v.languages) > 0 {
		r.languages = v.languages
	}
	if v.encoding != "" {
		r.encodings = []string{v.encoding}
	}
	opts := static.FileOptions{ContentType: r.ContentType, Encodings: r.encodings, Languages: r.languages,
		TraceDisabled: traceOff, Status: r.errorStatus, RequestTime: r.Start,
		MaxRanges: rangeLimit(r.Dir.MaxRanges), MaxRangeOverlaps: rangeLimit(r.Dir.MaxRangeOverlaps),
		MaxRangeReversals: rangeLimit(r.Dir.MaxRangeReversals)}
	var mtime time.Time // r->mtime, the map's
	if r.Info != nil {
		mtime = r.Info.ModTime()
	}
	body := io.NewSectionReader(f, v.body, v.bytes)
	err := static.ServeSection(w, handlerRequest(r), body, v.bytes, mtime, opts)
	if he, ok := err.(*static.HTTPError); ok {
		return &Outcome{Status: he.Status, Header: he.Header, Filtered: he.Status == http.StatusRequestedRangeNotSatisfiable}
	}
	return nil // sent, or the client went away mid-body
}
