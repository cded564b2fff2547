package vhost

import (
	"encoding/base64"
	"net/http"
	"net/textproto"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/http1"
)

// The request-side work of Apache's metadata modules, in the phases
// Apache runs it: mod_headers' early actions and the server's
// mod_setenvif directives when the request has been read
// (post_read_request), the directory's mod_setenvif directives before
// access control (header_parser), and mod_env and RequestHeader in the
// fixups. The response side is in headers.go.

// isMain reports whether the request is not a sub-request: the request
// itself, or the internal redirect of an ErrorDocument.
func (r *Request) isMain() bool { return r.depth == 0 || r.errorStatus != 0 }

// postReadRequest runs the post_read_request hooks of mod_headers (the
// early actions) and mod_setenvif (the server's directives), with the
// server's per-directory defaults in force.
func (h *Handler) postReadRequest(r *Request) {
	host := r.Host
	// mod_remoteip's hook runs first.
	if r.isMain() {
		r.remoteIP()
	}
	if !host.postRead {
		return
	}
	if host.early {
		d := r.Dir
		if len(d.RequestHeaders) > 0 {
			h.editRequestHeaders(r, d.RequestHeaders, true)
		}
		f := headerFixup{h: h, r: r, early: true}
		f.run(&r.errHeadersOut, d.HeadersAlways)
		f.run(&r.headersOut, d.Headers)
	}
	r.matchSetEnvIf(host.setEnvIf)
}

// headerParser is mod_setenvif's header_parser hook: the directory's
// directives, for the request itself only.
func (r *Request) headerParser() {
	if len(r.Dir.SetEnvIf) > 0 && r.isMain() {
		r.matchSetEnvIf(r.Dir.SetEnvIf)
	}
}

// metadataFixups runs mod_env's fixup (the variables of SetEnv and
// PassEnv are added after the environment's, apr_table_overlay) and
// mod_headers' (RequestHeader). A sub-request works on a copy of the
// request's headers in Apache, which nothing reads afterwards: it skips
// RequestHeader here, where it would change the request's own.
func (h *Handler) metadataFixups(r *Request) *Outcome {
	d := r.Dir
	if d.Env != nil && len(d.Env.Vars) > 0 {
		for _, p := range d.Env.Vars {
			r.Env.Add(p.Name, p.Value)
		}
	}
	if d.AuthBasicFake != nil && d.AuthBasicFake.User != "" {
		if o := h.basicFake(r, d.AuthBasicFake); o != nil {
			return o
		}
	}
	if len(d.RequestHeaders) > 0 && r.isMain() {
		h.editRequestHeaders(r, d.RequestHeaders, false)
	}
	return nil
}

// basicFake is mod_auth_basic's authenticate_basic_fake fixup
// (AuthBasicFake): the Authorization header becomes Basic with the
// evaluated user and password, or goes when either is empty.
func (h *Handler) basicFake(r *Request, fake *confparse.BasicFake) *Outcome {
	user, err := evalStringExpr(r, fake.User)
	if err != nil {
		h.logf("error", "auth_basic", r, "AH02455: AuthBasicFake: could not evaluate user expression for URI '%s': %s", r.URI, err)
		return fail(500)
	}
	if user == "" {
		h.logf("info", "auth_basic", r, "AH02458: AuthBasicFake: empty username expression for URI '%s', ignoring", r.URI)
		r.setRequestHeader("Authorization", "", false)
		return nil
	}
	pass, err := evalStringExpr(r, fake.Password)
	if err != nil {
		h.logf("error", "auth_basic", r, "AH02456: AuthBasicFake: could not evaluate password expression for URI '%s': %s", r.URI, err)
		return fail(500)
	}
	if pass == "" {
		h.logf("info", "auth_basic", r, "AH02459: AuthBasicFake: empty password expression for URI '%s', ignoring", r.URI)
		r.setRequestHeader("Authorization", "", false)
		return nil
	}
	line := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	r.setRequestHeader("Authorization", line, true)
	h.logf("info", "auth_basic", r, "AH02457: AuthBasicFake: \"Authorization: %s\"", line)
	return nil
}

// evalStringExpr evaluates a string expression of the configuration
// (checked when it was read) for the request.
func evalStringExpr(r *Request, src string) (string, error) {
	e, err := confparse.ParseExprString(src)
	if err != nil {
		return "", err
	}
	return e.EvalString(exprContext{r})
}

