// Package chat holds Taskwire's assistant: it answers a user's message by calling a
// model through openai-go (Chat Completions with the task tools of package tools), runs
// the tool calls as the signed-in user, and keeps every message of the conversation in
// PostgreSQL, so that it holds no state between requests. HTTP lives in chathttp.
package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"
	"github.com/taskwire/taskwire/shared/taskwire"
	"github.com/taskwire/taskwire/shared/tools"
)

// Defaults of Config.
const (
	DefaultModel         = "gpt-5.4-mini" // small, fast and good at tool calls
	DefaultMaxRounds     = 8
	DefaultMaxToolCalls  = 50
	DefaultHistoryBudget = 32000 // characters of earlier messages sent along, about 8k tokens
	DefaultHistoryLimit  = 50    // messages read back from the database per request
	DefaultTimeout       = 25 * time.Second
	DefaultDailyMessages = 200  // messages a user may send the assistant a day
	MaxMessageLength     = 4000 // characters of one user message
	// MaxToolResultLength bounds, in characters, a tool result the model reads: the
	// history budget, past which the result could not be sent again with the next message.
	MaxToolResultLength = DefaultHistoryBudget
)

// Config configures the assistant.
type Config struct {
	APIKey  string // OPENAI_API_KEY; without it the assistant answers EUNAVAILABLE
	BaseURL string // OPENAI_BASE_URL: any OpenAI-compatible server; empty for OpenAI's
	Model   string // OPENAI_MODEL; DefaultModel when empty
	// MaxRounds bounds the model calls of one message: after that many rounds of tool
	// calls the assistant stops with a clear answer.
	MaxRounds int
	// MaxToolCalls bounds the tool calls of one message; calls past it are not run, and
	// their results tell the model so.
	MaxToolCalls int
	// HistoryBudget bounds, in characters, the earlier messages sent to the model; the
	// oldest go first, an assistant's tool calls always with their results.
	HistoryBudget int
	// HistoryLimit bounds the messages read back from the database.
	HistoryLimit int
	// Timeout bounds one message's model calls and tools together; past it the
	// request fails with ETIMEOUT (504).
	Timeout time.Duration
	// DailyMessages is how many messages a user may send the assistant in a day (a window
	// of 24 hours from the first); past it a message is ETOOMANY and calls no model. Zero
	// is DefaultDailyMessages; below zero, no limit.
	DailyMessages int
	// HTTPClient, if set, carries the model calls (tests, proxies).
	HTTPClient *http.Client
}

// ConfigFromEnv reads OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL and
// CHAT_DAILY_MESSAGES (a whole number; 0 for no limit) from cfg.
func ConfigFromEnv(cfg map[string]string) (Config, error) {
	c := Config{APIKey: cfg["OPENAI_API_KEY"], BaseURL: cfg["OPENAI_BASE_URL"], Model: cfg["OPENAI_MODEL"]}
	if v, ok := cfg["CHAT_DAILY_MESSAGES"]; ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Config{}, fmt.Errorf("CHAT_DAILY_MESSAGES must be a whole number of messages a user may send the assistant a day (0 for no limit), got %q", v)
		}
		c.DailyMessages = n
		if n == 0 {
			c.DailyMessages = -1
		}
	}
	return c, nil
}

// Conversations stores conversations (postgres.ConversationService).
type Conversations interface {
	StartConversation(ctx context.Context, firstMessage string, hold time.Duration) (*taskwire.Conversation, time.Time, error)
	ClaimConversation(ctx context.Context, id uuid.UUID, hold time.Duration, limit int) (time.Time, []*taskwire.Message, error)
	AppendMessages(ctx context.Context, id uuid.UUID, msgs ...taskwire.Message) ([]taskwire.Message, error)
	FinishAnswer(ctx context.Context, id uuid.UUID, until time.Time, msgs ...taskwire.Message) error
	ReleaseConversation(ctx context.Context, id uuid.UUID, until time.Time) error
	AdmitMessage(ctx context.Context, limit int) (zone string, windowEnd time.Time, err error)
}

