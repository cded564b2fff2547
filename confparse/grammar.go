package confparse

import (
	"fmt"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// statement is the grammar of one logical line: a head (section close,
// section open, or directive name) followed by argument words. Nesting is
// not part of the grammar: sections are matched by the reader, which gives
// Apache's own messages for unclosed and mismatched sections.
type statement struct {
	Close  *string       `parser:"(  @Close"`
	Open   *string       `parser:" | @Open"`
	Name   *string       `parser:" | @Name )"`
	Args   []string      `parser:"@Word*"`
	Tokens []lexer.Token // filled by participle: every token of the line
}

var statementParser = participle.MustBuild[statement](
	participle.Lexer(statementLexer{}),
	participle.UseLookahead(1),
)

// parsedLine is a logical line split the way Apache splits it.
type parsedLine struct {
	// Head is the first word; for an open tag it has had a trailing '>'
	// removed, as Apache does.
	Head string
	// Close and Open say what kind of head it is.
	Close, Open bool
	// Raw is the argument text after the head, unsplit: what RAW_ARGS
	// directives receive. An open tag with nothing after it gets ">", as in
	// Apache, so that section handlers see their closing bracket.
	Raw string
	// Args are the argument words, unescaped.
	Args []string
}

// parseLine splits a non-empty, non-comment logical line.
func parseLine(text string) (parsedLine, error) {
	st, err := statementParser.ParseString("", text)
	if err != nil {
		// The lexer accepts every byte sequence and the grammar every
		// token sequence that starts with a head, so this is a bug.
		return parsedLine{}, fmt.Errorf("confparse: cannot split line %q: %w", text, err)
	}
	var pl parsedLine
	switch {
	case st.Close != nil:
		pl.Head, pl.Close = *st.Close, true
	case st.Open != nil:
		pl.Head, pl.Open = *st.Open, true
	default:
		pl.Head = *st.Name
	}
	pl.Args = st.Args
	if len(st.Tokens) > 1 {
		pl.Raw = text[st.Tokens[1].Pos.Offset:]
	}
	if !pl.Close {
		// ap_build_config_sub drops one trailing '>' from every head that
		// is not a close tag, and gives a bare open tag the args ">".
		if n := len(pl.Head); n > 0 && pl.Head[n-1] == '>' {
			pl.Head = pl.Head[:n-1]
		}
		if pl.Open && pl.Raw == "" {
			pl.Raw = ">"
		}
	}
	return pl, nil
}
