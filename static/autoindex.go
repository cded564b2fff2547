package static

import (
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ItemKind says what an icon or alt-text entry is matched against.
type ItemKind int

const (
	// ByPath entries (AddIcon, AddAlt) match file names: an argument
	// without wildcards matches names ending in it (".gif", "README"),
	// "^^DIRECTORY^^" (or "**DIRECTORY**") stands for directories and
	// "^^BLANKICON^^" for the header row's blank icon.
	ByPath ItemKind = iota
	// ByType entries (AddIconByType, AddAltByType) match the MIME type
	// (wildcards allowed, case-insensitive) of files without an encoding.
	ByType
	// ByEncoding entries (AddIconByEncoding, AddAltByEncoding) match the
	// content encoding of encoded files.
	ByEncoding
)

// IndexItem is one name argument of an AddIcon*/AddAlt* directive.
type IndexItem struct {
	// Kind says which directive the entry comes from.
	Kind ItemKind
	// Match is the argument as written (file name or extension, MIME
	// type, or encoding).
	Match string
	// Value is the icon URL or the alt text.
	Value string
	// Dir is the path of the <Directory> section the directive is in
	// (Apache's cmd->path, e.g. "/var/www/"), "" in the server or a
	// virtual host. An entry only applies to files whose path starts
	// with Dir.
	Dir string
}

// ParseAddIcon turns one AddIcon, AddIconByType or AddIconByEncoding
// directive into its icon entries and, when the icon is written as
// "(ALT,/url)", the alt-text entries that come with it (add_icon).
func ParseAddIcon(kind ItemKind, dir, icon string, names ...string) (icons, alts []IndexItem, err error) {
	url := icon
	alt, hasAlt := "", false
	if strings.HasPrefix(icon, "(") {
		cl := strings.IndexByte(icon, ')')
		if cl < 0 {
			return nil, nil, errString("missing closing paren")
		}
		hasAlt = true
		if comma := strings.IndexByte(icon, ','); comma < 0 {
			alt, url = icon[1:], ""
		} else {
			alt = icon[1:comma]
			if cl > comma {
				url = icon[comma+1 : cl]
			} else {
				url = icon[comma+1:]
			}
		}
	}
	for _, n := range names {
		if hasAlt {
			alts = append(alts, IndexItem{Kind: kind, Match: n, Value: alt, Dir: dir})
		}
		icons = append(icons, IndexItem{Kind: kind, Match: n, Value: url, Dir: dir})
	}
	return icons, alts, nil
}

type errString string

func (e errString) Error() string { return string(e) }

// IndexDescription is one file argument of AddDescription.
type IndexDescription struct {
	// Match is the file argument: a substring of the name, or a
	// wildcard pattern; with a slash it is matched against the full path.
	Match string
	// Text is the description (HTML, inserted as is).
	Text string
}

// IndexIgnore is one pattern of IndexIgnore.
type IndexIgnore struct {
	// Pattern is the wildcard pattern; only the part after its last slash
	// is matched against entry names.
	Pattern string
	// Dir is the <Directory> path the directive is in, "" in the server or
	// a virtual host (see IndexItem.Dir).
	Dir string
}

// IndexOptions are mod_autoindex's settings for one listing, as the caller
// merged them from the configuration. Lists are in Apache's merged order:
// the innermost section's entries first (each section's in directive
// order), then those of the enclosing sections, the server's last.
type IndexOptions struct {
	// URI is the decoded URL-path of the directory (r->uri, ending in
	// "/"); "" means r.URL.Path.
	URI string
	// Status, when not 0, is the error status the listing is an
	// ErrorDocument for: the Range header is ignored (the byterange
	// filter only handles 200).
	Status int
	// Options holds the words of the IndexOptions directives of each
	// section that has any, outermost section first (all IndexOptions
	// lines of one section concatenated). They are merged as Apache
	// merges them: a section with a word without +/- replaces what it
	// inherits, +Word and -Word adjust it. Merged, when set, replaces it.
	Options [][]string
	// Merged is the IndexOptions records as the configuration merged
	// them (Apache's merges are not associative: what a walk merges
	// first matters), over the server's defaults.
	Merged *IndexOptionsMerge
	// OrderDefault is IndexOrderDefault ("Ascending"/"Descending",
	// "Name"/"Date"/"Size"/"Description"); nil for the default.
	OrderDefault []string
	// Icons and Alts are the AddIcon*/AddAlt* entries (see ParseAddIcon).
	Icons, Alts []IndexItem
	// Descriptions are the AddDescription entries.
	Descriptions []IndexDescription
	// Ignore are the IndexIgnore patterns.
	Ignore []IndexIgnore
	// DefaultIcon is DefaultIcon.
	DefaultIcon string
	// HeaderName and ReadmeName are the directives of the same names.
	HeaderName, ReadmeName string
	// StyleSheet and HeadInsert are IndexStyleSheet and IndexHeadInsert.
	StyleSheet, HeadInsert string
	// Signature is what ap_psignature("", r) returns: "" when
	// ServerSignature is Off, else the whole line, for example
	// "<address>Apache/2.4.71 (Debian) Server at example.org Port 80</address>\n".
	Signature string
	// ETag is FileETag, used for the listing's ETag with
	// IndexOptions TrackModified.
	ETag ETagBits
	// TraceDisabled is TraceEnable Off (see FileOptions).
	TraceDisabled bool
	// Types and Mime give the content type and encoding of entries (for
	// AddIconByType/AddIconByEncoding and ScanHTMLTitles) and of the
	// HeaderName and ReadmeName files, unless TypeOf is set.
	Types *Types
	Mime  MimeDir
	// TypeOf, when set, replaces Resolve(name, Types, Mime) for an entry
	// of the directory (fi follows symbolic links).
	TypeOf func(name string, fi fs.FileInfo) TypeInfo
	// Hide, when set, is asked about every entry (link is its Lstat
	// information, so symbolic links can be recognised); returning true
	// leaves the entry out, as Apache leaves out entries whose
	// sub-request fails (access denied, symbolic links that Options do
	// not allow, ...; with IndexOptions ShowForbidden, see
	// ShowForbidden, it must keep those refused with 401 or 403). It also
	// applies to the HeaderName and ReadmeName files.
	Hide func(name string, link fs.FileInfo) bool
	// Include, when set, resolves HeaderName and ReadmeName (a sub-request
	// for that URI relative to the directory) to a file and its type;
	// ok false means there is none. By default a name without a slash is
	// looked up in the directory itself.
	Include func(name string) (path string, ti TypeInfo, ok bool)
	// RequestTime is the request time for weak ETags (TrackModified); zero
	// means now.
	RequestTime time.Time
	// MaxRanges, MaxRangeOverlaps and MaxRangeReversals limit the
	// ranges of a listing sent in one piece, as for FileOptions.
	MaxRanges, MaxRangeOverlaps, MaxRangeReversals int
}

// IndexOptions option bits (mod_autoindex.c).
const (
	noOptions         = 1 << 0
	iconsAreLinks     = 1 << 1
	scanHTMLTitles    = 1 << 2
	suppressIcon      = 1 << 3
	suppressLastMod   = 1 << 4
	suppressSize      = 1 << 5
	suppressDesc      = 1 << 6
	suppressPreamble  = 1 << 7
	suppressColsort   = 1 << 8
	suppressRules     = 1 << 9
	foldersFirst      = 1 << 10
	versionSort       = 1 << 11
	trackModified     = 1 << 12
	fancyIndexing     = 1 << 13
	tableIndexing     = 1 << 14
	ignoreClient      = 1 << 15
	ignoreCase        = 1 << 16
	emitXHTML         = 1 << 17
	showForbidden     = 1 << 18
	addAltClass       = 1 << 19
	optionUnset       = 1 << 20
	kNoAdjust         = 0
	kAdjust           = 1
	kUnset            = 2
	defaultIconWidth  = 20
	defaultIconHeight = 22
	defaultNameWidth  = 23
	defaultDescWidth  = 23
)

var optionWords = map[string]int{
	"fancyindexing": fancyIndexing, "foldersfirst": foldersFirst,
	"htmltable": tableIndexing, "iconsarelinks": iconsAreLinks,
	"ignorecase": ignoreCase, "ignoreclient": ignoreClient,
	"scanhtmltitles": scanHTMLTitles, "suppresscolumnsorting": suppressColsort,
	"suppressdescription": suppressDesc, "suppresshtmlpreamble": suppressPreamble,
	"suppressicon": suppressIcon, "suppresslastmodified": suppressLastMod,
	"suppresssize": suppressSize, "suppressrules": suppressRules,
	"trackmodified": trackModified, "versionsort": versionSort,
	"xhtml": emitXHTML, "showforbidden": showForbidden, "addaltclass": addAltClass,
}

// aiConfig is autoindex_config_rec, the parts the listing needs.
type aiConfig struct {
	opts, incOpts, decOpts int
	nameWidth, nameAdjust  int
	descWidth, descAdjust  int
	iconWidth, iconHeight  int
	ctype, charset         *string
	datetimeFormat         string
}

func newAIConfig() *aiConfig {
	return &aiConfig{opts: optionUnset, nameWidth: defaultNameWidth, nameAdjust: kUnset,
		descWidth: defaultDescWidth, descAdjust: kUnset}
}

// atoi is C's atoi.
func atoi(s string) int {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// addOpts is add_opts for one section's words. Words Apache would reject
// (the configuration check refuses them) are skipped.
func (d *aiConfig) addOpts(words []string) {
	opts, add, remove := d.opts, d.incOpts, d.decOpts
	for _, w := range words {
		var action byte
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		}
		option := 0
		if bit, ok := optionWords[asciiLower(w)]; ok {
			option = bit
		} else {
			switch {
			case strings.EqualFold(w, "None"):
				if action != 0 {
					continue
				}
				opts, add, remove = noOptions, 0, 0
			case strings.EqualFold(w, "IconWidth"):
				d.iconWidth = defaultIconWidth
				if action == '-' {
					d.iconWidth = 0
				}
			case hasPrefixFold(w, "IconWidth="):
				if action == '-' {
					continue
				}
				d.iconWidth = atoi(w[10:])
			case strings.EqualFold(w, "IconHeight"):
				d.iconHeight = defaultIconHeight
				if action == '-' {
					d.iconHeight = 0
				}
			case hasPrefixFold(w, "IconHeight="):
				if action == '-' {
					continue
				}
				d.iconHeight = atoi(w[11:])
			case strings.EqualFold(w, "NameWidth"):
				if action != '-' {
					continue
				}
				d.nameWidth, d.nameAdjust = defaultNameWidth, kNoAdjust
			case hasPrefixFold(w, "NameWidth="):
				if action == '-' {
					continue
				}
				if at(w, 10) == '*' {
					d.nameAdjust = kAdjust
				} else {
					width := atoi(w[10:])
					if width != 0 && width < 5 {
						continue
					}
					d.nameWidth, d.nameAdjust = width, kNoAdjust
				}
			case strings.EqualFold(w, "DescriptionWidth"):
				if action != '-' {
					continue
				}
				d.descWidth, d.descAdjust = defaultDescWidth, kNoAdjust
			case hasPrefixFold(w, "DescriptionWidth="):
				if action == '-' {
					continue
				}
				if at(w, 17) == '*' {
					d.descAdjust = kAdjust
				} else {
					width := atoi(w[17:])
					if width != 0 && width < 12 {
						continue
					}
					d.descWidth, d.descAdjust = width, kNoAdjust
				}
			case hasPrefixFold(w, "Type="):
				s := w[5:]
				d.ctype = &s
			case hasPrefixFold(w, "Charset="):
				s := w[8:]
				d.charset = &s
			case strings.EqualFold(w, "UseOldDateFormat"):
				d.datetimeFormat = "%d-%b-%Y %H:%M"
			default:
				continue
			}
		}
		switch action {
		case 0:
			opts |= option
			add, remove = 0, 0
		case '+':
			add |= option
			remove &^= option
		default:
			remove |= option
			add &^= option
		}
	}
	d.incOpts, d.decOpts, d.opts = add, remove, opts
}

// merge is merge_autoindex_configs for the option fields.
func mergeAI(base, add *aiConfig) *aiConfig {
	n := &aiConfig{}
	n.iconHeight, n.iconWidth = base.iconHeight, base.iconWidth
	if add.iconHeight != 0 {
		n.iconHeight = add.iconHeight
	}
	if add.iconWidth != 0 {
		n.iconWidth = add.iconWidth
	}
	n.ctype, n.charset, n.datetimeFormat = base.ctype, base.charset, base.datetimeFormat
	if add.ctype != nil {
		n.ctype = add.ctype
	}
	if add.charset != nil {
		n.charset = add.charset
	}
	if add.datetimeFormat != "" {
		n.datetimeFormat = add.datetimeFormat
	}
	if add.opts == noOptions {
		n.opts = noOptions
	} else {
		if add.opts == optionUnset {
			n.incOpts = (base.incOpts | add.incOpts) &^ add.decOpts
			n.decOpts = base.decOpts | add.decOpts
			n.opts = base.opts &^ noOptions
		} else {
			n.opts = add.opts
		}
		n.opts |= n.incOpts
		n.opts &^= n.decOpts
	}
	if add.nameAdjust == kUnset {
		n.nameWidth, n.nameAdjust = base.nameWidth, base.nameAdjust
	} else {
		n.nameWidth, n.nameAdjust = add.nameWidth, add.nameAdjust
	}
	if add.descAdjust == kUnset {
		n.descWidth, n.descAdjust = base.descWidth, base.descAdjust
	} else {
		n.descWidth, n.descAdjust = add.descWidth, add.descAdjust
	}
	return n
}

// ShowForbidden reports whether the merged IndexOptions say
// ShowForbidden: entries whose sub-request is refused with 401 or 403
// are listed all the same (the caller's Hide decides).
func (o *IndexOptions) ShowForbidden() bool {
	return o.config().opts&showForbidden != 0
}

// IndexOptionsMerge is one mod_autoindex record's IndexOptions: a
// section's own words (Base and Add nil), or the record
// merge_autoindex_configs makes of Base and Add (nil: a record without
// IndexOptions).
type IndexOptionsMerge struct {
	Words     []string
	Base, Add *IndexOptionsMerge
}

// record is the autoindex_config_rec's option fields m stands for.
func (m *IndexOptionsMerge) record() *aiConfig {
	switch {
	case m == nil:
		return newAIConfig()
	case m.Base == nil && m.Add == nil:
		d := newAIConfig()
		d.addOpts(m.Words)
		return d
	}
	return mergeAI(m.Base.record(), m.Add.record())
}

// config merges the IndexOptions sections.
func (o *IndexOptions) config() *aiConfig {
	if o.Merged != nil {
		// Under the (empty) record the handler starts from.
		return mergeAI(newAIConfig(), o.Merged.record())
	}
	d := newAIConfig()
	for _, words := range o.Options {
		add := newAIConfig()
		add.addOpts(words)
		d = mergeAI(d, add)
	}
	return d
}

// Sort keys and directions.
const (
	kName    = 'N'
	kLastMod = 'M'
	kSize    = 'S'
	kDesc    = 'D'
	dAsc     = 'A'
	dDesc    = 'D'
)

// ent is struct ent: one row of the listing.
type ent struct {
	name              string
	icon, alt, desc   *string
	size, lm          int64
	isdir             bool
	ascending         bool
	ignoreCase, vsort bool
	key               byte
}

// listing holds the state of one index_directory call.
type listing struct {
	o       *IndexOptions
	d       *aiConfig
	dir     string // r->filename, ending in "/"
	uri     string
	buf     bytes.Buffer
	chunked bool // Apache would have flushed before the end (no Content-Length)
}

func strp(s string) *string { return &s }

// applyTo and applyPath are push_item's fields, with add_icon/add_alt's
// rewriting of **DIRECTORY** and of encodings.
func itemApply(it IndexItem) (applyTo, applyPath string) {
	to := it.Match
	switch it.Kind {
	case ByPath:
		if to == "**DIRECTORY**" {
			to = "^^DIRECTORY^^"
		}
		if !isMatchexp(to) {
			to = "*" + to
		}
	case ByEncoding:
		to = asciiLower(to)
	}
	return to, it.Dir + "*"
}

// findItem is find_item: the first entry of list that matches.
func findItem(ct, enc *string, path string, list []IndexItem, pathOnly bool) *string {
	for i := range list {
		it := &list[i]
		applyTo, applyPath := itemApply(*it)
		if at(path, 0) != '^' && strcmpMatch(path, applyPath, false) != 0 {
			continue
		}
		switch {
		case applyTo == "":
			return &it.Value
		case it.Kind == ByPath || at(path, 0) == '^':
			if strcmpMatch(path, applyTo, false) == 0 {
				return &it.Value
			}
		case !pathOnly:
			if enc == nil {
				if it.Kind == ByType && ct != nil && strcmpMatch(*ct, applyTo, true) == 0 {
					return &it.Value
				}
			} else if it.Kind == ByEncoding && strcmpMatch(*enc, applyTo, true) == 0 {
				return &it.Value
			}
		}
	}
	return nil
}

// findDesc is find_desc.
func (l *listing) findDesc(full string) *string {
	only := full
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		only = full[i+1:]
	}
	for i := range l.o.Descriptions {
		ds := &l.o.Descriptions[i]
		fullPath := strings.IndexByte(ds.Match, '/') >= 0
		wild := fullPath || fnmatchTest(ds.Match)
		name := only
		if fullPath {
			name = full
		}
		var found bool
		if wild {
			prefix := "*"
			if fullPath {
				prefix = "*/"
			}
			found = fnmatch(prefix+ds.Match+"*", name, 0)
		} else {
			found = strings.Contains(name, ds.Match)
		}
		if found {
			return &ds.Text
		}
	}
	return nil
}

