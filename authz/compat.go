package authz

import (
	"net"
	"reflect"

	"github.com/gowsgid/gowsgid/confparse"
)

// subnetContains is apr_ipsubnet_test; a zero subnet matches nothing.
func subnetContains(n confparse.IPSubnet, ip net.IP) bool {
	if ip == nil || reflect.ValueOf(n).IsZero() {
		return false
	}
	return n.Contains(ip)
}

// satisfies is ap_satisfies(r) (mod_access_compat's Satisfy for the
// request's method): "all", "any", or "" (SATISFY_NOSPEC, treated as all).
func (st *state) satisfies() string {
	ac := st.dc.AccessCompat
	if ac == nil || !st.c.loaded("mod_access_compat.c") {
		return ""
	}
	return ac.SatisfyFor(st.r.Method)
}

// accessChecker is mod_access_compat's check_dir_access, the only
// access_checker hook: 0 or 403.
func (st *state) accessChecker() int {
	ac := st.dc.AccessCompat
	if ac == nil || !st.c.loaded("mod_access_compat.c") {
		return statusOK
	}
	ret := statusOK
	switch ac.OrderFor(st.r.Method) {
	case "allow,deny":
		ret = 403
		if st.findAllowDeny(ac.Allow) {
			ret = statusOK
		}
		if st.findAllowDeny(ac.Deny) {
			ret = 403
		}
	case "deny,allow":
		if st.findAllowDeny(ac.Deny) {
			ret = 403
		}
		if st.findAllowDeny(ac.Allow) {
			ret = statusOK
		}
	default: // mutual-failure
		if st.findAllowDeny(ac.Allow) && !st.findAllowDeny(ac.Deny) {
			ret = statusOK
		} else {
			ret = 403
		}
	}
	if ret == 403 {
		st.log("access_compat", LevelError, "AH01797: client denied by server configuration: %s", st.deniedTarget())
	}
	return ret
}

// findAllowDeny is mod_access_compat's find_allowdeny: whether a rule for
// the request's method matches.
func (st *state) findAllowDeny(rules []confparse.AccessRule) bool {
	for _, a := range rules {
		if !confparse.Admits(a.Limits, st.r.Method) {
			continue
		}
		switch a.Kind {
		case "env":
			if _, ok := st.env(a.Value); ok {
				return true
			}
		case "nenv":
			if _, ok := st.env(a.Value); !ok {
				return true
			}
		case "all":
			return true
		case "ip":
			if subnetContains(a.Net, st.r.RemoteIP) {
				return true
			}
		case "host":
			if host, ok := st.remoteHost(); ok && inDomain(a.Value, host) {
				return true
			}
		}
	}
	return false
}
