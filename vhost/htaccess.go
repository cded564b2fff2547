package vhost

import (
	"errors"
	"io/fs"
	"strings"
	"sync"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/aprerr"
	"github.com/gowsgid/gowsgid/internal/statcache"
)

// htaccess is a parsed .htaccess file: its configuration and the <Files>
// sections it holds.
type htaccess struct {
	Dir   *confparse.DirConfig
	files []*confparse.Section
}

// htaccessCache keeps parsed .htaccess files by path, allowed overrides,
// size and modification time, so an unchanged file is parsed once.
type htaccessCache struct {
	mu sync.Mutex
	m  map[htaccessKey]*htaccessEntry
}

type htaccessKey struct {
	path     string
	override confparse.Override
	opts     int
	unset    bool
	list     string // AllowOverrideList's names, joined
}

type htaccessEntry struct {
	sig statcache.Signature
	ht  *htaccess
	err error
}

// readHtaccess is ap_parse_htaccess for one directory: the first existing
// AccessFileName, read with the overrides AllowOverride grants (all
// directives refused when AllowOverride was never set, as in Apache) and
// the options it lets Options name (overrideOpts; nil is every option),
// and the directives AllowOverrideList adds (overrideList).
func (t *Table) readHtaccess(r *Request, dir string, override *confparse.Override, overrideOpts *int, overrideList []string) (*htaccess, *Outcome) {
	var allowed confparse.Override
	if override != nil {
		allowed = *override
	}
	opts := confparse.AllOptions
	if overrideOpts != nil {
		opts = *overrideOpts
	}
	for _, name := range r.Host.AccessFileNames {
		path := joinDir(dir, name)
		fi, err := t.stat.Stat(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || isENOTDIR(err) {
				continue
			}
			return nil, unreadableHtaccess(path, dir, err)
		}
		key := htaccessKey{path: path, override: allowed, opts: opts, unset: override == nil, list: strings.Join(overrideList, " ")}
		t.htaccess.mu.Lock()
		e := t.htaccess.m[key]
		t.htaccess.mu.Unlock()
		if sig := statcache.SignatureOf(fi); e == nil || e.sig != sig {
			ht, err := confparse.ReadHtaccess(t.Config, path, allowed, opts, overrideList)
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) && pe.Path == path {
				// The file could not be opened (ap_pcfg_openfile): not
				// remembered, as its directory's permissions may change.
				if errors.Is(err, fs.ErrNotExist) || isENOTDIR(err) {
					continue
				}
				return nil, unreadableHtaccess(path, dir, err)
			}
			e = &htaccessEntry{sig: sig, err: err}
			if err == nil {
				e.ht = &htaccess{Dir: ht.Dir, files: ht.Files}
			}
			t.htaccess.mu.Lock()
			if t.htaccess.m == nil {
				t.htaccess.m = map[htaccessKey]*htaccessEntry{}
			}
			t.htaccess.m[key] = e
			t.htaccess.mu.Unlock()
		}
		if e.err != nil {
			return nil, &Outcome{Status: 500, LogLevel: "alert", LogModule: "core", Log: path + ": " + e.err.Error()}
		}
		return e.ht, nil
	}
	return nil, nil
}

// unreadableHtaccess is ap_parse_htaccess's answer to an access file
// that exists but cannot be opened: 403, for safety, with AH00529.
func unreadableHtaccess(path, dir string, err error) *Outcome {
	prefix := aprerr.Prefix(err)
	if prefix == "" {
		prefix = "(13)Permission denied: "
	}
	return &Outcome{Status: 403, LogLevel: "crit", LogModule: "core",
		Log:   prefix + "AH00529: " + path + " pcfg_openfile: unable to check htaccess file, ensure it is readable and that '" + dir + "' is executable",
		Notes: "Server unable to read htaccess file, denying access to be safe"}
}
