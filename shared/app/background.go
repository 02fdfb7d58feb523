package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/relay"
)

// Background runs a function's long-lived loops (the outbox relay, the local broker)
// from Start until Stop, independent of any request.
type Background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewBackground returns a Background ready to run loops.
func NewBackground() *Background {
	ctx, cancel := context.WithCancel(context.Background())
	return &Background{ctx: ctx, cancel: cancel}
}

// Go runs loop until Stop; an error it returns before then is logged.
func (b *Background) Go(name string, loop func(ctx context.Context) error) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		if err := loop(b.ctx); err != nil && !errors.Is(err, context.Canceled) {
			slog.Error("background loop stopped", "loop", name, "err", err)
		}
	}()
}

// Stop cancels every loop and waits for them to return.
func (b *Background) Stop() {
	b.cancel()
	b.wg.Wait()
}

// SinkRelay returns an outbox relay that publishes to the broker at K_SINK (with
// K_CE_OVERRIDES applied, trusting K_CA_CERTS, and with the OIDC token of a SinkBinding
// when one is mounted), or nil when K_SINK is unset and the caller routes events itself.
func SinkRelay(cfg map[string]string, db *postgres.DB) (*relay.Relay, error) {
	sink := cfg["K_SINK"]
	if sink == "" {
		return nil, nil
	}
	sender, err := relay.NewSinkSender(sink, relay.SinkConfig{
		Overrides: cfg["K_CE_OVERRIDES"], CACerts: cfg["K_CA_CERTS"], TokenFile: relay.OIDCTokenFile,
	})
	if err != nil {
		return nil, fmt.Errorf("K_SINK: %w", err)
	}
	return relay.New(db.Pool, sender, relay.Options{}), nil
}

// StartSinkRelay returns the Background of a function that writes the outbox: running the
// relay to K_SINK when it is set (see SinkRelay), else running nothing. Stop it in Stop.
func StartSinkRelay(cfg map[string]string, db *postgres.DB) (*Background, error) {
	r, err := SinkRelay(cfg, db)
	if err != nil {
		return nil, err
	}
	bg := NewBackground()
	if r != nil {
		bg.Go("relay", r.Run)
	}
	return bg, nil
}
