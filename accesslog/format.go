package accesslog

import (
	"net/netip"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/logescape"
	"github.com/gowsgid/gowsgid/vhost"
)

// Format is a compiled LogFormat string: the items mod_log_config's
// parse_log_string makes, each with the function that writes it, so that
// a request is logged without parsing anything.
type Format struct {
	src   string
	items []item
	// readsEnv is whether an item is %{VAR}e.
	readsEnv bool
}

// item is one literal or %-directive.
type item struct {
	lit    string
	write  fieldFunc
	arg    string
	key    string // arg as a canonical header key, for %i and %o
	status []int
	negate bool
	orig   bool
}

// fieldFunc appends an item's value for r and reports whether there was
// one; when there was none it appends nothing and the log shows "-".
type fieldFunc func(b []byte, it *item, r *vhost.Request, x *txn) ([]byte, bool)

// Compile compiles a LogFormat string (known is the set of directives
// the configuration's modules register, see
// confparse.LogFormatDirectivesFor; nil is mod_log_config's and
// mod_logio's).
func Compile(format string, known map[string]bool) (*Format, error) {
	if known == nil {
		known = confparse.LogFormatDirectivesFor(nil)
	}
	items, err := confparse.ParseLogFormat(format, known)
	if err != nil {
		return nil, err
	}
	f := &Format{src: format}
	for _, in := range items {
		if in.Directive == "" {
			// Adjacent literals are joined.
			if n := len(f.items); n > 0 && f.items[n-1].write == nil {
				f.items[n-1].lit += in.Literal
				continue
			}
			f.items = append(f.items, item{lit: in.Literal})
			continue
		}
		it := item{arg: in.Arg, status: in.Status, negate: in.Negate, orig: in.Original}
		it.write = fields[in.Directive]
		if it.write == nil {
			it.write = none
		}
		if in.Directive == "i" || in.Directive == "o" {
			it.key = textproto.CanonicalMIMEHeaderKey(in.Arg)
		}
		f.readsEnv = f.readsEnv || in.Directive == "e"
		f.items = append(f.items, it)
	}
	return f, nil
}

// String is the format as written.
func (f *Format) String() string { return f.src }

// appendLine appends the log line of x, with its newline.
func (f *Format) appendLine(b []byte, x *txn) []byte {
	for i := range f.items {
		it := &f.items[i]
		if it.write == nil {
			b = append(b, it.lit...)
			continue
		}
		if len(it.status) > 0 && it.skip(x.finalStatus) {
			b = append(b, '-')
			continue
		}
		r := x.final
		if it.orig {
			r = x.orig
		}
		var ok bool
		if b, ok = it.write(b, it, r, x); !ok {
			b = append(b, '-')
		}
	}
	return append(b, '\n')
}

// skip is process_item's condition: a %400,501x item is written only for
// those statuses, a %!200,304x item only for others.
func (it *item) skip(status int) bool {
	in := false
	for _, s := range it.status {
		if s == status {
			in = true
			break
		}
	}
	return in == it.negate
}

// fields are the functions of the %-directives, by name.
var fields map[string]fieldFunc

func init() {
	fields = map[string]fieldFunc{
		"h": remoteHost, "a": remoteIP, "A": localIP, "l": none, "u": remoteUser,
		"t": requestTime, "f": filename, "b": bytesCLF, "B": bytesSent,
		"i": headerIn, "o": headerOut, "n": note, "L": logID, "e": envVar,
		"V": serverName, "v": virtualHost, "p": serverPort, "P": pidTid,
		"H": protocol, "m": method, "q": query, "X": connStatus,
		"C": cookie, "k": keepAlives, "r": requestLine, "D": durationMicros,
		"T": duration, "U": uri, "s": status, "R": handler,
		"^ti": trailerIn, "^to": none,
		"I": bytesIn, "O": bytesOut, "S": bytesInOut, "^FB": none,
		"c": sslConn, "x": sslLookup,
	}
}

func none(b []byte, _ *item, _ *vhost.Request, _ *txn) ([]byte, bool) { return b, false }

// sslLookup is mod_ssl's %{VAR}x: the variable as ssl_var_lookup gives
// it, none when empty.
func sslLookup(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	return escaped(b, r.SSLLookup(it.arg))
}

