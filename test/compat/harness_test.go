package compat

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gowsgid/gowsgid/internal/apachetest"
	"github.com/gowsgid/gowsgid/vhost"
)

// site is one configuration of the suite with its document tree and the
// requests sent to both servers.
//
// The configuration text may use $DIR (the server root, a fresh
// temporary directory), ${P1} ... ${Pn} for the listening ports and
// ${SIDE} ("error" for Apache, "gowsgid" for gowsgid) where the two
// servers must not share a file (the error log). Both servers read the
// same file: Apache gets the ports from its environment, gowsgid from
// -C "Define Pn port" (a Define wins over the environment, in both).
type site struct {
	name string
	// host is the Host header of requests that name none.
	host string
	conf string
	// ports is how many ports ${P1}...${Pn} the configuration uses.
	ports int
	// fixed runs the two servers one after the other on the ports the
	// configuration names itself (the guides' Listen 80); root marks a
	// site whose ports only root may bind.
	fixed, root bool
	// fixedAddrs are the addresses of a fixed site, by port index.
	fixedAddrs []string
	// env holds further variables the configuration uses, given to both.
	env map[string]string
	// headers are further response headers this site compares by value
	// (volatile parts normalised: see normalizeVolatile).
	headers []string
	// files is the document tree, relative to $DIR; a name ending in '/'
	// is an empty directory.
	files map[string]string
	// setup finishes the tree: symbolic links, htpasswd files, owners.
	setup func(t *testing.T, dir string)
	reqs  []request
	// logs are access logs both servers write (logs/${SIDE}-NAME.log),
	// compared line by line once every request is answered.
	logs []logCheck
	// errorLog compares the error log lines about requests.
	errorLog bool
	// reqLogs are access logs compared request by request: the lines
	// each server wrote for a request (none for one net/http refuses
	// itself). Every site whose configuration starts with head() also
	// has its access log compared so.
	reqLogs []logCheck
}

// request is one request of a site.
type request struct {
	name    string
	method  string
	target  string
	proto   string
	host    string // "" means the site's host
	noHost  bool
	headers []string
	body    string
	raw     string // sent verbatim when set ($HOST is the site's host)
	ip      string // local address to connect to; "" is 127.0.0.1
	from    string // address to connect from; "" lets the system choose
	pre     string // bytes sent ahead of the request (a PROXY header)
	// tls sends the request over TLS, with sni as the server name
	// (none when empty).
	tls bool
	sni string
	// h2 sends it as HTTP/2 (over TLS, with net/http's client);
	// h2cUpgrade sends it as HTTP/1.1 and, when the answer is 101,
	// reads stream 1's answer in HTTP/2.
	h2, h2cUpgrade bool
	// cert presents the test PKI's client certificate (testPKI), or
	// with revoked the one its revocation lists name.
	cert, revoked bool
	// other presents another certificate of the test PKI (pki.other),
	// whatever CAs the server names.
	other string
	// suites makes the TLS client offer only these cipher suites, over
	// TLS 1.2 at most; groups only these key exchange groups.
	suites []uint16
	groups []tls.CurveID
	port   int // index of the port, from 0
	// known is why gowsgid answers this request differently, when it
	// does on purpose or for now.
	known string
	// mayMatch lets a request with a known difference answer the same
	// on both sides (a WSGI route that Apache fails too).
	mayMatch bool
	// parts is the number of parts of a multipart/byteranges answer to
	// HEAD (no body shows how often the boundary occurs).
	parts int
	// also are headers compared by value besides the usual ones.
	also []string
	// within is how soon the server must close the connection after the
	// request was sent (0: no bound); see closesWithin.
	within time.Duration
}

type reqOpt func(*request)

// get is a GET request for target.
func get(target string, opts ...reqOpt) request { return do("GET", target, opts...) }