// Agent is the assistant.
type Agent struct {
	client *openai.ChatCompletionService // nil without an API key
	model  string
	cfg    Config
	tools  *tools.Set
	params func() []openai.ChatCompletionToolUnionParam // the tools as the model is told them
	convs  Conversations
	// Now is the clock the system prompt tells the model; tests replace it.
	Now func() time.Time
}

// New returns the assistant with cfg over the tools and the conversations.
func New(cfg Config, set *tools.Set, convs Conversations) *Agent {
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.MaxRounds <= 0 {
		cfg.MaxRounds = DefaultMaxRounds
	}
	if cfg.MaxToolCalls <= 0 {
		cfg.MaxToolCalls = DefaultMaxToolCalls
	}
	if cfg.HistoryBudget <= 0 {
		cfg.HistoryBudget = DefaultHistoryBudget
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = DefaultHistoryLimit
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.DailyMessages == 0 {
		cfg.DailyMessages = DefaultDailyMessages
	}
	a := &Agent{model: cfg.Model, cfg: cfg, tools: set, convs: convs, Now: time.Now}
	if cfg.APIKey != "" {
		// No retries inside a request: a chat message already makes several model calls
		// under one deadline, and a rate limit is better passed on to the client (503 with
		// Retry-After) than waited out while the user watches.
		opts := []option.RequestOption{option.WithAPIKey(cfg.APIKey), option.WithMaxRetries(0)}
		if cfg.BaseURL != "" {
			opts = append(opts, option.WithBaseURL(cfg.BaseURL))
		}
		client := cfg.HTTPClient
		if client == nil {
			client = modelClient()
		}
		opts = append(opts, option.WithHTTPClient(client))
		// Only the chat completions service, with the defaults openai.NewClient would give
		// it: the client holds every service of the API, and building it kept all of them
		// and their types in the binary, 23 MB of the chat function's 80, of which a start
		// brought 12 MB into memory (make bench, idle RSS).
		c := openai.NewChatCompletionService(append(openai.DefaultClientOptions(), opts...)...)
		a.client = &c
	}
	a.params = sync.OnceValue(func() []openai.ChatCompletionToolUnionParam { return toolParams(set) })
	return a
}

// toolParams returns the tools of set as the model is told them. The agent makes them
// on its first call to the model rather than in New: the encoding takes a few
// milliseconds that a function's cold start would wait for (make bench), and a whole app
// woken by a tasks request never needs it.
func toolParams(set *tools.Set) []openai.ChatCompletionToolUnionParam {
	var params []openai.ChatCompletionToolUnionParam
	for _, t := range set.List() {
		var schema shared.FunctionParameters
		_ = json.Unmarshal(t.Parameters, &schema) // the tools' schemas are constants, tested to be JSON objects
		params = append(params, encodedOnce(openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: t.Name, Description: openai.String(t.Description), Parameters: schema,
		})))
	}
	return params
}

// modelClient returns the HTTP client of the model calls when the configuration gives
// none. openai-go's own, http.DefaultClient, keeps 2 idle connections to a host, and
// every model call goes to one host: against a server that speaks HTTP/1.1 (a model
// served locally through OPENAI_BASE_URL), all but two of the chats running at once
// dialled it afresh for each call. OpenAI's own API multiplexes calls over HTTP/2
// either way.
func modelClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = t.MaxIdleConns
	return &http.Client{Transport: t}
}

// encodedOnce returns tool with its JSON encoding computed now and sent as it is: the
// tools are the same in every request, and openai-go's encoder, which works by
// reflection, spent about a tenth of a request's time encoding them again each round.
func encodedOnce(tool openai.ChatCompletionToolUnionParam) openai.ChatCompletionToolUnionParam {
	if tool.OfFunction == nil {
		return tool
	}
	raw, err := json.Marshal(tool.OfFunction)
	if err != nil {
		return tool // encoded as usual, where the error shows
	}
	fn := param.Override[openai.ChatCompletionFunctionToolParam](json.RawMessage(raw))
	return openai.ChatCompletionToolUnionParam{OfFunction: &fn}
}