// sslConn is mod_ssl's %{name}c, a few facts of a TLS connection under
// short names; none on a plain connection.
func sslConn(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	if r.HTTP.TLS == nil {
		return b, false
	}
	name := map[string]string{"version": "SSL_PROTOCOL", "cipher": "SSL_CIPHER", "subjectdn": "SSL_CLIENT_S_DN",
		"clientcert": "SSL_CLIENT_S_DN", "issuerdn": "SSL_CLIENT_I_DN", "cacert": "SSL_CLIENT_I_DN"}[it.arg]
	switch {
	case it.arg == "errcode":
		return append(b, '-'), true
	case name == "":
		return b, false // errstr: gowsgid keeps no verify error text
	}
	return escaped(b, r.SSLLookup(name))
}

// escaped appends s escaped, or reports no value for "".
func escaped(b []byte, s string) ([]byte, bool) {
	if s == "" {
		return b, false
	}
	return logescape.AppendItem(b, s), true
}

// remoteHost is %h: the client's name when HostnameLookups found one,
// else its address as %a gives it.
func remoteHost(b []byte, it *item, r *vhost.Request, x *txn) ([]byte, bool) {
	if it.arg != "c" {
		if name, ok := r.RemoteHost(); ok {
			return logescape.AppendItem(b, name), true
		}
	}
	return remoteIP(b, it, r, x)
}

// remoteIP is %a: the client, which mod_remoteip may have taken from a
// proxy's header; %{c}a (and %{c}h) is the connection's peer.
func remoteIP(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	if it.arg == "c" && r.HTTP != nil {
		if ap, err := netip.ParseAddrPort(r.HTTP.RemoteAddr); err == nil {
			return ap.Addr().Unmap().AppendTo(b), true
		}
	}
	if !r.Remote.IsValid() {
		return b, false
	}
	return r.Remote.Addr().Unmap().AppendTo(b), true
}

// localIP is %A.
func localIP(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	if !r.Local.IsValid() {
		return b, false
	}
	return r.Local.Addr().Unmap().AppendTo(b), true
}

// remoteUser is %u: the user the request named ("" for an empty name).
func remoteUser(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	switch {
	case r.User != "":
		return logescape.AppendItem(b, r.User), true
	case r.HasUser:
		return append(b, `""`...), true
	}
	return b, false
}

func filename(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	return escaped(b, r.Filename)
}

// bytesCLF is %b: the body bytes sent, "-" for none.
func bytesCLF(b []byte, _ *item, r *vhost.Request, x *txn) ([]byte, bool) {
	if r != x.sender() || x.bytes == 0 {
		return b, false
	}
	return strconv.AppendInt(b, x.bytes, 10), true
}

// bytesSent is %B: the body bytes sent, "0" for none.
func bytesSent(b []byte, _ *item, r *vhost.Request, x *txn) ([]byte, bool) {
	if r != x.sender() {
		return append(b, '0'), true
	}
	return strconv.AppendInt(b, x.bytes, 10), true
}

// headerIn is %{Name}i: a request header, repeated ones joined with ", "
// as Apache merges them when it reads the request. net/http keeps Host
// and Transfer-Encoding out of the header map.
func headerIn(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	if r.LineOnly {
		return b, false
	}
	hr := r.HTTP
	switch it.key {
	case "Host":
		return escaped(b, hr.Host)
	case "Transfer-Encoding":
		return appendJoined(b, hr.TransferEncoding)
	}
	vs, ok := hr.Header[it.key]
	if !ok {
		return b, false
	}
	return appendJoined(b, vs)
}

func appendJoined(b []byte, vs []string) ([]byte, bool) {
	if len(vs) == 0 {
		return b, false
	}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = logescape.AppendItem(b, v)
	}
	return b, true
}

