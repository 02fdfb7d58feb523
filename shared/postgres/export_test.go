package postgres

// PendingSQL is pendingSQL, for the test that checks which reminders the due scans read.
const PendingSQL = pendingSQL

// ExpireKeysSQL is expireKeysSQL, for the test that checks which keys it reads.
const ExpireKeysSQL = expireKeysSQL