// Configured reports whether the assistant has an API key.
func (a *Agent) Configured() bool { return a.client != nil }

// ToolCall is one tool call the assistant made while answering, as clients read it:
// the arguments as the model wrote them (a JSON string when they were not JSON) and the
// result the model read (an {"error", "code", "field"} object for a refused call).
type ToolCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Result    json.RawMessage `json:"result"`
}

// Reply is the assistant's answer to one message.
type Reply struct {
	ConversationID uuid.UUID  `json:"conversation_id"`
	Response       string     `json:"response"`
	ToolCalls      []ToolCall `json:"tool_calls"`
}

// Observer learns of a reply while it is made; nil fields are skipped.
type Observer struct {
	Delta    func(text string) // a piece of the reply's text, as the model streams it
	ToolCall func(ToolCall)    // a tool call that ran
}

// Request is one message to the assistant.
type Request struct {
	ConversationID string // empty to start a conversation
	Message        string
}

// Chat answers req as the signed-in user of ctx. The user's message is stored before the
// model is called, every assistant and tool message after, so a conversation survives a
// failed call and resumes on any replica. A round's tool calls and their results are
// stored even when the request ends during the round (the client went away, the deadline
// passed): the calls that ran are recorded with their results, the rest as not run, so
// that the model learns in the next message what was done. With obs, the model's reply
// is streamed to obs.Delta. Model failures are *ModelError: ETIMEOUT, EUNAVAILABLE (rate
// limited, with RetryAfter) or EUPSTREAM. A failure once the conversation exists comes
// with a Reply too, holding its id and the tool calls that ran, so that the client can go
// on in it. A message to a conversation while an earlier one is answered is ECONFLICT,
// and one past the user's daily allowance a *LimitError (ETOOMANY): neither is stored.
func (a *Agent) Chat(ctx context.Context, req Request, obs *Observer) (*Reply, error) {
	if obs == nil {
		obs = &Observer{}
	}
	if a.client == nil {
		return nil, taskwire.Errorf(taskwire.EUNAVAILABLE, "the chat assistant is not configured: set OPENAI_API_KEY "+
			"(and OPENAI_BASE_URL for another OpenAI-compatible server, OPENAI_MODEL for another model than %s)", DefaultModel)
	}
	message := strings.TrimSpace(req.Message)
	if message == "" {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "message", "message is required")
	}
	if n := utf8.RuneCountInString(message); n > MaxMessageLength {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "message", "message must be at most %d characters, got %d", MaxMessageLength, n)
	}
	if !utf8.ValidString(message) || strings.ContainsRune(message, 0) {
		return nil, taskwire.FieldErrorf(taskwire.EINVALID, "message", "message must be valid UTF-8 without NUL characters")
	}

	// One answer at a time per conversation: two at once would interleave their
	// messages, and each would answer without the other's in its history. The hold is
	// taken with the conversation's start or with the read of its history, and ended
	// with the answer's last messages, so it costs no round trip of its own. The message
	// is counted against the allowance (admit) once it is to be answered: a new one before
	// its conversation starts, one to a conversation once that is held for it, so that a
	// message to a conversation busy or gone counts nothing.
	var (
		convID  uuid.UUID
		until   time.Time
		history []*taskwire.Message
		zone    string
	)
	hold := a.cfg.Timeout + holdMargin
	if req.ConversationID == "" {
		var err error
		if zone, err = a.admit(ctx); err != nil {
			return nil, err
		}
		c, held, err := a.convs.StartConversation(ctx, message, hold)
		if err != nil {
			return nil, fmt.Errorf("chat: %w", err)
		}
		convID, until = c.ID, held
	} else {
		id, err := uuid.Parse(req.ConversationID)
		if err != nil {
			return nil, taskwire.FieldErrorf(taskwire.EINVALID, "conversation_id", "conversation_id must be the id of a conversation (a UUID)")
		}
		if until, history, err = a.convs.ClaimConversation(ctx, id, hold, a.cfg.HistoryLimit); err != nil {
			return nil, fmt.Errorf("chat: %w", err)
		}
		if zone, err = a.admit(ctx); err != nil {
			a.release(ctx, id, until)
			return nil, err
		}
		convID = id
	}
	finished := false
	defer func() {
		if !finished {
			a.release(ctx, convID, until)
		}
	}()
	reply := &Reply{ConversationID: convID, ToolCalls: []ToolCall{}}
	if err := a.store(ctx, convID, taskwire.Message{Role: taskwire.RoleUser, Content: message}); err != nil {
		return reply, fmt.Errorf("chat: store the message: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	history = append(Bound(history, a.cfg.HistoryBudget), &taskwire.Message{Role: taskwire.RoleUser, Content: message})
	messages := toParams(append([]*taskwire.Message{{Role: roleSystem, Content: SystemPrompt(a.Now(), zone)}}, history...))

	for range a.cfg.MaxRounds {
		turn, err := a.complete(ctx, messages, obs)
		if err != nil {
			return reply, err
		}
		if len(turn.calls) == 0 {
			if err := a.finish(ctx, convID, until, turn.text); err != nil {
				return reply, err
			}
			finished = true
			reply.Response = turn.text
			return reply, nil
		}
		stored, err := a.runTools(ctx, turn, reply, obs)
		if serr := a.store(ctx, convID, stored...); serr != nil && err == nil {
			err = fmt.Errorf("chat: store the tool calls: %w", serr)
		}
		if err != nil {
			return reply, err
		}
		messages = append(messages, toParams(pointers(stored))...)
	}
	reply.Response = fmt.Sprintf("I stopped after %d rounds of tool calls without finishing, so this request is not "+
		"complete. The tool calls listed were made; please check the result and tell me how to go on.", a.cfg.MaxRounds)
	if obs.Delta != nil {
		obs.Delta(reply.Response)
	}
	if err := a.finish(ctx, convID, until, reply.Response); err != nil {
		return reply, err
	}
	finished = true
	return reply, nil
}

// admit counts the message against the user's daily allowance (Config.DailyMessages)
// and returns the user's time zone, in one round trip. Past the allowance the error is a
// *LimitError that says, in the user's zone, when the next message can be sent.
func (a *Agent) admit(ctx context.Context) (zone string, err error) {
	zone, end, err := a.convs.AdmitMessage(ctx, max(a.cfg.DailyMessages, 0))
	if taskwire.ErrorCode(err) != taskwire.ETOOMANY {
		if err != nil {
			return "", fmt.Errorf("chat: %w", err)
		}
		return zone, nil
	}
	when := end.In(taskwire.LoadZone(zone)).Format("15:04 on Mon 2 Jan")
	return "", &LimitError{
		Err: taskwire.Errorf(taskwire.ETOOMANY, "you have sent the assistant %d messages in a day, as many as a day allows; "+
			"the next can be sent at %s (your tasks and the API work as ever)", a.cfg.DailyMessages, when),
		RetryAfter: time.Until(end).Truncate(time.Second) + time.Second,
		Cause:      err,
	}
}

// LimitError is a message past the user's daily allowance: Err is the problem to report
// (ETOOMANY) and RetryAfter how long until the next message is allowed.
type LimitError struct {
	Err        *taskwire.Error
	RetryAfter time.Duration
	Cause      error
}

// Error implements the error interface.
func (e *LimitError) Error() string { return "chat: " + e.Err.Message + ": " + e.Cause.Error() }

// Unwrap returns the problem and its cause, so that errors.As finds the *taskwire.Error.
func (e *LimitError) Unwrap() []error { return []error{e.Err, e.Cause} }

// runTools runs a turn's tool calls in order and returns the messages that record them:
// the assistant's message with the calls, then a result for every call. A refused call's
// result is the refusal the model reads (tools.ErrorResult). Past MaxToolCalls in one
// message, and after a call that failed for a reason of the server's (the request ended,
// the database is down), the remaining calls are not run and their results say so; that
// failure is returned with the messages.
func (a *Agent) runTools(ctx context.Context, t turn, reply *Reply, obs *Observer) ([]taskwire.Message, error) {
	stored := []taskwire.Message{{Role: taskwire.RoleAssistant, Content: t.text, ToolCalls: t.calls}}
	var failed error
	for _, call := range t.calls {
		var result json.RawMessage
		switch {
		case failed != nil:
			result = notRun("an earlier call failed, which ended the request")
		case len(reply.ToolCalls) >= a.cfg.MaxToolCalls:
			result = notRun(fmt.Sprintf("one message may make at most %d tool calls; tell the user what was done "+
				"and ask them to say go on for the rest", a.cfg.MaxToolCalls))
		default:
			var err error
			if result, err = a.tools.Call(ctx, call.Name, json.RawMessage(call.Arguments)); err != nil {
				var ok bool
				if result, ok = tools.ErrorResult(err); !ok {
					failed = a.toolFailure(ctx, call, err)
					result = notRun("it failed for a reason of the server's, so it may or may not have been done; " +
						"look before doing it again")
					break
				}
			}
			if n := utf8.RuneCount(result); n > MaxToolResultLength {
				// Sent on every later round and message, a listing of 200 long tasks (2 MB)
				// made every request of the conversation too long for the model.
				result, _ = json.Marshal(map[string]string{"code": "too_large", "error": fmt.Sprintf(
					"the result has %d characters, more than the %d you can read; if the call changed something, "+
						"that is done; ask for less: a smaller limit, a narrower filter", n, MaxToolResultLength)})
			}
			tc := ToolCall{Name: call.Name, Arguments: ArgumentsJSON(call.Arguments), Result: result}
			reply.ToolCalls = append(reply.ToolCalls, tc)
			if obs.ToolCall != nil {
				obs.ToolCall(tc)
			}
		}
		stored = append(stored, taskwire.Message{Role: taskwire.RoleTool, ToolCallID: call.ID, Content: string(result)})
	}
	return stored, failed
}

// notRun is the result of a tool call that was not run, and why.
func notRun(why string) json.RawMessage {
	out, _ := json.Marshal(map[string]string{"error": "not run: " + why, "code": "not_run"})
	return out
}

// pointers returns pointers to msgs' elements.
func pointers(msgs []taskwire.Message) []*taskwire.Message {
	out := make([]*taskwire.Message, len(msgs))
	for i := range msgs {
		out[i] = &msgs[i]
	}
	return out
}

// storeTimeout bounds storing messages once the request has ended.
const storeTimeout = 5 * time.Second

// holdMargin is how long a conversation stays held past the answer's Timeout: enough for
// the stores that go on after it (see store) and the release.
const holdMargin = 4 * storeTimeout

// release ends the hold on the conversation of an answer that did not finish (a
// failure, its request ended), even when its request has ended. Should it fail, the hold
// lapses at until.
func (a *Agent) release(ctx context.Context, convID uuid.UUID, until time.Time) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := a.convs.ReleaseConversation(ctx, convID, until); err != nil {
		slog.WarnContext(ctx, "chat: the conversation stays held until its hold lapses", "conversation", convID, "until", until, "err", err)
	}
}

