package errlogfmt

import (
	"strings"
	"testing"
	"time"
)

func TestParseErrors(t *testing.T) {
	// Apache 2.4.71's messages for each (apache2 -t).
	tests := []struct {
		format string
		main   bool
		want   string
	}{
		{"%Z %M", true, "Unrecognized error log format directive %Z"},
		{"%t", true, "main ErrorLogFormat must contain message format string '%M'"},
		{"%{x", true, "Ran off end of error log format parsing args to some directive"},
		{"%", true, "Ran off end of error log format parsing args to some directive"},
		{"%M % %", true, "Ran off end of error log format parsing args to some directive"},
		{"%+M", true, "The '+' flag cannot be used in the main error log format"},
		{"%+a %M", true, "The '+' flag cannot be used in the main error log format"},
		{"%16a %M", true, "The specified loglevel modifier is out of range"},
		{"%M", false, "%M cannot be used in once-per-request or once-per-connection formats"},
		{"%7a", false, "The loglevel cannot be used as a condition in once-per-request or once-per-connection formats"},
		{"connection", true, "main ErrorLogFormat must contain message format string '%M'"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.format, tt.main)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q, %v) = %v, want %q", tt.format, tt.main, err, tt.want)
		}
	}
	for _, ok := range []string{"%M", "%15M", "%-{x}i%M%%% %M", "%M a\\", "%{a}{b}-7t %M %"} {
		if _, err := Parse(ok, true); err == nil && ok == "%{a}{b}-7t %M %" {
			t.Errorf("Parse(%q) succeeded; Apache runs off its end", ok)
		} else if err != nil && ok != "%{a}{b}-7t %M %" {
			t.Errorf("Parse(%q): %v", ok, err)
		}
	}
}

type fakeReq struct {
	ip      string
	port    int
	name    string
	headers map[string]string
}

func (r fakeReq) Client() (string, int) { return r.ip, r.port }
func (r fakeReq) ServerName() string    { return r.name }
func (r fakeReq) Header(n string) (string, bool) {
	v, ok := r.headers[n]
	return v, ok
}
func (fakeReq) Env(string) (string, bool)  { return "", false }
func (fakeReq) Note(string) (string, bool) { return "", false }

// TestAgainstApacheLines renders what Apache 2.4.71 wrote with the same
// formats (lines copied from its logs; the tid of %T and %{g}T is the
// same number here, Apache's %T being pthread_self).
func TestAgainstApacheLines(t *testing.T) {
	tm := time.Date(2026, 12, 7, 3, 32, 13, 556322000, time.UTC)
	server := &Info{Time: tm, Level: 6, Module: "wsgi", PID: 7923, TID: 7923, Server: "main.test",
		Message: "mod_wsgi (pid=7923): Starting process 'd' with uid=33, gid=33 and threads=2."}
	conn := &Conn{ClientIP: "127.0.0.1", ClientPort: 46696, LocalIP: "127.0.0.1", LocalPort: 18701, LogID: "RGYm32onnNg"}
	req := fakeReq{ip: "127.0.0.1", port: 46696, name: "v.test", headers: map[string]string{"X-Foo": "foo", "User-Agent": "curl/7.88.1"}}
	notFound := &Info{Time: tm, Level: 6, Module: "core", PID: 7924, TID: 7924, Server: "v.test", Conn: conn,
		Req: req, MainLogID: "OWUm32onnNg", Message: "AH00128: File does not exist: /tmp/elf/htdocs/nope"}
	connLine := &Info{Time: tm, Level: -1, PID: 7924, TID: 7924, Server: "v.test", Conn: conn}
	reqLine := &Info{Time: tm, Level: -1, PID: 7924, TID: 7924, Server: "v.test", Conn: conn, Req: req, MainLogID: "4Jks32olnNg"}
	tests := []struct {
		format string
		main   bool
		info   *Info
		want   string // "" for no line
	}{
		{`[%{u}t] [%-m:%l] [pid %P:tid %T] [gtid %{g}T] %7F: %E: [client\ %a] [A %A] [L %L] [cL %{c}L] [CL %{C}L] [k %k] [v %v] [V %V] %M% ,\ referer\ %{Referer}i`,
			true, server, "[Mon Dec 07 03:32:13.556322 2026] [wsgi:info] [pid 7923:tid 7923] [gtid 7923] [A [L [cL [CL [k [v main.test] [V mod_wsgi (pid=7923): Starting process 'd' with uid=33, gid=33 and threads=2."},
		{`%{c}t %{%Y/%m/%d %H-%M-%S}t %{cz}t|%-l|%m|%-{X-Foo}i|%-L|%a %M`, true, notFound,
			"2026-12-07 03:32:13 2026/12/07 03-32-13 2026-12-07 03:32:13 +0000|info|core|foo|OWUm32onnNg|127.0.0.1:46696 AH00128: File does not exist: /tmp/elf/htdocs/nope"},
		{`%{c}t %{%Y/%m/%d %H-%M-%S}t %{cz}t|%-l|%m|%-{X-Foo}i|%-L|%a %M`, true, server,
			"2026-12-07 03:32:13 2026/12/07 03-32-13 mod_wsgi (pid=7923): Starting process 'd' with uid=33, gid=33 and threads=2."},
		{`[%{cu}t] conn %{c}L %a %A`, false, connLine, "[2026-12-07 03:32:13.556322] conn RGYm32onnNg 127.0.0.1:46696 127.0.0.1:18701"},
		{`[%{cu}t] req %L %{c}L %a %{User-Agent}i %+{X-Need}i`, false, reqLine, ""},
		{"%t %M", true, server, "Mon Dec 07 03:32:13 2026 mod_wsgi (pid=7923): Starting process 'd' with uid=33, gid=33 and threads=2."},
		// The documentation's example: the referer field goes with an
		// empty header.
		{`[%t] [%l] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i`, true, notFound,
			"[Mon Dec 07 03:32:13 2026] [info] [client 127.0.0.1:46696] AH00128: File does not exist: /tmp/elf/htdocs/nope"},
	}
	for _, tt := range tests {
		f, err := Parse(tt.format, tt.main)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.format, err)
		}
		got, ok := Append(nil, f, tt.info)
		if string(got) != tt.want || ok != (tt.want != "") {
			t.Errorf("format %q:\n got  %q (%v)\n want %q", tt.format, got, ok, tt.want)
		}
	}
}

