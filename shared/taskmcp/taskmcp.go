// Package taskmcp serves the task tools of package tools over the Model Context Protocol
// (modelcontextprotocol/go-sdk, Streamable HTTP transport), behind the same bearer JWT as
// the REST API, so that any MCP client can manage the signed-in user's tasks. It holds
// the HTTP handler only: the tools, their schemas and their rules live in package tools,
// and which path serves the handler is the function's choice (/mcp).
//
// The transport runs stateless: every POST is a whole exchange, with no Mcp-Session-Id
// and nothing kept between requests, because functions scale to zero and replicas share
// nothing. Responses are plain JSON rather than event streams, since no tool streams.
package taskmcp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// Path is where the tools are served over MCP, for POST only.
const Path = "/mcp"

// MetadataPath is where the handler answers, with GET, the protected resource metadata of
// Path (RFC 9728), at the address the MCP specification has clients try first.
const MetadataPath = "/.well-known/oauth-protected-resource" + Path

// ServerName and ServerVersion are how the MCP server names itself when a client
// initializes; the version changes when the tools change incompatibly.
const (
	ServerName    = "taskwire"
	ServerVersion = "1"
)

// instructions tell a client's model what the server is for.
const instructions = "Taskwire keeps the signed-in user's tasks. Tasks have a number the user can say " +
	"(\"task 3\"); every task_id argument takes that number or the task's id. Reminders that fired are " +
	"notifications: list_notifications lists them, and snooze_reminder reminds the user again later, by a " +
	"notification's id. A task's checklist holds its steps: check_step ticks one off by its place. " +
	"Times are RFC 3339 with an offset; a task due on a day rather than at a time is all-day, " +
	"given as due_date (YYYY-MM-DD) instead of due_at."

// Handler serves the tools over MCP at whatever path it is mounted on.
type Handler struct {
	verifier rest.Verifier
	users    rest.UserStore
	issuer   string              // the authorization server the metadata names; "" for none
	exchange func() http.Handler // the MCP exchange, made on the first request (see New)
}

// New returns a handler serving every tool of set, as the user that verifier finds in
// each request's bearer token; users creates the user's row on first sight, as the REST
// API does. issuer is the identity provider that issues those tokens, which the protected
// resource metadata names as the authorization server for MCP clients to get one from;
// "" (the local development issuer, which is no authorization server) publishes none.
func New(verifier rest.Verifier, users rest.UserStore, set *tools.Set, issuer string) *Handler {
	return &Handler{verifier: verifier, users: users, issuer: issuer, exchange: sync.OnceValue(func() http.Handler { return serve(set) })}
}

// serve returns the MCP server of set's tools over streamable HTTP, taking the user from
// the request's context. The handler makes it on its first request rather than in New:
// the SDK checks and resolves every tool's schema as it is added, a few milliseconds that
// a function's cold start would wait for (make bench), and a whole app woken by a tasks
// request never needs.
func serve(set *tools.Set) http.Handler {
	server := mcp.NewServer(&mcp.Implementation{Name: ServerName, Title: "Taskwire tasks", Version: ServerVersion},
		&mcp.ServerOptions{Instructions: instructions})
	for _, t := range set.List() {
		server.AddTool(&mcp.Tool{
			Name:        t.Name,
			Description: t.Description,
			InputSchema: t.Parameters,
		}, call(t))
	}
	streamable := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{
			Stateless:    true,
			JSONResponse: true,
			// The protection refuses requests that reach a loopback address under another
			// Host, which is how Knative's queue-proxy forwards every request; it guards
			// servers without authentication against DNS rebinding, and a rebinding page
			// cannot present the user's bearer token.
			DisableLocalhostProtection: true,
			MaxRequestBodyBytes:        rest.MaxBodyBytes,
			Logger:                     slog.Default(),
		})
	// ServeHTTP has verified the token and put its user in the context; this hands the
	// user to the tool calls as the SDK's token information (RequestExtra.TokenInfo),
	// since the SDK does not promise tool handlers the request's context.
	passUser := sdkauth.RequireBearerToken(func(ctx context.Context, _ string, _ *http.Request) (*sdkauth.TokenInfo, error) {
		user := taskwire.UserFromContext(ctx)
		if user == "" {
			return nil, sdkauth.ErrInvalidToken
		}
		return &sdkauth.TokenInfo{UserID: user}, nil
	}, &sdkauth.RequireBearerTokenOptions{AllowMissingExpiration: true})
	return passUser(streamable)
}

