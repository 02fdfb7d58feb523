// Command eventbench measures Taskwire's event flow with the whole app in one process, for
// `make bench`: how many task.completed events per second become the next occurrence of
// their series, and how late reminders due in the same minute fire and reach their users'
// webhooks. It creates a database of its own on the local PostgreSQL server, drops it at
// the end (also on an error or an interrupt), and prints one table. A missed target is a
// result, not a failure: the command exits non-zero only when the benchmark cannot run.
//
//	go run ./cmd/eventbench                            # the full run, a few minutes
//	go run ./cmd/eventbench -tasks 500 -reminders 500  # a smoke run
//
// It holds no speed assertions for tests; the targets live in its table.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	function "github.com/taskwire/taskwire"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/events"
	"github.com/taskwire/taskwire/shared/notify"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// Targets of issue 3 §6.
const (
	targetEventsPerSec = 1000.0
	targetP99          = time.Second
	fullReminders      = 10000 // due in the same minute
)

// config is what the flags set.
type config struct {
	server     string
	tasks      int
	reminders  int
	users      int
	workers    int
	lead       time.Duration
	window     time.Duration
	timeout    time.Duration
	scenarios  []string
	verbose    bool
	cpuprofile string
	explain    time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, runs the benchmarks and prints the table to stdout; it returns the
// exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "eventbench:", err)
		return 2
	}
	// The app's errors are counted for the table; with -v its log goes to stderr too.
	level := slog.LevelError + 4 // above every level: nothing
	if cfg.verbose {
		level = slog.LevelInfo
	}
	logs := newLogCounter(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(slog.New(logs))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second interrupt ends the process at once
	}()
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "eventbench:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "eventbench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	progress := func(format string, args ...any) {
		fmt.Fprintf(stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
	}
	// Stopping the app cuts the reminders' requests under way, which it logs: those
	// errors are not counted.
	quiet := func() { logs.counting.Store(false) }
	rows, err := bench(ctx, cfg, progress, quiet)
	if err != nil {
		fmt.Fprintln(stderr, "eventbench:", err)
		return 1
	}
	total, top := logs.summary()
	for _, t := range top {
		progress("app errors: %s", t)
	}
	rows = append(rows, info("app errors logged", fmt.Sprint(total)))
	printTable(stdout, rows)
	return 0
}

// logCounter is the app's log handler: it counts the error records by message (and
// error) and passes every record on to next, which may drop it.
type logCounter struct {
	next     slog.Handler
	counting *atomic.Bool
	mu       *sync.Mutex
	errs     map[string]int
}

func newLogCounter(next slog.Handler) *logCounter {
	h := &logCounter{next: next, counting: &atomic.Bool{}, mu: &sync.Mutex{}, errs: map[string]int{}}
	h.counting.Store(true)
	return h
}

// Enabled reports whether a record at l is counted or logged.
func (h *logCounter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.next.Enabled(ctx, l)
}

// Handle counts r if it is an error and passes it on.
func (h *logCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && h.counting.Load() {
		key := r.Message
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "err" {
				key += ": " + a.Value.String()
				return false
			}
			return true
		})
		h.mu.Lock()
		h.errs[key]++
		h.mu.Unlock()
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a handler that counts into the same tally.
func (h *logCounter) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.next = h.next.WithAttrs(attrs)
	return &c
}

// WithGroup returns a handler that counts into the same tally.
func (h *logCounter) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	return &c
}

