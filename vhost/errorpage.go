package vhost

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
)

// errorBodyText is http_protocol.c's get_canned_error_string: the
// paragraph Apache writes for a status. method and location fill the
// statuses that name them (location is the Expect field of a 417's
// request, which it shows); notes are the "error-notes" some statuses
// show.
func errorBodyText(status int, method, location, notes, serverAdmin string) string {
	switch status {
	case 301, 302, 307, 308:
		return "<p>The document has moved <a href=\"" + escapeHTML(location) + "\">here</a>.</p>\n"
	case 303:
		return "<p>The answer to your request is located <a href=\"" + escapeHTML(location) + "\">here</a>.</p>\n"
	case 305:
		return "<p>This resource is only accessible through the proxy\n<br />\nYou will need to configure your client to use that proxy.</p>\n"
	case 401, 407:
		return "<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't understand how to supply\nthe credentials required.</p>\n"
	case 400:
		return "<p>Your browser sent a request that this server could not understand.<br />\n" + notes + "</p>\n"
	case 403:
		return "<p>You don't have permission to access this resource." + notes + "</p>\n"
	case 404:
		return "<p>The requested URL was not found on this server.</p>\n"
	case 405:
		return "<p>The requested method " + escapeHTML(method) + " is not allowed for this URL.</p>\n"
	case 406:
		return "<p>An appropriate representation of the requested resource could not be found on this server.</p>\n" + notes
	case 300:
		return notes
	case 411:
		return "<p>A request of the requested method " + escapeHTML(method) + " requires a valid Content-length.<br />\n" + notes + "</p>\n"
	case 412:
		return "<p>The precondition on the request for this URL evaluated to false.</p>\n"
	case 501:
		return "<p>" + escapeHTML(method) + " not supported for current URL.<br />\n" + notes + "</p>\n"
	case 502:
		return "<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n" + notes + "</p>\n"
	case 506:
		return "<p>A variant for the requested resource\n<pre>\n\n</pre>\nis itself a negotiable resource. This indicates a configuration error.</p>\n"
	case 408:
		return "<p>Server timeout waiting for the HTTP request from the client.</p>\n"
	case 410:
		return "<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n"
	case 413:
		return "The requested resource does not allow request data with " + escapeHTML(method) + " requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n"
	case 414:
		return "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n" + notes + "</p>\n"
	case 415:
		return "<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n"
	case 416:
		return "<p>None of the range-specifier values in the Range\nrequest-header field overlap the current extent\nof the selected resource.</p>\n"
	case 417:
		if location != "" {
			return "<p>The expectation given in the Expect request-header\nfield could not be met by this server.\nThe client sent<pre>\n    Expect: " +
				escapeHTML(location) + "\n</pre>\n" + notes + "</p><p>Only the 100-continue expectation is supported.</p>\n"
		}
		return "<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n" + notes + "</p><p>Only the 100-continue expectation is supported.</p>\n"
	case 422:
		return "<p>The server understands the media type of the\nrequest entity, but was unable to process the\ncontained instructions.</p>\n"
	case 423:
		return "<p>The requested resource is currently locked.\nThe lock must be released or proper identification\ngiven before the method can be applied.</p>\n"
	case 424:
		return "<p>The method could not be performed on the resource\nbecause the requested action depended on another\naction and that other action failed.</p>\n"
	case 426:
		return "<p>The requested resource can only be retrieved\nusing SSL.  The server is willing to upgrade the current\nconnection to SSL, but your client doesn't support it.\nEither upgrade your client, or try requesting the page\nusing https://\n"
	case 428:
		return "<p>The request is required to be conditional.</p>\n"
	case 429:
		return "<p>The user has sent too many requests\nin a given amount of time.</p>\n"
	case 431:
		return "<p>The server refused this request because\nthe request header fields are too large.</p>\n"
	case 507:
		return "<p>The method could not be performed on the resource\nbecause the server is unable to store the\nrepresentation needed to successfully complete the\nrequest.  There is insufficient free space left in\nyour storage allocation.</p>\n"
	case 503:
		return "<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n"
	case 504:
		return "<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n"
	case 508:
		return "<p>The server terminated an operation because\nit encountered an infinite loop.</p>\n"
	case 510:
		return "<p>A mandatory extension policy in the request is not\naccepted by the server for this resource.</p>\n"
	case 511:
		return "<p>The client needs to authenticate to gain\nnetwork access.</p>\n"
	case 421:
		return "<p>The client needs a new connection for this\nrequest as the requested host name does not match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n"
	case 451:
		return "<p>Access to this URL has been denied for legal reasons.<br />\n" + notes + "</p>\n"
	}
	return "<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n" +
		"<p>Please contact the server administrator at \n " + escapeHTML(serverAdmin) +
		" to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n" +
		"<p>More information about this error may be available\nin the server error log.</p>\n"
}

// escapeHTML is ap_escape_html: <, >, & and " only (no apostrophe).
func escapeHTML(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", `"`, "&quot;").Replace(s)
}

// statusLine returns Apache's "NNN Reason" for a status; an unknown status
// is shown as Apache shows it: as 500.
func statusLine(status int) string {
	if reason, ok := confparse.StatusLines[status]; ok {
		return strconv.Itoa(status) + " " + reason
	}
	return "500 Internal Server Error"
}

// ErrorPage is ap_send_error_response's body: the HTML 2.0 document with
// the status title, the canned text, the note of a recursive error (the
// status an ErrorDocument failed with; 0 for none) and the server
// signature.
func ErrorPage(status int, method, location, notes, serverAdmin string, recursive int, signature string) string {
	title := statusLine(status)
	again := ""
	if recursive != 0 {
		again = "<p>Additionally, a " + statusLine(recursive) +
			"\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n"
	}
	return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">` + "\n" +
		"<html><head>\n<title>" + title + "</title>\n</head><body>\n<h1>" + title[4:] + "</h1>\n" +
		errorBodyText(status, method, location, notes, serverAdmin) + again + signature + "</body></html>\n"
}

// Signature is ap_psignature: the "<address>" line of generated pages
// when ServerSignature is on, "" otherwise.
func Signature(prefix, mode, banner, serverName string, port int, serverAdmin string) string {
	switch mode {
	case "on":
		return fmt.Sprintf("%s<address>%s Server at %s Port %d</address>\n", prefix, banner, escapeHTML(serverName), port)
	case "email":
		mailto := "mailto:"
		if isURL(serverAdmin) {
			mailto = ""
		}
		return fmt.Sprintf("%s<address>%s Server at <a href=\"%s%s\">%s</a> Port %d</address>\n",
			prefix, banner, mailto, escapeHTML(serverAdmin), escapeHTML(serverName), port)
	}
	return ""
}

// isURL is ap_is_url: a scheme of letters, digits, '+', '-', '.' and a ':'.
func isURL(u string) bool {
	i := strings.IndexByte(u, ':')
	if i <= 0 {
		return false
	}
	for _, c := range u[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
