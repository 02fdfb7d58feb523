// Command coldbench measures how Taskwire's functions start from nothing, for `make
// bench`: for each function (every directory of functions/, and the whole app) it builds
// the static binary `kn func build` would build (cmd/internal/funcbuild, after writing the
// function's .goproxy as make vendor does), then execs it -runs times with the binary
// evicted from the page cache and -runs times with it cached, one at a time and each a
// second (startGap) after the one before stopped, against a reachable database, and takes
// the time from exec to the first 200 on /health/readiness, and, once it has idled for
// -settle, its resident memory (VmRSS). It prints one table with the
// targets of issue 5: median start ≤ 50 ms and idle RSS ≤ 30 MB. Its first rows are the
// floor (cmd/coldbench/floor), measured the same way for reference: a program that opens
// one connection and answers readiness, which no function that needs its database can beat.
//
// The database is its own (taskwire_coldbench_<pid> on the -server), migrated once before
// any timing and dropped at the end, also on an error or an interrupt. A missed target is
// a result, not a failure: the command exits non-zero only when the benchmark cannot run.
//
//	go run ./cmd/coldbench                 # every function, 10 starts in each state
//	go run ./cmd/coldbench -runs 3 tasks   # a smoke run of one function
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/taskwire/taskwire/cmd/internal/funcbuild"
	"github.com/taskwire/taskwire/shared/postgres"
	"golang.org/x/sys/unix"
)

// Targets of issue 5 §4.
const (
	targetStart = 50 * time.Millisecond
	targetRSS   = 30 << 20
)

// startGap is how long after a function has stopped its next start begins (see measure).
const startGap = time.Second

// config is what the flags set.
type config struct {
	server   string
	runs     int
	settle   time.Duration
	interval time.Duration
	names    []string
	verbose  bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, measures and prints the table to stdout; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("coldbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.server, "server", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "the PostgreSQL server (a URL) where the benchmark creates its database")
	fs.IntVar(&cfg.runs, "runs", 10, "starts per function with its binary not cached, and as many cached")
	fs.DurationVar(&cfg.settle, "settle", time.Second, "how long a started function idles before its RSS is read")
	fs.DurationVar(&cfg.interval, "interval", time.Millisecond, "how often readiness is polled")
	fs.BoolVar(&cfg.verbose, "v", false, "show the functions' logs")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coldbench [flags] [FUNCTION...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	cfg.names = fs.Args()
	if cfg.runs < 1 {
		fmt.Fprintln(stderr, "coldbench: -runs must be at least 1")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	rows, err := bench(ctx, cfg, stderr)
	if len(rows) > 0 {
		printTable(stdout, rows)
	}
	if err != nil {
		fmt.Fprintln(stderr, "coldbench:", err)
		return 1
	}
	return 0
}

// result is one function's measurements with its binary in one state of the page cache.
type result struct {
	name      string
	binary    string          // binaryCold or binaryCached
	starts    []time.Duration // sorted
	rss       []int64         // sorted, bytes
	err       error           // why it could not be measured
	reference bool            // the floor: measured for comparison, not held to the targets
}

// floorName names the row of the reference start, cmd/coldbench/floor.
const floorName = "floor (one connection)"

// The states of a function's binary in the page cache that a start is measured in.
const (
	binaryCold   = "not cached" // as on a node that has not run the function lately
	binaryCached = "cached"     // by the start before, as on a node where it scaled to zero
)

// bench builds the functions, prepares the database and measures each function.
func bench(ctx context.Context, cfg config, progress io.Writer) (_ []result, err error) {
	fns, err := funcbuild.List(".")
	if err != nil {
		return nil, fmt.Errorf("run it from the repository root: %w", err)
	}
	if len(cfg.names) > 0 {
		fns = slices.DeleteFunc(fns, func(fn funcbuild.Function) bool { return !slices.Contains(cfg.names, fn.Name) })
		if len(fns) != len(cfg.names) {
			return nil, fmt.Errorf("unknown function among %v", cfg.names)
		}
	}
	tmp, err := os.MkdirTemp("", "coldbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// A function that does not build as func would is a result (its row says so), and
	// the others are measured.
	bins := map[string]string{}
	var unbuilt []result
	for _, fn := range fns {
		fmt.Fprintf(progress, "build %s as func would\n", fn.Name)
		bin := filepath.Join(tmp, "bin", fn.Name)
		err := funcbuild.Vendor(ctx, fn.Dir, filepath.Join(fn.Dir, funcbuild.ProxyDir))
		if err == nil {
			err = funcbuild.Build(ctx, fn, bin, funcbuild.Options{})
		}
		if err == nil {
			err = funcbuild.CheckStatic(bin)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			fmt.Fprintln(progress, "coldbench:", err)
			unbuilt = append(unbuilt, result{name: fn.Name, err: errors.New("no static build")})
			continue
		}
		bins[fn.Name] = bin
	}

	fmt.Fprintln(progress, "build the floor (cmd/coldbench/floor)")
	floor := filepath.Join(tmp, "bin", "floor")
	if err := buildFloor(ctx, floor); err != nil {
		return nil, err
	}

	dbURL, drop, err := createDatabase(ctx, cfg.server, fmt.Sprintf("taskwire_coldbench_%d", os.Getpid()))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, drop()) }()

	// The floor first: what no function that opens its database can beat on this machine.
	fmt.Fprintf(progress, "start the floor %d times with its binary not cached, %d times cached\n", cfg.runs, cfg.runs)
	rows, err := measure(ctx, cfg, funcbuild.Function{Name: floorName}, floor, dbURL, filepath.Join(tmp, "data", "floor"))
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].reference = true
	}
	for _, fn := range fns {
		if i := slices.IndexFunc(unbuilt, func(r result) bool { return r.name == fn.Name }); i >= 0 {
			rows = append(rows, unbuilt[i])
			continue
		}
		fmt.Fprintf(progress, "start %s %d times with its binary not cached, %d times cached\n", fn.Name, cfg.runs, cfg.runs)
		measured, err := measure(ctx, cfg, fn, bins[fn.Name], dbURL, filepath.Join(tmp, "data", fn.Name))
		if err != nil {
			return rows, err
		}
		rows = append(rows, measured...)
	}
	return rows, nil
}

