// Package app assembles Taskwire's parts from configuration: the database, the token
// verifier, the stores, the listener of live changes and the REST API, as every function
// that serves them needs them.
package app

import (
	"context"
	"fmt"
	"net/http"

	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/cors"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/rest"
)

// DataDir returns where local state (the development issuer's key, a private database
// cluster) lives: TASKWIRE_DATA_DIR, else ".data".
func DataDir(cfg map[string]string) string {
	if dir := cfg["TASKWIRE_DATA_DIR"]; dir != "" {
		return dir
	}
	return ".data"
}

// App is the assembled application.
type App struct {
	DB            *postgres.DB                  // the connection pool
	Verifier      *auth.Verifier                // checks bearer tokens
	Tasks         *postgres.TaskService         // the users' tasks
	Users         *postgres.UserService         // the users and their settings
	Changes       *postgres.ChangeService       // task events read back: histories, changes feed, stream replay
	Notifications *postgres.NotificationService // the in-app notification inbox
	Listener      *postgres.Listener            // the one LISTEN connection that wakes live streams
	CORS          *cors.Policy                  // the origins whose pages may call the API; nil: none
	API           http.Handler                  // the REST API over all of them, behind the CORS policy
}

// Open connects to the database, migrates it, loads the token verifier, starts the
// listener that wakes live streams, and builds the API.
func Open(ctx context.Context, cfg map[string]string) (*App, error) {
	policy, err := cors.Parse(cfg["CORS_ALLOWED_ORIGINS"])
	if err != nil {
		return nil, err
	}
	dir := DataDir(cfg)
	verifier, db, err := openDatabaseAndVerifier(ctx, cfg, dir)
	if err != nil {
		return nil, err
	}
	// The listener connects in the background rather than holding up the start by a
	// connection: a stream that subscribes before it listens is told to re-read once it
	// does, and so misses nothing.
	listener := postgres.NewListener(db)
	a := &App{
		DB:            db,
		Verifier:      verifier,
		Tasks:         postgres.NewTaskService(db),
		Users:         postgres.NewUserService(db),
		Changes:       postgres.NewChangeService(db),
		Notifications: postgres.NewNotificationService(db),
		Listener:      listener,
		CORS:          policy,
	}
	deps := rest.Deps{
		Tasks:         a.Tasks,
		Users:         a.Users,
		Auth:          verifier,
		Notifications: a.Notifications,
		Changes:       a.Changes,
		Trash:         a.Tasks,
		Calendar:      postgres.NewCalendarService(db),
		Filters:       a.Users,
		Stats:         a.Users,
		Conversations: postgres.NewConversationService(db),
		Listener:      a.Listener,
	}
	if issuer := verifier.DevIssuer(); issuer != nil {
		// Only the local development issuer mints tokens for the web page's sign-in.
		deps.DevTokens = issuer
	}
	a.API = policy.Wrap(rest.NewServer(deps))
	return a, nil
}

// openDatabaseAndVerifier opens the database and loads the token verifier. With
// AUTH_JWKS_URL set, the verifier fetches the identity provider's key set while the
// database opens: on a cold start both wait (for the provider, for a new server
// process), and neither needs the other. The development issuer instead reads its key
// from the data directory, which opening the database may first set up for a private
// cluster (as root, with the permissions its server needs to reach it), so it loads after.
func openDatabaseAndVerifier(ctx context.Context, cfg map[string]string, dir string) (*auth.Verifier, *postgres.DB, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	authCfg := auth.ConfigFromEnv(cfg, dir)
	beside := authCfg.JWKSURL != ""
	type loaded struct {
		verifier *auth.Verifier
		err      error
	}
	verifierLoaded := make(chan loaded, 1)
	load := func() {
		v, err := auth.NewVerifier(ctx, authCfg)
		verifierLoaded <- loaded{v, err}
	}
	if beside {
		go load()
	}
	db, err := postgres.Open(ctx, postgres.ConfigFromEnv(cfg, dir))
	if err != nil {
		if beside {
			cancel() // no need to wait out a slow key set
			<-verifierLoaded
		}
		return nil, nil, err // postgres.Open says it was opening the database
	}
	if !beside {
		load()
	}
	l := <-verifierLoaded
	if l.err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("load token verifier: %w", l.err)
	}
	return l.verifier, db, nil
}

// EndStreamsWhenDone ends the live streams when ctx is done, as Start's context is when
// the shutdown begins: a stream never finishes on its own, and the drain of in-flight
// requests waited for each open page's stream to its timeout (10 s) before the function
// could stop. The page reconnects, to another replica, and misses nothing.
func (a *App) EndStreamsWhenDone(ctx context.Context) {
	context.AfterFunc(ctx, a.Listener.Close)
}

// Close stops the listener, which ends the live streams, and releases the database pool.
func (a *App) Close() {
	a.Listener.Close()
	a.DB.Close()
}
