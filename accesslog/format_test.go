package accesslog

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/vhost"
)

// TestStrftime compares with what glibc 2.36's strftime (Debian 12's,
// which Apache's apr_strftime calls) writes for the same time: these
// results come from a C program that filled a struct tm as
// apr_strftime does and called strftime on each format.
func TestStrftime(t *testing.T) {
	// A Tuesday, day 33 of the year, in ISO week 5.
	tm := time.Date(2027, 2, 2, 15, 4, 5, 123456789, time.FixedZone("XYZ", -(3*3600+30*60)))
	tests := []struct{ format, want string }{
		{`%-d %_H %0e %^a %#b %10Y`, "2 15 02 TUE FEB 0000002027"},
		{`%Ea %Eb %EB %Ed %EH %Ej %EF %ED`, "%Ea %Eb %EB %Ed %EH %Ej %EF %ED"},
		{`%Ec %EC %Ex %EX %Ey %EY`, "Tue Feb  2 15:04:05 2027 20 02/02/27 15:04:05 27 2027"},
		{`%Oa %Ob %OB %Oh %Oc %OC %Od %Oe %OH %OI %Ok %Ol %Om %OM %OS %Ou %OU %OV %Ow %OW %Oy %OY %Ox %OX %Oz %Ez`, "%Oa Feb February Feb %Oc 20 02  2 15 03 15  3 02 04 05 2 05 05 2 05 27 %OY %Ox %OX -0330 -0330"},
		{`%-5d %_5d %05e %3d %-3d %_3S %1d %0k %-k %_m %-j %_j %-y %3u %-g`, "    2     2 00002 002   2   5 02 15 15  2 33  33 27 002 27"},
		{`%^10a %010a %-10a %_10a %03a %^A %#A %^B %#B %^b %#h %#^a %^#a`, "       TUE 0000000Tue        Tue        Tue Tue TUESDAY TUESDAY FEBRUARY FEBRUARY FEB FEB TUE TUE"},
		{`%p %P %^p %#p %^P %#P %5p %-5P`, "PM pm PM pm pm pm    PM    pm"},
		{`%Z %#Z %^Z %5Z`, "XYZ xyz XYZ   XYZ"},
		{`%z %10z %_z %-z %010z %5z`, "-0330          -0000000330 - 330 -330 000000000-0000000330     -00330"},
		{`%10D %^c %^10c %_15c %010F %^R %5T %12r %^x %10X %^r`, "  02/02/27 TUE FEB  2 15:04:05 2027 TUE FEB  2 15:04:05 2027 Tue Feb  2 15:04:05 2027 2027-02-02 15:04 15:04:05  03:04:05 PM 02/02/27   15:04:05 03:04:05 PM"},
		{`%C %5C %_5C %-C %G %-G %g %5g %V %_V %U %W %w %_5w`, "20 00020    20 20 2027 2027 27 00027 05  5 05 05 2     2"},
		{`%n%t %10n %5t %5%%`, "\n\t          \n     \t     %%"},
		{`%+Y %+d %+5d %Q %05_d %i %J`, "%+Y %+d %+5d %Q 0%05_d %i %J"},
		{`%_-5d %-_5d %0_5d %_05d %-10e`, "    2     2     2 00002          2"},
		{`%10%`, "         %"},
		{`%5Ea`, " %5Ea"},
		{`%E`, "%E"},
		{`%O`, "%O"},
		{`%_`, "%_"},
		{`%-`, "%-"},
		{`%^`, "%^"},
		{`%#`, "%#"},
		{`%10`, "       %10"},
		{`%EE %OE %Eq %OO %EO`, "%EE %OE %Eq %OO %EO"},
		{`%`, "%"},
		{`%^q %#Eb %^5Ea %#EB`, "%^Q %#EB %^5EA %#EB"},
		{`café %a`, "café Tue"},
		{`%a %A %b %B %h`, "Tue Tuesday Feb February Feb"},
		{`%c`, "Tue Feb  2 15:04:05 2027"},
		{`%C %d %D %e %F`, "20 02 02/02/27  2 2027-02-02"},
		{`%g %G %V`, "27 2027 05"},
		{`%H %I %j %k %l %m %M`, "15 03 033 15  3 02 04"},
		{`%n%t%p %P %r %R`, "\n\tPM pm 03:04:05 PM 15:04"},
		{`%S %T`, "05 15:04:05"},
		{`%u %U %w %W`, "2 05 2 05"},
		{`%x %X %y %Y`, "02/02/27 15:04:05 27 2027"},
		{`%z %Z %%`, "-0330 XYZ %"},
		{`%Ey %OH %q %`, "27 15 %q %"},
		{"%s %-s %_5s %15s", strconv.FormatInt(tm.Unix(), 10) + " " + strconv.FormatInt(tm.Unix(), 10) + " " +
			strconv.FormatInt(tm.Unix(), 10) + " " + "     " + strconv.FormatInt(tm.Unix(), 10)},
	}
	for _, tt := range tests {
		if got := string(appendStrftime(nil, tt.format, tm)); got != tt.want {
			t.Errorf("strftime(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
	// What would not fit Apache's buffer is not written.
	if got := appendStrftime([]byte("x"), "%8192Y", tm); string(got) != "x" {
		t.Errorf("a result of 8192 bytes: %q", got)
	}
}

// testTxn is a request as a directive sees it once answered: GET
// /dir/file.txt?a=b from 192.0.2.7:40000 to 127.0.0.1:8080 for
// www.test, 200 with 1234 body bytes, two seconds after it came in.
func testTxn(t *testing.T) (*txn, *vhost.Request) {
	t.Helper()
	hr := httptest.NewRequest("GET", "/dir/file.txt?a=b", nil)
	hr.RemoteAddr = "192.0.2.7:40000" // the connection; r.Remote below is the same client
	hr.Host = "www.test:8080"
	hr.Header = http.Header{
		"User-Agent": {`agent "x"`},
		"X-Multi":    {"one", "two"},
		"Cookie":     {"a=1; session = s3cr3t ;b=2"},
		"Referer":    {"http://ref.test/"},
	}
	hr.Trailer = http.Header{"X-Sum": {"abc"}}
	hr.ContentLength = 0
	host := &vhost.Host{Hostname: "main.test", Port: 0}
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rec.Header()["Set-Cookie"] = []string{"k=v", "k2=v2"}
	rec.Header().Set("Date", "Tue, 02 Feb 2027 15:04:05 GMT")
	rec.Header().Set("Content-Length", "1234")
	start := time.Date(2027, 2, 2, 15, 4, 5, 250_000_000, time.Local)
	r := &vhost.Request{HTTP: hr, Host: host, Method: "GET", UnparsedURI: "/dir/file.txt?a=b",
		URI: "/dir/file.txt", Args: "a=b", HasArgs: true, Hostname: "www.test", HostPort: 8080,
		Local: netip.MustParseAddrPort("127.0.0.1:8080"), Remote: netip.MustParseAddrPort("192.0.2.7:40000"),
		Scheme: "http", Filename: "/srv/www/dir/file.txt", Env: vhost.Vars{{Key: "FOO", Value: "bar\tbaz"}},
		User: "alice", Handler: "wsgi-script", Start: start, ConnRequests: 3,
		Response: &vhost.Response{ResponseWriter: rec, Status: 200, Bytes: 1234}}
	r.SetNote("n1", "note")
	l := &Logs{opts: Options{KeepAlive: true}}
	x := &txn{}
	x.init(r, l)
	x.end = start.Add(2*time.Second + 345678*time.Microsecond)
	return x, r
}

// TestDirectives writes every %-directive of mod_log_config and
// mod_logio for one request.
func TestDirectives(t *testing.T) {
	start := time.Date(2027, 2, 2, 15, 4, 5, 250_000_000, time.Local)
	clf := start.Format("[02/Jan/2006:15:04:05 -0700]")
	tests := []struct{ format, want string }{
		{"%h %a %{c}a %{c}h %A %l", "192.0.2.7 192.0.2.7 192.0.2.7 192.0.2.7 127.0.0.1 -"},
		{"%u", "alice"},
		{"%t", clf},
		{"%{begin}t", clf},
		{"%{sec}t %{msec}t %{usec}t", strconv.FormatInt(start.Unix(), 10) + " " + strconv.FormatInt(start.UnixMilli(), 10) + " " + strconv.FormatInt(start.UnixMicro(), 10)},
		{"%{msec_frac}t %{usec_frac}t", "250 250000"},
		{"%{end:sec}t %{end:usec_frac}t", strconv.FormatInt(start.Unix()+2, 10) + " 595678"},
		{"%{%Y-%m-%d}t %{begin:%H}t %{end:%S}t", "2027-02-02 15 07"},
		// A prefix glued to what follows leaves the begin time, and a
		// strftime format keeps it.
		{"%{beginsec}t %{endusec}t %{endmsec_frac}t", strconv.FormatInt(start.Unix(), 10) + " " + strconv.FormatInt(start.UnixMicro(), 10) + " 250"},
		{"%{end%Y}t %{beginfoo}t %{msecx}t %{end:}t", "end2027 beginfoo msecx " + start.Add(2*time.Second+345678*time.Microsecond).Format("[02/Jan/2006:15:04:05 -0700]")},
		{"%f", "/srv/www/dir/file.txt"},
		{"%b %B", "1234 1234"},
		{"%{User-Agent}i|%{user-agent}i|%{X-Multi}i|%{Host}i|%{Missing}i", `agent \"x\"|agent \"x\"|one, two|www.test:8080|-`},
		{"%{Content-Type}o|%{Set-Cookie}o|%{Date}o|%{Server}o|%{Content-Length}o", "text/plain|k=v, k2=v2|-|-|1234"},
		{"%{n1}n %{none}n %{FOO}e %{BAR}e", `note - bar\tbaz -`},
		{"%L", "-"},
		{"%v %V %p %{canonical}p %{local}p %{remote}p %{bogus}p", "main.test www.test 80 80 8080 40000 bogus"},
		{"%P %{pid}P", strconv.Itoa(os.Getpid()) + " " + strconv.Itoa(os.Getpid())},
		{"%H %m %q %U", "HTTP/1.1 GET ?a=b /dir/file.txt"},
		{"%X %k", "+ 3"},
		{"%{session}C|%{a}C|%{b}C|%{c}C", "s3cr3t|1|2|-"},
		{"%r", "GET /dir/file.txt?a=b HTTP/1.1"},
		{"%D %T %{s}T %{ms}T %{us}T %{bogus}T", "2345678 2 2 2345 2345678 bogus"},
		{"%s %>s %<s", "200 200 200"},
		{"%R", "wsgi-script"},
		{"%{X-Sum}^ti %{X-Sum}^to", "abc -"},
		{"%^FB", "-"},
		{"%200{Referer}i %!200{Referer}i %404,500{Referer}i %!404{Referer}i", "http://ref.test/ - - http://ref.test/"},
		{`a\tb\\c\qd %% e`, "a\tb\\c\\qd % e"},
	}
	x, _ := testTxn(t)
	for _, tt := range tests {
		f, err := Compile(tt.format, nil)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.format, err)
			continue
		}
		got := string(f.appendLine(nil, x))
		if got != tt.want+"\n" {
			t.Errorf("%q:\n got %q\nwant %q", tt.format, got, tt.want+"\n")
		}
	}
}

// TestDirectivesEmpty is the same directives for a request with less: no
// user, no query, HEAD answered 304 without body, HTTP/1.0.
func TestDirectivesEmpty(t *testing.T) {
	x, r := testTxn(t)
	r.User, r.HasArgs, r.Args, r.Filename, r.Handler = "", false, "", "", ""
	r.HTTP.Proto, r.HTTP.ProtoMinor, r.HTTP.Close = "HTTP/1.0", 0, true
	r.Response.Status, r.Response.Bytes = 304, 0
	x.init(r, x.logs)
	tests := []struct{ format, want string }{
		{"%u %q| %f %R", "- | - -"},
		{"%b %B", "- 0"},
		{"%X %s", "- 304"},
		{"%H", "HTTP/1.0"},
	}
	for _, tt := range tests {
		f, err := Compile(tt.format, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(f.appendLine(nil, x)); got != tt.want+"\n" {
			t.Errorf("%q = %q, want %q", tt.format, got, tt.want+"\n")
		}
	}
	// A request whose context is done: the client closed its
	// connection, which aborts nothing unless a write failed.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.HTTP = r.HTTP.WithContext(ctx)
	x.init(r, x.logs)
	f, _ := Compile("%X", nil)
	if got := string(f.appendLine(nil, x)); got != "-\n" {
		t.Errorf("%%X of a connection the client closed = %q, want -", got)
	}
	r.Response.Failed = true
	x.init(r, x.logs)
	if got := string(f.appendLine(nil, x)); got != "X\n" {
		t.Errorf("%%X of a failed write = %q, want X", got)
	}
}

func TestCompileErrors(t *testing.T) {
	for format, want := range map[string]string{
		"%Z":      "Unrecognized LogFormat directive %Z",
		"%{x":     "Ran off end of LogFormat parsing args to some directive",
		"%{c}x":   "Unrecognized LogFormat directive %x",
		"%h %^zz": "Unrecognized LogFormat directive %^",
	} {
		if _, err := Compile(format, nil); err == nil || err.Error() != want {
			t.Errorf("Compile(%q) error %v, want %q", format, err, want)
		}
	}
	// mod_ssl, when loaded, registers %c and %x; without TLS they log "-".
	known := confparse.LogFormatDirectivesFor(nil)
	known["c"], known["x"] = false, false
	f, err := Compile("%{version}c %{SSL_PROTOCOL}x", known)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := testTxn(t)
	if got := string(f.appendLine(nil, x)); got != "- -\n" {
		t.Errorf("ssl directives = %q", got)
	}
}

func TestHidePassword(t *testing.T) {
	for in, want := range map[string]string{
		"/path":                        "/path",
		"http://h/x@y":                 "http://h/x@y",
		"http://user@h/x":              "http://user@h/x",
		"http://user:pw@h/x":           "http://user:XXXXXXXX@h/x",
		"http://user:p:w@h:80/x?y=a@b": "http://user:XXXXXXXX@h:80/x?y=a@b",
	} {
		if got := hidePassword(in); got != want {
			t.Errorf("hidePassword(%q) = %q, want %q", in, got, want)
		}
	}
}
