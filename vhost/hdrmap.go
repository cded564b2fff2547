package vhost

import (
	"net/http"
	"slices"
	"strings"
)

// A response's header map keeps the field names a handler spelt (a WSGI
// application's "content-encoding", static.ETagKey), as Apache's tables
// keep them for the wire; Apache looks them up without case
// (apr_table_get), and so must whatever reads or changes the map for it.
// Where one name has several spellings, the map keeps no order between
// them: the functions here take them in sorted order, which is
// deterministic.

// foldKeys lists the keys of hdr that spell name, sorted.
func foldKeys(hdr http.Header, name string) []string {
	var keys []string
	for k := range hdr {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	if len(keys) > 1 {
		slices.Sort(keys)
	}
	return keys
}

// firstKey is the key of name's first field ("" for none), the one
// apr_table_get finds.
func firstKey(hdr http.Header, name string) string {
	for _, k := range foldKeys(hdr, name) {
		if len(hdr[k]) > 0 {
			return k
		}
	}
	return ""
}

// getFold is apr_table_get: the value of name's first field, "" when
// there is none.
func getFold(hdr http.Header, name string) string {
	if k := firstKey(hdr, name); k != "" {
		return hdr[k][0]
	}
	return ""
}

// hasFold reports whether name has a field.
func hasFold(hdr http.Header, name string) bool { return firstKey(hdr, name) != "" }

// valuesFold lists the values of every field of name.
func valuesFold(hdr http.Header, name string) []string {
	var vs []string
	for _, k := range foldKeys(hdr, name) {
		vs = append(vs, hdr[k]...)
	}
	return vs
}

// delFold is apr_table_unset: every field of name goes.
func delFold(hdr http.Header, name string) {
	for k := range hdr {
		if strings.EqualFold(k, name) {
			delete(hdr, k) // deleting while ranging is safe, and lists nothing
		}
	}
}

// setFoldKeep is apr_table_setn: name's first field, in its spelling,
// takes value and the others go; without one, a field is added.
func setFoldKeep(hdr http.Header, name, value string) {
	k := firstKey(hdr, name)
	delFold(hdr, name)
	if k == "" {
		k = name
	}
	hdr[k] = []string{value}
}

// mergeFold is apr_table_mergen: ", value" is appended to name's first
// field, or a field is added.
func mergeFold(hdr http.Header, name, value string) {
	k := firstKey(hdr, name)
	if k == "" {
		hdr[name] = []string{value}
		return
	}
	vs := slices.Clone(hdr[k])
	vs[0] += ", " + value
	hdr[k] = vs
}
