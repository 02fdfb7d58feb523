package app

import (
	"context"
	"errors"
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

// Sink is the broker a function relays its outbox to, read from K_SINK by SinkFromEnv.
// The zero Sink is none: K_SINK is unset, and the caller routes its events itself.
type Sink struct {
	sender *relay.SinkSender
}

// SinkFromEnv reads the broker at K_SINK from cfg, with K_CE_OVERRIDES applied, trusting
// K_CA_CERTS, and with the OIDC token of a SinkBinding when one is mounted. It refuses a
// malformed one, so that a start fails on it before anything opens (or migrates).
func SinkFromEnv(cfg map[string]string) (Sink, error) {
	sink := cfg["K_SINK"]
	if sink == "" {
		return Sink{}, nil
	}
	sender, err := relay.NewSinkSender(sink, relay.SinkConfig{
		Overrides: cfg["K_CE_OVERRIDES"], CACerts: cfg["K_CA_CERTS"], TokenFile: relay.OIDCTokenFile,
	})
	if err != nil {
		return Sink{}, err // it names the setting: K_SINK, K_CE_OVERRIDES or K_CA_CERTS
	}
	return Sink{sender: sender}, nil
}

// Set reports whether K_SINK names a broker: without one, the caller routes its events
// itself.
func (s Sink) Set() bool { return s.sender != nil }

// Relay returns an outbox relay on db that publishes to s, or nil for no sink.
func (s Sink) Relay(db *postgres.DB) *relay.Relay {
	if !s.Set() {
		return nil
	}
	return relay.New(db.Pool, s.sender, relay.Options{})
}

// StartSinkRelay returns the Background of a function that writes the outbox: running the
// relay on db to s, or nothing for no sink. Stop it in Stop.
func StartSinkRelay(s Sink, db *postgres.DB) *Background {
	bg := NewBackground()
	if r := s.Relay(db); r != nil {
		bg.Go("relay", r.Run)
	}
	return bg
}
