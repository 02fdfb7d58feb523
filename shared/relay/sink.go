package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/taskwire/taskwire/shared/auth"
)

// Retries of one send to the sink: SendRetries at most, the n-th after SendBackoff×2ⁿ
// (100 ms to 1.6 s, about 3 s in all), before the relay's own, slower retry takes over.
const (
	SendBackoff = 50 * time.Millisecond
	SendRetries = 5
)

// sendTimeout bounds one HTTP attempt.
const sendTimeout = 30 * time.Second

// SinkSender sends events to a Knative sink (K_SINK) over HTTP in binary mode with the
// CloudEvents SDK, retrying with exponential backoff, and sets the extensions of
// K_CE_OVERRIDES on every event.
type SinkSender struct {
	client     cloudevents.Client
	extensions map[string]any
}

// OIDCTokenFile is where a Knative SinkBinding mounts the token that the sink (the
// broker's ingress) requires when Eventing's authentication-oidc feature is on: a JWT of
// the cluster's issuer for the sink's audience, which Knative renews in place.
const OIDCTokenFile = "/oidc/token"

// SinkConfig is what a SinkBinding gives a producer beside K_SINK.
type SinkConfig struct {
	// Overrides is K_CE_OVERRIDES, {"extensions": {"name": value}}, or "" for none.
	Overrides string
	// CACerts is K_CA_CERTS: the PEM certificates of the sink's https address, trusted
	// beside the system's; "" for none.
	CACerts string
	// TokenFile holds the bearer token every send carries, read afresh for each; while it
	// does not exist (OIDC off), sends carry none. "" for none.
	TokenFile string
}

// overrides is the shape of K_CE_OVERRIDES.
type overrides struct {
	Extensions map[string]any `json:"extensions"`
}

// NewSinkSender returns a sender to the absolute http(s) URL sink.
func NewSinkSender(sink string, cfg SinkConfig) (*SinkSender, error) {
	u, err := url.Parse(sink)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("K_SINK must be an absolute http or https URL, got %q", sink)
	}
	var o overrides
	if cfg.Overrides != "" {
		dec := json.NewDecoder(bytes.NewReader([]byte(cfg.Overrides)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			return nil, fmt.Errorf("K_CE_OVERRIDES: %w", err)
		}
		probe := event.New()
		for name, v := range o.Extensions {
			if err := probe.Context.SetExtension(name, v); err != nil {
				return nil, fmt.Errorf("K_CE_OVERRIDES: extension %q: %w", name, err)
			}
		}
	}
	var rt http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if cfg.CACerts != "" {
		if rt, err = auth.TransportTrusting([]byte(cfg.CACerts)); err != nil {
			return nil, fmt.Errorf("K_CA_CERTS: %w", err)
		}
	}
	if cfg.TokenFile != "" {
		rt = &auth.FileToken{File: cfg.TokenFile, Next: rt}
	}
	client, err := cloudevents.NewClientHTTP(
		cloudevents.WithTarget(u.String()),
		cehttp.WithClient(http.Client{Timeout: sendTimeout, Transport: rt}),
		cehttp.WithIsRetriableFunc(retriable),
	)
	if err != nil {
		return nil, fmt.Errorf("cloudevents client: %w", err)
	}
	return &SinkSender{client: client, extensions: o.Extensions}, nil
}

// retriable tells which answers of a Knative broker are worth another try: it is not
// there yet (404), busy (408, 409, 429) or failing (5xx). Anything else (400, 413, …)
// will not change.
func retriable(status int) bool {
	switch status {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	}
	return status >= 500
}

// Send sends e with the override extensions set, and returns nil only when the sink
// acknowledged it (answered 2xx).
func (s *SinkSender) Send(ctx context.Context, e event.Event) error {
	if len(s.extensions) > 0 {
		e = e.Clone()
		for name, v := range s.extensions {
			e.SetExtension(name, v)
		}
	}
	ctx = cloudevents.WithEncodingBinary(ctx)
	ctx = cloudevents.ContextWithRetriesExponentialBackoff(ctx, SendBackoff, SendRetries)
	result := s.client.Send(ctx, e)
	if cloudevents.IsACK(result) {
		return nil
	}
	if status, ok := refusedStatus(result); ok {
		return fmt.Errorf("send to sink: %w: HTTP %d: %w", ErrRefused, status, result)
	}
	return fmt.Errorf("send to sink: %w", result)
}

// refusedStatus returns the status of a sink's answer that refuses the event itself, so
// that sending it again cannot help: it is malformed (400, 422), too large (413) or of a
// content type the sink does not take (415). Other failures, such as 401 or 403 from a
// sink not yet configured to take the events, are the sink's to fix and are retried.
func refusedStatus(result error) (int, bool) {
	var retries *cehttp.RetriesResult
	if errors.As(result, &retries) {
		result = retries.Result // it does not unwrap to the last attempt's result
	}
	var res *cehttp.Result
	if !errors.As(result, &res) {
		return 0, false
	}
	switch res.StatusCode {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return res.StatusCode, true
	}
	return 0, false
}
