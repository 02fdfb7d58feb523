package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/taskwire"
)

const (
	testIssuer   = "https://auth.example.test"
	testAudience = "taskwire-api"
)

func TestVerifier_Verify(t *testing.T) {
	ed := MustGenerateKey(t, jwa.EdDSA, "ed-1", false) // Better Auth's shape: kid, no alg
	rs := MustGenerateKey(t, jwa.RS256, "rs-1", true)
	ec := MustGenerateKey(t, jwa.ES256, "ec-1", true)
	srv := MustServeJWKS(t, ed, rs, ec)
	clock := NewClock()
	v := MustNewVerifier(t, srv, clock)
	now := clock.Now()

	t.Run("OK", func(t *testing.T) {
		for _, k := range []TestKey{ed, rs, ec} {
			t.Run(k.Alg.String(), func(t *testing.T) {
				sub, err := v.Verify(context.Background(), MustSign(t, k, Claims(now, "user-"+k.Kid)))
				require.NoError(t, err)
				assert.Equal(t, "user-"+k.Kid, sub)
			})
		}
	})

	t.Run("OKNoKidOneKeyFits", func(t *testing.T) {
		noKid := ed
		noKid.Kid = ""
		sub, err := v.Verify(context.Background(), MustSign(t, noKid, Claims(now, "user-1")))
		require.NoError(t, err)
		assert.Equal(t, "user-1", sub)
	})

	t.Run("OKIdentity", func(t *testing.T) {
		// When the token was issued: its iat, else its nbf, else not known.
		issued, valid := now.Add(-2*time.Minute).Truncate(time.Second), now.Add(-time.Minute).Truncate(time.Second)
		for name, tc := range map[string]struct {
			drop []string
			want time.Time
		}{
			"iat":     {want: issued},
			"nbf":     {drop: []string{jwt.IssuedAtKey}, want: valid},
			"neither": {drop: []string{jwt.IssuedAtKey, jwt.NotBeforeKey}},
		} {
			c := Claims(now, "user-"+name)
			c[jwt.IssuedAtKey], c[jwt.NotBeforeKey] = issued, valid
			for _, k := range tc.drop {
				delete(c, k)
			}
			token := MustSign(t, ed, c)
			for range 2 { // verified, then recalled
				id, err := v.Identify(context.Background(), token)
				require.NoError(t, err, name)
				assert.Equal(t, "user-"+name, id.Subject, name)
				assert.True(t, tc.want.Equal(id.IssuedAt), "%s: got issued at %v, want %v", name, id.IssuedAt, tc.want)
			}
		}
	})

	t.Run("OKExpiredWithinLeeway", func(t *testing.T) {
		c := Claims(now.Add(-5*time.Minute), "user-1")
		c[jwt.ExpirationKey] = now.Add(-10 * time.Second)
		sub, err := v.Verify(context.Background(), MustSign(t, ed, c))
		require.NoError(t, err)
		assert.Equal(t, "user-1", sub)
	})

	t.Run("ErrExpired", func(t *testing.T) {
		c := Claims(now.Add(-5*time.Minute), "user-1")
		c[jwt.ExpirationKey] = now.Add(-40 * time.Second)
		_, err := v.Verify(context.Background(), MustSign(t, ed, c))
		AssertUnauthorized(t, err, "token expired")
	})

	t.Run("OKNotBeforeWithinLeeway", func(t *testing.T) {
		c := Claims(now, "user-1")
		c[jwt.NotBeforeKey] = now.Add(10 * time.Second)
		sub, err := v.Verify(context.Background(), MustSign(t, ed, c))
		require.NoError(t, err)
		assert.Equal(t, "user-1", sub)
	})

	t.Run("ErrNotYetValid", func(t *testing.T) {
		c := Claims(now, "user-1")
		c[jwt.NotBeforeKey] = now.Add(2 * time.Minute)
		_, err := v.Verify(context.Background(), MustSign(t, ed, c))
		AssertUnauthorized(t, err, "token is not valid yet")
	})

	t.Run("ErrIssuedInFuture", func(t *testing.T) {
		c := Claims(now, "user-1")
		c[jwt.IssuedAtKey] = now.Add(2 * time.Minute)
		_, err := v.Verify(context.Background(), MustSign(t, ed, c))
		AssertUnauthorized(t, err, "token is issued in the future")
	})

	t.Run("ErrIssuer", func(t *testing.T) {
		c := Claims(now, "user-1")
		c[jwt.IssuerKey] = "https://evil.example.test"
		_, err := v.Verify(context.Background(), MustSign(t, ed, c))
		AssertUnauthorized(t, err, "token issuer is not accepted")
	})

	t.Run("ErrAudience", func(t *testing.T) {
		c := Claims(now, "user-1")
		c[jwt.AudienceKey] = []string{"someone-else"}
		_, err := v.Verify(context.Background(), MustSign(t, ed, c))
		AssertUnauthorized(t, err, "token audience is not accepted")
	})

	t.Run("ErrMissingExp", func(t *testing.T) {
		c := Claims(now, "user-1")
		delete(c, jwt.ExpirationKey)
		_, err := v.Verify(context.Background(), MustSign(t, ed, c))
		AssertUnauthorized(t, err, "token has no expiry")
	})

	t.Run("ErrMissingSub", func(t *testing.T) {
		c := Claims(now, "")
		delete(c, jwt.SubjectKey)
		_, err := v.Verify(context.Background(), MustSign(t, ed, c))
		AssertUnauthorized(t, err, "token has no subject")
	})

	t.Run("ErrSubTooLong", func(t *testing.T) {
		_, err := v.Verify(context.Background(), MustSign(t, ed, Claims(now, strings.Repeat("a", 256))))
		AssertUnauthorized(t, err, "token subject is longer than 255 characters")
	})

	t.Run("ErrAlgNone", func(t *testing.T) {
		b64 := base64.RawURLEncoding
		payload, err := json.Marshal(map[string]any{
			"iss": testIssuer, "aud": testAudience, "sub": "user-1",
			"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		})
		require.NoError(t, err)
		token := b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + b64.EncodeToString(payload) + "."
		_, err = v.Verify(context.Background(), token)
		AssertUnauthorized(t, err, "signing algorithm none is not allowed")
	})

	t.Run("ErrHS256WithPublicKey", func(t *testing.T) {
		// The classic confusion attack: HMAC keyed with the RSA public key's bytes.
		der, err := x509.MarshalPKIXPublicKey(&rs.Private.(*rsa.PrivateKey).PublicKey)
		require.NoError(t, err)
		secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		hdr := jws.NewHeaders()
		require.NoError(t, hdr.Set(jws.KeyIDKey, rs.Kid))
		tok := MustBuild(t, Claims(now, "user-1"))
		signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, secret, jws.WithProtectedHeaders(hdr)))
		require.NoError(t, err)
		_, err = v.Verify(context.Background(), string(signed))
		AssertUnauthorized(t, err, "signing algorithm HS256 is not allowed")
	})

	t.Run("ErrOtherAlgorithm", func(t *testing.T) {
		ps := MustGenerateKey(t, jwa.PS256, rs.Kid, false)
		_, err := v.Verify(context.Background(), MustSign(t, ps, Claims(now, "user-1")))
		AssertUnauthorized(t, err, "signing algorithm PS256 is not allowed")
	})

	t.Run("ErrKeyTypeMismatch", func(t *testing.T) {
		// An EdDSA token that names the RSA key's kid.
		wrong := MustGenerateKey(t, jwa.EdDSA, rs.Kid, false)
		_, err := v.Verify(context.Background(), MustSign(t, wrong, Claims(now, "user-1")))
		AssertUnauthorized(t, err, "key with kid rs-1 cannot verify EdDSA tokens")
	})

	t.Run("ErrUnknownKey", func(t *testing.T) {
		stranger := MustGenerateKey(t, jwa.EdDSA, "stranger", false)
		_, err := v.Verify(context.Background(), MustSign(t, stranger, Claims(now, "user-1")))
		AssertUnauthorized(t, err, "no key with kid stranger")
	})

	t.Run("ErrForgedWithKnownKid", func(t *testing.T) {
		forger := MustGenerateKey(t, jwa.EdDSA, ed.Kid, false)
		_, err := v.Verify(context.Background(), MustSign(t, forger, Claims(now, "user-1")))
		AssertUnauthorized(t, err, "token signature is invalid")
	})

	t.Run("ErrGarbage", func(t *testing.T) {
		_, err := v.Verify(context.Background(), "this is not a token")
		AssertUnauthorized(t, err, "token is malformed")
	})

	t.Run("ErrEmpty", func(t *testing.T) {
		_, err := v.Verify(context.Background(), "")
		AssertUnauthorized(t, err, "token is missing")
	})
}

