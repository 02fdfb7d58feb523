package postgrestest

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// Plan is a node of a query plan as EXPLAIN (FORMAT JSON) writes it, with what tests read
// of it; the Actual and Removed counts come with ANALYZE.
type Plan struct {
	Type        string `json:"Node Type"`
	Relation    string `json:"Relation Name"`
	ActualRows  int    `json:"Actual Rows"`
	ActualLoops int    `json:"Actual Loops"`
	Removed     int    `json:"Rows Removed by Filter"`
	Plans       []Plan `json:"Plans"`
}

// MustScanPlan returns the plan in row, the answer to an EXPLAIN (FORMAT JSON) statement.
func MustScanPlan(tb testing.TB, row pgx.Row) Plan {
	tb.Helper()
	var plan []struct{ Plan Plan }
	if err := row.Scan(&plan); err != nil {
		tb.Fatalf("postgrestest: explain: %v", err)
	}
	if len(plan) != 1 {
		tb.Fatalf("postgrestest: explain returned %d plans, want 1", len(plan))
	}
	return plan[0].Plan
}

// SeqScans reports whether p reads relation by a sequential scan.
func (p Plan) SeqScans(relation string) bool {
	if p.Type == "Seq Scan" && p.Relation == relation {
		return true
	}
	for _, c := range p.Plans {
		if c.SeqScans(relation) {
			return true
		}
	}
	return false
}

// RowsRead returns the rows p's scans of relation read, those they returned and those
// their filters removed (ANALYZE), and whether p scans it at all.
func (p Plan) RowsRead(relation string) (int, bool) {
	n, found := 0, false
	if p.Relation == relation {
		n, found = (p.ActualRows+p.Removed)*max(p.ActualLoops, 1), true
	}
	for _, c := range p.Plans {
		if m, ok := c.RowsRead(relation); ok {
			n, found = n+m, true
		}
	}
	return n, found
}
