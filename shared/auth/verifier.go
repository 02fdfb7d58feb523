package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/taskwire/taskwire/shared/taskwire"
)

const (
	leeway           = 30 * time.Second // acceptable clock skew for exp, nbf and iat
	refetchInterval  = 10 * time.Second // least time between two fetches of the key set
	fetchTimeout     = 10 * time.Second // time limit of one fetch of the key set
	maxKeySetSize    = 1 << 20          // bytes read from the JWKS URL at most
	maxTokenSize     = 16 << 10         // bytes of a token at most
	maxSubjectLength = 255              // characters of sub at most
	minRSABits       = 2048             // smallest RSA modulus accepted
)

// Verifier checks bearer tokens against one trusted issuer. It is safe for concurrent use.
type Verifier struct {
	dev      *DevIssuer // the local development issuer, when it is the one trusted
	jwksURL  string
	issuer   string
	audience string
	client   *http.Client

	now             func() time.Time // the clock; tests replace it
	refetchInterval time.Duration    // least time between two fetches; tests shorten it

	fetchMu sync.Mutex // held while refetching, so that concurrent callers fetch once

	mu        sync.RWMutex // guards keys and lastFetch
	keys      []verifyKey
	lastFetch time.Time

	verifiedMu sync.RWMutex
	verified   map[string]verifiedToken // tokens that passed every check, by their text
}

// verifiedToken is what Verify remembers of a token that passed every check: its subject,
// and until when it may be admitted without checking it again.
type verifiedToken struct {
	id    Identity
	until time.Time
}

// A client sends the same token with every request, and checking it (parsing it twice,
// verifying its signature) was a fifth of the tasks function's CPU under load. So Verify
// remembers a token that passed, by its exact text, until its exp (with the leeway) but
// at most for verifiedTTL, and at most maxVerified tokens at once.
const (
	verifiedTTL = 5 * time.Minute
	maxVerified = 4096
)

// verifyKey is a public key from the trusted set, reduced to what verification needs.
type verifyKey struct {
	kid    string
	alg    jwa.SignatureAlgorithm // the one allowed algorithm that fits the key's type
	jwkAlg string                 // the JWK's own "alg", if it has one
	raw    any                    // ed25519.PublicKey, *rsa.PublicKey or *ecdsa.PublicKey
}

// fits reports whether k may verify a signature made with alg.
func (k verifyKey) fits(alg jwa.SignatureAlgorithm) bool {
	return k.alg == alg && (k.jwkAlg == "" || k.jwkAlg == alg.String())
}

// NewVerifier returns a Verifier for cfg. With JWKSURL set it fetches the key set once
// (error if unreachable or empty) and requires Issuer and Audience to be non-empty (error
// otherwise). With JWKSURL empty it loads or creates the development issuer (see below)
// and trusts only it; an Issuer or Audience given without JWKSURL is an error, as a
// half-configured identity provider would otherwise leave the development issuer, whose
// tokens anyone with the data directory can mint, trusted unnoticed, and so is Service
// (K_SERVICE: a Knative cluster) without JWKSURL.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	v := &Verifier{
		client:          cfg.Client,
		now:             time.Now,
		refetchInterval: refetchInterval,
	}
	if v.client == nil {
		v.client = http.DefaultClient
	}

	if cfg.JWKSURL == "" && cfg.Service != "" {
		// The development issuer mints a token for any name at POST /v1/dev/token: on one
		// machine that is a convenience, in a cluster it would let anyone in as anyone.
		return nil, fmt.Errorf("new verifier: %s runs in a cluster (K_SERVICE is set), where the local development "+
			"issuer is refused: set AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE to your identity provider's", cfg.Service)
	}
	if cfg.JWKSURL == "" && (cfg.Issuer != "" || cfg.Audience != "") {
		return nil, errors.New("new verifier: AUTH_ISSUER and AUTH_AUDIENCE need AUTH_JWKS_URL, the identity provider's key set; " +
			"unset all three for the local development issuer")
	}
	if cfg.JWKSURL == "" {
		d, err := LoadDevIssuer(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("new verifier: %w", err)
		}
		keys, err := usableKeys(d.PublicKeys())
		if err != nil {
			return nil, fmt.Errorf("new verifier: development issuer: %w", err)
		}
		v.dev, v.issuer, v.audience, v.keys = d, DevIssuerName, DevAudience, keys
		return v, nil
	}

	if cfg.Issuer == "" {
		return nil, errors.New("new verifier: AUTH_ISSUER is required when AUTH_JWKS_URL is set")
	} else if cfg.Audience == "" {
		return nil, errors.New("new verifier: AUTH_AUDIENCE is required when AUTH_JWKS_URL is set")
	}
	v.jwksURL, v.issuer, v.audience = cfg.JWKSURL, cfg.Issuer, cfg.Audience

	keys, err := v.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("new verifier: %w", err)
	}
	v.keys, v.lastFetch = keys, v.now()
	return v, nil
}

