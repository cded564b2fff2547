// Package aprargv splits command lines into words as APR's
// apr_tokenize_to_argv does, which Apache uses for the programs it runs
// (piped logs, mod_rewrite's prg: maps).
package aprargv

import "strings"

// Tokenize splits a command line as apr_tokenize_to_argv does: words
// separated by spaces and tabs; a word that starts with a double or
// single quote runs to the matching quote; a backslash before a space, a
// tab or a quote keeps it in the word; then one level of backslashes is
// removed from each word.
func Tokenize(s string) []string {
	var argv []string
	i := skipBlanks(s, 0)
	for i < len(s) {
		var quote byte
		if s[i] == '"' || s[i] == '\'' {
			quote = s[i]
			i++
		}
		start := i
		for i < len(s) {
			c := s[i]
			if c == '\\' && i+1 < len(s) && strings.IndexByte(" \t\"'", s[i+1]) >= 0 {
				i += 2
				continue
			}
			if (quote == 0 && (c == ' ' || c == '\t')) || (quote != 0 && c == quote) {
				break
			}
			i++
		}
		argv = append(argv, removeEscapes(s[start:min(i, len(s))]))
		if i < len(s) {
			i++
		}
		i = skipBlanks(s, i)
	}
	return argv
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// removeEscapes drops each backslash that is not itself escaped.
func removeEscapes(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	escaped := false
	for i := 0; i < len(s); i++ {
		if !escaped && s[i] == '\\' {
			escaped = true
			continue
		}
		escaped = false
		b.WriteByte(s[i])
	}
	return b.String()
}