// setRequestHeader sets (apr_table_set) or, when set is false, removes
// (apr_table_unset) a field of the request's headers. A sub-request
// leaves its parent's alone, as it works on a copy in Apache.
func (r *Request) setRequestHeader(name, value string, set bool) {
	if !r.isMain() {
		return
	}
	t := requestHeaderTable(r)
	if set {
		t.Set(name, value)
	} else {
		t.Unset(name)
	}
	r.replaceRequestHeaders(t)
}

// matchSetEnvIf is mod_setenvif's match_headers over one list.
func (r *Request) matchSetEnvIf(list []*confparse.SetEnvIf) {
	var (
		val    string
		valSet bool // val is not Apache's NULL
		lastID int
		regm   []int
	)
	for _, b := range list {
		if b.Expr == nil && b.NameID != lastID {
			// Entries in a row on the same name share the value the
			// first one read, as Apache compares name pointers.
			lastID = b.NameID
			val, valSet = r.setEnvIfValue(b)
		}
		if !valSet {
			val, valSet = "", true
		}
		matched := false
		switch {
		case b.Expr != nil:
			br := &apexpr.Backrefs{Source: val, Match: regm}
			ok, err := b.Expr.EvalRe(varyContext{exprContext: exprContext{r}}, br)
			matched = err == nil && ok
			val, regm = br.Source, br.Match
			valSet = val != ""
		case b.Regex != nil:
			if m := b.Regex.FindStringSubmatchIndex(val); m != nil {
				matched, regm = true, m
			}
		case b.ICase:
			matched = containsFold(val, b.Literal)
		default:
			matched = strings.Contains(val, b.Literal)
		}
		if !matched {
			continue
		}
		for _, v := range b.Vars {
			switch {
			case strings.HasPrefix(v.Value, "!"):
				r.Env.Unset(v.Name)
			case b.Regex != nil || (b.Expr != nil && valSet):
				r.Env.Set(v.Name, pregsub(v.Value, val, regm))
			default:
				r.Env.Set(v.Name, v.Value)
			}
		}
	}
}

// setEnvIfValue is what a SetEnvIf entry tests: the attribute, the
// header (the last one whose name matches a name regex), or else the
// environment variable of that name; ok=false is Apache's NULL.
func (r *Request) setEnvIfValue(b *confparse.SetEnvIf) (string, bool) {
	switch b.Attr {
	case confparse.AttrRemoteHost:
		// ap_get_useragent_host(r, REMOTE_NAME): the name when
		// HostnameLookups found one, else the address.
		return r.remoteName(), true
	case confparse.AttrRemoteAddr:
		return addrString(r.Remote.Addr()), true
	case confparse.AttrServerAddr:
		return addrString(r.Local.Addr()), true
	case confparse.AttrRequestURI:
		return r.URI, true
	case confparse.AttrRequestMethod:
		return r.Method, true
	case confparse.AttrRequestProtocol:
		return r.HTTP.Proto, true
	}
	if b.NameRegex != nil {
		val, ok := "", false
		for _, kv := range requestHeaderTable(r) {
			if b.NameRegex.MatchString(kv.Key) {
				val, ok = kv.Value, true
			}
		}
		return val, ok
	}
	if v, ok := requestHeader(r.HTTP, b.Name); ok {
		return v, true
	}
	return r.Env.Get(b.Name)
}

// requestHeader is a request header as Apache's headers_in has it:
// repeated fields joined with ", ", and the Host and Transfer-Encoding
// that net/http's Request keeps apart from its Header.
func requestHeader(hr *http.Request, name string) (string, bool) {
	if strings.EqualFold(name, "Host") {
		return hr.Host, hr.Host != ""
	}
	vs, ok := hr.Header[textproto.CanonicalMIMEHeaderKey(name)]
	if !ok {
		if len(hr.TransferEncoding) > 0 && strings.EqualFold(name, "Transfer-Encoding") {
			return strings.Join(hr.TransferEncoding, ", "), true
		}
		return "", false
	}
	if len(vs) == 1 {
		return vs[0], true
	}
	return strings.Join(vs, ", "), true
}

// requestHeaderTable is the request's headers as Apache's headers_in
// table (eachRequestHeader).
func requestHeaderTable(r *Request) Vars {
	t := make(Vars, 0, len(r.HTTP.Header)+1)
	r.eachRequestHeader(func(name, value string) {
		t = append(t, EnvVar{name, value})
	})
	return t
}