// ignoreEntry is ignore_entry.
func (l *listing) ignoreEntry(path string) bool {
	tt := path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		tt = path[i+1:]
	}
	for _, ig := range l.o.Ignore {
		ap := ig.Pattern
		if i := strings.LastIndexByte(ap, '/'); i >= 0 {
			ap = ap[i+1:]
		}
		if strcmpMatch(path, ig.Dir+"*", false) == 0 && strcmpMatch(tt, ap, false) == 0 {
			return true
		}
	}
	return false
}

func (l *listing) typeOf(name string, fi fs.FileInfo) TypeInfo {
	if l.o.TypeOf != nil {
		return l.o.TypeOf(name, fi)
	}
	return Resolve(name, l.o.Types, l.o.Mime)
}

// noparam is ap_field_noparam.
func noparam(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
		for len(ct) > 0 && isSpace(ct[len(ct)-1]) {
			ct = ct[:len(ct)-1]
		}
	}
	return ct
}

// ServeIndex writes mod_autoindex's listing of the directory dir for r
// (GET and HEAD; HEAD gets the headers only). Like Apache it answers
// OPTIONS with 200 and Allow; POST gets 404 (the default handler refuses to
// serve a directory) and other methods 405 or 501 with Allow, all as
// *HTTPError. An unreadable directory gives a 403 *HTTPError.
//
// Like Apache, the listing is sent with Content-Length when it is at most
// 8000 bytes and no HTML header or readme file is included, and chunked
// otherwise; it never gets a 304 (only TrackModified adds Last-Modified and
// ETag). A listing sent with Content-Length is what the byterange filter
// sees whole, so a Range request gets a 206 (multipart/byteranges for
// several ranges) or a 416 *HTTPError as a file would, subject to
// If-Range and the MaxRanges limits; a chunked one is sent whole.
//
// The caller decides beforehand that the listing is wanted: the URL ends in
// "/", no DirectoryIndex file applies and Options Indexes is on (Apache
// answers 403 otherwise).
func ServeIndex(w http.ResponseWriter, r *http.Request, dir string, o IndexOptions) error {
	if err := DiscardBody(r); err != nil {
		return err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		writeOptions(w, o.TraceDisabled, "httpd/unix-directory", nil, nil)
		return nil
	case http.MethodPost:
		return &HTTPError{Status: http.StatusNotFound}
	default:
		return methodError(r.Method, o.TraceDisabled)
	}
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &HTTPError{Status: http.StatusForbidden}
	}
	l := &listing{o: &o, d: o.config(), dir: dir, uri: o.URI}
	if l.uri == "" {
		l.uri = r.URL.Path
	}
	opts := l.d.opts

	ctype := "text/html"
	if l.d.ctype != nil {
		ctype = *l.d.ctype
	}
	charset := "ISO-8859-1"
	if l.d.charset != nil {
		charset = *l.d.charset
	}
	h := w.Header()
	ct := ctype
	if charset != "" {
		ct += ";charset=" + charset
	}
	// The header filter applies AddDefaultCharset to whatever type the
	// handler set (it only matters with an empty IndexOptions Charset=).
	h.Set("Content-Type", MakeContentType(ct, o.Mime.DefaultCharset))
	now := o.RequestTime
	if now.IsZero() {
		now = time.Now()
	}
	// The validators the byterange filter's If-Range test reads back:
	// without Last-Modified, r->mtime is unset and it takes the time
	// now, which no date matches.
	v := validators{mtime: now.Unix(), reqtime: now.Unix()}
	if opts&trackModified != 0 {
		if fi, err := os.Stat(dir); err == nil {
			mtime := mtimeOf(fi)
			if !mtime.Before(now) {
				if cur := time.Now(); mtime.After(cur) {
					mtime = cur
				}
			}
			h.Set("Last-Modified", httpDate(mtime.Unix()))
			v.mtime = mtime.Unix()
			if etag := makeETag(fi, o.ETag, now, nil); etag != "" {
				h[ETagKey] = []string{etag}
				v.etag = etag
			}
		}
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}

	keyid := byte(kName)
	direction := byte(dAsc)
	if len(o.OrderDefault) == 2 {
		if strings.EqualFold(o.OrderDefault[0], "Descending") {
			direction = dDesc
		}
		switch asciiLower(o.OrderDefault[1]) {
		case "date":
			keyid = kLastMod
		case "size":
			keyid = kSize
		case "description":
			keyid = kDesc
		}
	}

	var colargs string
	var pattern *string
	if opts&ignoreClient != 0 {
		opts |= suppressColsort
	} else {
		var fval, vval, ppre, epattern string
		q := r.URL.RawQuery
		for q != "" {
			sep := func(i int) bool { c := at(q, i); return c == '&' || c == ';' || c == 0 }
			adv := func() {
				if at(q, 3) != 0 {
					q = q[4:]
				} else {
					q = q[3:]
				}
			}
			switch {
			case at(q, 0) == 'C' && at(q, 1) == '=' && at(q, 2) != 0 && indexByte("NMSD", q[2]) && sep(3):
				keyid = q[2]
				adv()
			case at(q, 0) == 'O' && at(q, 1) == '=' && (at(q, 2) == dAsc || at(q, 2) == dDesc) && sep(3):
				direction = q[2]
				adv()
			case at(q, 0) == 'F' && at(q, 1) == '=' && at(q, 2) != 0 && indexByte("012", q[2]) && sep(3):
				switch q[2] {
				case '0':
					opts &^= fancyIndexing | tableIndexing
				case '1':
					opts = (opts | fancyIndexing) &^ tableIndexing
				case '2':
					opts |= fancyIndexing | tableIndexing
				}
				fval = ";F=" + q[2:3]
				adv()
			case at(q, 0) == 'V' && at(q, 1) == '=' && (at(q, 2) == '0' || at(q, 2) == '1') && sep(3):
				if q[2] == '0' {
					opts &^= versionSort
				} else {
					opts |= versionSort
				}
				vval = ";V=" + q[2:3]
				adv()
			case at(q, 0) == 'P' && at(q, 1) == '=':
				q = q[2:]
				eos := 0
				for eos < len(q) && q[eos] != '&' && q[eos] != ';' {
					eos++
				}
				if eos == 0 {
					pattern = nil
				} else if p, ok := unescapeURL(q[:eos]); ok {
					pattern = &p
					ppre = ";P="
					epattern = osEscapePath(p, true)
				} else {
					pattern = nil
				}
				if eos < len(q) && eos+1 < len(q) {
					q = q[eos+1:]
				} else {
					q = ""
				}
			default:
				q = ""
			}
		}
		colargs = fval + vval + ppre + epattern
	}

	title := escapeHTML(l.uri)
	for len(title) > 1 && title[len(title)-1] == '/' {
		title = title[:len(title)-1]
	}
	l.emitHead(opts&suppressPreamble != 0, opts&emitXHTML != 0, title)

	var ents []*ent
	if p := l.parentEntry(opts, keyid, direction); p != nil {
		ents = append(ents, p)
	}
	for _, de := range entries {
		if p := l.entry(de, opts, keyid, direction, pattern); p != nil {
			ents = append(ents, p)
		}
	}
	sort.Slice(ents, func(i, j int) bool { return i != j && dsortf(ents[i], ents[j]) < 0 })
	l.outputDirectories(ents, opts, keyid, direction, colargs)
	l.emitTail(opts&suppressPreamble != 0)

	body := l.buf.Bytes()
	if len(body) > 8000 {
		l.chunked = true
	}
	if o.Status == 0 && !l.chunked {
		// Only a body that reaches the byterange filter whole, with
		// its EOS, is cut into ranges; one Apache passes on in
		// pieces (header or readme files, more than 8000 bytes) is not.
		hv := newHeaderValues(2)
		ro := FileOptions{ContentType: ct, MaxRanges: o.MaxRanges, MaxRangeOverlaps: o.MaxRangeOverlaps, MaxRangeReversals: o.MaxRangeReversals}
		served, err := serveRanges(w, r, bytes.NewReader(body), 0, int64(len(body)), v, &hv, ro)
		if err != nil && !served {
			for _, k := range []string{"Last-Modified", ETagKey, "Content-Length", "Content-Type"} {
				delete(h, k) // a 416: its page has its own
			}
		}
		if served || err != nil {
			return err
		}
	}
	if l.chunked {
		h.Del("Content-Length")
		w.WriteHeader(http.StatusOK)
		http.NewResponseController(w).Flush()
	} else {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
	}
	_, err = w.Write(body)
	return err
}

