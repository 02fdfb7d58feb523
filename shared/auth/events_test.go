package auth_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/taskwire"
)

const eventsAudience = "serving.knative.dev/service/default/notify"

// servedIssuer is a local OpenID Connect issuer served on a loopback port, counting the
// requests for its key set.
type servedIssuer struct {
	*auth.Issuer
	srv       *httptest.Server
	jwksHits  atomic.Int64
	discovery atomic.Pointer[string] // replaces the discovery document when set
	down      atomic.Int64           // how many discovery requests to answer 503 first
}

// MustServeIssuer serves a new local issuer and returns it.
func MustServeIssuer(tb testing.TB) *servedIssuer {
	tb.Helper()
	s := &servedIssuer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openid/v1/jwks" {
			s.jwksHits.Add(1)
		}
		if r.URL.Path == "/.well-known/openid-configuration" && s.down.Add(-1) >= 0 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		if doc := s.discovery.Load(); doc != nil && r.URL.Path == "/.well-known/openid-configuration" {
			_, _ = w.Write([]byte(*doc))
			return
		}
		s.Issuer.ServeHTTP(w, r)
	}))
	tb.Cleanup(s.srv.Close)
	iss, err := auth.NewIssuer(s.srv.URL)
	require.NoError(tb, err)
	s.Issuer = iss
	return s
}

// MustMint mints a token of iss for the events audience.
func MustMint(tb testing.TB, iss *auth.Issuer) string {
	tb.Helper()
	tok, err := iss.Mint("system:serviceaccount:default:broker", eventsAudience, time.Minute)
	require.NoError(tb, err)
	return tok
}

func TestNewEventVerifier(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		iss := MustServeIssuer(t)
		v, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: iss.URL(), Audience: eventsAudience})
		require.NoError(t, err)
		sub, err := v.Verify(context.Background(), MustMint(t, iss.Issuer))
		require.NoError(t, err)
		assert.Equal(t, "system:serviceaccount:default:broker", sub)
	})

	t.Run("OKRotation", func(t *testing.T) {
		iss := MustServeIssuer(t)
		v, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: iss.URL(), Audience: eventsAudience})
		require.NoError(t, err)
		clock := NewClock()
		auth.SetClock(v, clock.Now)
		old := MustMint(t, iss.Issuer)
		require.Equal(t, int64(1), iss.jwksHits.Load())

		require.NoError(t, iss.Rotate())
		clock.Advance(11 * time.Second) // past the rate limit of the fetch at start
		_, err = v.Verify(context.Background(), MustMint(t, iss.Issuer))
		require.NoError(t, err, "a token of the new key verifies after one refetch")
		assert.Equal(t, int64(2), iss.jwksHits.Load())
		_, err = v.Verify(context.Background(), old)
		require.NoError(t, err, "the old key stays in the set")
		assert.Equal(t, int64(2), iss.jwksHits.Load(), "known kids need no fetch")
	})

	t.Run("ErrIssuerMismatch", func(t *testing.T) {
		iss := MustServeIssuer(t)
		doc := `{"issuer":"https://other.example.test","jwks_uri":"` + iss.URL() + `/openid/v1/jwks"}`
		iss.discovery.Store(&doc)
		_, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: iss.URL(), Audience: eventsAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `names issuer "https://other.example.test"`)
	})

	t.Run("ErrNoJWKSURI", func(t *testing.T) {
		iss := MustServeIssuer(t)
		doc := `{"issuer":"` + iss.URL() + `"}`
		iss.discovery.Store(&doc)
		_, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: iss.URL(), Audience: eventsAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "jwks_uri")
	})

	t.Run("ErrNotJSON", func(t *testing.T) {
		iss := MustServeIssuer(t)
		doc := `<html>`
		iss.discovery.Store(&doc)
		_, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: iss.URL(), Audience: eventsAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "discover issuer")
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		_, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: dead.URL, Audience: eventsAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "discover issuer")
	})

	// An issuer still starting (the broker in split mode, restarted with the functions)
	// is waited for, up to Wait; a function that gave up at once stayed down.
	t.Run("OKIssuerStarting", func(t *testing.T) {
		iss := MustServeIssuer(t)
		iss.down.Store(3)
		v, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: iss.URL(), Audience: eventsAudience, Wait: 10 * time.Second})
		require.NoError(t, err)
		_, err = v.Verify(context.Background(), MustMint(t, iss.Issuer))
		require.NoError(t, err)
	})

	t.Run("ErrIssuerStartingWithoutWait", func(t *testing.T) {
		iss := MustServeIssuer(t)
		iss.down.Store(3)
		_, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: iss.URL(), Audience: eventsAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "503")
	})

	t.Run("ErrNotFoundIsNotWaitedFor", func(t *testing.T) {
		iss := MustServeIssuer(t)
		doc := ""
		iss.discovery.Store(&doc)
		start := time.Now()
		_, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: iss.URL() + "/elsewhere", Audience: eventsAudience, Wait: 10 * time.Second})
		require.Error(t, err)
		assert.Less(t, time.Since(start), 5*time.Second, "a wrong address is an error at once")
	})

	t.Run("ErrNoAudience", func(t *testing.T) {
		_, err := auth.NewEventVerifier(context.Background(), auth.EventConfig{Issuer: "https://issuer.example.test"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "EVENTS_OIDC_AUDIENCE is required")
	})
}

