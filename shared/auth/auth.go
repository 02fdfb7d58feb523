// Package auth verifies bearer JWTs and runs the local issuers.
//
// A Verifier trusts either an external issuer, whose public keys it fetches from a
// JWKS URL (Better Auth serves one at /api/auth/jwks), or the development issuer,
// whose Ed25519 key lives in a file under the data directory. It accepts only
// EdDSA, RS256 and ES256 signatures. NewEventVerifier makes one for the tokens Knative
// sends with CloudEvent deliveries, finding the key set by OpenID Connect discovery;
// Issuer is the small OpenID Connect issuer the local broker signs such tokens with.
// The package's only HTTP handler is the Issuer's discovery and key set, and it does
// not know about users or sessions: it turns a token into a subject or an
// EUNAUTHORIZED error.
package auth

import (
	"net/http"
	"strings"
)

// Config says which issuer to trust. An empty JWKSURL selects the local development issuer.
type Config struct {
	JWKSURL  string       // AUTH_JWKS_URL
	Issuer   string       // AUTH_ISSUER
	Audience string       // AUTH_AUDIENCE
	DataDir  string       // where the development issuer keeps its key, e.g. ".data"
	Client   *http.Client // optional; http.DefaultClient when nil
	// Service is K_SERVICE, which Knative Serving sets in every revision: the function
	// runs in a cluster, where the development issuer is refused.
	Service string
}

// ConfigFromEnv reads AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE and K_SERVICE from cfg (a
// map of environment variables) and sets DataDir.
func ConfigFromEnv(cfg map[string]string, dataDir string) Config {
	return Config{
		JWKSURL:  strings.TrimSpace(cfg["AUTH_JWKS_URL"]),
		Issuer:   strings.TrimSpace(cfg["AUTH_ISSUER"]),
		Audience: strings.TrimSpace(cfg["AUTH_AUDIENCE"]),
		DataDir:  dataDir,
		Service:  cfg["K_SERVICE"],
	}
}
