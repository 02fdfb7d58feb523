package host

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/problem"
)

// deliveryGuard admits a CloudEvent delivery only with a bearer token of the configured
// OpenID Connect issuer for the function's audience, as Knative Eventing sends it with
// authentication-oidc enabled. Serve sets it up before the function's Start; the health
// paths never reach it.
type deliveryGuard struct {
	cfg      auth.EventConfig
	log      *slog.Logger
	verifier atomic.Pointer[auth.Verifier]
}

// start discovers the issuer and loads its keys; it fails when EVENTS_OIDC_AUDIENCE is
// missing or the issuer cannot be discovered.
func (g *deliveryGuard) start(ctx context.Context) error {
	v, err := auth.NewEventVerifier(ctx, g.cfg)
	if err != nil {
		return fmt.Errorf("check deliveries (EVENTS_OIDC_ISSUER is set): %w", err)
	}
	g.verifier.Store(v)
	g.log.Info("deliveries need a token", "issuer", g.cfg.Issuer, "audience", g.cfg.Audience)
	return nil
}

// wrap returns next behind the token check: a request without a valid token is answered
// 401 with WWW-Authenticate: Bearer and a problem, and never reaches the function.
func (g *deliveryGuard) wrap(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := g.verifier.Load()
		if v == nil {
			// Not reached: the host answers 503 until Start, which sets the verifier, is done.
			writeProblem(w, http.StatusServiceUnavailable, "the function is starting")
			return
		}
		token, err := auth.BearerToken(r.Header)
		if err == nil {
			_, err = v.Verify(r.Context(), token)
		}
		if err != nil {
			g.log.WarnContext(r.Context(), "delivery refused", "remote", r.RemoteAddr, "err", err)
			problem.Write(w, r, err)
			return
		}
		next(w, r)
	}
}