// unescapeURL is ap_unescape_url: %XX decoding; bad escapes, %00 and an
// encoded slash make it fail.
func unescapeURL(s string) (string, bool) {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		hi, ok1 := unhex(at(s, i+1))
		lo, ok2 := unhex(at(s, i+2))
		if !ok1 || !ok2 {
			return "", false
		}
		c := hi<<4 | lo
		if c == 0 || c == '/' {
			return "", false
		}
		b = append(b, c)
		i += 2
	}
	return string(b), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

const (
	doctypeHTML401 = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
	doctypeXHTML   = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n" +
		"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
)

func (l *listing) puts(s ...string) {
	for _, x := range s {
		l.buf.WriteString(x)
	}
}

// emitPreamble is emit_preamble.
func (l *listing) emitPreamble(xhtml bool, title string) {
	if xhtml {
		l.puts(doctypeXHTML, "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n <head>\n  <title>Index of ", title, "</title>\n")
	} else {
		l.puts(doctypeHTML401, "<html>\n <head>\n  <title>Index of ", title, "</title>\n")
	}
	if l.o.StyleSheet != "" {
		end := ">\n"
		if xhtml {
			end = " />\n"
		}
		l.puts("  <link rel=\"stylesheet\" href=\"", l.o.StyleSheet, "\" type=\"text/css\"", end)
	}
	if l.o.HeadInsert != "" {
		l.puts(l.o.HeadInsert)
	}
	l.puts(" </head>\n <body>\n")
}