func TestDefaultFormat(t *testing.T) {
	tm := time.Date(2026, 11, 22, 3, 13, 42, 888677000, time.UTC)
	req := fakeReq{ip: "127.0.0.1", port: 58744, headers: map[string]string{"Referer": "http://r/\x01"}}
	info := &Info{Time: tm, Level: 3, Module: "authz_core", PID: 1, TID: 2, Status: "(13)Permission denied",
		Req: req, Message: "AH01630: client denied\n"}
	got, _ := Append(nil, nil, info)
	want := `[Sun Nov 22 03:13:42.888677 2026] [authz_core:error] [pid 1:tid 2] (13)Permission denied: [client 127.0.0.1:58744] AH01630: client denied\n, referer: http://r/\x01`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	info.Syslog, info.Req, info.Status = true, nil, ""
	info.Conn = &Conn{ClientIP: "10.0.0.1", ClientPort: 5, Remote: true}
	got, _ = Append(nil, nil, info)
	if want := `[authz_core:error] [pid 1:tid 2] [remote 10.0.0.1:5] AH01630: client denied\n`; string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	long, _ := Append(nil, nil, &Info{Message: strings.Repeat("x", 9000)})
	if len(long) != MaxLine {
		t.Errorf("a long line is %d bytes", len(long))
	}
	// A huge message whose bytes all need escaping: the line is its
	// first MaxLine bytes escaped, whatever the rest.
	huge, _ := Append(nil, nil, &Info{Message: strings.Repeat("\x01", 1<<20)})
	if len(huge) != MaxLine || !strings.Contains(strings.Repeat(`\x01`, 10), string(huge[len(huge)-16:])) {
		t.Errorf("a huge line is %d bytes, ending %q", len(huge), huge[max(0, len(huge)-20):])
	}
}

func TestFieldsAndModifiers(t *testing.T) {
	info := &Info{Level: 6, Module: "core", Message: "m"}
	tests := []struct{ format, want string }{
		{"%-L|%-a|%M", "-|-|m"},
		{"[%a] %M", " m"},         // "[" and "]" go with the empty field, not the space after
		{"x% [%a]% y %M", "xy m"}, // "% " starts a field
		{"%7m %M", " m"},          // below debug: left out
		{"%6m %M", "core m"},      // at info: in
		{"%%\\t\\q %M", "%\tq m"}, // escapes in constant text
		{"%{u}t|%M", "|m"},        // the zero time still shows
		{"a% %M", "am"},           // "% " then %M
		{"%M% ", "m"},             // "% " at the end: an empty item drops its field
		{"%M%E", ""},              // no status: the field from the start goes, message and all, and no line is left
		{"%{}t %M", "Mon Jan 01 00:00:00 0001 m"},
	}
	for _, tt := range tests {
		f, err := Parse(tt.format, true)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.format, err)
		}
		got, _ := Append(nil, f, info)
		if tt.format == "%{u}t|%M" {
			if !strings.HasSuffix(string(got), "|m") || !strings.Contains(string(got), ".000000 ") {
				t.Errorf("format %q: got %q", tt.format, got)
			}
			continue
		}
		if string(got) != tt.want {
			t.Errorf("format %q: got %q, want %q", tt.format, got, tt.want)
		}
	}
}

func TestNewLogID(t *testing.T) {
	tm := time.Now()
	a, b := NewLogID(tm), NewLogID(tm)
	if len(a) != 11 || a == b || strings.ContainsAny(a, "=-_") {
		t.Errorf("ids %q %q", a, b)
	}
}
