package static

import (
	"net/http"
	"time"
)

// dateCheckmask is apr_date_checkmask: '@' upper-case letter, '$' lower-case
// letter, '#' digit, '&' hex digit, '~' digit or space, '*' anything from
// here on, other bytes literally; the data must end where the mask ends.
func dateCheckmask(data, mask string) bool {
	for i := 0; ; i++ {
		var d byte
		if i < len(data) {
			d = data[i]
		}
		if i >= len(mask) {
			return d == 0
		}
		switch m := mask[i]; m {
		case '*':
			return true
		case '@':
			if d < 'A' || d > 'Z' {
				return false
			}
		case '$':
			if d < 'a' || d > 'z' {
				return false
			}
		case '#':
			if d < '0' || d > '9' {
				return false
			}
		case '&':
			if !(d >= '0' && d <= '9' || d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F') {
				return false
			}
		case '~':
			if d != ' ' && (d < '0' || d > '9') {
				return false
			}
		default:
			if m != d {
				return false
			}
		}
	}
}

var months = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// parseHTTPDate is apr_date_parse_http reduced to seconds (apr_time_sec):
// RFC 1123 (with one- or two-digit day), RFC 850 and asctime dates after a
// weekday word; anything after the time is ignored and the date is taken as
// GMT. It returns 0 (APR_DATE_BAD) for anything else, and for dates before
// 1970.
func parseHTTPDate(date string) int64 {
	i := 0
	for i < len(date) && isSpace(date[i]) {
		i++
	}
	if i == len(date) {
		return 0
	}
	sp := -1
	for j := i; j < len(date); j++ {
		if date[j] == ' ' {
			sp = j
			break
		}
	}
	if sp < 0 {
		return 0
	}
	d := date[sp+1:]
	dig := func(k int) int {
		if k < len(d) {
			return int(d[k]) - '0'
		}
		return -'0'
	}
	var year, mday int
	var monstr, timstr string
	switch {
	case dateCheckmask(d, "## @$$ #### ##:##:## *"):
		year = (dig(7)*10 + dig(8) - 19) * 100
		if year < 0 {
			return 0
		}
		year += dig(9)*10 + dig(10)
		mday = dig(0)*10 + dig(1)
		monstr, timstr = d[3:], d[12:]
	case dateCheckmask(d, "##-@$$-## ##:##:## *"):
		year = dig(7)*10 + dig(8)
		if year < 70 {
			year += 100
		}
		mday = dig(0)*10 + dig(1)
		monstr, timstr = d[3:], d[10:]
	case dateCheckmask(d, "@$$ ~# ##:##:## ####*"):
		year = (dig(16)*10 + dig(17) - 19) * 100
		if year < 0 {
			return 0
		}
		year += dig(18)*10 + dig(19)
		if d[4] != ' ' {
			mday = dig(4) * 10
		}
		mday += dig(5)
		monstr, timstr = d, d[7:]
	case dateCheckmask(d, "# @$$ #### ##:##:## *"):
		year = (dig(6)*10 + dig(7) - 19) * 100
		if year < 0 {
			return 0
		}
		year += dig(8)*10 + dig(9)
		mday = dig(0)
		monstr, timstr = d[2:], d[11:]
	default:
		return 0
	}
	if mday <= 0 || mday > 31 {
		return 0
	}
	t2 := func(k int) int { return (int(timstr[k])-'0')*10 + int(timstr[k+1]) - '0' }
	hour, minute, sec := t2(0), t2(3), t2(6)
	if hour > 23 || minute > 59 || sec > 61 {
		return 0
	}
	mon := 0
	for mon < 12 && monstr[:3] != months[mon] {
		mon++
	}
	if mon == 12 {
		return 0
	}
	if mday == 31 && (mon == 3 || mon == 5 || mon == 8 || mon == 10) {
		return 0
	}
	if mon == 1 && (mday > 29 || (mday == 29 && (year&3 != 0 || (year%100 == 0 && year%400 != 100)))) {
		return 0
	}
	t := time.Date(1900+year, time.Month(mon+1), mday, hour, minute, sec, 0, time.UTC).Unix()
	if t < 0 {
		return 0
	}
	return t
}

// httpDate is apr_rfc822_date.
func httpDate(sec int64) string {
	return time.Unix(sec, 0).UTC().Format(http.TimeFormat)
}
