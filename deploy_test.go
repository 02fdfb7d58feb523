package function_test

// The deployment artefacts checked against the upstream Knative schemas (vendored in
// ../shared/knative, read where they are) and against the code: every func.yaml, every
// manifest in eventing/, and the wiring between them (who subscribes, who publishes, who
// may send, and that no reply loops back except the reminders chain).

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	function "github.com/taskwire/taskwire"
	"github.com/taskwire/taskwire/shared/broker"
	"github.com/taskwire/taskwire/shared/events"
	"go.yaml.in/yaml/v3"
)

// eventingDir holds the project's Knative manifests.
const eventingDir = "eventing"

// Handler shapes of the func Go templates, as signatureOf renders them. An event
// function is an HTTP function (its Handle checks the delivery's token, which func's
// cloudevent runtime would not show it) with its event logic in HandleEvent, of the
// cloudevent shape.
const (
	cloudEventHandle = "func(context.Context, github.com/cloudevents/sdk-go/v2/event.Event) (*github.com/cloudevents/sdk-go/v2/event.Event, error)"
	httpHandle       = "func(net/http.ResponseWriter, *net/http.Request)"
)

// funcYAML is what the tests read of a func.yaml beyond its schema.
type funcYAML struct {
	SpecVersion string    `yaml:"specVersion"`
	Name        string    `yaml:"name"`
	Runtime     string    `yaml:"runtime"`
	Registry    string    `yaml:"registry"`
	Created     time.Time `yaml:"created"`
	Invoke      string    `yaml:"invoke"`
	Build       struct {
		Builder string `yaml:"builder"`
	} `yaml:"build"`
	Run struct {
		Envs []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"envs"`
	} `yaml:"run"`
	Deploy struct {
		HealthEndpoints struct {
			Liveness  string `yaml:"liveness"`
			Readiness string `yaml:"readiness"`
		} `yaml:"healthEndpoints"`
		Options struct {
			Scale struct {
				Min *int `yaml:"min"`
				Max *int `yaml:"max"`
			} `yaml:"scale"`
		} `yaml:"options"`
	} `yaml:"deploy"`
}

// funcDirs returns the folders that must hold a func.yaml: the root (the whole app) and
// every function under functions/.
func funcDirs(tb testing.TB) []string {
	tb.Helper()
	dirs, err := filepath.Glob("functions/*")
	require.NoError(tb, err)
	out := []string{"."}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			out = append(out, d)
		}
	}
	require.Greater(tb, len(out), 1, "got no functions under functions/")
	return out
}

// MustReadFuncYAML reads dir's func.yaml.
func MustReadFuncYAML(tb testing.TB, dir string) funcYAML {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "func.yaml"))
	require.NoError(tb, err, "every function needs a func.yaml")
	var f funcYAML
	require.NoError(tb, yaml.Unmarshal(raw, &f), "%s/func.yaml", dir)
	return f
}

// MustFuncSchema loads the func.yaml schema from ../shared/knative.
func MustFuncSchema(tb testing.TB) *schemaValidator {
	tb.Helper()
	v, err := funcSchema()
	require.NoError(tb, err, "the func.yaml schema is read from %s (CI clones shared/ beside the project)", knativeDir)
	return v
}

// MustCRDs loads the CRDs from ../shared/knative/crds.
func MustCRDs(tb testing.TB) crdSet {
	tb.Helper()
	set, err := loadCRDs()
	require.NoError(tb, err, "the CRDs are read from %s/crds (CI clones shared/ beside the project)", knativeDir)
	return set
}

// TestFuncYAML_Schema validates every func.yaml against the upstream func.yaml schema.
func TestFuncYAML_Schema(t *testing.T) {
	v := MustFuncSchema(t)
	for _, dir := range funcDirs(t) {
		t.Run(dir, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "func.yaml"))
			require.NoError(t, err, "every function needs a func.yaml")
			assert.Empty(t, v.validateFuncYAML(raw), "%s/func.yaml against %s/func_yaml-schema.json", dir, knativeDir)
		})
	}
}

// TestFuncYAML_Rejects shows that the validator refuses what the func.yaml schema
// refuses, so that TestFuncYAML_Schema can fail.
func TestFuncYAML_Rejects(t *testing.T) {
	v := MustFuncSchema(t)
	const head = "specVersion: 0.36.0\ncreated: 2026-11-22T04:52:10Z\n"
	tests := []struct {
		name string
		yaml string
		want string // a substring of one error; "" means valid
	}{
		{"OK", head + "name: tasks\ninvoke: cloudevent\nrun:\n  envs:\n    - name: DATABASE_URL\n      value: '{{ secret:taskwire-db:url }}'\n", ""},
		{"OKVolume", head + "run:\n  volumes:\n    - secret: s\n      path: /s\n", ""},
		{"UnknownField", head + "name: tasks\nhealthEndpoints:\n  liveness: /health/liveness\n", `func.yaml.healthEndpoints: unknown field`},
		{"UnknownNestedField", head + "deploy:\n  options:\n    scale:\n      minimum: 0\n", `func.yaml.deploy.options.scale.minimum: unknown field`},
		{"WrongType", head + "deploy:\n  options:\n    scale:\n      max: ten\n", `func.yaml.deploy.options.scale.max: got the string "ten", want integer`},
		{"WrongTypeQuoted", head + "deploy:\n  options:\n    scale:\n      min: \"0\"\n", `want integer`},
		{"WrongTypeList", head + "run:\n  envs:\n    name: X\n", `func.yaml.run.envs: got an object, want array`},
		{"MissingRequired", "specVersion: 0.36.0\nname: tasks\n", `missing required field "created"`},
		{"MissingRequiredNested", head + "run:\n  kafka:\n    brokers: b:9092\n    topic: t\n", `missing required field "consumerGroup"`},
		{"NotInEnum", head + "invoke: event\n", `func.yaml.invoke: got event, want one of [http cloudevent]`},
		{"BuilderNotInEnum", head + "build:\n  builder: host\n", `want one of [pack s2i]`},
		{"BelowMinimum", head + "deploy:\n  options:\n    scale:\n      max: -1\n", `want at least 0`},
		{"AboveMaximum", head + "deploy:\n  options:\n    scale:\n      utilization: 101\n", `want at most 100`},
		{"Pattern", head + "name: Tasks_API\n", `func.yaml.name: got "Tasks_API", want it to match`},
		{"EnvNamePattern", head + "run:\n  envs:\n    - name: 1X\n      value: v\n", `func.yaml.run.envs[0].name`},
		{"OneOfNone", head + "run:\n  volumes:\n    - path: /s\n", `matches 0 of oneOf`},
		{"OneOfTwo", head + "run:\n  volumes:\n    - secret: s\n      configMap: c\n", `matches 2 of oneOf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := v.validateFuncYAML([]byte(tt.yaml))
			if tt.want == "" {
				assert.Empty(t, errs)
				return
			}
			require.NotEmpty(t, errs, "got no error, want one with %q", tt.want)
			assert.True(t, slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tt.want) }),
				"got %q, want an error with %q", errs, tt.want)
		})
	}
}

