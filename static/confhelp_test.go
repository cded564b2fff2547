package static

import (
	"strings"
	"testing"
)

// Test-only helpers that turn directive text into the option structs, so
// that the differential tests can give Apache and ServeIndex/Resolve the
// very same settings.

// confWords splits config text into directive lines of words.
func confWords(conf string) [][]string {
	var out [][]string
	for _, line := range strings.Split(conf, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var words []string
		for line != "" {
			var w string
			w, line = getwordConf(line)
			words = append(words, w)
		}
		out = append(out, words)
	}
	return out
}

// mimeDirFromConf reads AddType, AddCharset, AddEncoding, AddLanguage,
// AddHandler, RemoveType, DefaultLanguage, ForceType and AddDefaultCharset.
func mimeDirFromConf(conf string) MimeDir {
	d := MimeDir{Types: map[string]string{}, Charsets: map[string]string{}, Encodings: map[string]string{},
		Languages: map[string]string{}, Handlers: map[string]string{}}
	for _, w := range confWords(conf) {
		set := func(m map[string]string) {
			for _, ext := range w[2:] {
				m[strings.TrimPrefix(asciiLower(ext), ".")] = asciiLower(w[1])
			}
		}
		switch asciiLower(w[0]) {
		case "addtype":
			set(d.Types)
		case "addcharset":
			set(d.Charsets)
		case "addencoding":
			set(d.Encodings)
		case "addlanguage":
			set(d.Languages)
		case "addhandler":
			set(d.Handlers)
		case "removetype":
			for _, ext := range w[1:] {
				d.Types[strings.TrimPrefix(asciiLower(ext), ".")] = ""
			}
		case "defaultlanguage":
			d.DefaultLanguage = w[1]
		case "forcetype":
			d.ForceType = asciiLower(w[1])
		case "adddefaultcharset":
			switch asciiLower(w[1]) {
			case "off":
				d.DefaultCharset = ""
			case "on":
				d.DefaultCharset = "iso-8859-1"
			default:
				d.DefaultCharset = w[1]
			}
		}
	}
	return d
}

// addIndexConf adds the mod_autoindex directives of one section (dir is its
// <Directory> path, "" for server or virtual host context). Sections are
// added outermost first: IndexOptions words are appended, and the section's
// icon, alt, description and ignore entries go in front of the inherited
// ones, as in Apache's merged lists.
func addIndexConf(t *testing.T, o *IndexOptions, conf, dir string) {
	t.Helper()
	var words []string
	outer := *o
	o.Icons, o.Alts, o.Descriptions, o.Ignore = nil, nil, nil, nil
	defer func() {
		o.Icons = append(o.Icons, outer.Icons...)
		o.Alts = append(o.Alts, outer.Alts...)
		o.Descriptions = append(o.Descriptions, outer.Descriptions...)
		o.Ignore = append(o.Ignore, outer.Ignore...)
	}()
	for _, w := range confWords(conf) {
		switch asciiLower(w[0]) {
		case "indexoptions":
			words = append(words, w[1:]...)
		case "indexorderdefault":
			o.OrderDefault = w[1:]
		case "addicon", "addiconbytype", "addiconbyencoding":
			kind := map[string]ItemKind{"addicon": ByPath, "addiconbytype": ByType, "addiconbyencoding": ByEncoding}[asciiLower(w[0])]
			icons, alts, err := ParseAddIcon(kind, dir, w[1], w[2:]...)
			if err != nil {
				t.Fatal(err)
			}
			o.Icons = append(o.Icons, icons...)
			o.Alts = append(o.Alts, alts...)
		case "addalt", "addaltbytype", "addaltbyencoding":
			kind := map[string]ItemKind{"addalt": ByPath, "addaltbytype": ByType, "addaltbyencoding": ByEncoding}[asciiLower(w[0])]
			for _, n := range w[2:] {
				o.Alts = append(o.Alts, IndexItem{Kind: kind, Match: n, Value: w[1], Dir: dir})
			}
		case "adddescription":
			for _, n := range w[2:] {
				o.Descriptions = append(o.Descriptions, IndexDescription{Match: n, Text: w[1]})
			}
		case "indexignore":
			for _, p := range w[1:] {
				o.Ignore = append(o.Ignore, IndexIgnore{Pattern: p, Dir: dir})
			}
		case "defaulticon":
			o.DefaultIcon = w[1]
		case "readmename":
			o.ReadmeName = w[1]
		case "headername":
			o.HeaderName = w[1]
		case "indexstylesheet":
			o.StyleSheet = w[1]
		case "indexheadinsert":
			o.HeadInsert = w[1]
		}
	}
	if words != nil {
		o.Options = append(o.Options[:len(o.Options):len(o.Options)], words)
	}
}

