// Package proxyproto reads the PROXY protocol header (version 1 text,
// version 2 binary) that a load balancer such as HAProxy sends ahead of
// a connection's first request, the way Apache's mod_remoteip reads it
// with RemoteIPProxyProtocol On: the same bytes are consumed, the same
// headers are refused, with mod_remoteip's error messages.
package proxyproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// Header is what a PROXY header says about the connection.
type Header struct {
	// Client is the address and port of the client the balancer
	// relays. It is invalid when the header names no client (v1
	// UNKNOWN, v2 LOCAL): the connection's peer is the client then.
	Client netip.AddrPort
}

// Error is a PROXY header mod_remoteip refuses: the connection is
// closed without an answer. Msg is mod_remoteip's error-log message
// ("" when it logs none, as for a connection that does not start
// with a PROXY header at all); Status is the resolver's error text
// Apache prints before the client ("" when none).
type Error struct {
	Msg    string
	Status string
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return "RemoteIPProxyProtocol: no PROXY header"
	}
	return e.Msg
}

// Sizes of mod_remoteip's buffers: the first read of every header
// (MIN_V1_HDR_LEN), a v2 header's fixed part (MIN_V2_HDR_LEN), the
// largest v1 line (sizeof(proxy_v1)) and the largest v2 header
// (sizeof(proxy_v2)), and how much of a line Apache reads at once
// (HUGE_STRING_LEN).
const (
	firstRead   = 15
	v2FixedLen  = 16
	v1MaxLen    = 108
	v2MaxLen    = 16 + 216
	maxLineRead = 8192
)

// v2Signature starts every version 2 header.
var v2Signature = []byte("\r\n\r\n\x00\r\nQUIT\n")

// reader is a connection read in mod_remoteip's steps: data holds what
// has been read from src, n of it is the header so far.
type reader struct {
	src  io.Reader
	data []byte
	n    int
}

// fill reads from src until data holds at least want bytes; an early
// end of the connection is an error mod_remoteip does not log.
func (r *reader) fill(want int) error {
	for len(r.data) < want {
		if cap(r.data) == len(r.data) {
			r.data = append(r.data, make([]byte, 512)...)[:len(r.data)]
		}
		m, err := r.src.Read(r.data[len(r.data):cap(r.data)])
		r.data = r.data[:len(r.data)+m]
		if err != nil && len(r.data) < want {
			if errors.Is(err, io.EOF) {
				return &Error{}
			}
			return err
		}
	}
	return nil
}

// line is Apache's AP_MODE_GETLINE read after the header so far: the
// bytes up to and including the next LF, or HUGE_STRING_LEN of them.
func (r *reader) line() ([]byte, error) {
	for {
		rest := r.data[r.n:]
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			return rest[:i+1], nil
		}
		if len(rest) >= maxLineRead {
			return rest[:maxLineRead], nil
		}
		if err := r.fill(len(r.data) + 1); err != nil {
			return nil, err
		}
	}
}

// Read reads a PROXY header from src as mod_remoteip's input filter
// does, and returns it with the bytes read past it (the start of the
// first request), which belong to the connection.
func Read(src io.Reader) (Header, []byte, error) {
	r := &reader{src: src, data: make([]byte, 0, 512)}
	if err := r.fill(firstRead); err != nil {
		return Header{}, nil, err
	}
	r.n = firstRead
	var h Header
	var err error
	switch {
	case bytes.HasPrefix(r.data, v2Signature) && r.data[12]&0xF0 == 0x20:
		h, err = r.readV2()
	case bytes.HasPrefix(r.data, []byte("PROXY ")):
		h, err = r.readV1()
	default:
		err = &Error{}
	}
	if err != nil {
		return Header{}, nil, err
	}
	return h, r.data[r.n:], nil
}