// do is a request with any method.
func do(method, target string, opts ...reqOpt) request {
	r := request{method: method, target: target, proto: "HTTP/1.1"}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// raw is a request sent exactly as written ($HOST is the site's host).
func raw(name, text string, opts ...reqOpt) request {
	r := request{name: name, raw: text, method: strings.Fields(text + " x")[0]}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func host(h string) reqOpt        { return func(r *request) { r.host = h } }
func noHost() reqOpt              { return func(r *request) { r.noHost = true } }
func http10() reqOpt              { return func(r *request) { r.proto = "HTTP/1.0" } }
func hdr(h ...string) reqOpt      { return func(r *request) { r.headers = append(r.headers, h...) } }
func body(s string) reqOpt        { return func(r *request) { r.body = s } }
func at(ip string) reqOpt         { return func(r *request) { r.ip = ip } }
func port(i int) reqOpt           { return func(r *request) { r.port = i } }
func suites(ids ...uint16) reqOpt { return func(r *request) { r.suites = ids } }
func groups(ids ...tls.CurveID) reqOpt {
	return func(r *request) { r.groups = ids }
}
func from(ip string) reqOpt     { return func(r *request) { r.from = ip } }
func ahead(b string) reqOpt     { return func(r *request) { r.pre = b } }
func overTLS(sni string) reqOpt { return func(r *request) { r.tls, r.sni = true, sni } }
func overH2(sni string) reqOpt  { return func(r *request) { r.tls, r.sni, r.h2 = true, sni, true } }
func clientCert() reqOpt        { return func(r *request) { r.cert = true } }
func revokedCert() reqOpt       { return func(r *request) { r.cert, r.revoked = true, true } }
func richCert() reqOpt          { return otherCert("rich") }
func otherCert(name string) reqOpt {
	return func(r *request) { r.cert, r.other = true, name }
}
func overH2C() reqOpt            { return func(r *request) { r.h2 = true } }
func viaH2CUpgrade() reqOpt      { return func(r *request) { r.h2cUpgrade = true } }
func known(reason string) reqOpt { return func(r *request) { r.known = reason } }

// logKnown lists a difference of the access log line only: the answers
// themselves must match.
func logKnown(reason string) reqOpt {
	return func(r *request) { r.known, r.mayMatch = reason, true }
}

// timing lists a difference that depends on timing, on either side: the
// answers may match.
func timing(reason string) reqOpt {
	return func(r *request) { r.known, r.mayMatch = reason, true }
}

// closesWithin bounds the time the server takes to close the connection
// after the request was sent: an answer still open then is cut there and
// gets the field stillOpen, which is compared. The bound is far from
// both sides' usual timings (a close at once, a timeout of seconds), so
// a loaded machine does not turn it into a difference.
func closesWithin(d time.Duration) reqOpt {
	return func(r *request) { r.within, r.also = d, append(r.also, stillOpen) }
}

// stillOpen is the field a closesWithin answer gets when the connection
// outlived the bound.
const stillOpen = "X-Compat-Still-Open"

func parts(n int) reqOpt      { return func(r *request) { r.parts = n } }
func also(h ...string) reqOpt { return func(r *request) { r.also = append(r.also, h...) } }
func auth(user, pass string) reqOpt {
	return hdr("Authorization: Basic " + basic(user, pass))
}

// text is the request as sent.
func (r request) text(siteHost string) string {
	if r.raw != "" {
		return r.pre + strings.ReplaceAll(r.raw, "$HOST", siteHost)
	}
	var b strings.Builder
	b.WriteString(r.pre)
	fmt.Fprintf(&b, "%s %s %s\r\n", r.method, r.target, r.proto)
	if !r.noHost {
		h := r.host
		if h == "" {
			h = siteHost
		}
		b.WriteString("Host: " + h + "\r\n")
	}
	if r.proto == "HTTP/1.1" {
		b.WriteString("Connection: close\r\n")
	}
	for _, h := range r.headers {
		b.WriteString(h + "\r\n")
	}
	if r.body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\nContent-Type: application/x-www-form-urlencoded\r\n", len(r.body))
	}
	b.WriteString("\r\n" + r.body)
	return b.String()
}

// label names the request in reports.
func (r request) label(siteHost string) string {
	if r.name != "" {
		return r.name
	}
	s := r.method + " " + r.target
	if r.proto != "HTTP/1.1" {
		s += " " + r.proto
	}
	switch {
	case r.noHost:
		s += " (no Host)"
	case r.host != "":
		s += " Host:" + r.host
	}
	if r.ip != "" {
		s += " @" + r.ip
	}
	if r.port != 0 {
		s += fmt.Sprintf(" port%d", r.port+1)
	}
	if r.tls {
		s += " TLS(SNI " + r.sni + ")"
	}
	for _, id := range r.suites {
		s += " " + tls.CipherSuiteName(id)
	}
	for _, g := range r.groups {
		s += " " + g.String()
	}
	for i, h := range r.headers {
		if i == 3 {
			s += fmt.Sprintf(" [+%d more]", len(r.headers)-3)
			break
		}
		s += " [" + h + "]"
	}
	if len(s) > 120 {
		s = fmt.Sprintf("%s...(%d bytes)", s[:100], len(s))
	}
	return s
}

// tally counts the suite's requests over every site.
type tally struct {
	mu                       sync.Mutex
	total, identical, listed int
}

func (t *tally) add(total, identical, listed int) {
	t.mu.Lock()
	t.total += total
	t.identical += identical
	t.listed += listed
	t.mu.Unlock()
}

// report prints the suite's summary line, to stdout too with -v.
func report(t *testing.T, name string, total, identical, listed int) {
	line := fmt.Sprintf("compat: %d/%d identical", identical, total)
	if name != "" {
		line = fmt.Sprintf("compat: %s: %d/%d identical", name, identical, total)
	}
	if listed > 0 {
		line += fmt.Sprintf(" (%d listed differences)", listed)
	}
	t.Log(line)
	if testing.Verbose() {
		fmt.Println(line)
	}
}

// runSite runs one site: tree, both servers, every request, and the
// comparison; it returns the number of requests, of identical answers
// and of listed differences.
func runSite(t *testing.T, s site) (total, identical, listed int) {
	dir := makeRoot(t)
	writeTree(t, dir, s.files)
	if s.setup != nil {
		s.setup(t, dir)
	}
	conf := strings.ReplaceAll(s.conf, "$DIR", dir)
	for k, v := range s.env {
		t.Setenv(k, strings.ReplaceAll(v, "$DIR", dir))
	}
	var apache, gowsgid [][]byte
	logs := newReqLogs(dir, conf, s.reqLogs)
	if s.fixed {
		apache, gowsgid = runFixed(t, s, dir, conf, logs)
	} else {
		apache, gowsgid = runSideBySide(t, s, dir, conf, logs)
	}
	logLines, logListed := 0, 0
	for i, r := range s.reqs {
		label := r.label(s.host)
		diffs := compare(r, apache[i], gowsgid[i], s.headers)
		delta := 0
		if len(diffs) == 0 {
			delta = bodyDelta(apache[i], gowsgid[i])
		}
		n, ldiffs := logs.compare(i, delta, r.h2cUpgrade)
		logLines += n
		if len(ldiffs) > 0 && r.known != "" {
			logListed++
			t.Logf("listed difference: %s: access log: %s (%s)", label, strings.Join(ldiffs, "; "), r.known)
		} else if len(ldiffs) > 0 {
			t.Errorf("%s: access log:\n  %s", label, strings.Join(ldiffs, "\n  "))
		}
		// COMPAT_DUMP=1 logs both raw answers of every request.
		if os.Getenv("COMPAT_DUMP") != "" {
			t.Logf("%s\n--- apache\n%s\n--- gowsgid\n%s", label, clip(apache[i]), clip(gowsgid[i]))
		}
		// COMPAT_DUMP_DIR=d writes the request's label and both whole answers
		// to d/<config>-<n>.request, .apache and .gowsgid, for diff(1) when a clipped log hides the difference.
		if d := os.Getenv("COMPAT_DUMP_DIR"); d != "" {
			base := filepath.Join(d, fmt.Sprintf("%s-%03d", s.name, i))
			os.WriteFile(base+".request", []byte(label+"\n"), 0o644)
			os.WriteFile(base+".apache", apache[i], 0o644)
			os.WriteFile(base+".gowsgid", gowsgid[i], 0o644)
		}
		total++
		switch {
		case len(diffs) == 0 && r.known == "":
			identical++
		case len(diffs) == 0:
			identical++
			if r.mayMatch {
				break
			}
			t.Errorf("%s: listed as differing (%s) but both answer the same; take it off the list", label, r.known)
		case r.known != "":
			listed++
			t.Logf("listed difference: %s: %s (%s)", label, strings.Join(diffs, "; "), r.known)
		default:
			t.Errorf("%s:\n  %s\n--- request\n%s\n--- apache\n%s\n--- gowsgid\n%s", label, strings.Join(diffs, "\n  "),
				r.text(s.host), clip(apache[i]), clip(gowsgid[i]))
		}
	}
	report(t, s.name, total, identical, listed)
	if logLines > 0 {
		line := fmt.Sprintf("compat: %s: %d access log lines compared with Apache's, request by request", s.name, logLines)
		if logListed > 0 {
			line += fmt.Sprintf(" (%d requests with listed differences)", logListed)
		}
		t.Log(line)
		if testing.Verbose() {
			fmt.Println(line)
		}
		loggedLines.Add(int64(logLines))
	}
	if s.errorLog {
		compareErrorLogs(t, dir)
	}
	if len(s.logs) > 0 {
		n := compareLogs(t, dir, s.logs)
		loggedLines.Add(int64(n))
		line := fmt.Sprintf("compat: %s: %d access log lines compared with Apache's", s.name, n)
		t.Log(line)
		if testing.Verbose() {
			fmt.Println(line)
		}
	}
	return total, identical, listed
}

// runSideBySide starts both servers at once on different free ports and
// sends each request to both.
func runSideBySide(t *testing.T, s site, dir, conf string, logs *reqLogs) (apache, gowsgid [][]byte) {
	ports := apachetest.FreePorts(t, 2*s.ports)
	aPorts, gPorts := ports[:s.ports], ports[s.ports:]
	t.Setenv("SIDE", "error")
	for i, p := range aPorts {
		t.Setenv(fmt.Sprintf("P%d", i+1), strconv.Itoa(p))
	}
	aAddrs, gAddrs := addrsOf(s, aPorts), addrsOf(s, gPorts)
	apachetest.Start(t, dir, conf, aAddrs...)
	var defines []string
	for i, p := range gPorts {
		defines = append(defines, fmt.Sprintf("Define P%d %d", i+1, p))
	}
	startGowsgid(t, dir, defines, gAddrs)
	for _, r := range s.reqs {
		apache = append(apache, r.send(t, reqAddr(r, aPorts), s.host))
		logs.take(apacheSide)
		gowsgid = append(gowsgid, r.send(t, reqAddr(r, gPorts), s.host))
		logs.take(gowsgidSide)
	}
	return apache, gowsgid
}

// runFixed runs Apache, then gowsgid, on the ports the configuration
// itself names.
func runFixed(t *testing.T, s site, dir, conf string, logs *reqLogs) (apache, gowsgid [][]byte) {
	for _, a := range s.fixedAddrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			// Another server holds the port the configuration names;
			// its answers must not be taken for Apache's or gowsgid's.
			t.Skipf("%s is in use, and this configuration listens there: %v", a, err)
		}
		l.Close()
	}
	t.Setenv("SIDE", "error")
	in := apachetest.Start(t, dir, conf, s.fixedAddrs...)
	for _, r := range s.reqs {
		apache = append(apache, r.send(t, s.fixedAddrs[r.port], s.host))
		logs.take(apacheSide)
	}
	in.Stop()
	stop := startGowsgid(t, dir, []string{"Define SIDE gowsgid"}, s.fixedAddrs)
	for _, r := range s.reqs {
		gowsgid = append(gowsgid, r.send(t, s.fixedAddrs[r.port], s.host))
		logs.take(gowsgidSide)
	}
	stop()
	return apache, gowsgid
}

