package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// DefaultKeepAlive is how often an idle live stream sends a comment, so that proxies and
// clients see it is alive.
const DefaultKeepAlive = 15 * time.Second

// streamPage is how many events a stream reads at a time.
const streamPage = 200

// streamRecent is how many delivered positions a stream remembers, to send none twice.
const streamRecent = 1024

// MaxStreamsPerUser bounds the live streams one user may hold open at once on one
// server: a page holds one, a few tabs and devices a few. Each costs the server a
// connection and a goroutine, and without a bound one token could open them by the
// thousand.
const MaxStreamsPerUser = 32

// openStreams counts each user's live streams.
type openStreams struct {
	mu sync.Mutex
	n  map[string]int
}

// open counts a stream of user, and returns the function that ends it; past
// MaxStreamsPerUser it is ETOOMANY.
func (o *openStreams) open(user string) (done func(), err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n[user] >= MaxStreamsPerUser {
		return nil, taskwire.Errorf(taskwire.ETOOMANY, "at most %d live streams may be open at once; "+
			"close one (another tab, a connection left behind) and try again", MaxStreamsPerUser)
	}
	if o.n == nil {
		o.n = make(map[string]int)
	}
	o.n[user]++
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.n[user]--; o.n[user] == 0 {
			delete(o.n, user)
		}
	}, nil
}

// ChangeListener wakes live streams. Subscribe returns a channel that receives the outbox
// position of each row of user committed from now on, in commit order, and 0 whenever
// some may have been missed; it is closed by cancel and when the listener stops.
type ChangeListener interface {
	Subscribe(user string) (positions <-chan int64, cancel func())
}

// stream serves GET /v1/stream: the user's task events as Server-Sent Events. It first
// replays the events after Last-Event-ID (the header, or the last_event_id parameter),
// then sends each new one as it commits, on any replica, until the client goes away or
// the listener stops. Each message is "id: <position>", "event: <type>" and
// "data: <TaskEvent as JSON>"; an idle stream sends a ": keepalive" comment every
// KeepAlive.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r.URL.Query(), "last_event_id")
	if err != nil {
		return err
	}
	after, resume, err := lastEventID(r.Header.Get("Last-Event-ID"), q["last_event_id"])
	if err != nil {
		return err
	}
	ctx := r.Context()
	done, err := s.streams.open(taskwire.UserFromContext(ctx))
	if err != nil {
		return err
	}
	defer done()
	// Subscribe before reading, so that nothing committed in between is missed.
	positions, cancel := s.listener.Subscribe(taskwire.UserFromContext(ctx))
	defer cancel()
	// What was committed before the stream began is not news when its notification
	// arrives after the subscription: remember the latest positions as seen.
	latest, err := s.changes.LatestSeqs(ctx, streamRecent)
	if err != nil {
		return err
	}
	if !resume && len(latest) > 0 {
		after = latest[0]
	}
	st := &sseStream{w: w, changes: s.changes, last: after, seen: map[int64]bool{}}
	for i := len(latest) - 1; i >= 0; i-- {
		if latest[i] <= after {
			st.remember(latest[i])
		}
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // tells nginx-like proxies not to buffer
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives any write timeout
	st.rc = rc

	// Once the stream has started, a failure can only end it; the client reconnects
	// with the last id it saw and misses nothing.
	end := func(err error) error {
		if err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "live stream ended", "err", err)
		}
		return nil
	}
	if err := st.catchUp(ctx); err != nil {
		return end(err)
	}
	keepAlive := time.NewTicker(s.keepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case seq, ok := <-positions:
			if !ok {
				return nil
			}
			batch := []int64{seq}
			for more := true; more; {
				select {
				case seq, ok := <-positions:
					if !ok {
						return nil
					}
					batch = append(batch, seq)
				default:
					more = false
				}
			}
			if err := st.notified(ctx, batch); err != nil {
				return end(err)
			}
			keepAlive.Reset(s.keepAlive)
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
				return end(err)
			}
			if err := rc.Flush(); err != nil {
				return end(err)
			}
		}
	}
}

// lastEventID reads where a resumed stream continues: the Last-Event-ID header, which a
// reconnecting EventSource sends, else the last_event_id parameter. resume is false when
// neither is given.
func lastEventID(header, param string) (after int64, resume bool, err error) {
	field, v := "Last-Event-ID", header
	if v == "" {
		field, v = "last_event_id", param
	}
	if v == "" {
		return 0, false, nil
	}
	after, err = strconv.ParseInt(v, 10, 64)
	if err != nil || after < 0 {
		return 0, false, taskwire.FieldErrorf(taskwire.EMALFORMED, field, "%s must be the id of an event of this stream", field)
	}
	return after, true, nil
}

// sseStream writes one client's events.
type sseStream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	changes ChangeStore
	last    int64          // the highest position sent, or where the stream started
	seen    map[int64]bool // the last streamRecent positions sent, or known at the start
	order   []int64        // seen's positions, oldest first
}

// catchUp sends every event after the last position sent.
func (st *sseStream) catchUp(ctx context.Context) error {
	for {
		list, err := st.changes.Since(ctx, st.last, streamPage)
		if err != nil {
			return err
		}
		for _, e := range list {
			if err := st.send(e); err != nil {
				return err
			}
		}
		if len(list) < streamPage {
			return st.rc.Flush()
		}
	}
}

// notified sends the events at the positions the listener announced. Positions above the
// last one sent are read in order with what else followed; lower ones, of transactions
// that committed after a later one, are read one by one; 0 means read everything after
// the last one sent.
func (st *sseStream) notified(ctx context.Context, positions []int64) error {
	var late []int64
	newer := false
	for _, seq := range positions {
		switch {
		case seq == 0 || seq > st.last:
			newer = true
		case !st.seen[seq]:
			late = append(late, seq)
		}
	}
	if len(late) > 0 {
		list, err := st.changes.Entries(ctx, late)
		if err != nil {
			return err
		}
		for _, e := range list {
			if err := st.send(e); err != nil {
				return err
			}
		}
	}
	if newer {
		return st.catchUp(ctx)
	}
	return st.rc.Flush()
}

// send writes one event unless it was sent already.
func (st *sseStream) send(e events.ChangeEntry) error {
	if st.seen[e.Seq] {
		return nil
	}
	data, err := json.Marshal(newTaskEvent(e))
	if err != nil {
		return fmt.Errorf("encode event %d: %w", e.Seq, err)
	}
	if _, err := fmt.Fprintf(st.w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Type, data); err != nil {
		return fmt.Errorf("write event %d: %w", e.Seq, err)
	}
	st.remember(e.Seq)
	st.last = max(st.last, e.Seq)
	return nil
}

// remember records seq as sent, forgetting the oldest beyond streamRecent.
func (st *sseStream) remember(seq int64) {
	if st.seen[seq] {
		return
	}
	st.seen[seq] = true
	st.order = append(st.order, seq)
	if len(st.order) > streamRecent {
		delete(st.seen, st.order[0])
		st.order = st.order[1:]
	}
}
