package broker

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Defaults of a delivery that the manifests leave unset.
const (
	// DefaultBackoffPolicy is Knative's backoff policy when none is given.
	DefaultBackoffPolicy = "exponential"
	// DefaultTimeout bounds each attempt when the manifests set no timeout; it matches
	// the func runtime, which cuts a request at 30 s.
	DefaultTimeout = 30 * time.Second
)

// defaultNamespace is the namespace of an object whose manifest names none, as
// kubectl apply would use it.
const defaultNamespace = "default"

// Manifests are the eventing objects the local broker obeys.
type Manifests struct {
	Broker      BrokerSpec
	Triggers    []Trigger
	PingSources []PingSource
}

// BrokerSpec is the one Broker of the manifests.
type BrokerSpec struct {
	Name      string
	Namespace string
	Class     string   // the eventing.knative.dev/broker.class annotation
	Delivery  Delivery // the default of every trigger, with the package defaults applied
}

// Delivery says how a trigger's events are delivered: how often a failed delivery is
// retried (Retry retries after the first attempt, so Retry+1 attempts in all), how long
// to wait before each retry, and how long one attempt may take.
//
// The wait before retry n (n = 1, 2, …) is BackoffDelay·2^n for the exponential policy
// and BackoffDelay·n for the linear one, as Knative's Kafka broker counts retries.
type Delivery struct {
	Retry         int
	BackoffPolicy string // "exponential" or "linear"
	BackoffDelay  time.Duration
	Timeout       time.Duration
}

// Backoff returns how long to wait before retry n (n ≥ 1).
func (d Delivery) Backoff(n int) time.Duration {
	if n < 1 || d.BackoffDelay <= 0 {
		return 0
	}
	if d.BackoffPolicy == "linear" {
		return d.BackoffDelay * time.Duration(n)
	}
	shift := min(n, 62)
	if d.BackoffDelay > time.Duration(math.MaxInt64>>shift) {
		return time.Duration(math.MaxInt64) // some centuries: in effect, never again
	}
	return d.BackoffDelay << shift
}

// Trigger is a subscription to the Broker: the events that pass its filter are delivered
// to its subscriber.
type Trigger struct {
	Name string
	// Subscriber is the name of the subscriber's ref (a Knative Service, in the cluster):
	// the key of the subscriber's Target given to New.
	Subscriber string
	// SubscriberURI is the subscriber's uri, if the manifest gives one; New uses it as
	// the target's URL when no Target is given for Subscriber.
	SubscriberURI string
	// Audience is the subscriber's OIDC audience: the manifest's subscriber.audience, else
	// for a ref the audience Knative gives an Addressable (see Audience), else empty.
	Audience string
	// Delivery is the trigger's delivery, the Broker's delivery filling what it leaves out.
	Delivery Delivery

	attributes map[string]string // spec.filter.attributes
	filters    []filterExpr      // spec.filters; when present, attributes are ignored
}

// PingSource sends an event to the Broker on a cron schedule.
type PingSource struct {
	Name        string
	Namespace   string
	Schedule    string            // standard 5-field cron, optionally prefixed CRON_TZ=zone
	TimeZone    string            // IANA zone the schedule is read in; empty means UTC
	ContentType string            // datacontenttype of the events
	Data        string            // data of the events (dataBase64, decoded, when given)
	Extensions  map[string]string // ceOverrides.extensions

	schedule *Schedule
}

// Source is the CloudEvents source of the source's events, as Knative names it.
func (p PingSource) Source() string {
	return "/apis/v1/namespaces/" + p.Namespace + "/pingsources/" + p.Name
}

// object is one Kubernetes object of a manifest file.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Namespace   string            `yaml:"namespace"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec yaml.Node `yaml:"spec"`
}

// kReference points to another object.
type kReference struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Name       string `yaml:"name"`
	Namespace  string `yaml:"namespace"`
}

// destination is Knative's duck Destination: a ref, a uri, or both.
type destination struct {
	Ref      *kReference `yaml:"ref"`
	URI      string      `yaml:"uri"`
	Audience string      `yaml:"audience"`
}