// addrsOf lists the distinct addresses the site's requests go to.
func addrsOf(s site, ports []int) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range s.reqs {
		a := reqAddr(r, ports)
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

func reqAddr(r request, ports []int) string {
	ip := r.ip
	if ip == "" {
		ip = "127.0.0.1"
	}
	return net.JoinHostPort(ip, strconv.Itoa(ports[r.port]))
}

// startGowsgid runs gowsgid -DFOREGROUND on $DIR/httpd.conf (the file
// apachetest.Start wrote) and waits until it listens on addrs. It stops
// when the test ends, or when the returned function is called.
func startGowsgid(t *testing.T, dir string, defines []string, addrs []string) func() {
	t.Helper()
	args := []string{"-DFOREGROUND", "-f", filepath.Join(dir, "httpd.conf"), "-C", "Define SIDE gowsgid"}
	for _, d := range defines {
		args = append(args, "-C", d)
	}
	cmd := exec.Command(gowsgidBin, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "logs", "gowsgid.log"))
			t.Logf("gowsgid output:\n%s\nerror log:\n%s", out.String(), b)
		}
	})
	for _, a := range addrs {
		if err := waitListening(a, exited); err != nil {
			stop()
			t.Fatalf("gowsgid did not listen on %s: %v\n%s", a, err, out.String())
		}
	}
	return stop
}

