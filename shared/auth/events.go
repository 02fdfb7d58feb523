package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

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
	// Wait is how long discovery is tried again while the issuer does not answer (no
	// connection, a 5xx or 429): the broker's issuer in split mode may start after the
	// functions, and a function that gave up at once stayed down. Zero tries once.
	Wait time.Duration
	// ServiceAccountDir is where a Kubernetes pod's service account is mounted; when it
	// holds ca.crt and Client is nil, the issuer is read as from inside the cluster (see
	// serviceAccountClient). "" or no such files: as from anywhere else.
	ServiceAccountDir string
}

// ServiceAccountDir is where Kubernetes mounts a pod's service account: the cluster's CA
// certificate (ca.crt) and a token of the account (token).
const ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// DefaultEventWait is EventConfigFromEnv's Wait.
const DefaultEventWait = 30 * time.Second

// EventConfigFromEnv reads EVENTS_OIDC_ISSUER and EVENTS_OIDC_AUDIENCE from cfg (a map of
// environment variables).
func EventConfigFromEnv(cfg map[string]string) EventConfig {
	return EventConfig{
		Issuer:            strings.TrimSpace(cfg["EVENTS_OIDC_ISSUER"]),
		Audience:          strings.TrimSpace(cfg["EVENTS_OIDC_AUDIENCE"]),
		Wait:              DefaultEventWait,
		ServiceAccountDir: ServiceAccountDir,
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
	var hosts *tokenHosts
	if client == nil {
		var err error
		if client, hosts, err = serviceAccountClient(cfg.ServiceAccountDir, cfg.Issuer); err != nil {
			return nil, fmt.Errorf("new event verifier: %w", err)
		} else if client == nil {
			client = http.DefaultClient
		}
	}
	jwksURL, err := discoverWaiting(ctx, client, cfg.Issuer, cfg.Wait)
	if err != nil {
		return nil, fmt.Errorf("new event verifier: %w", err)
	}
	if hosts != nil {
		hosts.allow(jwksURL)
	}
	v, err := NewVerifier(ctx, Config{JWKSURL: jwksURL, Issuer: cfg.Issuer, Audience: cfg.Audience, Client: client})
	if err != nil {
		return nil, fmt.Errorf("new event verifier: issuer %s: %w", cfg.Issuer, err)
	}
	return v, nil
}

// issuerDown is a discovery that failed because the issuer did not answer, or answered
// that it cannot now (5xx, 429): worth trying again, unlike a document that is wrong.
type issuerDown struct{ error }

func (e issuerDown) Unwrap() error { return e.error }

// discoverWaiting discovers issuer, trying again for up to wait, with waits from 100 ms
// doubling to 2 s, while the issuer is down.
func discoverWaiting(ctx context.Context, client *http.Client, issuer string, wait time.Duration) (string, error) {
	deadline := time.Now().Add(wait)
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		jwksURL, err := discover(ctx, client, issuer)
		var down issuerDown
		if err == nil || !errors.As(err, &down) || time.Now().Add(delay).After(deadline) {
			return jwksURL, err
		}
		slog.WarnContext(ctx, "the issuer of delivery tokens does not answer yet; trying again",
			"issuer", issuer, "in", delay, "err", err)
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("%w (waiting for the issuer: %w)", err, ctx.Err())
		case <-time.After(delay):
		}
	}
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
		return "", issuerDown{fmt.Errorf("discover issuer: %w", err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("discover issuer: %s: status %s", where, resp.Status)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return "", issuerDown{err}
		}
		return "", err
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

// serviceAccountClient returns the client that reads a Kubernetes service-account issuer
// from inside a pod, and the hosts its token goes to; nil when dir holds no ca.crt (the
// function does not run in a pod). The issuer (https://kubernetes.default.svc.cluster.local
// on many clusters) is the API server, under the cluster's own CA, and it serves discovery
// and its key set only to service accounts (the ClusterRole
// system:service-account-issuer-discovery). So the client trusts the cluster's CA beside
// the system's roots, and sends the pod's token over https to the issuer's host and to the
// host of the key set the issuer names (allowed later): to the signer of such tokens,
// which learns nothing from it, and nowhere else.
func serviceAccountClient(dir, issuer string) (*http.Client, *tokenHosts, error) {
	if dir == "" {
		return nil, nil, nil
	}
	caFile := filepath.Join(dir, "ca.crt")
	ca, err := os.ReadFile(caFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, fmt.Errorf("service account: %w", err)
	}
	next, err := TransportTrusting(ca)
	if err != nil {
		return nil, nil, fmt.Errorf("service account: %s: %w", caFile, err)
	}
	hosts := &tokenHosts{hosts: map[string]bool{}}
	hosts.allow(issuer)
	client := &http.Client{Transport: &FileToken{File: filepath.Join(dir, "token"), Next: next, To: hosts.allowed}}
	return client, hosts, nil
}

// tokenHosts are the hosts a pod's service-account token may go to, over https.
type tokenHosts struct {
	mu    sync.Mutex
	hosts map[string]bool
}

// allow lets the token go to rawURL's host, when rawURL is https.
func (h *tokenHosts) allow(rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" {
		return
	}
	h.mu.Lock()
	h.hosts[u.Host] = true
	h.mu.Unlock()
}

// allowed reports whether r may carry the token.
func (h *tokenHosts) allowed(r *http.Request) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return r.URL.Scheme == "https" && h.hosts[r.URL.Host]
}