// debianAutoindexConf is the directive part of Debian 12's stock
// /etc/apache2/mods-available/autoindex.conf (its <Directory> for the
// icons left out).
const debianAutoindexConf = `
IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* DescriptionWidth=* Charset=UTF-8
AddIconByEncoding (CMP,/icons/compressed.gif) x-compress x-gzip x-bzip2
AddIconByType (TXT,/icons/text.gif) text/*
AddIconByType (IMG,/icons/image2.gif) image/*
AddIconByType (SND,/icons/sound2.gif) audio/*
AddIconByType (VID,/icons/movie.gif) video/*
AddIcon /icons/binary.gif .bin .exe
AddIcon /icons/binhex.gif .hqx
AddIcon /icons/tar.gif .tar
AddIcon /icons/world2.gif .wrl .wrl.gz .vrml .vrm .iv
AddIcon /icons/compressed.gif .Z .z .tgz .gz .zip
AddIcon /icons/a.gif .ps .ai .eps
AddIcon /icons/layout.gif .html .shtml .htm .pdf
AddIcon /icons/text.gif .txt
AddIcon /icons/c.gif .c
AddIcon /icons/p.gif .pl .py
AddIcon /icons/f.gif .for
AddIcon /icons/dvi.gif .dvi
AddIcon /icons/uuencoded.gif .uu
AddIcon /icons/script.gif .conf .sh .shar .csh .ksh .tcl
AddIcon /icons/tex.gif .tex
AddIcon /icons/bomb.gif /core
AddIcon (SND,/icons/sound2.gif) .ogg
AddIcon (VID,/icons/movie.gif) .ogm
AddIcon /icons/back.gif ..
AddIcon /icons/hand.right.gif README
AddIcon /icons/folder.gif ^^DIRECTORY^^
AddIcon /icons/blank.gif ^^BLANKICON^^
AddIcon /icons/odf6odt-20x22.png .odt
AddIcon /icons/odf6ods-20x22.png .ods
AddIcon /icons/odf6odp-20x22.png .odp
AddIcon /icons/odf6odg-20x22.png .odg
AddIcon /icons/odf6odc-20x22.png .odc
AddIcon /icons/odf6odf-20x22.png .odf
AddIcon /icons/odf6odb-20x22.png .odb
AddIcon /icons/odf6odi-20x22.png .odi
AddIcon /icons/odf6odm-20x22.png .odm
AddIcon /icons/odf6ott-20x22.png .ott
AddIcon /icons/odf6ots-20x22.png .ots
AddIcon /icons/odf6otp-20x22.png .otp
AddIcon /icons/odf6otg-20x22.png .otg
AddIcon /icons/odf6otc-20x22.png .otc
AddIcon /icons/odf6otf-20x22.png .otf
AddIcon /icons/odf6oti-20x22.png .oti
AddIcon /icons/odf6oth-20x22.png .oth
DefaultIcon /icons/unknown.gif
ReadmeName README.html
HeaderName HEADER.html
IndexIgnore .??* *~ *# RCS CVS *,v *,t
`
