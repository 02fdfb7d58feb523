package auth

import "time"

// SetClock replaces v's clock. Call it before v is used.
func SetClock(v *Verifier, now func() time.Time) { v.now = now }

// SetRefetchInterval replaces the least time between two fetches of v's key set.
// Call it before v is used.
func SetRefetchInterval(v *Verifier, d time.Duration) { v.refetchInterval = d }
