package compat

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// sendH2CUpgrade sends an HTTP/1.1 request that may ask for h2c. An
// answer other than 101 is returned as it came; after a 101 the client
// speaks HTTP/2 and the answer to stream 1 (the request itself) follows
// the 101, written as sendH2 writes HTTP/2 answers.
func sendH2CUpgrade(addr, text string) []byte {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, text); err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return []byte("NO RESPONSE: " + err.Error())
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		b, _ := httputil.DumpResponse(resp, true)
		io.Copy(io.Discard, br) // until the server closes, its log written
		return b
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "%s %s\r\n", resp.Proto, resp.Status)
	resp.Header.Write(&out)
	out.WriteString("\r\n")
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		return append(out.Bytes(), "NO HTTP/2: "+err.Error()...)
	}
	fr := http2.NewFramer(c, br)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if err := fr.WriteSettings(); err != nil {
		return append(out.Bytes(), "NO HTTP/2: "+err.Error()...)
	}
	header := http.Header{}
	status := ""
	var body bytes.Buffer
	// The server logs the upgrade's 101 once the HTTP/2 session ends:
	// end it, and give the line a moment to be written.
	defer func() {
		fr.WriteGoAway(1, http2.ErrCodeNo, nil)
		io.Copy(io.Discard, br)
		time.Sleep(100 * time.Millisecond)
	}()
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return append(out.Bytes(), "NO HTTP/2 ANSWER: "+err.Error()...)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			if f.StreamID != 1 {
				continue
			}
			for _, hf := range f.Fields {
				if hf.Name == ":status" {
					status = hf.Value
				} else {
					header.Add(hf.Name, hf.Value)
				}
			}
			if f.StreamEnded() {
				return h2Answer(&out, status, header, nil)
			}
		case *http2.DataFrame:
			if f.StreamID != 1 {
				continue
			}
			body.Write(f.Data())
			if f.StreamEnded() {
				return h2Answer(&out, status, header, body.Bytes())
			}
		case *http2.GoAwayFrame, *http2.RSTStreamFrame:
			return append(out.Bytes(), fmt.Sprintf("NO HTTP/2 ANSWER: %T", f)...)
		}
	}
}

// h2Answer writes stream 1's answer after the 101 as sendH2 writes an
// HTTP/2 answer, with the fields that differ by nature (Date, the
// Server banner) reduced to their presence.
func h2Answer(out *bytes.Buffer, status string, header http.Header, body []byte) []byte {
	for _, h := range []string{"Date", "Server"} {
		if header.Get(h) != "" {
			header.Set(h, "(present)")
		}
	}
	code, _ := strconv.Atoi(status)
	fmt.Fprintf(out, "HTTP/2.0 %s %s\r\n", status, http.StatusText(code))
	header.Set("X-Proto", "HTTP/2.0")
	header.Write(out)
	out.WriteString("\r\n")
	out.Write(body)
	return out.Bytes()
}
