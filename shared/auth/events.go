package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// maxDiscoverySize bounds the bytes read of a discovery document.
const maxDiscoverySize = 1 << 20

// EventConfig says whose tokens an event function accepts on deliveries: an OpenID
// Connect issuer, found by discovery, and the audience the tokens must name.
type EventConfig struct {
	Issuer   string       // EVENTS_OIDC_ISSUER; empty turns the check off
	Audience string       // EVENTS_OIDC_AUDIENCE
	Client   *http.Client // optional; http.DefaultClient when nil
}

// EventConfigFromEnv reads EVENTS_OIDC_ISSUER and EVENTS_OIDC_AUDIENCE from cfg (a map of
// environment variables).
func EventConfigFromEnv(cfg map[string]string) EventConfig {
	return EventConfig{
		Issuer:   strings.TrimSpace(cfg["EVENTS_OIDC_ISSUER"]),
		Audience: strings.TrimSpace(cfg["EVENTS_OIDC_AUDIENCE"]),
	}
}

// Enabled reports whether deliveries must carry a token.
func (c EventConfig) Enabled() bool {
	return c.Issuer != ""
}

// NewEventVerifier returns a Verifier of delivery tokens for cfg: it reads the issuer's
// discovery document (<issuer>/.well-known/openid-configuration), whose issuer must be
// cfg.Issuer exactly, fetches the key set at its jwks_uri, and from then on checks
// tokens as NewVerifier's do (EdDSA, RS256 or ES256, iss, aud, exp and nbf with 30 s of
// leeway, a new kid refetching the key set). It fails when cfg.Issuer or cfg.Audience is
// empty, or when discovery or the key set cannot be read.
func NewEventVerifier(ctx context.Context, cfg EventConfig) (*Verifier, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("new event verifier: EVENTS_OIDC_ISSUER is not set")
	} else if cfg.Audience == "" {
		return nil, errors.New("new event verifier: EVENTS_OIDC_AUDIENCE is required when EVENTS_OIDC_ISSUER is set")
	}
	if _, err := parseIssuerURL(cfg.Issuer); err != nil {
		return nil, fmt.Errorf("new event verifier: EVENTS_OIDC_ISSUER: %w", err)
	}
	client := cfg.Client
	if client == nil {
		client = http.DefaultClient
	}
	jwksURL, err := discover(ctx, client, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("new event verifier: %w", err)
	}
	v, err := NewVerifier(ctx, Config{JWKSURL: jwksURL, Issuer: cfg.Issuer, Audience: cfg.Audience, Client: client})
	if err != nil {
		return nil, fmt.Errorf("new event verifier: issuer %s: %w", cfg.Issuer, err)
	}
	return v, nil
}

// discover reads issuer's OpenID Connect discovery document and returns its jwks_uri.
func discover(ctx context.Context, client *http.Client, issuer string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()

	where := strings.TrimSuffix(issuer, "/") + discoveryPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return "", fmt.Errorf("discover issuer: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("discover issuer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("discover issuer: %s: status %s", where, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoverySize+1))
	if err != nil {
		return "", fmt.Errorf("discover issuer: %s: %w", where, err)
	} else if len(body) > maxDiscoverySize {
		return "", fmt.Errorf("discover issuer: %s: larger than %d bytes", where, maxDiscoverySize)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("discover issuer: %s: %w", where, err)
	}
	if doc.Issuer != issuer {
		// OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was read for.
		return "", fmt.Errorf("discover issuer: %s names issuer %q, want %q", where, doc.Issuer, issuer)
	}
	if _, err := parseIssuerURL(doc.JWKSURI); err != nil {
		return "", fmt.Errorf("discover issuer: %s: jwks_uri: %w", where, err)
	}
	return doc.JWKSURI, nil
}

// BearerToken returns the token of an "Authorization: Bearer <token>" header in h, or an
// EUNAUTHORIZED error saying what is wrong with the header.
func BearerToken(h http.Header) (string, error) {
	header := h.Get("Authorization")
	if header == "" {
		return "", taskwire.Errorf(taskwire.EUNAUTHORIZED, "missing bearer token: send Authorization: Bearer <token>")
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", taskwire.Errorf(taskwire.EUNAUTHORIZED, "the Authorization header must be: Bearer <token>")
	}
	return strings.TrimSpace(token), nil
}