// finish stores the answer's reply and ends the conversation's hold until until, in one
// transaction; it goes on when the request has ended, as store does.
func (a *Agent) finish(ctx context.Context, convID uuid.UUID, until time.Time, reply string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := a.convs.FinishAnswer(ctx, convID, until, taskwire.Message{Role: taskwire.RoleAssistant, Content: reply}); err != nil {
		return fmt.Errorf("chat: store the reply: %w", err)
	}
	return nil
}

// store appends msgs to the conversation. It goes on when the request has ended (the
// client went away, the deadline passed): what the tools did is done, and the
// conversation must say so.
func (a *Agent) store(ctx context.Context, convID uuid.UUID, msgs ...taskwire.Message) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	_, err := a.convs.AppendMessages(ctx, convID, msgs...)
	return err
}

// toolFailure reports a tool call that failed for a reason of the server's: the deadline
// passing shows as a timeout, anything else as the internal error it is.
func (a *Agent) toolFailure(ctx context.Context, call taskwire.ToolCall, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &ModelError{Err: taskwire.Errorf(taskwire.ETIMEOUT, "the assistant did not finish within %v", a.cfg.Timeout), Cause: err}
	}
	return fmt.Errorf("chat: tool %s: %w", call.Name, err)
}

// turn is one answer of the model: its text and the tool calls it asks for.
type turn struct {
	text  string
	calls []taskwire.ToolCall
}