func waitListening(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("gowsgid exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send sends a raw request; a failure is recorded as the response text.
func send(t *testing.T, addr, text string) []byte {
	b, err := apachetest.RawRequest(addr, text, 5*time.Second)
	if err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	return b
}

// send sends the request to addr, from its own source address if it
// has one.
func (r request) send(t *testing.T, addr, siteHost string) []byte {
	if r.h2 {
		return r.sendH2(addr, siteHost)
	}
	if r.h2cUpgrade {
		return sendH2CUpgrade(addr, r.text(siteHost))
	}
	if r.tls {
		var certs []tls.Certificate
		switch {
		case r.other != "":
			certs = []tls.Certificate{testPKI().other[r.other]}
		case r.revoked:
			certs = []tls.Certificate{testPKI().revoked}
		case r.cert:
			certs = []tls.Certificate{testPKI().client}
		}
		cfg := &tls.Config{ServerName: r.sni, InsecureSkipVerify: true, Certificates: certs}
		if r.other != "" {
			// Sent whatever CAs the server names (Go's client sends
			// none of those an issuer it names did not sign; OpenSSL's
			// sends its one).
			c := certs[0]
			cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &c, nil }
		}
		if r.suites != nil {
			cfg.CipherSuites, cfg.MaxVersion = r.suites, tls.VersionTLS12
		}
		cfg.CurvePreferences = r.groups
		return sendTLS(addr, cfg, r.text(siteHost))
	}
	if r.within > 0 {
		return sendWithin(addr, r.text(siteHost), r.within)
	}
	if r.from == "" {
		return send(t, addr, r.text(siteHost))
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(r.from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, r.text(siteHost)); err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 {
		return []byte("NO RESPONSE: " + err.Error())
	}
	return b
}

// sendWithin sends text and reads the answer until the server closes
// the connection or d has passed; in the second case the answer gets
// the field stillOpen after its status line.
func sendWithin(addr, text string, d time.Duration) []byte {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	defer c.Close()
	if _, err := io.WriteString(c, text); err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		if i := bytes.Index(b, []byte("\r\n")); i >= 0 {
			b = append(b[:i+2:i+2], append([]byte(stillOpen+": after "+d.String()+"\r\n"), b[i+2:]...)...)
		}
	}
	if err != nil && len(b) == 0 {
		return []byte("NO RESPONSE: " + err.Error())
	}
	return b
}

// sendTLS sends text over a TLS connection made with cfg, and reads the
// answer until the server closes.
func sendTLS(addr string, cfg *tls.Config, text string) []byte {
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, text); err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	b, err := io.ReadAll(c)
	if err != nil && len(b) == 0 {
		return []byte("NO RESPONSE: " + err.Error())
	}
	return b
}

