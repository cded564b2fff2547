package rewrite

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/internal/aprargv"
	"github.com/gowsgid/gowsgid/internal/aprerr"
)

// mapKind is a RewriteMap's type (MAPTYPE_*).
type mapKind uint8

const (
	mapTxt mapKind = iota
	mapRnd
	mapDBM
	mapPrg
	mapInt
	mapDBD
)

// Map is one RewriteMap.
type Map struct {
	Name string
	kind mapKind
	// file is the data file of txt: and rnd: maps.
	file string
	fn   func(string) string
	// dbm is the file format of a dbm: map (dbmNone for the types gowsgid
	// does not read).
	dbm dbmFormat
	// emptyServed are the keys of a dbm: map whose empty value a lookup
	// has given since the file last changed; failedKeys those looked up
	// while the file, as of failedAt, could not be read (see lookupDBM).
	emptyServed map[string]bool
	failedKeys  map[string]bool
	failedAt    time.Time
	// program is what a prg: map runs; conn talks to it once the server
	// has started it (Connect).
	program Program
	conn    atomic.Pointer[programConn]
	// Unimplemented says why gowsgid never finds a key in the map (dbm:,
	// dbd: and fastdbd:); "" for the maps it serves.
	Unimplemented string

	mu    sync.Mutex
	mtime time.Time
	data  map[string]string
}

// internalMaps are the int: functions mod_rewrite registers.
var internalMaps = map[string]func(string) string{
	"tolower":  apexpr.ASCIILower,
	"toupper":  apexpr.ASCIIUpper,
	"escape":   apexpr.EscapeURI,
	"unescape": unescapeMapKey,
}

// ParseMap is cmd_rewritemap: a map named name whose source is source
// ("txt:/path", "rnd:/path", "int:tolower", "prg:/path args", "dbm=type:/path",
// "dbd:query", or a bare path for a txt: map), with the line's third
// argument, options ("user:group" a prg: map's program runs as; "" for
// none). rootRelative resolves a path against ServerRoot; dbd tells
// whether mod_dbd is loaded.
func ParseMap(name, source, options string, rootRelative func(string) string, dbd bool) (*Map, error) {
	m := &Map{Name: name}
	check := ""
	prefix := func(p string) bool { return len(source) >= len(p) && strings.EqualFold(source[:len(p)], p) }
	switch {
	case prefix("txt:"), prefix("rnd:"):
		if prefix("rnd:") {
			m.kind = mapRnd
		}
		m.file = rootRelative(source[4:])
		check = m.file
	case prefix("dbm"):
		m.kind = mapDBM
		typ, fname, ok := "default", "", false
		switch {
		case len(source) > 3 && source[3] == ':':
			fname, ok = source[4:], true
		case len(source) > 3 && source[3] == '=':
			if colon := strings.IndexByte(source[4:], ':'); colon >= 0 {
				typ, fname, ok = source[4:4+colon], source[4+colon+1:], true
			}
		}
		if !ok {
			return nil, fmt.Errorf("RewriteMap: bad map:%s", source)
		}
		file := rootRelative(fname)
		m.file = file
		switch strings.ToLower(typ) {
		case "default", "db":
			m.dbm = dbmBerkeley
			check = file
		case "sdbm":
			m.dbm = dbmSDBM
			check = file + ".dir"
		case "gdbm":
			m.dbm = dbmGDBM
			check = file
		case "ndbm", "lmdb":
			check = file
			m.Unimplemented = "RewriteMap dbm=" + typ + ": maps are not implemented by gowsgid (default, db, gdbm and sdbm are): no key is ever found"
		default:
			return nil, fmt.Errorf("RewriteMap: dbm type %s is invalid", typ)
		}
	case prefix("dbd:"), prefix("fastdbd:"):
		if !dbd {
			return nil, errors.New("RewriteMap types dbd and fastdbd require mod_dbd!")
		}
		m.kind = mapDBD
		m.Unimplemented = "RewriteMap dbd: and fastdbd: maps are not implemented by gowsgid: no key is ever found"
	case prefix("prg:"):
		m.kind = mapPrg
		argv := aprargv.Tokenize(source[4:])
		if len(argv) == 0 {
			argv = []string{""}
		}
		argv[0] = rootRelative(argv[0])
		check = argv[0]
		m.program.Argv = argv
		if options != "" {
			// apr_strtok: empty fields are skipped ("::nobody" is a user).
			fields := strings.FieldsFunc(options, func(r rune) bool { return r == ':' })
			if len(fields) > 0 {
				m.program.User = fields[0]
			}
			if len(fields) > 1 {
				m.program.Group = fields[1]
			}
		}
	case prefix("int:"):
		m.kind = mapInt
		m.fn = internalMaps[source[4:]]
		if m.fn == nil {
			return nil, fmt.Errorf("RewriteMap: internal map not found:%s", source[4:])
		}
	default:
		m.file = rootRelative(source)
		check = m.file
	}
	if check != "" {
		if _, err := os.Stat(check); err != nil {
			return nil, fmt.Errorf("RewriteMap: file for map %s not found:%s", name, check)
		}
	}
	return m, nil
}

