package broker_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/broker"
	"github.com/taskwire/taskwire/shared/host"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// Event types of the basic test manifests.
const (
	typeCreated = "com.example.order.created.v1"
	typeShipped = "com.example.order.shipped.v1"
	typeSlow    = "com.example.slow.v1"
)

// waitFor bounds every wait for the broker to do something.
const waitFor = 10 * time.Second

func TestDelivery(t *testing.T) {
	t.Run("InProcess", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := &Subscriber{}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		row := MustWaitState(t, pool, b, e, "orders", "delivered")
		assert.Equal(t, 1, row.Attempts)
		assert.Equal(t, 202, row.LastStatus)

		got := orders.MustOnly(t)
		AssertBinary(t, got, e)
		require.True(t, got.HasDeadline, "an in-process delivery must carry the trigger's timeout")
		assert.WithinDuration(t, got.At.Add(5*time.Second), got.Deadline, time.Second)
	})

	t.Run("HTTP", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := &Subscriber{}
		srv := httptest.NewServer(orders)
		t.Cleanup(srv.Close)
		b := MustNewBroker(t, pool, m, Targets{"orders": {URL: srv.URL}}, broker.Options{})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		MustWaitState(t, pool, b, e, "orders", "delivered")
		AssertBinary(t, orders.MustOnly(t), e)
	})

	t.Run("HTTPReusesConnections", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		const burst = 16 // a trigger's deliveries at once (Options.Workers' default)
		// Each burst's deliveries are held until all of them have arrived, so that each
		// is on a connection of its own.
		gates := []chan struct{}{make(chan struct{}), make(chan struct{})}
		orders := &Subscriber{Answer: func(ctx context.Context, n int, e event.Event) (int, *event.Event) {
			gate := gates[(n-1)/burst]
			if n%burst == 0 {
				close(gate)
			}
			select {
			case <-gate:
			case <-time.After(waitFor):
			}
			return http.StatusAccepted, nil
		}}
		var dialled atomic.Int32
		srv := httptest.NewUnstartedServer(orders)
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				dialled.Add(1)
			}
		}
		srv.Start()
		t.Cleanup(srv.Close)
		b := MustNewBroker(t, pool, m, Targets{"orders": {URL: srv.URL}}, broker.Options{})
		MustRun(t, b)

		for round := range len(gates) {
			var sent []event.Event
			for i := range burst {
				sent = append(sent, NewEvent(typeCreated, fmt.Sprintf("r%d-o%d", round, i)))
			}
			require.NoError(t, b.SendBatch(context.Background(), sent))
			for _, e := range sent {
				MustWaitState(t, pool, b, e, "orders", "delivered")
			}
			assert.EqualValues(t, burst, dialled.Load(),
				"after burst %d: got %d connections dialled, want %d, the first burst's reused", round+1, dialled.Load(), burst)
		}
	})

	t.Run("FanOut", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders, audit, shipping := &Subscriber{}, &Subscriber{}, &Subscriber{}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}, "audit": {Handler: audit}, "shipping": {Handler: shipping}}, broker.Options{})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		MustWaitState(t, pool, b, e, "orders", "delivered")
		MustWaitState(t, pool, b, e, "audit", "delivered")
		assert.Equal(t, e.ID(), orders.MustOnly(t).Event.ID())
		assert.Equal(t, e.ID(), audit.MustOnly(t).Event.ID())
		_, ok := DeliveryOf(t, pool, b, e, "shipping")
		assert.False(t, ok, "got a delivery for shipping, whose filter the event does not pass")
		assert.Empty(t, shipping.Deliveries())
	})

	t.Run("TokenSource", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := &Subscriber{}
		token := func(_ context.Context, audience string) (string, error) { return "token-for-" + audience, nil }
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{TokenSource: token})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		MustWaitState(t, pool, b, e, "orders", "delivered")
		assert.Equal(t, "Bearer token-for-serving.knative.dev/service/default/orders", orders.MustOnly(t).Header.Get("Authorization"),
			"the audience Knative gives the subscriber's ref")
	})

	t.Run("ErrNoTarget", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		_, err := broker.New(pool, m, Targets{"orders": {Handler: &Subscriber{}}}, broker.Options{})
		require.ErrorContains(t, err, "audit")
	})
}

