package confparse

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// IndexIcon is one AddIcon, AddIconByType or AddIconByEncoding (Alt
// false), or AddAlt, AddAltByType or AddAltByEncoding (Alt true) line:
// mod_autoindex's icon and alt-text lists.
type IndexIcon struct {
	// Kind is "path", "type" or "encoding".
	Kind string
	// Value is the icon (a URL, or "(ALT,/url)") or the alt text.
	Value string
	Names []string
	Alt   bool
	// Dir is the enclosing section's path (cmd->path), "" at server
	// scope: an entry applies to files under it.
	Dir string
}

// IndexDescription is one AddDescription: the text and the files it
// describes.
type IndexDescription struct {
	Text  string
	Files []string
}

// applyAddIcon is add_icon and add_alt: the value, then names.
func applyAddIcon(c *Cmd) error {
	name := strings.ToLower(c.Directive.Name)
	if !strings.HasPrefix(name, "addalt") && strings.HasPrefix(c.Args[0], "(") && !strings.Contains(c.Args[0], ")") {
		// add_icon: an "(ALT,/url)" icon needs its closing paren.
		return errors.New("missing closing paren")
	}
	kind := "path"
	switch {
	case strings.HasSuffix(name, "bytype"):
		kind = "type"
	case strings.HasSuffix(name, "byencoding"):
		kind = "encoding"
	}
	c.Dir.IndexIcons = append(c.Dir.IndexIcons, IndexIcon{Kind: kind, Value: c.Args[0], Names: c.Args[1:],
		Alt: strings.HasPrefix(name, "addalt"), Dir: c.Path})
	return nil
}

func applyAddDescription(c *Cmd) error {
	c.Dir.IndexDescriptions = append(c.Dir.IndexDescriptions, IndexDescription{Text: c.Args[0], Files: c.Args[1:]})
	return nil
}

func applyDefaultIcon(c *Cmd) error {
	c.Dir.DefaultIcon = ptr(c.Args[0])
	return nil
}

func applyHeaderName(c *Cmd) error {
	c.Dir.HeaderName = ptr(c.Args[0])
	return nil
}

func applyReadmeName(c *Cmd) error {
	c.Dir.ReadmeName = ptr(c.Args[0])
	return nil
}

func applyIndexStyleSheet(c *Cmd) error {
	c.Dir.IndexStyleSheet = ptr(c.Args[0])
	return nil
}

func applyIndexHeadInsert(c *Cmd) error {
	c.Dir.IndexHeadInsert = ptr(c.Args[0])
	return nil
}

// applyIndexOrderDefault is set_default_order.
func applyIndexOrderDefault(c *Cmd) error {
	switch strings.ToLower(c.Args[0]) {
	case "ascending", "descending":
	default:
		return errors.New("First keyword must be 'Ascending' or 'Descending'")
	}
	switch strings.ToLower(c.Args[1]) {
	case "name", "date", "size", "description":
	default:
		return errors.New("Second keyword must be 'Name', 'Date', 'Size', or 'Description'")
	}
	c.Dir.IndexOrderDefault = []string{c.Args[0], c.Args[1]}
	return nil
}

// IndexOptions option keywords (add_opts), lower-cased.
var indexOptionWords = map[string]bool{
	"fancyindexing": true, "foldersfirst": true, "htmltable": true, "iconsarelinks": true,
	"ignorecase": true, "ignoreclient": true, "scanhtmltitles": true, "suppresscolumnsorting": true,
	"suppressdescription": true, "suppresshtmlpreamble": true, "suppressicon": true,
	"suppresslastmodified": true, "suppresssize": true, "suppressrules": true, "trackmodified": true,
	"versionsort": true, "xhtml": true, "showforbidden": true, "addaltclass": true,
}

// checkIndexOptions is add_opts's checking of one IndexOptions line,
// words, given the words of the section's earlier lines (which passed):
// the record's options carry over from line to line, so "None" on one
// line and a keyword on a later one are refused as on one line.
func checkIndexOptions(section, words []string) error {
	// none and others follow add_opts's opts for the None check only.
	none, others := false, false
	for i, w := range append(slices.Clip(section), words...) {
		var action byte
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		}
		option := false
		lw := strings.ToLower(w)
		var err string
		switch {
		case indexOptionWords[lw]:
			option = true
		case lw == "none":
			if action != 0 {
				err = "Cannot combine '+' or '-' with 'None' keyword"
				break
			}
			none, others = true, false
		case lw == "iconwidth", lw == "iconheight", strings.HasPrefix(lw, "type="),
			strings.HasPrefix(lw, "charset="), lw == "useolddateformat":
		case strings.HasPrefix(lw, "iconwidth="), strings.HasPrefix(lw, "iconheight="):
			if action == '-' {
				err = "Cannot combine '-' with IconWidth=n"
				if lw[4] == 'h' {
					err = "Cannot combine '-' with IconHeight=n"
				}
			}
		case lw == "namewidth", lw == "descriptionwidth":
			if action != '-' {
				name := "NameWidth"
				if lw[0] == 'd' {
					name = "DescriptionWidth"
				}
				err = name + " with no value may only appear as '-" + name + "'"
			}
		case strings.HasPrefix(lw, "namewidth="), strings.HasPrefix(lw, "descriptionwidth="):
			name, min := "NameWidth", int64(5)
			if lw[0] == 'd' {
				name, min = "DescriptionWidth", 12
			}
			v := w[len(name)+1:]
			switch {
			case action == '-':
				err = "Cannot combine '-' with " + name + "=n"
			case strings.HasPrefix(v, "*"):
			default:
				if width := cAtoi(v); width != 0 && width < min {
					err = fmt.Sprintf("%s value must be greater than %d", name, min)
				}
			}
		default:
			err = "Invalid directory indexing option"
		}
		if err != "" {
			if i < len(section) {
				// Cannot happen: the earlier lines passed.
				continue
			}
			return errors.New(err)
		}
		if option && action == 0 {
			others = true
		}
	}
	if none && others {
		return errors.New("Cannot combine other IndexOptions keywords with 'None'")
	}
	return nil
}
