package host

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// RequireDeliveryToken returns next behind the check of event deliveries that cfg (the
// environment) asks for, as Knative Eventing sends them with authentication-oidc enabled.
// With EVENTS_OIDC_ISSUER unset it returns next unchanged. Set, it discovers the issuer
// now, and the handler it returns admits a request only with a bearer token of that
// issuer for EVENTS_OIDC_AUDIENCE; any other is answered 401 with WWW-Authenticate: Bearer
// and a problem, and never reaches next. It fails when EVENTS_OIDC_AUDIENCE is missing or
// the issuer cannot be discovered. An event function calls it in Start, before it opens
// anything, and serves what it returns from Handle.
func RequireDeliveryToken(ctx context.Context, cfg map[string]string, next http.Handler) (http.Handler, error) {
	c := auth.EventConfigFromEnv(cfg)
	if !c.Enabled() {
		return next, nil
	}
	v, err := auth.NewEventVerifier(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("check deliveries (EVENTS_OIDC_ISSUER is set): %w", err)
	}
	slog.InfoContext(ctx, "deliveries need a token", "issuer", c.Issuer, "audience", c.Audience)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := auth.BearerToken(r.Header)
		if err == nil {
			_, err = v.Verify(r.Context(), token)
		}
		if err != nil {
			slog.WarnContext(r.Context(), "delivery refused", "remote", r.RemoteAddr, "err", err)
			problem.Write(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	}), nil
}

// Deliveries is what an event function's Handle serves: HandleEvent behind the delivery
// check, once Start set it up, and 503 (which the broker retries) before. The zero value
// answers 503.
type Deliveries struct {
	h atomic.Pointer[http.Handler]
}

// Start sets up the check cfg asks for (see RequireDeliveryToken) in front of h's
// HandleEvent, answered as EventHTTPHandler answers.
func (d *Deliveries) Start(ctx context.Context, cfg map[string]string, h EventHandler) error {
	handler, err := RequireDeliveryToken(ctx, cfg, EventHTTPHandler(h))
	if err != nil {
		return err
	}
	d.h.Store(&handler)
	return nil
}

// ServeHTTP serves one delivery.
func (d *Deliveries) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := d.h.Load()
	if h == nil {
		problem.Write(w, r, taskwire.Errorf(taskwire.EUNAVAILABLE, "the function is starting"))
		return
	}
	(*h).ServeHTTP(w, r)
}
