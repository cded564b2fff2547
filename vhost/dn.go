package vhost

import (
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// dnEntry is one attribute of a distinguished name, in the order of the
// certificate's encoding (OpenSSL's X509_NAME entries): set numbers the
// RDN it belongs to, so that a multi-valued RDN's attributes share one.
type dnEntry struct {
	oid   asn1.ObjectIdentifier
	set   int
	value asn1.RawValue
}

// parseDN reads a DER RDNSequence (a certificate's RawSubject or
// RawIssuer) into its attributes, keeping every one, known or not.
func parseDN(der []byte) ([]dnEntry, bool) {
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) > 0 || seq.Tag != asn1.TagSequence {
		return nil, false
	}
	var out []dnEntry
	for set, rdns := 0, seq.Bytes; len(rdns) > 0; set++ {
		var rdn asn1.RawValue
		var err error
		if rdns, err = asn1.Unmarshal(rdns, &rdn); err != nil || rdn.Tag != asn1.TagSet {
			return nil, false
		}
		for atvs := rdn.Bytes; len(atvs) > 0; {
			var atv asn1.RawValue
			if atvs, err = asn1.Unmarshal(atvs, &atv); err != nil || atv.Tag != asn1.TagSequence {
				return nil, false
			}
			var e dnEntry
			rest, err := asn1.Unmarshal(atv.Bytes, &e.oid)
			if err != nil {
				return nil, false
			}
			if _, err := asn1.Unmarshal(rest, &e.value); err != nil {
				return nil, false
			}
			e.set = set
			out = append(out, e)
		}
	}
	return out, true
}

// opensslShortNames are OpenSSL's short names of the attributes a
// distinguished name may have (XN_FLAG_FN_SN); another is printed as
// its dotted OID, with its value dumped.
var opensslShortNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C", "2.5.4.7": "L",
	"2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "title",
	"2.5.4.13": "description", "2.5.4.14": "searchGuide", "2.5.4.15": "businessCategory",
	"2.5.4.16": "postalAddress", "2.5.4.17": "postalCode", "2.5.4.18": "postOfficeBox",
	"2.5.4.19": "physicalDeliveryOfficeName", "2.5.4.20": "telephoneNumber", "2.5.4.41": "name",
	"2.5.4.42": "GN", "2.5.4.43": "initials", "2.5.4.44": "generationQualifier",
	"2.5.4.45": "x500UniqueIdentifier", "2.5.4.46": "dnQualifier", "2.5.4.65": "pseudonym",
	"2.5.4.72": "role", "2.5.4.97": "organizationIdentifier",
	"1.2.840.113549.1.9.1": "emailAddress", "1.2.840.113549.1.9.2": "unstructuredName",
	"1.2.840.113549.1.9.8":       "unstructuredAddress",
	"0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID", "0.9.2342.19200300.100.1.3": "mail",
	"1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL", "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
}

// ASN1_STRING_print_ex's flags, as OpenSSL numbers them.
const (
	strEsc2253    = 1    // ASN1_STRFLGS_ESC_2253
	strEscCtrl    = 2    // ASN1_STRFLGS_ESC_CTRL
	strEscMSB     = 4    // ASN1_STRFLGS_ESC_MSB
	escFirst2253  = 0x20 // CHARTYPE_FIRST_ESC_2253
	escLast2253   = 0x40 // CHARTYPE_LAST_ESC_2253
	escBackslash  = strEsc2253 | escFirst2253 | escLast2253
	strUTF8       = 0x10  // ASN1_STRFLGS_UTF8_CONVERT
	strDumpAll    = 0x80  // ASN1_STRFLGS_DUMP_ALL
	strDumpUnkown = 0x100 // ASN1_STRFLGS_DUMP_UNKNOWN
)

