package authz

import "slices"

// allowMethods is mod_allowmethods' access checker, which runs before
// every other (APR_HOOK_REALLY_FIRST): a method AllowMethods does not name
// is refused with 405. HEAD is GET's method number.
func (st *state) allowMethods() int {
	allowed := st.dc.AllowMethods
	if len(allowed) == 0 {
		return statusOK
	}
	m := st.r.Method
	if m == "HEAD" {
		m = "GET"
	}
	if slices.Contains(allowed, m) {
		return statusOK
	}
	st.log("allowmethods", LevelError, "AH01623: client method denied by server configuration: '%s' to %s",
		st.r.Method, st.deniedTarget())
	return 405
}