// TestVerifier_Verify_Again checks that a token admitted once, which Verify then
// remembers, is admitted again only as long as it is valid, and as itself.
func TestVerifier_Verify_Again(t *testing.T) {
	ed := MustGenerateKey(t, jwa.EdDSA, "ed-1", false)
	srv := MustServeJWKS(t, ed)

	t.Run("ErrExpiredSince", func(t *testing.T) {
		clock := NewClock()
		v := MustNewVerifier(t, srv, clock)
		c := Claims(clock.Now(), "user-1")
		c[jwt.ExpirationKey] = clock.Now().Add(time.Minute)
		token := MustSign(t, ed, c)
		for range 2 {
			sub, err := v.Verify(context.Background(), token)
			require.NoError(t, err)
			assert.Equal(t, "user-1", sub)
		}
		clock.Advance(time.Minute + 20*time.Second) // within the leeway
		_, err := v.Verify(context.Background(), token)
		require.NoError(t, err, "got the token refused within the leeway after exp")
		clock.Advance(15 * time.Second)
		_, err = v.Verify(context.Background(), token)
		AssertUnauthorized(t, err, "token expired")
	})

	t.Run("OKEachItsOwnSubject", func(t *testing.T) {
		clock := NewClock()
		v := MustNewVerifier(t, srv, clock)
		tokens := map[string]string{}
		for _, sub := range []string{"user-1", "user-2", "user-3"} {
			tokens[sub] = MustSign(t, ed, Claims(clock.Now(), sub))
		}
		for range 2 {
			for want, token := range tokens {
				sub, err := v.Verify(context.Background(), token)
				require.NoError(t, err)
				assert.Equal(t, want, sub)
			}
		}
	})

	t.Run("OKAfterItLapses", func(t *testing.T) {
		clock := NewClock()
		v := MustNewVerifier(t, srv, clock)
		c := Claims(clock.Now(), "user-1")
		c[jwt.ExpirationKey] = clock.Now().Add(time.Hour)
		token := MustSign(t, ed, c)
		_, err := v.Verify(context.Background(), token)
		require.NoError(t, err)
		clock.Advance(10 * time.Minute) // longer than a token is remembered: checked again
		sub, err := v.Verify(context.Background(), token)
		require.NoError(t, err)
		assert.Equal(t, "user-1", sub)
	})
}

