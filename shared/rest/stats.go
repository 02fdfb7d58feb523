package rest

import (
	"context"
	"net/http"
	"time"

	"github.com/taskwire/taskwire/shared/taskwire"
)

// StatsReader tells what a user got done.
type StatsReader interface {
	// Stats returns the signed-in user's statistics at now of the last days days.
	Stats(ctx context.Context, days int, now time.Time) (*taskwire.Stats, error)
}

// getStats answers GET /v1/stats?days=N: the tasks completed on each of the last N days
// of the user's time zone (7 unless given), against their daily goal, with their streaks
// and how many tasks are open and overdue.
func (s *Server) getStats(w http.ResponseWriter, r *http.Request) error {
	v, _, err := onlyParam(r.URL.Query(), "days")
	if err != nil {
		return err
	}
	days, err := taskwire.ParseStatsDays(v)
	if err != nil {
		return err
	}
	st, err := s.stats.Stats(r.Context(), days, time.Now())
	if err != nil {
		return err
	}
	// Today's count changes with every completion: a cache would show a stale one.
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, st)
}