// complete calls the model once, streaming when obs wants deltas, and checks that the
// answer is whole (see finish).
func (a *Agent) complete(ctx context.Context, messages []openai.ChatCompletionMessageParamUnion, obs *Observer) (turn, error) {
	params := openai.ChatCompletionNewParams{Model: shared.ChatModel(a.model), Messages: messages, Tools: a.params()}
	if obs.Delta == nil {
		res, err := a.client.New(ctx, params)
		if err != nil {
			return turn{}, a.modelError(ctx, err)
		}
		if len(res.Choices) == 0 {
			return turn{}, &ModelError{Err: taskwire.Errorf(taskwire.EUPSTREAM, "the model answered no choices")}
		}
		choice := res.Choices[0]
		t := turn{text: choice.Message.Content}
		for _, c := range choice.Message.ToolCalls {
			t.calls = append(t.calls, taskwire.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: c.Function.Arguments})
		}
		return t.finish(choice.FinishReason, choice.Message.Refusal)
	}

	stream := a.client.NewStreaming(ctx, params)
	defer stream.Close()
	var t turn
	var text, refusal strings.Builder
	var reason string
	byIndex := map[int64]int{}
	for stream.Next() {
		chunk := stream.Current()
		if len(chunk.Choices) == 0 {
			continue
		}
		choice := chunk.Choices[0]
		if choice.FinishReason != "" {
			reason = choice.FinishReason
		}
		delta := choice.Delta
		if delta.Content != "" {
			text.WriteString(delta.Content)
			obs.Delta(delta.Content)
		}
		refusal.WriteString(delta.Refusal)
		for _, c := range delta.ToolCalls {
			i, ok := byIndex[c.Index]
			if !ok {
				i = len(t.calls)
				byIndex[c.Index] = i
				t.calls = append(t.calls, taskwire.ToolCall{})
			}
			if c.ID != "" {
				t.calls[i].ID = c.ID
			}
			t.calls[i].Name += c.Function.Name
			t.calls[i].Arguments += c.Function.Arguments
		}
	}
	if err := stream.Err(); err != nil {
		return turn{}, a.modelError(ctx, err)
	}
	t.text = text.String()
	if refusal.Len() > 0 && t.text == "" {
		obs.Delta(refusal.String())
	}
	return t.finish(reason, refusal.String())
}

