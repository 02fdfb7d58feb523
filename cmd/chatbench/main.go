// Command chatbench measures the chat function's own overhead per message, for
// `make bench`: the chat function (functions/chat, as `taskwire serve chat` runs it)
// answers POST /v1/chat over loopback HTTP while a scripted model (shared/chat/openaitest)
// answers at once, asking for one add_task call and then replying. What is measured is
// everything but the model's own time (the scripted model records how long it spent on
// each request, decoding included, and that is subtracted): authentication, loading the conversation, storing
// the messages, two model calls through openai-go to the local model, and the tool call
// against PostgreSQL. It creates a database of its own on the local PostgreSQL server,
// drops it at the end (also on an error or an interrupt), and prints one table. A missed
// target is a result, not a failure: the command exits non-zero only when the benchmark
// cannot run.
//
//	go run ./cmd/chatbench                 # 1000 messages per scenario
//	go run ./cmd/chatbench -requests 100   # a smoke run
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/taskwire/taskwire/cmd/internal/benchdb"
	chatfn "github.com/taskwire/taskwire/functions/chat"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/chat/openaitest"
)

// targetP99 is issue 4's target for one tool round.
const targetP99 = 10 * time.Millisecond

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the flags set.
type config struct {
	server   string
	requests int
	warmup   int
	users    int
	history  int
	profile  string
}

// run parses args, runs the scenarios and prints the table to stdout; it returns the
// exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chatbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.server, "server", benchdb.DefaultServer, "the PostgreSQL server to create the benchmark's database on")
	fs.IntVar(&cfg.requests, "requests", 1000, "messages measured per scenario, one at a time")
	fs.IntVar(&cfg.warmup, "warmup", 100, "messages sent before measuring")
	fs.IntVar(&cfg.users, "users", 4, "users the messages are spread over")
	fs.IntVar(&cfg.history, "history", 100, "earlier messages of each conversation in the continued scenario")
	fs.StringVar(&cfg.profile, "cpuprofile", "", "write a CPU profile of the measured messages to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cfg.requests < 1 || cfg.users < 1 || cfg.warmup < 0 || cfg.history < 0 {
		fmt.Fprintln(stderr, "chatbench: -requests and -users must be positive, -warmup and -history not negative")
		return 2
	}
	// The app's INFO lines would interleave with the table.
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.profile != "" {
		out, err := os.Create(cfg.profile)
		if err != nil {
			fmt.Fprintln(stderr, "chatbench:", err)
			return 1
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			fmt.Fprintln(stderr, "chatbench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	rows, err := bench(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "chatbench:", err)
		return 1
	}
	printTable(stdout, rows)
	return 0
}

// row is one line of the table.
type row struct {
	name          string
	n             int
	p50, p90, p99 time.Duration // of the function's own time: the answer's, less the model's
	totalP99      time.Duration // of the whole answer, the model's time included
}

// bench starts the chat function on a database of its own and runs the scenarios.
func bench(ctx context.Context, cfg config) (rows []row, err error) {
	db, err := benchdb.Create(ctx, cfg.server, fmt.Sprintf("taskwire_chatbench_%d", os.Getpid()))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, db.Drop()) }()
	dir, err := os.MkdirTemp("", "chatbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	model := openaitest.Start()
	defer model.Close()
	model.Handle(func(req openaitest.Request) openaitest.Reply {
		if len(req.ToolResults()) == 0 {
			return openaitest.Call("add_task", `{"title": "Benchmark task", "priority": "high", "tags": ["bench"]}`)
		}
		return openaitest.Text("Added the benchmark task.")
	})

	f := chatfn.New()
	if err := f.Start(ctx, map[string]string{
		"DATABASE_URL": db.URL, "TASKWIRE_DATA_DIR": dir,
		"OPENAI_API_KEY": "chatbench", "OPENAI_BASE_URL": model.BaseURL(),
		// Each message is counted against an allowance, as in a deployment, that the
		// benchmark's users (a few hundred messages each) never reach.
		"CHAT_DAILY_MESSAGES": "1000000",
	}); err != nil {
		return nil, fmt.Errorf("start the chat function: %w", err)
	}
	defer func() { err = errors.Join(err, f.Stop(context.Background())) }()
	srv := httptest.NewServer(http.HandlerFunc(f.Handle))
	defer srv.Close()

	issuer, err := auth.LoadDevIssuer(dir)
	if err != nil {
		return nil, fmt.Errorf("development token issuer: %w", err)
	}
	c := &client{url: srv.URL + "/v1/chat", http: srv.Client(), model: model}
	for i := range cfg.users {
		token, err := issuer.Mint(fmt.Sprintf("chatbench-%d", i), time.Hour)
		if err != nil {
			return nil, err
		}
		c.tokens = append(c.tokens, token)
	}

	// A new conversation per message.
	fresh := func(i int) (int, string) { return i % cfg.users, "" }
	if _, err := c.measure(ctx, cfg.warmup, fresh); err != nil {
		return nil, err
	}
	d, err := c.measure(ctx, cfg.requests, fresh)
	if err != nil {
		return nil, err
	}
	rows = append(rows, summarize("one tool round, new conversation", d))

	// One conversation per user, each with cfg.history messages before the measured ones
	// (a message with one tool round stores four).
	convs := make([]string, cfg.users)
	for u := range cfg.users {
		for range max(1, cfg.history/4) {
			id, _, err := c.send(ctx, u, convs[u])
			if err != nil {
				return nil, err
			}
			convs[u] = id
		}
	}
	d, err = c.measure(ctx, cfg.requests, func(i int) (int, string) { return i % cfg.users, convs[i%cfg.users] })
	if err != nil {
		return nil, err
	}
	rows = append(rows, summarize(fmt.Sprintf("one tool round, %d+ earlier messages", max(4, cfg.history/4*4)), d))
	return rows, nil
}