// summary returns how many errors were counted and the most frequent, with their counts.
func (h *logCounter) summary() (int, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	total := 0
	var top []string
	for k, n := range h.errs {
		total += n
		if len(k) > 160 {
			k = k[:160] + "…"
		}
		top = append(top, fmt.Sprintf("%6d × %s", n, k))
	}
	slices.Sort(top)
	slices.Reverse(top)
	return total, top[:min(len(top), 5)]
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("eventbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := os.Getenv("TEST_DATABASE_URL")
	if server == "" {
		server = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	var cfg config
	var scenarios string
	fs.StringVar(&cfg.server, "server", server, "PostgreSQL server (a superuser) where the benchmark's database is created")
	fs.IntVar(&cfg.tasks, "tasks", 10000, "recurring tasks completed in the recurrence benchmark (0 skips it)")
	fs.IntVar(&cfg.reminders, "reminders", 10000, "reminders per reminder scenario (0 skips them)")
	fs.IntVar(&cfg.users, "users", 100, "users the tasks and reminders are spread over")
	fs.IntVar(&cfg.workers, "workers", 8, "concurrent clients that seed and complete tasks")
	fs.DurationVar(&cfg.lead, "lead", 0, "time from the end of seeding to the first reminder (0: 25s for 10 000 reminders, scaled down with -reminders, at least 3s)")
	fs.DurationVar(&cfg.window, "window", 0, "the spread scenario's reminders fall due evenly over this window (0: a minute for 10 000 reminders, scaled with -reminders to keep the rate, at least 3s)")
	fs.DurationVar(&cfg.timeout, "timeout", 3*time.Minute, "how long to wait for a stage to finish before reporting what is missing")
	fs.StringVar(&scenarios, "scenarios", "spread,instant", "reminder scenarios: spread (over -window), instant (all at one moment)")
	fs.BoolVar(&cfg.verbose, "v", false, "log the app's info and warnings to stderr")
	fs.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (app included) to this file")
	fs.DurationVar(&cfg.explain, "explain", 0, "log the plans of the app's statements slower than this to the PostgreSQL server's log (auto_explain)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.tasks < 0 || cfg.reminders < 0 || cfg.users < 1 || cfg.workers < 1 || cfg.window < 0 || cfg.timeout <= 0 {
		return cfg, errors.New("-tasks and -reminders must be >= 0, -users and -workers >= 1, -timeout > 0")
	}
	// A smaller run keeps the full run's rate of reminders, in less time.
	scale := func(full time.Duration) time.Duration {
		return min(max(time.Duration(float64(full)*float64(cfg.reminders)/fullReminders), 3*time.Second), full)
	}
	if cfg.lead == 0 {
		cfg.lead = scale(25 * time.Second)
	}
	if cfg.window == 0 {
		cfg.window = scale(time.Minute)
	}
	for _, s := range strings.Split(scenarios, ",") {
		switch s = strings.TrimSpace(s); s {
		case "":
		case scenarioSpread, scenarioInstant:
			cfg.scenarios = append(cfg.scenarios, s)
		default:
			return cfg, fmt.Errorf("-scenarios: unknown scenario %q (spread, instant)", s)
		}
	}
	return cfg, nil
}

// bench sets up the environment, runs every benchmark and returns the table's rows.
func bench(ctx context.Context, cfg config, progress func(string, ...any), quiet func()) (rows []row, err error) {
	// The numbers assume an otherwise idle machine, whose CPUs the hypervisor leaves alone.
	before := readCPUTicks()
	time.Sleep(2 * time.Second)
	start := readCPUTicks()
	busy := "?"
	if pct, _, ok := start.since(before); ok {
		busy = fmt.Sprintf("%.0f %%", pct)
		if pct >= 25 {
			progress("warning: the machine's CPUs are %s busy before the benchmark; its numbers will be low", busy)
		}
	}
	progress("%d CPUs, %s busy before the benchmark", runtime.NumCPU(), busy)
	progress("starting the app on a database of its own")
	env, err := newEnv(ctx, cfg.server, cfg.workers, cfg.explain)
	if err != nil {
		return nil, err
	}
	defer func() {
		quiet()
		if cerr := env.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	progress("database %s, API at %s", env.dbName, env.api.URL)

	if cfg.tasks > 0 {
		r, err := benchRecurrence(ctx, env, cfg, progress)
		if err != nil {
			return nil, fmt.Errorf("recurrence: %w", err)
		}
		rows = append(rows, r...)
	}
	if cfg.reminders > 0 {
		for _, s := range cfg.scenarios {
			if err := env.drain(ctx, cfg.timeout); err != nil {
				return nil, err
			}
			if err := env.settle(ctx); err != nil {
				return nil, err
			}
			r, err := benchReminders(ctx, env, cfg, s, progress)
			if err != nil {
				return nil, fmt.Errorf("reminders (%s): %w", s, err)
			}
			rows = append(rows, r...)
		}
	}
	dead, err := env.count(ctx, `SELECT count(*) FROM broker_deliveries WHERE state = 'dead'`)
	if err != nil {
		return nil, err
	}
	rows = append(rows, row{name: "dead letters", value: fmt.Sprint(dead), target: "0", result: passFail(dead == 0)})
	rows = append(rows, info("CPU busy before the run", busy))
	if _, steal, ok := readCPUTicks().since(start); ok {
		rows = append(rows, info("CPU stolen by the hypervisor", fmt.Sprintf("%.0f %%", steal)))
	}
	return rows, nil
}

// cpuTicks is the machine's CPU time so far, from /proc/stat, in ticks.
type cpuTicks struct {
	total, idle, steal uint64
	ok                 bool // false where there is no /proc/stat
}

func readCPUTicks() cpuTicks {
	b, err := os.ReadFile("/proc/stat")
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if err != nil || len(f) < 9 || f[0] != "cpu" {
		return cpuTicks{}
	}
	var c cpuTicks
	for i, s := range f[1:] {
		var v uint64
		if _, err := fmt.Sscan(s, &v); err != nil {
			return cpuTicks{}
		}
		c.total += v
		switch i {
		case 3, 4: // idle, iowait
			c.idle += v
		case 7:
			c.steal += v
		}
	}
	c.ok = true
	return c
}

// since returns the share of the CPU time between then and c that was busy, and the
// share that the hypervisor stole (time a virtual CPU wanted and did not get), in
// percent; false when they cannot be told.
func (c cpuTicks) since(then cpuTicks) (busy, steal float64, ok bool) {
	if !c.ok || !then.ok || c.total <= then.total {
		return 0, 0, false
	}
	total := float64(c.total - then.total)
	return 100 * (1 - float64(c.idle-then.idle)/total), 100 * float64(c.steal-then.steal) / total, true
}

// row is one line of the table.
type row struct {
	name, value, target, result string
}

// info is a row that explains, with no target of its own.
func info(name, value string) row {
	return row{name: "  " + name, value: value, target: "-", result: "info"}
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// printTable prints rows under the header `benchmark value target result`.
func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tvalue\ttarget\tresult")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.name, r.value, r.target, r.result)
	}
	_ = tw.Flush()
}

// seconds formats d in seconds, to the millisecond.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f s", d.Seconds())
}

// env is the app under test and the connections the benchmark drives and measures it with.
type env struct {
	serverURL string
	dbName    string
	dbURL     string
	dir       string
	created   bool
	app       *function.Function
	api       *httptest.Server
	issuer    *auth.DevIssuer
	db        *postgres.DB          // the clients' pool: they seed and complete as the API would
	tasks     *postgres.TaskService // on db
	su        *pgxpool.Pool         // the connecting superuser: counts across users
	seedRate  float64               // tasks created per second by the last seeding
}

// newEnv creates the database taskwire_eventbench_<pid> on the server, starts the whole
// app on it as the program does and serves its API on 127.0.0.1.
func newEnv(ctx context.Context, serverURL string, workers int, explain time.Duration) (e *env, err error) {
	e = &env{serverURL: serverURL, dbName: fmt.Sprintf("taskwire_eventbench_%d", os.Getpid())}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close())
			e = nil
		}
	}()
	if e.dbURL, err = withDatabase(serverURL, e.dbName); err != nil {
		return e, fmt.Errorf("-server: %w", err)
	}
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return e, fmt.Errorf("connect to the PostgreSQL server (is it running? make db): %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{e.dbName}.Sanitize()); err != nil {
		return e, fmt.Errorf("create database %s: %w", e.dbName, err)
	}
	e.created = true
	if explain > 0 {
		// Every connection of the app loads auto_explain: the plans of slow statements go
		// to the server's log.
		for _, set := range []string{
			"session_preload_libraries = 'auto_explain'",
			fmt.Sprintf("auto_explain.log_min_duration = %d", explain.Milliseconds()),
			"auto_explain.log_analyze = on",
		} {
			if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{e.dbName}.Sanitize()+" SET "+set); err != nil {
				return e, fmt.Errorf("-explain: %w", err)
			}
		}
	}

	if e.dir, err = os.MkdirTemp("", "eventbench-"); err != nil {
		return e, err
	}
	app := function.New()
	if err := app.Start(ctx, map[string]string{
		"DATABASE_URL": e.dbURL, "TASKWIRE_DATA_DIR": e.dir, "NOTIFY_ALLOW_PRIVATE": "true",
	}); err != nil {
		return e, fmt.Errorf("start the app: %w", err)
	}
	e.app = app
	e.api = httptest.NewServer(http.HandlerFunc(app.Handle))
	if e.issuer, err = auth.LoadDevIssuer(e.dir); err != nil {
		return e, fmt.Errorf("development token issuer: %w", err)
	}
	if e.db, err = postgres.Open(ctx, postgres.Config{URL: e.dbURL, MaxConns: int32(workers) + 2}); err != nil {
		return e, fmt.Errorf("clients' pool: %w", err)
	}
	e.tasks = postgres.NewTaskService(e.db)
	poolCfg, err := pgxpool.ParseConfig(e.dbURL)
	if err != nil {
		return e, err
	}
	poolCfg.MaxConns = 2
	if e.su, err = pgxpool.NewWithConfig(ctx, poolCfg); err != nil {
		return e, fmt.Errorf("measuring pool: %w", err)
	}
	return e, nil
}