// deliverySpec is Knative's DeliverySpec as written; nil fields are unset.
type deliverySpec struct {
	Retry          *int         `yaml:"retry"`
	BackoffPolicy  *string      `yaml:"backoffPolicy"`
	BackoffDelay   *string      `yaml:"backoffDelay"`
	Timeout        *string      `yaml:"timeout"`
	DeadLetterSink *destination `yaml:"deadLetterSink"`
}

type brokerSpecYAML struct {
	Config   *kReference   `yaml:"config"`
	Delivery *deliverySpec `yaml:"delivery"`
}

type triggerSpecYAML struct {
	Broker    string      `yaml:"broker"`
	BrokerRef *kReference `yaml:"brokerRef"`
	Filter    *struct {
		Attributes map[string]string `yaml:"attributes"`
	} `yaml:"filter"`
	Filters    []yaml.Node   `yaml:"filters"`
	Subscriber destination   `yaml:"subscriber"`
	Delivery   *deliverySpec `yaml:"delivery"`
}

type pingSpecYAML struct {
	Schedule    string      `yaml:"schedule"`
	Timezone    string      `yaml:"timezone"`
	ContentType string      `yaml:"contentType"`
	Data        string      `yaml:"data"`
	DataBase64  string      `yaml:"dataBase64"`
	Sink        destination `yaml:"sink"`
	CEOverrides *struct {
		Extensions map[string]string `yaml:"extensions"`
	} `yaml:"ceOverrides"`
}

// pendingTrigger is a Trigger as read, before the Broker (and so its delivery) is known.
type pendingTrigger struct {
	file     string
	name     string
	spec     triggerSpecYAML
	delivery *deliverySpec
	trigger  Trigger
}

// pendingPing is a PingSource as read, before the Broker its sink must name is known.
type pendingPing struct {
	file string
	spec pingSpecYAML
	ping PingSource
}

// LoadManifests reads every *.yaml file of dir (each may hold several documents) and
// returns the Broker, Triggers and PingSources in them. Objects of other kinds
// (ConfigMap, KafkaSink, SinkBinding, EventPolicy, Service, …) are ignored.
//
// It refuses what the local broker cannot obey as Knative would: anything but exactly
// one Broker, a Trigger of another broker, a filter dialect it does not know, and a
// cesql filter, which it cannot evaluate; errors name the file and the object.
func LoadManifests(dir string) (*Manifests, error) {
	return LoadManifestsFS(os.DirFS(dir), dir)
}

