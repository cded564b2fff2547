package static

import (
	"net/http"
	"strings"
)

// condition is ap_condition_e.
type condition int

const (
	condNone condition = iota
	condNoMatch
	condWeak
	condStrong
)

// header returns a request header as Apache sees it: repeated fields merged
// with ", " (apr_table_compress with APR_OVERLAP_TABLES_MERGE).
func header(r *http.Request, name string) (string, bool) {
	v := r.Header.Values(name)
	if len(v) == 0 {
		return "", false
	}
	return strings.Join(v, ", "), true
}

// validators are the response's validators and times, in seconds, as
// ap_meets_conditions reads them back from the response headers.
type validators struct {
	etag    string // "" when no ETag is sent
	mtime   int64  // Last-Modified, seconds
	reqtime int64  // request time, seconds
	isGet   bool   // GET or HEAD (M_GET)
}

func (v validators) ifMatch(r *http.Request) condition {
	im, ok := header(r, "If-Match")
	if !ok {
		return condNone
	}
	if strings.HasPrefix(im, "*") || (v.etag != "" && findETag(im, v.etag, false)) {
		return condStrong
	}
	return condNoMatch
}

func (v validators) ifUnmodifiedSince(r *http.Request) condition {
	ius, ok := header(r, "If-Unmodified-Since")
	if !ok {
		return condNone
	}
	t := parseHTTPDate(ius)
	if t != 0 && v.mtime > t {
		if v.reqtime < v.mtime+60 {
			if _, rng := header(r, "Range"); rng {
				return condNoMatch
			}
			return condWeak
		}
		return condStrong
	}
	return condNoMatch
}

func (v validators) ifNoneMatch(r *http.Request) condition {
	inm, ok := header(r, "If-None-Match")
	if !ok {
		return condNone
	}
	if strings.HasPrefix(inm, "*") {
		return condStrong
	}
	if v.isGet {
		if v.etag != "" {
			if _, rng := header(r, "Range"); rng {
				if findETag(inm, v.etag, false) {
					return condStrong
				}
			} else if findETag(inm, v.etag, true) {
				return condWeak
			}
		}
	} else if v.etag != "" && findETag(inm, v.etag, false) {
		return condStrong
	}
	return condNoMatch
}

func (v validators) ifModifiedSince(r *http.Request) condition {
	ims, ok := header(r, "If-Modified-Since")
	if !ok {
		return condNone
	}
	t := parseHTTPDate(ims)
	if t >= v.mtime && t <= v.reqtime {
		if v.reqtime < v.mtime+60 {
			if _, rng := header(r, "Range"); rng {
				return condNoMatch
			}
			return condWeak
		}
		return condStrong
	}
	return condNoMatch
}

func (v validators) ifRange(r *http.Request) condition {
	ir, ok := header(r, "If-Range")
	if !ok {
		return condNone
	}
	if _, rng := header(r, "Range"); !rng {
		return condNone
	}
	if strings.HasPrefix(ir, `"`) {
		if v.etag != "" && ir == v.etag {
			return condStrong
		}
		return condNoMatch
	}
	if parseHTTPDate(ir) == v.mtime {
		if v.reqtime < v.mtime+60 {
			return condNoMatch
		}
		return condStrong
	}
	return condNoMatch
}

// meetsConditions is ap_meets_conditions: 0 (go on), 304 or 412, checking
// If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and
// If-Range in Apache's order. Notably a failing If-Modified-Since cancels a
// matching If-None-Match, and any If-Range with a Range prevents a 304.
func (v validators) meetsConditions(r *http.Request) int {
	notModified := -1
	if v.ifMatch(r) == condNoMatch {
		return http.StatusPreconditionFailed
	}
	switch c := v.ifUnmodifiedSince(r); {
	case c == condNoMatch:
		notModified = 0
	case c >= condWeak:
		return http.StatusPreconditionFailed
	}
	switch c := v.ifNoneMatch(r); {
	case c == condNoMatch:
		notModified = 0
	case c >= condWeak:
		if !v.isGet {
			return http.StatusPreconditionFailed
		}
		if notModified != 0 {
			notModified = 1
		}
	}
	switch c := v.ifModifiedSince(r); {
	case c == condNoMatch:
		notModified = 0
	case c >= condWeak:
		if v.isGet && notModified != 0 {
			notModified = 1
		}
	}
	if v.ifRange(r) > condNone {
		return 0
	}
	if notModified == 1 {
		return http.StatusNotModified
	}
	return 0
}