// readV1 reads the rest of a text header line by line, as Apache does:
// after the first 15 bytes, each read takes a whole line, and the
// header ends at the first CR when an LF follows it. A line longer than
// what is left of the 108 bytes ends the connection, and so does a
// header whose CRLF came before the end of what was read (a line of 15
// bytes or less: the request line was read with it).
func (r *reader) readV1() (Header, error) {
	for {
		line, err := r.line()
		if err != nil {
			return Header{}, err
		}
		if want := v1MaxLen - r.n; len(line) > want {
			return Header{}, &Error{Msg: fmt.Sprintf(
				"AH10185: RemoteIPProxyProtocol header too long, got %d expected %d", len(line), want)}
		}
		r.n += len(line)
		hdr := r.data[:r.n]
		cr := bytes.IndexByte(hdr[:r.n-1], '\r')
		if cr < 0 || hdr[cr+1] != '\n' {
			continue
		}
		// mod_remoteip copies the line with strcpy: a NUL ends it.
		text := hdr[:cr]
		if nul := bytes.IndexByte(text, 0); nul >= 0 {
			text = text[:nul]
		}
		h, err := parseV1(string(text))
		if err != nil {
			return Header{}, err // the header's own error comes first
		}
		if hdrLen := cr + 2; r.n > hdrLen {
			return Header{}, &Error{Msg: fmt.Sprintf(
				"AH03513: RemoteIPProxyProtocol: internal error: have data left over;  need=%d, rcvd=%d, brigade-empty=1",
				hdrLen, r.n)}
		}
		return h, nil
	}
}

// parseV1 parses "PROXY TCP4|TCP6|UNKNOWN client dest client-port
// dest-port" with mod_remoteip's rules: words split on spaces (runs of
// them count as one), the destination ignored, the client address
// checked for its family's characters and converted as getaddrinfo
// converts a numeric host, the port read as sscanf's %hu reads it.
func parseV1(line string) (Header, error) {
	words := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' })
	next := func(i int, field string) (string, error) {
		if i < len(words) {
			return words[i], nil
		}
		return "", &Error{Msg: fmt.Sprintf("AH03497: RemoteIPProxyProtocol: no %s found in header '%s'", field, line)}
	}
	family, err := next(1, "family")
	if err != nil {
		return Header{}, err
	}
	var valid string
	var afNum int
	switch family {
	case "UNKNOWN":
		return Header{}, nil
	case "TCP4":
		valid, afNum = "0123456789.", 2
	case "TCP6":
		// Apache 2.4.71 takes dots too: an IPv4 tail, which HAProxy
		// writes for IPv4 clients of a dual-stack bind
		// (::ffff:198.51.100.7).
		valid, afNum = "0123456789abcdefABCDEF:.", 10
	default:
		return Header{}, &Error{Msg: fmt.Sprintf("AH03499: RemoteIPProxyProtocol: unknown family '%s' in header '%s'", family, line)}
	}
	host, err := next(2, "client-address")
	if err != nil {
		return Header{}, err
	}
	if strings.Trim(host, valid) != "" {
		return Header{}, &Error{Msg: fmt.Sprintf("AH03500: RemoteIPProxyProtocol: invalid client-address '%s' found in header '%s'", host, line)}
	}
	if _, err := next(3, "destination-address"); err != nil {
		return Header{}, err
	}
	portWord, err := next(4, "client-port")
	if err != nil {
		return Header{}, err
	}
	port, ok := scanUint16(portWord)
	if !ok {
		return Header{}, &Error{Msg: fmt.Sprintf("AH03501: RemoteIPProxyProtocol: error parsing port '%s' in header '%s'", portWord, line)}
	}
	var addr netip.Addr
	status := "(EAI 2)Name or service not known"
	if family == "TCP4" {
		addr, ok = parseInetAton(host)
	} else {
		addr, err = netip.ParseAddr(host)
		ok = err == nil && addr.Is6()
		if err == nil && addr.Is4() {
			// getaddrinfo with AF_INET6 given an IPv4 literal.
			status = "(EAI 9)Address family for hostname not supported"
		}
	}
	if !ok {
		return Header{}, &Error{
			Status: status,
			Msg: fmt.Sprintf("AH03502: RemoteIPProxyProtocol: error converting family '%d', host '%s', and port '%d' to sockaddr; header was '%s'",
				afNum, host, port, line),
		}
	}
	return Header{Client: netip.AddrPortFrom(addr, port)}, nil
}

