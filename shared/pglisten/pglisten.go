// Package pglisten keeps a PostgreSQL connection LISTENing on a channel: it reconnects
// with backoff when the connection fails and pings it when it has been silent, so that a
// dead connection is noticed. The outbox relay and the live streams' listener use it.
package pglisten

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnect delays and the idle check.
const (
	MinDelay  = 100 * time.Millisecond // first wait before reconnecting
	MaxDelay  = 30 * time.Second       // longest wait before reconnecting
	IdleCheck = 30 * time.Second       // a silent connection is pinged this often
)

// Handler learns what a listening connection hears.
type Handler struct {
	// Listening is called each time a connection starts listening: notifications sent
	// while none listened are lost, so what they announce must be looked for again.
	Listening func()
	// Notify is called with each notification's payload.
	Notify func(payload string)
}

// Run listens on channel over connections made from config until ctx is done, calling h
// as it goes; failures are logged on log and the connection is made again, after
// MinDelay doubling up to MaxDelay (back to MinDelay once one listened).
func Run(ctx context.Context, config *pgx.ConnConfig, channel string, log *slog.Logger, h Handler) {
	delay := MinDelay
	for {
		listened, err := listen(ctx, config, channel, h)
		if ctx.Err() != nil {
			return
		}
		if listened {
			delay = MinDelay
		}
		log.Warn("listen failed; reconnecting", "err", err, "in", delay.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, MaxDelay)
	}
}

// listen connects, listens and hands on notifications until the connection fails or ctx
// is done; it reports whether it got as far as listening.
func listen(ctx context.Context, config *pgx.ConnConfig, channel string, h Handler) (bool, error) {
	conn, err := pgx.ConnectConfig(ctx, config)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	h.Listening()
	for {
		waitCtx, cancel := context.WithTimeout(ctx, IdleCheck)
		n, err := conn.WaitForNotification(waitCtx)
		idle := errors.Is(waitCtx.Err(), context.DeadlineExceeded)
		cancel()
		switch {
		case err == nil:
			h.Notify(n.Payload)
		case ctx.Err() != nil:
			return true, ctx.Err()
		case idle:
			// Nothing happened for a while: make sure the connection is still there.
			if err := conn.Ping(ctx); err != nil {
				return true, fmt.Errorf("ping: %w", err)
			}
		default:
			return true, fmt.Errorf("wait for notification: %w", err)
		}
	}
}