// eachRequestHeader calls fn for each field of the request's headers as
// Apache's headers_in has them: each name once, repeated fields joined
// with ", ", in the order and spelling the client sent (or RequestHeader
// left). Fields of no known order (over HTTP/2, or added since) follow:
// Host first, the others sorted by name.
func (r *Request) eachRequestHeader(fn func(name, value string)) {
	hr := r.HTTP
	order := r.fieldOrder
	if order == nil {
		order = http1.FieldNames(hr)
	}
	hostDone, fromMap := false, 0
	// A Transfer-Encoding net/http keeps apart (not in Header) is a
	// field too: where the client sent it, or, for an HTTP/2 stream
	// whose headers nothing has edited (mod_http2 adds "chunked" to a
	// stream's body without a length), last, as apr_table_mergen adds
	// it.
	teApart := len(hr.TransferEncoding) > 0 && hr.Header["Transfer-Encoding"] == nil
	if teApart && hr.ProtoMajor == 2 && r.fieldOrder == nil {
		defer fn("Transfer-Encoding", strings.Join(hr.TransferEncoding, ", "))
	}
	for _, name := range order {
		switch {
		case strings.EqualFold(name, "Host"):
			if hr.Host != "" && !hostDone {
				fn(name, hr.Host)
			}
			hostDone = true
		case strings.EqualFold(name, "Transfer-Encoding") && teApart:
			fn(name, strings.Join(hr.TransferEncoding, ", "))
		default:
			if vs, ok := hr.Header[textproto.CanonicalMIMEHeaderKey(name)]; ok {
				fn(name, joinValues(vs))
				fromMap++
			}
		}
	}
	if hr.Host != "" && !hostDone {
		fn("Host", hr.Host)
	}
	if fromMap == len(hr.Header) {
		return
	}
	ordered := make(map[string]bool, len(order))
	for _, name := range order {
		ordered[textproto.CanonicalMIMEHeaderKey(name)] = true
	}
	var rest []string
	for k := range hr.Header {
		if !ordered[textproto.CanonicalMIMEHeaderKey(k)] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		fn(k, joinValues(hr.Header[k]))
	}
}

// joinValues is a repeated field's value as Apache merges it.
func joinValues(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs, ", ")
}

// editRequestHeaders runs RequestHeader actions on the request's
// headers (headers_in).
func (h *Handler) editRequestHeaders(r *Request, actions []*confparse.HeaderAction, early bool) {
	t := requestHeaderTable(r)
	f := headerFixup{h: h, r: r, early: early, request: true}
	if f.run(&t, actions) {
		r.replaceRequestHeaders(t)
	}
}

// replaceRequestHeaders makes t, in its order, the request's headers.
func (r *Request) replaceRequestHeaders(t Vars) {
	hdr := make(http.Header, len(t))
	host := ""
	for _, kv := range t {
		if strings.EqualFold(kv.Key, "Host") {
			if host == "" {
				host = kv.Value
			}
			continue
		}
		if strings.EqualFold(kv.Key, "Transfer-Encoding") && len(r.HTTP.TransferEncoding) > 0 {
			continue // kept apart, in TransferEncoding
		}
		k := textproto.CanonicalMIMEHeaderKey(kv.Key)
		hdr[k] = append(hdr[k], kv.Value)
	}
	r.HTTP.Header, r.HTTP.Host = hdr, host
	r.fieldOrder = make([]string, 0, len(t))
	seen := make(map[string]bool, len(t))
	for _, kv := range t {
		if k := textproto.CanonicalMIMEHeaderKey(kv.Key); !seen[k] {
			seen[k] = true
			r.fieldOrder = append(r.fieldOrder, kv.Key)
		}
	}
}

// headerFixup is mod_headers' do_headers_fixup over one table.
type headerFixup struct {
	h     *Handler
	r     *Request
	early bool
	// request marks the request's headers: Content-Type is then just a
	// header.
	request bool
	// ct is the response's content type (r->content_type) while the
	// response headers are edited; ctSet is false for none, ctChanged
	// once an action changed it.
	ct               string
	ctSet, ctChanged bool
	// out is the response's headers_out table, where echo adds and
	// expressions record their Vary; errOut its err_headers_out.
	out, errOut *Vars
	// status is r->status as the response filters see it (0 before the
	// response).
	status int
}

// exprContext is the context of the actions' expressions: resp() reads
// the response's tables as they are at that point.
func (f *headerFixup) exprContext() varyContext {
	return varyContext{exprContext: exprContext{f.r}, out: f.out, errOut: f.errOut, status: f.status}
}

// run applies the actions that belong to this phase to t; false when
// nothing could change.
func (f *headerFixup) run(t *Vars, actions []*confparse.HeaderAction) bool {
	ran := false
	for _, a := range actions {
		if a.Early != f.early || !f.applies(a) {
			continue
		}
		ran = true
		f.apply(t, a)
	}
	return ran
}

