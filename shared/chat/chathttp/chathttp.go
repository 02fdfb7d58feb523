// Package chathttp serves the chat assistant over HTTP: POST /v1/chat (JSON, or
// Server-Sent Events for Accept: text/event-stream), its hackathon alias POST
// /api/{user_id}/chat, and the conversations API. Authentication, problems and JSON are
// the REST API's (package rest); the assistant is package chat's.
package chathttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/chat"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/problem"
	"github.com/taskwire/taskwire/shared/rest"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// Listing limits of the conversations API.
const (
	DefaultConversations = 50
	DefaultMessages      = 200
)

// Conversations reads and deletes conversations (postgres.ConversationService).
type Conversations interface {
	FindConversations(ctx context.Context, limit int, after *taskwire.ConversationCursor) ([]*taskwire.Conversation, bool, error)
	FindMessages(ctx context.Context, id uuid.UUID, limit int, before int64) (*taskwire.Conversation, []*taskwire.Message, bool, error)
	DeleteConversation(ctx context.Context, id uuid.UUID) error
}

// Deps are what the chat routes serve from. A Server without them can still list its
// routes (Patterns).
type Deps struct {
	Agent         *chat.Agent
	Conversations Conversations
	Auth          rest.Verifier
	Users         rest.UserStore
}

// Server serves the chat routes.
type Server struct {
	d        Deps
	mux      *http.ServeMux
	patterns []string
}

// New returns the chat routes on d.
func New(d Deps) *Server {
	s := &Server{d: d, mux: http.NewServeMux()}
	s.handle("POST /v1/chat", s.chat, false)
	s.handle("POST /api/{user_id}/chat", s.chat, true)
	s.handle("GET /v1/conversations", s.listConversations, false)
	s.handle("GET /v1/conversations/{id}/messages", s.listMessages, false)
	s.handle("DELETE /v1/conversations/{id}", s.deleteConversation, false)
	return s
}

// NewFromApp returns the chat routes on an opened app, with the assistant configured by c
// (chat.ConfigFromEnv).
func NewFromApp(a *app.App, c chat.Config) *Server {
	convs := postgres.NewConversationService(a.DB)
	return New(Deps{
		Agent:         chat.New(c, tools.New(a.Tasks, a.Users, a.Notifications, a.Changes), convs),
		Conversations: convs,
		Auth:          a.Verifier,
		Users:         a.Users,
	})
}

// Patterns returns the method and path of every chat route.
func (s *Server) Patterns() []string {
	return append([]string(nil), s.patterns...)
}

// Match reports whether r is for one of the chat routes' paths (whatever its method).
func (s *Server) Match(r *http.Request) bool {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		return true
	}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			return true
		}
	}
	return false
}

// ServeHTTP serves a chat route; any other request is answered as a problem.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rest.ServeUnrouted(s.mux, w, r)
}

// handle registers h behind the API's authentication; alias routes also check {user_id}.
func (s *Server) handle(pattern string, h func(http.ResponseWriter, *http.Request) error, alias bool) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		ctx, err := rest.Authenticate(r, s.d.Auth, s.d.Users)
		if err == nil && alias {
			err = rest.CheckPathUser(ctx, r)
		}
		if err == nil && r.Method != http.MethodGet {
			err = rest.RefuseQuery(r) // the listings read their own
		}
		if err == nil {
			err = h(w, r.WithContext(ctx))
		}
		if err != nil {
			writeProblem(w, r, err)
		}
	})
}

// writeProblem answers err as a problem (problemOf), with Retry-After for a rate-limited
// model and for a message past the user's daily allowance.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	var me *chat.ModelError
	var le *chat.LimitError
	switch {
	case errors.As(err, &me) && me.RetryAfter > 0:
		w.Header().Set("Retry-After", strconv.Itoa(int(me.RetryAfter.Seconds())))
	case errors.As(err, &le):
		w.Header().Set("Retry-After", strconv.Itoa(int(le.RetryAfter.Seconds())))
	}
	problem.WriteDetails(w, problemOf(r, err))
}

// problemOf returns the problem err is. A chat message that failed once its conversation
// existed names it, conversation_id, so that the client goes on in it: the user's
// message, and any tool call that ran, are stored there.
func problemOf(r *http.Request, err error) problem.Details {
	d := problem.From(r, err)
	var in *failedIn
	if errors.As(err, &in) {
		d.Extensions = map[string]any{"conversation_id": in.conversation}
	}
	return d
}

// chatRequest is the body of POST /v1/chat.
type chatRequest struct {
	ConversationID *string `json:"conversation_id"`
	Message        *string `json:"message"`
}

// chat serves POST /v1/chat: {"conversation_id"?, "message"} answered with the
// assistant's Reply, or as Server-Sent Events when the client accepts them (see stream).
func (s *Server) chat(w http.ResponseWriter, r *http.Request) error {
	body, err := rest.ReadBody(w, r)
	if err != nil {
		return err
	}
	var in chatRequest
	if err := taskwire.DecodeJSON(body, &in); err != nil {
		return err
	}
	if in.Message == nil {
		return taskwire.FieldErrorf(taskwire.EINVALID, "message", "message is required")
	}
	req := chat.Request{Message: *in.Message}
	if in.ConversationID != nil {
		req.ConversationID = *in.ConversationID
	}
	if acceptsEventStream(r) {
		return s.stream(w, r, req)
	}
	reply, err := s.d.Agent.Chat(r.Context(), req, nil)
	if err != nil {
		return failure(reply, err)
	}
	return rest.WriteJSON(w, http.StatusOK, reply)
}

