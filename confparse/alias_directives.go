package confparse

import (
	"errors"
	"fmt"
	"strings"
)

// mod_alias's checks (modules/mappers/mod_alias.c).

// applyAlias is add_alias for Alias and ScriptAlias.
func applyAlias(c *Cmd) error {
	handler := ""
	if strings.EqualFold(c.Directive.Name, "ScriptAlias") {
		handler = "cgi-script"
	}
	if len(c.Args) == 2 {
		if err := c.CheckContext(NotInDirContext); err != nil {
			return err
		}
		c.addAlias(Alias{From: c.Args[0], To: c.Args[1], Handler: handler})
		return nil
	}
	if err := c.CheckContext(NotInDirectory | NotInFiles); err != nil {
		return err
	}
	if !c.scope.inPath {
		return fmt.Errorf("%s must have two arguments when used globally", c.Directive.Name)
	}
	e, err := c.parseExprString(c.Args[0])
	if err != nil {
		return fmt.Errorf("Cannot parse alias expression '%s': %s", c.Args[0], err)
	}
	c.Dir.LocationAlias = &LocationAlias{Target: e, Raw: c.Args[0], Fake: c.Path, Handler: handler}
	c.Record()
	return nil
}

// addAlias appends to the server's alias list, with mod_alias's warning
// for an alias an earlier one hides.
func (c *Cmd) addAlias(a Alias) {
	a.File, a.Line = c.Node.File, c.Node.Line
	if !a.Regex {
		for _, prev := range c.Server.Aliases {
			hidden := false
			if prev.Regex {
				re, err := compilePOSIX(prev.From)
				hidden = err == nil && re.MatchString(a.From)
			} else {
				hidden = AliasMatches(a.From, prev.From) > 0
			}
			if hidden {
				script, match := "", ""
				if prev.Handler != "" {
					script = "Script"
				}
				if prev.Regex {
					match = "Match"
				}
				c.Notice(Notice{Level: "warn", Module: "alias", Text: fmt.Sprintf(
					"AH00671: The %s directive in %s at line %d will probably never match because it overlaps an earlier %sAlias%s.",
					c.Directive.Name, c.Node.File, c.Node.Line, script, match)})
				break
			}
		}
	}
	c.Server.Aliases = append(c.Server.Aliases, a)
}

// AliasMatches is mod_alias's alias_matches: the length of uri that the
// alias prefix fake matches (a '/' in fake matches a run of '/'), ending
// at a path segment boundary, or 0.
func AliasMatches(uri, fake string) int {
	u, f := 0, 0
	for f < len(fake) {
		if fake[f] == '/' {
			if u >= len(uri) || uri[u] != '/' {
				return 0
			}
			for f < len(fake) && fake[f] == '/' {
				f++
			}
			for u < len(uri) && uri[u] == '/' {
				u++
			}
			continue
		}
		if u >= len(uri) || uri[u] != fake[f] {
			return 0
		}
		u++
		f++
	}
	// Check last alias path component matched all the way.
	if len(fake) > 0 && fake[len(fake)-1] != '/' && u < len(uri) && uri[u] != '/' {
		return 0
	}
	return u
}

// applyAliasMatch is add_alias_regex for AliasMatch and ScriptAliasMatch.
func applyAliasMatch(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	if _, err := compilePOSIX(c.Args[0]); err != nil {
		return errors.New("Regular expression could not be compiled.")
	}
	handler := ""
	if strings.EqualFold(c.Directive.Name, "ScriptAliasMatch") {
		handler = "cgi-script"
	}
	c.addAlias(Alias{From: c.Args[0], To: c.Args[1], Regex: true, Handler: handler})
	return nil
}

// isRedirectStatus is ap_is_HTTP_REDIRECT.
func isRedirectStatus(s int) bool { return s >= 300 && s < 400 }

// applyRedirect is add_redirect_internal for Redirect (TAKE123),
// RedirectMatch (TAKE23), RedirectTemp and RedirectPermanent (TAKE2).
func applyRedirect(c *Cmd) error {
	name := strings.ToLower(c.Directive.Name)
	useRegex := name == "redirectmatch"
	status := 302
	switch name {
	case "redirectpermanent":
		status = 301
	}
	arg := func(i int) (string, bool) {
		if i < len(c.Args) {
			return c.Args[i], true
		}
		return "", false
	}
	a1, _ := arg(0)
	a2, has2 := arg(1)
	a3, has3 := arg(2)
	grok := 1
	switch {
	case strings.EqualFold(a1, "permanent"):
		status = 301
	case strings.EqualFold(a1, "temp"):
		status = 302
	case strings.EqualFold(a1, "seeother"):
		status = 303
	case strings.EqualFold(a1, "gone"):
		status, grok = 410, -1
	case a1 != "" && a1[0] >= '0' && a1[0] <= '9':
		status = atoi(a1)
		if !isRedirectStatus(status) {
			grok = -1
		}
	default:
		grok = 0
	}
	if name == "redirecttemp" || name == "redirectpermanent" {
		// add_redirect2: (fake, url) with a fixed status.
		status = map[string]int{"redirecttemp": 302, "redirectpermanent": 301}[name]
		a1, a2, a3, has2, has3, grok = "", c.Args[0], c.Args[1], true, true, 1
	}
	if has3 && grok == 0 {
		return errors.New("Redirect: invalid first argument (of three)")
	}
	fake, url, hasURL := a2, a3, has3
	if c.scope.inPath {
		if (grok > 0 && has2 && !has3) || (grok == 0 && !has2) {
			url = a2
			if grok == 0 {
				url = a1
			}
			if _, err := c.parseExprString(url); err != nil {
				return fmt.Errorf("Cannot parse redirect expression '%s': %s", url, err)
			}
			c.Dir.Redirects = append(c.Dir.Redirects, Redirect{Status: status, To: url, Expr: true})
			return nil
		}
		if grok < 0 && !has2 {
			c.Dir.Redirects = append(c.Dir.Redirects, Redirect{Status: status, Expr: true})
			return nil
		}
	}
	if !has3 && grok == 0 {
		fake, url, hasURL = a1, a2, has2
	}
	if useRegex {
		if _, err := compilePOSIX(fake); err != nil {
			return errors.New("Regular expression could not be compiled.")
		}
	}
	if isRedirectStatus(status) {
		if !hasURL {
			return errors.New("URL to redirect to is missing")
		}
		if !useRegex && !isURL(url) && !strings.HasPrefix(url, "/") {
			return errors.New("Redirect to non-URL")
		}
	} else if hasURL {
		return errors.New("Redirect URL not valid for this status")
	}
	if !hasURL {
		url = ""
	}
	r := Redirect{Status: status, From: fake, To: url, Regex: useRegex}
	if c.scope.inPath {
		c.Dir.Redirects = append(c.Dir.Redirects, r)
	} else {
		c.Server.Redirects = append(c.Server.Redirects, r)
	}
	return nil
}

// isURL is ap_is_url: a scheme of letters, digits, '+', '-', '.' before ':'.
func isURL(u string) bool {
	i := strings.IndexByte(u, ':')
	if i <= 0 {
		return false
	}
	for _, ch := range u[:i] {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '+' || ch == '-' || ch == '.') {
			return false
		}
	}
	return true
}