// Close stops the app and drops the database; it is safe on a partly built env.
func (e *env) Close() error {
	if e.api != nil {
		e.api.Close()
	}
	if e.app != nil {
		_ = e.app.Stop(context.Background())
	}
	if e.db != nil {
		e.db.Close()
	}
	if e.su != nil {
		e.su.Close()
	}
	var err error
	if e.created {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, cerr := pgx.Connect(ctx, e.serverURL)
		if cerr == nil {
			_, cerr = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{e.dbName}.Sanitize()+" WITH (FORCE)")
			_ = conn.Close(ctx)
		}
		if cerr != nil {
			err = fmt.Errorf("drop database %s: %w", e.dbName, cerr)
		}
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
	return err
}

// withDatabase returns server, a URL or a key=value connection string, naming database
// name instead of its own.
func withDatabase(server, name string) (string, error) {
	if !strings.Contains(server, "://") {
		return server + " dbname=" + name, nil
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	u.Path, u.RawPath = "/"+name, ""
	return u.String(), nil
}

// count runs a query that returns one number, as the superuser.
func (e *env) count(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	if err := e.su.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("measure: %w", err)
	}
	return n, nil
}

// drain waits until the outbox is published and the broker has nothing pending, so that
// one benchmark's events do not slow the next.
func (e *env) drain(ctx context.Context, timeout time.Duration) error {
	var left int64
	done, err := poll(ctx, timeout, 100*time.Millisecond, func() (bool, error) {
		var err error
		left, err = e.count(ctx, `SELECT (SELECT count(*) FROM outbox_pending)
			+ (SELECT count(*) FROM broker_deliveries WHERE state = 'pending')`)
		return left == 0, err
	})
	if err == nil && !done {
		err = fmt.Errorf("the event flow did not drain within %s: %d outbox rows and deliveries pending", timeout, left)
	}
	return err
}

