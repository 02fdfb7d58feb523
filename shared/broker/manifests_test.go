package broker_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/broker"
)

func TestLoadManifests(t *testing.T) {
	t.Run("Eventing", func(t *testing.T) {
		m, err := broker.LoadManifests(filepath.Join("..", "..", "eventing"))
		require.NoError(t, err)

		assert.Equal(t, "taskwire", m.Broker.Name)
		assert.Equal(t, "Kafka", m.Broker.Class)
		want := broker.Delivery{Retry: 5, BackoffPolicy: "exponential", BackoffDelay: 500 * time.Millisecond, Timeout: 30 * time.Second}
		assert.Equal(t, want, m.Broker.Delivery)

		require.Len(t, m.Triggers, 4)
		byName := map[string]broker.Trigger{}
		for _, tr := range m.Triggers {
			byName[tr.Name] = tr
			subscriber := tr.Name
			if tr.Name == "task-webhooks" {
				subscriber = "notify" // which sends the webhooks of reminders too
			}
			assert.Equal(t, subscriber, tr.Subscriber, "trigger %s", tr.Name)
			want := want
			if subscriber == "notify" || tr.Name == "recurrence" { // retried for hours: a receiver or a function may be down a while
				want.Retry, want.BackoffDelay = 12, time.Second
			}
			if tr.Name == "reminders" { // a request of up to 25 s, after a cold start
				want.Timeout = 45 * time.Second
			}
			assert.Equal(t, want, tr.Delivery, "trigger %s", tr.Name)
			assert.Equal(t, "taskwire-"+subscriber, tr.Audience, "trigger %s: the OIDC audience it names for its subscriber", tr.Name)
		}
		require.Contains(t, byName, "recurrence")
		require.Contains(t, byName, "reminders")
		require.Contains(t, byName, "notify")
		require.Contains(t, byName, "task-webhooks")

		route := func(typ string, ext ...string) []string {
			e := NewEvent(typ, "e1")
			for i := 0; i+1 < len(ext); i += 2 {
				e.SetExtension(ext[i], ext[i+1])
			}
			var got []string
			for _, tr := range m.Triggers {
				if tr.Matches(e) {
					got = append(got, tr.Name)
				}
			}
			return got
		}
		assert.ElementsMatch(t, []string{"recurrence"}, route("dev.taskwire.task.completed.v1"))
		assert.Empty(t, route("dev.taskwire.task.created.v1"), "a task change that armed no reminder wakes nobody")
		assert.ElementsMatch(t, []string{"reminders"}, route("dev.taskwire.task.created.v1", "reminders", "armed"))
		assert.ElementsMatch(t, []string{"reminders"}, route("dev.taskwire.task.updated.v1", "reminders", "armed"))
		assert.ElementsMatch(t, []string{"notify"}, route("dev.taskwire.reminder.due.v1", "reminders", "armed"),
			"only task changes reach reminders by the extension")
		assert.ElementsMatch(t, []string{"reminders"}, route("dev.knative.sources.ping"))
		assert.ElementsMatch(t, []string{"reminders"}, route("dev.taskwire.reminders.tick.v1"))
		assert.ElementsMatch(t, []string{"notify"}, route("dev.taskwire.reminder.due.v1"))
		assert.ElementsMatch(t, []string{"notify"}, route("dev.taskwire.summary.due.v1"))
		assert.Empty(t, route("dev.taskwire.unknown.v1"))
		// A user with task webhooks: their task changes reach notify too.
		assert.ElementsMatch(t, []string{"recurrence", "task-webhooks"}, route("dev.taskwire.task.completed.v1", "webhook", "on"))
		assert.ElementsMatch(t, []string{"reminders", "task-webhooks"},
			route("dev.taskwire.task.created.v1", "reminders", "armed", "webhook", "on"))
		assert.ElementsMatch(t, []string{"task-webhooks"}, route("dev.taskwire.task.deleted.v1", "webhook", "on"))
		assert.ElementsMatch(t, []string{"notify"}, route("dev.taskwire.reminder.due.v1", "webhook", "on"),
			"only task changes reach the task webhooks")

		require.Len(t, m.PingSources, 1)
		p := m.PingSources[0]
		assert.Equal(t, "reminders-tick", p.Name)
		assert.Equal(t, "* * * * *", p.Schedule)
		assert.Equal(t, "UTC", p.TimeZone)
		assert.Equal(t, "application/json", p.ContentType)
		assert.JSONEq(t, `{"reason":"tick"}`, p.Data)
		assert.Equal(t, "/apis/v1/namespaces/default/pingsources/reminders-tick", p.Source())
	})

	t.Run("DeliveryOverridesFieldByField", func(t *testing.T) {
		m, err := broker.LoadManifests(filepath.Join("testdata", "basic"))
		require.NoError(t, err)
		assert.Equal(t, broker.Delivery{Retry: 2, BackoffPolicy: "exponential", BackoffDelay: 50 * time.Millisecond, Timeout: 5 * time.Second}, MustTrigger(t, m, "orders").Delivery)
		assert.Equal(t, broker.Delivery{Retry: 1, BackoffPolicy: "exponential", BackoffDelay: 50 * time.Millisecond, Timeout: 200 * time.Millisecond}, MustTrigger(t, m, "slow").Delivery)
		assert.Empty(t, m.PingSources)
	})

	t.Run("ErrCESQL", func(t *testing.T) {
		_, err := broker.LoadManifests(filepath.Join("testdata", "cesql"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), `Trigger "only-sql"`, "got %v, want the trigger named", err)
		assert.Contains(t, err.Error(), "cesql")
	})

	const brokerDoc = "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: test}\n"
	trigger := func(spec string) string {
		return "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t1}\nspec:\n  broker: test\n" +
			"  subscriber: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: s}}\n" + spec
	}
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"ErrNoBroker", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "no Broker"},
		{"ErrTwoBrokers", brokerDoc + "---\n" + brokerDoc, "2 Brokers"},
		{"ErrUnknownDialect", brokerDoc + trigger("  filters:\n    - regex: {type: a.*}\n"), `unknown filter dialect "regex"`},
		{"ErrTwoDialects", brokerDoc + trigger("  filters:\n    - exact: {type: a}\n      prefix: {type: b}\n"), "dialects exact, prefix"},
		{"ErrExactTwoAttributes", brokerDoc + trigger("  filters:\n    - exact: {type: a, source: b}\n"), "exactly one"},
		{"ErrAttributeName", brokerDoc + trigger("  filters:\n    - exact: {Type: a}\n"), `"Type" is not a CloudEvents attribute name`},
		{"ErrOtherBroker", brokerDoc + "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t1}\nspec: {broker: other, subscriber: {uri: 'http://x/'}}\n", `broker "other"`},
		{"ErrDuration", brokerDoc + trigger("  delivery: {backoffDelay: 500ms}\n"), `backoffDelay: "500ms" is not an ISO 8601 duration`},
		{"ErrBackoffPolicy", brokerDoc + trigger("  delivery: {backoffPolicy: random}\n"), "backoffPolicy"},
		{"ErrNoSubscriber", brokerDoc + "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t1}\nspec: {broker: test}\n", "subscriber"},
		{"ErrSchedule", brokerDoc + "---\napiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata: {name: p}\nspec: {schedule: '61 * * * *', sink: {ref: {kind: Broker, name: test}}}\n", "61 is outside 0-59"},
		{"ErrTimezone", brokerDoc + "---\napiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata: {name: p}\nspec: {schedule: '* * * * *', timezone: Mars/Olympus, sink: {ref: {kind: Broker, name: test}}}\n", "Mars/Olympus"},
		{"ErrPingSink", brokerDoc + "---\napiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata: {name: p}\nspec: {schedule: '* * * * *', sink: {uri: 'http://x/'}}\n", "sink must be a ref to the Broker"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "eventing.yaml"), []byte(tc.yaml), 0o600))
			_, err := broker.LoadManifests(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestTriggerMatches(t *testing.T) {
	m, err := broker.LoadManifests(filepath.Join("testdata", "filters"))
	require.NoError(t, err)

	ev := func(typ, source, subject string, ext map[string]string) event.Event {
		e := event.New()
		e.SetID("e1")
		e.SetType(typ)
		e.SetSource(source)
		if subject != "" {
			e.SetSubject(subject)
		}
		for k, v := range ext {
			e.SetExtension(k, v)
		}
		return e
	}
	acme := map[string]string{"tenant": "acme"}
	for _, tc := range []struct {
		name    string
		trigger string
		event   event.Event
		want    bool
	}{
		{"ExactOK", "exact", ev("com.example.order.created.v1", "/s", "", nil), true},
		{"ExactOther", "exact", ev("com.example.order.created.v2", "/s", "", nil), false},
		{"PrefixOK", "prefix", ev("com.example.order.shipped.v1", "/s", "", nil), true},
		{"PrefixOther", "prefix", ev("com.example.orders", "/s", "", nil), false},
		{"SuffixOK", "suffix", ev("x", "/shop/orders", "", nil), true},
		{"SuffixOther", "suffix", ev("x", "/shop/orders/1", "", nil), false},
		{"AllOK", "all", ev("com.example.thing.v1", "/s", "", nil), true},
		{"AllOneFails", "all", ev("com.example.thing.v2", "/s", "", nil), false},
		{"AnyFirst", "any", ev("com.example.a", "/s", "", nil), true},
		{"AnySecond", "any", ev("com.example.b", "/s", "", nil), true},
		{"AnyNone", "any", ev("com.example.c", "/s", "", nil), false},
		{"NotOK", "not", ev("com.example.kept", "/s", "", nil), true},
		{"NotExcluded", "not", ev("com.example.ignored", "/s", "", nil), false},
		{"NestedExactSubject", "nested", ev("com.example.a", "/s", "s1", nil), true},
		{"NestedVIP", "nested", ev("com.example.a", "/s", "vip-anna", nil), true},
		{"NestedVIPTest", "nested", ev("com.example.a", "/s", "vip-anna-test", nil), false},
		{"NestedNoSubject", "nested", ev("com.example.a", "/s", "", nil), false},
		{"NestedInternal", "nested", ev("com.example.internal.a", "/s", "s1", nil), false},
		{"AttributesOK", "attributes", ev("com.example.a", "/any", "", nil), true},
		{"AttributesOther", "attributes", ev("com.example.b", "/any", "", nil), false},
		{"AttributesExtensionOK", "attributes-extension", ev("x", "/s", "", acme), true},
		{"AttributesExtensionOther", "attributes-extension", ev("x", "/s", "", map[string]string{"tenant": "globex"}), false},
		{"AttributesExtensionMissing", "attributes-extension", ev("x", "/s", "", nil), false},
		{"AttributesAnyExtensionValue", "attributes-any-extension", ev("x", "/s", "", map[string]string{"tenant": "globex"}), true},
		{"AttributesAnyExtensionMissing", "attributes-any-extension", ev("x", "/s", "", nil), false},
		{"ExtensionPrefixOK", "extension-prefix", ev("x", "/s", "", acme), true},
		{"ExtensionPrefixMissing", "extension-prefix", ev("x", "/s", "", nil), false},
		{"FiltersOverFilter", "precedence", ev("com.example.a", "/s", "", nil), true},
		{"FiltersOverFilterOther", "precedence", ev("never.sent", "/s", "", nil), false},
		{"NoFilter", "everything", ev("anything", "/s", "", nil), true},
		{"EmptyFilter", "empty-filter", ev("anything", "/s", "", nil), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := MustTrigger(t, m, tc.trigger)
			assert.Equal(t, tc.want, tr.Matches(tc.event), "trigger %s, event type %s subject %q extensions %v",
				tc.trigger, tc.event.Type(), tc.event.Subject(), tc.event.Extensions())
		})
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"PT0.5S", 500 * time.Millisecond},
		{"PT30S", 30 * time.Second},
		{"PT1M30S", 90 * time.Second},
		{"PT1H", time.Hour},
		{"P1DT12H", 36 * time.Hour},
		{"P2W", 14 * 24 * time.Hour},
		{"PT0,25S", 250 * time.Millisecond},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := broker.ParseDuration(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	for _, in := range []string{"", "30s", "P", "PT", "P1M", "P1Y", "PT1S1M", "PTS", "PT1X"} {
		t.Run("Err"+in, func(t *testing.T) {
			_, err := broker.ParseDuration(in)
			assert.Error(t, err, "got no error for %q, want one", in)
		})
	}
}

func TestDeliveryBackoff(t *testing.T) {
	exp := broker.Delivery{BackoffPolicy: "exponential", BackoffDelay: 100 * time.Millisecond}
	lin := broker.Delivery{BackoffPolicy: "linear", BackoffDelay: 100 * time.Millisecond}
	for n, want := range map[int]time.Duration{1: 200 * time.Millisecond, 2: 400 * time.Millisecond, 3: 800 * time.Millisecond} {
		assert.Equal(t, want, exp.Backoff(n), "exponential retry %d", n)
	}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 300 * time.Millisecond} {
		assert.Equal(t, want, lin.Backoff(n), "linear retry %d", n)
	}
	assert.Zero(t, broker.Delivery{BackoffPolicy: "exponential"}.Backoff(3), "no delay, no wait")
	assert.Positive(t, broker.Delivery{BackoffPolicy: "exponential", BackoffDelay: time.Minute}.Backoff(100), "no overflow")
}

