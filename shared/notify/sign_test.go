package notify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// The Standard Webhooks specification's published test vector.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSign(t *testing.T) {
	t.Run("KnownAnswer", func(t *testing.T) {
		got, err := notify.Sign(vectorSecret, vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody))
		require.NoError(t, err)
		assert.Equal(t, vectorSignature, got)
	})

	t.Run("IndependentComputation", func(t *testing.T) {
		secret := taskwire.NewWebhookSecret()
		key, err := base64.StdEncoding.DecodeString(secret[len("whsec_"):])
		require.NoError(t, err)
		ts := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		body := []byte(`{"type":"reminder.due"}`)
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte("evt-1.1772359200." + string(body)))
		want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))

		got, err := notify.Sign(secret, "evt-1", ts, body)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})

	t.Run("ErrBadSecret", func(t *testing.T) {
		for _, secret := range []string{"", "whsec_", "whsec_not base64!"} {
			_, err := notify.Sign(secret, "evt-1", time.Now(), nil)
			assert.Error(t, err, "secret %q", secret)
		}
	})
}

func TestVerify(t *testing.T) {
	now := time.Unix(vectorTimestamp, 0)
	headers := func(id, ts, sig string) http.Header {
		h := http.Header{}
		h.Set(notify.HeaderID, id)
		h.Set(notify.HeaderTimestamp, ts)
		h.Set(notify.HeaderSignature, sig)
		return h
	}
	signer, err := notify.NewSigner(vectorSecret)
	require.NoError(t, err)

	t.Run("OK", func(t *testing.T) {
		require.NoError(t, signer.Verify(headers(vectorID, "1614265330", vectorSignature), []byte(vectorBody), now, 0))
		// Among several signatures (a receiver rotating its secret), one match is enough.
		require.NoError(t, signer.Verify(headers(vectorID, "1614265330", "v1,Zm9v "+vectorSignature), []byte(vectorBody), now, 0))
		// Within the tolerance either way.
		require.NoError(t, signer.Verify(headers(vectorID, "1614265330", vectorSignature), []byte(vectorBody), now.Add(4*time.Minute), 0))
		require.NoError(t, signer.Verify(headers(vectorID, "1614265330", vectorSignature), []byte(vectorBody), now.Add(-4*time.Minute), 0))
	})

	t.Run("RoundTrip", func(t *testing.T) {
		secret := taskwire.NewWebhookSecret()
		body := []byte(`{"type":"reminder.due","data":{}}`)
		ts := time.Now()
		sig, err := notify.Sign(secret, "evt-2", ts, body)
		require.NoError(t, err)
		h := headers("evt-2", formatUnix(ts), sig)
		require.NoError(t, notify.Verify(secret, h, body))
		assert.ErrorIs(t, notify.Verify(taskwire.NewWebhookSecret(), h, body), notify.ErrSignature, "another secret")
	})

	t.Run("ErrSignature", func(t *testing.T) {
		tests := []struct {
			name string
			h    http.Header
			body string
			now  time.Time
		}{
			{"TamperedBody", headers(vectorID, "1614265330", vectorSignature), `{"test": 2432232315}`, now},
			{"OtherID", headers("msg_other", "1614265330", vectorSignature), vectorBody, now},
			{"OtherTimestamp", headers(vectorID, "1614265331", vectorSignature), vectorBody, now},
			{"TooOld", headers(vectorID, "1614265330", vectorSignature), vectorBody, now.Add(6 * time.Minute)},
			{"TooNew", headers(vectorID, "1614265330", vectorSignature), vectorBody, now.Add(-6 * time.Minute)},
			{"OtherVersion", headers(vectorID, "1614265330", "v2"+vectorSignature[2:]), vectorBody, now},
			{"BadTimestamp", headers(vectorID, "soon", vectorSignature), vectorBody, now},
			{"MissingHeaders", http.Header{}, vectorBody, now},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := signer.Verify(tt.h, []byte(tt.body), tt.now, 0)
				require.Error(t, err)
				assert.True(t, errors.Is(err, notify.ErrSignature), "got %v, want ErrSignature", err)
			})
		}
	})
}