func TestRetry(t *testing.T) {
	t.Run("BackoffThenSuccess", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := &Subscriber{Answer: func(_ context.Context, n int, _ event.Event) (int, *event.Event) {
			if n <= 2 {
				return http.StatusServiceUnavailable, nil
			}
			return http.StatusAccepted, nil
		}}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		row := MustWaitState(t, pool, b, e, "orders", "delivered")
		assert.Equal(t, 3, row.Attempts)

		got := orders.Deliveries()
		require.Len(t, got, 3)
		first, second := got[1].At.Sub(got[0].At), got[2].At.Sub(got[1].At)
		// PT0.05S exponential: 100 ms before retry 1, 200 ms before retry 2.
		assert.GreaterOrEqual(t, first, 100*time.Millisecond)
		assert.GreaterOrEqual(t, second, 200*time.Millisecond)
		assert.Greater(t, second, first, "got gaps %s then %s, want them to grow", first, second)
	})

	t.Run("PoisonDeadAtOnce", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		calls := 0
		var mu sync.Mutex
		orders := host.EventHTTPHandler(EventFunc(func(context.Context, event.Event) (*event.Event, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			return nil, taskwire.FieldErrorf(taskwire.EINVALID, "data.task", "the task is missing")
		}))
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		row := MustWaitState(t, pool, b, e, "orders", "dead")
		assert.Equal(t, 1, row.Attempts)
		assert.Equal(t, http.StatusUnprocessableEntity, row.LastStatus)
		assert.Contains(t, row.LastError, "data.task")

		time.Sleep(300 * time.Millisecond) // longer than any backoff of the trigger
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 1, calls, "got %d attempts at a poison event, want 1", calls)
	})

	t.Run("RetriesExhausted", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := &Subscriber{Answer: func(context.Context, int, event.Event) (int, *event.Event) {
			return http.StatusInternalServerError, nil
		}}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		row := MustWaitState(t, pool, b, e, "orders", "dead")
		assert.Equal(t, 3, row.Attempts, "retry: 2 means three attempts")
		assert.Equal(t, 500, row.LastStatus)
		assert.Len(t, orders.Deliveries(), 3)
	})

	t.Run("ConnectionRefused", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close() // nothing listens there any more
		b := MustNewBroker(t, pool, m, Targets{"orders": {URL: url}}, broker.Options{})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		row := MustWaitState(t, pool, b, e, "orders", "dead")
		assert.Equal(t, 3, row.Attempts, "a refused connection is retried")
		assert.Zero(t, row.LastStatus)
		assert.NotEmpty(t, row.LastError)
	})

	t.Run("Timeout", func(t *testing.T) {
		for _, mode := range []string{"InProcess", "HTTP"} {
			t.Run(mode, func(t *testing.T) {
				pool, m := MustSetup(t, "basic")
				slow := &Subscriber{Answer: func(ctx context.Context, n int, _ event.Event) (int, *event.Event) {
					if n == 1 {
						time.Sleep(500 * time.Millisecond) // ignores ctx: the broker must not wait
					}
					return http.StatusAccepted, nil
				}}
				target := broker.Target{Handler: slow}
				if mode == "HTTP" {
					srv := httptest.NewServer(slow)
					t.Cleanup(srv.Close)
					target = broker.Target{URL: srv.URL}
				}
				b := MustNewBroker(t, pool, m, Targets{"slow": target}, broker.Options{})
				MustRun(t, b)

				e := NewEvent(typeSlow, "s1")
				start := time.Now()
				require.NoError(t, b.Send(context.Background(), e))
				row := MustWaitState(t, pool, b, e, "slow", "delivered")
				assert.Equal(t, 2, row.Attempts, "the attempt that outlived the timeout is retried")
				assert.Less(t, time.Since(start), 500*time.Millisecond+time.Second)

				got := slow.Deliveries()
				require.GreaterOrEqual(t, len(got), 2)
				if mode == "InProcess" {
					require.True(t, got[0].HasDeadline, "the handler's context must carry the trigger's timeout")
					assert.WithinDuration(t, got[0].At.Add(200*time.Millisecond), got[0].Deadline, 100*time.Millisecond)
				}
			})
		}
	})
}

