package confparse

import (
	"fmt"
	"strings"
)

// maxArgc is AP_MAX_ARGC, the most words a TAKE_ARGV directive receives.
const maxArgc = 64

// arity applies Apache's invoke_cmd argument rules for d to the words of a
// line and returns the words the handler receives: for TAKEn shapes the
// words given (an empty optional word is dropped), for ITERATE and
// ITERATE2 the words up to the first empty one, for FLAG the one word, for
// TAKE_ARGV at most 64 words. RAW_ARGS directives get nil: they parse Raw.
func arity(d *Directive, raw string, words []string) ([]string, error) {
	word := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	usage := ""
	if d.Usage != "" {
		usage = ", " + d.Usage
	}
	fail := func(what string) ([]string, error) {
		return nil, fmt.Errorf("%s %s%s", d.Name, what, usage)
	}
	n := len(words)
	switch d.Args {
	case RawArgs:
		return nil, nil
	case TakeArgv:
		var argv []string
		for i := 0; i < n && len(argv) < maxArgc; i++ {
			if words[i] == "" && i == n-1 {
				break
			}
			argv = append(argv, words[i])
		}
		return argv, nil
	case NoArgs:
		if raw != "" {
			return nil, fmt.Errorf("%s takes no arguments", d.Name)
		}
		return nil, nil
	case Take1:
		if word(0) == "" || n > 1 {
			return fail("takes one argument")
		}
		return words[:1], nil
	case Take2:
		if word(0) == "" || word(1) == "" || n > 2 {
			return fail("takes two arguments")
		}
		return words[:2], nil
	case Take12:
		if word(0) == "" || n > 2 {
			return fail("takes 1-2 arguments")
		}
		return dropEmptyTail(words), nil
	case Take3:
		if word(0) == "" || word(1) == "" || word(2) == "" || n > 3 {
			return fail("takes three arguments")
		}
		return words[:3], nil
	case Take23:
		if word(0) == "" || word(1) == "" || n > 3 {
			return fail("takes two or three arguments")
		}
		return words, nil
	case Take123:
		if word(0) == "" || n > 3 {
			return fail("takes one, two or three arguments")
		}
		return words, nil
	case Take13:
		if word(0) == "" || (n == 2 && word(1) != "") || n > 3 {
			return fail("takes one or three arguments")
		}
		return words, nil
	case Iterate:
		if word(0) == "" {
			return fail("requires at least one argument")
		}
		return untilEmpty(words, 0), nil
	case Iterate2:
		if word(0) == "" || n < 2 {
			return fail("requires at least two arguments")
		}
		return append([]string{words[0]}, untilEmpty(words[1:], 0)...), nil
	case Flag:
		w := word(0)
		if !strings.EqualFold(w, "on") && !strings.EqualFold(w, "off") {
			return nil, fmt.Errorf("%s must be On or Off", d.Name)
		}
		return []string{w}, nil
	}
	return nil, fmt.Errorf("%s is improperly configured internally (server bug)", d.Name)
}

// untilEmpty returns words[from:] up to the first empty word: an ITERATE
// loop in Apache stops at "".
func untilEmpty(words []string, from int) []string {
	for i := from; i < len(words); i++ {
		if words[i] == "" {
			return words[from:i]
		}
	}
	return words[from:]
}

func dropEmptyTail(words []string) []string {
	if len(words) == 2 && words[1] == "" {
		return words[:1]
	}
	return words
}