// MustTrigger returns the trigger of m named name.
func MustTrigger(tb testing.TB, m *broker.Manifests, name string) *broker.Trigger {
	tb.Helper()
	for i := range m.Triggers {
		if m.Triggers[i].Name == name {
			return &m.Triggers[i]
		}
	}
	tb.Fatalf("no trigger %s in the manifests", name)
	return nil
}

func TestTriggerAudience(t *testing.T) {
	const brokerDoc = "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: test}\n"
	for _, tt := range []struct {
		name, subscriber, namespace, want string
	}{
		{"RefInTriggerNamespace", "{ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: Notify}}", "apps", "serving.knative.dev/service/apps/notify"},
		{"RefOwnNamespace", "{ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: notify, namespace: other}}", "", "serving.knative.dev/service/other/notify"},
		{"CoreGroup", "{ref: {apiVersion: v1, kind: Service, name: notify}}", "", "/service/default/notify"},
		{"Explicit", "{ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: notify}, audience: my-audience}", "", "my-audience"},
		{"URIOnly", "{uri: 'http://example.test/'}", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ns := ""
			if tt.namespace != "" {
				ns = ", namespace: " + tt.namespace
			}
			doc := brokerDoc + "---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t1" + ns + "}\nspec: {broker: test, subscriber: " + tt.subscriber + "}\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(doc), 0o600))
			m, err := broker.LoadManifests(dir)
			require.NoError(t, err)
			require.Len(t, m.Triggers, 1)
			assert.Equal(t, tt.want, m.Triggers[0].Audience)
		})
	}
}