func TestDeadLetters(t *testing.T) {
	t.Run("ListAndReplay", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := &Subscriber{Answer: func(_ context.Context, n int, _ event.Event) (int, *event.Event) {
			if n == 1 {
				return http.StatusBadRequest, nil
			}
			return http.StatusAccepted, nil // fixed since
		}}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{PollInterval: 50 * time.Millisecond})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		row := MustWaitState(t, pool, b, e, "orders", "dead")

		dead, err := broker.ListDeadLetters(context.Background(), pool)
		require.NoError(t, err)
		d := MustFindDeadLetter(t, dead, row.Seq, "orders")
		assert.Equal(t, b.Name(), d.Broker)
		assert.Equal(t, e.ID(), d.Event.ID())
		assert.Equal(t, e.Type(), d.Event.Type())
		assert.JSONEq(t, string(e.Data()), string(d.Event.Data()))
		assert.Equal(t, 1, d.Attempts)
		assert.Equal(t, http.StatusBadRequest, d.LastStatus)
		assert.NotEmpty(t, d.LastError)
		assert.False(t, d.At.IsZero())

		mine, err := b.DeadLetters(context.Background())
		require.NoError(t, err)
		require.Len(t, mine, 1, "got dead letters of other brokers, want only this one's")

		n, err := broker.Replay(context.Background(), pool, d.ID())
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		row = MustWaitState(t, pool, b, e, "orders", "delivered")
		assert.Equal(t, 1, row.Attempts, "a replay starts the attempts afresh")
		assert.Len(t, orders.Deliveries(), 2)

		mine, err = b.DeadLetters(context.Background())
		require.NoError(t, err)
		assert.Empty(t, mine)
		_, err = broker.Replay(context.Background(), pool, d.ID())
		require.ErrorIs(t, err, broker.ErrNoDeadLetter)
	})

	t.Run("ReplayEveryTriggerOfAnEvent", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		var mu sync.Mutex
		healthy := false
		answer := func(context.Context, int, event.Event) (int, *event.Event) {
			mu.Lock()
			defer mu.Unlock()
			if healthy {
				return http.StatusOK, nil
			}
			return http.StatusUnprocessableEntity, nil
		}
		orders, audit := &Subscriber{Answer: answer}, &Subscriber{Answer: answer}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}, "audit": {Handler: audit}}, broker.Options{PollInterval: 50 * time.Millisecond})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		row := MustWaitState(t, pool, b, e, "orders", "dead")
		MustWaitState(t, pool, b, e, "audit", "dead")

		mu.Lock()
		healthy = true
		mu.Unlock()
		n, err := broker.Replay(context.Background(), pool, strings.TrimSuffix(row.ID(), "/orders"))
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		MustWaitState(t, pool, b, e, "orders", "delivered")
		MustWaitState(t, pool, b, e, "audit", "delivered")
	})

	t.Run("ErrBadID", func(t *testing.T) {
		pool, _ := MustSetup(t, "basic")
		for _, id := range []string{"", "x", "-1", "x/orders"} {
			_, err := broker.Replay(context.Background(), pool, id)
			assert.ErrorContains(t, err, "SEQ/TRIGGER", "id %q", id)
		}
		_, err := broker.Replay(context.Background(), pool, "999999999/orders")
		assert.ErrorIs(t, err, broker.ErrNoDeadLetter)
	})
}

func TestReply(t *testing.T) {
	t.Run("RoutedToMatchingTrigger", testReplyRouted)
	t.Run("ErrInvalidReply", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Ce-Specversion", "1.0") // a CloudEvent without id, source and type
			w.WriteHeader(http.StatusOK)
		})
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
		MustRun(t, b)

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		row := MustWaitState(t, pool, b, e, "orders", "dead")
		assert.Equal(t, 1, row.Attempts, "an invalid reply is refused as Knative's ingress would, without retry")
		assert.Contains(t, row.LastError, "reply")
	})
}

func testReplyRouted(t *testing.T) {
	pool, m := MustSetup(t, "basic")
	// orders ships what it receives, as a CloudEvent function that answers with a reply.
	orders := host.EventHTTPHandler(EventFunc(func(_ context.Context, e event.Event) (*event.Event, error) {
		r := NewEvent(typeShipped, "shipped-"+e.ID())
		return &r, nil
	}))
	shipping, audit := &Subscriber{}, &Subscriber{}
	b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}, "shipping": {Handler: shipping}, "audit": {Handler: audit}}, broker.Options{})
	MustRun(t, b)

	e := NewEvent(typeCreated, "o1")
	require.NoError(t, b.Send(context.Background(), e))
	reply := NewEvent(typeShipped, "shipped-o1")
	MustWaitState(t, pool, b, reply, "shipping", "delivered")
	MustWaitState(t, pool, b, reply, "audit", "delivered")

	got := shipping.MustOnly(t)
	assert.Equal(t, "shipped-o1", got.Event.ID())
	assert.Equal(t, typeShipped, got.Event.Type())
	var ids []string
	for _, d := range audit.Deliveries() {
		ids = append(ids, d.Event.ID())
	}
	assert.ElementsMatch(t, []string{"o1", "shipped-o1"}, ids)
	_, ok := DeliveryOf(t, pool, b, reply, "orders")
	assert.False(t, ok, "the reply does not match orders' filter")
}

