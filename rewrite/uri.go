package rewrite

import (
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/internal/apr"
)

// absoluteSchemes are the URL schemes is_absolute_uri knows, lower-case,
// with whether a query string makes sense for them.
var absoluteSchemes = []struct {
	prefix string
	query  bool
}{
	{"ajp://", true}, {"balancer://", true}, {"ftp://", false}, {"fcgi://", true},
	{"gopher://", false}, {"http://", true}, {"https://", true}, {"h2://", true},
	{"h2c://", true}, {"ldap://", false}, {"mailto:", true}, {"news:", false},
	{"nntp://", false}, {"scgi://", true}, {"ws://", true}, {"wss://", true},
}

// isAbsoluteURI is is_absolute_uri: the length of "scheme://" (or
// "scheme:") when uri starts with a scheme mod_rewrite knows, else 0, and
// whether the scheme takes a query string.
func isAbsoluteURI(uri string) (n int, query bool) {
	if len(uri) <= 5 || uri[0] == '/' {
		return 0, false
	}
	for _, s := range absoluteSchemes {
		if len(uri) >= len(s.prefix) && strings.EqualFold(uri[:len(s.prefix)], s.prefix) {
			return len(s.prefix), s.query
		}
	}
	if strings.EqualFold(uri[:5], "unix:") {
		if len(uri) > 6 && uri[5] == '/' && uri[6] == '/' {
			return 7, true
		}
		return 5, true
	}
	return 0, false
}

// escapeURI is ap_escape_uri.
func escapeURI(s string) string { return apexpr.EscapeURI(s) }

const lowerHex = "0123456789abcdef"

// vcharObsText is T_VCHAR_OBSTEXT: a visible character or obs-text.
func vcharObsText(c byte) bool { return c > 0x20 && c != 0x7f }

// hasCtlOrSpace is *ap_scan_vchar_obstext(s) != '\0'.
func hasCtlOrSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if !vcharObsText(s[i]) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// escapeBackref is escape_backref: [B] escapes every byte but letters,
// digits and '_' (or only those of [B=...]; with [BCTLS] controls and
// spaces), never those of [BNE=...]; a space becomes '+' unless [BNP].
func escapeBackref(s, escapes, noEscapes string, flags ruleFlag) string {
	noPlus := flags&flagEscapeNoPlus != 0
	ctls := flags&flagEscapeCtls != 0
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		want := false
		switch {
		case ctls:
			want = !vcharObsText(c)
		case escapes == "":
			want = true
		}
		if escapes != "" && strings.IndexByte(escapes, c) >= 0 {
			want = true
		}
		if want && noEscapes != "" && strings.IndexByte(noEscapes, c) >= 0 {
			want = false
		}
		switch {
		case !want, isAlnum(c) || c == '_':
			b.WriteByte(c)
		case c == ' ' && !noPlus:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(lowerHex[c>>4])
			b.WriteByte(lowerHex[c&15])
		}
	}
	return b.String()
}

// escapeAbsoluteURI is escape_absolute_uri: the part after the host (or
// after "scheme:") escaped with ap_escape_uri; an ldap: URL's parts are
// escaped one by one.
func escapeAbsoluteURI(uri string, scheme int) string {
	if scheme == 0 || len(uri) < scheme {
		return uri
	}
	cp := scheme
	if uri[cp-1] == '/' {
		for cp < len(uri) && uri[cp] != '/' {
			cp++
		}
		if cp >= len(uri) || cp+1 >= len(uri) {
			return uri
		}
		cp++
		if strings.EqualFold(uri[:4], "ldap") {
			parts := strings.SplitN(uri[cp:], "?", 5)
			for i, p := range parts {
				parts[i] = escapeURI(p)
			}
			return uri[:cp] + strings.Join(parts, "?")
		}
	}
	return uri[:cp] + escapeURI(uri[cp:])
}

// substPrefixPath is subst_prefix_path: when input starts with the
// directory match (its trailing slash optional), that prefix is replaced
// by subst (with a slash added); false when the prefix did not match.
func substPrefixPath(input, match, subst string) (string, bool) {
	l := len(match)
	if l > 0 && match[l-1] == '/' {
		l--
	}
	if len(input) <= l || input[:l] != match[:l] || input[l] != '/' {
		return input, false
	}
	rest := input[l+1:]
	if subst != "" && !strings.HasSuffix(subst, "/") {
		subst += "/"
	}
	return subst + rest, true
}

// expandTilde is expand_tildepaths: "/~user/rest" becomes the user's home
// directory followed by "/rest".
func expandTilde(uri string) string {
	if !strings.HasPrefix(uri, "/~") {
		return uri
	}
	end := strings.IndexByte(uri[2:], '/')
	name, rest := uri[2:], ""
	if end >= 0 {
		name, rest = uri[2:2+end], uri[2+end:]
	}
	if name == "" {
		return uri
	}
	u, err := user.Lookup(name)
	if err != nil {
		return uri
	}
	if rest == "" {
		return u.HomeDir
	}
	return strings.TrimSuffix(u.HomeDir, "/") + rest
}

// prefixStat is prefix_stat: whether the first segment of path exists and
// the path may be taken as a file system path: the rule's substitution
// starts with that segment, or the path is under the document root (or
// the context's document root). lastSub nil skips the second test
// (RewriteOptions UnsafePrefixStat).
func prefixStat(path string, lastSub *Rule, docRoot, ctxRoot string) bool {
	rest := strings.TrimLeft(path, "/")
	if len(rest) == len(path) {
		return false // not absolute: apr_filepath_root fails
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	statPath, ok := apr.FilepathMergeSecure("/", rest)
	if !ok {
		return false
	}
	if _, err := os.Stat(statPath); err != nil {
		return false
	}
	if lastSub == nil || lastSub.flags&flagUnsafePrefixStat != 0 {
		return true
	}
	return strings.HasPrefix(lastSub.Output, statPath) || strings.HasPrefix(path, docRoot) ||
		(ctxRoot != "" && strings.HasPrefix(path, ctxRoot))
}

// splitHostPort is reduce_uri's parse of "scheme://host[:port]/rest":
// the host, the port (def when none) and the path ("/" when none).
func splitHostPort(afterScheme string, def int) (host string, port int, path string) {
	end := strings.IndexAny(afterScheme, "/:")
	if end < 0 {
		return afterScheme, def, "/"
	}
	host = afterScheme[:end]
	if afterScheme[end] == '/' {
		return host, def, afterScheme[end:]
	}
	rest := afterScheme[end+1:]
	slash := strings.IndexByte(rest, '/')
	digits, path := rest, "/"
	if slash >= 0 {
		digits, path = rest[:slash], rest[slash:]
	}
	return host, int(uint16(cAtoi(digits))), path
}

// portSuffix is ":port" unless port is the scheme's default.
func portSuffix(port, def int) string {
	if port == def {
		return ""
	}
	return ":" + strconv.Itoa(port)
}