// include resolves a HeaderName/ReadmeName sub-request.
func (l *listing) include(name string) (string, TypeInfo, bool) {
	if name == "" {
		return "", TypeInfo{}, false
	}
	if l.o.Include != nil {
		return l.o.Include(name)
	}
	if strings.Contains(name, "/") {
		return "", TypeInfo{}, false
	}
	p := l.dir + name
	lfi, err := os.Lstat(p)
	if err != nil {
		return "", TypeInfo{}, false
	}
	if l.o.Hide != nil && l.o.Hide(name, lfi) {
		return "", TypeInfo{}, false
	}
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return "", TypeInfo{}, false
	}
	return p, l.typeOf(name, fi), true
}

func responseIsHTML(ct string) bool {
	ct = noparam(ct)
	return strings.EqualFold(ct, "text/html") || strings.EqualFold(ct, "application/xhtml+xml")
}

// emitPlain is do_emit_plain: the file in <pre>, with <, > and & escaped.
func (l *listing) emitPlain(b []byte) {
	l.puts("<pre>\n")
	for _, c := range b {
		switch c {
		case '<':
			l.puts("&lt;")
		case '>':
			l.puts("&gt;")
		case '&':
			l.puts("&amp;")
		default:
			l.buf.WriteByte(c)
		}
	}
	l.puts("</pre>\n")
}