// finish checks a turn by the model's finish reason and completes it. An answer the model
// did not finish (its length limit, its content filter, a stream that broke off without a
// reason) is EUPSTREAM, and its tool calls, whose arguments may be cut short, are not run;
// so is an answer with neither text nor tool calls. A refusal is the reply's text. Tool
// calls without an id, or with one another call of the turn has, get an id of their own:
// some servers leave it out, and the model only needs each result to match its call.
func (t turn) finish(reason, refusal string) (turn, error) {
	switch reason {
	case "length":
		return turn{}, &ModelError{Err: taskwire.Errorf(taskwire.EUPSTREAM, "the model's answer was cut off at its length limit")}
	case "content_filter":
		return turn{}, &ModelError{Err: taskwire.Errorf(taskwire.EUPSTREAM, "the model's answer was withheld by its content filter")}
	case "":
		return turn{}, &ModelError{Err: taskwire.Errorf(taskwire.EUPSTREAM, "the model's answer broke off before it finished")}
	}
	if t.text == "" && len(t.calls) == 0 {
		if refusal == "" {
			return turn{}, &ModelError{Err: taskwire.Errorf(taskwire.EUPSTREAM, "the model answered nothing")}
		}
		t.text = refusal
	}
	seen := map[string]bool{}
	for i, c := range t.calls {
		if c.ID == "" || seen[c.ID] {
			id := "call_" + strconv.Itoa(i)
			for seen[id] {
				id += "_"
			}
			t.calls[i].ID = id
		}
		seen[t.calls[i].ID] = true
	}
	return t, nil
}

