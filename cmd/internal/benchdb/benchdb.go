// Package benchdb gives a benchmark command a database of its own on a PostgreSQL
// server: created empty at the start (the app migrates it as it starts), dropped at the
// end. It holds no benchmarks.
package benchdb

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultServer is the local test server of `make db`.
const DefaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// DB is a database a benchmark created.
type DB struct {
	server string // where CREATE and DROP DATABASE run
	Name   string // the database's name
	URL    string // its connection string
}

// Create creates the database name on server (a URL or a keyword/value string that
// connects to another database of it).
func Create(ctx context.Context, server, name string) (*DB, error) {
	u, err := WithDatabase(server, name)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return nil, fmt.Errorf("connect to the PostgreSQL server (is it running? make db): %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	return &DB{server: server, Name: name, URL: u}, nil
}

// Drop drops the database, closing whatever connections it still has.
func (d *DB) Drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, d.server)
	if err == nil {
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{d.Name}.Sanitize()+" WITH (FORCE)")
		_ = conn.Close(ctx)
	}
	if err != nil {
		return fmt.Errorf("drop database %s: %w", d.Name, err)
	}
	return nil
}

// WithDatabase returns server's connection string for the database name instead.
func WithDatabase(server, name string) (string, error) {
	if !strings.Contains(server, "://") {
		return server + " dbname=" + name, nil
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	u.Path, u.RawPath = "/"+name, ""
	return u.String(), nil
}
