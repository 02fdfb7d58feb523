package postgres

// MigrateLockKey is the advisory lock Migrate holds while it migrates, for the tests in
// package postgres_test.
const MigrateLockKey = migrateLockKey