func TestVerifier_Verify_KeyAlgorithm(t *testing.T) {
	t.Run("ErrJWKAlgDiffers", func(t *testing.T) {
		// The JWK says RS512; a token that claims RS256 must not use it.
		rs := MustGenerateKey(t, jwa.RS256, "rs-512", false)
		pub := MustPublic(t, rs)
		require.NoError(t, pub.Set(jwk.AlgorithmKey, jwa.RS512))
		srv := MustServeJWKSKeys(t, pub)
		v := MustNewVerifier(t, srv, NewClock())
		_, err := v.Verify(context.Background(), MustSign(t, rs, Claims(time.Now(), "user-1")))
		AssertUnauthorized(t, err, "key with kid rs-512 cannot verify RS256 tokens")
	})

	t.Run("ErrNoKidSeveralKeys", func(t *testing.T) {
		a := MustGenerateKey(t, jwa.EdDSA, "a", false)
		b := MustGenerateKey(t, jwa.EdDSA, "b", false)
		srv := MustServeJWKS(t, a, b)
		v := MustNewVerifier(t, srv, NewClock())
		a.Kid = ""
		_, err := v.Verify(context.Background(), MustSign(t, a, Claims(time.Now(), "user-1")))
		AssertUnauthorized(t, err, "token has no kid and several keys can verify EdDSA tokens")
	})
}