// ModelError is a failure of the model: Err is the problem to report (ETIMEOUT,
// EUNAVAILABLE or EUPSTREAM) and RetryAfter, for a rate limit, how long to wait.
type ModelError struct {
	Err        *taskwire.Error
	RetryAfter time.Duration
	Cause      error
}

// Error implements the error interface.
func (e *ModelError) Error() string {
	if e.Cause != nil {
		return "model: " + e.Err.Message + ": " + e.Cause.Error()
	}
	return "model: " + e.Err.Message
}

// Unwrap returns the problem and its cause, so that errors.As finds the *taskwire.Error.
func (e *ModelError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// modelError classifies a failed model call.
func (a *Agent) modelError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("chat: the client went away: %w", ctx.Err())
	}
	var netErr net.Error
	var apiErr *openai.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout()):
		return &ModelError{Err: taskwire.Errorf(taskwire.ETIMEOUT, "the model did not answer within %v; try again", a.cfg.Timeout), Cause: err}
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests:
		wait := retryAfter(apiErr.Response)
		return &ModelError{Err: taskwire.Errorf(taskwire.EUNAVAILABLE, "the model is rate limited; try again in %d s",
			int(wait.Seconds())), RetryAfter: wait, Cause: err}
	case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusGatewayTimeout || apiErr.StatusCode == http.StatusRequestTimeout):
		return &ModelError{Err: taskwire.Errorf(taskwire.ETIMEOUT, "the model timed out; try again"), Cause: err}
	case errors.As(err, &apiErr):
		slog.WarnContext(ctx, "model call failed", "status", apiErr.StatusCode, "err", err)
		return &ModelError{Err: taskwire.Errorf(taskwire.EUPSTREAM, "the model failed with HTTP %d", apiErr.StatusCode), Cause: err}
	}
	slog.WarnContext(ctx, "model call failed", "err", err)
	return &ModelError{Err: taskwire.Errorf(taskwire.EUPSTREAM, "the model cannot be reached"), Cause: err}
}

// retryAfter reads a rate limit's wait from Retry-After (seconds) or retry-after-ms,
// rounded up to whole seconds; one second when neither says.
func retryAfter(res *http.Response) time.Duration {
	if res != nil {
		if ms, err := strconv.ParseFloat(res.Header.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
			return (time.Duration(ms)*time.Millisecond + time.Second - 1).Truncate(time.Second)
		}
		if s, err := strconv.Atoi(strings.TrimSpace(res.Header.Get("Retry-After"))); err == nil && s > 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(res.Header.Get("Retry-After")); err == nil {
			if d := time.Until(t); d > 0 {
				return (d + time.Second - 1).Truncate(time.Second)
			}
		}
	}
	return time.Second
}