// sendH2 sends the request as HTTP/2 and writes the answer as a raw
// HTTP/1.1-style response whose status line names the protocol, and
// whose X-Proto header repeats it, for compare.
func (r request) sendH2(addr, siteHost string) []byte {
	tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: r.sni, InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}},
		ForceAttemptHTTP2: true, DisableCompression: true}
	scheme := "https://"
	if !r.tls {
		// h2c with prior knowledge.
		scheme = "http://"
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetUnencryptedHTTP2(true)
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, scheme+addr+r.target, body)
	if err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	req.Host = siteHost
	if r.host != "" {
		req.Host = r.host
	}
	for _, h := range r.headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	resp, err := client.Do(req)
	if err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out bytes.Buffer
	fmt.Fprintf(&out, "%s %s\r\n", resp.Proto, resp.Status)
	if resp.ContentLength >= 0 && resp.Header.Get("Content-Length") == "" {
		resp.Header.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	resp.Header.Set("X-Proto", resp.Proto)
	resp.Header.Write(&out)
	out.WriteString("\r\n")
	out.Write(b)
	return out.Bytes()
}

// closedUnanswered reports whether a server closed the connection
// without answering (mod_remoteip refusing a PROXY header does).
func closedUnanswered(raw []byte) bool {
	return len(raw) == 0 || bytes.HasPrefix(raw, []byte("NO RESPONSE: "))
}

