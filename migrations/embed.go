// Package migrations holds Taskwire's numbered PostgreSQL migrations, in tern's format,
// embedded so that every binary can migrate the database it starts on.
package migrations

import "embed"

// FS holds the numbered migration files (001_init.sql, 002_…), in the order tern applies them.
//
//go:embed *.sql
var FS embed.FS