func TestSendIdempotent(t *testing.T) {
	pool, m := MustSetup(t, "basic")
	orders := &Subscriber{}
	b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})

	e := NewEvent(typeCreated, "o1")
	require.NoError(t, b.Send(context.Background(), e))
	require.NoError(t, b.Send(context.Background(), e), "a repeat is acknowledged")
	assert.Equal(t, 1, Count(t, pool, `SELECT count(*) FROM broker_events WHERE broker = $1`, b.Name()))
	assert.Equal(t, 2, Count(t, pool, `SELECT count(*) FROM broker_deliveries d JOIN broker_events e ON e.seq = d.event_seq WHERE e.broker = $1`, b.Name()),
		"one delivery for orders and one for audit")

	MustRun(t, b)
	MustWaitState(t, pool, b, e, "orders", "delivered")
	require.NoError(t, b.Send(context.Background(), e), "a repeat after delivery is acknowledged too")
	time.Sleep(200 * time.Millisecond)
	assert.Len(t, orders.Deliveries(), 1)
}

func TestSendBatch(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := &Subscriber{}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})

		batch := []event.Event{NewEvent(typeCreated, "o1"), NewEvent("com.example.unrouted.v1", "u1"), NewEvent(typeCreated, "o2")}
		require.NoError(t, b.SendBatch(context.Background(), append(batch, batch[0])), "an event twice in a batch is stored once")
		require.NoError(t, b.SendBatch(context.Background(), batch), "a repeat is acknowledged")
		assert.Equal(t, 2, Count(t, pool, `SELECT count(*) FROM broker_events WHERE broker = $1`, b.Name()),
			"one row per routed event, stored once")
		var order []string
		require.NoError(t, pool.QueryRow(context.Background(),
			`SELECT array_agg(id ORDER BY seq) FROM broker_events WHERE broker = $1`, b.Name()).Scan(&order))
		assert.Equal(t, []string{batch[0].ID(), batch[2].ID()}, order, "stored in the batch's order")
		assert.Equal(t, 4, Count(t, pool, `SELECT count(*) FROM broker_deliveries d JOIN broker_events e ON e.seq = d.event_seq WHERE e.broker = $1`, b.Name()),
			"orders and audit for each")

		MustRun(t, b)
		MustWaitState(t, pool, b, batch[0], "orders", "delivered")
		MustWaitState(t, pool, b, batch[2], "orders", "delivered")
		assert.Len(t, orders.Deliveries(), 2)
	})

	t.Run("ErrInvalidEvent", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: &Subscriber{}}}, broker.Options{})

		bad := NewEvent(typeCreated, "o2")
		require.NoError(t, bad.SetData(event.ApplicationJSON, map[string]string{"id": "nul\u0000"}))
		err := b.SendBatch(context.Background(), []event.Event{NewEvent(typeCreated, "o1"), bad})
		require.ErrorIs(t, err, broker.ErrInvalidEvent)
		assert.Zero(t, Count(t, pool, `SELECT count(*) FROM broker_events WHERE broker = $1`, b.Name()),
			"a batch is stored whole or not at all")
	})
}

// TestOutcomesTogether delivers many events at once to a subscriber that accepts some and
// refuses others for good: the workers' outcomes, recorded together, each land on their
// own delivery.
func TestOutcomesTogether(t *testing.T) {
	pool, m := MustSetup(t, "basic")
	orders := &Subscriber{Answer: func(ctx context.Context, n int, e event.Event) (int, *event.Event) {
		if strings.HasSuffix(e.ID(), "-bad") {
			return http.StatusUnprocessableEntity, nil
		}
		return http.StatusOK, nil
	}}
	b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{Workers: 16})
	var sent []event.Event
	for i := range 200 {
		id := fmt.Sprintf("o%d", i)
		if i%3 == 0 {
			id += "-bad"
		}
		sent = append(sent, NewEvent(typeCreated, id))
	}
	require.NoError(t, b.SendBatch(context.Background(), sent))
	MustRun(t, b)

	for _, e := range sent {
		want, status := "delivered", http.StatusOK
		if strings.HasSuffix(e.ID(), "-bad") {
			want, status = "dead", http.StatusUnprocessableEntity
		}
		r := MustWaitState(t, pool, b, e, "orders", want)
		assert.Equal(t, 1, r.Attempts, "event %s", e.ID())
		assert.Equal(t, status, r.LastStatus, "event %s", e.ID())
		if want == "dead" {
			assert.NotEmpty(t, r.LastError, "event %s: a dead letter says why", e.ID())
		}
	}
	assert.Len(t, orders.Deliveries(), len(sent), "each event delivered once")
}