// response is a parsed raw HTTP response.
type response struct {
	proto  string // of the status line
	status int
	reason string // the status line's reason phrase
	header http.Header
	body   []byte
}

func parse(raw []byte) (*response, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("no status line in %q", clip(raw))
	}
	// An interim "100 Continue" (to Expect: 100-continue) precedes the
	// response; skip it and its blank line.
	for strings.HasPrefix(line, "HTTP/1.1 100 ") {
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return nil, fmt.Errorf("interim response ends early")
			}
			if strings.TrimRight(l, "\r\n") == "" {
				break
			}
		}
		if line, err = br.ReadString('\n'); err != nil {
			return nil, fmt.Errorf("no status line after 100 Continue")
		}
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
		return nil, fmt.Errorf("bad status line %q", line)
	}
	res := &response{header: http.Header{}, proto: f[0]}
	res.status, _ = strconv.Atoi(f[1])
	if words := strings.SplitN(strings.TrimRight(line, "\r\n"), " ", 3); len(words) == 3 {
		res.reason = words[2]
	} else {
		res.reason = "(none: no space after the code)"
	}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("headers end early")
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		res.header.Add(k, strings.TrimSpace(v))
	}
	var rd io.Reader = br
	if strings.EqualFold(res.header.Get("Transfer-Encoding"), "chunked") {
		rd = httputil.NewChunkedReader(br)
	}
	res.body, err = io.ReadAll(rd)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return res, nil
}

// compared are the headers compared by value (names are case-insensitive).
var compared = []string{"Content-Type", "Content-Length", "Location", "Content-Range",
	"WWW-Authenticate", "Vary", "Content-Encoding", "Content-Language", "Accept-Ranges"}

// present are the headers whose presence only is compared.
var present = []string{"ETag", "Last-Modified"}

// compare lists what differs between Apache's answer and gowsgid's:
// status, the compared headers and extra (normalised), the body.
func compare(r request, araw, graw []byte, extra []string) []string {
	if closedUnanswered(araw) && closedUnanswered(graw) {
		return nil
	}
	a, err := parse(araw)
	if err != nil {
		return []string{"apache: " + err.Error()}
	}
	g, err := parse(graw)
	if err != nil {
		return []string{"gowsgid: " + err.Error()}
	}
	var diffs []string
	if a.status != g.status {
		diffs = append(diffs, fmt.Sprintf("status: apache %d, gowsgid %d", a.status, g.status))
	}
	if a.proto != g.proto {
		diffs = append(diffs, fmt.Sprintf("status line: apache %s, gowsgid %s", a.proto, g.proto))
	}
	if a.reason != g.reason {
		diffs = append(diffs, fmt.Sprintf("reason phrase: apache %q, gowsgid %q", a.reason, g.reason))
	}
	// Compressed bodies are compared decoded: the compressors differ
	// (zlib and Go's), and with them the lengths.
	lengthCompared := true
	if enc := a.header.Get("Content-Encoding"); enc != "" && enc == g.header.Get("Content-Encoding") && r.method != "HEAD" {
		ab, aerr := decodeBody(enc, a.body)
		gb, gerr := decodeBody(enc, g.body)
		if aerr == nil && gerr == nil {
			a.body, g.body, lengthCompared = ab, gb, false
		} else if gerr != nil && aerr == nil {
			diffs = append(diffs, fmt.Sprintf("gowsgid's %s body does not decode: %v", enc, gerr))
		}
		if (a.header.Get("Content-Length") == "") != (g.header.Get("Content-Length") == "") {
			diffs = append(diffs, fmt.Sprintf("Content-Length: apache %q, gowsgid %q", a.header.Get("Content-Length"), g.header.Get("Content-Length")))
		}
	}
	if d := normalizeBanner(a, g); d != "" {
		diffs = append(diffs, d)
	}
	normalizeBoundary(a, r.parts)
	normalizeBoundary(g, r.parts)
	for _, n := range append(compared, r.also...) {
		if n == "Content-Length" && !lengthCompared {
			continue
		}
		av, gv := strings.Join(a.header.Values(n), ", "), strings.Join(g.header.Values(n), ", ")
		if av != gv {
			diffs = append(diffs, fmt.Sprintf("%s: apache %q, gowsgid %q", n, av, gv))
		}
	}
	for _, n := range extra {
		araw, graw := strings.Join(a.header.Values(n), ", "), strings.Join(g.header.Values(n), ", ")
		if araw == graw {
			continue // the same, an absolute date included
		}
		av, gv := normalizeVolatile(a, araw), normalizeVolatile(g, graw)
		if av != gv {
			diffs = append(diffs, fmt.Sprintf("%s: apache %q, gowsgid %q", n, av, gv))
		}
	}
	if av, gv := methodSet(a.header.Values("Allow")), methodSet(g.header.Values("Allow")); av != gv {
		diffs = append(diffs, fmt.Sprintf("Allow: apache %q, gowsgid %q", av, gv))
	}
	for _, n := range present {
		if (a.header.Get(n) != "") != (g.header.Get(n) != "") {
			diffs = append(diffs, fmt.Sprintf("%s: apache %q, gowsgid %q", n, a.header.Get(n), g.header.Get(n)))
		}
	}
	if !bytes.Equal(a.body, g.body) {
		ab, arest := splitPipelined(a.body)
		gb, grest := splitPipelined(g.body)
		if arest == nil || grest == nil || !bytes.Equal(ab, gb) {
			diffs = append(diffs, "body differs")
		} else {
			for _, d := range compare(r, arest, grest, extra) {
				diffs = append(diffs, "next response: "+d)
			}
		}
	}
	return diffs
}