// Configuration the functions read (README, Configuration), and which of it is secret.
var (
	knownEnvs = map[string]bool{
		"PORT": true, "LISTEN_ADDRESS": true, "DATABASE_URL": true,
		"AUTH_JWKS_URL": true, "AUTH_ISSUER": true, "AUTH_AUDIENCE": true, "CORS_ALLOWED_ORIGINS": true,
		"K_SINK": true, "K_CE_OVERRIDES": true, "SMTP_URL": true, "NOTIFY_FROM": true,
		"NOTIFY_ALLOW_PRIVATE": true, "TASKWIRE_DATA_DIR": true,
		"EVENTS_OIDC_ISSUER": true, "EVENTS_OIDC_AUDIENCE": true, "TASKWIRE_API_URL": true, "TASKWIRE_CHAT_URL": true,
		"OPENAI_API_KEY": true, "OPENAI_BASE_URL": true, "OPENAI_MODEL": true, "CHAT_DAILY_MESSAGES": true,
	}
	secretEnvs = map[string]bool{"DATABASE_URL": true, "SMTP_URL": true, "OPENAI_API_KEY": true}
	// neededEnvs is what each deployed function must be given: the database always, the
	// token issuer and the origins whose pages may call it where the HTTP API is served, the deliveries' OIDC issuer and audience
	// where CloudEvents arrive, email where notify runs, the model where chat runs.
	neededEnvs = map[string][]string{
		"taskwire":   {"DATABASE_URL", "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE", "CORS_ALLOWED_ORIGINS", "SMTP_URL", "NOTIFY_FROM"},
		"tasks":      {"DATABASE_URL", "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE", "CORS_ALLOWED_ORIGINS"},
		"chat":       {"DATABASE_URL", "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE", "CORS_ALLOWED_ORIGINS", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"},
		"recurrence": {"DATABASE_URL", "EVENTS_OIDC_ISSUER", "EVENTS_OIDC_AUDIENCE"},
		"reminders":  {"DATABASE_URL", "EVENTS_OIDC_ISSUER", "EVENTS_OIDC_AUDIENCE"},
		"notify":     {"DATABASE_URL", "SMTP_URL", "NOTIFY_FROM", "EVENTS_OIDC_ISSUER", "EVENTS_OIDC_AUDIENCE"},
		"web":        {"TASKWIRE_API_URL", "TASKWIRE_CHAT_URL"}, // assets, and where it forwards the API: no database, no tokens
	}
	// The references func resolves in an env value (knative/func's own expressions).
	secretKeyRef    = regexp.MustCompile(`^{{\s*secret:((?:\w|['-]\w)+):([-._a-zA-Z0-9]+)\s*}}$`)
	configMapKeyRef = regexp.MustCompile(`^{{\s*configMap:((?:\w|['-]\w)+):([-._a-zA-Z0-9]+)\s*}}$`)
)

// TestFuncYAML_Module checks what the schema cannot: that each func.yaml names an
// existing module whose package has the handler its invoke asks for, and deploys it to
// scale to zero with health endpoints and its configuration from Secrets and ConfigMaps.
func TestFuncYAML_Module(t *testing.T) {
	work, err := os.ReadFile("go.work")
	require.NoError(t, err)
	for _, dir := range funcDirs(t) {
		t.Run(dir, func(t *testing.T) {
			f := MustReadFuncYAML(t, dir)
			wantName := path.Base(dir)
			if dir == "." {
				wantName = "taskwire" // the whole app
			}
			assert.Equal(t, wantName, f.Name, "name: the Knative Service the Triggers and SinkBindings name")
			assert.Equal(t, "0.36.0", f.SpecVersion)
			assert.Equal(t, "go", f.Runtime)
			assert.NotEmpty(t, f.Registry)
			assert.False(t, f.Created.IsZero(), "created")
			assert.Contains(t, []string{"pack", "s2i"}, f.Build.Builder)

			// The module and its handler.
			mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			require.NoError(t, err, "func.yaml must sit at the root of a Go module")
			assert.True(t, strings.HasPrefix(string(mod), "module github.com/taskwire/taskwire"), "got go.mod %q", firstLine(mod))
			use := "./" + filepath.ToSlash(dir)
			if dir == "." {
				use = "."
			}
			assert.Regexp(t, `(?m)^\s*(use\s+)?`+regexp.QuoteMeta(use)+`\s*$`, string(work), "go.work uses %s", use)
			want := map[string]string{"http": httpHandle, "cloudevent": cloudEventHandle}[f.Invoke]
			require.NotEmpty(t, want, "invoke: got %q, want http or cloudevent", f.Invoke)
			pkg := MustParsePackage(t, dir)
			assert.Equal(t, "function", pkg.name, "the func Go template's package name")
			assert.Equal(t, want, pkg.MustMethodSignature(t, "Handle"), "%s: New() must return a value whose Handle has the shape of invoke: %s", dir, f.Invoke)

			// Deployment.
			assert.Equal(t, "/health/liveness", f.Deploy.HealthEndpoints.Liveness)
			assert.Equal(t, "/health/readiness", f.Deploy.HealthEndpoints.Readiness)
			scale := f.Deploy.Options.Scale
			require.NotNil(t, scale.Min, "deploy.options.scale.min")
			require.NotNil(t, scale.Max, "deploy.options.scale.max")
			if dir == "." {
				// The whole app runs its own PingSource in process: an instance stays up.
				assert.GreaterOrEqual(t, *scale.Min, 1, "the whole app's scale.min: reminders need a running instance")
			} else {
				assert.Equal(t, 0, *scale.Min, "a function scales to zero")
			}
			assert.GreaterOrEqual(t, *scale.Max, max(*scale.Min, 1))
			assert.LessOrEqual(t, *scale.Max, 20, "a sensible max: every instance opens its own database pool")

			// Configuration.
			got := map[string]bool{}
			for _, e := range f.Run.Envs {
				assert.True(t, knownEnvs[e.Name], "run.envs: %s is not configuration Taskwire reads", e.Name)
				assert.NotEqual(t, "K_SINK", e.Name, "K_SINK comes from a SinkBinding (eventing/), not from func.yaml")
				assert.False(t, got[e.Name], "run.envs: %s twice", e.Name)
				got[e.Name] = true
				switch {
				case secretEnvs[e.Name]:
					assert.Regexp(t, secretKeyRef, e.Value, "%s holds credentials: it must come from a Secret, as {{ secret:NAME:KEY }}", e.Name)
				case strings.HasPrefix(e.Value, "{{"):
					assert.True(t, secretKeyRef.MatchString(e.Value) || configMapKeyRef.MatchString(e.Value),
						"%s: got %q, want {{ secret:NAME:KEY }} or {{ configMap:NAME:KEY }}", e.Name, e.Value)
				}
			}
			require.Contains(t, neededEnvs, f.Name, "say in neededEnvs what %s must be given", f.Name)
			for _, name := range neededEnvs[f.Name] {
				assert.True(t, got[name], "run.envs: %s is missing", name)
			}
			for _, e := range f.Run.Envs {
				if e.Name == "DATABASE_URL" {
					assert.Equal(t, "{{ secret:taskwire-db:url }}", e.Value, "every function shares the one database Secret")
				}
			}
		})
	}
}

func firstLine(b []byte) string {
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}

// manifest is one object of eventing/*.yaml.
type manifest struct {
	file string
	obj  map[string]any
}

func (m manifest) kind() string { return fmt.Sprint(m.obj["kind"]) }
func (m manifest) name() string { return str(m.obj, "metadata", "name") }

func (m manifest) String() string { return m.file + ": " + m.kind() + " " + m.name() }

// MustReadManifests reads every object of eventing/*.yaml.
func MustReadManifests(tb testing.TB) []manifest {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(eventingDir, "*.yaml"))
	require.NoError(tb, err)
	require.NotEmpty(tb, files)
	var out []manifest
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(tb, err)
		docs, err := yamlDocs(raw)
		require.NoError(tb, err, f)
		for _, d := range docs {
			out = append(out, manifest{file: f, obj: d})
		}
	}
	return out
}

