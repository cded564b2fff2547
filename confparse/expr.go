package confparse

import "github.com/gowsgid/gowsgid/apexpr"

// ParseExpr parses a boolean ap_expr expression (<If>, Require expr) and
// returns Apache's message for a bad one.
func ParseExpr(s string) (*apexpr.Expr, error) { return apexpr.Parse(s) }

// ParseExprString parses a string ap_expr expression (Alias and Redirect
// inside <Location>, ErrorDocument, SetHandler).
func ParseExprString(s string) (*apexpr.Expr, error) { return apexpr.ParseString(s) }