// decodeBody undoes a gzip or br content coding.
func decodeBody(enc string, body []byte) ([]byte, error) {
	switch enc {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	case "br":
		return io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
	}
	return nil, fmt.Errorf("unknown coding %q", enc)
}

// splitPipelined splits the body of an answer to pipelined requests
// into its own body and the next raw response (nil when none follows).
func splitPipelined(body []byte) ([]byte, []byte) {
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte("HTTP/1."))
		if j < 0 {
			return body, nil
		}
		if i+j == 0 || body[i+j-1] == '\n' {
			return body[:i+j], body[i+j:]
		}
		i += j + 1
	}
}

var volatileRE = regexp.MustCompile(`\b([tD])=\d+`)

// normalizeVolatile takes out of a header value what differs from run
// to run: the numbers of mod_headers' %t and %D ("t=N"), and a date is
// written relative to the response's Date ("Date+3600"), which both
// servers take from the time the request was read.
func normalizeVolatile(res *response, v string) string {
	v = volatileRE.ReplaceAllString(v, "${1}=N")
	if t, err := http.ParseTime(v); err == nil {
		if d, err := http.ParseTime(res.header.Get("Date")); err == nil {
			return fmt.Sprintf("Date%+d", int(t.Sub(d)/time.Second))
		}
	}
	return v
}

// methodSet is an Allow header as a sorted set (Apache's order depends
// on a hash seed chosen at start-up).
func methodSet(vs []string) string {
	var ms []string
	for _, v := range vs {
		for _, m := range strings.Split(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				ms = append(ms, m)
			}
		}
	}
	sort.Strings(ms)
	return strings.Join(ms, ",")
}

// apacheBanners are the Server headers of Apache 2.4.71 by ServerTokens;
// Full adds the tokens of modules (mod_wsgi, OpenSSL) after OS's.
var apacheBanners = map[string]string{
	"Apache": "Prod", "Apache/2": "Major", "Apache/2.4": "Minor",
	"Apache/2.4.71": "Min", "Apache/2.4.71 (Debian)": "OS",
}

