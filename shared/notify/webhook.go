package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Defaults of a WebhookSender's zero fields.
const (
	defaultAttempts       = 3
	defaultBackoff        = 200 * time.Millisecond
	defaultAttemptTimeout = 5 * time.Second
)

// PermanentError is a delivery failure that trying again cannot fix: an address the guard
// refuses, a URL or secret that cannot be used, a recipient the mail server rejects.
type PermanentError struct {
	Err error
}

// Error implements the error interface.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a failure that trying again cannot fix.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p) || errors.Is(err, ErrBlockedAddress)
}

// Webhook is one message to a user's endpoint.
type Webhook struct {
	URL    string // the user's webhook_url
	Secret string // the user's whsec_ signing secret
	ID     string // webhook-id: the same on every attempt, so that receivers deduplicate
	Body   []byte // the JSON payload
}

// WebhookSender posts signed webhooks, trying a few times with exponential backoff.
type WebhookSender struct {
	Client   *http.Client     // see NewHTTPClient
	Attempts int              // tries per Send; default 3
	Backoff  time.Duration    // wait after the first failed try, doubled after each; default 200ms
	Timeout  time.Duration    // bound on each try; default 5s
	Now      func() time.Time // the clock of webhook-timestamp
}

// NewWebhookSender returns a WebhookSender whose client refuses non-public addresses
// unless allowPrivate.
func NewWebhookSender(allowPrivate bool) *WebhookSender {
	return &WebhookSender{Client: NewHTTPClient(allowPrivate), Now: time.Now}
}

// Send posts w to its URL with the Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature) until the receiver answers 2xx, up to Attempts
// tries. An error that trying again cannot fix is a PermanentError, returned at once.
func (s *WebhookSender) Send(ctx context.Context, w Webhook) error {
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &PermanentError{Err: fmt.Errorf("webhook url %q is not an absolute http or https URL", w.URL)}
	}
	signer, err := NewSigner(w.Secret)
	if err != nil {
		return &PermanentError{Err: err}
	}
	attempts, backoff := s.Attempts, s.Backoff
	if attempts <= 0 {
		attempts = defaultAttempts
	}
	if backoff <= 0 {
		backoff = defaultBackoff
	}
	for attempt := 1; ; attempt++ {
		err = s.try(ctx, u, signer, w)
		if err == nil || IsPermanent(err) || attempt == attempts {
			break
		}
		timer := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("send webhook: %w (last try: %v)", ctx.Err(), err)
		case <-timer.C:
		}
		backoff *= 2
	}
	if err != nil {
		return fmt.Errorf("send webhook to %s: %w", target(u), err)
	}
	return nil
}

// target names the receiver of u for the log: scheme, host and path. A receiver's URL
// often carries a token in its query (…/hook?token=…), and the log is no place for it.
func target(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// try posts w once.
func (s *WebhookSender) try(ctx context.Context, u *url.URL, signer *Signer, w Webhook) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = defaultAttemptTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(w.Body))
	if err != nil {
		return &PermanentError{Err: err}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Taskwire-Webhooks/1")
	req.Header.Set(HeaderID, w.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderSignature, signer.Sign(w.ID, ts, w.Body))
	client := s.Client
	if client == nil {
		client = NewHTTPClient(false)
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which Send names without its query
		}
		return err
	}
	// Read a little of the answer so that the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("receiver answered %s", resp.Status)
	}
	return nil
}
