package ciphers

import (
	"fmt"
	"math/rand"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

// openssl is what the machine's OpenSSL (the library mod_ssl uses)
// permits for spec before TLS 1.3: the suites' names, sorted, or
// "error". supported restricts them to those the security level allows
// (openssl ciphers -s).
func openssl(t *testing.T, spec string, supported bool) []string {
	t.Helper()
	args := []string{"ciphers", "-tls1_2"}
	if supported {
		args = append(args, "-s")
	}
	out, err := exec.Command("openssl", append(args, "--", spec)...).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "Error in cipher list") {
			return []string{"error"}
		}
		t.Fatalf("openssl ciphers %q: %v: %s", spec, err, out)
	}
	var names []string
	for _, n := range strings.Split(strings.TrimSpace(string(out)), ":") {
		if n != "" && !strings.HasPrefix(n, "TLS_") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// ours is Select's answer in openssl's form.
func ours(spec string) []string {
	sel, err := Select(spec)
	if err != nil {
		return []string{"error"}
	}
	names := slices.Clone(sel.Names)
	sort.Strings(names)
	return names
}

func compare(t *testing.T, spec string) {
	t.Helper()
	got, want := ours(spec), openssl(t, spec, false)
	if !slices.Equal(got, want) {
		t.Errorf("%q: permits %d suites, OpenSSL %d\n  only ours: %v\n  only OpenSSL's: %v",
			spec, len(got), len(want), minus(got, want), minus(want, got))
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestAliases checks each alias, alone, against OpenSSL.
func TestAliases(t *testing.T) {
	for name := range aliases {
		compare(t, name)
	}
}

// TestStrings checks the cipher strings of real configurations (Debian's
// ssl.conf, Mozilla's and certbot's recommendations, mod_ssl's default)
// with the suffix mod_ssl appends, and odd ones, against OpenSSL.
func TestStrings(t *testing.T) {
	for _, spec := range []string{
		"HIGH:!aNULL",
		"DEFAULT",
		"DEFAULT:!RSA",
		"DEFAULT:HIGH",
		"HIGH:DEFAULT",
		"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA",
		"EECDH+AESGCM:EDH+AESGCM",
		"EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH",
		"ECDHE+AESGCM:ECDHE+CHACHA20:!SHA1:!SHA256:!SHA384",
		"HIGH:MEDIUM:!aNULL:!MD5:!RC4:!3DES",
		"ALL:!ADH:!EXPORT:!SSLv2:RC4+RSA:+HIGH:+MEDIUM:+LOW",
		"-ALL:ECDHE-RSA-AES128-GCM-SHA256",
		"AES128+EECDH:AES128+EDH",
		"kEECDH+ECDSA+AES128:kEECDH+ECDSA+AES256:kEECDH+AES128:kEECDH+AES256:kEDH+AES128:kEDH+AES256:DES-CBC3-SHA:+SHA:!aNULL:!eNULL:!LOW:!kECDH:!DSS:!MD5:!EXP:!PSK:!SRP:!CAMELLIA:!SEED",
		"HIGH:!aNULL:!MD5:@STRENGTH",
		"ECDHE:!COMPLEMENTOFDEFAULT",
		"TLSv1.2+AESGCM:-RSA",
		"AES128+AES256",
		"ECDHE-RSA-AES128-GCM-SHA256+HIGH",
		"NOPE+HIGH:ECDHE-RSA-AES128-SHA",
		"HIGH,!aNULL;!kRSA SHA256",
		"FOO",
		"HIGH:_x",
		"HIGH:@FOO",
		"HIGH:!:aNULL",
		"HIGH::aNULL",
		"HIGH:-",
		"+,HIGH",
		"",
		"!ALL:HIGH",
		"TLS_AES_128_GCM_SHA256",
	} {
		compare(t, spec)
		compare(t, spec+":!aNULL:!eNULL:!EXP")
	}
}

// TestRandomStrings checks strings made of random rules against OpenSSL.
func TestRandomStrings(t *testing.T) {
	names := []string{"ECDHE-RSA-AES128-GCM-SHA256", "AES256-SHA", "DHE-RSA-CHACHA20-POLY1305", "NOPE"}
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	rng := rand.New(rand.NewSource(1))
	n := 300
	if testing.Short() {
		n = 60
	}
	for i := 0; i < n; i++ {
		var rules []string
		for r := rng.Intn(5) + 1; r > 0; r-- {
			rule := []string{"", "", "-", "+", "!"}[rng.Intn(5)]
			for w := rng.Intn(3); w >= 0; w-- {
				rule += names[rng.Intn(len(names))]
				if w > 0 {
					rule += "+"
				}
			}
			rules = append(rules, rule)
		}
		compare(t, strings.Join(rules, ":"))
	}
}

// TestSecurityLevels checks the suites crypto/tls is given against the
// ones OpenSSL would use (openssl ciphers -s) at each level.
func TestSecurityLevels(t *testing.T) {
	byID := map[uint16]string{}
	for _, c := range table {
		byID[c.id] = c.name
	}
	goNames := map[string]bool{}
	for id := range implemented() {
		goNames[byID[id]] = true
	}
	for _, spec := range []string{"HIGH", "ALL:COMPLEMENTOFALL", "RSA:ECDHE"} {
		for level := 0; level <= 5; level++ {
			s := fmt.Sprintf("%s:@SECLEVEL=%d", spec, level)
			sel, err := Select(s)
			if err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			var got, want []string
			for _, id := range sel.Go {
				got = append(got, byID[id])
			}
			sort.Strings(got)
			for _, n := range openssl(t, s, true) {
				if goNames[n] {
					want = append(want, n)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%q: crypto/tls gets %v, OpenSSL uses %v", s, got, want)
			}
		}
	}
	if sel, _ := Select("HIGH"); sel.SecurityLevel != DefaultSecurityLevel {
		t.Errorf("level %d without @SECLEVEL", sel.SecurityLevel)
	}
}
