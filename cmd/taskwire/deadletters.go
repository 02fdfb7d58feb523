package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/broker"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/relay"
)

// maxErrorColumn is how much of a dead letter's last error the listing shows.
const maxErrorColumn = 100

// deadLetters prints the local broker's dead letters, oldest first: the events a
// subscriber refused or kept failing on, with the id that replay takes. Then the outbox
// rows the broker itself refused for good, which the relay set aside.
func deadLetters(ctx context.Context, args []string, env map[string]string, stdout io.Writer) error {
	if len(args) != 0 {
		return errors.New("usage: taskwire deadletters")
	}
	db, err := postgres.Open(ctx, postgres.ConfigFromEnv(env, app.DataDir(env)))
	if err != nil {
		return err
	}
	defer db.Close()
	dead, err := broker.ListDeadLetters(ctx, db.Pool)
	if err != nil {
		return err
	}
	refused, err := relay.ListRefused(ctx, db.Pool)
	if err != nil {
		return err
	}
	if len(dead) == 0 && len(refused) == 0 {
		fmt.Fprintln(stdout, "no dead letters")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTYPE\tSOURCE\tEVENT ID\tATTEMPTS\tSTATUS\tAT\tLAST ERROR")
	for _, d := range dead {
		status := "-"
		if d.LastStatus != 0 {
			status = strconv.Itoa(d.LastStatus)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", d.ID(), d.Event.Type(), d.Event.Source(), d.Event.ID(),
			d.Attempts, status, d.At.UTC().Format(time.RFC3339), oneLine(d.LastError, maxErrorColumn))
	}
	// Refused by the broker on the way in, so no trigger ever saw them; one attempt each.
	for _, r := range refused {
		fmt.Fprintf(w, "%s%d\t%s\t%s\t%s\t1\trefused\t%s\t%s\n", outboxPrefix, r.Seq, r.Type, r.Source, r.ID,
			r.At.UTC().Format(time.RFC3339), oneLine(r.Reason, maxErrorColumn))
	}
	return w.Flush()
}

// outboxPrefix starts the id of an outbox row the broker refused, as deadletters lists it
// and replay takes it.
const outboxPrefix = "outbox/"

// replay re-queues the dead letter args[0]: SEQ/TRIGGER for one delivery, SEQ for every
// dead delivery of that event, or outbox/SEQ for an outbox row the broker refused.
func replay(ctx context.Context, args []string, env map[string]string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: taskwire replay ID (SEQ/TRIGGER as taskwire deadletters lists it, SEQ for every trigger of the event, or outbox/SEQ)")
	}
	db, err := postgres.Open(ctx, postgres.ConfigFromEnv(env, app.DataDir(env)))
	if err != nil {
		return err
	}
	defer db.Close()
	if rest, ok := strings.CutPrefix(args[0], outboxPrefix); ok {
		seq, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || seq <= 0 {
			return fmt.Errorf("replay %s: want outbox/SEQ with SEQ the number deadletters lists", args[0])
		}
		found, err := relay.Requeue(ctx, db.Pool, seq)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("replay %s: no refused outbox row %d", args[0], seq)
		}
		fmt.Fprintf(stdout, "re-queued outbox row %d; a relay sends it at its next sweep\n", seq)
		return nil
	}
	n, err := broker.Replay(ctx, db.Pool, args[0])
	if err != nil {
		return err
	}
	noun := "delivery"
	if n != 1 {
		noun = "deliveries"
	}
	fmt.Fprintf(stdout, "re-queued %d %s of %s; the broker delivers again as soon as it runs\n", n, noun, args[0])
	return nil
}

// oneLine returns s on one line, cut to at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
