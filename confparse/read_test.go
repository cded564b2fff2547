package confparse

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConf(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const testPreamble = "LoadModule mpm_event_module m\nLoadModule authz_core_module m\nErrorLog /tmp/e.log\n"

func load(t *testing.T, dir, conf string) (*Config, error) {
	t.Helper()
	return Load(ReadOptions{ServerRoot: dir, ConfigFile: conf, Getenv: func(string) (string, bool) { return "", false }},
		ProcessOptions{Resolve: func(string) ([]string, error) { return []string{"127.0.0.1"}, nil }})
}

// Bad input gives a clear error with file and line, never a panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, body string
		want       string // substring of Console("gowsgid")
	}{
		{"binary garbage", testPreamble + "\xff\xfe\x00\x01garbage\n\x80\x81 x\n", "Invalid command '\\xff\\xfe'"},
		{"line over 16 MiB", testPreamble + "ServerAdmin " + strings.Repeat("x", 16<<20+10) + "\n", "Line too long"},
		{"missing include", testPreamble + "Include " + dir + "/nope.conf\n", "Syntax error on line 4 of"},
		{"include loop", testPreamble + "Include " + dir + "/loop.conf\n", "Exceeded maximum include depth of 128"},
		{"unclosed", testPreamble + "<VirtualHost *:80>\n", "<VirtualHost> was not closed."},
	}
	writeConf(t, dir, "loop.conf", "Include "+dir+"/loop.conf\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := writeConf(t, dir, "f.conf", tt.body)
			_, err := load(t, dir, conf)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v", err)
			}
			text := ce.Console("gowsgid") + "\n" + ce.Innermost().Msg
			if !strings.Contains(text, tt.want) {
				t.Fatalf("error %q does not contain %q", text, tt.want)
			}
		})
	}
}

// A 10 MB logical line is within Apache's 16 MiB limit.
func TestTenMegabyteLine(t *testing.T) {
	dir := t.TempDir()
	conf := writeConf(t, dir, "f.conf", testPreamble+"Define BIG "+strings.Repeat("y", 10<<20)+"\n")
	cfg, err := load(t, dir, conf)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tree.Vars["BIG"]) != 10<<20 {
		t.Fatalf("BIG has %d bytes", len(cfg.Tree.Vars["BIG"]))
	}
}

func TestReadResolves(t *testing.T) {
	dir := t.TempDir()
	writeConf(t, dir, "conf.d/b.conf", "ServerAdmin b@x\n")
	writeConf(t, dir, "conf.d/a.conf", "Define FROM_A yes\n")
	writeConf(t, dir, "conf.d/.hidden.conf", "ServerAdmin hidden@x\n")
	conf := writeConf(t, dir, "f.conf", testPreamble+`Include conf.d/*.conf
<IfDefine FROM_A>
<IfModule mod_authz_core.c>
ServerName ${FROM_A}.example
</IfModule>
</IfDefine>
<IfModule !mod_authz_core.c>
Bogus
</IfModule>
<Directory /srv>
  Require all granted
</Directory>
`)
	t.Setenv("X", "")
	tree, err := Read(ReadOptions{ServerRoot: dir, ConfigFile: conf})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	VisitNodes(tree.Nodes, func(n *Node) { got = append(got, n.Name+" "+n.Raw) })
	want := []string{"ErrorLog /tmp/e.log", "ServerAdmin b@x", "ServerName yes.example", "<Directory /srv>", "Require all granted"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("tree %q, want %q", got, want)
	}
	if tree.Nodes[3].Children[0].Parent != tree.Nodes[3] || tree.Nodes[3].Line != 13 || tree.Nodes[1].File != filepath.Join(dir, "conf.d/b.conf") {
		t.Fatalf("node links or locations wrong: %+v", tree.Nodes[3])
	}
	if !tree.IsLoaded("authz_core_module") || tree.IsLoaded("rewrite_module") {
		t.Fatal("loaded modules wrong")
	}
}

