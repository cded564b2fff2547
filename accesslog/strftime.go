package accesslog

import (
	"strconv"
	"time"
)

// appendStrftime formats t as C's strftime(3) does in the C locale, as
// apr_strftime hands %{format}t to it. The E and O modifiers are
// ignored; an unknown conversion is copied as written, as glibc does.
func appendStrftime(b []byte, format string, t time.Time) []byte {
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b = append(b, c)
			continue
		}
		start := i
		i++
		for i < len(format) && (format[i] == 'E' || format[i] == 'O') {
			i++
		}
		if i >= len(format) {
			b = append(b, format[start:]...)
			break
		}
		b = appendConversion(b, format[i], format[start:i+1], t)
	}
	return b
}

var (
	cWeekdays = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	cMonths   = [...]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
)

func appendConversion(b []byte, c byte, spec string, t time.Time) []byte {
	switch c {
	case 'a':
		return append(b, cWeekdays[t.Weekday()][:3]...)
	case 'A':
		return append(b, cWeekdays[t.Weekday()]...)
	case 'b', 'h':
		return append(b, cMonths[t.Month()-1][:3]...)
	case 'B':
		return append(b, cMonths[t.Month()-1]...)
	case 'c':
		return appendStrftime(b, "%a %b %e %H:%M:%S %Y", t)
	case 'C':
		return pad(b, t.Year()/100, 2, '0')
	case 'd':
		return pad(b, t.Day(), 2, '0')
	case 'D':
		return appendStrftime(b, "%m/%d/%y", t)
	case 'e':
		return pad(b, t.Day(), 2, ' ')
	case 'F':
		return appendStrftime(b, "%Y-%m-%d", t)
	case 'g':
		y, _ := t.ISOWeek()
		return pad(b, y%100, 2, '0')
	case 'G':
		y, _ := t.ISOWeek()
		return strconv.AppendInt(b, int64(y), 10)
	case 'H':
		return pad(b, t.Hour(), 2, '0')
	case 'I':
		return pad(b, hour12(t), 2, '0')
	case 'j':
		return pad(b, t.YearDay(), 3, '0')
	case 'k':
		return pad(b, t.Hour(), 2, ' ')
	case 'l':
		return pad(b, hour12(t), 2, ' ')
	case 'm':
		return pad(b, int(t.Month()), 2, '0')
	case 'M':
		return pad(b, t.Minute(), 2, '0')
	case 'n':
		return append(b, '\n')
	case 'p':
		if t.Hour() < 12 {
			return append(b, "AM"...)
		}
		return append(b, "PM"...)
	case 'P':
		if t.Hour() < 12 {
			return append(b, "am"...)
		}
		return append(b, "pm"...)
	case 'r':
		return appendStrftime(b, "%I:%M:%S %p", t)
	case 'R':
		return appendStrftime(b, "%H:%M", t)
	case 's':
		return strconv.AppendInt(b, t.Unix(), 10)
	case 'S':
		return pad(b, t.Second(), 2, '0')
	case 't':
		return append(b, '\t')
	case 'T':
		return appendStrftime(b, "%H:%M:%S", t)
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return strconv.AppendInt(b, int64(wd), 10)
	case 'U':
		return pad(b, (t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
	case 'V':
		_, w := t.ISOWeek()
		return pad(b, w, 2, '0')
	case 'w':
		return strconv.AppendInt(b, int64(t.Weekday()), 10)
	case 'W':
		return pad(b, (t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
	case 'x':
		return appendStrftime(b, "%m/%d/%y", t)
	case 'X':
		return appendStrftime(b, "%H:%M:%S", t)
	case 'y':
		return pad(b, t.Year()%100, 2, '0')
	case 'Y':
		return strconv.AppendInt(b, int64(t.Year()), 10)
	case 'z':
		_, off := t.Zone()
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		b = append(b, sign)
		b = pad(b, off/3600, 2, '0')
		return pad(b, off%3600/60, 2, '0')
	case 'Z':
		name, _ := t.Zone()
		return append(b, name...)
	case '%':
		return append(b, '%')
	}
	return append(b, spec...)
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
