// Package openaitest is a scripted model for tests: a local HTTP server that speaks the
// OpenAI Chat Completions wire format (POST /v1/chat/completions, as JSON or as a stream of
// Server-Sent Events chunks, with tool calls and API errors), so that the real openai-go
// client can be driven through a conversation. It holds no test cases.
//
// Script it with a queue of replies (Push) or a function that sees each request (Handle);
// the queue is served first. Point a client at BaseURL.
package openaitest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// Message is one message of a request, as the client sent it.
type Message struct {
	Role       string     `json:"role"`
	Content    string     `json:"content"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
}

// ToolCall is a tool call of an assistant message: in a reply, what the model asks for.
type ToolCall struct {
	ID        string // generated when a reply leaves it empty
	Name      string
	Arguments string // JSON text, passed on as written (it may be malformed on purpose)
}

// Request is one Chat Completions request the server received.
type Request struct {
	Model    string
	Messages []Message
	Tools    []string // the names of the function tools offered
	Stream   bool
	Header   http.Header
}

// LastUser returns the content of the request's last user message.
func (r Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// ToolResults returns the contents of the tool messages after the last user message, in order.
func (r Request) ToolResults() []string {
	var out []string
	for i := len(r.Messages) - 1; i >= 0 && r.Messages[i].Role != "user"; i-- {
		if r.Messages[i].Role == "tool" {
			out = append([]string{r.Messages[i].Content}, out...)
		}
	}
	return out
}

// Reply is what the model answers to one request.
type Reply struct {
	Content   string     // the reply's text; streamed word by word
	ToolCalls []ToolCall // tool calls the model asks for (finish_reason "tool_calls")
	// Status, when set, answers with this HTTP status and an OpenAI error body
	// carrying Error as its message; Header adds headers such as Retry-After.
	Status int
	Error  string
	Header http.Header
	// Hang waits until the client gives up (or the server closes) without answering.
	Hang bool
	// FinishReason, when set, replaces the finish reason ("length", "content_filter").
	FinishReason string
	// BreakOff ends the answer without a finish reason: a stream stops before its last
	// chunk and [DONE], as when the connection drops.
	BreakOff bool
	// Refusal is the model's refusal, sent instead of content.
	Refusal string
	// NoIDs sends the tool calls without ids, as some compatible servers do.
	NoIDs bool
}

// Text returns a reply that answers with text.
func Text(s string) Reply { return Reply{Content: s} }

// Call returns a reply that asks for one tool call.
func Call(name, arguments string) Reply {
	return Reply{ToolCalls: []ToolCall{{Name: name, Arguments: arguments}}}
}

// RateLimited returns a 429 reply that asks the client to wait retryAfter seconds.
func RateLimited(retryAfter int) Reply {
	return Reply{Status: http.StatusTooManyRequests, Error: "Rate limit reached for requests",
		Header: http.Header{"Retry-After": {fmt.Sprint(retryAfter)}}}
}

// Server is the scripted model.
type Server struct {
	srv     *httptest.Server
	closed  chan struct{}
	mu      sync.Mutex
	queue   []Reply
	handle  func(Request) Reply
	reqs    []Request
	callSeq int
	busy    atomic.Int64 // nanoseconds spent answering
	dialled atomic.Int64 // connections accepted
}

// Dialled returns how many connections clients have opened to the server so far.
func (s *Server) Dialled() int {
	return int(s.dialled.Load())
}

// Busy returns how long the server has spent answering requests, from reading a request
// to writing its answer: the model's share of a caller's time, which a benchmark of the
// caller's own time subtracts.
func (s *Server) Busy() time.Duration {
	return time.Duration(s.busy.Load())
}

// New starts a scripted model and closes it when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := Start()
	tb.Cleanup(s.Close)
	return s
}

// Start starts a scripted model outside a test (a benchmark command); the caller closes it.
func Start() *Server {
	s := &Server{closed: make(chan struct{})}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.dialled.Add(1)
		}
	}
	s.srv.Start()
	return s
}

// Close stops the server; requests that hang are released.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
		s.mu.Unlock()
		return
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	s.srv.Close()
}

// BaseURL is the address to configure as OPENAI_BASE_URL (it ends in /v1/).
func (s *Server) BaseURL() string { return s.srv.URL + "/v1/" }

// Push queues replies, served one per request in order.
func (s *Server) Push(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Handle sets the function that answers requests once the queue is empty.
func (s *Server) Handle(f func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handle = f
}

// keptRequests bounds what the server remembers: a benchmark sends thousands of requests,
// and remembering them all would load the garbage collector of the process it measures.
const keptRequests = 256

// Requests returns the requests received so far, the latest 256 of them.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// wireRequest is the part of a Chat Completions request the server reads.
type wireRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role       string          `json:"role"`
		Content    json.RawMessage `json:"content"`
		ToolCallID string          `json:"tool_call_id"`
		ToolCalls  []wireToolCall  `json:"tool_calls"`
	} `json:"messages"`
	Tools []struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	} `json:"tools"`
}

type wireToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// content reads a message's content: a string, or an array of text parts.
func content(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &parts)
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() { s.busy.Add(int64(time.Since(start))) }()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, "openaitest serves only POST /v1/chat/completions, got "+r.Method+" "+r.URL.Path)
		return
	}
	var in wireRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "openaitest: unreadable request: "+err.Error())
		return
	}
	req := Request{Model: in.Model, Stream: in.Stream, Header: r.Header.Clone()}
	for _, m := range in.Messages {
		msg := Message{Role: m.Role, Content: content(m.Content), ToolCallID: m.ToolCallID}
		for _, c := range m.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: c.Function.Arguments})
		}
		req.Messages = append(req.Messages, msg)
	}
	for _, t := range in.Tools {
		req.Tools = append(req.Tools, t.Function.Name)
	}

	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	if len(s.reqs) > keptRequests {
		s.reqs = append(s.reqs[:0:0], s.reqs[len(s.reqs)-keptRequests:]...)
	}
	var reply Reply
	var ok bool
	switch {
	case len(s.queue) > 0:
		reply, s.queue, ok = s.queue[0], s.queue[1:], true
	case s.handle != nil:
		h := s.handle
		s.mu.Unlock()
		reply, ok = h(req), true
		s.mu.Lock()
	}
	for i := range reply.ToolCalls {
		if reply.ToolCalls[i].ID == "" && !reply.NoIDs {
			s.callSeq++
			reply.ToolCalls[i].ID = fmt.Sprintf("call_%d", s.callSeq)
		}
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusInternalServerError, "openaitest: no scripted reply left for this request")
		return
	}

	for k, v := range reply.Header {
		w.Header()[k] = v
	}
	if err := checkHistory(req); err != "" {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	switch {
	case reply.Hang:
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
	case reply.Status != 0:
		writeError(w, reply.Status, reply.Error)
	case req.Stream:
		writeStream(w, req.Model, reply)
	default:
		writeCompletion(w, req.Model, reply)
	}
}

// writeError answers status with an OpenAI error body.
func writeError(w http.ResponseWriter, status int, message string) {
	if message == "" {
		message = http.StatusText(status)
	}
	typ := "server_error"
	switch {
	case status == http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case status < 500:
		typ = "invalid_request_error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": message, "type": typ, "code": nil, "param": nil,
	}})
}

// checkHistory refuses what OpenAI's API refuses in the messages sent back to it: a tool
// call whose name is not 1 to 64 letters, digits, _ and -, or whose arguments are not
// JSON (which OpenAI-compatible servers refuse too). It returns the error's message, ""
// when the messages pass.
func checkHistory(req Request) string {
	for i, m := range req.Messages {
		for j, c := range m.ToolCalls {
			if !validName(c.Name) {
				return fmt.Sprintf("Invalid 'messages[%d].tool_calls[%d].function.name': string does not match pattern. "+
					"Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", i, j)
			}
			if !json.Valid([]byte(c.Arguments)) {
				return fmt.Sprintf("Invalid 'messages[%d].tool_calls[%d].function.arguments': not valid JSON.", i, j)
			}
		}
	}
	return ""
}

func validName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// finishReason returns the reply's finish reason, nil when it breaks off.
func finishReason(reply Reply) any {
	switch {
	case reply.BreakOff:
		return nil
	case reply.FinishReason != "":
		return reply.FinishReason
	case len(reply.ToolCalls) > 0:
		return "tool_calls"
	}
	return "stop"
}

func writeCompletion(w http.ResponseWriter, model string, reply Reply) {
	msg := map[string]any{"role": "assistant", "content": reply.Content, "refusal": nil}
	if reply.Refusal != "" {
		msg["content"], msg["refusal"] = nil, reply.Refusal
	}
	if len(reply.ToolCalls) > 0 {
		calls := make([]wireToolCall, len(reply.ToolCalls))
		for i, c := range reply.ToolCalls {
			calls[i].ID, calls[i].Type = c.ID, "function"
			calls[i].Function.Name, calls[i].Function.Arguments = c.Name, c.Arguments
		}
		msg["tool_calls"] = calls
		if reply.Content == "" {
			msg["content"] = nil
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-openaitest", "object": "chat.completion", "created": time.Now().Unix(), "model": model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finishReason(reply), "logprobs": nil}},
		"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
	})
}

// writeStream sends the reply as chat.completion.chunk events: the text a word at a time,
// each tool call's name and then its arguments in two pieces, a last chunk with the
// finish reason, and [DONE].
func writeStream(w http.ResponseWriter, model string, reply Reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	created := time.Now().Unix()
	send := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-openaitest", "object": "chat.completion.chunk", "created": created, "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	send(map[string]any{"role": "assistant", "content": ""}, nil)
	for _, word := range splitWords(reply.Content) {
		send(map[string]any{"content": word}, nil)
	}
	if reply.Refusal != "" {
		send(map[string]any{"refusal": reply.Refusal}, nil)
	}
	for i, c := range reply.ToolCalls {
		idx := i
		head := wireToolCall{Index: &idx, ID: c.ID, Type: "function"}
		head.Function.Name = c.Name
		send(map[string]any{"tool_calls": []wireToolCall{head}}, nil)
		half := len(c.Arguments) / 2
		for half > 0 && !utf8.RuneStart(c.Arguments[half]) {
			half-- // each piece must stay valid UTF-8 inside its JSON string
		}
		for _, piece := range []string{c.Arguments[:half], c.Arguments[half:]} {
			var part wireToolCall
			part.Index = &idx
			part.Function.Arguments = piece
			send(map[string]any{"tool_calls": []wireToolCall{part}}, nil)
		}
	}
	if reply.BreakOff {
		return
	}
	send(map[string]any{}, finishReason(reply))
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// splitWords splits s after each space, so that the pieces join back to s.
func splitWords(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}