// DevIssuer returns the local development issuer when the verifier trusts it (no
// AUTH_JWKS_URL), else nil.
func (v *Verifier) DevIssuer() *DevIssuer {
	return v.dev
}

// Issuer returns the identity provider whose tokens the verifier trusts (AUTH_ISSUER),
// or "" when it trusts the local development issuer, which is no authorization server.
func (v *Verifier) Issuer() string {
	if v.dev != nil {
		return ""
	}
	return v.issuer
}

// Identity is whom a verified token speaks for, and since when.
type Identity struct {
	Subject  string    // sub: the user
	IssuedAt time.Time // iat, else nbf; zero when the token has neither
}

// Verify checks a compact JWS JWT and returns its subject.
func (v *Verifier) Verify(ctx context.Context, token string) (string, error) {
	id, err := v.Identify(ctx, token)
	return id.Subject, err
}

// Identify checks a compact JWS JWT, as Verify does, and returns its identity.
func (v *Verifier) Identify(ctx context.Context, token string) (Identity, error) {
	if token == "" {
		return Identity{}, unauthorized("token is missing")
	} else if len(token) > maxTokenSize {
		return Identity{}, unauthorized("token is too large")
	}
	now := v.now()
	if id, ok := v.recall(token, now); ok {
		return id, nil
	}

	// Read the protected header before trusting anything in it: the algorithm
	// must be on the allow-list and the key must be of the type it names.
	msg, err := jws.Parse([]byte(token), jws.WithCompact())
	if err != nil {
		return Identity{}, unauthorized("token is malformed")
	}
	sigs := msg.Signatures()
	if len(sigs) != 1 || sigs[0].ProtectedHeaders() == nil {
		return Identity{}, unauthorized("token is malformed")
	}
	hdr := sigs[0].ProtectedHeaders()
	alg := hdr.Algorithm()
	switch alg {
	case jwa.EdDSA, jwa.RS256, jwa.ES256:
	case "":
		return Identity{}, unauthorized("token has no signing algorithm")
	default:
		return Identity{}, unauthorized("signing algorithm %s is not allowed", printable(alg.String()))
	}
	if len(hdr.Critical()) > 0 {
		return Identity{}, unauthorized("token has critical header parameters, which are not supported")
	}

	key, err := v.key(ctx, hdr.KeyID(), alg)
	if err != nil {
		return Identity{}, err
	}

	tok, err := jwt.Parse([]byte(token),
		jwt.WithKey(alg, key),
		jwt.WithValidate(true),
		jwt.WithIssuer(v.issuer),
		jwt.WithAudience(v.audience),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithAcceptableSkew(leeway),
		jwt.WithClock(jwt.ClockFunc(v.now)),
	)
	if err != nil {
		return Identity{}, parseError(err)
	}

	sub := tok.Subject()
	if sub == "" {
		return Identity{}, unauthorized("token has no subject")
	} else if utf8.RuneCountInString(sub) > maxSubjectLength {
		return Identity{}, unauthorized("token subject is longer than %d characters", maxSubjectLength)
	}
	id := Identity{Subject: sub, IssuedAt: tok.IssuedAt()}
	if id.IssuedAt.IsZero() {
		id.IssuedAt = tok.NotBefore()
	}
	v.remember(token, id, tok.Expiration().Add(leeway), now)
	return id, nil
}

