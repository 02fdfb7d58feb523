package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// secretPrefix starts a Standard Webhooks signing secret; base64 of the key follows.
const secretPrefix = "whsec_"

// DefaultTolerance is how far a webhook's timestamp may be from the receiver's clock
// before Verify refuses it, as Standard Webhooks recommends.
const DefaultTolerance = 5 * time.Minute

// ErrSignature is returned (wrapped) by Verify for a webhook that does not verify.
var ErrSignature = errors.New("webhook signature does not verify")

// Signer signs and verifies webhooks per the Standard Webhooks specification with one
// secret: HMAC-SHA256, keyed by the secret's decoded key, over "id.timestamp.body".
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for secret, "whsec_" followed by the base64 of the key (a
// bare base64 key is accepted too, as the reference libraries do).
func NewSigner(secret string) (*Signer, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhook secret must be whsec_ followed by a base64 key")
	}
	return &Signer{key: key}, nil
}

// Sign returns the webhook-signature header value of a message: "v1," and the base64
// HMAC-SHA256 of "msgID.timestamp.body", the timestamp in Unix seconds.
func (s *Signer) Sign(msgID string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(s.mac(msgID, ts.Unix(), body))
}

func (s *Signer) mac(msgID string, unix int64, body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(msgID))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(unix, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a received webhook the way a receiver should: the webhook-id,
// webhook-timestamp and webhook-signature headers must be present, the timestamp within
// tolerance of now (DefaultTolerance when tolerance is zero), and one of the
// space-separated v1 signatures must match body. Failures wrap ErrSignature.
func (s *Signer) Verify(h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance == 0 {
		tolerance = DefaultTolerance
	}
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return fmt.Errorf("%w: missing %s, %s or %s header", ErrSignature, HeaderID, HeaderTimestamp, HeaderSignature)
	}
	unix, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: bad timestamp %q", ErrSignature, tsText)
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %d is %v away from now", ErrSignature, unix, d.Round(time.Second))
	}
	want := s.mac(id, unix, body)
	for _, sig := range strings.Fields(sigs) {
		version, value, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(value)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1 signature matches", ErrSignature)
}

// Sign signs a message with secret; see Signer.Sign.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	s, err := NewSigner(secret)
	if err != nil {
		return "", err
	}
	return s.Sign(msgID, ts, body), nil
}

// Verify verifies a received webhook with secret, against the current time and the
// default tolerance; see Signer.Verify.
func Verify(secret string, h http.Header, body []byte) error {
	s, err := NewSigner(secret)
	if err != nil {
		return err
	}
	return s.Verify(h, body, time.Now(), DefaultTolerance)
}