// ofKind returns the manifests of kind.
func ofKind(ms []manifest, kind string) []manifest {
	var out []manifest
	for _, m := range ms {
		if m.kind() == kind {
			out = append(out, m)
		}
	}
	return out
}

// str returns the string at keys inside x, or "".
func str(x any, keys ...string) string {
	for _, k := range keys {
		x = asMap(x)[k]
	}
	s, _ := x.(string)
	return s
}

// at returns the value at keys inside x.
func at(x any, keys ...string) any {
	for _, k := range keys {
		x = asMap(x)[k]
	}
	return x
}

// ref is a Kubernetes object reference as the manifests write it.
type ref struct{ APIVersion, Kind, Name string }

func refAt(x any, keys ...string) ref {
	r := at(x, keys...)
	return ref{str(r, "apiVersion"), str(r, "kind"), str(r, "name")}
}

// serviceRef is the reference to the Knative Service a function deploys as.
func serviceRef(name string) ref { return ref{"serving.knative.dev/v1", "Service", name} }

// TestManifest_Schema validates every object in eventing/ against its upstream CRD.
// A deploy of the whole app uploads this folder to the builder, and what is in the build
// may end up in the image: .funcignore keeps out the local state (the development
// issuer's private key, a PostgreSQL cluster), version control and local builds.
func TestFuncIgnore_LocalStateStaysHome(t *testing.T) {
	b, err := os.ReadFile(".funcignore")
	require.NoError(t, err)
	var entries []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			entries = append(entries, line)
		}
	}
	for _, want := range []string{".git", ".data", ".bench", "bin", "functions/web/e2e/node_modules"} {
		assert.Contains(t, entries, want)
	}
	// Whatever .gitignore keeps out of the repository, the build leaves out too, but the
	// module proxy make vendor writes for it.
	ignored, err := os.ReadFile(".gitignore")
	require.NoError(t, err)
	for _, line := range strings.Split(string(ignored), "\n") {
		line = strings.Trim(strings.TrimSpace(line), "/")
		if line == "" || strings.HasPrefix(line, "#") || line == ".goproxy" {
			continue
		}
		assert.True(t, slices.Contains(entries, line) || slices.Contains(entries, "/"+line), ".gitignore leaves out %s", line)
	}
}