// emitHead is emit_head: preamble, header file, <h1>.
func (l *listing) emitHead(suppressAmble, xhtml bool, title string) {
	emitAmble, emitH1 := true, true
	if p, ti, ok := l.include(l.o.HeaderName); ok && ti.ContentType != "" {
		if responseIsHTML(ti.ContentType) {
			if b, err := os.ReadFile(p); err == nil {
				emitAmble, emitH1 = false, false
				if !suppressAmble {
					l.emitPreamble(xhtml, title)
				}
				l.buf.Write(b)
				l.chunked = true
			}
		} else if hasPrefixFold(ti.ContentType, "text/") {
			if b, err := os.ReadFile(p); err == nil {
				l.emitPreamble(xhtml, title)
				emitAmble = false
				l.emitPlain(b)
				emitH1 = false
			}
		}
	}
	if emitAmble {
		l.emitPreamble(xhtml, title)
	}
	if emitH1 {
		if l.o.StyleSheet != "" {
			l.puts("  <h1 id=\"indextitle\">Index of ", title, "</h1>\n")
		} else {
			l.puts("<h1>Index of ", title, "</h1>\n")
		}
	}
}

// emitTail is emit_tail: readme file, signature, closing tags.
func (l *listing) emitTail(suppressAmble bool) {
	suppressPost, suppressSig := false, false
	if p, ti, ok := l.include(l.o.ReadmeName); ok && ti.ContentType != "" {
		if responseIsHTML(ti.ContentType) {
			if b, err := os.ReadFile(p); err == nil {
				l.buf.Write(b)
				l.chunked = true
				suppressSig = true
				suppressPost = suppressAmble
			}
		} else if hasPrefixFold(ti.ContentType, "text/") {
			if b, err := os.ReadFile(p); err == nil {
				l.emitPlain(b)
				suppressSig = true
			}
		}
	}
	if !suppressSig {
		l.puts(l.o.Signature)
	}
	if !suppressPost {
		l.puts("</body></html>\n")
	}
}

