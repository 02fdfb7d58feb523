package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	sorted := make([]time.Duration, 100)
	for i := range sorted {
		sorted[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name string
		p    float64
		want time.Duration
	}{
		{"Min", 0, time.Millisecond},
		{"P50", 50, 50 * time.Millisecond},
		{"P99", 99, 99 * time.Millisecond},
		{"Max", 100, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := percentile(sorted, tc.p)
			assert.Equal(t, tc.want, got, "got %s, want %s", got, tc.want)
		})
	}
	t.Run("Empty", func(t *testing.T) {
		assert.Zero(t, percentile(nil, 99))
	})
}

func TestParseFlags(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-tasks", "500", "-reminders", "500", "-scenarios", "spread"}, &bytes.Buffer{})
		require.NoError(t, err)
		assert.Equal(t, 500, cfg.tasks)
		assert.Equal(t, 500, cfg.reminders)
		assert.Equal(t, []string{scenarioSpread}, cfg.scenarios)
		assert.Equal(t, 3*time.Second, cfg.lead, "a small run waits less")
		assert.Equal(t, 3*time.Second, cfg.window, "a small run keeps the rate")
	})
	t.Run("OKFull", func(t *testing.T) {
		cfg, err := parseFlags(nil, &bytes.Buffer{})
		require.NoError(t, err)
		assert.Equal(t, 10000, cfg.tasks)
		assert.Equal(t, 10000, cfg.reminders)
		assert.Equal(t, []string{scenarioSpread, scenarioInstant}, cfg.scenarios)
		assert.Equal(t, 25*time.Second, cfg.lead)
		assert.Equal(t, time.Minute, cfg.window, "10 000 reminders due in the same minute")
	})
	t.Run("ErrUnknownScenario", func(t *testing.T) {
		_, err := parseFlags([]string{"-scenarios", "spread,later"}, &bytes.Buffer{})
		assert.ErrorContains(t, err, "later")
	})
}

// columns separates the table's columns: two spaces or more.
var columns = regexp.MustCompile(`\s{2,}`)

// TestRun runs the whole benchmark at a tiny size, as `make bench` does at full size: it
// checks that the benchmark runs and reports, never how fast the app is.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole app on PostgreSQL")
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"-tasks", "20", "-reminders", "20", "-users", "3", "-lead", "3s", "-window", "2s",
		"-scenarios", "spread"}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	out := stdout.String()
	require.True(t, strings.HasPrefix(out, "benchmark"), "got %q, want the table first", out)
	results := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		cells := columns.Split(strings.TrimSpace(line), -1)
		results[cells[0]] = cells[len(cells)-1]
	}
	assert.Contains(t, results, "recurrence events/s")
	assert.Contains(t, results, "lateness p99")
	for _, name := range []string{"reminders spread (2s): received", "fired early", "dead letters"} {
		assert.Equal(t, "PASS", results[name], "%s: got %s, want PASS\n%s", name, results[name], out)
	}
}