// normalizeBanner checks that gowsgid's Server header is vhost.Banner
// of the ServerTokens Apache's implies, then puts gowsgid's banner in
// Apache's signatures ("<address>BANNER Server at") and adjusts
// Apache's Content-Length for it.
func normalizeBanner(a, g *response) string {
	ab, gb := a.header.Get("Server"), g.header.Get("Server")
	tokens, ok := apacheBanners[ab]
	if !ok && strings.HasPrefix(ab, "Apache/2.4.71 (Debian) ") {
		tokens, ok = "Full", true
	}
	var diff string
	if ab == "" && gb == "" {
		return "" // neither sends one (a 101 interim answer)
	}
	if !ok || gb != vhost.Banner(tokens) {
		diff = fmt.Sprintf("Server: apache %q, gowsgid %q", ab, gb)
	}
	from, to := []byte("<address>"+ab+" Server at"), []byte("<address>"+gb+" Server at")
	n := bytes.Count(a.body, from)
	if n > 0 {
		a.body = bytes.ReplaceAll(a.body, from, to)
		adjustLength(a, n*(len(to)-len(from)))
	}
	return diff
}

var boundaryRE = regexp.MustCompile(`boundary=([0-9A-Za-z]+)`)

// normalizeBoundary replaces a multipart/byteranges boundary by
// "BOUNDARY" in Content-Type and body, adjusting Content-Length; an
// answer to HEAD has parts+1 boundaries.
func normalizeBoundary(r *response, parts int) {
	m := boundaryRE.FindStringSubmatch(r.header.Get("Content-Type"))
	if m == nil {
		return
	}
	r.header.Set("Content-Type", strings.ReplaceAll(r.header.Get("Content-Type"), m[1], "BOUNDARY"))
	n := bytes.Count(r.body, []byte(m[1]))
	if len(r.body) == 0 {
		n = parts + 1
	}
	r.body = bytes.ReplaceAll(r.body, []byte(m[1]), []byte("BOUNDARY"))
	adjustLength(r, n*(len("BOUNDARY")-len(m[1])))
}

func adjustLength(r *response, delta int) {
	if cl := r.header.Get("Content-Length"); cl != "" && delta != 0 {
		n, _ := strconv.Atoi(cl)
		r.header.Set("Content-Length", strconv.Itoa(n+delta))
	}
}

func clip(b []byte) string {
	if len(b) > 1500 {
		return string(b[:1500]) + "..."
	}
	return string(b)
}

// makeRoot makes a server root both servers can read: Apache's children
// run as another user when the tests run as root.
func makeRoot(t *testing.T) string {
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// oldTime is the modification time of every file of a tree.
var oldTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// writeTree writes files (a name ending in '/' is a directory).
func writeTree(t *testing.T, dir string, files map[string]string) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, n)
		if strings.HasSuffix(n, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(files[n], "$DIR", dir)), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, oldTime, oldTime)
	}
}

// symlink makes link (relative to dir) point at target.
func symlink(t *testing.T, dir, target, link string) {
	p := filepath.Join(dir, link)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.Symlink(strings.ReplaceAll(target, "$DIR", dir), p); err != nil {
		t.Fatal(err)
	}
}

// htpasswd runs Apache's htpasswd: args are its options, then the file
// (relative to dir), user and password (-b).
func htpasswd(t *testing.T, dir, opt, file, user, pass string) {
	p := filepath.Join(dir, file)
	args := []string{"-b" + opt}
	if _, err := os.Stat(p); err != nil {
		args[0] += "c"
	}
	args = append(args, p, user, pass)
	out, err := exec.Command("htpasswd", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("htpasswd %v: %v\n%s", args, err, out)
	}
	os.Chmod(p, 0o644)
}

// basic is a Basic credential.
func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// head starts a configuration: ServerRoot, the modules (short names,
// mpm_event first), the logs and MIME types. Listen lines and the rest
// follow.
func head(mods ...string) string {
	var b strings.Builder
	b.WriteString("ServerRoot $DIR\n")
	b.WriteString(apachetest.LoadModules(append([]string{"mpm_event"}, mods...)...))
	b.WriteString("PidFile logs/httpd.pid\nErrorLog logs/${SIDE}.log\nLogLevel info\nTypesConfig /etc/mime.types\n")
	b.WriteString(headAccessLog + "\n")
	return b.String()
}

// stdMods are the modules most sites load.
var stdMods = []string{"authz_core", "authz_host", "alias", "dir", "mime", "autoindex"}

// authMods adds what access control and Basic authentication need.
var authMods = append(append([]string(nil), stdMods...), "access_compat", "authn_core", "authn_file",
	"auth_basic", "authz_user", "authz_groupfile")