// headerOut is %{Name}o: a response header. Content-Type is the type
// without its parameters (r->content_type through ap_field_noparam);
// Set-Cookie joins every value; any other header gives its first. Date
// and Server are not in Apache's r->headers_out (the HTTP header filter
// adds them as it sends), so they log "-".
func headerOut(b []byte, it *item, r *vhost.Request, x *txn) ([]byte, bool) {
	if x.resp == nil || r == x.final && r.RedirectFailed() {
		// An ErrorDocument redirect that failed sent nothing: the
		// original request sent Apache's page.
		return b, false
	}
	h := x.resp.Header()
	vs := h[it.key]
	if len(vs) == 0 {
		// apr_table_get is case-blind: a field kept in another spelling
		// than Go's canonical one (static.ETagKey) counts too.
		for k, v := range h {
			if len(v) > 0 && strings.EqualFold(k, it.key) {
				vs = v
				break
			}
		}
	}
	if len(vs) == 0 {
		return b, false
	}
	switch it.key {
	case "Date", "Server":
		return b, false
	case "Transfer-Encoding":
		if vs[0] == "identity" {
			return b, false // the HTTP/1 server's marker for an unframed body, never sent
		}
	case "Content-Length":
		if st := x.finalStatus; st == 204 || st == 304 || st < 200 {
			return b, false // the header filter drops it from a response without a body
		}
	case "Content-Type":
		v := vs[0]
		if i := strings.IndexByte(v, ';'); i >= 0 {
			v = strings.TrimRight(v[:i], " \t")
		}
		return escaped(b, v)
	case "Set-Cookie":
		return appendJoined(b, vs)
	}
	return logescape.AppendItem(b, vs[0]), true
}

func note(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	v, ok := r.Note(it.arg)
	if !ok {
		return b, false
	}
	return logescape.AppendItem(b, v), true
}

func envVar(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	v, ok := r.Env.Get(it.arg)
	if !ok {
		return b, false
	}
	return logescape.AppendItem(b, v), true
}

// logID is %L, the request's log id, and %{c}L, the connection's: ids
// Apache makes when it writes an error log line about them (mod_wsgi
// gives each request it runs one); "-" for none.
func logID(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	id := ""
	if it.arg == "c" {
		id = r.ConnLogID()
	} else {
		id = r.LogID()
	}
	if id == "" {
		return b, false
	}
	return append(b, id...), true
}

// serverName is %V: ap_get_server_name under UseCanonicalName.
func serverName(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	return escaped(b, r.ServerName())
}

// virtualHost is %v: the server's ServerName.
func virtualHost(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	return escaped(b, r.Host.Hostname)
}

// serverPort is %p and %{canonical}p (ServerName's port, else the
// scheme's), %{local}p and %{remote}p; another argument is written as is.
func serverPort(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	switch strings.ToLower(it.arg) {
	case "", "canonical":
		port := r.Host.Port
		if port == 0 {
			port = 80
			if r.Scheme == "https" {
				port = 443
			}
		}
		return strconv.AppendInt(b, int64(port), 10), true
	case "local":
		return strconv.AppendInt(b, int64(r.Local.Port()), 10), true
	case "remote":
		return strconv.AppendInt(b, int64(r.Remote.Port()), 10), true
	}
	return append(b, it.arg...), true
}

var pid = os.Getpid()

// pidTid is %P and %{pid}P, %{tid}P and %{hextid}P (the OS thread
// serving the request).
func pidTid(b []byte, it *item, _ *vhost.Request, _ *txn) ([]byte, bool) {
	switch strings.ToLower(it.arg) {
	case "", "pid":
		return strconv.AppendInt(b, int64(pid), 10), true
	case "tid", "hextid":
		// Hexadecimal only for a lower-case h, as log_pid_tid tests it.
		base := 10
		if it.arg[0] == 'h' {
			base = 16
		}
		return strconv.AppendInt(b, int64(syscall.Gettid()), base), true
	}
	return append(b, it.arg...), true
}

func protocol(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	return escaped(b, r.HTTP.Proto)
}

// method is %m (an error document is fetched with GET).
func method(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	return escaped(b, r.Method)
}

// query is %q: "?" and the query string, "" without one.
func query(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	if !r.HasArgs {
		return b, true
	}
	return logescape.AppendItem(append(b, '?'), r.Args), true
}

