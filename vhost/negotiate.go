package vhost

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/statcache"
	"github.com/gowsgid/gowsgid/static"
)

// mod_negotiation's MultiViews (handle_multi): a request for a name that
// does not exist, in a directory with Options MultiViews, looks for the
// files "name.*" there, makes each one mod_mime gives metadata to a
// variant, and picks one with Apache's negotiation algorithm. The
// arithmetic is in float32, as Apache's, so that ties fall the same way.

// cgiMagicType is CGI_MAGIC_TYPE: the type of a variant with a handler
// and no type of its own.
const cgiMagicType = "application/x-httpd-cgi"

// acceptRec is an item of an Accept* header (accept_rec).
type acceptRec struct {
	name    string
	quality float32
	level   float32
	charset string
}

// variant is a var_rec.
type variant struct {
	// sub is the variant's subrequest: MultiViews maps each candidate,
	// a type map's variant gets one when it is chosen (nil until then).
	sub       *Request
	fileName  string
	mimeType  string
	encoding  string
	hasEnc    bool
	languages []string
	charset   string
	// description is a type map's Description, shown in the list of
	// the 300 and 406 pages.
	description string
	// body is the offset in the type map of the variant's inline Body:
	// (0: none; bytes is its length).
	body int64

	langQuality, encodingQuality, charsetQuality, mimeTypeQuality, sourceQuality float32

	level        float32
	bytes        int64
	langIndex    int
	isPseudoHTML bool

	levelMatched float32
	mimeStars    int
	definite     bool
}

// negotiation is negotiation_state.
type negotiation struct {
	r *Request
	// dirName is the directory of r's file (neg->dir_name): a type
	// map's variant without a length of its own is measured there.
	dirName string
	// stat answers that measure (nil: the kernel does).
	stat *statcache.Cache
	// lookup is ap_sub_req_lookup_file for a type map's variant, which
	// has no subrequest until one is chosen; nil (in tests) leaves it
	// without one.
	lookup func(name string) (*Request, *Outcome)

	langPriority       []string
	forcePriority      int
	acceptQ            bool
	defaultLangQuality float32

	accepts, acceptEncodings, acceptCharsets, acceptLangs []acceptRec
	hasAccept, hasEncodings, hasCharsets, hasLangs        bool

	vars          []*variant
	isTransparent bool

	dontFiddleHeaders, uaSupportsTrans, sendAlternates, mayChoose, useRVSA bool
}

// Algorithm results.
const (
	algChoice = 1
	algList   = 2
)

// atoq is mod_negotiation's atoq: a q value of at most three decimals;
// anything that does not start like one is 1.
func atoq(s string) float32 {
	if s == "" {
		return 1
	}
	i := 0
	for i < len(s) && isSpaceByte(s[i]) {
		i++
	}
	at := func(j int) byte {
		if j < len(s) {
			return s[j]
		}
		return 0
	}
	if at(i) != '.' {
		if at(i) != '0' {
			return 1
		}
		i++
	}
	if at(i) == '.' {
		n := 0
		i++
		if c := at(i); c >= '0' && c <= '9' {
			n += int(c-'0') * 100
			i++
			if c := at(i); c >= '0' && c <= '9' {
				n += int(c-'0') * 10
				i++
				if c := at(i); c > '0' && c <= '9' {
					n += int(c - '0')
				}
			}
		}
		return float32(n) / 1000
	}
	return 0
}

// getEntry is get_entry: one media range (or language, charset,
// encoding) with its q, qs, level and charset parameters.
func getEntry(line string) (acceptRec, string) {
	res := acceptRec{quality: 1}
	var name string
	name, line = getToken(line, false)
	res.name = strings.ToLower(name)
	switch res.name {
	case "text/html", "text/x-server-parsed-html":
		res.level = 2
	case "text/x-server-parsed-html3":
		res.level = 3
	}
	for strings.HasPrefix(line, ";") {
		var parm string
		parm, line = getToken(line[1:], true)
		cp := 0
		for cp < len(parm) && !isSpaceByte(parm[cp]) && parm[cp] != '=' {
			cp++
		}
		if cp == len(parm) {
			continue
		}
		key := strings.ToLower(parm[:cp])
		cp++
		for cp < len(parm) && (isSpaceByte(parm[cp]) || parm[cp] == '=') {
			cp++
		}
		val := parm[cp:]
		if strings.HasPrefix(val, `"`) {
			val = val[1:]
			if e := strings.IndexAny(val, "\n\r\""); e >= 0 {
				val = val[:e]
			}
		} else if e := strings.IndexFunc(val, func(c rune) bool { return c < 0x80 && isSpaceByte(byte(c)) }); e >= 0 {
			val = val[:e]
		}
		val = strings.ToLower(val)
		switch {
		case key == "q" || key == "qs":
			res.quality = atoq(val)
		case key == "level":
			res.level = float32(cAtoi(val))
		case key == "charset":
			res.charset = val
		}
	}
	if strings.HasPrefix(line, ",") {
		line = line[1:]
	}
	return res, line
}