func TestVerifier_Verify_Rotation(t *testing.T) {
	old := MustGenerateKey(t, jwa.EdDSA, "old", false)
	srv := MustServeJWKS(t, old)
	clock := NewClock()
	v := MustNewVerifier(t, srv, clock)
	require.Equal(t, int64(1), srv.Hits(), "got %d fetches at start, want 1", srv.Hits())

	rotated := MustGenerateKey(t, jwa.EdDSA, "new", false)
	srv.Serve(old, rotated)
	clock.Advance(11 * time.Second) // past the rate limit of the fetch at start

	t.Run("OKNewKidAfterOneRefetch", func(t *testing.T) {
		sub, err := v.Verify(context.Background(), MustSign(t, rotated, Claims(clock.Now(), "user-1")))
		require.NoError(t, err)
		assert.Equal(t, "user-1", sub)
		assert.Equal(t, int64(2), srv.Hits(), "got %d fetches, want 2", srv.Hits())

		// Known kids need no fetch.
		_, err = v.Verify(context.Background(), MustSign(t, old, Claims(clock.Now(), "user-1")))
		require.NoError(t, err)
		assert.Equal(t, int64(2), srv.Hits())
	})

	t.Run("ErrUnknownKidWithinWindow", func(t *testing.T) {
		clock.Advance(5 * time.Second)
		other := MustGenerateKey(t, jwa.EdDSA, "other", false)
		_, err := v.Verify(context.Background(), MustSign(t, other, Claims(clock.Now(), "user-1")))
		AssertUnauthorized(t, err, "no key with kid other")
		assert.Equal(t, int64(2), srv.Hits(), "got %d fetches, want no further fetch", srv.Hits())
	})

	t.Run("ConcurrentUnknownKidsFetchOnce", func(t *testing.T) {
		clock.Advance(11 * time.Second)
		var wg sync.WaitGroup
		for i := range 8 {
			k := MustGenerateKey(t, jwa.EdDSA, "concurrent-"+string(rune('a'+i)), false)
			token := MustSign(t, k, Claims(clock.Now(), "user-1"))
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := v.Verify(context.Background(), token)
				AssertUnauthorized(t, err, "no key with kid concurrent-")
			}()
		}
		wg.Wait()
		assert.Equal(t, int64(3), srv.Hits(), "got %d fetches, want 3", srv.Hits())
	})

	latest := MustGenerateKey(t, jwa.ES256, "latest", true)
	t.Run("OKShorterInterval", func(t *testing.T) {
		auth.SetRefetchInterval(v, time.Second)
		clock.Advance(2 * time.Second)
		srv.Serve(latest)
		sub, err := v.Verify(context.Background(), MustSign(t, latest, Claims(clock.Now(), "user-2")))
		require.NoError(t, err)
		assert.Equal(t, "user-2", sub)
		assert.Equal(t, int64(4), srv.Hits(), "got %d fetches, want 4", srv.Hits())
	})

	t.Run("OKFailedRefetchKeepsKeys", func(t *testing.T) {
		clock.Advance(2 * time.Second)
		srv.Fail(true)
		defer srv.Fail(false)
		before := srv.Hits()
		stranger := MustGenerateKey(t, jwa.EdDSA, "stranger", false)
		_, err := v.Verify(context.Background(), MustSign(t, stranger, Claims(clock.Now(), "user-1")))
		AssertUnauthorized(t, err, "no key with kid stranger")
		assert.Equal(t, before+1, srv.Hits(), "got %d fetches, want %d", srv.Hits(), before+1)

		sub, err := v.Verify(context.Background(), MustSign(t, latest, Claims(clock.Now(), "user-2")))
		require.NoError(t, err)
		assert.Equal(t, "user-2", sub)
	})
}

