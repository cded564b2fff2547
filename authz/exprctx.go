package authz

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
)

// exprCtx is the apexpr.Context the checks evaluate expressions in: the
// caller's context (or one built from the Request) with REMOTE_USER and
// AUTH_TYPE answered from the check's state, and Vary recorded.
type exprCtx struct {
	st *state
}

func (c exprCtx) inner() apexpr.Context { return c.st.r.Expr }

func (c exprCtx) Var(name string) (string, bool) {
	switch name {
	case "REMOTE_USER":
		return c.st.user, true
	case "AUTH_TYPE":
		return c.st.authType, true
	}
	if in := c.inner(); in != nil {
		return in.Var(name)
	}
	r := c.st.r
	switch name {
	case "REQUEST_METHOD":
		return r.Method, true
	case "REQUEST_URI", "DOCUMENT_URI":
		return r.URI, true
	case "REQUEST_FILENAME", "SCRIPT_FILENAME":
		return r.Filename, true
	case "REMOTE_ADDR", "CONN_REMOTE_ADDR":
		return ipString(r.RemoteIP), true
	case "REMOTE_PORT":
		return strconv.Itoa(r.RemotePort), true
	case "SERVER_ADDR":
		return ipString(r.LocalIP), true
	}
	return "", false
}

func (c exprCtx) Header(name string) string {
	if in := c.inner(); in != nil {
		return in.Header(name)
	}
	if c.st.r.Header == nil {
		return ""
	}
	return strings.Join(c.st.r.Header.Values(name), ", ")
}

func (c exprCtx) RespHeader(name string) string {
	if in := c.inner(); in != nil {
		return in.RespHeader(name)
	}
	return ""
}

func (c exprCtx) Env(name string) (string, bool) {
	if in := c.inner(); in != nil {
		return in.Env(name)
	}
	return c.st.env(name)
}

func (c exprCtx) Note(name string) (string, bool) {
	if in := c.inner(); in != nil {
		return in.Note(name)
	}
	return "", false
}

// AddVary records the headers an expression read.
func (c exprCtx) AddVary(headers string) {
	if vr, ok := c.inner().(apexpr.VaryRecorder); ok {
		vr.AddVary(headers)
	}
next:
	for _, h := range strings.Split(headers, ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		for _, v := range c.st.vary {
			if strings.EqualFold(v, h) {
				continue next
			}
		}
		c.st.vary = append(c.st.vary, h)
	}
}

// SubrequestURI forwards to the caller's context; without one the -U and
// -A operators are false, as documented by apexpr.
func (c exprCtx) SubrequestURI(uri string) int {
	if s, ok := c.inner().(apexpr.Subrequester); ok {
		return s.SubrequestURI(uri)
	}
	return 500
}

// SubrequestFile forwards to the caller's context (-F).
func (c exprCtx) SubrequestFile(path string) (int, string) {
	if s, ok := c.inner().(apexpr.Subrequester); ok {
		return s.SubrequestFile(path)
	}
	return 500, ""
}

// OSEnv forwards to the caller's context, else the process environment.
func (c exprCtx) OSEnv(name string) (string, bool) {
	if s, ok := c.inner().(apexpr.OSEnver); ok {
		return s.OSEnv(name)
	}
	return os.LookupEnv(name)
}

// Now forwards to the caller's context, else the wall clock.
func (c exprCtx) Now() time.Time {
	if s, ok := c.inner().(apexpr.Clock); ok {
		return s.Now()
	}
	return time.Now()
}