// LoadManifestsFS is LoadManifests over the *.yaml files at the top of fsys (for example
// the eventing/ folder embedded in a binary); name says where they came from in errors.
func LoadManifestsFS(fsys fs.FS, name string) (*Manifests, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("load manifests: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("load manifests: no *.yaml files in %s", name)
	}

	var (
		brokers  []string
		broker   brokerSpecYAML
		m        = &Manifests{}
		triggers []pendingTrigger
		pings    []pendingPing
	)
	for _, file := range files {
		objs, err := readObjects(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("load manifests: %w", err)
		}
		for _, obj := range objs {
			group, _, _ := strings.Cut(obj.APIVersion, "/")
			where := fmt.Sprintf("%s: %s %q", file, obj.Kind, obj.Metadata.Name)
			switch {
			case obj.Kind == "Broker" && group == "eventing.knative.dev":
				if err := decodeSpec(obj, &broker); err != nil {
					return nil, fmt.Errorf("load manifests: %s: %w", where, err)
				}
				brokers = append(brokers, where)
				m.Broker = BrokerSpec{
					Name:      obj.Metadata.Name,
					Namespace: namespaceOr(obj.Metadata.Namespace),
					Class:     obj.Metadata.Annotations["eventing.knative.dev/broker.class"],
				}
			case obj.Kind == "Trigger" && group == "eventing.knative.dev":
				t, err := readTrigger(obj)
				if err != nil {
					return nil, fmt.Errorf("load manifests: %s: %w", where, err)
				}
				t.file = file
				triggers = append(triggers, t)
			case obj.Kind == "PingSource" && group == "sources.knative.dev":
				p, err := readPingSource(obj)
				if err != nil {
					return nil, fmt.Errorf("load manifests: %s: %w", where, err)
				}
				p.file = file
				pings = append(pings, p)
			}
		}
	}

	switch len(brokers) {
	case 0:
		return nil, fmt.Errorf("load manifests: no Broker in %s; the local broker needs exactly one", name)
	case 1:
	default:
		return nil, fmt.Errorf("load manifests: %d Brokers (%s); the local broker needs exactly one", len(brokers), strings.Join(brokers, ", "))
	}
	if m.Broker.Name == "" {
		return nil, fmt.Errorf("load manifests: %s: the Broker has no metadata.name", brokers[0])
	}
	brokerDelivery := broker.Delivery
	if m.Broker.Delivery, err = deliveryOf(brokerDelivery, nil); err != nil {
		return nil, fmt.Errorf("load manifests: %s: delivery: %w", brokers[0], err)
	}

	seen := map[string]bool{}
	for _, p := range triggers {
		where := fmt.Sprintf("%s: Trigger %q", p.file, p.name)
		name := p.spec.Broker
		if name == "" && p.spec.BrokerRef != nil {
			name = p.spec.BrokerRef.Name
		}
		if name != m.Broker.Name {
			return nil, fmt.Errorf("load manifests: %s: broker %q is not the Broker of the manifests (%q)", where, name, m.Broker.Name)
		}
		if seen[p.name] {
			return nil, fmt.Errorf("load manifests: %s: a second Trigger of that name", where)
		}
		seen[p.name] = true
		if p.trigger.Delivery, err = deliveryOf(brokerDelivery, p.delivery); err != nil {
			return nil, fmt.Errorf("load manifests: %s: delivery: %w", where, err)
		}
		m.Triggers = append(m.Triggers, p.trigger)
	}

	seen = map[string]bool{}
	for _, p := range pings {
		where := fmt.Sprintf("%s: PingSource %q", p.file, p.ping.Name)
		ref := p.spec.Sink.Ref
		if ref == nil || ref.Kind != "Broker" || ref.Name != m.Broker.Name {
			return nil, fmt.Errorf("load manifests: %s: the sink must be a ref to the Broker %q", where, m.Broker.Name)
		}
		if seen[p.ping.Name] {
			return nil, fmt.Errorf("load manifests: %s: a second PingSource of that name", where)
		}
		seen[p.ping.Name] = true
		m.PingSources = append(m.PingSources, p.ping)
	}
	return m, nil
}

// readObjects decodes every non-empty YAML document of file.
func readObjects(fsys fs.FS, file string) ([]object, error) {
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	var objs []object
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for i := 1; ; i++ {
		var obj object
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		if obj.Kind != "" {
			objs = append(objs, obj)
		}
	}
}

// decodeSpec decodes obj's spec into v; a missing spec leaves v as it is.
func decodeSpec(obj object, v any) error {
	if obj.Spec.IsZero() {
		return nil
	}
	if err := obj.Spec.Decode(v); err != nil {
		return fmt.Errorf("spec: %w", err)
	}
	return nil
}

// Audience returns the OIDC audience Knative Eventing gives the object of apiVersion,
// kind, namespace and name: "<group>/<kind>/<namespace>/<name>" in lower case, for
// example "serving.knative.dev/service/default/notify" for the Knative Service notify.
func Audience(apiVersion, kind, namespace, name string) string {
	group := "" // the core group, apiVersion "v1"
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		group = g
	}
	return strings.ToLower(group + "/" + kind + "/" + namespace + "/" + name)
}

// namespaceOr returns ns, or the default namespace when ns is empty.
func namespaceOr(ns string) string {
	if ns == "" {
		return defaultNamespace
	}
	return ns
}

