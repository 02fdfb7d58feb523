// Package problem writes errors as RFC 9457 problem details (application/problem+json):
// the one place where domain error codes become HTTP statuses.
package problem

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// ContentType is the media type of problem details.
const ContentType = "application/problem+json"

// Details is the body of a problem response.
type Details struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	// Extensions are further members of the problem (RFC 9457 section 3.2), such as the
	// conversation a failed chat message was stored in; they cannot replace the ones above.
	Extensions map[string]any `json:"-"`
	// ResourceMetadata is, on a 401, the address of the protected resource metadata (RFC
	// 9728) that tells a client where to get a token, given in the Bearer challenge.
	ResourceMetadata string `json:"-"`
	// anonymous is set on a 401 of a request that sent no credentials, which RFC 6750
	// (section 3.1) answers with a challenge that names no error.
	anonymous bool
}

// MarshalJSON encodes the problem with its extension members beside the standard ones.
func (d Details) MarshalJSON() ([]byte, error) {
	type standard Details // without this method
	b, err := json.Marshal(standard(d))
	if err != nil || len(d.Extensions) == 0 {
		return b, err
	}
	members := map[string]json.RawMessage{}
	for k, v := range d.Extensions {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("problem extension %s: %w", k, err)
		}
		members[k] = raw
	}
	if err := json.Unmarshal(b, &members); err != nil { // the standard members win
		return nil, err
	}
	return json.Marshal(members)
}

var statuses = map[string]int{
	taskwire.EMALFORMED:    http.StatusBadRequest,
	taskwire.EINVALID:      http.StatusUnprocessableEntity,
	taskwire.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	taskwire.ENOTFOUND:     http.StatusNotFound,
	taskwire.ECONFLICT:     http.StatusConflict,
	taskwire.EPRECONDITION: http.StatusPreconditionFailed,
	taskwire.EUNAUTHORIZED: http.StatusUnauthorized,
	taskwire.EFORBIDDEN:    http.StatusForbidden,
	taskwire.EUNAVAILABLE:  http.StatusServiceUnavailable,
	taskwire.EUPSTREAM:     http.StatusBadGateway,
	taskwire.ETIMEOUT:      http.StatusGatewayTimeout,
	taskwire.ETOOMANY:      http.StatusTooManyRequests,
	taskwire.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status for an error code.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Write answers the request with err as a problem. Internal errors are logged and shown
// only as "internal error".
func Write(w http.ResponseWriter, r *http.Request, err error) {
	WriteDetails(w, From(r, err))
}

// From returns the problem that err is for request r, as Write writes it (for a stream
// that reports it in its own way). Internal errors are logged and shown only as
// "internal error" (logged as info when the client ended the request); an unavailable
// dependency is logged as a warning, with what it said.
func From(r *http.Request, err error) Details {
	code := taskwire.ErrorCode(err)
	switch code {
	case taskwire.EINTERNAL:
		if r.Context().Err() != nil { // the client went away, and took the request with it
			slog.InfoContext(r.Context(), "request ended by the client", "method", r.Method, "path", r.URL.Path, "err", err)
			break
		}
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case taskwire.EUNAVAILABLE:
		slog.WarnContext(r.Context(), "request answered unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := Status(code)
	return Details{
		anonymous: status == http.StatusUnauthorized && r.Header.Get("Authorization") == "",
		Type:      "https://taskwire.dev/problems/" + code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    taskwire.ErrorMessage(err),
		Instance:  r.URL.Path,
		Code:      code,
		Field:     taskwire.ErrorField(err),
	}
}

// MethodNotAllowed returns the problem of a request whose method the path does not take;
// allow lists the methods it takes, as the Allow header the caller sets says them.
func MethodNotAllowed(r *http.Request, allow string) Details {
	detail := r.Method + " is not allowed here"
	if allow != "" {
		detail += "; allowed: " + allow
	}
	return Details{
		Type: "https://taskwire.dev/problems/method_not_allowed", Title: http.StatusText(http.StatusMethodNotAllowed),
		Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Instance: r.URL.Path, Detail: detail,
	}
}

// WriteDetails writes d as the response, with the headers its status calls for.
func WriteDetails(w http.ResponseWriter, d Details) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	h.Del("ETag")
	h.Del("Location")
	switch d.Status {
	case http.StatusUnauthorized:
		challenge := `Bearer realm="taskwire"`
		if !d.anonymous {
			challenge += `, error="invalid_token"`
		}
		if d.ResourceMetadata != "" {
			challenge += fmt.Sprintf(`, resource_metadata=%q`, d.ResourceMetadata)
		}
		h.Set("WWW-Authenticate", challenge)
	case http.StatusServiceUnavailable:
		if h.Get("Retry-After") == "" { // a handler that knows better set it already
			h.Set("Retry-After", "1")
		}
	}
	w.WriteHeader(d.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(d)
}