// cAtoi is atoi: leading white space, a sign, digits.
func cAtoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// doHeaderLine is do_header_line: the items of an Accept* header; ok is
// false when the request has no such header.
func doHeaderLine(hdr http.Header, name string) ([]acceptRec, bool) {
	vs, ok := hdr[name]
	if !ok || len(vs) == 0 {
		return nil, false
	}
	line := strings.Join(vs, ", ")
	var out []acceptRec
	for line != "" {
		rec, rest := getEntry(line)
		out = append(out, rec)
		if len(rest) >= len(line) {
			break // no progress: Apache would loop, we stop
		}
		line = rest
	}
	return out, true
}

// parseAcceptHeaders is parse_accept_headers.
func parseAcceptHeaders(r *Request) *negotiation {
	neg := &negotiation{r: r, langPriority: r.Dir.LanguagePriority, forcePriority: r.Dir.ForceLanguagePriority}
	h := r.HTTP.Header
	neg.accepts, neg.hasAccept = doHeaderLine(h, "Accept")
	for _, a := range neg.accepts {
		if a.quality < 1 {
			neg.acceptQ = true
		}
	}
	neg.acceptEncodings, neg.hasEncodings = doHeaderLine(h, "Accept-Encoding")
	neg.acceptLangs, neg.hasLangs = doHeaderLine(h, "Accept-Language")
	neg.acceptCharsets, neg.hasCharsets = doHeaderLine(h, "Accept-Charset")
	return neg
}

// newNegotiation is parse_accept_headers for a request the handler h
// serves: the variants a type map names are measured in the directory
// of r's file and looked up as subrequests of r.
func (h *Handler) newNegotiation(r *Request) *negotiation {
	neg := parseAcceptHeaders(r)
	neg.dirName = r.Filename[:strings.LastIndexByte(r.Filename, '/')+1]
	neg.stat = h.Table.stat
	neg.lookup = func(name string) (*Request, *Outcome) { return h.fileRequest(r, name) }
	return neg
}

// parseNegotiateHeader is parse_negotiate_header.
func (neg *negotiation) parseNegotiateHeader() {
	neg.mayChoose = true
	vs, ok := neg.r.HTTP.Header["Negotiate"]
	if !ok || len(vs) == 0 {
		return
	}
	negotiate := strings.Join(vs, ", ")
	if negotiate == "trans" && strings.HasPrefix(neg.r.HTTP.Header.Get("User-Agent"), "Lynx") {
		return
	}
	neg.mayChoose = false
	for _, tok := range listItems(negotiate) {
		if tok == "trans" || tok == "vlist" || tok == "guess-small" || tok[0] >= '0' && tok[0] <= '9' || tok == "*" {
			neg.uaSupportsTrans = true
			neg.sendAlternates = true
			if tok == "1.0" {
				neg.mayChoose, neg.useRVSA, neg.dontFiddleHeaders = true, true, true
			} else if tok[0] == '*' {
				neg.mayChoose, neg.dontFiddleHeaders = true, true
			}
		}
	}
}