func TestManifest_Schema(t *testing.T) {
	crds := MustCRDs(t)
	for _, m := range MustReadManifests(t) {
		t.Run(m.String(), func(t *testing.T) {
			assert.Empty(t, crds.validateObject(m.obj))
		})
	}
}

// TestManifest_Rejects shows that the validator refuses what the CRDs refuse, so that
// TestManifest_Schema can fail, and admits what they leave open.
func TestManifest_Rejects(t *testing.T) {
	crds := MustCRDs(t)
	const trigger = "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec:\n  broker: taskwire\n"
	tests := []struct {
		name string
		yaml string
		want string // a substring of one error; "" means valid
	}{
		{"OKTrigger", trigger + "  subscriber:\n    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: notify}\n", ""},
		{"OKDeliveryTimeout", trigger + "  delivery:\n    timeout: PT30S\n    retryAfterMax: PT1M\n", ""}, // delivery preserves unknown fields
		{"OKFilterAttributes", trigger + "  filter:\n    attributes:\n      type: x\n", ""},
		{"OKMetadataOpen", "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n  labels: {a: b}\n  anything: [1]\n", ""},
		{"OKConfigMap", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  bootstrap.servers: \"k:9092\"\n", ""},
		{"OKTriggerSpecOpen", trigger + "  subscribers: x\n", ""}, // the Trigger's spec preserves unknown fields upstream
		{"UnknownField", "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b}\nspec:\n  class: Kafka\n", `Broker/b.spec.class: unknown field`},
		{"UnknownFieldPingSource", "apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata: {name: p}\nspec:\n  schedule: '* * * * *'\n  sink:\n    broker: taskwire\n", `PingSource/p.spec.sink.broker: unknown field`},
		{"UnknownNestedField", trigger + "  subscriber:\n    ref: {kind: Service, name: notify, port: 80}\n", `Trigger/t.spec.subscriber.ref.port: unknown field`},
		{"UnknownTopLevelField", trigger + "status2: {}\n", `Trigger/t.status2: unknown field`},
		{"WrongType", trigger + "  delivery:\n    retry: \"5\"\n", `Trigger/t.spec.delivery.retry: got the string "5", want integer`},
		{"WrongTypeFilters", trigger + "  filters:\n    exact:\n      type: x\n", `Trigger/t.spec.filters: got an object, want array`},
		{"WrongTypeSubject", "apiVersion: sources.knative.dev/v1\nkind: SinkBinding\nmetadata: {name: s}\nspec:\n  subject: tasks\n", `SinkBinding/s.spec.subject: got the string "tasks", want object`},
		{"MissingRequired", "apiVersion: eventing.knative.dev/v1alpha1\nkind: KafkaSink\nmetadata: {name: k}\nspec:\n  bootstrapServers: [k:9092]\n", `KafkaSink/k.spec: missing required field "topic"`},
		{"NotInEnum", "apiVersion: eventing.knative.dev/v1alpha1\nkind: KafkaSink\nmetadata: {name: k}\nspec:\n  topic: t\n  bootstrapServers: [k:9092]\n  contentMode: json\n", `spec.contentMode: got json, want one of [binary structured]`},
		{"EventPolicyFrom", "apiVersion: eventing.knative.dev/v1alpha1\nkind: EventPolicy\nmetadata: {name: p}\nspec:\n  from:\n    - name: notify\n", `EventPolicy/p.spec.from[0].name: unknown field`},
		{"ConfigMapNumber", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  default.topic.partitions: 10\n", `got the integer 10, want string`},
		{"VersionNotServed", "apiVersion: sources.knative.dev/v1alpha1\nkind: PingSource\nmetadata: {name: p}\n", `version v1alpha1 is not served`},
		{"NoCRD", "apiVersion: eventing.knative.dev/v1\nkind: Channel\nmetadata: {name: c}\n", `no CRD for this kind`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := yamlDocs([]byte(tt.yaml))
			require.NoError(t, err)
			require.Len(t, docs, 1)
			errs := crds.validateObject(docs[0])
			if tt.want == "" {
				assert.Empty(t, errs)
				return
			}
			require.NotEmpty(t, errs, "got no error, want one with %q", tt.want)
			assert.True(t, slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tt.want) }),
				"got %q, want an error with %q", errs, tt.want)
		})
	}
}

// TestManifest_KafkaBroker checks the Broker: one, of class Kafka, configured by the
// kafka-broker-config ConfigMap of the manifests, dead letters to a KafkaSink of theirs.
func TestManifest_KafkaBroker(t *testing.T) {
	ms := MustReadManifests(t)
	brokers := ofKind(ms, "Broker")
	require.Len(t, brokers, 1)
	b := brokers[0]
	assert.Equal(t, "Kafka", str(b.obj, "metadata", "annotations", "eventing.knative.dev/broker.class"))

	cfg := refAt(b.obj, "spec", "config")
	assert.Equal(t, ref{"v1", "ConfigMap", "kafka-broker-config"}, cfg)
	var found bool
	for _, cm := range ofKind(ms, "ConfigMap") {
		if cm.name() == cfg.Name {
			found = true
			for _, key := range []string{"bootstrap.servers", "default.topic.partitions", "default.topic.replication.factor"} {
				assert.NotEmpty(t, str(cm.obj, "data", key), "%s: data.%s", cm, key)
			}
		}
	}
	assert.True(t, found, "the Broker's config %s is not in eventing/", cfg.Name)
	MustBeDeadLetterSink(t, ms, b)
}

