package host_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/host"
	"github.com/taskwire/taskwire/shared/host/hosttest"
)

const eventsAudience = "serving.knative.dev/service/default/notify"

// countingEvents is event logic that counts the events it handles.
type countingEvents struct {
	handled atomic.Int64
}

func (f *countingEvents) HandleEvent(ctx context.Context, e event.Event) (*event.Event, error) {
	f.handled.Add(1)
	return nil, nil
}

// MustServeDeliveries serves RequireDeliveryToken with cfg in front of
// EventHTTPHandler(f) on a loopback port and returns its URL.
func MustServeDeliveries(tb testing.TB, f host.EventHandler, cfg map[string]string) string {
	tb.Helper()
	h, err := host.RequireDeliveryToken(context.Background(), cfg, host.EventHTTPHandler(f))
	require.NoError(tb, err)
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// MustDeliver posts a binary-mode CloudEvent to url with the Authorization header auth
// (none when empty) and returns the response and its body.
func MustDeliver(tb testing.TB, url, authorization string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{}`))
	require.NoError(tb, err)
	req.Header.Set("Ce-Specversion", "1.0")
	req.Header.Set("Ce-Id", "evt-1")
	req.Header.Set("Ce-Source", "/test")
	req.Header.Set("Ce-Type", "dev.taskwire.reminder.due.v1")
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := (&http.Client{Timeout: waitTimeout}).Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return resp, string(body)
}

// claims returns a valid token's claims for iss and aud, as a jwt.Token.
func claims(tb testing.TB, iss, aud string, now time.Time) jwt.Token {
	tb.Helper()
	tok, err := jwt.NewBuilder().Issuer(iss).Audience([]string{aud}).Subject("system:serviceaccount:default:broker").
		IssuedAt(now).NotBefore(now).Expiration(now.Add(time.Minute)).Build()
	require.NoError(tb, err)
	return tok
}

// MustSignWith signs tok with the issuer's key.
func MustSignWith(tb testing.TB, iss *auth.Issuer, tok jwt.Token) string {
	tb.Helper()
	s, err := iss.Sign(tok)
	require.NoError(tb, err)
	return s
}

// MustPublicKey returns the issuer's newest public key, as anyone can read it.
func MustPublicKey(tb testing.TB, iss *auth.Issuer) jwk.Key {
	tb.Helper()
	set, err := iss.PublicKeys()
	require.NoError(tb, err)
	k, ok := set.Key(0)
	require.True(tb, ok)
	return k
}

func TestRequireDeliveryToken(t *testing.T) {
	iss := hosttest.MustServeIssuer(t)
	f := &countingEvents{}
	url := MustServeDeliveries(t, f, map[string]string{"EVENTS_OIDC_ISSUER": iss.URL(), "EVENTS_OIDC_AUDIENCE": eventsAudience})
	now := time.Now()

	t.Run("OK", func(t *testing.T) {
		tok, err := iss.Mint("system:serviceaccount:default:broker", eventsAudience, time.Minute)
		require.NoError(t, err)
		before := f.handled.Load()
		resp, body := MustDeliver(t, url, "Bearer "+tok)
		require.Equal(t, http.StatusAccepted, resp.StatusCode, body)
		assert.Equal(t, before+1, f.handled.Load())
	})

	pub := MustPublicKey(t, iss)
	var pubRaw any
	require.NoError(t, pub.Raw(&pubRaw))
	stranger, err := auth.NewIssuer(iss.URL()) // the same name, another key
	require.NoError(t, err)
	expired := claims(t, iss.URL(), eventsAudience, now.Add(-5*time.Minute))
	notYet := claims(t, iss.URL(), eventsAudience, now)
	require.NoError(t, notYet.Set(jwt.NotBeforeKey, now.Add(2*time.Minute)))

	for _, tt := range []struct {
		name          string
		authorization string
		want          string
	}{
		{"ErrMissing", "", "missing bearer token"},
		{"ErrNotBearer", "Basic dXNlcjpwYXNz", "must be: Bearer"},
		{"ErrExpired", "Bearer " + MustSignWith(t, iss, expired), "token expired"},
		{"ErrNotYetValid", "Bearer " + MustSignWith(t, iss, notYet), "not valid yet"},
		{"ErrIssuer", "Bearer " + MustSignWith(t, iss, claims(t, "https://evil.example.test", eventsAudience, now)), "issuer is not accepted"},
		{"ErrAudience", "Bearer " + MustSignWith(t, iss, claims(t, iss.URL(), "serving.knative.dev/service/default/recurrence", now)), "audience is not accepted"},
		{"ErrHS256WithPublicKey", "Bearer " + hs256WithPublicKey(t, pub, pubRaw, claims(t, iss.URL(), eventsAudience, now)), "HS256 is not allowed"},
		{"ErrNone", "Bearer " + unsigned(t, pub.KeyID(), claims(t, iss.URL(), eventsAudience, now)), "signing algorithm none is not allowed"},
		{"ErrUnknownKid", "Bearer " + MustSignWith(t, stranger, claims(t, iss.URL(), eventsAudience, now)), "no key with kid"},
		{"ErrGarbage", "Bearer not-a-token", "token is malformed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.handled.Load()
			resp, body := MustDeliver(t, url, tt.authorization)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, body)
			assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer"),
				"got WWW-Authenticate %q, want a Bearer challenge", resp.Header.Get("WWW-Authenticate"))
			assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
			var p struct {
				Status int    `json:"status"`
				Code   string `json:"code"`
				Detail string `json:"detail"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &p), body)
			assert.Equal(t, 401, p.Status)
			assert.Equal(t, "unauthorized", p.Code)
			assert.Contains(t, p.Detail, tt.want)
			assert.Equal(t, before, f.handled.Load(), "a refused delivery never reaches the function")
		})
	}
}