// findTitle is find_title (ScanHTMLTitles).
func findTitle(path string, ti TypeInfo) *string {
	if ti.ContentType == "" || len(ti.Encodings) > 0 {
		return nil
	}
	if !responseIsHTML(ti.ContentType) && ti.ContentType != "text/x-server-parsed-html" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, 8191)
	n, _ := f.Read(buf)
	if n == 0 {
		return nil
	}
	buf = buf[:n]
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	const find = "<title>"
	p := 0
	for x := 0; x < len(buf); x++ {
		if lowerByte(buf[x]) == find[p] {
			p++
			if p == len(find) {
				x++
				rest := buf[x:]
				if i := bytes.IndexByte(rest, '<'); i >= 0 {
					rest = rest[:i]
				}
				out := make([]byte, 0, len(rest))
				for y, c := range rest {
					if c == '\r' || c == '\n' {
						if y == 0 && len(out) == 0 {
							continue
						}
						c = ' '
					}
					out = append(out, c)
				}
				s := string(out)
				return &s
			}
		} else {
			p = 0
		}
	}
	return nil
}

// parentEntry is make_parent_entry.
func (l *listing) parentEntry(opts int, keyid, direction byte) *ent {
	name, ok := normalizeParent(l.uri)
	if !ok || name == "" {
		return nil
	}
	testpath := l.dir + ".."
	if l.ignoreEntry(testpath) {
		return nil
	}
	p := &ent{name: name, size: -1, lm: -1, key: upperByte(keyid), ascending: upperByte(direction) == dAsc,
		vsort: opts&versionSort != 0}
	if opts&fancyIndexing != 0 {
		if p.icon = findItem(nil, nil, testpath, l.o.Icons, true); p.icon == nil {
			p.icon = findItem(nil, nil, "^^DIRECTORY^^", l.o.Icons, true)
		}
		if p.alt = findItem(nil, nil, testpath, l.o.Alts, true); p.alt == nil {
			if p.alt = findItem(nil, nil, "^^DIRECTORY^^", l.o.Alts, true); p.alt == nil {
				p.alt = strp("PARENTDIR")
			}
		}
		p.desc = l.findDesc(testpath)
	}
	return p
}

// entry is make_autoindex_entry for one directory entry.
func (l *listing) entry(de fs.DirEntry, opts int, keyid, direction byte, pattern *string) *ent {
	name := de.Name()
	if name == "." || name == ".." {
		return nil
	}
	if pattern != nil && !fnmatch(*pattern, name, fnmNoEscape|fnmPeriod) {
		return nil
	}
	full := l.dir + name
	if l.ignoreEntry(full) {
		return nil
	}
	lfi, err := de.Info()
	if err != nil {
		return nil
	}
	fi := lfi
	if lfi.Mode()&fs.ModeSymlink != 0 {
		if fi, err = os.Stat(full); err != nil {
			return nil
		}
	}
	if l.o.Hide != nil && l.o.Hide(name, lfi) {
		return nil
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return nil
	}
	p := &ent{name: name, size: -1, lm: -1, key: upperByte(keyid), ascending: upperByte(direction) == dAsc,
		vsort: opts&versionSort != 0, ignoreCase: opts&ignoreCase != 0}
	if fi.IsDir() {
		p.name += "/"
	}
	if opts&(fancyIndexing|tableIndexing) != 0 {
		p.lm = fi.ModTime().UnixMicro()
		var ti TypeInfo
		if fi.IsDir() {
			if opts&foldersFirst != 0 {
				p.isdir = true
			}
			if p.icon = findItem(nil, nil, full, l.o.Icons, true); p.icon == nil {
				p.icon = findItem(nil, nil, "^^DIRECTORY^^", l.o.Icons, true)
			}
			if p.alt = findItem(nil, nil, full, l.o.Alts, true); p.alt == nil {
				if p.alt = findItem(nil, nil, "^^DIRECTORY^^", l.o.Alts, true); p.alt == nil {
					p.alt = strp("DIR")
				}
			}
		} else {
			ti = l.typeOf(name, fi)
			var ct, enc *string
			if ti.ContentType != "" {
				ct = strp(noparam(ti.ContentType))
			}
			if len(ti.Encodings) > 0 {
				enc = strp(strings.Join(ti.Encodings, ", "))
			}
			p.icon = findItem(ct, enc, full, l.o.Icons, false)
			p.alt = findItem(ct, enc, full, l.o.Alts, false)
			p.size = fi.Size()
		}
		p.desc = l.findDesc(full)
		if p.desc == nil && opts&scanHTMLTitles != 0 && !fi.IsDir() {
			p.desc = findTitle(full, ti)
		}
	}
	if keyid == kLastMod && p.lm < 0 {
		p.lm = 0
	}
	return p
}

// dsortf is mod_autoindex's comparison function.
func dsortf(e1, e2 *ent) int {
	if at(e1.name, 0) == '/' {
		return -1
	}
	if at(e2.name, 0) == '/' {
		return 1
	}
	if e1.isdir != e2.isdir {
		if e1.isdir {
			return -1
		}
		return 1
	}
	c1, c2 := e1, e2
	if !e1.ascending {
		c1, c2 = e2, e1
	}
	result := 0
	switch c1.key {
	case kLastMod:
		if c1.lm > c2.lm {
			return 1
		} else if c1.lm < c2.lm {
			return -1
		}
	case kSize:
		if c1.size > c2.size {
			return 1
		} else if c1.size < c2.size {
			return -1
		}
	case kDesc:
		d1, d2 := "", ""
		if c1.desc != nil {
			d1 = *c1.desc
		}
		if c2.desc != nil {
			d2 = *c2.desc
		}
		if c1.vsort {
			result = strnatcmp(d1, d2, false)
		} else {
			result = strcmpC(d1, d2)
		}
		if result != 0 {
			return result
		}
	}
	if c1.vsort {
		if c1.ignoreCase {
			result = strnatcmp(c1.name, c2.name, true)
		}
		if result == 0 {
			result = strnatcmp(c1.name, c2.name, false)
		}
	}
	if result == 0 && c1.ignoreCase {
		result = strcasecmpC(c1.name, c2.name)
	}
	if result == 0 {
		result = strcmpC(c1.name, c2.name)
	}
	return result
}

