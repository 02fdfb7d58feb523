package rest

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// DevTokenTTL is how long a token from POST /v1/dev/token is valid.
const DevTokenTTL = 12 * time.Hour

// TokenMinter mints tokens of the local development issuer (auth.DevIssuer).
type TokenMinter interface {
	Mint(sub string, ttl time.Duration) (string, error)
}

// DevToken is the answer of POST /v1/dev/token.
type DevToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// devTokenRequest is the body of POST /v1/dev/token.
type devTokenRequest struct {
	Name string `json:"name"`
}

// devToken mints a development token for the name in the body, as `taskwire token NAME`
// does. The route exists only while the app trusts the local development issuer.
func (s *Server) devToken(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req devTokenRequest
	if err := taskwire.DecodeJSON(body, &req); err != nil {
		return err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return taskwire.FieldErrorf(taskwire.EINVALID, "name", "name must not be blank")
	}
	now := time.Now()
	tok, err := s.devTokens.Mint(name, DevTokenTTL)
	var terr *taskwire.Error
	if errors.As(err, &terr) && terr.Code == taskwire.EINVALID {
		return taskwire.FieldErrorf(taskwire.EINVALID, "name", "%s", terr.Message)
	} else if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, DevToken{Token: tok, ExpiresAt: now.Add(DevTokenTTL).UTC().Truncate(time.Second)})
}