// scanUint16 reads a number as sscanf("%hu") does: leading white space,
// an optional sign, decimal digits up to the first other byte, the
// value cut to 16 bits (a negative one wrapped, an overflowing one
// saturated first, as strtoul does).
func scanUint16(s string) (uint16, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v uint64
	digits := 0
	for ; digits < len(s) && s[digits] >= '0' && s[digits] <= '9'; digits++ {
		if v < 1<<63 {
			v = v*10 + uint64(s[digits]-'0')
		}
	}
	if digits == 0 {
		return 0, false
	}
	if v >= 1<<63 {
		v = ^uint64(0)
	} else if neg {
		v = -v
	}
	return uint16(v), true
}

// parseInetAton converts an IPv4 address as glibc's inet_aton does (and
// so getaddrinfo for a numeric host): one to four parts, each decimal
// or, with a leading 0, octal, the last filling the bytes left.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false
		}
		base := uint64(10)
		if len(p) > 1 && p[0] == '0' {
			base, p = 8, p[1:]
		}
		var v uint64
		for _, c := range []byte(p) {
			d := uint64(c - '0')
			if c < '0' || c > '9' || d >= base {
				return netip.Addr{}, false
			}
			v = v*base + d
			if v > 0xFFFFFFFF {
				return netip.Addr{}, false
			}
		}
		vals[i] = v
	}
	last := len(vals) - 1
	if vals[last] > 0xFFFFFFFF>>(8*last) {
		return netip.Addr{}, false
	}
	var a uint32
	for i, v := range vals[:last] {
		if v > 0xFF {
			return netip.Addr{}, false
		}
		a |= uint32(v) << (24 - 8*i)
	}
	a |= uint32(vals[last])
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], a)
	return netip.AddrFrom4(b), true
}

// readV2 reads the rest of a binary header: its fixed part, then the
// length it announces (at most 216 bytes, TLVs included).
func (r *reader) readV2() (Header, error) {
	if err := r.fill(v2FixedLen); err != nil {
		return Header{}, err
	}
	addrLen := int(binary.BigEndian.Uint16(r.data[14:16]))
	need := v2FixedLen + addrLen
	if need > v2MaxLen {
		return Header{}, &Error{Msg: "AH10186: RemoteIPProxyProtocol protocol header length too long"}
	}
	if err := r.fill(need); err != nil {
		return Header{}, err
	}
	r.n = need
	hdr := r.data[:need]
	verCmd, fam := hdr[12], hdr[13]
	switch verCmd & 0x0F {
	case 0x00: // LOCAL: the balancer's own connection (a health check)
		return Header{}, nil
	case 0x01: // PROXY
	default:
		return Header{}, &Error{Msg: fmt.Sprintf("AH03507: RemoteIPProxyProtocol: unsupported command %02x", verCmd)}
	}
	addr := hdr[v2FixedLen:]
	switch fam {
	case 0x11: // TCP over IPv4
		if addrLen < 12 {
			return Header{}, &Error{Msg: fmt.Sprintf("AH10597: RemoteIPProxyProtocol: address length %d too short for TCPv4", addrLen)}
		}
		ip := netip.AddrFrom4([4]byte(addr[0:4]))
		return Header{Client: netip.AddrPortFrom(ip, binary.BigEndian.Uint16(addr[8:10]))}, nil
	case 0x21: // TCP over IPv6
		if addrLen < 36 {
			return Header{}, &Error{Msg: fmt.Sprintf("AH10598: RemoteIPProxyProtocol: address length %d too short for TCPv6", addrLen)}
		}
		ip := netip.AddrFrom16([16]byte(addr[0:16]))
		return Header{Client: netip.AddrPortFrom(ip, binary.BigEndian.Uint16(addr[32:34]))}, nil
	default:
		return Header{}, &Error{Msg: fmt.Sprintf("AH10183: RemoteIPProxyProtocol: unsupported protocol %02x", fam)}
	}
}