// charType is the part of OpenSSL's char_type table (charmap.h) that
// escaping reads, for ASCII.
func charType(c byte) int {
	switch {
	case c < ' ' || c == 0x7f:
		return strEscCtrl
	case c == ' ':
		return escFirst2253 | escLast2253
	case c == '#':
		return escFirst2253
	case strings.IndexByte(`"+,;<>\`, c) >= 0:
		return strEsc2253
	}
	return 0
}

// charWidth is OpenSSL's tag2nbyte: how the characters of a string type
// are encoded (0 UTF-8, 1, 2 or 4 bytes each; -1 not a string).
func charWidth(v asn1.RawValue) int {
	if v.Class != asn1.ClassUniversal || v.IsCompound {
		return -1
	}
	switch v.Tag {
	case asn1.TagUTF8String:
		return 0
	case asn1.TagNumericString, asn1.TagPrintableString, asn1.TagT61String, asn1.TagIA5String, 26, 27:
		return 1
	case 28: // UniversalString
		return 4
	case asn1.TagBMPString:
		return 2
	}
	return -1
}

// printASN1String is OpenSSL's ASN1_STRING_print_ex (do_print_ex) with
// flags.
func printASN1String(b *strings.Builder, v asn1.RawValue, flags int) {
	width := charWidth(v)
	if flags&strDumpAll != 0 {
		width = -1
	} else if width == -1 && flags&strDumpUnkown == 0 {
		width = 1
	}
	if width == -1 {
		// The DER of the value, in hex (ASN1_STRFLGS_DUMP_DER).
		fmt.Fprintf(b, "#%X", v.FullBytes)
		return
	}
	convert := false
	if flags&strUTF8 != 0 {
		if width == 0 {
			width = 1 // UTF-8 already: byte by byte
		} else {
			convert = true
		}
	}
	esc := flags & (strEsc2253 | strEscCtrl | strEscMSB)
	p := v.Bytes
	first := true
	for len(p) > 0 {
		or := 0
		if first && esc&strEsc2253 != 0 {
			or = escFirst2253
		}
		first = false
		var c rune
		switch width {
		case 4:
			if len(p) < 4 {
				return
			}
			c, p = rune(binary.BigEndian.Uint32(p)), p[4:]
		case 2:
			if len(p) < 2 {
				return
			}
			c, p = rune(binary.BigEndian.Uint16(p)), p[2:] // UCS-2
		case 1:
			c, p = rune(p[0]), p[1:]
		case 0:
			r, n := utf8.DecodeRune(p)
			if r == utf8.RuneError && n <= 1 {
				return
			}
			c, p = r, p[n:]
		}
		if len(p) == 0 && esc&strEsc2253 != 0 {
			or = escLast2253
		}
		if convert {
			var buf [utf8.UTFMax]byte
			n := utf8.EncodeRune(buf[:], c)
			for _, x := range buf[:n] {
				escChar(b, rune(x), esc|or)
			}
		} else {
			escChar(b, c, esc|or)
		}
	}
}

// escChar is OpenSSL's do_esc_char.
func escChar(b *strings.Builder, c rune, flags int) {
	switch {
	case c > 0xffff:
		fmt.Fprintf(b, "\\W%08X", c)
		return
	case c > 0xff:
		fmt.Fprintf(b, "\\U%04X", c)
		return
	}
	ch := byte(c)
	var chflags int
	if ch > 0x7f {
		chflags = flags & strEscMSB
	} else {
		chflags = charType(ch) & flags
	}
	switch {
	case chflags&escBackslash != 0:
		b.WriteByte('\\')
		b.WriteByte(ch)
	case chflags&(strEscCtrl|strEscMSB|strEsc2253) != 0:
		fmt.Fprintf(b, "\\%02X", ch)
	case ch == '\\' && flags&(strEscCtrl|strEscMSB|strEsc2253) != 0:
		b.WriteString(`\\`)
	default:
		b.WriteByte(ch)
	}
}

// rfc2253DN is a distinguished name as mod_ssl prints it
// (modssl_X509_NAME_to_string: X509_NAME_print_ex with XN_FLAG_RFC2253
// less ASN1_STRFLGS_ESC_MSB, as Apache 2.4.71 prints it): the last
// attribute first, a multi-valued RDN's joined with '+', OpenSSL's short
// names, RFC 2253 escapes, UTF-8 as is; an attribute OpenSSL does not
// know as its OID and the hex of its value's DER.
func rfc2253DN(der []byte) string {
	entries, ok := parseDN(der)
	if !ok {
		return ""
	}
	var b strings.Builder
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if i < len(entries)-1 {
			if e.set == entries[i+1].set {
				b.WriteByte('+')
			} else {
				b.WriteByte(',')
			}
		}
		flags := strEsc2253 | strEscCtrl | strUTF8 | strDumpUnkown
		name, known := opensslShortNames[e.oid.String()]
		if !known {
			name = e.oid.String()
			flags |= strDumpAll
		}
		b.WriteString(name + "=")
		printASN1String(&b, e.value, flags)
	}
	return b.String()
}

// dnEntryString is modssl_X509_NAME_ENTRY_to_string: the value with
// control characters (and backslashes) escaped, converted to UTF-8
// unless raw.
func dnEntryString(v asn1.RawValue, raw bool) string {
	flags := strEscCtrl
	if !raw {
		flags |= strUTF8
	}
	var b strings.Builder
	printASN1String(&b, v, flags)
	return b.String()
}

// dnVarNames are mod_ssl's names of the DN attributes its _DN_ variables
// give (ssl_var_lookup_ssl_cert_dn_rec); export marks those
// +StdEnvVars exports (SP is ST's old name, for lookups only).
var dnVarNames = []struct {
	name, oid string
	export    bool
}{
	{"C", "2.5.4.6", true}, {"ST", "2.5.4.8", true}, {"SP", "2.5.4.8", false}, {"L", "2.5.4.7", true},
	{"O", "2.5.4.10", true}, {"OU", "2.5.4.11", true}, {"CN", "2.5.4.3", true}, {"T", "2.5.4.12", true},
	{"I", "2.5.4.43", true}, {"G", "2.5.4.42", true}, {"S", "2.5.4.4", true}, {"D", "2.5.4.13", true},
	{"SerialNumber", "2.5.4.5", true}, {"UID", "0.9.2342.19200300.100.1.1", true},
	{"Email", "1.2.840.113549.1.9.1", true},
}

// dnParts sets prefix+NAME for each attribute of the DN that mod_ssl
// exports (extract_dn): a repeated one as NAME, NAME_1, ... in the
// certificate's order.
func dnParts(set func(k, v string), prefix string, der []byte) {
	entries, ok := parseDN(der)
	if !ok {
		return
	}
	seen := map[string]int{}
	for _, e := range entries {
		oid := e.oid.String()
		for _, n := range dnVarNames {
			if !n.export || n.oid != oid {
				continue
			}
			k := prefix + n.name
			if i := seen[oid]; i > 0 {
				k += fmt.Sprintf("_%d", i)
			}
			seen[oid]++
			set(k, dnEntryString(e.value, false))
			break
		}
	}
}

// dnLookup is ssl_var_lookup_ssl_cert_dn: NAME, NAME_n (the n-th such
// attribute, from 0) or either with _RAW (not converted to UTF-8), of
// the names mod_ssl knows.
func dnLookup(der []byte, name string) (string, bool) {
	raw := false
	if i := strings.LastIndexByte(name, '_'); i > 0 && name[i+1:] == "RAW" {
		name, raw = name[:i], true
	}
	idx := 0
	if i := strings.IndexByte(name, '_'); i >= 0 && strings.Trim(name[i+1:], "0123456789") == "" {
		idx = atoiDigits(name[i+1:])
		name = name[:i]
	}
	for _, n := range dnVarNames {
		if n.name != name {
			continue
		}
		entries, _ := parseDN(der)
		for _, e := range entries {
			if e.oid.String() == n.oid {
				if idx == 0 {
					return dnEntryString(e.value, raw), true
				}
				idx--
			}
		}
		return "", false
	}
	return "", false
}

// atoiDigits is atoi of a string of digits.
func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
