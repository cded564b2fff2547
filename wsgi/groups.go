package wsgi

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"strconv"
	"strings"

	"github.com/gowsgid/gowsgid/vhost"
)

// groupKind selects which of mod_wsgi's %{...} forms a value accepts.
type groupKind int

const (
	processGroup groupKind = iota
	applicationGroup
)

// expandGroup is wsgi_process_group / wsgi_application_group: the
// process group or application group named by a directive value (nil when
// no directive applies).
func expandGroup(r *vhost.Request, v *string, kind groupKind) string {
	if v == nil {
		if kind == processGroup {
			return ""
		}
		return resourceGroup(r)
	}
	s := *v
	if !strings.HasPrefix(s, "%") {
		return s
	}
	switch s {
	case "%{GLOBAL}":
		return ""
	case "%{RESOURCE}":
		return resourceGroup(r)
	case "%{SERVER}":
		return withPort(r.Host.Hostname, r.ServerPort())
	case "%{HOST}":
		h := r.Hostname
		if h == "" {
			h = r.Host.Hostname
		}
		return withPort(h, r.ServerPort())
	}
	if name, ok := envReference(s); ok {
		if value, found := lookupEnv(r, name); found {
			if strings.HasPrefix(value, "%") && !strings.HasPrefix(value, "%{ENV:") {
				return expandGroup(r, &value, kind)
			}
			return value
		}
	}
	return s
}

// expandCallable is wsgi_callable_object.
func expandCallable(r *vhost.Request, v *string) string {
	if v == nil || *v == "" {
		return "application"
	}
	s := *v
	if !strings.HasPrefix(s, "%") {
		return s
	}
	if name, ok := envReference(s); ok {
		if value, found := lookupEnv(r, name); found {
			return value
		}
	}
	return "application"
}

// envReference returns NAME from "%{ENV:NAME}".
func envReference(s string) (string, bool) {
	if !strings.HasPrefix(s, "%{ENV:") || !strings.HasSuffix(s, "}") || len(s) <= len("%{ENV:}") {
		return "", false
	}
	return s[len("%{ENV:") : len(s)-1], true
}

// lookupEnv looks a name up in the request notes, then its environment,
// then the process environment, in mod_wsgi's order.
func lookupEnv(r *vhost.Request, name string) (string, bool) {
	if v, ok := r.Note(name); ok {
		return v, true
	}
	if v, ok := r.Env.Get(name); ok {
		return v, true
	}
	return os.LookupEnv(name)
}

// resourceGroup is %{RESOURCE}: host[:port]|script name, lower-cased.
func resourceGroup(r *vhost.Request) string {
	return withPort(r.Host.Hostname, r.ServerPort()) + "|" + strings.ToLower(collapseSlashes(scriptName(r)))
}

// scriptName is SCRIPT_NAME before slash collapsing: the URI without its
// path info.
func scriptName(r *vhost.Request) string {
	if r.PathInfo == "" {
		return r.URI
	}
	return r.URI[:vhost.FindPathInfo(r.URI, r.PathInfo)]
}

func withPort(host string, port int) string {
	if port == 80 || port == 443 {
		return host
	}
	return host + ":" + strconv.Itoa(port)
}

// collapseSlashes is what mod_wsgi does to SCRIPT_NAME and PATH_INFO
// starting with '/': every run of slashes becomes one.
func collapseSlashes(s string) string {
	if !strings.HasPrefix(s, "/") || !strings.Contains(s, "//") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i+1 < len(s) && s[i+1] == '/' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ModuleName is the name mod_wsgi imports a script under: "_mod_wsgi_"
// and the MD5 of the path, lower-cased first (WSGICaseSensitivity's
// default on Linux does that, inverted as it seems).
func ModuleName(script string, keepCase bool) string {
	if !keepCase {
		script = strings.ToLower(script)
	}
	sum := md5.Sum([]byte(script))
	return "_mod_wsgi_" + hex.EncodeToString(sum[:])
}