// TestIPSubnet checks the wrapper over apr.ParseSubnet (whose own tests
// cover apr_ipsubnet_create's cases): how an "addr[/mask]" word is split,
// and Contains on net.IP values.
func TestIPSubnet(t *testing.T) {
	tests := []struct {
		word    string
		in, out string
		err     error
	}{
		{"10.1", "10.1.200.3", "10.2.0.1", nil},
		{"192.168.1.0/24", "192.168.1.77", "192.168.2.1", nil},
		{"10.0.0.0/255.0.0.0", "10.9.9.9", "11.0.0.1", nil},
		// Non-contiguous netmasks are kept, as in APR.
		{"10.0.0.0/255.0.255.0", "10.1.0.1", "10.0.1.0", nil},
		{"::1", "::1", "::2", nil},
		{"2001:db8::/32", "2001:db8:1::5", "2001:db9::", nil},
		{"10.1.2.3", "::ffff:10.1.2.3", "10.1.2.4", nil},
		{"example.org", "", "", errNotIP},
		{"10.1.2.3.4", "", "", errBadIP},
		{"10.1/16", "", "", errBadIP},
		{"10.0.0.0/33", "", "", errBadMask},
		{"10.0.0.0/0", "", "", errBadMask},
		// After a '/', even an empty mask is a (bad) mask.
		{"10.0.0.0/", "", "", errBadMask},
	}
	for _, tt := range tests {
		s, err := parseIPSubnetWord(tt.word)
		if err != tt.err {
			t.Errorf("%s: err %v, want %v", tt.word, err, tt.err)
			continue
		}
		if addr, mask, _ := strings.Cut(tt.word, "/"); mask != "" {
			if _, err2 := ParseIPSubnet(addr, mask); err2 != err {
				t.Errorf("ParseIPSubnet(%q, %q): err %v, want %v", addr, mask, err2, err)
			}
		}
		if err != nil {
			continue
		}
		if !s.Contains(parseIPForTest(tt.in)) || s.Contains(parseIPForTest(tt.out)) {
			t.Errorf("%s: contains(%s)=%v contains(%s)=%v", tt.word, tt.in, s.Contains(parseIPForTest(tt.in)), tt.out, s.Contains(parseIPForTest(tt.out)))
		}
		if v4 := parseIPForTest(tt.in).To4(); v4 != nil && !s.Contains(v4) {
			t.Errorf("%s: contains(4-byte %s) = false", tt.word, tt.in)
		}
		if s.Contains(nil) {
			t.Errorf("%s: contains(nil) = true", tt.word)
		}
	}
	if _, err := ParseIPSubnet("10.0.0.0", ""); err != nil {
		t.Errorf(`ParseIPSubnet("10.0.0.0", ""): %v, want no mask`, err)
	}
	if errBadIP.Error() != "The specified IP address is invalid." || errBadMask.Error() != "The specified network mask is invalid." {
		t.Errorf("error texts %q, %q", errBadIP, errBadMask)
	}
}

func parseIPForTest(s string) net.IP { return net.ParseIP(s) }

// Require method takes the methods the configuration registered above
// it (ap_method_number_of): a <Limit FOO> registers FOO, a later line
// may name it, and an unregistered name is Apache's error. Both
// outcomes were checked with apache2 -t.
func TestRequireMethodRegistered(t *testing.T) {
	dir := t.TempDir()
	limit := "<Directory />\n<Limit FOO>\nRequire all granted\n</Limit>\n</Directory>\n"
	conf := writeConf(t, dir, "ok.conf", testPreamble+limit+"<Directory /srv>\nRequire method GET FOO\n</Directory>\n")
	if _, err := load(t, dir, conf); err != nil {
		t.Fatalf("FOO registered by <Limit>: %v", err)
	}
	conf = writeConf(t, dir, "bad.conf", testPreamble+limit+"<Directory /srv>\nRequire method BAR\n</Directory>\n")
	_, err := load(t, dir, conf)
	var ce *Error
	if !errors.As(err, &ce) || ce.Innermost().Msg != "Invalid Method 'BAR'" || ce.Innermost().Line != 10 {
		t.Fatalf("err = %v, want Invalid Method 'BAR' on line 10", err)
	}
}

// TestValuesReadAsApache: numbers a handler reads with C's atoi take
// their leading digits (and wrap past 2^31 as glibc's atoi does), and
// the words a handler compares are refused with its message, as
// apache2 -t answers (checked against Apache 2.4.71).
func TestValuesReadAsApache(t *testing.T) {
	dir := t.TempDir()
	mods := "LoadModule deflate_module m\nLoadModule brotli_module m\nLoadModule filter_module m\nLoadModule ssl_module m\n"
	for _, tc := range []struct{ body, want string }{
		{"DeflateCompressionLevel 1k\n", ""},
		{"DeflateCompressionLevel 1.5\n", ""},
		{"DeflateCompressionLevel x\n", "Compression Level must be between 1 and 9"},
		{"BrotliCompressionQuality off\n", ""},
		{"BrotliCompressionQuality 12\n", "BrotliCompressionQuality must be between 0 and 11"},
		{"<Directory /srv>\nMaxRanges 99999999999\n</Directory>\n", ""},
		{"<Directory /srv>\nMaxRanges 3000000000\n</Directory>\n", "MaxRanges requires 'none', 'default', 'unlimited' or a positive integer"},
		{"<Directory /srv>\nSSLOptions +StdEnvVars -exportcertdata FakeBasicAuth\n</Directory>\n", ""},
		{"<Directory /srv>\nSSLOptions +Bogus\n</Directory>\n", "SSLOptions: Illegal option 'Bogus'"},
		{"AddOutputFilterByType DEFLATE\n", "AddOutputFilterByType requires at least two arguments"},
		{"AddOutputFilterByType\n", "AddOutputFilterByType requires at least two arguments"},
		{"KeepAliveTimeout -1\n", "KeepAliveTimeout has wrong format"},
		{"ProtocolsHonorOrder On\nUseCanonicalPhysicalPort off\n", ""},
		{"UseCanonicalPhysicalPort yes\n", "parameter must be 'on' or 'off'"},
		{"Listen :8080\n", "Invalid address or port"},
		{"<VirtualHost *:80>\nThreadsPerChild 5\n</VirtualHost>\n", "ThreadsPerChild cannot occur within <VirtualHost> section"},
	} {
		conf := writeConf(t, dir, "v.conf", testPreamble+mods+tc.body)
		_, err := load(t, dir, conf)
		var ce *Error
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v, want it accepted", tc.body, err)
		case tc.want != "" && (!errors.As(err, &ce) || ce.Innermost().Msg != tc.want):
			t.Errorf("%q: %v, want %q", tc.body, err, tc.want)
		}
	}
}