// settle runs VACUUM ANALYZE on the benchmark's database before a reminder scenario, so
// that it does not start behind the dead rows of the benchmarks before it: with
// autovacuum off (as on the CI machine's PostgreSQL), nothing else removes what their
// updates of deliveries, reminders and tasks left, and the instant scenario, run last,
// took 50 s instead of 10 s for it. The recurrence benchmark, first on an empty
// database, needs none (an ANALYZE of the empty tables there misled the planner).
func (e *env) settle(ctx context.Context) error {
	if _, err := e.su.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// poll calls cond every interval until it reports done (true), fails, ctx ends or timeout
// passes (false, nil).
func poll(ctx context.Context, timeout, interval time.Duration, cond func() (bool, error)) (bool, error) {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		done, err := cond()
		if err != nil || done {
			return done, err
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-tick.C:
		}
	}
}

// parallel runs do(i) for i in [0, n) on workers goroutines, stopping at the first error.
func parallel(ctx context.Context, workers, n int, do func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := do(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// retry calls do up to 3 times while it fails with a conflict or an unavailable database,
// which a client would retry too.
func retry(do func() error) error {
	var err error
	for range 3 {
		err = do()
		if c := taskwire.ErrorCode(err); c != taskwire.ECONFLICT && c != taskwire.EUNAVAILABLE {
			return err
		}
	}
	return err
}

// userNames returns n user ids for a benchmark.
func userNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("eventbench-%s-%03d", prefix, i)
	}
	return out
}

