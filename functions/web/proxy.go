package function

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Proxy forwards the API's paths to the functions that serve them, so that the page,
// which calls its own origin, works when the web function runs alone: the assistant's
// routes (/v1/chat, /v1/conversations, /api/{user_id}/chat) to the chat function, every
// other /v1/ and /api/ path to the tasks function. Requests keep their method, path,
// query, body and headers (the bearer token among them); answers, event streams
// included, are passed on as they arrive.
type Proxy struct {
	api, chat *httputil.ReverseProxy
	// Ending, when set, ends the live streams under way when it is done: the function's
	// Start context, which the host cancels when the shutdown begins. A stream never ends
	// on its own, and the drain of in-flight requests would wait for it to its timeout.
	Ending context.Context
}

// NewProxy returns a proxy to the tasks API at apiURL and the assistant at chatURL (""
// for apiURL's origin), both http(s) origins such as https://tasks.example.com.
func NewProxy(apiURL, chatURL string) (*Proxy, error) {
	api, err := upstream("TASKWIRE_API_URL", apiURL)
	if err != nil {
		return nil, err
	}
	chat := api
	if strings.TrimSpace(chatURL) != "" {
		if chat, err = upstream("TASKWIRE_CHAT_URL", chatURL); err != nil {
			return nil, err
		}
	}
	return &Proxy{api: api, chat: chat}, nil
}

// upstream returns a reverse proxy to the origin in raw, named by the variable that set it.
func upstream(name, raw string) (*httputil.ReverseProxy, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("web: %s must be an http(s) origin such as https://tasks.example.com, got %q", name, raw)
	}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u) // and Host, which Knative routes by
			r.SetXForwarded()
		},
		FlushInterval: -1, // event streams: pass each write on at once
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// The page's user learns that the API did not answer; where it lives, and why,
			// is the log's.
			slog.WarnContext(r.Context(), "upstream did not answer", "upstream", u.Host, "path", r.URL.Path, "err", err)
			problem.Write(w, r, taskwire.Errorf(taskwire.EUPSTREAM, "the API did not answer; try again"))
		},
	}, nil
}

// Serves reports whether path belongs to the API rather than to the page.
func Serves(path string) bool {
	return strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/api/")
}

// ServeHTTP forwards an API request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/stream" {
		// A stream outlives the server's write timeout (func's runtime: 30 s), which
		// would otherwise cut it every 30 s, as the tasks function's own stream does.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		if p.Ending != nil {
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			defer context.AfterFunc(p.Ending, cancel)()
			r = r.WithContext(ctx)
		}
	}
	if isChat(r.URL.Path) {
		p.chat.ServeHTTP(w, r)
		return
	}
	p.api.ServeHTTP(w, r)
}

// isChat reports whether path is one of the assistant's routes.
func isChat(path string) bool {
	if path == "/v1/chat" || path == "/v1/conversations" || strings.HasPrefix(path, "/v1/conversations/") {
		return true
	}
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return false
	}
	_, tail, _ := strings.Cut(rest, "/")
	return tail == "chat"
}