// readTrigger reads a Trigger's spec; its delivery is resolved once the Broker is known.
func readTrigger(obj object) (pendingTrigger, error) {
	p := pendingTrigger{name: obj.Metadata.Name}
	if p.name == "" {
		return p, errors.New("no metadata.name")
	}
	if err := decodeSpec(obj, &p.spec); err != nil {
		return p, err
	}
	s := p.spec
	t := Trigger{Name: p.name, SubscriberURI: s.Subscriber.URI, Audience: s.Subscriber.Audience}
	if ref := s.Subscriber.Ref; ref != nil {
		t.Subscriber = ref.Name
		if t.Audience == "" && ref.Name != "" {
			ns := ref.Namespace
			if ns == "" {
				ns = obj.Metadata.Namespace // a ref without a namespace is in the Trigger's
			}
			t.Audience = Audience(ref.APIVersion, ref.Kind, namespaceOr(ns), ref.Name)
		}
	}
	if t.Subscriber == "" && t.SubscriberURI == "" {
		return p, errors.New("the subscriber has neither a ref nor a uri")
	}
	if s.Filter != nil {
		for attr := range s.Filter.Attributes {
			if !validAttributeName.MatchString(attr) {
				return p, fmt.Errorf("filter.attributes: %q is not a CloudEvents attribute name (lower-case letters and digits)", attr)
			}
		}
		t.attributes = s.Filter.Attributes
	}
	for i := range s.Filters {
		f, err := parseFilter(&s.Filters[i])
		if err != nil {
			return p, fmt.Errorf("filters[%d]: %w", i, err)
		}
		t.filters = append(t.filters, f)
	}
	p.trigger, p.delivery = t, s.Delivery
	return p, nil
}

// readPingSource reads a PingSource's spec and checks its schedule and time zone.
func readPingSource(obj object) (pendingPing, error) {
	p := pendingPing{}
	if obj.Metadata.Name == "" {
		return p, errors.New("no metadata.name")
	}
	if err := decodeSpec(obj, &p.spec); err != nil {
		return p, err
	}
	s := p.spec
	ping := PingSource{
		Name:        obj.Metadata.Name,
		Namespace:   namespaceOr(obj.Metadata.Namespace),
		Schedule:    s.Schedule,
		TimeZone:    s.Timezone,
		ContentType: s.ContentType,
		Data:        s.Data,
	}
	if s.Data != "" && s.DataBase64 != "" {
		return p, errors.New("data and dataBase64 are mutually exclusive")
	}
	if s.DataBase64 != "" {
		raw, err := base64.StdEncoding.DecodeString(s.DataBase64)
		if err != nil {
			return p, fmt.Errorf("dataBase64: %w", err)
		}
		ping.Data = string(raw)
	}
	if s.CEOverrides != nil {
		ping.Extensions = s.CEOverrides.Extensions
	}
	sched, err := ParseSchedule(s.Schedule, s.Timezone)
	if err != nil {
		return p, err
	}
	ping.schedule = sched
	p.ping = ping
	return p, nil
}

// deliveryOf resolves a trigger's delivery: each field the trigger sets overrides the
// Broker's, and the package defaults fill what neither sets.
func deliveryOf(broker, trigger *deliverySpec) (Delivery, error) {
	var merged deliverySpec
	for _, s := range []*deliverySpec{broker, trigger} {
		if s == nil {
			continue
		}
		if s.Retry != nil {
			merged.Retry = s.Retry
		}
		if s.BackoffPolicy != nil {
			merged.BackoffPolicy = s.BackoffPolicy
		}
		if s.BackoffDelay != nil {
			merged.BackoffDelay = s.BackoffDelay
		}
		if s.Timeout != nil {
			merged.Timeout = s.Timeout
		}
	}

	d := Delivery{BackoffPolicy: DefaultBackoffPolicy, Timeout: DefaultTimeout}
	if merged.Retry != nil {
		if *merged.Retry < 0 {
			return d, fmt.Errorf("retry: %d is negative", *merged.Retry)
		}
		d.Retry = *merged.Retry
	}
	if merged.BackoffPolicy != nil {
		switch p := *merged.BackoffPolicy; p {
		case "exponential", "linear":
			d.BackoffPolicy = p
		default:
			return d, fmt.Errorf("backoffPolicy: %q is neither exponential nor linear", p)
		}
	}
	var err error
	if merged.BackoffDelay != nil {
		if d.BackoffDelay, err = ParseDuration(*merged.BackoffDelay); err != nil {
			return d, fmt.Errorf("backoffDelay: %w", err)
		}
	}
	if merged.Timeout != nil {
		if d.Timeout, err = ParseDuration(*merged.Timeout); err != nil {
			return d, fmt.Errorf("timeout: %w", err)
		}
		if d.Timeout <= 0 {
			return d, fmt.Errorf("timeout: %q is not positive", *merged.Timeout)
		}
	}
	return d, nil
}

// validAttributeName is what Knative admits as a filtered attribute's name.
var validAttributeName = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