// MustBeDeadLetterSink checks that m's delivery sends dead letters to a KafkaSink of ms.
func MustBeDeadLetterSink(tb testing.TB, ms []manifest, m manifest) {
	tb.Helper()
	dls := refAt(m.obj, "spec", "delivery", "deadLetterSink", "ref")
	assert.Equal(tb, "KafkaSink", dls.Kind, "%s: delivery.deadLetterSink.ref", m)
	assert.True(tb, slices.ContainsFunc(ofKind(ms, "KafkaSink"), func(k manifest) bool { return k.name() == dls.Name }),
		"%s: dead-letter sink %q is not a KafkaSink in eventing/", m, dls.Name)
}

// TestDeploy_LocalBroker checks that the local broker reads the manifests, new kinds
// (SinkBinding, EventPolicy) included, from the folder and as built into the binary.
func TestDeploy_LocalBroker(t *testing.T) {
	ms := MustReadManifests(t)
	for name, load := range map[string]func() (*broker.Manifests, error){
		"Dir":      func() (*broker.Manifests, error) { return broker.LoadManifests(eventingDir) },
		"Embedded": func() (*broker.Manifests, error) { return broker.LoadManifestsFS(function.Eventing(), "eventing") },
	} {
		t.Run(name, func(t *testing.T) {
			m, err := load()
			require.NoError(t, err)
			assert.Len(t, m.Triggers, len(ofKind(ms, "Trigger")))
			assert.Len(t, m.PingSources, len(ofKind(ms, "PingSource")))
			assert.Equal(t, "Kafka", m.Broker.Class)
		})
	}
}

// MustLoadBroker reads the manifests as the local broker obeys them.
func MustLoadBroker(tb testing.TB) *broker.Manifests {
	tb.Helper()
	m, err := broker.LoadManifests(eventingDir)
	require.NoError(tb, err)
	return m
}

// TestWiring_Triggers checks each Trigger: it filters with spec.filters, retries with
// exponential backoff into the dead letters, and delivers to an event function of
// functions/: an HTTP function whose package also has the event logic, HandleEvent.
func TestWiring_Triggers(t *testing.T) {
	ms := MustReadManifests(t)
	triggers := ofKind(ms, "Trigger")
	require.NotEmpty(t, triggers)
	brokerName := ofKind(ms, "Broker")[0].name()
	for _, tr := range triggers {
		t.Run(tr.name(), func(t *testing.T) {
			assert.Equal(t, brokerName, str(tr.obj, "spec", "broker"))
			assert.NotEmpty(t, asList(at(tr.obj, "spec", "filters")), "spec.filters")
			assert.Nil(t, at(tr.obj, "spec", "filter"), "spec.filter: use spec.filters")
			d := at(tr.obj, "spec", "delivery")
			retry, _ := at(d, "retry").(int64)
			assert.Positive(t, retry, "delivery.retry")
			assert.Equal(t, "exponential", str(d, "backoffPolicy"))
			assert.NotEmpty(t, str(d, "backoffDelay"))
			MustBeDeadLetterSink(t, ms, tr)

			sub := refAt(tr.obj, "spec", "subscriber", "ref")
			assert.Equal(t, serviceRef(sub.Name), sub, "the subscriber is a function's Knative Service")
			dir := filepath.Join("functions", sub.Name)
			require.DirExists(t, dir, "the subscriber %q is not a function of functions/", sub.Name)
			f := MustReadFuncYAML(t, dir)
			assert.Equal(t, "http", f.Invoke, "%s/func.yaml: a Trigger's subscriber takes the whole request, to check its token", dir)
			// The token the broker sends is for the audience the Trigger names, which Knative
			// Serving does not publish for a Service; the function must expect that one.
			audience := str(tr.obj, "spec", "subscriber", "audience")
			assert.NotEmpty(t, audience, "spec.subscriber.audience: without one the Kafka broker sends no token")
			var expects string
			for _, e := range f.Run.Envs {
				if e.Name == "EVENTS_OIDC_AUDIENCE" {
					expects = e.Value
				}
			}
			assert.Equal(t, audience, expects, "%s/func.yaml: EVENTS_OIDC_AUDIENCE", dir)
			pkg := MustParsePackage(t, dir)
			assert.Equal(t, httpHandle, pkg.MustMethodSignature(t, "Handle"))
			assert.Equal(t, cloudEventHandle, pkg.MustMethodSignature(t, "HandleEvent"), "%s: the event logic, which the whole app calls in process", dir)
		})
	}
}

// external lists the event types no Trigger consumes, each with the reason. (The live
// stream, changes feed and history read the outbox, not the Broker.)
var external = map[string]string{
	events.TypeTaskDeleted: "a deleted task's reminders are cancelled when firing finds the task gone; nothing else acts on a deletion",
}

// eventExtensions are the extension attributes an event type is emitted with when it has
// a consumer: a task change that armed a reminder carries reminders=armed.
var eventExtensions = map[string]map[string]string{
	events.TypeTaskCreated:  {events.ExtensionReminders: events.RemindersArmed},
	events.TypeTaskUpdated:  {events.ExtensionReminders: events.RemindersArmed},
	events.TypeTaskReopened: {events.ExtensionReminders: events.RemindersArmed},
}

// eventSources is the source each event type is emitted with; ping's is the PingSource's.
var eventSources = map[string]string{
	events.TypeTaskCreated:   events.SourceTasks,
	events.TypeTaskUpdated:   events.SourceTasks,
	events.TypeTaskCompleted: events.SourceTasks,
	events.TypeTaskReopened:  events.SourceTasks,
	events.TypeTaskDeleted:   events.SourceTasks,
	events.TypeReminderDue:   events.SourceReminders,
	events.TypeRemindersTick: events.SourceReminders,
	events.TypeSummaryDue:    events.SourceReminders,
	events.TypePing:          "", // each PingSource of the manifests
}

