package rewrite

import (
	"errors"
	"fmt"
	"os"

	"github.com/gowsgid/gowsgid/internal/aprerr"
	"github.com/gowsgid/gowsgid/internal/dbmfile"
)

// dbmFormat is the file format of a dbm: map.
type dbmFormat uint8

const (
	// dbmNone is a DBM type gowsgid does not read (ndbm, lmdb: Debian's
	// APR has neither).
	dbmNone dbmFormat = iota
	// dbmBerkeley is Berkeley DB's hash format: "default" and "db", what
	// httxt2dbm writes unless told otherwise (APR's default on Debian).
	dbmBerkeley
	// dbmSDBM is APR's SDBM: the map's name with ".dir" and ".pag".
	dbmSDBM
	// dbmGDBM is GNU dbm's format.
	dbmGDBM
)

// unknownAPRError is how Apache logs an error code of a DBM library that
// APR has no text for (a file that is not a database of its type).
const unknownAPRError = "APR does not understand this error code: "

// lookupDBM is lookup_map's MAPTYPE_DBM case: the map's files are
// stat'ed on every lookup (AH00662, AH00663 when they are gone) and read
// again when they changed (AH00656 when they cannot be, once for each key
// until they change: mod_rewrite caches the failed lookup). A key stored
// with an empty value is found, as the empty string, on its first lookup
// after the file changed; mod_rewrite's cache then holds it as not found.
func (m *Map) lookupDBM(key string, logf func(string)) (string, bool) {
	if m.dbm == dbmNone {
		return "", false
	}
	log := func(err error, msg string) {
		if logf != nil {
			logf(fmt.Sprintf("%s%s", aprerr.Prefix(err), msg))
		}
	}
	check, data := m.file, m.file
	if m.dbm == dbmSDBM {
		check, data = m.file+".dir", m.file+".pag"
	}
	fi, err := os.Stat(check)
	if err != nil {
		log(err, "AH00662: mod_rewrite: can't access DBM RewriteMap file "+check)
		return "", false
	}
	mtime := fi.ModTime()
	if data != check {
		fi, err := os.Stat(data)
		if err != nil {
			log(err, "AH00663: mod_rewrite: can't access DBM RewriteMap file "+data)
			return "", false
		}
		if fi.ModTime().After(mtime) {
			mtime = fi.ModTime()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil || !m.mtime.Equal(mtime) {
		if !m.failedAt.Equal(mtime) {
			m.failedAt, m.failedKeys = mtime, nil
		}
		if m.failedKeys[key] {
			return "", false
		}
		entries, err := m.readDBM(data)
		if err != nil {
			var fe *dbmfile.FormatError
			if errors.As(err, &fe) && logf != nil {
				logf(fmt.Sprintf("(%d)%sAH00656: mod_rewrite: can't open DBM RewriteMap %s", fe.Status, unknownAPRError, m.file))
			} else {
				log(err, "AH00656: mod_rewrite: can't open DBM RewriteMap "+m.file)
			}
			if m.failedKeys == nil {
				m.failedKeys = map[string]bool{}
			}
			m.failedKeys[key] = true
			return "", false
		}
		m.data, m.mtime, m.emptyServed, m.failedKeys = entries, mtime, nil, nil
	}
	v, ok := m.data[key]
	switch {
	case !ok:
		return "", false
	case v == "" && m.emptyServed[key]:
		return "", false
	case v == "":
		if m.emptyServed == nil {
			m.emptyServed = map[string]bool{}
		}
		m.emptyServed[key] = true
	}
	return v, true
}

// readDBM reads every key and value of the map's data file.
func (m *Map) readDBM(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch m.dbm {
	case dbmSDBM:
		entries, err := dbmfile.ReadSDBM(b)
		if err != nil {
			// APR's sdbm checks a page only when a lookup reads it,
			// and a damaged one finds nothing, unlogged.
			return map[string]string{}, nil
		}
		return entries, nil
	case dbmGDBM:
		return dbmfile.ReadGDBM(b)
	}
	return dbmfile.ReadBerkeleyHash(b)
}