// emitLink is emit_link: a column heading, a link that sorts by it.
func (l *listing) emitLink(anchor string, column, curkey, curdir byte, colargs string, nosort bool) {
	if nosort {
		l.puts(anchor)
		return
	}
	order := byte(dAsc)
	if curkey == column && curdir == dAsc {
		order = dDesc
	}
	l.puts("<a href=\"?C=", string(column), ";O=", string(order), colargs, "\">", anchor, "</a>")
}

// terminateDescription is terminate_description.
func (l *listing) terminateDescription(desc string, opts, descWidth int) string {
	maxsize := descWidth
	if l.d.descAdjust == kUnset {
		if opts&suppressIcon != 0 {
			maxsize += 6
		}
		if opts&suppressLastMod != 0 {
			maxsize += 19
		}
		if opts&suppressSize != 0 {
			maxsize += 7
		}
	}
	x := 0
	for ; x < len(desc) && (maxsize > 0 || desc[x] == '<'); x++ {
		switch desc[x] {
		case '<':
			for at(desc, x) != '>' {
				if at(desc, x) == 0 {
					maxsize = 0
					break
				}
				x++
			}
		case '&':
			maxsize--
			for at(desc, x) != ';' {
				if at(desc, x) == 0 {
					maxsize = 0
					break
				}
				x++
			}
		default:
			maxsize--
		}
		if x >= len(desc) {
			break
		}
	}
	if maxsize == 0 && x < len(desc) && x > 0 {
		return desc[:x-1] + ">"
	}
	return desc
}

// strftime formats t (local time) with the two formats mod_autoindex uses.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 >= len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'm':
			b.WriteString(t.Format("01"))
		case 'd':
			b.WriteString(t.Format("02"))
		case 'H':
			b.WriteString(t.Format("15"))
		case 'M':
			b.WriteString(t.Format("04"))
		case 'b':
			b.WriteString(t.Format("Jan"))
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

func (l *listing) iconDims(opts int) {
	if l.d.iconWidth != 0 {
		l.puts(" width=\"", strconv.Itoa(l.d.iconWidth), "\"")
	}
	if l.d.iconHeight != 0 {
		l.puts(" height=\"", strconv.Itoa(l.d.iconHeight), "\"")
	}
	if opts&emitXHTML != 0 {
		l.puts(" /")
	}
}