// buildFloor builds cmd/coldbench/floor into out as the functions are built: static, with
// -trimpath.
func buildFloor(ctx context.Context, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "./cmd/coldbench/floor")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the floor: %w\n%s", err, msg)
	}
	return nil
}

// createDatabase creates the database name on server and migrates it, so that no timed
// start migrates; drop removes it.
func createDatabase(ctx context.Context, server, name string) (dbURL string, drop func() error, err error) {
	u, err := url.Parse(server)
	if err != nil || u.Scheme == "" {
		return "", nil, fmt.Errorf("-server %q: want a postgres:// URL", server)
	}
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", nil, fmt.Errorf("connect to the PostgreSQL server (is it running? make db): %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err == nil {
			_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			_ = conn.Close(ctx)
		}
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	u.Path, u.RawPath = "/"+name, ""
	dbURL = u.String()
	db, err := postgres.Open(ctx, postgres.Config{URL: dbURL})
	if err != nil {
		return "", nil, errors.Join(fmt.Errorf("migrate %s: %w", name, err), drop())
	}
	db.Close()
	return dbURL, drop, nil
}

// evict drops the file at name from the page cache, so that the next start reads the
// binary from the disk, as a scale from zero on a node that has not run it lately does.
func evict(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil { // written back first: dirty pages are not dropped
		return fmt.Errorf("sync %s: %w", name, err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("evict %s from the page cache: %w", name, err)
	}
	return nil
}

// measure execs fn's binary 2×cfg.runs times, one at a time, alternately with the binary
// evicted from the page cache and with it cached by the start before, and returns the
// measurements of each state. A start maps the pages it touches and, around each, those
// the cache holds, so the state decides much of its idle RSS; alternating makes each start
// find the same state as the others of its kind, whatever ran before. (Read whole, by cat
// or by this benchmark once, the binary sits in the cache in large folios and a start maps
// more around each fault: the whole app idled at 35–38 MB so, against 27–29 MB here.)
func measure(ctx context.Context, cfg config, fn funcbuild.Function, bin, dbURL, dataDir string) ([]result, error) {
	cold, cached := &result{name: fn.Name, binary: binaryCold}, &result{name: fn.Name, binary: binaryCached}
	env := []string{"DATABASE_URL=" + dbURL, "TASKWIRE_DATA_DIR=" + dataDir}
	if fn.Name != funcbuild.WholeApp {
		// In a cluster the split functions publish to the broker a SinkBinding names; the
		// whole app runs its own. Nothing is published here: the database has no events.
		env = append(env, "K_SINK=http://127.0.0.1:9/")
	}
	var logs io.Writer
	if cfg.verbose {
		logs = os.Stderr
	}
	for i := 0; i < 2*cfg.runs; i++ {
		r := cached
		if i%2 == 0 {
			r = cold
			if err := evict(bin); err != nil {
				return nil, err
			}
		}
		p, err := funcbuild.Exec(bin, env, logs)
		if err != nil {
			return nil, err
		}
		waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		ready, err := p.WaitReady(waitCtx, cfg.interval)
		cancel()
		if err == nil {
			r.starts = append(r.starts, ready.Sub(p.Started))
			select {
			case <-ctx.Done():
				err = ctx.Err()
			case <-time.After(cfg.settle):
				var rss int64
				if rss, err = p.RSS(); err == nil {
					r.rss = append(r.rss, rss)
				}
			}
		}
		if stopErr := p.Stop(15 * time.Second); err == nil && stopErr != nil {
			err = fmt.Errorf("%s after SIGTERM: %w", fn.Name, stopErr)
		}
		if err == nil {
			// A scale from zero comes long after the last instance went. Right after one
			// stopped, its exit (the process's and its server sessions') still takes the
			// cores: started at once, the whole app's median start here was 10–30 ms
			// slower, its binary cached.
			select {
			case <-ctx.Done():
				err = ctx.Err()
			case <-time.After(startGap):
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s, start %d (binary %s): %w", fn.Name, i+1, r.binary, err)
		}
	}
	for _, r := range []*result{cold, cached} {
		slices.Sort(r.starts)
		slices.Sort(r.rss)
	}
	return []result{*cold, *cached}, nil
}

// percentile returns the p-th percentile (0 < p ≤ 1) of sorted by the nearest rank.
func percentile[T any](sorted []T, p float64) T {
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// printTable writes the results with the targets.
func printTable(w io.Writer, rows []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "function\tbinary\tstarts\tmedian\tp90\tmax\tstart ≤ %s\tidle RSS\tRSS ≤ %d MB\n", ms(targetStart), targetRSS>>20)
	for _, r := range rows {
		if r.err != nil {
			fmt.Fprintf(tw, "%s\t-\t0\t-\t-\t-\tFAIL (%v)\t-\tFAIL\n", r.name, r.err)
			continue
		}
		if len(r.starts) == 0 {
			continue
		}
		med, rss := percentile(r.starts, 0.5), percentile(r.rss, 0.5)
		startResult, rssResult := passFail(med <= targetStart), passFail(rss <= targetRSS)
		if r.reference {
			startResult, rssResult = "-", "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%.1f MB\t%s\n", r.name, r.binary, len(r.starts),
			ms(med), ms(percentile(r.starts, 0.9)), ms(r.starts[len(r.starts)-1]), startResult,
			float64(rss)/(1<<20), rssResult)
	}
	_ = tw.Flush()
	if slices.ContainsFunc(rows, func(r result) bool { return r.reference }) {
		fmt.Fprintf(w, "%s: a static Go program that opens one PostgreSQL connection and then answers readiness;\n", floorName)
		fmt.Fprintln(w, "a function that is ready only once its database answers cannot start sooner on this machine.")
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
