package confparse

import (
	"reflect"
	"testing"

	"github.com/gowsgid/gowsgid/errlogfmt"
)

func TestParseLogFormat(t *testing.T) {
	known := LogFormatDirectivesFor(nil)
	tests := []struct {
		in   string
		want []LogItem
		err  string
	}{
		{in: DefaultLogFormat, want: []LogItem{
			{Directive: "h"}, {Literal: " "}, {Directive: "l"}, {Literal: " "}, {Directive: "u"}, {Literal: " "},
			{Directive: "t"}, {Literal: ` "`}, {Directive: "r", Original: true}, {Literal: `" `},
			{Directive: "s"}, {Literal: " "}, {Directive: "b"},
		}},
		{in: "%s %<s %>s %<h %>U", want: []LogItem{
			{Directive: "s", Original: true}, {Literal: " "}, {Directive: "s", Original: true}, {Literal: " "},
			{Directive: "s"}, {Literal: " "}, {Directive: "h", Original: true}, {Literal: " "}, {Directive: "U"},
		}},
		{in: "%{Referer}i %400,501{User-agent}i %!200,304,302{Referer}i %{ms}T %{begin:%d/%b}t", want: []LogItem{
			{Directive: "i", Arg: "Referer"}, {Literal: " "},
			{Directive: "i", Arg: "User-agent", Status: []int{400, 501}}, {Literal: " "},
			{Directive: "i", Arg: "Referer", Status: []int{200, 304, 302}, Negate: true}, {Literal: " "},
			{Directive: "T", Arg: "ms", Original: true}, {Literal: " "},
			{Directive: "t", Arg: "begin:%d/%b"},
		}},
		{in: `a\tb\\c\qd\n%%%^ti%^FB%I`, want: []LogItem{
			{Literal: "a\tb\\c\\qd\n"}, {Literal: "%"}, {Directive: "^ti"}, {Directive: "^FB"}, {Directive: "I"},
		}},
		{in: `trailing\`, want: []LogItem{{Literal: `trailing\`}}},
		{in: "%{User-Agent}}}i%{x}}", err: "Ran off end of LogFormat parsing args to some directive"},
		{in: "%{User-Agent}}i", want: []LogItem{{Directive: "i", Arg: "User-Agent"}}},
		{in: "%Z", err: "Unrecognized LogFormat directive %Z"},
		{in: "%^zz", err: "Unrecognized LogFormat directive %^"},
		{in: "%{x", err: "Ran off end of LogFormat parsing args to some directive"},
		{in: "%400", err: "Ran off end of LogFormat parsing args to some directive"},
		{in: "%x", err: "Unrecognized LogFormat directive %x"},
	}
	for _, tt := range tests {
		got, err := ParseLogFormat(tt.in, known)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q =\n %+v, %v\nwant\n %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestLogDirectives(t *testing.T) {
	dir := t.TempDir()
	conf := writeConf(t, dir, "f.conf", testPreamble+`LoadModule wsgi_module m
LogLevel info wsgi:debug
LogFormat "%h %>s" short
LogFormat short
CustomLog /tmp/a.log combined env=!nolog
TransferLog /tmp/t.log
BufferedLogs On
<VirtualHost *:80>
  LogLevel authz_core:debug
  CustomLog "|/bin/cat" "%h" "expr=%{REQUEST_STATUS} -ge 400"
  <Directory /srv>
    LogLevel trace8
  </Directory>
</VirtualHost>
<VirtualHost *:81>
  LogLevel warn
</VirtualHost>
GlobalLog /tmp/g.log short
LogLevel mod_authz_core.c:error
`)
	cfg, err := load(t, dir, conf)
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Main
	if want := (LogLevels{Level: "info", Modules: map[string]string{"wsgi": "debug", "authz_core": "error"}}); !reflect.DeepEqual(m.LogLevel, want) {
		t.Errorf("main LogLevel = %+v, want %+v", m.LogLevel, want)
	}
	v1, v2 := cfg.VirtualHosts[0], cfg.VirtualHosts[1]
	if got, want := v1.LogLevel.Merge(m.LogLevel), (LogLevels{Level: "info", Modules: map[string]string{"wsgi": "debug", "authz_core": "debug"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("vhost LogLevel = %+v, want %+v", got, want)
	}
	if got := v2.LogLevel.Merge(m.LogLevel); got.Level != "warn" || got.Modules != nil {
		t.Errorf("vhost with its own level: %+v, want warn and no module levels", got)
	}
	if m.Logs.Formats["short"] != "%h %>s" || m.Logs.DefaultFormat != "short" || !m.Logs.HasDefault {
		t.Errorf("formats: %+v", m.Logs)
	}
	if len(m.Logs.Logs) != 3 {
		t.Fatalf("main logs: %+v", m.Logs.Logs)
	}
	if l := m.Logs.Logs[0]; l.Target != "/tmp/a.log" || l.Format != "combined" || l.Env != "!nolog" || l.Inherit {
		t.Errorf("CustomLog: %+v", l)
	}
	if l := m.Logs.Logs[1]; l.Target != "/tmp/t.log" || l.Format != "" {
		t.Errorf("TransferLog: %+v", l)
	}
	if l := m.Logs.Logs[2]; !l.Inherit || l.Directive != "GlobalLog" {
		t.Errorf("GlobalLog: %+v", l)
	}
	if l := v1.Logs.Logs[0]; l.Target != "|/bin/cat" || l.Expr == nil {
		t.Errorf("vhost CustomLog: %+v", l)
	}
	if !cfg.BufferedLogs {
		t.Error("BufferedLogs On not recorded")
	}
}

// TestErrorLogFormatsOf: a virtual host starts with the main server's
// line format of the moment (core's create_core_server_config); one set
// later in the main server reaches only the virtual hosts that do not
// come before it; connection and request lines merge as a whole.
func TestErrorLogFormatsOf(t *testing.T) {
	dir := t.TempDir()
	conf := writeConf(t, dir, "httpd.conf", testPreamble+`Listen 80
ErrorLogFormat "first %M"
ErrorLogFormat connection "c1"
<VirtualHost *:80>
  ServerName early
</VirtualHost>
ErrorLogFormat "late %M"
ErrorLogFormat "later %M"
<VirtualHost *:80>
  ServerName own
  ErrorLogFormat "own %M"
  ErrorLogFormat request "r1"
  ErrorLogFormat request "r2"
</VirtualHost>
<VirtualHost *:80>
  ServerName after
</VirtualHost>
ErrorLogFormat connection "c2"
`)
	cfg, err := load(t, dir, conf)
	if err != nil {
		t.Fatal(err)
	}
	text := func(f *errlogfmt.Format) string {
		if f == nil {
			return "<default>"
		}
		return f.Text
	}
	texts := func(fs []*errlogfmt.Format) (s []string) {
		for _, f := range fs {
			s = append(s, f.Text)
		}
		return s
	}
	for _, tt := range []struct {
		s         *Server
		main      string
		conn, req []string
	}{
		{cfg.Main, "later %M", []string{"c1", "c2"}, nil},
		{cfg.VirtualHosts[0], "first %M", []string{"c1", "c2"}, nil},
		{cfg.VirtualHosts[1], "own %M", []string{"c1", "c2"}, []string{"r1", "r2"}},
		{cfg.VirtualHosts[2], "later %M", []string{"c1", "c2"}, nil},
	} {
		f := cfg.ErrorLogFormatsOf(tt.s)
		if text(f.Main) != tt.main || !reflect.DeepEqual(texts(f.Conn), tt.conn) || !reflect.DeepEqual(texts(f.Req), tt.req) {
			t.Errorf("%s: %q %q %q, want %q %q %q", tt.s.ServerName, text(f.Main), texts(f.Conn), texts(f.Req), tt.main, tt.conn, tt.req)
		}
	}
}
