package auth

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// Paths an Issuer serves below its URL: the OpenID Connect discovery document, and its
// key set at the path Kubernetes' service-account issuer uses.
const (
	discoveryPath  = "/.well-known/openid-configuration"
	issuerJWKSPath = "/openid/v1/jwks"
)

// eventsKeyFile is the name of the events issuer's key file under the data directory.
const eventsKeyFile = "events-issuer.jwk"

// Issuer is a small OpenID Connect issuer for event deliveries, the local broker's
// stand-in for the Kubernetes service-account issuer that signs Knative's tokens: it
// signs short-lived tokens with an Ed25519 key and serves its discovery document and
// key set. It is safe for concurrent use.
type Issuer struct {
	url  string
	path string // the URL's path without a trailing slash, under which it serves

	mu   sync.RWMutex
	keys []jwk.Key // private keys, newest first: the first signs, all are published
}

// NewIssuer returns an issuer named issuerURL (an absolute http or https URL, the iss of
// its tokens) with a new key kept in memory.
func NewIssuer(issuerURL string) (*Issuer, error) {
	key, err := newSigningKey()
	if err != nil {
		return nil, fmt.Errorf("new issuer: %w", err)
	}
	return newIssuer(issuerURL, key)
}

// LoadIssuer returns an issuer named issuerURL whose key is kept in
// dataDir/events-issuer.jwk (created when missing, as LoadDevIssuer does), so that its
// kid survives a restart.
func LoadIssuer(issuerURL, dataDir string) (*Issuer, error) {
	key, err := loadSigningKey(dataDir, eventsKeyFile)
	if err != nil {
		return nil, fmt.Errorf("load events issuer: %w", err)
	}
	return newIssuer(issuerURL, key)
}

func newIssuer(issuerURL string, key jwk.Key) (*Issuer, error) {
	u, err := parseIssuerURL(issuerURL)
	if err != nil {
		return nil, fmt.Errorf("new issuer: %w", err)
	}
	return &Issuer{url: issuerURL, path: strings.TrimSuffix(u.Path, "/"), keys: []jwk.Key{key}}, nil
}

// URL returns the issuer's name, the iss of its tokens.
func (i *Issuer) URL() string {
	return i.url
}

// Rotate makes a new key the signing key; the earlier keys stay in the key set, so that
// tokens they signed still verify.
func (i *Issuer) Rotate() error {
	key, err := newSigningKey()
	if err != nil {
		return fmt.Errorf("rotate issuer key: %w", err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = append([]jwk.Key{key}, i.keys...)
	return nil
}

// Mint returns a token of the issuer for subject sub and audience aud, valid for ttl from
// now (iss, sub, aud, iat, nbf, exp, jti, and the signing key's kid in the header).
func (i *Issuer) Mint(sub, aud string, ttl time.Duration) (string, error) {
	if sub == "" {
		return "", taskwire.FieldErrorf(taskwire.EINVALID, "sub", "subject is empty")
	} else if aud == "" {
		return "", taskwire.FieldErrorf(taskwire.EINVALID, "aud", "audience is empty")
	} else if ttl < time.Second {
		return "", taskwire.FieldErrorf(taskwire.EINVALID, "ttl", "lifetime must be at least one second")
	}
	now := time.Now().Truncate(time.Second)
	tok, err := jwt.NewBuilder().
		Issuer(i.url).
		Subject(sub).
		Audience([]string{aud}).
		IssuedAt(now).
		NotBefore(now).
		Expiration(now.Add(ttl)).
		JwtID(rand.Text()).
		Build()
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return i.Sign(tok)
}

// Sign signs tok as it is with the issuer's signing key, whatever its claims; tests use it
// to make tokens that should be refused.
func (i *Issuer) Sign(tok jwt.Token) (string, error) {
	i.mu.RLock()
	key := i.keys[0]
	i.mu.RUnlock()
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, key)) // a jwk.Key with kid puts kid in the header
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return string(signed), nil
}

// TokenSource returns a function that mints a token for subject sub, valid for ttl, per
// call with the audience asked for: the shape of the broker's Options.TokenSource.
func (i *Issuer) TokenSource(sub string, ttl time.Duration) func(ctx context.Context, audience string) (string, error) {
	return func(_ context.Context, audience string) (string, error) {
		return i.Mint(sub, audience, ttl)
	}
}

// PublicKeys returns the issuer's public keys, newest first, as a new set.
func (i *Issuer) PublicKeys() (jwk.Set, error) {
	i.mu.RLock()
	defer i.mu.RUnlock()
	set := jwk.NewSet()
	for _, k := range i.keys {
		pub, err := k.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		if err := set.AddKey(pub); err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
	}
	return set, nil
}

// ServeHTTP answers GET (or HEAD) of the discovery document at
// <path>/.well-known/openid-configuration and of the key set at <path>/openid/v1/jwks,
// where path is the issuer URL's path; anything else is 404.
func (i *Issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body any
	switch r.URL.Path {
	case i.path + discoveryPath:
		body = map[string]any{
			"issuer":                                i.url,
			"jwks_uri":                              strings.TrimSuffix(i.url, "/") + issuerJWKSPath,
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{jwa.EdDSA.String()},
		}
	case i.path + issuerJWKSPath:
		set, err := i.PublicKeys()
		if err != nil {
			http.Error(w, "the key set is not available", http.StatusInternalServerError)
			return
		}
		body = set
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=60")
	_ = json.NewEncoder(w).Encode(body)
}

// IsIssuerPath reports whether path is one the issuer serves.
func (i *Issuer) IsIssuerPath(path string) bool {
	return path == i.path+discoveryPath || path == i.path+issuerJWKSPath
}

// parseIssuerURL checks that s can name an OpenID Connect issuer: an absolute http or
// https URL without query or fragment.
func parseIssuerURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("issuer URL %q: %w", s, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("issuer URL %q: want an absolute http or https URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("issuer URL %q: want no query, fragment or user info", s)
	}
	return u, nil
}