// applies evaluates an action's condition: expr= (an expression that
// fails to evaluate is logged and the action runs), or env=.
func (f *headerFixup) applies(a *confparse.HeaderAction) bool {
	r := f.r
	switch {
	case a.Cond != nil:
		ok, err := a.Cond.Eval(f.exprContext())
		if err != nil {
			f.h.logf("error", "headers", r, "AH01501: Failed to evaluate expression (%s) - ignoring", err)
			return true
		}
		return ok
	case a.Env != "" && !f.early:
		if a.Env[0] == '!' {
			return !r.Env.Has(a.Env[1:])
		}
		return r.Env.Has(a.Env)
	}
	return true
}

func (f *headerFixup) isContentType(name string) bool {
	return !f.request && strings.EqualFold(name, "Content-Type")
}

func (f *headerFixup) setContentType(v string, set bool) {
	f.ct, f.ctSet, f.ctChanged = v, set, true
}

// apply is one action of do_headers_fixup.
func (f *headerFixup) apply(t *Vars, a *confparse.HeaderAction) {
	r := f.r
	switch a.Op {
	case confparse.HeaderAdd:
		t.Add(a.Name, f.value(a))
	case confparse.HeaderAppend:
		t.Merge(a.Name, f.value(a))
	case confparse.HeaderMerge:
		v := f.value(a)
		if old, ok := t.Get(a.Name); !ok {
			t.Add(a.Name, v)
		} else if !hasToken(old, v) {
			t.Merge(a.Name, v)
		}
	case confparse.HeaderSet:
		v := f.value(a)
		if f.isContentType(a.Name) {
			f.setContentType(v, true)
		}
		t.Set(a.Name, v)
	case confparse.HeaderSetIfEmpty:
		if !t.Has(a.Name) {
			v := f.value(a)
			if f.isContentType(a.Name) {
				f.setContentType(v, true)
			}
			t.Set(a.Name, v)
		}
	case confparse.HeaderUnset:
		t.Unset(a.Name)
		if f.isContentType(a.Name) {
			f.setContentType("", false)
		}
	case confparse.HeaderEcho:
		// echo_header adds to headers_out whatever table it runs on.
		out := f.out
		if out == nil {
			out = t
		}
		for _, kv := range requestHeaderTable(r) {
			if a.Regex.MatchString(kv.Key) {
				out.Add(kv.Key, kv.Value)
			}
		}
	case confparse.HeaderEdit, confparse.HeaderEditAll:
		if strings.EqualFold(a.Name, "Content-Type") && f.ctSet {
			v := f.edit(a, f.ct)
			if !f.request {
				f.setContentType(v, true)
			}
		}
		if !t.Has(a.Name) {
			return
		}
		var edited []string
		for _, kv := range *t {
			if strings.EqualFold(kv.Key, a.Name) {
				edited = append(edited, f.edit(a, kv.Value))
			}
		}
		name := a.Name
		for _, kv := range *t {
			if strings.EqualFold(kv.Key, a.Name) {
				name = kv.Key // add_them_all keeps the table's spelling
				break
			}
		}
		t.Unset(a.Name)
		for _, v := range edited {
			t.Add(name, v)
		}
	case confparse.HeaderNote:
		if v, ok := t.Get(a.Name); ok {
			r.SetNote(f.value(a), v)
		}
	}
}

// hasToken is the test of Header merge: whether the header's
// comma-separated list already has the value as one of its items, byte
// for byte (quoted strings may hold commas; the space after a comma is
// skipped, the space before one is part of the item).
func hasToken(list, v string) bool {
	i := 0
	for i < len(list) {
		for i < len(list) && isSpaceByte(list[i]) {
			i++
		}
		start := i
		for i < len(list) && list[i] != ',' {
			c := list[i]
			i++
			if c == '"' {
				for i < len(list) {
					c := list[i]
					i++
					if c == '"' {
						break
					}
				}
			}
		}
		if list[start:i] == v {
			return true
		}
		if i < len(list) {
			i++
		}
	}
	return false
}

