// Package function is the chat function: Taskwire's assistant (POST /v1/chat, the
// conversations API) and the same task tools over MCP at /mcp, served as an instanced
// Knative function (invoke: http). The assistant calls the model configured by
// OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL; without a key /v1/chat answers 503
// and the rest keeps working. With K_SINK set it relays its outbox (the events of the
// tool calls' changes) to that broker.
package function

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/chat"
	"github.com/taskwire/taskwire/shared/chat/chathttp"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskmcp"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// MCPPath is where the task tools are served over MCP.
const MCPPath = taskmcp.Path

// served is what the function serves once started.
type served struct {
	app     *app.App
	chat    *chathttp.Server
	handler http.Handler // the assistant and MCP, behind the app's CORS policy
}

// Function serves the assistant once Start has opened the database.
type Function struct {
	s     atomic.Pointer[served]
	owned bool // Start opened the app, so Stop closes it
	bg    *app.Background
}

// New returns the chat function; the func runtime (or the project's host) calls Start.
func New() *Function {
	return &Function{owned: true}
}

// NewWithApp returns the chat function on an app opened by its caller (the whole-app
// bundle), the assistant configured by c, ready at once; the caller relays events and
// closes the app.
func NewWithApp(a *app.App, c chat.Config) *Function {
	f := &Function{}
	f.s.Store(serve(a, c))
	return f
}

// serve returns the function's routes on a, the assistant configured by c.
func serve(a *app.App, c chat.Config) *served {
	s := &served{app: a, chat: chathttp.NewFromApp(a, c)}
	mcp := taskmcp.New(a.Verifier, a.Users, tools.New(a.Tasks, a.Users, a.Notifications, a.Changes), a.Verifier.Issuer())
	s.handler = a.CORS.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == MCPPath || r.URL.Path == taskmcp.MetadataPath {
			mcp.ServeHTTP(w, r)
			return
		}
		s.chat.ServeHTTP(w, r)
	}))
	return s
}

// Start opens the database and the token verifier from cfg, the environment, and starts
// the outbox relay when K_SINK is set.
func (f *Function) Start(ctx context.Context, cfg map[string]string) error {
	if !f.owned {
		return nil
	}
	// A malformed setting stops the start before anything opens.
	c, err := chat.ConfigFromEnv(cfg)
	if err != nil {
		return err
	}
	sink, err := app.SinkFromEnv(cfg)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	f.bg = app.StartSinkRelay(sink, a.DB)
	f.s.Store(serve(a, c))
	return nil
}

// Stop stops the relay and closes the database pool it opened.
func (f *Function) Stop(ctx context.Context) error {
	if !f.owned {
		return nil
	}
	if f.bg != nil {
		f.bg.Stop()
	}
	if s := f.s.Swap(nil); s != nil {
		s.app.Close()
	}
	return nil
}

// Ready reports whether the function can serve.
func (f *Function) Ready(ctx context.Context) (bool, error) {
	return f.s.Load() != nil, nil
}

// Alive reports that the function can serve.
func (f *Function) Alive(ctx context.Context) (bool, error) {
	return true, nil
}

// Serves reports whether r is for the chat function: a chat or conversations route, or
// MCP and its protected resource metadata. The whole-app bundle asks, to route.
func (f *Function) Serves(r *http.Request) bool {
	s := f.s.Load()
	return s != nil && (r.URL.Path == MCPPath || r.URL.Path == taskmcp.MetadataPath || s.chat.Match(r))
}

// Handle serves one request of the chat function.
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) {
	s := f.s.Load()
	if s == nil {
		problem.Write(w, r, taskwire.Errorf(taskwire.EUNAVAILABLE, "the function is starting"))
		return
	}
	s.handler.ServeHTTP(w, r)
}