// lookup is lookup_map for one map: the value, or false (the caller then
// takes the default). logf receives the error log line of a missing file.
func (m *Map) lookup(key string, logf func(string)) (string, bool) {
	switch m.kind {
	case mapInt:
		return m.fn(key), true
	case mapPrg:
		return m.conn.Load().lookup(key)
	case mapDBM:
		return m.lookupDBM(key, logf)
	case mapTxt, mapRnd:
	default:
		return "", false
	}
	fi, err := os.Stat(m.file)
	if err != nil {
		if logf != nil {
			logf(fmt.Sprintf("%sAH00661: mod_rewrite: can't access text RewriteMap file %s", aprerr.Prefix(err), m.file))
		}
		return "", false
	}
	m.mu.Lock()
	if m.data == nil || !m.mtime.Equal(fi.ModTime()) {
		data, err := os.ReadFile(m.file)
		if err != nil {
			m.mu.Unlock()
			if logf != nil {
				logf(fmt.Sprintf("%sAH00655: mod_rewrite: can't open text RewriteMap file %s", aprerr.Prefix(err), m.file))
			}
			return "", false
		}
		m.data, m.mtime = parseTxtMap(data), fi.ModTime()
	}
	v, ok := m.data[key]
	m.mu.Unlock()
	if !ok || v == "" {
		return "", false
	}
	if m.kind == mapRnd {
		v = randomPart(v)
	}
	return v, true
}

// maxTxtMapLine is REWRITE_MAX_TXT_MAP_LINE: apr_file_gets reads at most
// this many bytes a line; the rest of a longer line is read as the next.
const maxTxtMapLine = 1024

// parseTxtMap is lookup_map_txtfile for every key at once: lines that
// start with '#' or a space are skipped; a key is the first word, its
// value the second; the first line with a value wins.
func parseTxtMap(data []byte) map[string]string {
	m := map[string]string{}
	for len(data) > 0 {
		n := len(data)
		if n > maxTxtMapLine {
			n = maxTxtMapLine
		}
		if nl := strings.IndexByte(string(data[:n]), '\n'); nl >= 0 {
			n = nl + 1
		}
		line := string(data[:n])
		data = data[n:]
		if nul := strings.IndexByte(line, 0); nul >= 0 {
			line = line[:nul]
		}
		if line == "" || line[0] == '#' || isSpace(line[0]) {
			continue
		}
		end := 0
		for end < len(line) && !isSpace(line[end]) {
			end++
		}
		key := line[:end]
		if _, seen := m[key]; seen {
			continue
		}
		v := skipSpaces(line, end)
		ve := v
		for ve < len(line) && !isSpace(line[ve]) {
			ve++
		}
		if ve > v {
			m[key] = line[v:ve]
		}
	}
	return m
}

// randomPart is select_random_value_part: one of the '|'-separated values.
func randomPart(v string) string {
	parts := strings.Split(v, "|")
	if len(parts) == 1 {
		return v
	}
	return parts[rand.IntN(len(parts))]
}

// unescapeMapKey is int:unescape, ap_unescape_url on the key: every valid
// %XX is decoded (a NUL ends the string), invalid ones stay as they are.
func unescapeMapKey(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