// recall returns the identity of token if Identify admitted it before and it may still
// be admitted at now.
func (v *Verifier) recall(token string, now time.Time) (Identity, bool) {
	v.verifiedMu.RLock()
	vt, ok := v.verified[token]
	v.verifiedMu.RUnlock()
	if !ok || !now.Before(vt.until) {
		return Identity{}, false
	}
	return vt.id, true
}

// remember keeps token's identity for recall until expires, but not beyond verifiedTTL
// from now. When maxVerified tokens are kept, it drops those that lapsed, and all of
// them if none did.
func (v *Verifier) remember(token string, id Identity, expires, now time.Time) {
	until := now.Add(verifiedTTL)
	if expires.Before(until) {
		until = expires
	}
	v.verifiedMu.Lock()
	defer v.verifiedMu.Unlock()
	if len(v.verified) >= maxVerified {
		maps.DeleteFunc(v.verified, func(_ string, vt verifiedToken) bool { return !now.Before(vt.until) })
		if len(v.verified) >= maxVerified {
			clear(v.verified)
		}
	}
	if v.verified == nil {
		v.verified = make(map[string]verifiedToken)
	}
	v.verified[token] = verifiedToken{id: id, until: until}
}

// parseError translates an error of jwt.Parse into an EUNAUTHORIZED error.
func parseError(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired()):
		return unauthorized("token expired")
	case errors.Is(err, jwt.ErrTokenNotYetValid()):
		return unauthorized("token is not valid yet")
	case errors.Is(err, jwt.ErrInvalidIssuedAt()):
		return unauthorized("token is issued in the future")
	case errors.Is(err, jwt.ErrInvalidIssuer()):
		return unauthorized("token issuer is not accepted")
	case errors.Is(err, jwt.ErrInvalidAudience()):
		return unauthorized("token audience is not accepted")
	case errors.Is(err, jwt.ErrRequiredClaim()):
		return unauthorized("token has no expiry") // exp is the only required claim
	case jws.IsVerificationError(err):
		return unauthorized("token signature is invalid")
	default:
		return unauthorized("token is malformed")
	}
}

// key returns the raw public key that verifies a token with header kid and alg,
// refetching the key set once when an external issuer's kid is unknown.
func (v *Verifier) key(ctx context.Context, kid string, alg jwa.SignatureAlgorithm) (any, error) {
	key, known, err := pick(v.snapshot(), kid, alg)
	if known || v.dev != nil {
		return key, err
	}
	v.refetch(ctx)
	key, _, err = pick(v.snapshot(), kid, alg)
	return key, err
}

// snapshot returns the current keys.
func (v *Verifier) snapshot() []verifyKey {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.keys
}

// pick chooses the key for kid and alg among keys. Known is false only when the
// token names a kid that is not in keys, the one case a refetch can help.
func pick(keys []verifyKey, kid string, alg jwa.SignatureAlgorithm) (key any, known bool, err error) {
	if kid == "" {
		var found []verifyKey
		for _, k := range keys {
			if k.fits(alg) {
				found = append(found, k)
			}
		}
		switch len(found) {
		case 0:
			return nil, true, unauthorized("no key can verify %s tokens", alg)
		case 1:
			return found[0].raw, true, nil
		default:
			return nil, true, unauthorized("token has no kid and several keys can verify %s tokens", alg)
		}
	}

	for _, k := range keys {
		if k.kid != kid {
			continue
		}
		known = true
		if k.fits(alg) {
			return k.raw, true, nil
		}
	}
	if known {
		return nil, true, unauthorized("key with kid %s cannot verify %s tokens", printable(kid), alg)
	}
	return nil, false, unauthorized("no key with kid %s", printable(kid))
}

