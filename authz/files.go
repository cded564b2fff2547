package authz

import (
	"bytes"
	"errors"
	"os"
	"sync"

	"github.com/gowsgid/gowsgid/internal/aprerr"
	"github.com/gowsgid/gowsgid/internal/statcache"
)

// maxStringLen is Apache's MAX_STRING_LEN (HUGE_STRING_LEN), the line
// buffer of mod_authn_file; varbufMaxLen is mod_authz_groupfile's limit.
const (
	maxStringLen = 8192
	varbufMaxLen = 16 * 1024 * 1024
)

// userFile is a parsed AuthUserFile: each user's password field (the first
// line for a user wins).
type userFile struct {
	users map[string]string
}

// groupFile is a parsed AuthGroupFile: for each member word, the groups
// whose lines name it.
type groupFile struct {
	groups map[string][]string
}

type cacheEntry struct {
	mu     sync.Mutex
	sig    statcache.Signature
	loaded bool
	value  any
}

// fileCache holds parsed password and group files, reread when their size,
// times or inode change.
type fileCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

// errNotRegular is what ap_pcfg_openfile returns for anything but a
// regular file (APR_EBADF).
var errNotRegular = errors.New("not a regular file")

// load returns the parsed file at path, parsing it with parse when it is
// new or changed.
func (fc *fileCache) load(kind, path string, parse func([]byte) any) (any, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() && path != "/dev/null" {
		return nil, errNotRegular
	}
	sig := statcache.SignatureOf(fi)
	key := kind + "\x00" + path
	fc.mu.Lock()
	if fc.entries == nil {
		fc.entries = map[string]*cacheEntry{}
	}
	e := fc.entries[key]
	if e == nil {
		e = &cacheEntry{}
		fc.entries[key] = e
	}
	fc.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.loaded && e.sig == sig {
		return e.value, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// Stat again: if the file changed while it was read, the next call
	// reparses it.
	if fi2, err := os.Stat(path); err == nil {
		sig = statcache.SignatureOf(fi2)
	}
	e.value, e.sig, e.loaded = parse(data), sig, true
	return e.value, nil
}

// cfgLines splits a configuration-style file as ap_cfg_getline reads it:
// a backslash before the newline continues a line, every line is trimmed
// of surrounding whitespace, and reading stops (as on APR_ENOSPC) at a line
// of max-1 bytes or more.
func cfgLines(data []byte, max int) []string {
	var lines []string
	pos := 0
	for pos < len(data) {
		var buf []byte
		for {
			if pos >= len(data) {
				break
			}
			// apr_file_gets: up to the newline, or max-1-len(buf) bytes.
			avail := max - 1 - len(buf)
			end := pos + avail
			if end > len(data) {
				end = len(data)
			}
			chunk := data[pos:end]
			if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
				chunk = chunk[:i+1]
			}
			pos += len(chunk)
			buf = append(buf, chunk...)
			if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
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
			if len(buf) >= max-1 {
				return lines // APR_ENOSPC ends the read loop
			}
			break
		}
		lines = append(lines, trimSpace(cString(string(buf))))
	}
	return lines
}

// parseUserFile is mod_authn_file's scan: "user:password[:...]" lines,
// '#' comments and blank lines skipped.
func parseUserFile(data []byte) any {
	uf := &userFile{users: map[string]string{}}
	for _, l := range cfgLines(data, maxStringLen) {
		if l == "" || l[0] == '#' {
			continue
		}
		user, rest := getWord(l, ':')
		pw, _ := getWord(rest, ':')
		if _, dup := uf.users[user]; !dup {
			uf.users[user] = pw
		}
	}
	return uf
}

// parseGroupFile is mod_authz_groupfile's groups_for_user scan:
// "group: member member ..." lines (the group name trimmed of trailing
// space, members split like configuration words).
func parseGroupFile(data []byte) any {
	gf := &groupFile{groups: map[string][]string{}}
	for _, l := range cfgLines(data, varbufMaxLen) {
		if l == "" || l[0] == '#' {
			continue
		}
		group, rest := getWord(l, ':')
		j := len(group)
		for j > 0 && isSpace(group[j-1]) {
			j--
		}
		group = group[:j]
		for rest != "" {
			var w string
			w, rest = getWordConf(rest)
			gs := gf.groups[w]
			if len(gs) == 0 || gs[len(gs)-1] != group {
				gf.groups[w] = append(gs, group)
			}
		}
	}
	return gf
}

// errnoPrefix renders err as Apache prints an APR status before a message:
// "(2)No such file or directory: ".
func errnoPrefix(err error) string {
	if errors.Is(err, errNotRegular) {
		return "(9)Bad file descriptor: "
	}
	if p := aprerr.Prefix(err); p != "" {
		return p
	}
	return "(" + err.Error() + "): "
}
