package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/rest/resttest"
)

func TestDevToken(t *testing.T) {
	s := resttest.MustStart(t)
	anon := s.NewClient("")

	t.Run("OK", func(t *testing.T) {
		resp := anon.Do(t, http.MethodPost, "/v1/dev/token", map[string]string{"name": " ada "})
		resp.MustStatus(t, http.StatusOK)
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		var got rest.DevToken
		resp.JSON(t, &got)
		sub, err := s.App.Verifier.Verify(context.Background(), got.Token)
		require.NoError(t, err)
		assert.Equal(t, "ada", sub, "the name, trimmed, is the subject")
		assert.WithinDuration(t, time.Now().Add(rest.DevTokenTTL), got.ExpiresAt, time.Minute)

		me := s.NewClient(got.Token).Do(t, http.MethodGet, "/v1/me", nil)
		me.MustStatus(t, http.StatusOK)
	})

	t.Run("ErrBlankName", func(t *testing.T) {
		resp := anon.Do(t, http.MethodPost, "/v1/dev/token", map[string]string{"name": "  "})
		resp.MustStatus(t, http.StatusUnprocessableEntity)
		assert.Equal(t, "name", resp.Problem(t).Field)
	})

	t.Run("ErrLongName", func(t *testing.T) {
		long := make([]byte, 300)
		for i := range long {
			long[i] = 'a'
		}
		resp := anon.Do(t, http.MethodPost, "/v1/dev/token", map[string]string{"name": string(long)})
		resp.MustStatus(t, http.StatusUnprocessableEntity)
		assert.Equal(t, "name", resp.Problem(t).Field)
	})

	t.Run("ErrUnknownField", func(t *testing.T) {
		resp := anon.Do(t, http.MethodPost, "/v1/dev/token", map[string]string{"user": "ada"})
		resp.MustStatus(t, http.StatusBadRequest)
	})
}

// TestDevToken_RealIssuer shows that with an external issuer the route does not exist.
func TestDevToken_RealIssuer(t *testing.T) {
	other, err := auth.LoadDevIssuer(t.TempDir()) // stands in for Better Auth's key set
	require.NoError(t, err)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(other.PublicKeys())
	}))
	t.Cleanup(jwks.Close)

	a, err := app.Open(context.Background(), map[string]string{
		"DATABASE_URL": postgrestest.URL(t), "TASKWIRE_DATA_DIR": t.TempDir(),
		"AUTH_JWKS_URL": jwks.URL, "AUTH_ISSUER": "https://auth.example.com", "AUTH_AUDIENCE": "taskwire",
	})
	require.NoError(t, err)
	t.Cleanup(a.Close)

	w := httptest.NewRecorder()
	a.API.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1/dev/token", nil))
	assert.Equal(t, http.StatusNotFound, w.Code, "got %d, want 404: %s", w.Code, w.Body)
}