// connStatus is %X: "X" when the connection broke before the response
// was sent, "+" when it is kept alive and MaxKeepAliveRequests leaves
// room past c->keepalives (so the request kept alive for the last one
// logs "-", as in Apache), "-" otherwise.
func connStatus(b []byte, _ *item, _ *vhost.Request, x *txn) ([]byte, bool) {
	max := x.orig.MaxKeepAliveRequests()
	switch {
	case x.aborted():
		return append(b, 'X'), true
	case x.keepAlive() && (max == 0 || max-x.keepalives() > 0):
		return append(b, '+'), true
	}
	return append(b, '-'), true
}

// cookie is %{name}C, as log_cookie splits the Cookie header: name=value
// pairs separated by ';', names compared without case, blanks around
// names and values dropped.
func cookie(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	vs := r.HTTP.Header["Cookie"]
	if len(vs) == 0 || r.LineOnly {
		return b, false
	}
	h := vs[0]
	if len(vs) > 1 {
		h = strings.Join(vs, ", ")
	}
	for _, c := range strings.Split(h, ";") {
		c = strings.TrimLeft(c, "=")
		name, value, ok := strings.Cut(c, "=")
		if !ok || name == "" || value == "" {
			continue
		}
		name = strings.TrimRight(strings.TrimLeft(name, " \t"), " \t\n\v\f\r")
		if !strings.EqualFold(name, it.arg) {
			continue
		}
		value = strings.TrimRight(strings.TrimLeft(value, " \t"), " \t\n\v\f\r")
		return logescape.AppendItem(b, value), true
	}
	return b, false
}

// keepAlives is %k: c->keepalives - 1, the requests kept alive before
// this one, and this one too when it is the last MaxKeepAliveRequests
// allows (a last request that closes for another reason is not counted).
func keepAlives(b []byte, _ *item, _ *vhost.Request, x *txn) ([]byte, bool) {
	return strconv.AppendInt(b, int64(max(x.keepalives()-1, 0)), 10), true
}

// requestLine is %r: the request line as received (r->the_request), with
// the password of an absolute-URI shown as XXXXXXXX as mod_log_config
// rewrites it.
func requestLine(b []byte, _ *item, r *vhost.Request, x *txn) ([]byte, bool) {
	hr := r.HTTP
	if r.BadLine != nil {
		return logescape.AppendItem(b, *r.BadLine), true
	}
	if hr.Method == "" {
		return b, false // no request line was read (a 408 on a new connection)
	}
	if x.finalStatus == 414 && r.LineOnly {
		// Apache keeps what it read of a line too long: the limit
		// and one byte more.
		limit := r.LineLimit
		if limit == 0 {
			limit = limitRequestLine
		}
		line := hr.Method + " " + hr.RequestURI + " " + hr.Proto
		return logescape.AppendItem(b, line[:min(len(line), limit+1)]), true
	}
	b = logescape.AppendItem(b, hr.Method)
	b = append(b, ' ')
	b = logescape.AppendItem(b, hidePassword(hr.RequestURI))
	b = append(b, ' ')
	return logescape.AppendItem(b, hr.Proto), true
}

// limitRequestLine is Apache's default LimitRequestLine.
const limitRequestLine = 8190

// hidePassword replaces the password of "scheme://user:password@host..."
// by XXXXXXXX.
func hidePassword(uri string) string {
	i := strings.Index(uri, "://")
	if i < 0 {
		return uri
	}
	rest := uri[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return uri
	}
	colon := strings.IndexByte(rest[:at], ':')
	if colon < 0 {
		return uri
	}
	return uri[:i+3] + rest[:colon+1] + "XXXXXXXX" + rest[at:]
}

// durationMicros is %D.
func durationMicros(b []byte, _ *item, r *vhost.Request, x *txn) ([]byte, bool) {
	return strconv.AppendInt(b, x.endTime().Sub(r.Start).Microseconds(), 10), true
}

// duration is %T, %{s}T, %{ms}T and %{us}T; another argument is written
// as is.
func duration(b []byte, it *item, r *vhost.Request, x *txn) ([]byte, bool) {
	d := x.endTime().Sub(r.Start)
	switch strings.ToLower(it.arg) {
	case "", "s":
		return strconv.AppendInt(b, int64(d/time.Second), 10), true
	case "ms":
		return strconv.AppendInt(b, d.Milliseconds(), 10), true
	case "us":
		return strconv.AppendInt(b, d.Microseconds(), 10), true
	}
	return append(b, it.arg...), true
}