// TestTriggersApart checks that a subscriber holding its deliveries does not hold back
// another trigger's: each trigger has its own workers.
func TestTriggersApart(t *testing.T) {
	pool, m := MustSetup(t, "basic")
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	orders := &Subscriber{Answer: func(ctx context.Context, n int, e event.Event) (int, *event.Event) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return http.StatusAccepted, nil
	}}
	audit := &Subscriber{}
	b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}, "audit": {Handler: audit}}, broker.Options{Workers: 2})
	MustRun(t, b)

	var sent []event.Event
	for i := range 5 {
		e := NewEvent(typeCreated, "o"+strconv.Itoa(i))
		require.NoError(t, b.Send(context.Background(), e))
		sent = append(sent, e)
	}
	for _, e := range sent {
		MustWaitState(t, pool, b, e, "audit", "delivered")
	}
	// orders' second worker may take its event a moment after audit is done.
	require.Eventually(t, func() bool { return len(orders.Deliveries()) == 2 }, 5*time.Second, 10*time.Millisecond,
		"orders takes an event on each of its two workers")
	time.Sleep(50 * time.Millisecond)
	assert.Len(t, orders.Deliveries(), 2, "orders holds both its workers, and no more")
}

func TestDurability(t *testing.T) {
	t.Run("NewBrokerDeliversWhatAnotherAccepted", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		crashed := MustNewBroker(t, pool, m, Targets{"orders": {Handler: &Subscriber{}}}, broker.Options{})
		e := NewEvent(typeCreated, "o1")
		require.NoError(t, crashed.Send(context.Background(), e)) // accepted, never dispatched

		orders := &Subscriber{}
		restarted := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
		MustRun(t, restarted)
		MustWaitState(t, pool, restarted, e, "orders", "delivered")
		assert.Equal(t, e.ID(), orders.MustOnly(t).Event.ID())
	})

	t.Run("ExpiredLeaseIsTakenAgain", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		orders := &Subscriber{}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{PollInterval: 50 * time.Millisecond})
		abandoned, held := NewEvent(typeCreated, "abandoned"), NewEvent(typeCreated, "held")
		require.NoError(t, b.Send(context.Background(), abandoned))
		require.NoError(t, b.Send(context.Background(), held))
		// A worker that died holds abandoned's lease, expired; a live one holds held's.
		SetLease(t, pool, b, abandoned, "orders", time.Now().Add(-time.Minute))
		SetLease(t, pool, b, held, "orders", time.Now().Add(time.Hour))

		MustRun(t, b)
		MustWaitState(t, pool, b, abandoned, "orders", "delivered")
		time.Sleep(200 * time.Millisecond)
		row, ok := DeliveryOf(t, pool, b, held, "orders")
		require.True(t, ok)
		assert.Equal(t, "pending", row.State, "a delivery under a live lease is left to its holder")
		assert.Equal(t, abandoned.ID(), orders.MustOnly(t).Event.ID())
	})

	t.Run("DeliveredEventsAreDeleted", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: &Subscriber{}}, "audit": {Handler: &Subscriber{}}},
			broker.Options{Retention: -1})
		MustRun(t, b)
		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		require.Eventually(t, func() bool {
			return Count(t, pool, `SELECT count(*) FROM broker_events WHERE broker = $1`, b.Name()) == 0
		}, waitFor, 10*time.Millisecond, "an event acknowledged by every trigger is deleted")
	})
}

func TestSharedTables(t *testing.T) {
	pool, m := MustSetup(t, "basic")
	orders1, orders2 := &Subscriber{}, &Subscriber{}
	b1 := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders1}}, broker.Options{Workers: 2})
	b2 := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders2}}, broker.Options{Workers: 2})
	MustRun(t, b1)
	MustRun(t, b2)

	const n = 40
	for i := range n {
		require.NoError(t, b1.Send(context.Background(), NewEvent(typeCreated, "o"+strconv.Itoa(i))))
	}
	require.Eventually(t, func() bool {
		return Count(t, pool, `SELECT count(*) FROM broker_deliveries d JOIN broker_events e ON e.seq = d.event_seq
			WHERE e.broker = $1 AND d.trigger = 'orders' AND d.state = 'delivered'`, b1.Name()) == n
	}, waitFor, 10*time.Millisecond)
	seen := map[string]int{}
	for _, d := range append(orders1.Deliveries(), orders2.Deliveries()...) {
		seen[d.Event.ID()]++
	}
	assert.Len(t, seen, n)
	for id, times := range seen {
		assert.Equal(t, 1, times, "event %s delivered %d times by two brokers sharing the tables", id, times)
	}
}

