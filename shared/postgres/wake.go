package postgres

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxWakePayload keeps a notification's payload under PostgreSQL's 8000 bytes.
const maxWakePayload = 7000

// wakeTimeout bounds one round of notifications.
const wakeTimeout = 5 * time.Second

// waker announces committed outbox rows on OutboxChannel, to the relays and live streams
// of every process, with one line "<user_id> <seq>" per row. It sends after the commit
// rather than from a trigger inside it: a NOTIFY holds a lock through its transaction's
// commit, which made every write of every process commit in turn. Announcements
// coalesce: while one round of notifications is on its way, the rows of the commits that
// follow gather for the next, so that a busy process sends about one round per round
// trip, whatever its rate of writes. The zero waker is ready to use.
type waker struct {
	mu      sync.Mutex
	pending []string       // "<user_id> <seq>" of rows committed and not yet announced
	sending bool           // a goroutine is sending; it takes pending when done
	wg      sync.WaitGroup // the sending goroutine
}

// outboxWritten announces that a transaction of user that wrote the outbox row at seq
// committed. It returns at once; the notification follows.
func (db *DB) outboxWritten(user string, seq int64) {
	w := &db.wake
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, user+" "+strconv.FormatInt(seq, 10))
	if w.sending {
		return
	}
	w.sending = true
	w.wg.Add(1)
	go db.sendWakes()
}

// sendWakes sends the pending announcements, a round at a time, until none are left.
func (db *DB) sendWakes() {
	w := &db.wake
	defer w.wg.Done()
	for {
		w.mu.Lock()
		lines := w.pending
		w.pending = nil
		if len(lines) == 0 {
			w.sending = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), wakeTimeout)
		_, err := db.Pool.Exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`,
			OutboxChannel, wakePayloads(lines))
		cancel()
		if err != nil {
			// The relays sweep, and streams re-read on the next notification or when
			// they reconnect: a lost notification delays, it loses nothing.
			slog.Warn("announce outbox rows", "rows", len(lines), "err", err)
		}
	}
}

// wakePayloads packs lines into as few payloads as fit PostgreSQL's limit.
func wakePayloads(lines []string) []string {
	var (
		out []string
		b   strings.Builder
	)
	for _, l := range lines {
		if b.Len() > 0 && b.Len()+1+len(l) > maxWakePayload {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}
