package static

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strings"
)

// Types is the extension table of a mime.types file (TypesConfig), as
// mod_mime reads it at start-up.
type Types struct {
	byExt map[string]string
}

// maxConfigLine is MAX_STRING_LEN: mod_mime reads the types file with
// ap_cfg_getline into a buffer of this size and stops reading at the first
// line that does not fit.
const maxConfigLine = 8192

// LoadTypes reads a mime.types file as mod_mime's post_config hook does:
// physical lines joined by backslash continuations, trimmed, lines starting
// with "#" skipped, then the first word is the type and every further word
// (ap_getword_conf, so quotes work) an extension, lower-cased. A later line
// wins for an extension listed twice. Like Apache, reading stops silently at
// a line longer than 8191 bytes.
func LoadTypes(path string) (*Types, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTypes(bytes.NewReader(b)), nil
}

// ParseTypes is [LoadTypes] for data that is already open.
func ParseTypes(r io.Reader) *Types {
	t := &Types{byExt: map[string]string{}}
	br := bufio.NewReader(r)
	for {
		line, ok := cfgGetline(br)
		if !ok {
			break
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		rest := line
		var ct string
		ct, rest = getwordConf(rest)
		for rest != "" {
			var ext string
			ext, rest = getwordConf(rest)
			t.byExt[asciiLower(ext)] = ct
		}
	}
	return t
}

// Lookup returns the type the types file gives to ext (lower case, no dot).
func (t *Types) Lookup(ext string) (string, bool) {
	if t == nil {
		return "", false
	}
	ct, ok := t.byExt[ext]
	return ct, ok
}

// Len returns the number of extensions in the table.
func (t *Types) Len() int {
	if t == nil {
		return 0
	}
	return len(t.byExt)
}

// cfgGetline is ap_cfg_getline: one logical line (backslash-newline joins
// lines), trimmed of leading and trailing white space. ok is false at the end
// of the input and when a line does not fit Apache's buffer.
func cfgGetline(br *bufio.Reader) (string, bool) {
	var buf []byte
	for {
		phys, err := br.ReadBytes('\n')
		if len(phys) == 0 && err != nil {
			if buf != nil {
				break
			}
			return "", false
		}
		buf = append(buf, phys...)
		if !bytes.HasSuffix(phys, []byte("\n")) {
			// The last line without a newline, or a line too long.
			if len(buf) >= maxConfigLine-1 {
				return "", false
			}
			break
		}
		if len(buf) > maxConfigLine-1 {
			return "", false
		}
		cp := len(buf) - 1
		if cp > 0 && buf[cp-1] == '\r' {
			cp--
		}
		if cp > 0 && buf[cp-1] == '\\' {
			buf = buf[:cp-1]
			continue
		}
		break
	}
	return strings.TrimFunc(string(buf), func(r rune) bool { return r < 0x80 && isSpace(byte(r)) }), true
}

// getwordConf is ap_getword_conf: the next word of line, honouring single
// and double quotes and the backslash escapes inside them, and the rest of
// the line after the white space that follows the word.
func getwordConf(line string) (word, rest string) {
	i := 0
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	if i == len(line) {
		return "", ""
	}
	var end int
	if q := line[i]; q == '"' || q == '\'' {
		end = i + 1
		for end < len(line) && line[end] != q {
			if line[end] == '\\' && end+1 < len(line) && (line[end+1] == q || line[end+1] == '\\') {
				end += 2
			} else {
				end++
			}
		}
		word = substringConf(line[i+1:min(end, len(line))], q)
		if end < len(line) && line[end] == q {
			end++
		}
	} else {
		end = i
		for end < len(line) && !isSpace(line[end]) {
			end++
		}
		word = substringConf(line[i:end], 0)
	}
	for end < len(line) && isSpace(line[end]) {
		end++
	}
	return word, line[end:]
}

func substringConf(s string, quote byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// MimeDir holds the mod_mime and core settings in force for one request's
// directory, merged the way Apache merges them. Keys are lower-case
// extensions without the dot; values are stored as Apache stores them
// (AddType, AddCharset, AddEncoding, AddLanguage and AddHandler lower-case
// their argument).
type MimeDir struct {
	// Types is AddType. An empty value is RemoveType: the extension then
	// has no type, not even the one from the types file.
	Types map[string]string
	// Charsets is AddCharset (RemoveCharset deletes the key).
	Charsets map[string]string
	// Encodings is AddEncoding (RemoveEncoding deletes the key).
	Encodings map[string]string
	// Languages is AddLanguage (RemoveLanguage deletes the key).
	Languages map[string]string
	// Handlers is AddHandler (RemoveHandler deletes the key).
	Handlers map[string]string
	// DefaultLanguage is DefaultLanguage: the language of files with no
	// language extension ("" = none).
	DefaultLanguage string
	// ForceType is ForceType ("" or "none": not set). It replaces the type
	// mod_mime found, charset included.
	ForceType string
	// DefaultCharset is the charset AddDefaultCharset adds to text/plain and
	// text/html responses without a charset parameter; "" means
	// AddDefaultCharset Off. AddDefaultCharset On means "iso-8859-1".
	DefaultCharset string
}

// TypeInfo is what mod_mime (plus ForceType and ap_make_content_type)
// decides for a file name.
type TypeInfo struct {
	// ContentType is the Content-Type header Apache sends, "" when it
	// sends none (no extension has a type).
	ContentType string
	// Encodings are the content codings, in extension order; Apache sends
	// them joined by ", " as Content-Encoding.
	Encodings []string
	// Languages are the content languages, in extension order; Apache
	// sends them joined by "," as Content-Language.
	Languages []string
	// Handler is the handler an AddHandler extension selects ("" = none).
	Handler string
}

// Resolve implements mod_mime's type checker (find_ct) for filename (only
// the part after the last slash counts), then ForceType and
// ap_make_content_type.
//
// The part of the name before the first dot (leading dots included) is the
// base name and never an extension. Every further dot-separated part is
// looked up, left to right: the last one that has a type sets the type (an
// AddType wins over the types file for the same extension), the last
// AddCharset and AddHandler win, and languages and encodings accumulate.
// So x.html.en is text/html in English, x.tar.gz is whatever .gz maps to,
// and x.en.html the same as x.html.en. An AddCharset charset replaces the
// type's charset parameter, and the parameters are rewritten as
// "type/subtype; attr=value" (analyze_ct).
func Resolve(filename string, t *Types, d MimeDir) TypeInfo {
	var info TypeInfo
	fn := filename
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	lead := 0
	for lead < len(fn) && fn[lead] == '.' {
		lead++
	}
	var exts string
	if i := strings.IndexByte(fn[lead:], '.'); i >= 0 {
		exts = fn[lead+i+1:]
	}
	var ct, charset string
	for rest, more := exts, exts != ""; more; {
		var ext string
		ext, rest, more = strings.Cut(rest, ".")
		if ext == "" {
			continue
		}
		ext = asciiLower(ext)
		forced, hasForced := d.Types[ext]
		if !hasForced {
			if typ, ok := t.Lookup(ext); ok {
				ct = typ
			}
		} else if forced != "" {
			ct = forced
		}
		if cs, ok := d.Charsets[ext]; ok && cs != "" {
			charset = cs
		}
		if lang, ok := d.Languages[ext]; ok && lang != "" {
			info.Languages = append(info.Languages, lang)
		}
		if enc, ok := d.Encodings[ext]; ok && enc != "" {
			info.Encodings = append(info.Encodings, enc)
		}
		if h, ok := d.Handlers[ext]; ok && h != "" {
			info.Handler = h
		}
	}
	if ct != "" {
		ct = rebuildContentType(ct, charset)
	}
	if len(info.Languages) == 0 && d.DefaultLanguage != "" {
		info.Languages = []string{d.DefaultLanguage}
	}
	if ft := asciiLower(d.ForceType); ft != "" && ft != "none" {
		ct = ft
	}
	info.ContentType = MakeContentType(ct, d.DefaultCharset)
	return info
}

// MakeContentType is ap_make_content_type: the Content-Type header for the
// type a handler set. With AddDefaultCharset in force (defaultCharset not
// ""), a type that contains "text/plain" or "text/html" and no "charset="
// (both matched case-insensitively anywhere in the value) gets
// "; charset=" + defaultCharset appended.
func MakeContentType(typ, defaultCharset string) string {
	if typ == "" || defaultCharset == "" {
		return typ
	}
	lt := asciiLower(typ)
	if strings.Contains(lt, "charset=") {
		return typ
	}
	if strings.Contains(lt, "text/plain") || strings.Contains(lt, "text/html") {
		return typ + "; charset=" + defaultCharset
	}
	return typ
}

// rebuildContentType is the tail of find_ct: the type is parsed with
// analyze_ct and written back as "type/subtype; attr=value...", with the
// AddCharset charset replacing the first charset parameter or appended. A
// type analyze_ct cannot parse is left alone.
func rebuildContentType(ct, charset string) string {
	if charset == "" && !strings.ContainsAny(ct, " \t\n\v\f\r;") {
		// "type/subtype" alone is written back as it is (or left
		// alone when analyze_ct cannot parse it).
		return ct
	}
	return rewriteContentType(ct, charset)
}

// rewriteContentType is rebuildContentType without the shortcut.
func rewriteContentType(ct, charset string) string {
	typ, sub, params, ok := analyzeCT(ct)
	if !ok {
		return ct
	}
	var b strings.Builder
	b.WriteString(typ)
	b.WriteByte('/')
	b.WriteString(sub)
	override := false
	for _, p := range params {
		if charset != "" && p[0] == "charset" {
			if !override {
				b.WriteString("; charset=")
				b.WriteString(charset)
				override = true
			}
			continue
		}
		b.WriteString("; ")
		b.WriteString(p[0])
		b.WriteByte('=')
		b.WriteString(p[1])
	}
	if charset != "" && !override {
		b.WriteString("; charset=")
		b.WriteString(charset)
	}
	return b.String()
}

const tspecials = "()<>@,;:\\\"/[]?="

func isToken(c byte) bool {
	return c < 0x80 && c > 0x20 && c < 0x7f && strings.IndexByte(tspecials, c) < 0
}

func isQtext(c byte) bool { return c < 0x80 && c != '"' && c != '\\' && c != '\n' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isZapSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// analyzeCT is mod_mime's analyze_ct, including its quirks (the type keeps
// white space before the slash; any single character after the subtype
// introduces the parameters).
func analyzeCT(s string) (typ, sub string, params [][2]string, ok bool) {
	n := len(s)
	at := func(i int) byte {
		if i < n {
			return s[i]
		}
		return 0
	}
	cp := 0
	for cp < n && isSpace(s[cp]) {
		cp++
	}
	if cp == n {
		return "", "", nil, false
	}
	start := cp
	for {
		cp++
		if cp >= n || s[cp] == '/' || isSpace(s[cp]) || s[cp] == ';' {
			break
		}
	}
	if cp >= n || s[cp] == ';' {
		return "", "", nil, false
	}
	for cp < n && isSpace(s[cp]) {
		cp++
	}
	if at(cp) != '/' {
		return "", "", nil, false
	}
	typ = s[start:cp]
	cp++
	for cp < n && isSpace(s[cp]) {
		cp++
	}
	if cp == n {
		return "", "", nil, false
	}
	start = cp
	for {
		cp++
		if cp >= n || isSpace(s[cp]) || s[cp] == ';' {
			break
		}
	}
	sub = s[start:min(cp, n)]
	for cp < n && isSpace(s[cp]) {
		cp++
	}
	if cp >= n {
		return typ, sub, nil, true
	}
	cp++ // the ';'
	for cp < n && isZapSpace(s[cp]) {
		cp++
	}
	if cp >= n {
		return "", "", nil, false
	}
	mp := cp
	var attribute string
	haveAttr := false
	for cp < n {
		if !haveAttr {
			c := s[cp]
			switch {
			case isToken(c), isZapSpace(c):
				cp++
				continue
			case c == '=':
				attribute = trimSpace(s[mp:cp])
				if attribute == "" {
					return "", "", nil, false
				}
				haveAttr = true
				cp++
				for cp < n && isZapSpace(s[cp]) {
					cp++
				}
				if cp >= n {
					return "", "", nil, false
				}
				mp = cp
				continue
			default:
				return "", "", nil, false
			}
		}
		quoted := false
		if mp == cp {
			if s[cp] == '"' {
				quoted = true
				cp++
			}
		}
		if quoted {
			for quoted && cp < n {
				c := s[cp]
				switch {
				case isQtext(c):
					cp++
				case c == '\\' && at(cp+1) != 0 && at(cp+1) < 0x80:
					cp += 2
				case c == '"':
					cp++
					for cp < n && isZapSpace(s[cp]) {
						cp++
					}
					if cp < n && s[cp] != ';' {
						return "", "", nil, false
					}
					quoted = false
				default:
					return "", "", nil, false
				}
			}
		} else {
			for {
				if cp < n && isToken(s[cp]) {
					cp++
				} else if cp >= n || s[cp] == ';' {
					break
				} else {
					return "", "", nil, false
				}
			}
		}
		value := trimSpace(s[mp:min(cp, n)])
		if value == "" {
			return "", "", nil, false
		}
		params = append(params, [2]string{attribute, value})
		haveAttr = false
		if cp >= n {
			break
		}
		cp++
		mp = cp
	}
	return typ, sub, params, true
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// asciiLower is ap_str_tolower: ASCII letters only.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