func TestShutdown(t *testing.T) {
	t.Run("ReleasesLeaseWithoutCountingAnAttempt", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		started := make(chan struct{}, 1)
		orders := &Subscriber{Answer: func(ctx context.Context, _ int, _ event.Event) (int, *event.Event) {
			started <- struct{}{}
			<-ctx.Done()
			return http.StatusServiceUnavailable, nil
		}}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()

		e := NewEvent(typeCreated, "o1")
		require.NoError(t, b.Send(context.Background(), e))
		select {
		case <-started:
		case <-time.After(waitFor):
			t.Fatal("the delivery never started")
		}
		cancel()
		require.NoError(t, <-done)

		row := MustWaitState(t, pool, b, e, "orders", "pending")
		assert.Zero(t, row.Attempts)
		assert.Zero(t, Count(t, pool, `SELECT count(*) FROM broker_deliveries WHERE event_seq = $1 AND lease_until IS NOT NULL`, row.Seq),
			"the lease is released for the next broker to take at once")
	})

	t.Run("RecordsTheOutcomesOfDeliveriesMade", func(t *testing.T) {
		// Outcomes wait for their dispatcher's next claim; Run records those of the
		// deliveries that were answered before it stopped, rather than leave their leases
		// to run out and the events to be delivered again.
		pool, m := MustSetup(t, "basic")
		answered := make(chan struct{}, 16)
		orders := &Subscriber{Answer: func(context.Context, int, event.Event) (int, *event.Event) {
			answered <- struct{}{}
			return http.StatusOK, nil
		}}
		b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()

		sent := []event.Event{NewEvent(typeCreated, "o1"), NewEvent(typeCreated, "o2"), NewEvent(typeCreated, "o3")}
		require.NoError(t, b.SendBatch(context.Background(), sent))
		for range sent {
			select {
			case <-answered:
			case <-time.After(waitFor):
				t.Fatal("a delivery never came")
			}
		}
		cancel()
		require.NoError(t, <-done)

		for _, e := range sent {
			row, found := DeliveryOf(t, pool, b, e, "orders")
			require.True(t, found)
			assert.Equal(t, "delivered", row.State, "event %s, when Run returned", e.ID())
			assert.Equal(t, 1, row.Attempts, "event %s", e.ID())
		}
	})

	t.Run("ErrRunTwice", func(t *testing.T) {
		pool, m := MustSetup(t, "basic")
		b := MustNewBroker(t, pool, m, nil, broker.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 2)
		go func() { done <- b.Run(ctx) }()
		go func() { done <- b.Run(ctx) }()
		select {
		case err := <-done:
			require.ErrorContains(t, err, "already running", "a second Run of one Broker must be refused")
		case <-time.After(waitFor):
			t.Fatal("neither Run returned")
		}
		cancel()
		require.NoError(t, <-done)
	})
}

func TestHandler(t *testing.T) {
	pool, m := MustSetup(t, "basic")
	orders := &Subscriber{}
	b := MustNewBroker(t, pool, m, Targets{"orders": {Handler: orders}}, broker.Options{})
	MustRun(t, b)
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(srv.Close)

	t.Run("Binary", func(t *testing.T) {
		e := NewEvent(typeCreated, "binary")
		req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
		require.NoError(t, err)
		require.NoError(t, cehttp.WriteRequest(context.Background(), binding.ToMessage(&e), req))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusAccepted, resp.StatusCode)
		MustWaitState(t, pool, b, e, "orders", "delivered")
	})
	t.Run("Structured", func(t *testing.T) {
		e := NewEvent(typeCreated, "structured")
		raw, err := e.MarshalJSON()
		require.NoError(t, err)
		resp, err := http.Post(srv.URL, "application/cloudevents+json", bytes.NewReader(raw))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusAccepted, resp.StatusCode)
		MustWaitState(t, pool, b, e, "orders", "delivered")
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"hello":"world"}`))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{}`))
		require.NoError(t, err)
		req.Header.Set("Ce-Specversion", "1.0")
		req.Header.Set("Ce-Type", typeCreated) // no id, no source
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

		for _, data := range []string{`{"broken":`, `{"nul":"\u0000"}`} { // not JSON; not storable in jsonb
			e := NewEvent(typeCreated, "bad-data")
			req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
			require.NoError(t, err)
			require.NoError(t, cehttp.WriteRequest(context.Background(), binding.ToMessage(&e), req))
			req.Body, req.ContentLength, req.GetBody = io.NopCloser(strings.NewReader(data)), int64(len(data)), nil
			resp, err = http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "data %s: %s", data, body)
		}

		// An id longer than the broker's index can hold is refused for good, not a 500 to
		// retry for hours (until 2026-12-06).
		long := NewEvent(typeCreated, strings.Repeat("x", 8000))
		req, err = http.NewRequest(http.MethodPost, srv.URL, nil)
		require.NoError(t, err)
		require.NoError(t, cehttp.WriteRequest(context.Background(), binding.ToMessage(&long), req))
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
		assert.Contains(t, string(body), "at most 1024 bytes")
	})
	t.Run("ErrMethod", func(t *testing.T) {
		resp, err := http.Get(srv.URL)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	})
}