// In a pod, the cluster's service-account issuer is the API server: under the cluster's
// own CA, and answering discovery and its key set only to a service account's token,
// which the verifier sends there and nowhere else.
func TestNewEventVerifier_InClusterIssuer(t *testing.T) {
	const saToken = "pod-service-account.jwt"
	var iss *auth.Issuer
	var unauthorized atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+saToken {
			unauthorized.Add(1)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		iss.ServeHTTP(w, r)
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	var err error
	iss, err = auth.NewIssuer(srv.URL)
	require.NoError(t, err)

	dir := t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.crt"), ca, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "token"), []byte(saToken+"\n"), 0o600))
	cfg := auth.EventConfig{Issuer: srv.URL, Audience: eventsAudience, ServiceAccountDir: dir}
	v, err := auth.NewEventVerifier(context.Background(), cfg)
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), MustMint(t, iss))
	require.NoError(t, err)
	assert.Zero(t, unauthorized.Load(), "discovery and the key set were read with the token")

	// Outside a pod (no such directory) the cluster's CA is unknown.
	cfg.ServiceAccountDir = filepath.Join(dir, "absent")
	_, err = auth.NewEventVerifier(context.Background(), cfg)
	assert.ErrorContains(t, err, "certificate")

	// An issuer in clear text gets no token.
	plain := MustServeIssuer(t)
	cfg = auth.EventConfig{Issuer: plain.URL(), Audience: eventsAudience, ServiceAccountDir: dir}
	seen := make(chan string, 4)
	plain.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("Authorization")
		plain.Issuer.ServeHTTP(w, r)
	})
	_, err = auth.NewEventVerifier(context.Background(), cfg)
	require.NoError(t, err)
	assert.Empty(t, <-seen, "discovery over http carries no token")
	assert.Empty(t, <-seen, "nor the key set")
}

func TestEventConfigFromEnv(t *testing.T) {
	cfg := auth.EventConfigFromEnv(map[string]string{"EVENTS_OIDC_ISSUER": " https://kubernetes.default.svc ", "EVENTS_OIDC_AUDIENCE": eventsAudience})
	assert.Equal(t, auth.EventConfig{Issuer: "https://kubernetes.default.svc", Audience: eventsAudience, Wait: auth.DefaultEventWait,
		ServiceAccountDir: auth.ServiceAccountDir}, cfg)
	assert.True(t, cfg.Enabled())
	assert.False(t, auth.EventConfigFromEnv(map[string]string{"EVENTS_OIDC_AUDIENCE": eventsAudience}).Enabled())
}

func TestIssuer(t *testing.T) {
	iss := MustServeIssuer(t)

	t.Run("Discovery", func(t *testing.T) {
		resp, err := http.Get(iss.URL() + "/.well-known/openid-configuration")
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var doc map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		assert.Equal(t, iss.URL(), doc["issuer"])
		assert.Equal(t, iss.URL()+"/openid/v1/jwks", doc["jwks_uri"])
	})

	t.Run("NotFound", func(t *testing.T) {
		resp, err := http.Get(iss.URL() + "/other")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})

	t.Run("Mint", func(t *testing.T) {
		before := time.Now().Truncate(time.Second)
		signed := MustMint(t, iss.Issuer)
		msg, err := jws.Parse([]byte(signed))
		require.NoError(t, err)
		set, err := iss.PublicKeys()
		require.NoError(t, err)
		key, _ := set.Key(0)
		assert.Equal(t, key.KeyID(), msg.Signatures()[0].ProtectedHeaders().KeyID())

		tok, err := jwt.Parse([]byte(signed), jwt.WithVerify(false))
		require.NoError(t, err)
		assert.Equal(t, iss.URL(), tok.Issuer())
		assert.Equal(t, []string{eventsAudience}, tok.Audience())
		assert.Equal(t, time.Minute, tok.Expiration().Sub(tok.IssuedAt()))
		assert.False(t, tok.IssuedAt().Before(before))
		assert.NotEmpty(t, tok.JwtID())
	})

	t.Run("ErrMint", func(t *testing.T) {
		_, err := iss.Mint("broker", "", time.Minute)
		assert.Equal(t, "aud", taskwire.ErrorField(err))
	})

	t.Run("ErrURL", func(t *testing.T) {
		for _, u := range []string{"", "kubernetes.default.svc", "ftp://x", "https://x/?q=1"} {
			_, err := auth.NewIssuer(u)
			assert.Error(t, err, u)
		}
	})
}

func TestLoadIssuer(t *testing.T) {
	dir := t.TempDir()
	a, err := auth.LoadIssuer("http://127.0.0.1:8090", dir)
	require.NoError(t, err)
	b, err := auth.LoadIssuer("http://127.0.0.1:8090", dir)
	require.NoError(t, err)
	ka, err := a.PublicKeys()
	require.NoError(t, err)
	kb, err := b.PublicKeys()
	require.NoError(t, err)
	first, _ := ka.Key(0)
	second, _ := kb.Key(0)
	assert.Equal(t, first.KeyID(), second.KeyID(), "a restarted issuer keeps its key")

	dev, err := auth.LoadDevIssuer(dir)
	require.NoError(t, err)
	devKey, _ := dev.PublicKeys().Key(0)
	assert.NotEqual(t, first.KeyID(), devKey.KeyID(), "the events issuer does not share the development issuer's key")
}

func TestBearerToken(t *testing.T) {
	for _, tt := range []struct {
		name, header, want, err string
	}{
		{"OK", "Bearer abc", "abc", ""},
		{"OKCase", "bearer  abc ", "abc", ""},
		{"ErrMissing", "", "", "missing bearer token"},
		{"ErrScheme", "Basic abc", "", "must be: Bearer"},
		{"ErrEmpty", "Bearer ", "", "must be: Bearer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Authorization", tt.header)
			}
			got, err := auth.BearerToken(h)
			if tt.err != "" {
				AssertUnauthorized(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