func isSpaceByte(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// edit is process_regexp as Apache 2.4 has it: the first match replaced
// by the value with $0..$9 substituted (its format specifiers are
// expanded first); edit* goes on with the rest of the value as a new
// string, so ^ matches again there.
func (f *headerFixup) edit(a *confparse.HeaderAction, value string) string {
	m := a.Regex.FindStringSubmatchIndex(value)
	if m == nil {
		return value
	}
	sub := pregsub(f.value(a), value, m)
	rest := value[m[1]:]
	if a.Op == confparse.HeaderEditAll {
		if m[1] == 0 {
			// An empty match at the start: Apache would recurse
			// forever; go on after the next character.
			if rest == "" {
				return value[:m[0]] + sub
			}
			rest = rest[:1] + f.edit(a, rest[1:])
		} else {
			rest = f.edit(a, rest)
		}
	}
	return value[:m[0]] + sub + rest
}

// sslValue is header_request_ssl_var: SSLLookup, "(null)" for an
// empty value or without mod_ssl.
func (f *headerFixup) sslValue(name string) string {
	if !f.h.Table.Config.Tree.IsLoaded("mod_ssl.c") {
		return "(null)"
	}
	if v := f.r.SSLLookup(name); v != "" {
		return unwrapHeader(v)
	}
	return "(null)"
}

// SSLLookup is mod_ssl's ssl_var_lookup for the request: HTTPS, the
// SSL_ variables, and the request's own variables it also answers (""
// for none).
func (r *Request) SSLLookup(name string) string {
	switch {
	case strings.EqualFold(name, "HTTPS"):
		if r.HTTP.TLS != nil {
			return "on"
		}
		return "off"
	case len(name) >= 4 && strings.EqualFold(name[:4], "SSL_"):
		return r.sslVar(name)
	}
	v, _ := exprContext{r}.Var(name)
	return v
}

// value is process_tags: the value's expression, or its format.
func (f *headerFixup) value(a *confparse.HeaderAction) string {
	r := f.r
	if a.ValueExpr != nil {
		v, err := a.ValueExpr.EvalString(f.exprContext())
		if err != nil {
			f.h.logf("error", "headers", r, "AH02557: Can't evaluate value expression: %s", err)
			return ""
		}
		return v
	}
	if len(a.Value) == 1 && a.Value[0].Spec == 0 {
		return a.Value[0].Arg
	}
	var b strings.Builder
	for _, tag := range a.Value {
		switch tag.Spec {
		case 0:
			b.WriteString(tag.Arg)
		case 'D':
			b.WriteString("D=" + strconv.FormatInt(time.Since(r.Start).Microseconds(), 10))
		case 't':
			b.WriteString("t=" + strconv.FormatInt(r.Start.UnixMicro(), 10))
		case 'e':
			if v, ok := r.Env.Get(tag.Arg); ok {
				b.WriteString(unwrapHeader(v))
			} else {
				b.WriteString("(null)")
			}
		case 's':
			b.WriteString(f.sslValue(tag.Arg))
		case 'l':
			b.WriteString("l=" + loadAverage())
		case 'i':
			b.WriteString("i=0")
		case 'b':
			b.WriteString("b=1")
		}
	}
	return b.String()
}

// unwrapHeader turns CR and LF into spaces.
func unwrapHeader(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Map(func(c rune) rune {
		if c == '\r' || c == '\n' {
			return ' '
		}
		return c
	}, s)
}

// loadAverage is ap_get_loadavg as %l prints it: "1.00/0.50/0.25".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return "-1.00/-1.00/-1.00"
	}
	out := make([]string, 3)
	for i := range out {
		v, _ := strconv.ParseFloat(f[i], 64)
		out[i] = strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strings.Join(out, "/")
}

// varyContext is the expression context of mod_setenvif's and
// mod_headers' conditions: the request headers a condition reads are
// added to the response's Vary, as ap_expr_exec does.
type varyContext struct {
	exprContext
	out, errOut *Vars
	// status is REQUEST_STATUS once the response is being filtered (0:
	// the request's).
	status int
}

// Var is the request's variable, with the status of the response being
// filtered.
func (c varyContext) Var(name string) (string, bool) {
	if name == "REQUEST_STATUS" && c.status != 0 {
		return strconv.Itoa(c.status), true
	}
	return c.exprContext.Var(name)
}

// RespHeader is resp(): headers_out first, then err_headers_out.
func (c varyContext) RespHeader(name string) string {
	for _, t := range []*Vars{c.out, c.errOut} {
		if t == nil {
			continue
		}
		if v, ok := t.Get(name); ok {
			return v
		}
	}
	return ""
}

// AddVary implements apexpr.VaryRecorder.
func (c varyContext) AddVary(headers string) {
	if c.out != nil {
		c.out.Merge("Vary", headers)
	} else {
		c.r.headersOut.Merge("Vary", headers)
	}
}

// containsFold is apr_strmatch without case: whether s contains sub,
// ASCII letters compared without case.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
