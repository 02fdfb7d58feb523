// Package bench holds make bench's k6 and pgbench scripts (run by run.sh); its test runs
// the SQL ones against the migrated schema, so that a migration that changes the tables
// the scripts write breaks make test, not a benchmark run days later.
package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// spread is how many spread users the test seeds; run.sh seeds 200.
const spread = "3"

func TestPgbenchScripts(t *testing.T) {
	url := postgrestest.URL(t)
	psql(t, url, "-v", "per=60", "-v", "spread="+spread, "-f", "pgbench/seed.sql")
	scripts, err := filepath.Glob("pgbench/*.sql")
	require.NoError(t, err)
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".sql")
		if name == "seed" || name == "refill" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			psql(t, url, "-f", "pgbench/refill.sql")
			// As run.sh runs them (prepared statements, two clients), a few transactions each.
			out, err := exec.CommandContext(t.Context(), "pgbench", "-n", "-c", "2", "-t", "5", "-M", "prepared",
				"-D", "spread="+spread, "-f", script, url).CombinedOutput()
			require.NoError(t, err, "pgbench %s:\n%s", script, out)
			require.Contains(t, string(out), "number of failed transactions: 0", "pgbench %s:\n%s", script, out)
			require.NotContains(t, string(out), "aborted", "pgbench %s:\n%s", script, out)
		})
	}
}

// psql runs psql on the database at url with args, stopping at the first error.
func psql(t *testing.T, url string, args ...string) {
	t.Helper()
	args = append([]string{"-qAtX", "-v", "ON_ERROR_STOP=1", "-d", url}, args...)
	out, err := exec.CommandContext(t.Context(), "psql", args...).CombinedOutput()
	require.NoError(t, err, "psql %s:\n%s", strings.Join(args, " "), out)
}