func TestRequireDeliveryToken_Off(t *testing.T) {
	f := &countingEvents{}
	url := MustServeDeliveries(t, f, map[string]string{"EVENTS_OIDC_AUDIENCE": eventsAudience})

	resp, body := MustDeliver(t, url, "")
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	assert.Equal(t, int64(1), f.handled.Load())
}

func TestRequireDeliveryToken_Err(t *testing.T) {
	iss := hosttest.MustServeIssuer(t)
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)

	for _, tt := range []struct {
		name string
		cfg  map[string]string
		want string
	}{
		{"ErrNoAudience", map[string]string{"EVENTS_OIDC_ISSUER": iss.URL()}, "EVENTS_OIDC_AUDIENCE is required"},
		{"ErrDiscovery", map[string]string{"EVENTS_OIDC_ISSUER": notFound.URL, "EVENTS_OIDC_AUDIENCE": eventsAudience}, "discover issuer"},
		{"ErrNotAURL", map[string]string{"EVENTS_OIDC_ISSUER": "kubernetes.default.svc", "EVENTS_OIDC_AUDIENCE": eventsAudience}, "want an absolute http or https URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := host.RequireDeliveryToken(context.Background(), tt.cfg, host.EventHTTPHandler(&countingEvents{}))
			require.Error(t, err)
			assert.Nil(t, h)
			assert.Contains(t, err.Error(), "check deliveries (EVENTS_OIDC_ISSUER is set)")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// hs256WithPublicKey signs tok with HS256, using the issuer's public key as the HMAC
// secret and its kid: the algorithm-confusion attack.
func hs256WithPublicKey(tb testing.TB, pub jwk.Key, raw any, tok jwt.Token) string {
	tb.Helper()
	key, ok := raw.(ed25519.PublicKey)
	require.True(tb, ok, "got a %T, want an Ed25519 public key", raw)
	secret := []byte(key)
	hdr := jws.NewHeaders()
	require.NoError(tb, hdr.Set(jws.KeyIDKey, pub.KeyID()))
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, secret, jws.WithProtectedHeaders(hdr)))
	require.NoError(tb, err)
	return string(signed)
}

// unsigned returns tok with alg "none" and an empty signature.
func unsigned(tb testing.TB, kid string, tok jwt.Token) string {
	tb.Helper()
	payload, err := json.Marshal(tok)
	require.NoError(tb, err)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","kid":"`+kid+`"}`)) + "." + enc.EncodeToString(payload) + "."
}
