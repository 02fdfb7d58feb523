package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/tern/v2/migrate"
	"github.com/taskwire/taskwire/migrations"
)

// MigrateLockKey is the advisory lock Migrate holds while it migrates: "taskwire" in
// ASCII. It differs from tern's own lock, which tern takes (and releases) inside each of
// its calls. Whoever holds it keeps every starting function from migrating, and so from
// starting, until they let go.
const MigrateLockKey int64 = 0x7461736b77697265

// migrateVersionTable is where tern records how many migrations the database has had.
const migrateVersionTable = "public.taskwire_schema_version"

// migrateAttempts bounds how often Migrate retries a migration that lost a race on a
// cluster-wide object (see Migrate).
const migrateAttempts = 3

// Migrate applies the embedded migrations under a PostgreSQL advisory lock, so that
// several processes starting at once migrate exactly once.
//
// Advisory locks are scoped to one database, but roles belong to the whole cluster: two
// databases on one server migrating at once (parallel test binaries) can both try to
// create the role taskwire_app. The loser's migration rolls back with a duplicate-object
// error, and Migrate tries again, when the role exists.
//
// A database already at the embedded migrations' version, or beyond it (a newer revision
// migrated it during a rolling deploy), is left as it is after one query, without the
// lock: every function migrates as it starts, and functions that scale to zero start often.
func Migrate(ctx context.Context, conn *pgx.Conn) (err error) {
	current, err := migrateCurrent(ctx, conn)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current {
		return nil
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", MigrateLockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx is done; if the connection broke, the session's end
		// has released the lock already.
		_, unlockErr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", MigrateLockKey)
		if err == nil && unlockErr != nil {
			err = fmt.Errorf("migrate: unlock: %w", unlockErr)
		}
	}()

	for attempt := 1; ; attempt++ {
		err = migrateOnce(ctx, conn)
		if err == nil || attempt == migrateAttempts || !migrateLostRace(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrateCurrent reports whether the database's schema version is at least that of the
// embedded migrations. A database without the version table, or migrations that tern
// would refuse (numbers not 1…n), are not current: tern then migrates, or says why not.
// Every start asks, so it asks in one round trip (the simple protocol; a statement pgx
// prepares first takes two).
func migrateCurrent(ctx context.Context, conn *pgx.Conn) (bool, error) {
	latest, ok := migrateLatest()
	if !ok {
		return false, nil
	}
	var version int32
	err := conn.QueryRow(ctx, "SELECT version FROM "+migrateVersionTable, pgx.QueryExecModeSimpleProtocol).Scan(&version)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "42P01", errors.Is(err, pgx.ErrNoRows): // undefined_table
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read schema version: %w", err)
	}
	return int(version) >= latest, nil
}

// migrationName is tern's name for a migration file: its sequence number, then a name.
var migrationName = regexp.MustCompile(`^(\d+)_.+\.sql$`)

// migrateLatest returns the version the embedded migrations lead to, when they are
// numbered 1…n as tern requires.
var migrateLatest = sync.OnceValues(func() (int, bool) {
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return 0, false
	}
	seen := map[int]bool{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || seen[n] {
			return 0, false
		}
		seen[n] = true
	}
	for n := 1; n <= len(seen); n++ {
		if !seen[n] {
			return 0, false
		}
	}
	return len(seen), len(seen) > 0
})

// migrateOnce runs tern over the embedded migrations.
func migrateOnce(ctx context.Context, conn *pgx.Conn) error {
	m, err := migrate.NewMigrator(ctx, conn, migrateVersionTable)
	if err != nil {
		return err
	}
	if err := loadMigrations(m, migrations.FS); err != nil {
		return err
	}
	return m.Migrate(ctx)
}

// migrateSeparator parts a migration file's forward SQL from the SQL that undoes it.
const migrateSeparator = "---- create above / drop below ----"

// loadMigrations appends the migration files of fsys to m, in tern's file format but as
// plain SQL. It stands in for tern's LoadMigrations, which runs every file as a
// text/template: Taskwire's migrations use no templates, and a program that can run a
// template keeps every exported method of every type it links, which made each
// function's binary larger and its resident memory with it (tasks: 25.5 MB and 16 MB
// resident before, 21.9 MB and 15 MB after).
func loadMigrations(m *migrate.Migrator, fsys fs.FS) error {
	paths, err := migrate.FindMigrations(fsys)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return migrate.NoMigrationsFoundError{}
	}
	for _, p := range paths {
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		up, down, _ := strings.Cut(string(body), migrateSeparator)
		m.AppendMigration(p, strings.TrimSpace(up), strings.TrimSpace(down))
	}
	return nil
}

// migrateLostRace reports whether err is a concurrent creation of a cluster-wide object:
// unique_violation (on pg_authid) or duplicate_object.
func migrateLostRace(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "42710")
}