// seed creates n tasks, the i-th from fields(i) for user users[i%len(users)], through the
// store as the API would, and returns their ids.
func (e *env) seed(ctx context.Context, workers, n int, users []string, fields func(i int) (taskwire.TaskFields, error)) ([]string, error) {
	ids := make([]string, n)
	start := time.Now()
	err := parallel(ctx, workers, n, func(ctx context.Context, i int) error {
		f, err := fields(i)
		if err != nil {
			return err
		}
		ctx = taskwire.NewContextWithUser(ctx, users[i%len(users)])
		return retry(func() error {
			t, _, err := e.tasks.CreateTask(ctx, f, taskwire.IdempotencyKey{})
			if err == nil {
				ids[i] = t.ID.String()
			}
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("seed tasks: %w", err)
	}
	e.seedRate = float64(n) / time.Since(start).Seconds()
	return ids, nil
}

// benchRecurrence completes n recurring tasks as fast as the clients can and measures
// how soon their next occurrences exist: the sustained rate of task.completed events
// through the relay, the broker and the recurrence function.
func benchRecurrence(ctx context.Context, e *env, cfg config, progress func(string, ...any)) ([]row, error) {
	n := cfg.tasks
	users := userNames("rec", cfg.users)
	due := time.Now().Add(-time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	rule := "FREQ=DAILY"
	fields, err := taskwire.NewTask{Title: "Water the plants", DueAt: &due, Recurrence: &rule}.Fields()
	if err != nil {
		return nil, err
	}
	progress("recurrence: seeding %d daily tasks over %d users", n, len(users))
	ids, err := e.seed(ctx, cfg.workers, n, users, func(int) (taskwire.TaskFields, error) { return fields, nil })
	if err != nil {
		return nil, err
	}
	progress("recurrence: seeded at %.0f tasks/s; waiting for their events to drain", e.seedRate)
	if err := e.drain(ctx, cfg.timeout); err != nil {
		return nil, err
	}

	progress("recurrence: completing %d tasks with %d clients", n, cfg.workers)
	start := time.Now()
	var (
		made    int64
		madeAt  time.Time
		watched = make(chan error, 1)
	)
	go func() {
		// The count reads every task: polled often, it would take a share of the
		// machine from what is measured. The rate is taken from when the last next
		// occurrence was created, as the database recorded it, not from this poll.
		done, err := poll(ctx, cfg.timeout, 500*time.Millisecond, func() (bool, error) {
			var err error
			made, err = e.count(ctx, `SELECT count(*) FROM tasks WHERE series_index = 2`)
			madeAt = time.Now()
			return made >= int64(n), err
		})
		if err == nil && !done {
			progress("recurrence: timed out after %s with %d of %d next occurrences", cfg.timeout, made, n)
		}
		watched <- err
	}()
	err = parallel(ctx, cfg.workers, n, func(ctx context.Context, i int) error {
		ctx = taskwire.NewContextWithUser(ctx, users[i%len(users)])
		return retry(func() error {
			_, err := e.tasks.SetStatus(ctx, ids[i], "", taskwire.StatusCompleted)
			return err
		})
	})
	completed := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("complete tasks: %w", err)
	}
	progress("recurrence: completed in %s; waiting for the next occurrences", completed.Round(time.Millisecond))
	if err := <-watched; err != nil {
		return nil, err
	}
	stages, lastMade, err := recurrenceStages(ctx, e, start)
	if err != nil {
		return nil, err
	}
	if lastMade.After(start) {
		madeAt = lastMade
	}
	elapsed := madeAt.Sub(start)
	rate := float64(made) / elapsed.Seconds()
	progress("recurrence: %d next occurrences after %s", made, elapsed.Round(time.Millisecond))

	rows := []row{
		{name: "recurrence events/s", value: fmt.Sprintf("%.0f /s", rate), target: fmt.Sprintf(">= %.0f /s", targetEventsPerSec),
			result: passFail(made == int64(n) && rate >= targetEventsPerSec)},
		info("next occurrences", fmt.Sprintf("%d/%d", made, n)),
		info("completions/s (clients)", fmt.Sprintf("%.0f /s", float64(n)/completed.Seconds())),
	}
	return append(rows, stages...), nil
}

// recurrenceStages reads from the database when each stage of the recurrence flow had
// handled its last event, relative to start: the completions, the relay, the broker's
// deliveries to the recurrence function, and the next occurrences; and the rate of next
// occurrences while the clients were completing tasks and after, when the flow had the
// machine to itself. It returns when the last next occurrence was created too (zero
// when none was).
func recurrenceStages(ctx context.Context, e *env, start time.Time) ([]row, time.Time, error) {
	var completed, published, delivered, created *time.Time
	var deliveries, madeWhileCompleting, made int64
	err := e.su.QueryRow(ctx, `
		WITH c AS (SELECT max(time) AS last FROM outbox WHERE type = $1)
		SELECT
			(SELECT last FROM c),
			(SELECT max(accepted_at) FROM broker_events WHERE type = $1),
			(SELECT max(d.updated_at) FROM broker_deliveries d JOIN broker_events b ON b.seq = d.event_seq
				WHERE b.type = $1 AND d.trigger = 'recurrence' AND d.state = 'delivered'),
			(SELECT max(created_at) FROM tasks WHERE series_index = 2),
			(SELECT count(*) FROM broker_deliveries WHERE state = 'delivered' AND updated_at >= $2),
			(SELECT count(*) FROM tasks WHERE series_index = 2 AND created_at <= (SELECT last FROM c)),
			(SELECT count(*) FROM tasks WHERE series_index = 2)`,
		events.TypeTaskCompleted, start).Scan(&completed, &published, &delivered, &created, &deliveries,
		&madeWhileCompleting, &made)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("measure stages: %w", err)
	}
	at := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return fmt.Sprintf("+%.3f s", t.Sub(start).Seconds())
	}
	rows := []row{
		info("last completion committed", at(completed)),
		info("last task.completed relayed", at(published)),
		info("last recurrence delivery done", at(delivered)),
		info("last next occurrence created", at(created)),
	}
	if created != nil && created.After(start) {
		rows = append(rows, info("broker deliveries/s (all)", fmt.Sprintf("%.0f /s", float64(deliveries)/created.Sub(start).Seconds())))
	}
	if completed != nil && completed.After(start) {
		rows = append(rows, info("next occurrences/s while completing", fmt.Sprintf("%.0f /s", float64(madeWhileCompleting)/completed.Sub(start).Seconds())))
		if created != nil && created.After(*completed) {
			rows = append(rows, info("next occurrences/s after", fmt.Sprintf("%.0f /s", float64(made-madeWhileCompleting)/created.Sub(*completed).Seconds())))
		}
	}
	var last time.Time
	if created != nil {
		last = *created
	}
	return rows, last, nil
}

// Reminder scenarios.
const (
	scenarioSpread  = "spread"  // due evenly over a minute
	scenarioInstant = "instant" // all due at the same moment
)

// receiver is the users' webhook endpoint: it records when each reminder arrived.
type receiver struct {
	mu      sync.Mutex
	secrets map[string]string // by user, from the path /hook/{user}
	got     map[string]arrival
	counts  map[string]int // arrivals by scenario
	dups    map[string]int // repeated webhook-ids by scenario
	bad     map[string]int // signatures that do not verify, or payloads that do not parse
}

// arrival is one reminder's webhook.
type arrival struct {
	scenario string
	at       time.Time // received
	remindAt time.Time // the reminder's fire_at, from the payload
}

func newReceiver() *receiver {
	return &receiver{secrets: map[string]string{}, got: map[string]arrival{},
		counts: map[string]int{}, dups: map[string]int{}, bad: map[string]int{}}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(r.Body)
	var p struct {
		Data struct {
			Title    string    `json:"title"`
			RemindAt time.Time `json:"remind_at"`
		} `json:"data"`
	}
	if err == nil {
		err = json.Unmarshal(body, &p)
	}
	scenario, _, _ := strings.Cut(p.Data.Title, " #")
	user := strings.TrimPrefix(r.URL.Path, "/hook/")
	rc.mu.Lock()
	secret := rc.secrets[user]
	rc.mu.Unlock()
	if err == nil {
		err = notify.Verify(secret, r.Header, body)
	}

	rc.mu.Lock()
	defer rc.mu.Unlock()
	id := r.Header.Get("webhook-id")
	switch _, dup := rc.got[id]; {
	case err != nil:
		rc.bad[scenario]++
	case dup:
		rc.dups[scenario]++
	default:
		rc.got[id] = arrival{scenario: scenario, at: at, remindAt: p.Data.RemindAt}
		rc.counts[scenario]++
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) count(scenario string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.counts[scenario]
}

// lateness returns how late each of scenario's reminders arrived, sorted.
func (rc *receiver) lateness(scenario string) []time.Duration {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []time.Duration
	for _, a := range rc.got {
		if a.scenario == scenario {
			out = append(out, a.at.Sub(a.remindAt))
		}
	}
	slices.Sort(out)
	return out
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// benchReminders creates cfg.reminders reminders, due evenly over cfg.window (spread) or
// all at one moment (instant), for users whose webhooks point at a local receiver, and
// measures how late each arrives there after its fire_at. The app fires them as in
// production: the task events and the PingSource's minute tick wake the reminders
// function, which claims what falls due within its budget and chains follow-up ticks.
func benchReminders(ctx context.Context, e *env, cfg config, scenario string, progress func(string, ...any)) ([]row, error) {
	n := cfg.reminders
	rc := newReceiver()
	hooks := httptest.NewServer(rc)
	defer hooks.Close()

	users := userNames("rem-"+scenario, cfg.users)
	for _, u := range users {
		secret, err := e.setWebhook(ctx, u, hooks.URL+"/hook/"+u)
		if err != nil {
			return nil, err
		}
		rc.secrets[u] = secret
	}

	// The reminders fall due cfg.lead after the seeding is expected to end.
	rate := e.seedRate
	if rate <= 0 {
		rate = 500
	}
	first := time.Now().Add(time.Duration(2*float64(n)/rate*float64(time.Second)) + cfg.lead).Truncate(time.Second)
	window := cfg.window
	if scenario == scenarioInstant {
		window = 0
	}
	fireAt := func(i int) time.Time {
		return first.Add(time.Duration(int64(window) * int64(i) / int64(n)))
	}
	last := fireAt(n - 1)
	progress("reminders (%s): seeding %d tasks over %d users; they fall due from %s to %s",
		scenario, n, len(users), first.Format("15:04:05.000"), last.Format("15:04:05.000"))
	seedStart := time.Now()
	_, err := e.seed(ctx, cfg.workers, n, users, func(i int) (taskwire.TaskFields, error) {
		at := fireAt(i).UTC().Format(time.RFC3339Nano)
		due := fireAt(i).Add(time.Hour).UTC().Format(time.RFC3339Nano)
		return taskwire.NewTask{Title: fmt.Sprintf("%s #%d", scenario, i), DueAt: &due,
			Reminders: []taskwire.ReminderInput{{At: &at}}}.Fields()
	})
	if err != nil {
		return nil, err
	}
	margin := time.Until(first)
	progress("reminders (%s): seeded at %.0f tasks/s, %s before the first falls due; waiting for the webhooks",
		scenario, e.seedRate, margin.Round(time.Millisecond))

	done, err := poll(ctx, time.Until(last)+cfg.timeout, 100*time.Millisecond, func() (bool, error) {
		return rc.count(scenario) >= n, nil
	})
	if err != nil {
		return nil, err
	}
	if !done {
		progress("reminders (%s): timed out %s after the last fell due, with %d of %d", scenario, cfg.timeout, rc.count(scenario), n)
	}
	progress("reminders (%s): %d webhooks received", scenario, rc.count(scenario))

	late := rc.lateness(scenario)
	var early int
	for _, d := range late {
		if d < 0 {
			early++
		}
	}
	p99 := percentile(late, 99)
	name := "reminders " + scenario
	lateP99 := row{name: "  lateness p99", value: seconds(p99), target: "<= " + seconds(targetP99), result: passFail(len(late) == n && p99 <= targetP99)}
	if scenario == scenarioSpread {
		name += fmt.Sprintf(" (%s)", window)
	} else {
		// Issue 3's lateness target is for reminders due in the same minute, the spread
		// scenario. All at one instant, the last webhook waits for the ones before it:
		// that measures the pipeline's throughput, reported here, while firing keeps its
		// target (the fired row below).
		lateP99 = info("lateness p99", seconds(p99))
	}
	rows := []row{
		{name: name + ": received", value: fmt.Sprintf("%d/%d", len(late), n), target: "all", result: passFail(len(late) == n)},
		info("lateness min", seconds(percentile(late, 0))),
		info("lateness p50", seconds(percentile(late, 50))),
		info("lateness p90", seconds(percentile(late, 90))),
		lateP99,
		info("lateness max", seconds(percentile(late, 100))),
		{name: "  fired early", value: fmt.Sprint(early), target: "0", result: passFail(early == 0)},
	}
	rc.mu.Lock()
	dups, bad := rc.dups[scenario], rc.bad[scenario]
	rc.mu.Unlock()
	if dups > 0 {
		rows = append(rows, info("duplicate webhooks", fmt.Sprint(dups)))
	}
	if bad > 0 {
		rows = append(rows, row{name: "  bad signatures", value: fmt.Sprint(bad), target: "0", result: "FAIL"})
	}
	if margin < 0 {
		rows = append(rows, info("seeding overran first due by", seconds(-margin)))
	}
	stages, err := reminderStages(ctx, e, scenario, seedStart)
	if err != nil {
		return nil, err
	}
	return append(rows, stages...), nil
}

// setWebhook points user's webhook at url through the API, as the user would, and
// returns the signing secret it answers with.
func (e *env) setWebhook(ctx context.Context, user, hookURL string) (string, error) {
	token, err := e.issuer.Mint(user, time.Hour)
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	body, _ := json.Marshal(map[string]string{"webhook_url": hookURL})
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, e.api.URL+"/v1/me", strings.NewReader(string(body)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/merge-patch+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("PATCH /v1/me: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("PATCH /v1/me: got %d %s, want 200", resp.StatusCode, raw)
	}
	var me struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	if err := json.Unmarshal(raw, &me); err != nil || me.WebhookSecret == "" {
		return "", fmt.Errorf("PATCH /v1/me: no webhook_secret in %s", raw)
	}
	return me.WebhookSecret, nil
}

// reminderStages reads from the database how late scenario's reminders were at each
// stage before their webhook: fired (marked, with the event in the outbox), relayed to the
// broker, and stored as in-app notifications by notify.
func reminderStages(ctx context.Context, e *env, scenario string, since time.Time) ([]row, error) {
	like := scenario + " #%"
	// A stage with a target checks its p99 against targetP99: firing is what issue 3 §3
	// holds to it ("reminders fire within one second of fire_at at p99").
	stage := func(name, query string, target bool) (row, error) {
		var n int64
		var p50, p99, maxLate *float64
		if err := e.su.QueryRow(ctx, query, like).Scan(&n, &p50, &p99, &maxLate); err != nil {
			return row{}, fmt.Errorf("measure %s: %w", name, err)
		}
		if p50 == nil {
			return info(name, "none"), nil
		}
		r := info(name, fmt.Sprintf("%.3f/%.3f/%.3f s", *p50, *p99, *maxLate))
		if target {
			r.target = "p99 <= " + seconds(targetP99)
			r.result = passFail(*p99 <= targetP99.Seconds())
		}
		return r, nil
	}
	const stats = `count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY late), percentile_disc(0.99) WITHIN GROUP (ORDER BY late), max(late)`
	queries := []struct {
		name, query string
		target      bool
	}{
		{"fired p50/p99/max", `SELECT ` + stats + ` FROM (
			SELECT extract(epoch FROM r.fired_at - r.fire_at)::float8 AS late
			FROM reminders r JOIN tasks t ON t.id = r.task_id
			WHERE t.title LIKE $1 AND r.fired_at IS NOT NULL) s`, true},
		{"relayed p50/p99/max", `SELECT ` + stats + ` FROM (
			SELECT extract(epoch FROM b.accepted_at - (o.data->>'remind_at')::timestamptz)::float8 AS late
			FROM outbox o JOIN broker_events b ON b.source = o.source AND b.id = o.id::text
			WHERE o.type = '` + events.TypeReminderDue + `' AND o.data->>'title' LIKE $1) s`, false},
		{"in-app p50/p99/max", `SELECT ` + stats + ` FROM (
			SELECT extract(epoch FROM n.created_at - n.remind_at)::float8 AS late
			FROM notifications n WHERE n.title LIKE $1) s`, false},
	}
	var rows []row
	for _, q := range queries {
		r, err := stage(q.name, q.query, q.target)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	// What woke the reminders function meanwhile: the task events of the seeding, the
	// minute's pings and its own follow-up ticks.
	var requests, ticks int64
	err := e.su.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE b.type = $2)
		FROM broker_deliveries d JOIN broker_events b ON b.seq = d.event_seq
		WHERE d.trigger = 'reminders' AND b.accepted_at >= $1`, since, events.TypeRemindersTick).Scan(&requests, &ticks)
	if err != nil {
		return nil, fmt.Errorf("measure reminders requests: %w", err)
	}
	rows = append(rows, info("reminders requests (ticks)", fmt.Sprintf("%d (%d)", requests, ticks)))
	return rows, nil
}