// outputDirectories is output_directories.
func (l *listing) outputDirectories(ar []*ent, opts int, keyid, direction byte, colargs string) {
	d := l.d
	staticColumns := opts&suppressColsort != 0
	nameWidth, descWidth := d.nameWidth, d.descWidth
	dtFormat := "%Y-%m-%d %H:%M"
	if d.datetimeFormat != "" {
		dtFormat = d.datetimeFormat
	}
	ss := l.o.StyleSheet != ""
	pick := func(withSS, without string) string {
		if ss {
			return withSS
		}
		return without
	}
	if opts&(fancyIndexing|tableIndexing) == fancyIndexing {
		if d.nameAdjust == kAdjust {
			for _, e := range ar {
				nameWidth = max(nameWidth, len(e.name))
			}
		}
		if d.descAdjust == kAdjust {
			for _, e := range ar {
				if e.desc != nil {
					descWidth = max(descWidth, len(*e.desc))
				}
			}
		}
	}
	pad := strings.Repeat(" ", max(nameWidth, 0))
	padFrom := func(n int) string {
		if n >= len(pad) {
			return ""
		}
		return pad[n:]
	}
	breakrow := ""
	switch {
	case opts&tableIndexing != 0:
		cols := 1
		l.puts(pick("  <table id=\"indexlist\">\n   <tr class=\"indexhead\">", "  <table>\n   <tr>"))
		if opts&suppressIcon == 0 {
			l.puts("<th", pick(" class=\"indexcolicon\">", " valign=\"top\">"))
			if tp := findItem(nil, nil, "^^BLANKICON^^", l.o.Icons, true); tp != nil {
				l.puts("<img src=\"", escapeHTML(*tp), "\" alt=\"[ICO]\"")
				l.iconDims(opts)
				l.puts("></th>")
			} else {
				l.puts("&nbsp;</th>")
			}
			cols++
		}
		l.puts("<th", pick(" class=\"indexcolname\">", ">"))
		l.emitLink("Name", kName, keyid, direction, colargs, staticColumns)
		if opts&suppressLastMod == 0 {
			l.puts("</th><th", pick(" class=\"indexcollastmod\">", ">"))
			l.emitLink("Last modified", kLastMod, keyid, direction, colargs, staticColumns)
			cols++
		}
		if opts&suppressSize == 0 {
			l.puts("</th><th", pick(" class=\"indexcolsize\">", ">"))
			l.emitLink("Size", kSize, keyid, direction, colargs, staticColumns)
			cols++
		}
		if opts&suppressDesc == 0 {
			l.puts("</th><th", pick(" class=\"indexcoldesc\">", ">"))
			l.emitLink("Description", kDesc, keyid, direction, colargs, staticColumns)
			cols++
		}
		if opts&suppressRules == 0 {
			xs := ""
			if opts&emitXHTML != 0 {
				xs = " /"
			}
			breakrow = "   <tr" + pick(" class=\"indexbreakrow\"", "") + "><th colspan=\"" + strconv.Itoa(cols) + "\"><hr" + xs + "></th></tr>\n"
		}
		l.puts("</th></tr>\n", breakrow)
	case opts&fancyIndexing != 0:
		l.puts("<pre>")
		if opts&suppressIcon == 0 {
			if tp := findItem(nil, nil, "^^BLANKICON^^", l.o.Icons, true); tp != nil {
				l.puts("<img src=\"", escapeHTML(*tp), "\" alt=\"Icon \"")
				l.iconDims(opts)
				l.puts("> ")
			} else {
				l.puts("      ")
			}
		}
		l.emitLink("Name", kName, keyid, direction, colargs, staticColumns)
		l.puts(padFrom(4))
		l.puts(" ")
		if opts&suppressLastMod == 0 {
			l.emitLink("Last modified", kLastMod, keyid, direction, colargs, staticColumns)
			l.puts("      ")
		}
		if opts&suppressSize == 0 {
			l.emitLink("Size", kSize, keyid, direction, colargs, staticColumns)
			l.puts("  ")
		}
		if opts&suppressDesc == 0 {
			l.emitLink("Description", kDesc, keyid, direction, colargs, staticColumns)
		}
		if opts&suppressRules == 0 {
			l.puts("<hr")
			if opts&emitXHTML != 0 {
				l.puts(" /")
			}
			l.puts(">")
		} else {
			l.puts("\n")
		}
	default:
		l.puts("<ul>")
	}

	truncName := func(t2 string) (string, int) {
		nwidth := len(t2)
		if nwidth > nameWidth && nameWidth >= 3 {
			t2 = t2[:nameWidth-3] + "..>"
			nwidth = nameWidth
		}
		return t2, nwidth
	}
	for x, e := range ar {
		t := e.name
		anchor := escapeHTML(osEscapePath(t, false))
		t2 := t
		if x == 0 && at(t, 0) == '/' {
			t2 = "Parent Directory"
		}
		iconCell := func() {
			if opts&iconsAreLinks != 0 {
				l.puts("<a href=\"", anchor, "\">")
			}
			if e.icon != nil || l.o.DefaultIcon != "" {
				icon := l.o.DefaultIcon
				if e.icon != nil {
					icon = *e.icon
				}
				alt := "   "
				if e.alt != nil {
					alt = *e.alt
				}
				l.puts("<img src=\"", escapeHTML(icon), "\" alt=\"[", alt, "]\"")
				l.iconDims(opts)
				l.puts(">")
			}
		}
		lmString := func() string {
			return strftime(dtFormat, time.UnixMicro(e.lm).Local())
		}
		switch {
		case opts&tableIndexing != 0:
			if ss {
				if e.alt != nil && opts&addAltClass != 0 {
					l.puts("   <tr class=\"", map[bool]string{true: "odd-", false: "even-"}[x&1 == 1], asciiLower(*e.alt), "\">")
				} else {
					l.puts("   <tr class=\"", map[bool]string{true: "odd", false: "even"}[x&1 == 1], "\">")
				}
			} else {
				l.puts("<tr>")
			}
			if opts&suppressIcon == 0 {
				l.puts("<td", pick(" class=\"indexcolicon\">", " valign=\"top\">"))
				if e.icon != nil || l.o.DefaultIcon != "" {
					iconCell()
				} else {
					if opts&iconsAreLinks != 0 {
						l.puts("<a href=\"", anchor, "\">")
					}
					l.puts("&nbsp;")
				}
				if opts&iconsAreLinks != 0 {
					l.puts("</a></td>")
				} else {
					l.puts("</td>")
				}
			}
			if d.nameAdjust == kAdjust {
				l.puts("<td", pick(" class=\"indexcolname\">", ">"), "<a href=\"", anchor, "\">", escapeHTML(t2), "</a>")
			} else {
				t2, nwidth := truncName(t2)
				l.puts("<td", pick(" class=\"indexcolname\">", ">"), "<a href=\"", anchor, "\">", escapeHTML(t2), "</a>", padFrom(nwidth))
			}
			if opts&suppressLastMod == 0 {
				if e.lm != -1 {
					l.puts("</td><td", pick(" class=\"indexcollastmod\">", " align=\"right\">"), lmString(), "  ")
				} else {
					l.puts("</td><td", pick(" class=\"indexcollastmod\">&nbsp;", ">&nbsp;"))
				}
			}
			if opts&suppressSize == 0 {
				l.puts("</td><td", pick(" class=\"indexcolsize\">", " align=\"right\">"), strfsize(e.size))
			}
			if opts&suppressDesc == 0 {
				if e.desc != nil {
					if d.descAdjust == kAdjust {
						l.puts("</td><td", pick(" class=\"indexcoldesc\">", ">"), *e.desc)
					} else {
						l.puts("</td><td", pick(" class=\"indexcoldesc\">", ">"), l.terminateDescription(*e.desc, opts, descWidth))
					}
				} else {
					l.puts("</td><td", pick(" class=\"indexcoldesc\">", ">"), "&nbsp;")
				}
			}
			l.puts("</td></tr>\n")
		case opts&fancyIndexing != 0:
			if opts&suppressIcon == 0 {
				if e.icon != nil || l.o.DefaultIcon != "" {
					iconCell()
				} else {
					if opts&iconsAreLinks != 0 {
						l.puts("<a href=\"", anchor, "\">")
					}
					l.puts("     ")
				}
				if opts&iconsAreLinks != 0 {
					l.puts("</a> ")
				} else {
					l.puts(" ")
				}
			}
			t2, nwidth := truncName(t2)
			l.puts("<a href=\"", anchor, "\">", escapeHTML(t2), "</a>", padFrom(nwidth))
			l.puts(" ")
			if opts&suppressLastMod == 0 {
				if e.lm != -1 {
					l.puts(lmString(), "  ")
				} else {
					l.puts("                   ")
				}
			}
			if opts&suppressSize == 0 {
				l.puts(strfsize(e.size), "  ")
			}
			if opts&suppressDesc == 0 && e.desc != nil {
				l.puts(l.terminateDescription(*e.desc, opts, descWidth))
			}
			l.puts("\n")
		default:
			l.puts("<li><a href=\"", anchor, "\"> ", escapeHTML(t2), "</a></li>\n")
		}
	}
	switch {
	case opts&tableIndexing != 0:
		l.puts(breakrow, "</table>\n")
	case opts&fancyIndexing != 0:
		if opts&suppressRules == 0 {
			l.puts("<hr")
			if opts&emitXHTML != 0 {
				l.puts(" /")
			}
			l.puts("></pre>\n")
		} else {
			l.puts("</pre>\n")
		}
	default:
		l.puts("</ul>\n")
	}
}
