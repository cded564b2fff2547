package status

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// metricsContentType is the Prometheus text exposition format's.
const metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// serveMetrics answers the Prometheus text format, version 0.0.4.
func (p *Page) serveMetrics(w http.ResponseWriter) {
	var b bytes.Buffer
	writeMetrics(&b, p.stats.snapshot())
	hdr := w.Header()
	hdr.Set("Content-Type", metricsContentType)
	hdr.Set("Content-Length", strconv.Itoa(b.Len()))
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

// classNames label the status classes of snapshot.classes.
var classNames = [6]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// writeMetrics writes a snapshot in the text exposition format.
func writeMetrics(b *bytes.Buffer, sn snapshot) {
	family := func(name, typ, help string) {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	family("gowsgid_requests_total", "counter", "Requests answered, by status class.")
	for i, n := range sn.classes {
		fmt.Fprintf(b, "gowsgid_requests_total{code=\"%s\"} %d\n", classNames[i], n)
	}
	family("gowsgid_vhost_requests_total", "counter", "Requests answered, by virtual host (ServerName[:port]).")
	for _, h := range sn.hosts {
		fmt.Fprintf(b, "gowsgid_vhost_requests_total{vhost=\"%s\"} %d\n", labelValue(h.name), h.requests)
	}
	family("gowsgid_vhost_response_bytes_total", "counter", "Response body bytes sent, by virtual host.")
	for _, h := range sn.hosts {
		fmt.Fprintf(b, "gowsgid_vhost_response_bytes_total{vhost=\"%s\"} %d\n", labelValue(h.name), h.bytes)
	}
	family("gowsgid_response_bytes_total", "counter", "Response body bytes sent.")
	fmt.Fprintf(b, "gowsgid_response_bytes_total %d\n", sn.bytes)
	family("gowsgid_request_duration_seconds", "histogram", "Time from reading a request to logging it.")
	var cum uint64
	for i, n := range sn.buckets {
		cum += n
		le := "+Inf"
		if i < len(latencyBounds) {
			le = strconv.FormatFloat(latencyBounds[i], 'g', -1, 64)
		}
		fmt.Fprintf(b, "gowsgid_request_duration_seconds_bucket{le=\"%s\"} %d\n", le, cum)
	}
	fmt.Fprintf(b, "gowsgid_request_duration_seconds_sum %s\n", strconv.FormatFloat(float64(sn.durationUS)/1e6, 'f', -1, 64))
	fmt.Fprintf(b, "gowsgid_request_duration_seconds_count %d\n", cum)
	family("gowsgid_requests_in_flight", "gauge", "Requests being served now (this one included).")
	fmt.Fprintf(b, "gowsgid_requests_in_flight %d\n", sn.inFlight)
	family("gowsgid_connections_open", "gauge", "Client connections open.")
	fmt.Fprintf(b, "gowsgid_connections_open %d\n", max(sn.conns, 0))
	family("gowsgid_config_generation", "gauge", "Configuration generation: 1 at start, one more each graceful restart.")
	fmt.Fprintf(b, "gowsgid_config_generation %d\n", sn.reloads+1)
	family("gowsgid_start_time_seconds", "gauge", "When the server started, in seconds since the epoch.")
	fmt.Fprintf(b, "gowsgid_start_time_seconds %d\n", sn.started.Unix())
	family("gowsgid_restart_time_seconds", "gauge", "When the configuration serving now was loaded, in seconds since the epoch.")
	fmt.Fprintf(b, "gowsgid_restart_time_seconds %d\n", sn.restarted.Unix())
	gauges := []struct {
		name, help string
		value      func(Group) int
	}{
		{"gowsgid_daemon_processes", "Worker processes running, by WSGIDaemonProcess group.", func(g Group) int { return g.Processes }},
		{"gowsgid_daemon_threads", "Threads of each worker process, by WSGIDaemonProcess group.", func(g Group) int { return g.Threads }},
		{"gowsgid_daemon_busy_threads", "Requests the group's workers are serving, by WSGIDaemonProcess group.", func(g Group) int { return g.Busy }},
		{"gowsgid_daemon_queue_depth", "Requests waiting for a free thread, by WSGIDaemonProcess group.", func(g Group) int { return g.Queued }},
	}
	for _, gg := range gauges {
		family(gg.name, "gauge", gg.help)
		for _, g := range sn.groups {
			fmt.Fprintf(b, "%s{group=\"%s\"} %d\n", gg.name, labelValue(g.Name), gg.value(g))
		}
	}
}

// labelValue escapes a label value as the text format wants: backslash,
// double quote and newline.
func labelValue(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