// ArgumentsJSON returns a tool call's arguments as JSON: as written when they are JSON,
// else as a JSON string of the text.
func ArgumentsJSON(args string) json.RawMessage {
	if json.Valid([]byte(args)) {
		return json.RawMessage(args)
	}
	b, _ := json.Marshal(args)
	return b
}

// SystemPrompt tells the model what it is and what time it is in the user's zone; while
// that is UTC, every new account's zone, to ask where the user is when it matters.
func SystemPrompt(now time.Time, zone string) string {
	loc := taskwire.LoadZone(zone)
	if zone == "" {
		zone = "UTC"
	}
	local := now.In(loc)
	unset := ""
	if zone == "UTC" {
		unset = "The user's zone is UTC, which every new account has until it is set: before you give a task a " +
			"time of day, unless the user said they live by UTC, ask where they are and set it with set_time_zone.\n"
	}
	return "You are Taskwire's assistant. You manage the signed-in user's todo list with the tools given, and only " +
		"theirs: you cannot see or change anyone else's tasks. Tasks have a number the user can say (\"task 3\"); " +
		"pass it as task_id. Add, list, complete, reopen, reschedule, update, delete and restore tasks as asked; " +
		"for several changes, make several calls. Before deleting a task the user named only vaguely, look it up first. " +
		"To skip an occurrence of a repeating task the user will not do, use skip_occurrence, not complete_task; " +
		"undo_skip takes a skip back. When the user says a repeating task is done for good (\"that was the last " +
		"session\", \"stop repeating it\"), complete it with end_series true: no next occurrence follows. " +
		"The user's own order of tasks, arranged by hand, is list_tasks with sort position; move_task puts a task " +
		"before or after another there, or at the top or bottom (\"put the dentist first\"). " +
		"rename_tag and delete_tag change a tag on every task at once. " +
		"A listing the user wants to come back to is a saved filter: save_filter saves it under a name, list_tasks " +
		"with filter lists it, list_filters and delete_filter keep them. " +
		"A task's steps are its checklist: give them as checklist to add_task or update_task (update_task " +
		"replaces the whole list, so send the steps the task has with the new ones), and tick one off with check_step. " +
		"What is on today (or this week) is list_tasks with due today (or week) and with_overdue, so that nothing " +
		"overdue is missed. " +
		"What the user got done is list_tasks with completed_after (e.g. the start of the day) and sort -completed_at; " +
		"how many a day, against their daily goal, and their streak is get_stats, and set_daily_goal sets the goal. " +
		"Reminders that fired are notifications: list_notifications shows which the user missed, and snooze_reminder " +
		"reminds them again later (\"remind me again in an hour\") by a notification's id from list_notifications. " +
		"set_daily_summary sends the user the day's tasks each day at a time they choose, or stops it. " +
		"When the user says they are in another time zone (\"I'm in Tokyo now\"), set_time_zone sets it; their tasks " +
		"keep their local times. " +
		"task_history says what happened to a task and when, each change with its old value: \"when did I move " +
		"the dentist?\", or a description to put back as it was with update_task. " +
		"If a tool returns an error, fix the arguments and try again, or tell the user what is wrong.\n" +
		"Now it is " + local.Format("Monday, 2 January 2006, 15:04") + " in the user's time zone " + zone +
		" (UTC" + local.Format("-07:00") + " today; the offset changes with daylight saving time). Read dates and " +
		"times the user gives in that zone, and pass them to the tools as local times without an offset, e.g. " +
		local.Format("2006-01-02T15:04:05") + ": the tools apply the zone's offset on that date. A task due on a day " +
		"rather than at a time (\"pay rent on the 1st\", \"call the bank tomorrow\") is all-day: pass due_date, e.g. " +
		local.Format("2006-01-02") + ", not due_at. Tools return each " +
		"task's times with the offset of its own zone, and listed notifications with the user's.\n" + unset +
		"Answer briefly and plainly, naming the tasks you changed by number and title."
}
