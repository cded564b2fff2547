package confparse

import "github.com/gowsgid/gowsgid/apexpr"

// ParseExpr parses a boolean ap_expr expression (<If>, Require expr) of
// a configuration already checked, with mod_ssl's variables known: when
// mod_ssl is not loaded, the check at load time (Cmd's parseExpr) has
// already refused an expression that names them.
func ParseExpr(s string) (*apexpr.Expr, error) { return apexpr.ParseFlags(s, apexpr.FlagModSSL) }

// ParseExprString parses a string ap_expr expression (Alias and Redirect
// inside <Location>, ErrorDocument, SetHandler) as ParseExpr does.
func ParseExprString(s string) (*apexpr.Expr, error) {
	return apexpr.ParseFlags(s, apexpr.FlagModSSL|apexpr.FlagStringResult)
}

// exprFlags are the flags a directive's expressions are parsed with:
// mod_ssl adds its variables and functions when it is loaded.
func (c *Cmd) exprFlags() apexpr.Flags {
	if c.w.tree.IsLoaded("mod_ssl.c") {
		return apexpr.FlagModSSL
	}
	return 0
}

// parseExpr checks a boolean expression as Apache parses it at load time.
func (c *Cmd) parseExpr(s string) (*apexpr.Expr, error) { return apexpr.ParseFlags(s, c.exprFlags()) }

// parseExprString checks a string expression as Apache parses it at load
// time.
func (c *Cmd) parseExprString(s string) (*apexpr.Expr, error) {
	return apexpr.ParseFlags(s, c.exprFlags()|apexpr.FlagStringResult)
}