// ServeHTTP answers the protected resource metadata at MetadataPath, and at any other path
// serves the MCP exchange. It authenticates the request as the REST API does first,
// answering a missing or bad token with a 401 problem whose challenge gives the address
// of the metadata (when there is an issuer to name) before any MCP processing.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == MetadataPath {
		h.serveMetadata(w, r)
		return
	}
	ctx, err := rest.Authenticate(r, h.verifier, h.users)
	if err != nil {
		d := problem.From(r, err)
		if h.issuer != "" {
			d.ResourceMetadata = origin(r) + MetadataPath
		}
		problem.WriteDetails(w, d)
		return
	}
	if r.Method != http.MethodPost { // stateless: no stream to GET, no session to DELETE
		w.Header().Set("Allow", http.MethodPost)
		problem.WriteDetails(w, problem.MethodNotAllowed(r, http.MethodPost))
		return
	}
	refusals := &plainRefusals{ResponseWriter: w}
	h.exchange().ServeHTTP(refusals, r.WithContext(ctx))
	refusals.finish(r)
}

// serveMetadata answers the protected resource metadata (RFC 9728) of the MCP endpoint:
// the endpoint's address as the resource, and the issuer of the tokens it takes as the
// authorization server where a client gets one. Without an issuer it is a 404 problem.
func (h *Handler) serveMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		problem.WriteDetails(w, problem.MethodNotAllowed(r, "GET, HEAD"))
		return
	}
	if h.issuer == "" {
		problem.Write(w, r, taskwire.Errorf(taskwire.ENOTFOUND,
			"no authorization server is configured (AUTH_ISSUER): tokens come from the local development issuer"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	// Public, as RFC 9728 means it: an MCP client running in a browser page of any origin
	// reads it (a GET needs no preflight), whatever CORS_ALLOWED_ORIGINS lets call the API.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_ = json.NewEncoder(w).Encode(oauthex.ProtectedResourceMetadata{
		Resource:               origin(r) + Path,
		AuthorizationServers:   []string{h.issuer},
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "Taskwire tasks",
	})
}

// origin is the scheme and host that the client reached the request at: https when the
// connection, or the proxy in front of it (Knative's ingress), says so.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// plainRefusals holds back the SDK's own refusals of a request it cannot take, which it
// writes as text/plain (a body that is no JSON-RPC message, a missing Accept, another
// Content-Type, an unknown protocol version), so that finish answers them as problems,
// as every other refusal of the API is answered.
type plainRefusals struct {
	http.ResponseWriter
	status int          // the status of the refusal held back; 0 for none
	text   bytes.Buffer // what the SDK said
}

// WriteHeader holds back a refusal written as text; anything else goes through.
func (p *plainRefusals) WriteHeader(status int) {
	if status >= http.StatusBadRequest && strings.HasPrefix(p.Header().Get("Content-Type"), "text/plain") {
		p.status = status
		return
	}
	p.ResponseWriter.WriteHeader(status)
}

// Write keeps the text of a refusal held back and passes anything else on.
func (p *plainRefusals) Write(b []byte) (int, error) {
	if p.status != 0 {
		return p.text.Write(b)
	}
	return p.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (p *plainRefusals) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// finish answers the refusal held back, if any, as the API answers a request it cannot
// read (400, or 413 for a body over the limit), in the SDK's words; a server error is an
// internal error, logged with the SDK's words.
func (p *plainRefusals) finish(r *http.Request) {
	if p.status == 0 {
		return
	}
	text := strings.TrimSpace(p.text.String())
	var err error
	switch {
	case p.status >= http.StatusInternalServerError:
		err = fmt.Errorf("mcp exchange answered %d: %s", p.status, text)
	case p.status == http.StatusRequestEntityTooLarge:
		err = taskwire.Errorf(taskwire.ETOOLARGE, "%s", text)
	default:
		err = taskwire.Errorf(taskwire.EMALFORMED, "%s", text)
	}
	p.Header().Del("X-Content-Type-Options")
	problem.Write(p.ResponseWriter, r, err)
}

// call runs t as the request's user. The result is the tool's JSON, as text and as
// structured content. A refusal (bad arguments, a task the user does not have) is a
// result with isError set, whose text is the message and whose structured content is
// {"error", "code", "field"}, so the client's model can correct itself; an internal or
// availability failure is a JSON-RPC error.
func call(t tools.Tool) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var user string
		if req.Extra != nil && req.Extra.TokenInfo != nil {
			user = req.Extra.TokenInfo.UserID
		}
		if user == "" {
			// Only a handler mounted without ServeHTTP's authentication gets here.
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "no signed-in user"}
		}
		out, err := t.Call(taskwire.NewContextWithUser(ctx, user), req.Params.Arguments)
		if err != nil {
			refusal, ok := tools.ErrorResult(err)
			if !ok {
				if taskwire.ErrorCode(err) == taskwire.EINTERNAL {
					slog.ErrorContext(ctx, "mcp tool call failed", "tool", t.Name, "err", err)
				}
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: taskwire.ErrorMessage(err)}
			}
			return &mcp.CallToolResult{
				IsError:           true,
				Content:           []mcp.Content{&mcp.TextContent{Text: taskwire.ErrorMessage(err)}},
				StructuredContent: refusal,
			}, nil
		}
		return &mcp.CallToolResult{
			Content:           []mcp.Content{&mcp.TextContent{Text: string(out)}},
			StructuredContent: json.RawMessage(out),
		}, nil
	}
}
