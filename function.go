// Package function is the whole of Taskwire as one Knative function: the tasks API, the
// assistant (functions/chat), and the recurrence, reminders and notify functions in the
// same process, sharing one pool.
// Without K_SINK the events flow through the local broker, which obeys the embedded
// eventing/ manifests; with K_SINK the outbox is relayed to that broker.
package function

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	chat "github.com/taskwire/taskwire/functions/chat"
	notify "github.com/taskwire/taskwire/functions/notify"
	recurrence "github.com/taskwire/taskwire/functions/recurrence"
	reminders "github.com/taskwire/taskwire/functions/reminders"
	tasks "github.com/taskwire/taskwire/functions/tasks"
	web "github.com/taskwire/taskwire/functions/web"
	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/broker"
	assistant "github.com/taskwire/taskwire/shared/chat"
	"github.com/taskwire/taskwire/shared/host"
	channels "github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/relay"
	"github.com/taskwire/taskwire/shared/taskmcp"
	"github.com/taskwire/taskwire/shared/taskwire"
)

//go:embed eventing/*.yaml
var eventing embed.FS

// Eventing returns the eventing/ manifests built into the binary: the Broker, Triggers
// and PingSource that deploy to a cluster and that the local broker obeys.
func Eventing() fs.FS {
	sub, _ := fs.Sub(eventing, "eventing")
	return sub
}

// Function is the whole app.
type Function struct {
	app   *app.App
	tasks atomic.Pointer[tasks.Function]
	web   *web.Function
	chat  *chat.Function
	bg    *app.Background
}

// New returns the whole app; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{}
}

// Start opens the database once, starts every part on it, and starts the event flow:
// the local broker (unless K_SINK is set) and the outbox relay.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	// A malformed setting stops the start before anything opens.
	chatCfg, err := assistant.ConfigFromEnv(cfg)
	if err != nil {
		return err
	}
	sink, err := app.SinkFromEnv(cfg)
	if err != nil {
		return err
	}
	var notifyCfg channels.Config // notify runs here only on the local broker
	if !sink.Set() {
		if notifyCfg, err = channels.ConfigFromEnv(cfg); err != nil {
			return err
		}
	}
	// The page's assets and the local broker's manifests are prepared while the database
	// opens: each takes a while on a cold start, and none needs another.
	type prepared struct {
		page      *web.Function
		manifests *broker.Manifests // nil when K_SINK names a broker
		err       error
	}
	preparing := make(chan prepared, 1)
	go func() {
		var p prepared
		p.page, p.err = web.NewWithAPI("") // the page talks to this same origin
		if p.err == nil && !sink.Set() {
			p.manifests, p.err = broker.LoadManifestsFS(Eventing(), "eventing")
		}
		preparing <- p
	}()
	a, err := app.Open(ctx, cfg)
	p := <-preparing
	if err != nil {
		return err
	}
	if p.err != nil {
		a.Close()
		return p.err
	}
	page := p.page
	bg := app.NewBackground()
	if err := startEvents(a, sink, notifyCfg, bg, p.manifests); err != nil {
		bg.Stop()
		a.Close()
		return err
	}
	a.EndStreamsWhenDone(ctx)
	f.app, f.bg, f.web = a, bg, page
	f.chat = chat.NewWithApp(a, chatCfg)
	f.tasks.Store(tasks.NewWithApp(a))
	// The start's peak (migrating, loading keys and schemas, preparing the page and the
	// broker) is garbage now. Go's runtime would keep its freed memory as room to grow, for
	// as long as the function idles, which is what a function that scales to zero does
	// right after its start: about 1 MB of the whole app's idle RSS. The single functions
	// start with less and keep no more for want of this.
	go debug.FreeOSMemory()
	return nil
}

// startEvents wires the event functions to the local broker, read from m, or the relay
// to sink; notifyCfg configures notify's channels.
func startEvents(a *app.App, sink app.Sink, notifyCfg channels.Config, bg *app.Background, m *broker.Manifests) error {
	if r := sink.Relay(a.DB); r != nil {
		bg.Go("relay", r.Run)
		return nil
	}
	notifier, err := notify.NewWithDB(a.DB, notifyCfg)
	if err != nil {
		return err
	}
	rem := reminders.NewWithDB(a.DB)
	b, err := broker.New(a.DB.Pool, m, map[string]broker.Target{
		"recurrence": {Handler: host.EventHTTPHandler(recurrence.NewWithDB(a.DB))},
		"reminders":  {Handler: host.EventHTTPHandler(rem)},
		"notify":     {Handler: host.EventHTTPHandler(notifier)},
	}, broker.Options{})
	if err != nil {
		return fmt.Errorf("local broker: %w", err)
	}
	bg.Go("broker", b.Run)
	bg.Go("relay", relay.New(a.DB.Pool, b, relay.Options{}).Run)
	bg.Go("reminder claims", func(ctx context.Context) error {
		<-ctx.Done() // stopping: let go of what this process claimed, as the function does
		release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return rem.Stop(release)
	})
	return nil
}

// Stop stops the event flow and closes the database.
func (f *Function) Stop(ctx context.Context) error {
	f.tasks.Store(nil)
	if f.bg != nil {
		f.bg.Stop()
	}
	if f.app != nil {
		f.app.Close()
	}
	return nil
}

// Ready reports whether Start has finished.
func (f *Function) Ready(ctx context.Context) (bool, error) {
	return f.tasks.Load() != nil, nil
}

// Alive reports that the app can serve.
func (f *Function) Alive(ctx context.Context) (bool, error) {
	return true, nil
}

// Handle serves the HTTP API, the assistant (/v1/chat, /v1/conversations), the task
// tools over MCP at /mcp with their protected resource metadata, and the web app on every
// path outside them.
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) {
	t := f.tasks.Load()
	if t == nil {
		problem.Write(w, r, taskwire.Errorf(taskwire.EUNAVAILABLE, "the app is starting"))
		return
	}
	if !isAPI(r.URL.Path) {
		f.web.Handle(w, r)
		return
	}
	if f.chat.Serves(r) { // the assistant, and the same tools over MCP
		f.chat.Handle(w, r)
		return
	}
	t.Handle(w, r)
}

// isAPI reports whether path belongs to the API rather than to the web app.
func isAPI(path string) bool {
	for _, prefix := range []string{"/v1/", "/api/", "/mcp"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return path == taskmcp.MetadataPath
}