// failedIn is a chat message's failure once its conversation exists.
type failedIn struct {
	conversation uuid.UUID
	err          error
}

func (f *failedIn) Error() string { return f.err.Error() }
func (f *failedIn) Unwrap() error { return f.err }

// failure returns err, the failure of a chat message, with the conversation of reply
// when it exists, for problemOf to name.
func failure(reply *chat.Reply, err error) error {
	if reply == nil {
		return err
	}
	return &failedIn{conversation: reply.ConversationID, err: err}
}

// acceptsEventStream reports whether the Accept header asks for text/event-stream.
func acceptsEventStream(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

// stream answers a chat message as Server-Sent Events:
//
//	event: delta      data: {"text": "..."}                   a piece of the reply's text
//	event: tool_call  data: {"name", "arguments", "result"}  after each tool call ran
//	event: done       data: the Reply POST /v1/chat answers with JSON
//	event: error      data: a problem (application/problem+json's body)
//
// The stream starts with the first event; a failure before it (no API key, a bad
// request, the model refusing its first call) is an ordinary problem response.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, req chat.Request) error {
	es := &eventStream{w: w}
	obs := &chat.Observer{
		Delta:    func(text string) { es.send("delta", map[string]string{"text": text}) },
		ToolCall: func(tc chat.ToolCall) { es.send("tool_call", tc) },
	}
	reply, err := s.d.Agent.Chat(r.Context(), req, obs)
	if err != nil {
		if !es.started {
			return failure(reply, err)
		}
		es.send("error", problemOf(r, failure(reply, err)))
		return nil
	}
	es.send("done", reply)
	return nil
}

// eventStream writes Server-Sent Events, sending the headers with the first.
type eventStream struct {
	w       http.ResponseWriter
	started bool
}

func (es *eventStream) send(event string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": "the event cannot be encoded"})
	}
	if !es.started {
		h := es.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no") // proxies: pass each event on at once
		es.w.WriteHeader(http.StatusOK)
		es.started = true
	}
	fmt.Fprintf(es.w, "event: %s\ndata: %s\n\n", event, b)
	_ = http.NewResponseController(es.w).Flush()
}

// pageParams reads a listing's query: limit (1 to postgres.MaxConversationsLimit; def
// when absent) and cursor ("" when absent); any other parameter is refused.
func pageParams(r *http.Request, def int) (limit int, cursor string, err error) {
	q := r.URL.Query()
	for name := range q {
		if name != "limit" && name != "cursor" {
			return 0, "", taskwire.FieldErrorf(taskwire.EMALFORMED, name, "unknown query parameter %q", name)
		}
		if len(q[name]) > 1 {
			return 0, "", taskwire.FieldErrorf(taskwire.EMALFORMED, name, "%s must be given once", name)
		}
	}
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > postgres.MaxConversationsLimit {
			return 0, "", taskwire.FieldErrorf(taskwire.EMALFORMED, "limit", "limit must be a whole number from 1 to %d", postgres.MaxConversationsLimit)
		}
		limit = n
	}
	return limit, q.Get("cursor"), nil
}

// conversationID reads {id}; one that is no uuid is no conversation.
func conversationID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, taskwire.FieldErrorf(taskwire.ENOTFOUND, "id", "no conversation %q", r.PathValue("id"))
	}
	return id, nil
}

// ConversationPage is one page of the conversations listing; NextCursor, when set, is
// the cursor of the next page.
type ConversationPage struct {
	Items      []*taskwire.Conversation `json:"items"`
	NextCursor string                   `json:"next_cursor,omitempty"`
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := pageParams(r, DefaultConversations)
	if err != nil {
		return err
	}
	var after *taskwire.ConversationCursor
	if cursor != "" {
		if after, err = taskwire.ParseConversationCursor(cursor); err != nil {
			return err
		}
	}
	list, more, err := s.d.Conversations.FindConversations(r.Context(), limit, after)
	if err != nil {
		return err
	}
	page := ConversationPage{Items: list}
	if more {
		last := list[len(list)-1]
		page.NextCursor = taskwire.ConversationCursor{UpdatedAt: last.UpdatedAt, ID: last.ID}.Encode()
	}
	return rest.WriteJSON(w, http.StatusOK, page)
}

// MessagePage is one page of a conversation's messages, oldest first; NextCursor, when
// set, is the cursor of the page of the messages before these.
type MessagePage struct {
	Conversation *taskwire.Conversation `json:"conversation"`
	Items        []*taskwire.Message    `json:"items"`
	NextCursor   string                 `json:"next_cursor,omitempty"`
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	limit, cursor, err := pageParams(r, DefaultMessages)
	if err != nil {
		return err
	}
	id, err := conversationID(r)
	if err != nil {
		return err
	}
	var before int64
	if cursor != "" {
		if before, err = taskwire.ParseMessageCursor(cursor); err != nil {
			return err
		}
	}
	c, msgs, more, err := s.d.Conversations.FindMessages(r.Context(), id, limit, before)
	if err != nil {
		return err
	}
	page := MessagePage{Conversation: c, Items: msgs}
	if page.Items == nil {
		page.Items = []*taskwire.Message{}
	}
	if more {
		page.NextCursor = taskwire.EncodeMessageCursor(msgs[0].ID)
	}
	return rest.WriteJSON(w, http.StatusOK, page)
}

func (s *Server) deleteConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := conversationID(r)
	if err != nil {
		return err
	}
	if err := s.d.Conversations.DeleteConversation(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