// listItems is ap_get_list_item over a whole field: the comma-separated
// items, lower-cased outside quotes, with white space runs folded and
// empty items skipped.
func listItems(s string) []string {
	var out []string
	for _, part := range splitOutsideQuotes(s) {
		var b strings.Builder
		inQuote, space := false, false
		for i := 0; i < len(part); i++ {
			c := part[i]
			switch {
			case c == '"':
				inQuote = !inQuote
				b.WriteByte(c)
			case !inQuote && isSpaceByte(c):
				space = true
				continue
			case inQuote:
				b.WriteByte(c)
			default:
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				b.WriteByte(c)
			}
			space = false
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	return out
}

func splitOutsideQuotes(s string) []string {
	var out []string
	start, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// maybeAddDefaultAccepts is maybe_add_default_accepts: "*/*" when the
// request has no Accept, and always the CGI type, much preferred when
// scripts are.
func (neg *negotiation) maybeAddDefaultAccepts(preferScripts bool) {
	if !neg.hasAccept {
		neg.accepts = append(neg.accepts, acceptRec{name: "*/*", quality: 1})
		neg.hasAccept = true
	}
	q := float32(0.001)
	switch {
	case neg.useRVSA:
		q = 0
	case preferScripts:
		q = 2
	}
	neg.accepts = append(neg.accepts, acceptRec{name: cgiMagicType, quality: q})
}

// setMimeFields is set_mime_fields.
func (v *variant) setMimeFields(a acceptRec) {
	v.mimeType, v.sourceQuality, v.level, v.charset = a.name, a.quality, a.level, a.charset
	v.isPseudoHTML = a.name == "text/html" || a.name == "text/x-server-parsed-html" || a.name == "text/x-server-parsed-html3"
}

func newVariant() *variant {
	return &variant{bytes: -1, langIndex: -1, definite: true,
		charsetQuality: 1, encodingQuality: 1, langQuality: 1, mimeTypeQuality: 1}
}

// multiViews is handle_multi, mod_negotiation's type checker, which runs
// before mod_mime's: done when a variant took the request over (its
// mapping is the request's now), an outcome when negotiation failed.
func (h *Handler) multiViews(r *Request) (bool, *Outcome) {
	if r.Info != nil || r.Filename == "" || !strings.HasPrefix(r.Filename, "/") ||
		r.Dir.Options.Opts&confparse.OptMulti == 0 {
		return false, nil
	}
	neg := h.newNegotiation(r)
	if o := h.readTypesMulti(neg); o != nil {
		return false, o
	}
	if len(neg.vars) == 0 {
		return false, nil
	}
	preferScripts := (r.Method != "GET" && r.Method != "HEAD") || r.HasArgs || r.PathInfo != ""
	best, o := neg.doNegotiation(preferScripts)
	if o != nil {
		return false, o
	}
	sub := best.sub
	if sub == nil {
		// A type map's variant that the negotiation did not look up.
		if sub, o = h.fileRequest(r, best.fileName); o != nil {
			return false, subrequestFailed(o)
		}
	}
	if !sub.HasArgs {
		sub.Args, sub.HasArgs = r.Args, r.HasArgs
	}
	fastRedirect(sub, r)
	return true, nil
}

// readTypesMulti is read_types_multi: the directory's files that start
// with the name and a dot, each mapped as a subrequest (access checks
// included) and kept as a variant when it is a regular file that
// answers 200, has a type, and every extension of which mod_mime knows
// (by MultiviewsMatch) or is one of the requested name's.
func (h *Handler) readTypesMulti(neg *negotiation) *Outcome {
	r := neg.r
	slash := strings.LastIndexByte(r.Filename, '/')
	dirName, filp := r.Filename[:slash+1], r.Filename[slash+1:]
	// In the directory's own order, as readdir(3) gives it: the
	// variants' subrequests log in that order. Only the entries that
	// name a variant are kept: a directory of many thousand files costs
	// a request no more memory than Apache's one entry at a time.
	var ents []fs.DirEntry
	dir, err := os.Open(dirName)
	if err == nil {
		for {
			batch, rerr := dir.ReadDir(256)
			for _, ent := range batch {
				if name := ent.Name(); strings.HasPrefix(name, filp) && len(name) > len(filp) && name[len(filp)] == '.' {
					ents = append(ents, ent)
				}
			}
			if rerr != nil {
				if rerr != io.EOF {
					err = rerr
				}
				break
			}
		}
		dir.Close()
	}
	if err != nil {
		msg := "AH00686: cannot read directory for multi: " + dirName
		if os.IsPermission(err) {
			msg = "(13)Permission denied: " + msg
		}
		return &Outcome{Status: 403, Log: msg, LogLevel: "error", LogModule: "negotiation"}
	}
	anyMatch := false
	for _, ent := range ents {
		name := ent.Name()
		if ent.IsDir() {
			continue
		}
		anyMatch = true
		sub, o := h.direntRequest(r, dirName, name, ent)
		if sub == nil || sub.Info == nil || !sub.Info.Mode().IsRegular() {
			continue
		}
		if sub.Handler != "" && sub.ContentType == "" {
			sub.ContentType = cgiMagicType
		}
		exceptions, found := mimeExceptions(name, r.Host.Types, sub.Dir)
		if !found || !exceptionsMatch(filp, exceptions) {
			continue
		}
		if o != nil || sub.ContentType == "" {
			continue
		}
		if sub.ContentType == mapFileMagicType || sub.Handler == typeMapHandler {
			// A type map among the candidates lists the variants
			// instead of them.
			neg.vars = nil
			return h.readTypeMapFile(neg, sub)
		}
		v := newVariant()
		v.sub, v.fileName = sub, name
		if len(sub.encodings) > 0 {
			v.encoding, v.hasEnc = strings.Join(sub.encodings, ", "), true
		}
		v.languages = sub.languages
		ct := variantType(sub)
		a, _ := getEntry(ct)
		v.setMimeFields(a)
		neg.vars = append(neg.vars, v)
	}
	if anyMatch && len(neg.vars) == 0 {
		return &Outcome{Status: 404, LogLevel: "error", LogModule: "negotiation",
			Log: "AH00687: Negotiation: discovered file(s) matching request: " + r.Filename + " (None could be negotiated)."}
	}
	// set_vlist_validator(r, r): the ETag of what r->finfo holds, the
	// directory's stat (the walk's last), with no file type; also when
	// nothing matched (a FallbackResource's file then has it).
	if di, err := h.Table.stat.Stat(dirName); err == nil {
		mtime := di.ModTime().UnixMicro()
		vl := `"` + strconv.FormatUint(uint64(mtime), 16) + `"`
		if r.Start.UnixMicro()-mtime < 1_000_000 {
			vl = "W/" + vl
		}
		r.vlist = vl
	}
	if len(neg.vars) == 0 {
		return nil
	}
	sort.SliceStable(neg.vars, func(i, j int) bool {
		a, b := neg.vars[i], neg.vars[j]
		if a.sourceQuality != b.sourceQuality {
			return a.sourceQuality > b.sourceQuality
		}
		return a.fileName < b.fileName
	})
	return nil
}

// variantType is the sub-request's content type as mod_mime (or
// ForceType, or the CGI type) set it, before AddDefaultCharset, which
// Apache adds only when the header goes out.
func variantType(sub *Request) string {
	d := sub.Dir
	if d.ForceType != nil && *d.ForceType != "none" {
		return *d.ForceType
	}
	md := mimeDir(d)
	md.DefaultCharset = ""
	if ct := static.Resolve(sub.Filename, sub.Host.Types, md).ContentType; ct != "" {
		return ct
	}
	return sub.ContentType
}

// direntRequest is ap_sub_req_lookup_dirent with AP_SUBREQ_MERGE_ARGS:
// the entry mapped as a GET with its file name known (the request's
// PATH_INFO and query kept).
func (h *Handler) direntRequest(r *Request, dirName, name string, ent fs.DirEntry) (*Request, *Outcome) {
	if h.recursionExceeded(r) {
		return nil, fail(500)
	}
	uri := r.URI
	if r.PathInfo != "" {
		uri = uri[:FindPathInfo(uri, r.PathInfo)]
	}
	udir := uri[:strings.LastIndexByte(uri, '/')+1]
	sub := fileSubRequest(r, dirName+name, udir+name+r.PathInfo)
	sub.familiar = true
	if r.HasArgs && r.Args != "" {
		sub.Args, sub.HasArgs = r.Args, true
	}
	if ent.Type()&fs.ModeSymlink != 0 {
		li, err := ent.Info()
		if err != nil {
			return nil, nil
		}
		if _, ok := resolveSymlink(h.Table.stat, sub.Filename, li, r.Host.Defaults.Options.Opts); !ok {
			return nil, nil
		}
	}
	o := h.mapFile(sub)
	// The walk of a file named in advance keeps the path info.
	sub.PathInfo = r.PathInfo
	return sub, o
}

// mimeExceptions is the "ap-mime-exceptions-list" note of mod_mime's
// find_ct for a file name: the base name and every extension that gave
// no metadata (by MultiviewsMatch), as written; found is false when no
// extension gave any (there is no note then).
func mimeExceptions(name string, types *static.Types, d *confparse.DirConfig) ([]string, bool) {
	fn := name
	lead := 0
	for lead < len(fn) && fn[lead] == '.' {
		lead++
	}
	var exts string
	base := fn
	if i := strings.IndexByte(fn[lead:], '.'); i >= 0 {
		base, exts = fn[:lead+i], fn[lead+i+1:]
	}
	exceptions := []string{base}
	found := false
	mm := d.MultiviewsMatch
	for rest, more := exts, exts != ""; more; {
		var ext string
		ext, rest, more = strings.Cut(rest, ".")
		if ext == "" {
			continue
		}
		lext := strings.ToLower(ext)
		hit := false
		if forced, ok := d.Types[lext]; ok {
			hit = forced != ""
		} else if _, ok := types.Lookup(lext); ok {
			hit = true
		}
		if v := d.Charsets[lext]; v != "" {
			hit = true
		}
		if v := d.Languages[lext]; v != "" {
			hit = true
		}
		if v := d.Encodings[lext]; v != "" {
			hit = true
		}
		if v := d.Handlers[lext]; v != "" && mm&confparse.MultiMatchHandlers != 0 {
			hit = true
		}
		if v := d.OutputFilters[lext]; v != "" && mm&confparse.MultiMatchFilters != 0 {
			hit = true
		}
		if hit || mm&confparse.MultiMatchAny != 0 {
			found = true
		} else {
			exceptions = append(exceptions, ext)
		}
	}
	return exceptions, found
}

// exceptionsMatch is read_types_multi's test that each part of a file
// name mod_mime did not recognise is, in order, a part of the requested
// name.
func exceptionsMatch(filp string, exceptions []string) bool {
	for s := filp; s != "" && len(exceptions) > 0; {
		seg, rest, more := strings.Cut(s, ".")
		if seg == exceptions[0] {
			exceptions = exceptions[1:]
		}
		if !more {
			break
		}
		s = rest
	}
	return len(exceptions) == 0
}

// doNegotiation is do_negotiation for MultiViews: the chosen variant,
// or the 300, 406 (or other) answer.
func (neg *negotiation) doNegotiation(preferScripts bool) (*variant, *Outcome) {
	r := neg.r
	if r.Method == "GET" || r.Method == "HEAD" {
		neg.isTransparent = r.PathInfo == ""
		for _, v := range neg.vars {
			// A type map's variant in another directory, or in the
			// map itself, cannot be offered to the client.
			if strings.Contains(v.fileName, "/") || v.body != 0 {
				neg.isTransparent = false
			}
		}
	}
	if neg.isTransparent {
		neg.parseNegotiateHeader()
	} else {
		neg.mayChoose = true
	}
	neg.maybeAddDefaultAccepts(preferScripts)
	best, alg := neg.bestMatch()
	if alg == algList {
		neg.sendAlternates = true
		neg.setNegHeaders(alg)
		list := neg.variantList()
		if neg.isTransparent && neg.uaSupportsTrans {
			return nil, &Outcome{Status: 300, Notes: list}
		}
		if best == nil {
			return nil, &Outcome{Status: 406, Notes: list, LogLevel: "error", LogModule: "negotiation",
				Log: "AH00690: no acceptable variant: " + r.Filename}
		}
	}
	if neg.isTransparent {
		if o := neg.setupChoiceResponse(best); o != nil {
			return nil, o
		}
	} else {
		neg.setNegHeaders(alg)
	}
	return best, nil
}

// setupChoiceResponse is setup_choice_response: the chosen variant of a
// transparent negotiation, looked up now if it is a type map's, must not
// negotiate itself (506); its Vary, if any, becomes the response's and
// Variant-Vary; Content-Location names it, and the response gets the
// negotiation's headers.
func (neg *negotiation) setupChoiceResponse(v *variant) *Outcome {
	r := neg.r
	if v.sub == nil && neg.lookup != nil {
		sub, o := neg.lookup(v.fileName)
		if o != nil && (sub == nil || !sub.errHeadersOut.Has("TCN")) {
			return subrequestFailed(o)
		}
		v.sub = sub
	}
	if sub := v.sub; sub != nil {
		if sub.errHeadersOut.Has("TCN") || sub.Handler == typeMapHandler {
			return fail(http.StatusVariantAlsoNegotiates)
		}
		if vary, ok := sub.errHeadersOut.Get("Vary"); ok {
			r.errHeadersOut.Set("Variant-Vary", vary)
			r.errHeadersOut.Set("Vary", vary)
			sub.errHeadersOut.Unset("Vary")
		}
	}
	r.errHeadersOut.Set("Content-Location", escapePathSegment(v.fileName))
	neg.setNegHeaders(algChoice)
	return nil
}

// subrequestFailed is the answer of a request whose subrequest failed
// with o: its status, and its log line if it has one yet (the
// subrequest's other headers stay its own).
func subrequestFailed(o *Outcome) *Outcome {
	return &Outcome{Status: o.Status, Log: o.Log, LogLevel: o.LogLevel, LogModule: o.LogModule}
}

// mimeMatch is mime_match.
func mimeMatch(a *acceptRec, v *variant) bool {
	at, vt := a.name, v.mimeType
	switch {
	case at == "*" || at == "*/*":
		if v.mimeStars < 1 {
			v.mimeStars = 1
		}
		return true
	case len(at) > 2 && strings.HasSuffix(at, "/*") && strings.HasPrefix(vt, at[:len(at)-1]):
		if v.mimeStars < 2 {
			v.mimeStars = 2
		}
		return true
	case at == vt || at == "text/html" && (vt == "text/x-server-parsed-html" || vt == "text/x-server-parsed-html3"):
		if a.level >= v.level {
			v.levelMatched = v.level
			v.mimeStars = 3
			return true
		}
	}
	return false
}

// levelCmp is level_cmp.
func levelCmp(v1, v2 *variant) int {
	if v1.isPseudoHTML && !v2.isPseudoHTML {
		return 0
	}
	if !v1.isPseudoHTML && v1.mimeType != v2.mimeType {
		return 0
	}
	switch {
	case v1.levelMatched > v2.levelMatched:
		return 1
	case v1.levelMatched < v2.levelMatched:
		return -1
	case v1.level < v2.level:
		return 1
	case v1.level > v2.level:
		return -1
	}
	return 0
}

// findLangIndex is find_lang_index: the first LanguagePriority entry
// that is a prefix of lang, case-insensitively.
func findLangIndex(prio []string, lang string) int {
	for i, p := range prio {
		if len(lang) >= len(p) && strings.EqualFold(lang[:len(p)], p) {
			return i
		}
	}
	return -1
}

// setDefaultLangQuality is set_default_lang_quality.
func (neg *negotiation) setDefaultLangQuality() {
	neg.defaultLangQuality = 1
	if neg.dontFiddleHeaders {
		return
	}
	for _, v := range neg.vars {
		if len(v.languages) > 0 {
			neg.defaultLangQuality = 0.0001
			return
		}
	}
}

// setLanguageQuality is set_language_quality.
func (neg *negotiation) setLanguageQuality(v *variant) {
	force := neg.forcePriority
	if force == 0 {
		force = confparse.FLPPrefer
	}
	if len(v.languages) == 0 {
		if !neg.dontFiddleHeaders {
			v.langQuality = neg.defaultLangQuality
		}
		return
	}
	if !neg.hasLangs {
		v.definite = false
	} else {
		var best, star *acceptRec
		var fiddleQ float32
		anyMatchOnStar := false
		for _, lang := range v.languages {
			var bestThisTag *acceptRec
			longest := 0
			for i := range neg.acceptLangs {
				a := &neg.acceptLangs[i]
				if a.name == "*" {
					if star == nil {
						star = a
					}
					continue
				}
				alen := len(a.name)
				if len(lang) >= alen && lang[:alen] == a.name && (len(lang) == alen || lang[alen] == '-') {
					if alen > longest {
						longest = alen
						bestThisTag = a
					}
				}
				if bestThisTag == nil && !neg.dontFiddleHeaders {
					if p := strings.IndexByte(a.name, '-'); p >= 0 {
						if strings.HasPrefix(lang, a.name[:p]) {
							fiddleQ = 0.001
						}
					}
				}
			}
			if best == nil || bestThisTag != nil && bestThisTag.quality > best.quality {
				best = bestThisTag
			}
			if bestThisTag == nil && star != nil {
				anyMatchOnStar = true
			}
		}
		if anyMatchOnStar && (best != nil && star.quality > best.quality || best == nil) {
			best = star
			v.definite = false
		}
		if best != nil {
			v.langQuality = best.quality
		} else {
			v.langQuality = fiddleQ
		}
	}
	if force&confparse.FLPPrefer != 0 && v.langIndex < 0 || force&confparse.FLPFallback != 0 && v.langQuality == 0 {
		bestIdx := -1
		for _, lang := range v.languages {
			idx := findLangIndex(neg.langPriority, lang)
			if idx >= 0 && (bestIdx == -1 || idx < bestIdx) {
				bestIdx = idx
			}
		}
		if bestIdx >= 0 {
			if v.langQuality != 0 {
				if force&confparse.FLPPrefer != 0 {
					v.langIndex = bestIdx
				}
			} else if force&confparse.FLPFallback != 0 {
				v.langIndex = bestIdx
				v.langQuality = 0.0001
				v.definite = false
			}
		}
	}
}

// contentLength is find_content_length: the length a type map gives,
// else the size of the variant's file (a type map's variant is looked
// for in the negotiation's directory), -1 when unknown.
func (neg *negotiation) contentLength(v *variant) int64 {
	if v.bytes >= 0 {
		return v.bytes
	}
	if v.sub != nil && v.sub.Info != nil {
		v.bytes = v.sub.Info.Size()
	} else if fi, err := neg.stat.Stat(neg.dirName + v.fileName); err == nil {
		v.bytes = fi.Size()
	}
	return v.bytes
}

// setAcceptQuality is set_accept_quality.
func (neg *negotiation) setAcceptQuality(v *variant) {
	if !neg.hasAccept {
		if v.mimeType != "" {
			v.definite = false
		}
		return
	}
	var q float32
	qDefinite := true
	for i := range neg.accepts {
		a := &neg.accepts[i]
		prev := v.mimeStars
		if !mimeMatch(a, v) || prev == v.mimeStars {
			continue
		}
		switch {
		case !neg.dontFiddleHeaders && !neg.acceptQ && v.mimeStars == 1:
			q = 0.01
		case !neg.dontFiddleHeaders && !neg.acceptQ && v.mimeStars == 2:
			q = 0.02
		default:
			q = a.quality
		}
		qDefinite = v.mimeStars == 3
	}
	v.mimeTypeQuality = q
	v.definite = v.definite && qDefinite
}

// setCharsetQuality is set_charset_quality.
func (neg *negotiation) setCharsetQuality(v *variant) {
	charset := v.charset
	if !neg.hasCharsets {
		if charset != "" {
			v.definite = false
		}
		return
	}
	if charset == "" {
		if !strings.HasPrefix(v.mimeType, "text/") && v.mimeType != "text/x-server-parsed-html" && v.mimeType != "text/x-server-parsed-html3" {
			return
		}
		if neg.dontFiddleHeaders {
			return
		}
		charset = "iso-8859-1"
	}
	var star *acceptRec
	for i := range neg.acceptCharsets {
		a := &neg.acceptCharsets[i]
		if a.name == charset {
			v.charsetQuality = a.quality
			return
		}
		if a.name == "*" {
			star = a
		}
	}
	if star != nil {
		v.charsetQuality = star.quality
		v.definite = false
		return
	}
	if charset == "iso-8859-1" {
		v.charsetQuality = 1
	} else {
		v.charsetQuality = 0
	}
}

func isIdentityEncoding(enc string) bool {
	return enc == "" || enc == "7bit" || enc == "8bit" || enc == "binary"
}

// setEncodingQuality is set_encoding_quality.
func (neg *negotiation) setEncodingQuality(v *variant) {
	enc := v.encoding
	if !neg.hasEncodings {
		if isIdentityEncoding(enc) {
			v.encodingQuality = 1
		} else {
			v.encodingQuality = 0.5
		}
		return
	}
	var notFound float32
	if isIdentityEncoding(enc) {
		enc, notFound = "identity", 0.0001
	}
	enc = strings.TrimPrefix(enc, "x-")
	var star *acceptRec
	for i := range neg.acceptEncodings {
		a := &neg.acceptEncodings[i]
		name := strings.TrimPrefix(a.name, "x-")
		if name == enc {
			v.encodingQuality = a.quality
			return
		}
		if name == "*" {
			star = a
		}
	}
	if star != nil {
		v.encodingQuality = star.quality
		return
	}
	v.encodingQuality = notFound
}

// isVariantBetterRVSA is is_variant_better_rvsa.
func (neg *negotiation) isVariantBetterRVSA(v, best *variant, bestq *float32) bool {
	if v.encodingQuality == 0 {
		return false
	}
	q := v.mimeTypeQuality * v.sourceQuality * v.charsetQuality * v.langQuality
	if q <= 0 {
		return false
	}
	if q > *bestq {
		*bestq = q
		return true
	}
	if q == *bestq && v.encodingQuality > best.encodingQuality {
		*bestq = q
		return true
	}
	return false
}

// isVariantBetter is is_variant_better, Apache's own algorithm.
func (neg *negotiation) isVariantBetter(v, best *variant, bestq *float32) bool {
	if v.encodingQuality == 0 || v.langQuality == 0 || v.sourceQuality == 0 || v.charsetQuality == 0 || v.mimeTypeQuality == 0 {
		return false
	}
	q := v.mimeTypeQuality * v.sourceQuality
	if q == 0 || q < *bestq {
		return false
	}
	if q > *bestq || best == nil {
		*bestq = q
		return true
	}
	if v.langQuality < best.langQuality {
		return false
	}
	if v.langQuality > best.langQuality {
		*bestq = q
		return true
	}
	if best.langIndex != -1 && (v.langIndex == -1 || v.langIndex > best.langIndex) {
		return false
	}
	if v.langIndex != -1 && (best.langIndex == -1 || v.langIndex < best.langIndex) {
		*bestq = q
		return true
	}
	switch levelCmp(v, best) {
	case -1:
		return false
	case 1:
		*bestq = q
		return true
	}
	if v.charsetQuality < best.charsetQuality {
		return false
	}
	if v.charsetQuality > best.charsetQuality ||
		v.charset != "" && v.charset != "iso-8859-1" && (best.charset == "" || best.charset == "iso-8859-1") {
		*bestq = q
		return true
	}
	if v.encodingQuality < best.encodingQuality {
		return false
	}
	if v.encodingQuality > best.encodingQuality {
		*bestq = q
		return true
	}
	if neg.contentLength(v) >= neg.contentLength(best) {
		return false
	}
	*bestq = q
	return true
}

// discardByEnv is discard_variant_by_env: no-gzip drops every encoded
// variant, gzip-only-text/html those that are not text/html.
func discardByEnv(v *variant, discard int) bool {
	if isIdentityEncoding(v.encoding) || v.encoding == "identity" {
		return false
	}
	return discard == 1 || discard == 2 && !strings.HasPrefix(v.mimeType, "text/html")
}

// bestMatch is best_match.
func (neg *negotiation) bestMatch() (*variant, int) {
	env := neg.r.Env
	preferred, hasPreferred := env.Get("prefer-language")
	discard := 0
	if _, ok := env.Get("no-gzip"); ok {
		discard = 1
	} else if v, ok := env.Get("gzip-only-text/html"); ok && v == "1" {
		discard = 2
	}
	neg.setDefaultLangQuality()
	for {
		var best *variant
		var bestq float32
		for _, v := range neg.vars {
			if discard != 0 && discardByEnv(v, discard) {
				continue
			}
			if hasPreferred && !containsString(v.languages, preferred) {
				continue
			}
			neg.setAcceptQuality(v)
			if hasPreferred {
				v.langQuality, v.definite = 1, true
			} else {
				neg.setLanguageQuality(v)
			}
			neg.setEncodingQuality(v)
			neg.setCharsetQuality(v)
			if neg.mayChoose {
				if neg.useRVSA {
					if neg.isVariantBetterRVSA(v, best, &bestq) {
						best = v
					}
				} else if neg.isVariantBetter(v, best, &bestq) {
					best = v
				}
			}
		}
		alg := algList
		if neg.useRVSA {
			if best != nil && best.definite && bestq > 0 {
				alg = algChoice
			}
		} else if bestq > 0 {
			alg = algChoice
		}
		if hasPreferred && (best == nil || alg != algChoice) {
			hasPreferred = false
			continue
		}
		return best, alg
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// setNegHeaders is set_neg_headers: Alternates (when sent), Vary with
// the dimensions the variants differ in, and TCN, in err_headers_out.
func (neg *negotiation) setNegHeaders(alg int) {
	r := neg.r
	var varyType, varyLang, varyCharset, varyEnc bool
	var sampleType, sampleLang, sampleEnc, sampleCharset string
	var alt []string
	for j, v := range neg.vars {
		lang := strings.Join(v.languages, ",")
		if j == 0 {
			sampleType, sampleCharset, sampleLang, sampleEnc = v.mimeType, v.charset, lang, v.encoding
		} else {
			varyType = varyType || sampleType != v.mimeType
			varyCharset = varyCharset || sampleCharset != v.charset
			varyLang = varyLang || sampleLang != lang
			varyEnc = varyEnc || sampleEnc != v.encoding
		}
		if !neg.sendAlternates {
			continue
		}
		var b strings.Builder
		b.WriteString(`{"` + escapePathSegment(v.fileName) + `" ` + qString(v.sourceQuality))
		if v.mimeType != "" {
			b.WriteString(" {type " + v.mimeType + "}")
		}
		if v.charset != "" {
			b.WriteString(" {charset " + v.charset + "}")
		}
		if lang != "" {
			b.WriteString(" {language " + lang + "}")
		}
		if v.encoding != "" {
			b.WriteString(" {encoding " + v.encoding + "}")
		}
		if !(v.sub != nil && v.sub.Handler != "") {
			if n := neg.contentLength(v); n >= 0 {
				b.WriteString(" {length " + strconv.FormatInt(n, 10) + "}")
			}
		}
		b.WriteString("}")
		alt = append(alt, b.String())
	}
	if neg.sendAlternates && len(neg.vars) > 0 {
		r.errHeadersOut.Merge("Alternates", strings.Join(alt, ", "))
	}
	if neg.isTransparent || varyType || varyLang || varyCharset || varyEnc {
		var b strings.Builder
		for _, d := range []struct {
			on   bool
			name string
		}{{neg.isTransparent, "negotiate"}, {varyType, "accept"}, {varyLang, "accept-language"},
			{varyCharset, "accept-charset"}, {varyEnc, "accept-encoding"}} {
			if d.on {
				b.WriteString(", " + d.name)
			}
		}
		r.errHeadersOut.Merge("Vary", b.String()[2:])
	}
	if neg.isTransparent {
		if alg == algList {
			r.errHeadersOut.Set("TCN", "list")
		} else {
			r.errHeadersOut.Set("TCN", "choice")
		}
	}
}

// qString is the "%1.3f" of a source quality without its trailing zeros.
func qString(q float32) string {
	s := fmt.Sprintf("%1.3f", float64(q))
	if len(s) >= 5 && s[4] == '0' {
		s = s[:4]
		if s[3] == '0' {
			s = s[:3]
			if s[2] == '0' {
				s = s[:1]
			}
		}
	}
	return s
}

// variantList is make_variant_list: the HTML list of the 300 and 406
// pages.
func (neg *negotiation) variantList() string {
	var b strings.Builder
	b.WriteString("Available variants:\n<ul>\n")
	for _, v := range neg.vars {
		b.WriteString(`<li><a href="` + escapePathSegment(v.fileName) + `">` + escapeHTML(v.fileName) + "</a> " + v.description)
		if v.mimeType != "" {
			b.WriteString(", type " + v.mimeType)
		}
		if len(v.languages) > 0 {
			b.WriteString(", language " + strings.Join(v.languages, ","))
		}
		if v.charset != "" {
			b.WriteString(", charset " + v.charset)
		}
		if v.hasEnc {
			b.WriteString(", encoding " + v.encoding)
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ul>\n")
	return b.String()
}

// fixEncoding is mod_negotiation's fix_encoding fixup: a content coding
// the client names in Accept-Encoding, plainly or with "x-", is sent as
// the client spelled it.
func fixEncoding(r *Request) {
	if len(r.encodings) == 0 {
		return
	}
	enc := strings.TrimPrefix(strings.Join(r.encodings, ", "), "x-")
	accepts, ok := doHeaderLine(r.HTTP.Header, "Accept-Encoding")
	if !ok {
		return
	}
	xEnc := ""
	for _, a := range accepts {
		if a.name == enc {
			r.encodings = []string{a.name}
			return
		}
		if strings.HasPrefix(a.name, "x-") && a.name[2:] == enc {
			xEnc = a.name
		}
	}
	if xEnc != "" {
		r.encodings = []string{xEnc}
	}
}