// Targets is the targets argument of broker.New.
type Targets = map[string]broker.Target

// EventFunc is event logic made of a func.
type EventFunc func(ctx context.Context, e event.Event) (*event.Event, error)

// HandleEvent calls f.
func (f EventFunc) HandleEvent(ctx context.Context, e event.Event) (*event.Event, error) {
	return f(ctx, e)
}

// Subscriber is a test subscriber: it records each delivery and answers what Answer
// says for the n-th (from 1), by default 202.
type Subscriber struct {
	Answer func(ctx context.Context, n int, e event.Event) (status int, reply *event.Event)

	mu  sync.Mutex
	got []Received
}

// Received is one delivery a Subscriber got.
type Received struct {
	Event       event.Event
	Header      http.Header
	At          time.Time
	Deadline    time.Time
	HasDeadline bool
}

// ServeHTTP records the delivery and answers.
func (s *Subscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := Received{At: time.Now(), Header: r.Header.Clone()}
	rec.Deadline, rec.HasDeadline = r.Context().Deadline()
	e, err := binding.ToEvent(r.Context(), cehttp.NewMessageFromHttpRequest(r))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec.Event = *e
	s.mu.Lock()
	s.got = append(s.got, rec)
	n := len(s.got)
	s.mu.Unlock()

	status, reply := http.StatusAccepted, (*event.Event)(nil)
	if s.Answer != nil {
		status, reply = s.Answer(r.Context(), n, *e)
	}
	if reply != nil {
		_ = cehttp.WriteResponseWriter(r.Context(), binding.ToMessage(reply), status, w)
		return
	}
	w.WriteHeader(status)
}

// Deliveries returns what s received so far.
func (s *Subscriber) Deliveries() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// MustOnly returns the one delivery s received.
func (s *Subscriber) MustOnly(tb testing.TB) Received {
	tb.Helper()
	got := s.Deliveries()
	require.Len(tb, got, 1, "got %d deliveries, want 1", len(got))
	return got[0]
}

// NewEvent returns a valid event of type typ with id, from source /test, with JSON data.
func NewEvent(typ, id string) event.Event {
	e := event.New()
	e.SetID(id)
	e.SetSource("/test")
	e.SetType(typ)
	e.SetSubject("subject-" + id)
	_ = e.SetData(event.ApplicationJSON, map[string]string{"id": id})
	return e
}

// AssertBinary checks that got is e, delivered in binary mode.
func AssertBinary(tb testing.TB, got Received, e event.Event) {
	tb.Helper()
	assert.Equal(tb, e.ID(), got.Header.Get("Ce-Id"))
	assert.Equal(tb, e.Type(), got.Header.Get("Ce-Type"))
	assert.Equal(tb, e.Source(), got.Header.Get("Ce-Source"))
	assert.Equal(tb, e.Subject(), got.Header.Get("Ce-Subject"))
	assert.Equal(tb, "1.0", got.Header.Get("Ce-Specversion"))
	assert.Equal(tb, "application/json", got.Header.Get("Content-Type"), "binary mode carries the data's own content type")
	assert.JSONEq(tb, string(e.Data()), string(got.Event.Data()))
}

// MustSetup returns the test database and the manifests of testdata/dir, with the
// Broker renamed after the test (and the run) so that its rows are its own.
func MustSetup(tb testing.TB, dir string) (*pgxpool.Pool, *broker.Manifests) {
	tb.Helper()
	m, err := broker.LoadManifests(filepath.Join("testdata", dir))
	require.NoError(tb, err)
	m.Broker.Name = tb.Name() + "#" + strconv.FormatInt(runs.Add(1), 10)
	return postgrestest.MustOpenDB(tb).Pool, m
}

