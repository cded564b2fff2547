package confparse

import (
	"io"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types of the statement lexer. The first word of a logical line is
// classified by its unquoted value, as Apache's ap_build_config_sub does:
// "</x" closes a section, "<x" opens one, anything else names a directive.
const (
	tokClose lexer.TokenType = iota + 1
	tokOpen
	tokName
	tokWord
)

// statementLexer lexes one logical line (already joined, trimmed and
// ${VAR}-substituted) into words with Apache's ap_getword_conf rules:
//   - a word starting with " or ' runs to the next unescaped copy of that
//     quote, or to the end of the line when there is none; inside it only
//     \\ and \<quote> are escapes, and the word ends right after the
//     closing quote even when no space follows;
//   - any other word runs to the next whitespace; in it \\ stands for \,
//     every other backslash is literal, and quotes are literal.
//
// A token's value is the unescaped word and its offset is where the word
// starts in the line, so the raw argument text (which RAW_ARGS directives
// receive) is the line from the second token's offset on.
type statementLexer struct{}

var _ lexer.StringDefinition = statementLexer{}

func (statementLexer) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF":   lexer.EOF,
		"Close": tokClose,
		"Open":  tokOpen,
		"Name":  tokName,
		"Word":  tokWord,
	}
}

func (d statementLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (statementLexer) LexString(filename string, line string) (lexer.Lexer, error) {
	return &wordLexer{pos: lexer.Position{Filename: filename, Line: 1, Column: 1}, line: line}, nil
}

type wordLexer struct {
	pos   lexer.Position
	line  string
	off   int
	count int
}

func (l *wordLexer) Next() (lexer.Token, error) {
	l.off = skipSpace(l.line, l.off)
	if l.off >= len(l.line) {
		p := l.pos
		p.Offset = len(l.line)
		return lexer.EOFToken(p), nil
	}
	start := l.off
	word, end := getWordConf(l.line, start)
	l.off = end
	typ := tokWord
	if l.count == 0 {
		switch {
		case strings.HasPrefix(word, "</"):
			typ = tokClose
		case strings.HasPrefix(word, "<"):
			typ = tokOpen
		default:
			typ = tokName
		}
	}
	l.count++
	p := l.pos
	p.Offset = start
	p.Column = start + 1
	return lexer.Token{Type: typ, Value: word, Pos: p}, nil
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// getWordConf reads one word starting at s[i] (which is not a space) and
// returns its unescaped value and the index just past it, before any
// following whitespace. It is a port of ap_getword_conf.
func getWordConf(s string, i int) (string, int) {
	if q := s[i]; q == '"' || q == '\'' {
		j := i + 1
		for j < len(s) && s[j] != q {
			if s[j] == '\\' && j+1 < len(s) && (s[j+1] == q || s[j+1] == '\\') {
				j += 2
			} else {
				j++
			}
		}
		word := unescapeConf(s[i+1:j], q)
		if j < len(s) {
			j++ // the closing quote
		}
		return word, j
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return unescapeConf(s[i:j], 0), j
}

// unescapeConf is Apache's substring_conf: \\ becomes \, and inside a quoted
// word \<quote> becomes the quote. Every other backslash stays.
func unescapeConf(s string, quote byte) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// SplitWords splits text into words with Apache's ap_getword_conf rules. It
// is what handlers of RAW_ARGS directives use to split their arguments.
func SplitWords(text string) []string {
	var words []string
	for i := skipSpace(text, 0); i < len(text); i = skipSpace(text, i) {
		var w string
		w, i = getWordConf(text, i)
		words = append(words, w)
	}
	return words
}