// eventTypeConstants returns the values of the Type… constants of shared/events.
func eventTypeConstants(tb testing.TB) []string {
	tb.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, filepath.Join("shared", "events", "events.go"), nil, 0)
	require.NoError(tb, err)
	var out []string
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Type") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(tb, ok && lit.Kind == token.STRING, "events.%s: want a string literal", n.Name)
				v, err := strconv.Unquote(lit.Value)
				require.NoError(tb, err)
				out = append(out, v)
			}
		}
	}
	require.NotEmpty(tb, out)
	return out
}

// newEvent returns a synthetic event of type typ from source.
func newEvent(typ, source string) event.Event {
	e := event.New()
	e.SetID("synthetic")
	e.SetType(typ)
	e.SetSource(source)
	return e
}

// TestWiring_EventTypes checks that every event type of shared/events reaches some
// Trigger, by the local broker's matching of a synthetic event of that type and source,
// unless it is listed as external.
func TestWiring_EventTypes(t *testing.T) {
	m := MustLoadBroker(t)
	for _, typ := range eventTypeConstants(t) {
		t.Run(typ, func(t *testing.T) {
			source, ok := eventSources[typ]
			require.True(t, ok, "say in eventSources which source %s is emitted with", typ)
			sources := []string{source}
			if source == "" {
				sources = nil
				for _, p := range m.PingSources {
					sources = append(sources, p.Source())
				}
				require.NotEmpty(t, sources, "%s comes from a PingSource, and eventing/ has none", typ)
			}
			for _, src := range sources {
				var matched []string
				for _, tr := range m.Triggers {
					e := newEvent(typ, src)
					for name, v := range eventExtensions[typ] {
						e.SetExtension(name, v)
					}
					if tr.Matches(e) {
						matched = append(matched, tr.Name)
					}
				}
				if reason, ok := external[typ]; ok {
					assert.NotEmpty(t, reason, "external %s needs a reason", typ)
					assert.Empty(t, matched, "%s is listed as external but Triggers %v consume it", typ, matched)
					continue
				}
				assert.NotEmpty(t, matched, "no Trigger consumes %s from %s; add one or list it in external with a reason", typ, src)
				t.Logf("%s from %s -> %v", typ, src, matched)
			}
		})
	}
}

// output is an event type a function causes: a reply (the Broker takes it back from the
// response) or an event published through its outbox.
type output struct {
	typ, source string
	reply       bool
}

// outputs is what each Trigger subscriber causes, from reading its code:
//   - recurrence replies with nothing (functions/recurrence Function.HandleEvent) and
//     creates the next occurrence, whose task.created leaves through the outbox;
//   - reminders replies with a follow-up tick (shared/remind Handler.reply) and fires
//     reminder.due and sends summary.due through the outbox (shared/postgres
//     ReminderService);
//   - notify replies with nothing (shared/notify Handler.Handle) and publishes nothing.
//
// replyCode says where each reply is decided, so that the test can check it in the source.
var (
	outputs = map[string][]output{
		"recurrence": {{events.TypeTaskCreated, events.SourceTasks, false}},
		"reminders": {{events.TypeRemindersTick, events.SourceReminders, true}, {events.TypeReminderDue, events.SourceReminders, false},
			{events.TypeSummaryDue, events.SourceReminders, false}},
		"notify": nil,
	}
	replyCode = map[string]struct{ dir, typ, method string }{
		"recurrence": {"functions/recurrence", "Function", "HandleEvent"},
		"reminders":  {"shared/remind", "Handler", "Handle"},
		"notify":     {"shared/notify", "Handler", "Handle"},
	}
)

// The reminders chain: reminders answers a tick with a tick while something falls due
// before the next ping. Its end is shown in shared/remind.
const (
	chainTrigger = "reminders"
	chainTest    = "TestHandler_Reply"
	chainFile    = "shared/remind/remind_test.go"
)

