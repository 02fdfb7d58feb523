// Package app assembles Taskwire's parts from configuration: the database, the token
// verifier and the task API, as every function that serves them needs them.
package app

import (
	"context"
	"fmt"

	"github.com/taskwire/taskwire/shared/auth"
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
	DB       *postgres.DB
	Verifier *auth.Verifier
	Tasks    *postgres.TaskService
	Users    *postgres.UserService
	API      *rest.Server
}

// Open connects to the database, migrates it, loads the token verifier and builds the API.
func Open(ctx context.Context, cfg map[string]string) (*App, error) {
	dir := DataDir(cfg)
	db, err := postgres.Open(ctx, postgres.ConfigFromEnv(cfg, dir))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.ConfigFromEnv(cfg, dir))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load token verifier: %w", err)
	}
	a := &App{DB: db, Verifier: verifier, Tasks: postgres.NewTaskService(db), Users: postgres.NewUserService(db)}
	a.API = rest.NewServer(a.Tasks, a.Users, verifier)
	return a, nil
}

// Close releases the database pool.
func (a *App) Close() {
	a.DB.Close()
}
