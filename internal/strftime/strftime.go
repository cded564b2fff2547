// Package strftime is glibc's strftime(3), which Apache's apr_strftime
// calls for the access log's and the error log's %{format}t.
package strftime

import (
	"strconv"
	"strings"
	"time"
)

// strftimeMax is the size of Apache's buffer for a %{format}t
// (MAX_STRING_LEN); what would not fit is not written.
const strftimeMax = 8192

// Append formats t as glibc's strftime(3) does in the C locale,
// as apr_strftime hands a log's %{format}t to it (a port of glibc 2.36's
// __strftime_internal): the GNU flags "_", "-", "0" (padding), "^"
// (upper case) and "#" (swapped case), a field width, the E and O
// modifiers where glibc takes them; a conversion glibc does not know is
// copied as written. A result as long as Apache's buffer is left out:
// strftime then fails, and Apache logs whatever its buffer held.
func Append(b []byte, format string, t time.Time) []byte {
	start := len(b)
	b = strftime(b, format, t)
	if len(b)-start >= strftimeMax {
		return b[:start]
	}
	return b
}

var (
	cWeekdays = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	cMonths   = [...]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
)

// conv is one conversion as its flags, width and modifier shape it.
type conv struct {
	pad          byte // '_', '-', '0' or 0
	width        int  // -1: none
	upper, lower bool
	modifier     byte // 'E', 'O' or 0
}

// add is glibc's add: s after padding up to the field width, with '0'
// for the "0" flag and spaces otherwise, in the case asked for.
func (c *conv) add(b []byte, s string) []byte {
	if n := c.width - len(s); n > 0 {
		fill := byte(' ')
		if c.pad == '0' {
			fill = '0'
		}
		for ; n > 0; n-- {
			b = append(b, fill)
		}
	}
	switch {
	case c.lower:
		s = strings.ToLower(s)
	case c.upper:
		s = strings.ToUpper(s)
	}
	return append(b, s...)
}

// number is glibc's DO_NUMBER (spacepad: DO_NUMBER_SPACEPAD): v in at
// least digits digits, or the field width, padded with zeros, or spaces
// for the "_" flag and for the space-padded conversions; "-" pads
// nothing, but the width still pads the result.
func (c *conv) number(b []byte, digits int, v int64, spacepad bool) []byte {
	if spacepad && c.pad != '0' && c.pad != '-' {
		c.pad = '_'
	}
	return c.signAndPadding(b, max(digits, c.width), v)
}

// signAndPadding is glibc's do_number_sign_and_padding.
func (c *conv) signAndPadding(b []byte, digits int, v int64) []byte {
	s := strconv.FormatInt(v, 10)
	if c.pad != '-' {
		if padding := digits - len(s); padding > 0 {
			if c.pad == '_' {
				for i := 0; i < padding; i++ {
					b = append(b, ' ')
				}
				c.width = max(c.width-padding, 0)
			} else {
				if v < 0 {
					b = append(b, '-')
					s = s[1:]
				}
				for i := 0; i < padding; i++ {
					b = append(b, '0')
				}
				c.width = 0
			}
		}
	}
	return c.add(b, s)
}

// subformat is glibc's subformat: sub expanded, padded to the field
// width as one string, upper-cased for "^".
func (c *conv) subformat(b []byte, sub string, t time.Time) []byte {
	s := string(strftime(nil, sub, t))
	upper := c.upper
	c.upper, c.lower = false, false
	b = c.add(b, s)
	if upper {
		b = append(b[:len(b)-len(s)], strings.ToUpper(s)...)
	}
	return b
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func strftime(b []byte, f string, t time.Time) []byte {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b = append(b, f[i])
			continue
		}
		start := i
		c := conv{width: -1}
		swap := false
	flags:
		for i++; i < len(f); i++ {
			switch f[i] {
			case '_', '-', '0':
				c.pad = f[i]
			case '^':
				c.upper = true
			case '#':
				swap = true
			default:
				break flags
			}
		}
		if i < len(f) && isDigit(f[i]) {
			c.width = 0
			for ; i < len(f) && isDigit(f[i]); i++ {
				c.width = min(c.width*10+int(f[i]-'0'), strftimeMax)
			}
		}
		if i < len(f) && (f[i] == 'E' || f[i] == 'O') {
			c.modifier = f[i]
			i++
		}
		if i >= len(f) {
			// A '%' at the end: the spec is copied as written.
			return c.add(b, f[start:])
		}
		bad := false
		b, bad = c.convert(b, f[i], swap, t)
		if bad {
			b = c.add(b, f[start:i+1])
		}
	}
	return b
}

