package vhost

import "net/http"

// Handler names answered by Services.Status.
const (
	statusHandler  = "server-status"
	metricsHandler = "gowsgid-metrics"
)

// StatusHandler serves the status page and the metrics (the handlers
// server-status and gowsgid-metrics); false declines the request, which
// then goes to the default handler, as in Apache when no module takes a
// handler.
type StatusHandler func(w http.ResponseWriter, h *Handler, r *Request) bool

// isStatusHandler reports whether r goes to Services.Status.
func (r *Request) isStatusHandler() bool {
	return r.Handler == statusHandler || r.Handler == metricsHandler
}

// Signature is ap_psignature(prefix, r): the server signature line of
// ServerSignature, "" when it is Off.
func (h *Handler) Signature(r *Request, prefix string) string {
	if s := h.signature(r); s != "" {
		return prefix + s
	}
	return ""
}
