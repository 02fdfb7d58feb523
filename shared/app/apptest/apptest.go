// Package apptest helps test how a function starts: that it refuses a malformed setting
// before it opens anything.
package apptest

import (
	"context"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

// Starter is a function as the func runtime starts it.
type Starter interface {
	Start(ctx context.Context, cfg map[string]string) error
	Ready(ctx context.Context) (bool, error)
}

// BadSink holds a malformed value of each setting of the broker a function relays its
// outbox to, beside a well-formed K_SINK.
var BadSink = map[string]string{"K_SINK": "broker.example.com", "K_CE_OVERRIDES": "{"}

// MustRefuseSettings starts a function made by newFunc once for each setting of bad (its
// name and a malformed value), with the others of base beside it, on a database no server
// answers, and checks that the start fails naming the setting and leaves the function not
// ready: a start that opened the database before it read the setting would fail on the
// database instead.
func MustRefuseSettings(t *testing.T, newFunc func() Starter, base, bad map[string]string) {
	t.Helper()
	for setting, value := range bad {
		cfg := maps.Clone(base)
		if cfg == nil {
			cfg = map[string]string{}
		}
		cfg["DATABASE_URL"], cfg["TASKWIRE_DATA_DIR"], cfg[setting] = postgrestest.Unreachable, t.TempDir(), value
		f := newFunc()
		err := f.Start(context.Background(), cfg)
		assert.ErrorContains(t, err, setting, "%s=%q", setting, value)
		ready, _ := f.Ready(context.Background())
		assert.False(t, ready, "%s=%q: ready after a failed start", setting, value)
	}
}
