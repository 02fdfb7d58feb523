// Package postgrestest gives each test binary its own migrated database on the test
// PostgreSQL server. It holds no test cases, and no data: tests create their own rows,
// isolated from one another by distinct users.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/shared/postgres"
)

// defaultServerURL is the test server when TEST_DATABASE_URL is unset.
const defaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// serverTimeout bounds creating and dropping the test database.
const serverTimeout = 30 * time.Second

// maxNameLen is PostgreSQL's limit on identifiers, in bytes.
const maxNameLen = 63

// The package's test database, created on first use and shared by all its tests.
var (
	once      sync.Once
	serverURL string // where CREATE and DROP DATABASE run
	dbName    string // set once the database exists, so that Main drops it
	dbURL     string
	db        *postgres.DB
	setupErr  error
)

// Main runs the package's tests against a database of its own and drops it afterwards.
// Use as: func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if err := teardown(); err != nil {
		fmt.Fprintln(os.Stderr, "postgrestest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// MustOpenDB returns a *postgres.DB on the package's test database (created and migrated
// once per test binary, on first use); tests isolate themselves by using distinct users.
// The DB is shared: tests must not close it.
func MustOpenDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	once.Do(setup)
	if setupErr != nil {
		tb.Fatal(setupErr)
	}
	return db
}

// Unreachable is a connection string no server answers, at once: a function started on
// it with a malformed setting fails on the setting only if it reads it before it opens
// the database.
const Unreachable = "postgres://postgres@127.0.0.1:1/nowhere?connect_timeout=1"

// URL returns the package test database's connection string (creating it on first use),
// for tests that start the app as the program would.
func URL(tb testing.TB) string {
	tb.Helper()
	once.Do(setup)
	if setupErr != nil {
		tb.Fatal(setupErr)
	}
	return dbURL
}

// EmptyURL returns the connection string of a new database on the test server that
// nothing has migrated yet, for tests of how the app starts on one; it is dropped at
// cleanup.
func EmptyURL(tb testing.TB) string {
	tb.Helper()
	server := testServerURL()
	name, err := newName()
	if err != nil {
		tb.Fatal(err)
	}
	u, err := withDatabase(server, name)
	if err != nil {
		tb.Fatalf("postgrestest: TEST_DATABASE_URL: %v", err)
	}
	run := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), serverTimeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := run("CREATE DATABASE " + pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("postgrestest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := run("DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)"); err != nil {
			tb.Errorf("postgrestest: drop database %s: %v", name, err)
		}
	})
	return u
}

// testServerURL returns TEST_DATABASE_URL, else the default test server.
func testServerURL() string {
	if s := os.Getenv("TEST_DATABASE_URL"); s != "" {
		return s
	}
	return defaultServerURL
}

// setup creates, migrates and opens the test database, recording any failure in setupErr.
func setup() {
	serverURL = testServerURL()
	name, err := newName()
	if err != nil {
		setupErr = fmt.Errorf("postgrestest: %w", err)
		return
	}
	u, err := withDatabase(serverURL, name)
	if err != nil {
		setupErr = fmt.Errorf("postgrestest: TEST_DATABASE_URL: %w", err)
		return
	}

	ctx, cancel := context.WithTimeout(context.Background(), serverTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		setupErr = fmt.Errorf("postgrestest: cannot reach the test PostgreSQL server at %s: %w\n"+
			"Start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start\n"+
			"(or point TEST_DATABASE_URL at another server)", redact(serverURL), err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		setupErr = fmt.Errorf("postgrestest: create database %s: %w", name, err)
		return
	}
	dbName = name

	opened, err := postgres.Open(ctx, postgres.Config{URL: u})
	if err != nil {
		setupErr = fmt.Errorf("postgrestest: %w", err)
		return
	}
	db, dbURL = opened, u
}

// teardown closes the shared pool and drops the test database, if they were made.
func teardown() error {
	if db != nil {
		db.Close()
	}
	if dbName == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), serverTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return fmt.Errorf("drop database %s: %w", dbName, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{dbName}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", dbName, err)
	}
	return nil
}

// newName returns taskwire_test_<binary>_<pid>_<6 random hex>, within maxNameLen bytes.
func newName() (string, error) {
	random := make([]byte, 3)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	suffix := "_" + strconv.Itoa(os.Getpid()) + "_" + hex.EncodeToString(random)
	const prefix = "taskwire_test_"
	binary := sanitize(strings.TrimSuffix(filepath.Base(os.Args[0]), ".test"))
	if room := maxNameLen - len(prefix) - len(suffix); len(binary) > room {
		binary = binary[:room]
	}
	return prefix + binary + suffix, nil
}

// sanitize lower-cases s and replaces everything but letters, digits and _ with _.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// withDatabase returns server, a URL or a key=value connection string, naming database
// name instead of its own.
func withDatabase(server, name string) (string, error) {
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

// redact hides the password in a connection string URL.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && strings.Contains(s, "://") {
		return u.Redacted()
	}
	return s
}
