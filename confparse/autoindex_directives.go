package confparse

import (
	"errors"
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