// refetch fetches the key set again, unless it was fetched less than
// refetchInterval ago. Concurrent callers wait for one fetch instead of each
// making their own. A failed fetch keeps the old keys and still counts toward
// the interval, so a broken issuer is not hammered.
func (v *Verifier) refetch(ctx context.Context) {
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()

	v.mu.RLock()
	last := v.lastFetch
	v.mu.RUnlock()
	if v.now().Sub(last) < v.refetchInterval {
		return
	}

	keys, err := v.fetch(ctx)

	v.mu.Lock()
	defer v.mu.Unlock()
	v.lastFetch = v.now()
	if err == nil {
		v.keys = keys
	}
}

// fetch reads the key set from the JWKS URL and keeps its usable keys.
func (v *Verifier) fetch(ctx context.Context) ([]verifyKey, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch key set: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch key set from %s: status %s", v.jwksURL, resp.Status)
	}

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeySetSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch key set from %s: %w", v.jwksURL, err)
	} else if len(body) > maxKeySetSize {
		return nil, fmt.Errorf("fetch key set from %s: larger than %d bytes", v.jwksURL, maxKeySetSize)
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse key set from %s: %w", v.jwksURL, err)
	}
	keys, err := usableKeys(set)
	if err != nil {
		return nil, fmt.Errorf("key set from %s: %w", v.jwksURL, err)
	}
	return keys, nil
}

// usableKeys returns the public keys of set that can verify an allowed
// algorithm, skipping the others (encryption keys, symmetric keys, other
// curves, short RSA keys). It is an error when none is left.
func usableKeys(set jwk.Set) ([]verifyKey, error) {
	var keys []verifyKey
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		if k.KeyUsage() != "" && k.KeyUsage() != string(jwk.ForSignature) {
			continue
		}
		if ops := k.KeyOps(); len(ops) > 0 && !hasOp(ops, jwk.KeyOpVerify) {
			continue
		}
		if k.KeyType() == jwa.OctetSeq {
			continue // never turn a symmetric key into an HMAC secret
		}
		pub, err := k.PublicKey()
		if err != nil {
			continue
		}
		var raw any
		if err := pub.Raw(&raw); err != nil {
			continue
		}
		vk := verifyKey{kid: k.KeyID(), raw: raw}
		if a := k.Algorithm(); a != nil {
			vk.jwkAlg = a.String()
		}
		switch r := raw.(type) {
		case ed25519.PublicKey:
			vk.alg = jwa.EdDSA
		case *rsa.PublicKey:
			if r.N.BitLen() < minRSABits {
				continue
			}
			vk.alg = jwa.RS256
		case *ecdsa.PublicKey:
			if r.Curve != elliptic.P256() {
				continue
			}
			vk.alg = jwa.ES256
		default:
			continue
		}
		keys = append(keys, vk)
	}
	if len(keys) == 0 {
		return nil, errors.New("no usable signing keys (EdDSA Ed25519, RS256, ES256 P-256)")
	}
	return keys, nil
}

// hasOp reports whether ops holds op.
func hasOp(ops jwk.KeyOperationList, op jwk.KeyOperation) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// unauthorized returns an EUNAUTHORIZED error with a formatted message.
func unauthorized(format string, args ...any) *taskwire.Error {
	return taskwire.Errorf(taskwire.EUNAUTHORIZED, format, args...)
}

// printable returns s for use in an error message when it is short and plain,
// and a quoted, shortened form otherwise: header values come from the caller.
func printable(s string) string {
	const limit = 64
	plain := len(s) <= limit && s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return fmt.Sprintf("%q", s)
}
