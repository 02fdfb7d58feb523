package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// A cold start waits for the database (a new server process, a migration) and for the
// identity provider's key set; Open waits for both at once, not one after the other.
func TestOpen_LoadsKeysWhileTheDatabaseOpens(t *testing.T) {
	ctx := context.Background()
	dbURL := postgrestest.EmptyURL(t)

	// Hold the migration lock, so that opening the database waits until the test lets go.
	holder, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer holder.Close(ctx)
	_, err = holder.Exec(ctx, "SELECT pg_advisory_lock($1)", postgres.MigrateLockKey)
	require.NoError(t, err)

	// The identity provider says when the key set is fetched.
	var issuer *auth.Issuer
	keysFetched := make(chan struct{}, 1)
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case keysFetched <- struct{}{}:
		default:
		}
		issuer.ServeHTTP(w, r)
	}))
	defer idp.Close()
	issuer, err = auth.NewIssuer(idp.URL)
	require.NoError(t, err)

	type opened struct {
		app *app.App
		err error
	}
	done := make(chan opened, 1)
	go func() {
		a, err := app.Open(ctx, map[string]string{
			"DATABASE_URL":      dbURL,
			"AUTH_JWKS_URL":     idp.URL + "/openid/v1/jwks",
			"AUTH_ISSUER":       idp.URL,
			"AUTH_AUDIENCE":     "taskwire",
			"TASKWIRE_DATA_DIR": t.TempDir(),
		})
		done <- opened{a, err}
	}()

	select {
	case <-keysFetched:
	case o := <-done:
		t.Fatalf("Open returned (err %v) while the migration lock was held", o.err)
	case <-time.After(10 * time.Second):
		t.Fatal("the key set was not fetched while the database was opening")
	}
	_, err = holder.Exec(ctx, "SELECT pg_advisory_unlock($1)", postgres.MigrateLockKey)
	require.NoError(t, err)

	o := <-done
	require.NoError(t, o.err)
	defer o.app.Close()
	token, err := issuer.Mint("ada", "taskwire", time.Minute)
	require.NoError(t, err)
	sub, err := o.app.Verifier.Verify(ctx, token)
	require.NoError(t, err)
	require.Equal(t, "ada", sub)
	assert.Equal(t, idp.URL, o.app.Verifier.Issuer(), "the provider MCP clients are sent to for a token")
}