// client sends chat messages as the benchmark's users.
type client struct {
	url    string
	http   *http.Client
	tokens []string
	model  *openaitest.Server
}

// send sends one message as user u in conversation conv ("" for a new one) and returns
// the conversation's id and how long the answer took.
func (c *client) send(ctx context.Context, u int, conv string) (string, time.Duration, error) {
	body := map[string]string{"message": "add a benchmark task"}
	if conv != "" {
		body["conversation_id"] = conv
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", c.url, bytes.NewReader(b))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.tokens[u])
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return "", 0, err
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil {
		return "", 0, err
	}
	var reply struct {
		ConversationID string            `json:"conversation_id"`
		ToolCalls      []json.RawMessage `json:"tool_calls"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(data, &reply) != nil || len(reply.ToolCalls) != 1 {
		return "", 0, fmt.Errorf("POST /v1/chat: got %d %s, want 200 with one tool call", res.StatusCode, data)
	}
	return reply.ConversationID, took, nil
}

// timing is one message's answer time and the scripted model's share of it.
type timing struct {
	total, model time.Duration
}

// measure sends n messages one at a time, who(i) saying the user and conversation of
// the i-th, and returns their timings. The model answers nothing else meanwhile, so the
// growth of its busy time is its share of the message.
func (c *client) measure(ctx context.Context, n int, who func(i int) (int, string)) ([]timing, error) {
	out := make([]timing, 0, n)
	for i := range n {
		u, conv := who(i)
		before := c.model.Busy()
		_, took, err := c.send(ctx, u, conv)
		if err != nil {
			return nil, err
		}
		out = append(out, timing{total: took, model: c.model.Busy() - before})
	}
	return out, nil
}

// summarize returns the percentiles of the function's own time (the answer's less the
// model's) and the p99 of the whole answer.
func summarize(name string, ts []timing) row {
	own := make([]time.Duration, 0, len(ts))
	total := make([]time.Duration, 0, len(ts))
	for _, t := range ts {
		own = append(own, t.total-t.model)
		total = append(total, t.total)
	}
	slices.Sort(own)
	slices.Sort(total)
	return row{name: name, n: len(ts), p50: percentile(own, 50), p90: percentile(own, 90), p99: percentile(own, 99),
		totalP99: percentile(total, 99)}
}

// percentile returns the p-th percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func printTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "chat function overhead per message (POST /v1/chat, model answering at once):")
	fmt.Fprintln(w, "the answer's time less the scripted model's own time; p99 with the model's time included beside it")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tmessages\tp50\tp90\tp99\ttarget\tresult\tp99 with the model")
	for _, r := range rows {
		result := "PASS"
		if r.p99 > targetP99 {
			result = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\tp99 ≤ %s\t%s\t%s\n", r.name, r.n, ms(r.p50), ms(r.p90), ms(r.p99), ms(targetP99), result, ms(r.totalP99))
	}
	_ = tw.Flush()
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}