func uri(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	return escaped(b, r.URI)
}

// status is %s (the original request's status) and %>s (the status
// sent).
func status(b []byte, _ *item, r *vhost.Request, x *txn) ([]byte, bool) {
	s := x.finalStatus
	if r != x.final {
		s = x.origStatus
	}
	if s <= 0 {
		return b, false
	}
	return strconv.AppendInt(b, int64(s), 10), true
}

// handler is %R: the handler the configuration chose (none for a plain
// file).
func handler(b []byte, _ *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	return escaped(b, r.Handler)
}

// trailerIn is %{Name}^ti: a trailer of a chunked request body.
func trailerIn(b []byte, it *item, r *vhost.Request, _ *txn) ([]byte, bool) {
	vs := r.HTTP.Trailer[textproto.CanonicalMIMEHeaderKey(it.arg)]
	if len(vs) == 0 {
		return b, false
	}
	return appendJoined(b, vs)
}

// bytesIn is %I, mod_logio's bytes received: the request line and header
// as net/http parsed them, and the body by its Content-Length.
func bytesIn(b []byte, _ *item, _ *vhost.Request, x *txn) ([]byte, bool) {
	return strconv.AppendInt(b, x.bytesIn(), 10), true
}

// bytesOut is %O, mod_logio's bytes sent: the status line and header
// net/http writes, and the body.
func bytesOut(b []byte, _ *item, _ *vhost.Request, x *txn) ([]byte, bool) {
	return strconv.AppendInt(b, x.bytesOut(), 10), true
}

// bytesInOut is %S, %I and %O together.
func bytesInOut(b []byte, _ *item, _ *vhost.Request, x *txn) ([]byte, bool) {
	return strconv.AppendInt(b, x.bytesIn()+x.bytesOut(), 10), true
}

// requestTime is %t and %{format}t, read as mod_log_config's
// log_request_time reads its argument: a "begin" or "end" prefix, then
// sec, msec, usec, msec_frac or usec_frac, else a strftime(3) format,
// and the Common Log Format for nothing. The prefix chooses the time
// (when the request came in, the default, or when it was logged) only
// when it stands alone or is followed by ':'; glued to the rest
// ("beginsec", "endusec") it leaves the time the request came in, and
// a strftime format keeps it as written ("end%Y" writes "end2027").
func requestTime(b []byte, it *item, r *vhost.Request, x *txn) ([]byte, bool) {
	t := r.Start
	a, f := it.arg, it.arg
	clf := f == ""
	if rest, ok := strings.CutPrefix(f, "begin"); ok {
		f = rest
		if f == "" {
			clf = true
		} else if f[0] == ':' {
			f = f[1:]
			a = f
		}
	} else if rest, ok := strings.CutPrefix(f, "end"); ok {
		f = rest
		if f == "" {
			t, clf = x.endTime(), true
		} else if f[0] == ':' {
			f = f[1:]
			a = f
			t = x.endTime()
		}
	}
	switch f {
	case "":
		clf = true
	case "sec":
		return strconv.AppendInt(b, t.Unix(), 10), true
	case "msec":
		return strconv.AppendInt(b, t.UnixMilli(), 10), true
	case "usec":
		return strconv.AppendInt(b, t.UnixMicro(), 10), true
	case "msec_frac":
		return pad(b, t.Nanosecond()/1e6, 3, '0'), true
	case "usec_frac":
		return pad(b, t.Nanosecond()/1e3, 6, '0'), true
	}
	if clf {
		return appendCLFTime(b, t), true
	}
	return appendStrftime(b, a, t.Local()), true
}

// clfTime caches the Common Log Format time of the current second.
type clfTime struct {
	sec int64
	s   string
}

var clfCache atomic.Pointer[clfTime]

// appendCLFTime appends [02/Jan/2006:15:04:05 -0700] in local time.
func appendCLFTime(b []byte, t time.Time) []byte {
	sec := t.Unix()
	if c := clfCache.Load(); c != nil && c.sec == sec {
		return append(b, c.s...)
	}
	s := t.Local().Format("[02/Jan/2006:15:04:05 -0700]")
	clfCache.Store(&clfTime{sec: sec, s: s})
	return append(b, s...)
}