// TestWiring_NoLoops checks that no Trigger matches a reply it causes, and more: that no
// chain of Triggers, replies and published events comes back to where it started,
// except the reminders chain, whose end shared/remind's TestHandler_Reply shows (a tick
// is answered with a tick only while a reminder falls due before the next ping).
func TestWiring_NoLoops(t *testing.T) {
	m := MustLoadBroker(t)

	// The declared replies agree with the code.
	for sub, where := range replyCode {
		pkg := MustParsePackage(t, where.dir)
		var replies []string
		for _, o := range outputs[sub] {
			if o.reply {
				replies = append(replies, o.typ)
			}
		}
		if len(replies) == 0 {
			assert.True(t, pkg.ReturnsNoEvent(t, where.typ, where.method), "%s: %s.%s returns an event; say which in outputs", where.dir, where.typ, where.method)
			continue
		}
		for _, typ := range replies {
			assert.True(t, pkg.SetsType(typ), "%s builds no %s event, yet outputs says %s replies with it", where.dir, typ, sub)
		}
	}

	// The chain's end is tested where it is decided.
	src, err := os.ReadFile(chainFile)
	require.NoError(t, err)
	assert.Contains(t, string(src), "func "+chainTest+"(t *testing.T)")
	assert.Contains(t, string(src), `want the chain to end`, "%s in %s shows the chain's end", chainTest, chainFile)

	// The graph: trigger -> the triggers that the events its subscriber causes match.
	type edge struct {
		to  string
		out output
	}
	graph := map[string][]edge{}
	chain := false
	for _, tr := range m.Triggers {
		outs, ok := outputs[tr.Subscriber]
		require.True(t, ok, "say in outputs what %s replies with and publishes", tr.Subscriber)
		for _, o := range outs {
			for _, next := range m.Triggers {
				if !next.Matches(newEvent(o.typ, o.source)) {
					continue
				}
				if next.Name == tr.Name && o.reply {
					if tr.Name == chainTrigger && o.typ == events.TypeRemindersTick {
						t.Logf("allowed: Trigger %s matches its own reply %s: the reminders chain, ended per %s (%s)", tr.Name, o.typ, chainTest, chainFile)
						chain = true
						continue
					}
					t.Errorf("Trigger %s matches the reply %s of its own subscriber: a loop", tr.Name, o.typ)
				}
				graph[tr.Name] = append(graph[tr.Name], edge{next.Name, o})
			}
		}
	}
	assert.True(t, chain, "the Trigger %s must bring back its subscriber's follow-up tick, or reminders due between pings fire late", chainTrigger)

	// Any cycle left (the allowed self-loop is not in the graph) is a loop.
	const (
		unvisited = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(n string)
	visit = func(n string) {
		state[n] = onPath
		path = append(path, n)
		for _, e := range graph[n] {
			switch state[e.to] {
			case onPath:
				t.Errorf("loop: %s -> %s (through %s)", strings.Join(path, " -> "), e.to, e.out.typ)
			case unvisited:
				visit(e.to)
			}
		}
		path = path[:len(path)-1]
		state[n] = done
	}
	names := make([]string, 0, len(graph))
	for n := range graph {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if state[n] == unvisited {
			visit(n)
		}
	}
	for from, es := range graph {
		for _, e := range es {
			t.Logf("%s causes %s -> %s", from, e.out.typ, e.to)
		}
	}
}

// TestWiring_SinkBindings checks that exactly the functions that relay an outbox (they
// call app.StartSinkRelay) have a SinkBinding, and that each points at the Broker.
func TestWiring_SinkBindings(t *testing.T) {
	ms := MustReadManifests(t)
	brokerRef := ref{"eventing.knative.dev/v1", "Broker", ofKind(ms, "Broker")[0].name()}
	bound := map[string]bool{}
	for _, sb := range ofKind(ms, "SinkBinding") {
		assert.Equal(t, brokerRef, refAt(sb.obj, "spec", "sink", "ref"), "%s: the sink", sb)
		subject := refAt(sb.obj, "spec", "subject")
		assert.Equal(t, serviceRef(subject.Name), subject, "%s: the subject is a function's Knative Service", sb)
		assert.Nil(t, at(sb.obj, "spec", "subject", "selector"), "%s: name the subject", sb)
		assert.False(t, bound[subject.Name], "%s: a second SinkBinding of %s", sb, subject.Name)
		bound[subject.Name] = true
	}
	for _, dir := range funcDirs(t) {
		if dir == "." {
			continue // the whole app routes its events itself: no K_SINK
		}
		name := path.Base(dir)
		relays := MustParsePackage(t, dir).Calls("github.com/taskwire/taskwire/shared/app", "StartSinkRelay")
		assert.Equal(t, relays, bound[name], "%s: relays its outbox to K_SINK: %v; has a SinkBinding: %v", name, relays, bound[name])
		delete(bound, name)
	}
	assert.Empty(t, bound, "SinkBindings of Services that are no function")
}

// TestWiring_EventPolicies checks that each event function may be reached only by
// the Triggers that subscribe it.
func TestWiring_EventPolicies(t *testing.T) {
	ms := MustReadManifests(t)
	want := map[ref][]string{} // Service -> its Triggers
	for _, tr := range ofKind(ms, "Trigger") {
		s := refAt(tr.obj, "spec", "subscriber", "ref")
		want[s] = append(want[s], tr.name())
	}
	got := map[ref][]string{}
	for _, p := range ofKind(ms, "EventPolicy") {
		to, from := asList(at(p.obj, "spec", "to")), asList(at(p.obj, "spec", "from"))
		require.NotEmpty(t, to, "%s: an empty spec.to applies to every resource of the namespace", p)
		require.NotEmpty(t, from, "%s: spec.from", p)
		var senders []string
		for _, f := range from {
			r := refAt(f, "ref")
			assert.Empty(t, str(f, "sub"), "%s: allow Triggers by ref, not subjects", p)
			assert.Equal(t, ref{"eventing.knative.dev/v1", "Trigger", r.Name}, r, "%s: spec.from allows only Triggers", p)
			senders = append(senders, r.Name)
		}
		for _, x := range to {
			assert.Nil(t, at(x, "selector"), "%s: name the target", p)
			r := refAt(x, "ref")
			got[r] = append(got[r], senders...)
		}
	}
	for s, trs := range want {
		sort.Strings(trs)
		g := got[s]
		sort.Strings(g)
		assert.Equal(t, trs, g, "who may send to %s", s.Name)
		delete(got, s)
	}
	assert.Empty(t, got, "EventPolicies for targets no Trigger delivers to")
}

// goPackage is a package's non-test Go files, parsed.
type goPackage struct {
	dir   string
	name  string
	files []*ast.File
}

// MustParsePackage parses the non-test Go files of dir.
func MustParsePackage(tb testing.TB, dir string) *goPackage {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(tb, err)
	fset := token.NewFileSet()
	p := &goPackage{dir: dir}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		require.NoError(tb, err)
		p.name = f.Name.Name
		p.files = append(p.files, f)
	}
	require.NotEmpty(tb, p.files, "no Go files in %s", dir)
	return p
}

// majorVersion is the last element of a module path of major version 2 or more.
var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// imports maps the names f's imports are known by to their paths.
func imports(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		name := path.Base(p)
		if majorVersion.MatchString(name) {
			name = path.Base(path.Dir(p))
		}
		if s.Name != nil {
			name = s.Name.Name
		}
		m[name] = p
	}
	return m
}

