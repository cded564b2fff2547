package rewrite

import (
	"maps"

	"github.com/gowsgid/gowsgid/apexpr"
)

// inheritMode is how a merge combines the rules of two scopes.
func inheritMode(merged, base Options) (after, before bool) {
	after = merged&OptInherit != 0 || (base&OptInheritDown != 0 && merged&OptIgnoreInherit == 0)
	before = !after && (merged&OptInheritBefore != 0 || (base&OptInheritDownBefore != 0 && merged&OptIgnoreInherit == 0))
	return after, before
}

// MergeDir is config_perdir_merge: child over parent. Either may be nil
// (a scope without mod_rewrite directives), which leaves the other.
func MergeDir(parent, child *DirConf) *DirConf {
	if child == nil {
		return parent
	}
	if parent == nil {
		return child
	}
	m := &DirConf{Directory: child.Directory}
	m.On, m.OnSet = parent.On, parent.OnSet || child.OnSet
	if child.OnSet {
		m.On = child.On
	}
	m.Options, m.OptionsSet = parent.Options, parent.OptionsSet || child.OptionsSet
	if child.OptionsSet {
		m.Options = child.Options
	}
	m.Base = child.Base
	if m.Options&OptMergeBase != 0 {
		m.Base, m.BaseSet = parent.Base, parent.BaseSet || child.BaseSet
		if child.BaseSet {
			m.Base = child.Base
		}
	}
	switch after, before := inheritMode(m.Options, parent.Options); {
	case after:
		m.Rules = concat(child.Rules, parent.Rules)
	case before:
		m.Rules = concat(parent.Rules, child.Rules)
	default:
		m.Rules = child.Rules
	}
	return m
}

// MergeServer is config_server_merge: a virtual host's configuration
// over the main server's (nil is a server without mod_rewrite
// directives).
func MergeServer(main, vhost *ServerConf) *ServerConf {
	if main == nil {
		main = &ServerConf{}
	}
	if vhost == nil {
		vhost = &ServerConf{}
	}
	m := &ServerConf{}
	m.On, m.OnSet = main.On, main.OnSet || vhost.OnSet
	if vhost.OnSet {
		m.On = vhost.On
	}
	m.Options, m.OptionsSet = main.Options, main.OptionsSet || vhost.OptionsSet
	if vhost.OptionsSet {
		m.Options = vhost.Options
	}
	switch after, before := inheritMode(m.Options, main.Options); {
	case after:
		m.Maps = overlay(vhost.Maps, main.Maps)
		m.Rules = concat(vhost.Rules, main.Rules)
	case before:
		m.Maps = overlay(main.Maps, vhost.Maps)
		m.Rules = concat(main.Rules, vhost.Rules)
	default:
		m.Maps, m.Rules = vhost.Maps, vhost.Rules
	}
	return m
}

// overlay is apr_hash_overlay(over, base): base's maps with over's on top.
func overlay(over, base map[string]*Map) map[string]*Map {
	if len(over) == 0 {
		return base
	}
	if len(base) == 0 {
		return over
	}
	m := maps.Clone(base)
	maps.Copy(m, over)
	return m
}

func concat(a, b []*Rule) []*Rule {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	return append(append(make([]*Rule, 0, len(a)+len(b)), a...), b...)
}

// AddMap records a RewriteMap (a later one of the same name replaces it).
func (s *ServerConf) AddMap(m *Map) {
	if s.Maps == nil {
		s.Maps = map[string]*Map{}
	}
	s.Maps[m.Name] = m
}

// exprContext gives a RewriteCond expr the request as the engine sees it:
// the current file name, query string and path info.
type exprContext struct{ x *evalCtx }

func (c exprContext) Var(name string) (string, bool) {
	r := c.x.r
	switch name {
	case "REQUEST_FILENAME", "SCRIPT_FILENAME":
		return r.Filename, true
	case "QUERY_STRING":
		return r.Args, true
	case "PATH_INFO":
		return r.PathInfo, true
	case "REQUEST_URI":
		return r.URI, true
	case "IS_SUBREQ":
		if r.Sub {
			return "true", true
		}
		return "false", true
	case "DOCUMENT_ROOT":
		return r.DocumentRoot, true
	}
	return r.Server.Var(name)
}

func (c exprContext) Header(name string) string       { return c.x.r.Server.Header(name) }
func (c exprContext) RespHeader(name string) string   { return c.x.r.Server.RespHeader(name) }
func (c exprContext) Env(name string) (string, bool)  { return c.x.r.Server.Env(name) }
func (c exprContext) Note(name string) (string, bool) { return c.x.r.Server.Note(name) }

func (c exprContext) SubrequestURI(uri string) int { return c.x.r.Server.SubrequestURI(uri) }

func (c exprContext) SubrequestFile(path string) (int, string) {
	return c.x.r.Server.SubrequestFile(path)
}

// AddVary takes the headers an expression read into the response's Vary.
func (c exprContext) AddVary(headers string) {
	r := c.x.r
	if r.Vary != "" {
		headers = r.Vary + ", " + headers
	}
	r.Vary = headers
}

var (
	_ apexpr.Context      = exprContext{}
	_ apexpr.Subrequester = exprContext{}
	_ apexpr.VaryRecorder = exprContext{}
)
