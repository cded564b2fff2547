package confparse

// ParseExpr checks a boolean ap_expr expression (<If>, Require expr).
func ParseExpr(s string) (any, error) { return nil, nil }

// ParseExprString checks a string ap_expr expression (Alias, Redirect in
// a <Location>, ErrorDocument).
func ParseExprString(s string) (any, error) { return nil, nil }