func TestNewVerifier(t *testing.T) {
	ed := MustGenerateKey(t, jwa.EdDSA, "ed-1", false)
	srv := MustServeJWKS(t, ed)

	t.Run("ErrIssuerEmpty", func(t *testing.T) {
		_, err := auth.NewVerifier(context.Background(), auth.Config{JWKSURL: srv.URL, Audience: testAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "AUTH_ISSUER is required")
	})

	t.Run("ErrDevelopmentIssuerInACluster", func(t *testing.T) {
		_, err := auth.NewVerifier(context.Background(), auth.ConfigFromEnv(map[string]string{"K_SERVICE": "tasks"}, t.TempDir()))
		require.Error(t, err, "a deployed function must not mint tokens for anyone")
		assert.Contains(t, err.Error(), "K_SERVICE")
		_, err = auth.NewVerifier(context.Background(), auth.ConfigFromEnv(map[string]string{}, t.TempDir()))
		assert.NoError(t, err, "on one machine the development issuer is trusted")
	})

	t.Run("ErrIssuerWithoutKeySet", func(t *testing.T) {
		for _, cfg := range []auth.Config{{Issuer: testIssuer, DataDir: t.TempDir()}, {Audience: testAudience, DataDir: t.TempDir()}} {
			_, err := auth.NewVerifier(context.Background(), cfg)
			require.Error(t, err, "a half-configured provider must not leave the development issuer trusted")
			assert.Contains(t, err.Error(), "need AUTH_JWKS_URL")
		}
	})

	t.Run("ErrAudienceEmpty", func(t *testing.T) {
		_, err := auth.NewVerifier(context.Background(), auth.Config{JWKSURL: srv.URL, Issuer: testIssuer})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "AUTH_AUDIENCE is required")
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		_, err := auth.NewVerifier(context.Background(), auth.Config{JWKSURL: dead.URL, Issuer: testIssuer, Audience: testAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "fetch key set")
	})

	t.Run("ErrStatus", func(t *testing.T) {
		notFound := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(notFound.Close)
		_, err := auth.NewVerifier(context.Background(), auth.Config{JWKSURL: notFound.URL, Issuer: testIssuer, Audience: testAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "404")
	})

	t.Run("ErrEmptySet", func(t *testing.T) {
		empty := MustServeJWKS(t)
		_, err := auth.NewVerifier(context.Background(), auth.Config{JWKSURL: empty.URL, Issuer: testIssuer, Audience: testAudience})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no usable signing keys")
	})

	t.Run("OKExternal", func(t *testing.T) {
		v, err := auth.NewVerifier(context.Background(), auth.Config{JWKSURL: srv.URL, Issuer: testIssuer, Audience: testAudience, Client: srv.Client()})
		require.NoError(t, err)
		assert.Nil(t, v.DevIssuer())
	})
}

func TestConfigFromEnv(t *testing.T) {
	cfg := auth.ConfigFromEnv(map[string]string{
		"AUTH_JWKS_URL": "http://localhost:3000/api/auth/jwks",
		"AUTH_ISSUER":   "http://localhost:3000",
		"AUTH_AUDIENCE": "taskwire",
		"OTHER":         "ignored",
	}, ".data")
	assert.Equal(t, auth.Config{
		JWKSURL:  "http://localhost:3000/api/auth/jwks",
		Issuer:   "http://localhost:3000",
		Audience: "taskwire",
		DataDir:  ".data",
	}, cfg)
}

// TestKey is a private signing key with the kid and algorithm its tokens carry.
type TestKey struct {
	Alg     jwa.SignatureAlgorithm
	Kid     string // put in the token header and the JWK; "" for none
	Private any    // ed25519.PrivateKey, *rsa.PrivateKey or *ecdsa.PrivateKey
	JWKAlg  bool   // whether the served JWK carries "alg"
}

// MustGenerateKey returns a new key for alg: Ed25519 for EdDSA, RSA 2048 for RS256 and PS256, P-256 for ES256.
func MustGenerateKey(tb testing.TB, alg jwa.SignatureAlgorithm, kid string, jwkAlg bool) TestKey {
	tb.Helper()
	var priv any
	var err error
	switch alg {
	case jwa.EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case jwa.RS256, jwa.PS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jwa.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		tb.Fatalf("no test key for %s", alg)
	}
	require.NoError(tb, err)
	return TestKey{Alg: alg, Kid: kid, Private: priv, JWKAlg: jwkAlg}
}

// MustPublic returns k's public JWK as a JWKS would serve it.
func MustPublic(tb testing.TB, k TestKey) jwk.Key {
	tb.Helper()
	key, err := jwk.FromRaw(k.Private)
	require.NoError(tb, err)
	pub, err := key.PublicKey()
	require.NoError(tb, err)
	if k.Kid != "" {
		require.NoError(tb, pub.Set(jwk.KeyIDKey, k.Kid))
	}
	if k.JWKAlg {
		require.NoError(tb, pub.Set(jwk.AlgorithmKey, k.Alg))
	}
	return pub
}

// Claims returns valid claims for sub issued at now, expiring five minutes later.
func Claims(now time.Time, sub string) map[string]any {
	return map[string]any{
		jwt.IssuerKey:     testIssuer,
		jwt.AudienceKey:   []string{testAudience},
		jwt.SubjectKey:    sub,
		jwt.IssuedAtKey:   now,
		jwt.NotBeforeKey:  now,
		jwt.ExpirationKey: now.Add(5 * time.Minute),
	}
}

// MustBuild returns a token with claims.
func MustBuild(tb testing.TB, claims map[string]any) jwt.Token {
	tb.Helper()
	tok := jwt.New()
	for name, value := range claims {
		require.NoError(tb, tok.Set(name, value))
	}
	return tok
}

// MustSign returns a compact token with claims signed by k, with k's kid in the header.
func MustSign(tb testing.TB, k TestKey, claims map[string]any) string {
	tb.Helper()
	hdr := jws.NewHeaders()
	if k.Kid != "" {
		require.NoError(tb, hdr.Set(jws.KeyIDKey, k.Kid))
	}
	signed, err := jwt.Sign(MustBuild(tb, claims), jwt.WithKey(k.Alg, k.Private, jws.WithProtectedHeaders(hdr)))
	require.NoError(tb, err)
	return string(signed)
}

// AssertUnauthorized asserts that err is an EUNAUTHORIZED taskwire.Error whose message contains want.
func AssertUnauthorized(tb testing.TB, err error, want string) {
	tb.Helper()
	var e *taskwire.Error
	if !assert.ErrorAs(tb, err, &e) {
		return
	}
	assert.Equal(tb, taskwire.EUNAUTHORIZED, e.Code, "got code %s, want %s", e.Code, taskwire.EUNAUTHORIZED)
	assert.Contains(tb, e.Message, want)
}

// JWKSServer is a local JWKS endpoint that counts its hits.
type JWKSServer struct {
	*httptest.Server
	tb   testing.TB
	mu   sync.Mutex
	body []byte
	fail bool
	hits atomic.Int64
}

// MustServeJWKS starts a JWKS server serving the public halves of keys.
func MustServeJWKS(tb testing.TB, keys ...TestKey) *JWKSServer {
	tb.Helper()
	pubs := make([]jwk.Key, len(keys))
	for i, k := range keys {
		pubs[i] = MustPublic(tb, k)
	}
	return MustServeJWKSKeys(tb, pubs...)
}

// MustServeJWKSKeys starts a JWKS server serving keys as they are.
func MustServeJWKSKeys(tb testing.TB, keys ...jwk.Key) *JWKSServer {
	tb.Helper()
	s := &JWKSServer{}
	s.serve(tb, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, fail := s.body, s.fail
		s.mu.Unlock()
		if fail {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(s.Close)
	s.tb = tb
	return s
}

// Serve makes s serve the public halves of keys from now on.
func (s *JWKSServer) Serve(keys ...TestKey) {
	s.tb.Helper()
	pubs := make([]jwk.Key, len(keys))
	for i, k := range keys {
		pubs[i] = MustPublic(s.tb, k)
	}
	s.serve(s.tb, pubs...)
}

func (s *JWKSServer) serve(tb testing.TB, keys ...jwk.Key) {
	tb.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		require.NoError(tb, set.AddKey(k))
	}
	body, err := json.Marshal(set)
	require.NoError(tb, err)
	s.mu.Lock()
	s.body = body
	s.mu.Unlock()
}

// Fail makes s answer 503 while fail is true.
func (s *JWKSServer) Fail(fail bool) {
	s.mu.Lock()
	s.fail = fail
	s.mu.Unlock()
}

// Hits returns how many requests s has answered.
func (s *JWKSServer) Hits() int64 { return s.hits.Load() }

// Clock is a test clock that starts at the real time and moves only when told.
type Clock struct {
	start  time.Time
	offset atomic.Int64
}

// NewClock returns a clock stopped at the current time.
func NewClock() *Clock { return &Clock{start: time.Now()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.start.Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// MustNewVerifier returns a verifier trusting srv's keys for testIssuer and testAudience, reading clock.
func MustNewVerifier(tb testing.TB, srv *JWKSServer, clock *Clock) *auth.Verifier {
	tb.Helper()
	v, err := auth.NewVerifier(context.Background(), auth.Config{
		JWKSURL:  srv.URL,
		Issuer:   testIssuer,
		Audience: testAudience,
		Client:   srv.Client(),
	})
	require.NoError(tb, err)
	auth.SetClock(v, clock.Now)
	return v
}