// typeString renders a type expression with packages by import path.
func typeString(e ast.Expr, imps map[string]string) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return "*" + typeString(e.X, imps)
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			if p, ok := imps[x.Name]; ok {
				return p + "." + e.Sel.Name
			}
		}
	}
	return types.ExprString(e)
}

// signatureOf renders fd's signature without names.
func signatureOf(fd *ast.FuncDecl, imps map[string]string) string {
	list := func(fl *ast.FieldList) []string {
		var out []string
		if fl == nil {
			return out
		}
		for _, f := range fl.List {
			n := max(len(f.Names), 1)
			for range n {
				out = append(out, typeString(f.Type, imps))
			}
		}
		return out
	}
	s := "func(" + strings.Join(list(fd.Type.Params), ", ") + ")"
	switch res := list(fd.Type.Results); len(res) {
	case 0:
	case 1:
		s += " " + res[0]
	default:
		s += " (" + strings.Join(res, ", ") + ")"
	}
	return s
}

// method finds the method name of type typ (value or pointer receiver, as allowed).
func (p *goPackage) method(typ, name string, pointer bool) (*ast.FuncDecl, *ast.File) {
	for _, f := range p.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Name.Name != name || len(fd.Recv.List) != 1 {
				continue
			}
			rt := fd.Recv.List[0].Type
			star, isPtr := rt.(*ast.StarExpr)
			if isPtr {
				rt = star.X
			}
			if id, ok := rt.(*ast.Ident); ok && id.Name == typ && (pointer || !isPtr) {
				return fd, f
			}
		}
	}
	return nil, nil
}

// MustMethodSignature returns the signature of the method name on the type New() returns.
func (p *goPackage) MustMethodSignature(tb testing.TB, name string) string {
	tb.Helper()
	for _, f := range p.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Name.Name != "New" {
				continue
			}
			require.Zero(tb, fd.Type.Params.NumFields(), "%s: New takes no arguments", p.dir)
			require.Equal(tb, 1, fd.Type.Results.NumFields(), "%s: New returns one value", p.dir)
			rt := fd.Type.Results.List[0].Type
			star, pointer := rt.(*ast.StarExpr)
			if pointer {
				rt = star.X
			}
			id, ok := rt.(*ast.Ident)
			require.True(tb, ok, "%s: New must return a type of the package", p.dir)
			h, hf := p.method(id.Name, name, pointer)
			require.NotNil(tb, h, "%s: %s has no method %s", p.dir, id.Name, name)
			return signatureOf(h, imports(hf))
		}
	}
	tb.Fatalf("%s: no func New()", p.dir)
	return ""
}

// ReturnsNoEvent reports whether every return of the method name on typ has the literal
// nil as its first result. A return that passes on another call's results counts as
// returning an event, so the check errs on the side of a declared reply.
func (p *goPackage) ReturnsNoEvent(tb testing.TB, typ, name string) bool {
	tb.Helper()
	fd, _ := p.method(typ, name, true)
	require.NotNil(tb, fd, "%s: no method %s.%s", p.dir, typ, name)
	none := true
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false // returns of closures are not Handle's
		}
		ret, ok := n.(*ast.ReturnStmt)
		if !ok {
			return true
		}
		if len(ret.Results) == 0 {
			none = false // named results: cannot tell
			return true
		}
		if id, ok := ret.Results[0].(*ast.Ident); !ok || id.Name != "nil" {
			none = false
		}
		return true
	})
	return none
}

// SetsType reports whether the package calls SetType with the events constant of value typ.
func (p *goPackage) SetsType(typ string) bool {
	names := map[string]string{
		events.TypeTaskCreated: "TypeTaskCreated", events.TypeTaskUpdated: "TypeTaskUpdated",
		events.TypeTaskCompleted: "TypeTaskCompleted", events.TypeTaskReopened: "TypeTaskReopened",
		events.TypeTaskDeleted: "TypeTaskDeleted", events.TypeReminderDue: "TypeReminderDue",
		events.TypeRemindersTick: "TypeRemindersTick", events.TypePing: "TypePing",
		events.TypeSummaryDue: "TypeSummaryDue",
	}
	found := false
	for _, f := range p.files {
		imps := imports(f)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "SetType" {
				return true
			}
			if typeString(call.Args[0], imps) == "github.com/taskwire/taskwire/shared/events."+names[typ] {
				found = true
			}
			return true
		})
	}
	return found
}

// Calls reports whether the package calls the function name of the package at pkgPath.
func (p *goPackage) Calls(pkgPath, name string) bool {
	found := false
	for _, f := range p.files {
		imps := imports(f)
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && typeString(call.Fun, imps) == pkgPath+"."+name {
				found = true
			}
			return true
		})
	}
	return found
}

// TestWiring_RetriesForHours: a user's webhook receiver or mail server that is down for a
// while must not lose the reminder to the dead letters, nor a recurrence function or its
// database down for a while the next occurrence of a completed task; the retries of
// notify's and recurrence's triggers span hours.
func TestWiring_RetriesForHours(t *testing.T) {
	spans := map[string]time.Duration{}
	for _, tr := range MustLoadBroker(t).Triggers {
		var span time.Duration
		for n := 1; n <= tr.Delivery.Retry; n++ {
			span += tr.Delivery.Backoff(n)
		}
		spans[tr.Subscriber] = span
	}
	for _, name := range []string{"notify", "recurrence"} {
		require.Contains(t, spans, name, "no trigger delivers to %s", name)
		assert.GreaterOrEqual(t, spans[name], 2*time.Hour, "%s's retries end after %s", name, spans[name])
	}
}
