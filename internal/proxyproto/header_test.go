package proxyproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
	"testing/iotest"
)

const request = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

func v2(verCmd, fam byte, addr []byte) string {
	var b bytes.Buffer
	b.Write(v2Signature)
	b.WriteByte(verCmd)
	b.WriteByte(fam)
	binary.Write(&b, binary.BigEndian, uint16(len(addr)))
	b.Write(addr)
	return b.String()
}

func ip4Block(src, dst string, sp, dp uint16) []byte {
	var b bytes.Buffer
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	b.Write(s[:])
	b.Write(d[:])
	binary.Write(&b, binary.BigEndian, sp)
	binary.Write(&b, binary.BigEndian, dp)
	return b.Bytes()
}

func ip6Block(src, dst string, sp, dp uint16) []byte {
	var b bytes.Buffer
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	b.Write(s[:])
	b.Write(d[:])
	binary.Write(&b, binary.BigEndian, sp)
	binary.Write(&b, binary.BigEndian, dp)
	return b.Bytes()
}

// TestRead pins the headers real Apache 2.4.71's mod_remoteip accepts
// and refuses (each case was sent to it, with its error-log line), and
// the bytes left for the request.
func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		client   string // "" for none (the peer is the client)
		rest     string // what is left for the request
		err      string // "-" for a silent refusal
		status   string // the error's resolver text, when it has one
	}{
		{name: "v1", in: "PROXY TCP4 198.51.100.7 10.0.0.1 4567 80\r\n" + request, client: "198.51.100.7:4567", rest: request},
		{name: "v1 tcp6", in: "PROXY TCP6 2001:db8::9 ::1 999 80\r\n" + request, client: "[2001:db8::9]:999", rest: request},
		{name: "v1 unknown", in: "PROXY UNKNOWN 1 2 3 4\r\n" + request, rest: request},
		{name: "v1 extra spaces", in: "PROXY  TCP4  1.2.3.4 5.6.7.8  10 20\r\n" + request, client: "1.2.3.4:10", rest: request},
		{name: "v1 port wraps", in: "PROXY TCP4 1.2.3.4 1.2.3.4 70000 2\r\n" + request, client: "1.2.3.4:4464", rest: request},
		{name: "v1 port prefix", in: "PROXY TCP4 1.2.3.4 1.2.3.4 12ab 2\r\n" + request, client: "1.2.3.4:12", rest: request},
		{name: "v1 inet_aton", in: "PROXY TCP4 10.1 1.2.3.4 1 2\r\n" + request, client: "10.0.0.1:1", rest: request},
		// Line-by-line reading: the LF alone does not end the header,
		// the request line's CRLF does (Apache then reads the Host line
		// as the request line).
		{name: "v1 lf only", in: "PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n" + request, client: "1.2.3.4:1", rest: "Host: a\r\n\r\n"},
		{name: "v1 short line", in: "PROXY UNKNOWN\r\n" + request,
			err: "AH03513: RemoteIPProxyProtocol: internal error: have data left over;  need=15, rcvd=31, brigade-empty=1"},
		{name: "v1 bad family", in: "PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n" + request,
			err: "AH03499: RemoteIPProxyProtocol: unknown family 'TCP5' in header 'PROXY TCP5 1.2.3.4 1.2.3.4 1 2'"},
		{name: "v1 bad address", in: "PROXY TCP4 1.2.3.x 1.2.3.4 1 2\r\n" + request,
			err: "AH03500: RemoteIPProxyProtocol: invalid client-address '1.2.3.x' found in header 'PROXY TCP4 1.2.3.x 1.2.3.4 1 2'"},
		{name: "v1 v6 as v4", in: "PROXY TCP4 2001:db8::1 1.2.3.4 1 2\r\n" + request,
			err: "AH03500: RemoteIPProxyProtocol: invalid client-address '2001:db8::1' found in header 'PROXY TCP4 2001:db8::1 1.2.3.4 1 2'"},
		{name: "v1 bad port", in: "PROXY TCP4 1.2.3.4 1.2.3.4 x 2\r\n" + request,
			err: "AH03501: RemoteIPProxyProtocol: error parsing port 'x' in header 'PROXY TCP4 1.2.3.4 1.2.3.4 x 2'"},
		{name: "v1 no port", in: "PROXY TCP4 1.2.3.4 1.2.3.4\r\n" + request,
			err: "AH03497: RemoteIPProxyProtocol: no client-port found in header 'PROXY TCP4 1.2.3.4 1.2.3.4'"},
		{name: "v1 too long", in: "PROXY TCP4 " + strings.Repeat("1", 120) + "\r\n" + request,
			err: "AH10185: RemoteIPProxyProtocol header too long, got 118 expected 93"},
		{name: "v1 bad octet", in: "PROXY TCP4 999.1.1.1 1.2.3.4 1 2\r\n" + request,
			err: "AH03502: RemoteIPProxyProtocol: error converting family '2', host '999.1.1.1', and port '1' to sockaddr; header was 'PROXY TCP4 999.1.1.1 1.2.3.4 1 2'"},
		// Apache 2.4.71 takes an IPv4 tail in a TCP6 address, as
		// HAProxy writes an IPv4 client of a dual-stack bind.
		{name: "v1 tcp6 mapped", in: "PROXY TCP6 ::ffff:198.51.100.7 ::ffff:10.0.0.1 4567 80\r\n" + request,
			client: "[::ffff:198.51.100.7]:4567", rest: request},
		{name: "v1 tcp6 given ipv4", in: "PROXY TCP6 198.51.100.7 ::1 4567 80\r\n" + request,
			err:    "AH03502: RemoteIPProxyProtocol: error converting family '10', host '198.51.100.7', and port '4567' to sockaddr; header was 'PROXY TCP6 198.51.100.7 ::1 4567 80'",
			status: "(EAI 9)Address family for hostname not supported"},
		// mod_remoteip copies the line with strcpy: a NUL ends it.
		{name: "v1 nul", in: "PROXY TCP4 198.51.100.7 \x00 4567 80\r\n" + request,
			err: "AH03497: RemoteIPProxyProtocol: no destination-address found in header 'PROXY TCP4 198.51.100.7 '"},
		{name: "v1 nul in address", in: "PROXY TCP4 198.51.100.7\x00 1.2.3.4 4567 80\r\n" + request,
			err: "AH03497: RemoteIPProxyProtocol: no destination-address found in header 'PROXY TCP4 198.51.100.7'"},
		// A short line's own error comes before the data left over.
		{name: "v1 short bad line", in: "PROXY TCP4  \r\n" + request,
			err: "AH03497: RemoteIPProxyProtocol: no client-address found in header 'PROXY TCP4  '"},
		{name: "no header", in: request, err: "-"},
		{name: "v2", in: v2(0x21, 0x11, ip4Block("198.51.100.7", "10.0.0.1", 4567, 80)) + request, client: "198.51.100.7:4567", rest: request},
		{name: "v2 tcp6", in: v2(0x21, 0x21, ip6Block("2001:db8::9", "::1", 999, 80)) + request, client: "[2001:db8::9]:999", rest: request},
		{name: "v2 local", in: v2(0x20, 0x00, nil) + request, rest: request},
		{name: "v2 tlv", in: v2(0x21, 0x11, append(ip4Block("198.51.100.7", "10.0.0.1", 4567, 80), 4, 0, 2, 'a', 'b')) + request,
			client: "198.51.100.7:4567", rest: request},
		{name: "v2 unspec", in: v2(0x21, 0x00, nil) + request, err: "AH10183: RemoteIPProxyProtocol: unsupported protocol 00"},
		{name: "v2 udp", in: v2(0x21, 0x12, ip4Block("1.2.3.4", "1.2.3.4", 1, 2)) + request,
			err: "AH10183: RemoteIPProxyProtocol: unsupported protocol 12"},
		{name: "v2 too long", in: v2(0x21, 0x11, append(ip4Block("1.2.3.4", "1.2.3.4", 1, 2), make([]byte, 300)...)) + request,
			err: "AH10186: RemoteIPProxyProtocol protocol header length too long"},
		{name: "v2 short", in: v2(0x21, 0x11, ip4Block("1.2.3.4", "1.2.3.4", 1, 2)[:6]) + request,
			err: "AH10597: RemoteIPProxyProtocol: address length 6 too short for TCPv4"},
		{name: "v2 short tcp6", in: v2(0x21, 0x21, make([]byte, 12)) + request,
			err: "AH10598: RemoteIPProxyProtocol: address length 12 too short for TCPv6"},
		{name: "v2 bad version", in: string(v2Signature) + "\x31\x11\x00\x0c" + string(ip4Block("1.2.3.4", "1.2.3.4", 1, 2)) + request, err: "-"},
		{name: "v2 bad command", in: v2(0x22, 0x11, ip4Block("1.2.3.4", "1.2.3.4", 1, 2)) + request,
			err: "AH03507: RemoteIPProxyProtocol: unsupported command 22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time: the header must not depend on how the
			// bytes arrive.
			for _, src := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
				h, rest, err := Read(src)
				if tc.err != "" {
					var pe *Error
					if !errors.As(err, &pe) {
						t.Fatalf("err = %v, want %q", err, tc.err)
					}
					if got := pe.Msg; (tc.err == "-" && got != "") || (tc.err != "-" && got != tc.err) {
						t.Fatalf("message = %q, want %q", got, tc.err)
					}
					if tc.status != "" && pe.Status != tc.status {
						t.Fatalf("status = %q, want %q", pe.Status, tc.status)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				got := ""
				if h.Client.IsValid() {
					got = h.Client.String()
				}
				if got != tc.client {
					t.Errorf("client = %q, want %q", got, tc.client)
				}
				all, _ := io.ReadAll(io.MultiReader(bytes.NewReader(rest), src))
				if string(all) != tc.rest {
					t.Errorf("rest = %q, want %q", all, tc.rest)
				}
			}
		})
	}
}

func TestScanUint16(t *testing.T) {
	for in, want := range map[string]int{"80": 80, "-1": 65535, "+7": 7, "65536": 0, "99999999999999999999999": 65535, "x": -1, "": -1, "-": -1} {
		v, ok := scanUint16(in)
		if got := int(v); !ok {
			got = -1
		} else if got != want {
			t.Errorf("scanUint16(%q) = %d, want %d", in, got, want)
		}
		if !ok && want != -1 {
			t.Errorf("scanUint16(%q) failed, want %d", in, want)
		}
	}
}

func TestParseInetAton(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4": "1.2.3.4", "1": "0.0.0.1", "1.2.3": "1.2.0.3", "1.65535": "1.0.255.255",
		"010.0.0.1": "8.0.0.1", "4294967295": "255.255.255.255",
		"1.2.3.256": "", "08.1.1.1": "", "1..2": "", "1.2.3.4.": "", "1.2.3.4.5": "", "256.1": "",
	} {
		a, ok := parseInetAton(in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != want {
			t.Errorf("parseInetAton(%q) = %q, want %q", in, got, want)
		}
	}
}