// convert appends conversion ch; bad reports a conversion glibc does not
// take (with this modifier), which the caller copies as written.
func (c *conv) convert(b []byte, ch byte, swap bool, t time.Time) (_ []byte, bad bool) {
	noE := c.modifier == 'E'
	noMod := c.modifier != 0
	textual := func() {
		if swap {
			c.upper, c.lower = true, false
		}
	}
	year := t.Year()
	switch ch {
	case '%':
		if noMod {
			return b, true
		}
		return c.add(b, "%"), false
	case 'a', 'A':
		if noMod {
			return b, true
		}
		textual()
		day := cWeekdays[t.Weekday()]
		if ch == 'a' {
			day = day[:3]
		}
		return c.add(b, day), false
	case 'b', 'h', 'B':
		textual()
		if noE {
			return b, true
		}
		month := cMonths[t.Month()-1]
		if ch != 'B' {
			month = month[:3]
		}
		return c.add(b, month), false
	case 'c':
		if c.modifier == 'O' {
			return b, true
		}
		return c.subformat(b, "%a %b %e %H:%M:%S %Y", t), false
	case 'C':
		return c.number(b, 1, int64(year/100), false), false
	case 'x':
		if c.modifier == 'O' {
			return b, true
		}
		return c.subformat(b, "%m/%d/%y", t), false
	case 'D':
		if noMod {
			return b, true
		}
		return c.subformat(b, "%m/%d/%y", t), false
	case 'd':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64(t.Day()), false), false
	case 'e':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64(t.Day()), true), false
	case 'F':
		if noMod {
			return b, true
		}
		return c.subformat(b, "%Y-%m-%d", t), false
	case 'H', 'k':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64(t.Hour()), ch == 'k'), false
	case 'I', 'l':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64(hour12(t)), ch == 'l'), false
	case 'j':
		if noE {
			return b, true
		}
		return c.number(b, 3, int64(t.YearDay()), false), false
	case 'M':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64(t.Minute()), false), false
	case 'm':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64(t.Month()), false), false
	case 'n':
		return c.add(b, "\n"), false
	case 't':
		return c.add(b, "\t"), false
	case 'P', 'p':
		if ch == 'P' || swap {
			c.upper, c.lower = false, true
		}
		if t.Hour() > 11 {
			return c.add(b, "PM"), false
		}
		return c.add(b, "AM"), false
	case 'R':
		return c.subformat(b, "%H:%M", t), false
	case 'r':
		return c.subformat(b, "%I:%M:%S %p", t), false
	case 'S':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64(t.Second()), false), false
	case 's':
		return c.signAndPadding(b, 1, t.Unix()), false
	case 'X':
		if c.modifier == 'O' {
			return b, true
		}
		return c.subformat(b, "%H:%M:%S", t), false
	case 'T':
		return c.subformat(b, "%H:%M:%S", t), false
	case 'u':
		wd := int64(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return c.number(b, 1, wd, false), false
	case 'U':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64((t.YearDay()+6-int(t.Weekday()))/7), false), false
	case 'V', 'g', 'G':
		if noE {
			return b, true
		}
		y, w := t.ISOWeek()
		switch ch {
		case 'g':
			return c.number(b, 2, int64((y%100+100)%100), false), false
		case 'G':
			return c.number(b, 1, int64(y), false), false
		}
		return c.number(b, 2, int64(w), false), false
	case 'W':
		if noE {
			return b, true
		}
		return c.number(b, 2, int64((t.YearDay()+6-(int(t.Weekday())+6)%7)/7), false), false
	case 'w':
		if noE {
			return b, true
		}
		return c.number(b, 1, int64(t.Weekday()), false), false
	case 'Y':
		if c.modifier == 'O' {
			return b, true
		}
		return c.number(b, 1, int64(year), false), false
	case 'y':
		return c.number(b, 2, int64((year%100+100)%100), false), false
	case 'Z':
		if swap {
			c.upper, c.lower = false, true
		}
		name, _ := t.Zone()
		return c.add(b, name), false
	case 'z':
		_, off := t.Zone()
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		b = c.add(b, sign)
		off /= 60
		return c.number(b, 4, int64(off/60*100+off%60), false), false
	}
	return b, true
}

func hour12(t time.Time) int {
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	return h
}

// pad appends n in at least width digits, padded with fill.
func pad(b []byte, n, width int, fill byte) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(d); i < width; i++ {
		b = append(b, fill)
	}
	return append(b, d...)
}
