package relay

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
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
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.CACerts != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(cfg.CACerts)) {
			return nil, errors.New("K_CA_CERTS holds no PEM certificate")
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	var rt http.RoundTripper = transport
	if cfg.TokenFile != "" {
		rt = bearerFromFile{file: cfg.TokenFile, next: transport}
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

// bearerFromFile sends the token in file as each request's bearer token, or none while
// the file does not exist.
type bearerFromFile struct {
	file string
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (b bearerFromFile) RoundTrip(r *http.Request) (*http.Response, error) {
	tok, err := os.ReadFile(b.file)
	if errors.Is(err, fs.ErrNotExist) {
		return b.next.RoundTrip(r)
	}
	if err != nil {
		return nil, fmt.Errorf("read the sink's OIDC token: %w", err)
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	return b.next.RoundTrip(r)
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