// runs numbers the brokers of the test binary, which may run a test several times.
var runs atomic.Int64

// MustNewBroker returns a broker that logs to the test; subscribers that targets leave
// out get a Subscriber that accepts everything.
func MustNewBroker(tb testing.TB, pool *pgxpool.Pool, m *broker.Manifests, targets Targets, opts broker.Options) *broker.Broker {
	tb.Helper()
	all := Targets{}
	for _, tr := range m.Triggers {
		all[tr.Subscriber] = broker.Target{Handler: &Subscriber{}}
	}
	for name, target := range targets {
		all[name] = target
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(TestWriter{tb}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	b, err := broker.New(pool, m, all, opts)
	require.NoError(tb, err)
	return b
}

// MustRun runs b until the test ends, and checks that Run then returns nil.
func MustRun(tb testing.TB, b *broker.Broker) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(tb, err)
		case <-time.After(waitFor):
			tb.Error("Run did not return after its context was cancelled")
		}
	})
}

// TestWriter writes log lines to the test's log.
type TestWriter struct{ tb testing.TB }

// Write logs p.
func (w TestWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// Row is a row of broker_deliveries.
type Row struct {
	Seq        int64
	Trigger    string
	State      string
	Attempts   int
	LastStatus int
	LastError  string
}

// ID is the row's dead letter id.
func (r Row) ID() string { return broker.DeadLetter{EventSeq: r.Seq, Trigger: r.Trigger}.ID() }

// DeliveryOf returns the delivery of e to trigger, if there is one.
func DeliveryOf(tb testing.TB, pool *pgxpool.Pool, b *broker.Broker, e event.Event, trigger string) (Row, bool) {
	tb.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT d.event_seq, d.trigger, d.state, d.attempts, coalesce(d.last_status, 0), coalesce(d.last_error, '')
		FROM broker_deliveries d JOIN broker_events e ON e.seq = d.event_seq
		WHERE e.broker = $1 AND e.source = $2 AND e.id = $3 AND d.trigger = $4`,
		b.Name(), e.Source(), e.ID(), trigger)
	require.NoError(tb, err)
	defer rows.Close()
	var r Row
	found := false
	for rows.Next() {
		require.NoError(tb, rows.Scan(&r.Seq, &r.Trigger, &r.State, &r.Attempts, &r.LastStatus, &r.LastError))
		found = true
	}
	require.NoError(tb, rows.Err())
	return r, found
}

// MustWaitState waits until the delivery of e to trigger is in state, and returns it.
func MustWaitState(tb testing.TB, pool *pgxpool.Pool, b *broker.Broker, e event.Event, trigger, state string) Row {
	tb.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		r, ok := DeliveryOf(tb, pool, b, e, trigger)
		if ok && r.State == state {
			return r
		}
		if time.Now().After(deadline) {
			tb.Fatalf("delivery of %s to %s: got %+v (found %v), want state %s", e.ID(), trigger, r, ok, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// SetLease sets the lease of e's delivery to trigger, as a worker holding it would.
func SetLease(tb testing.TB, pool *pgxpool.Pool, b *broker.Broker, e event.Event, trigger string, until time.Time) {
	tb.Helper()
	tag, err := pool.Exec(context.Background(), `
		UPDATE broker_deliveries d SET lease_until = $5
		FROM broker_events e
		WHERE e.seq = d.event_seq AND e.broker = $1 AND e.source = $2 AND e.id = $3 AND d.trigger = $4`,
		b.Name(), e.Source(), e.ID(), trigger, until)
	require.NoError(tb, err)
	require.EqualValues(tb, 1, tag.RowsAffected())
}

// Count runs a count query.
func Count(tb testing.TB, pool *pgxpool.Pool, query string, args ...any) int {
	tb.Helper()
	var n int
	require.NoError(tb, pool.QueryRow(context.Background(), query, args...).Scan(&n))
	return n
}

// MustFindDeadLetter returns the dead letter of seq and trigger in dead.
func MustFindDeadLetter(tb testing.TB, dead []broker.DeadLetter, seq int64, trigger string) broker.DeadLetter {
	tb.Helper()
	for _, d := range dead {
		if d.EventSeq == seq && d.Trigger == trigger {
			return d
		}
	}
	tb.Fatalf("no dead letter %d/%s among %d", seq, trigger, len(dead))
	return broker.DeadLetter{}
}
