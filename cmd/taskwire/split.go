package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	function "github.com/taskwire/taskwire"
	chat "github.com/taskwire/taskwire/functions/chat"
	notify "github.com/taskwire/taskwire/functions/notify"
	recurrence "github.com/taskwire/taskwire/functions/recurrence"
	reminders "github.com/taskwire/taskwire/functions/reminders"
	tasks "github.com/taskwire/taskwire/functions/tasks"
	web "github.com/taskwire/taskwire/functions/web"
	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/broker"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/relay"
)

// functionByName returns the function that `serve NAME` runs on its own.
func functionByName(name string) (any, error) {
	switch name {
	case "", "app":
		return function.New(), nil
	case "tasks":
		return tasks.New(), nil
	case "chat":
		return chat.New(), nil
	case "recurrence":
		return recurrence.New(), nil
	case "reminders":
		return reminders.New(), nil
	case "notify":
		return notify.New(), nil
	case "web":
		return web.New(), nil
	case "broker":
		return &brokerProcess{}, nil
	}
	return nil, fmt.Errorf("unknown function %q: want app, tasks, chat, web, recurrence, reminders, notify or broker", name)
}

// deliveryTokenTTL is how long a token the broker process mints for one delivery lasts.
const deliveryTokenTTL = time.Minute

// brokerProcess is the local broker as a process of its own, for the split layout: its
// ingress takes CloudEvents over HTTP (the functions' K_SINK), it delivers to the
// subscribers at BROKER_TARGET_<NAME> over HTTP, and it relays any outbox rows left behind.
// With BROKER_OIDC_ISSUER set (its own URL), it is also an OpenID Connect issuer: it
// serves discovery and its key set there and sends each delivery with a token of its own
// for the subscriber's audience, as Knative does with authentication-oidc enabled.
type brokerProcess struct {
	db     *postgres.DB
	b      *broker.Broker
	bg     *app.Background
	issuer *auth.Issuer // nil without BROKER_OIDC_ISSUER
}

// Start opens the database, reads the embedded manifests and starts delivering.
func (p *brokerProcess) Start(ctx context.Context, cfg map[string]string) error {
	db, err := postgres.Open(ctx, postgres.ConfigFromEnv(cfg, app.DataDir(cfg)))
	if err != nil {
		return err
	}
	m, err := broker.LoadManifestsFS(function.Eventing(), "eventing")
	if err != nil {
		db.Close()
		return err
	}
	targets := map[string]broker.Target{}
	for _, t := range m.Triggers {
		key := "BROKER_TARGET_" + strings.ToUpper(t.Subscriber)
		if cfg[key] == "" {
			db.Close()
			return fmt.Errorf("%s is not set: where does trigger %q reach %s?", key, t.Name, t.Subscriber)
		}
		targets[t.Subscriber] = broker.Target{URL: cfg[key]}
	}
	var opts broker.Options
	var issuer *auth.Issuer
	if url := cfg["BROKER_OIDC_ISSUER"]; url != "" {
		if issuer, err = auth.LoadIssuer(url, app.DataDir(cfg)); err != nil {
			db.Close()
			return fmt.Errorf("BROKER_OIDC_ISSUER: %w", err)
		}
		opts.TokenSource = issuer.TokenSource("local-broker:"+m.Broker.Name, deliveryTokenTTL)
	}
	b, err := broker.New(db.Pool, m, targets, opts)
	if err != nil {
		db.Close()
		return err
	}
	p.db, p.b, p.bg, p.issuer = db, b, app.NewBackground(), issuer
	p.bg.Go("broker", b.Run)
	p.bg.Go("relay", relay.New(db.Pool, b, relay.Options{}).Run)
	return nil
}

// Stop stops delivering and closes the database.
func (p *brokerProcess) Stop(ctx context.Context) error {
	if p.bg != nil {
		p.bg.Stop()
		p.db.Close()
	}
	return nil
}

// Handle is the broker's ingress, and its issuer's discovery and key set.
func (p *brokerProcess) Handle(w http.ResponseWriter, r *http.Request) {
	if p.issuer != nil && p.issuer.IsIssuerPath(r.URL.Path) {
		p.issuer.ServeHTTP(w, r)
		return
	}
	p.b.Handler().ServeHTTP(w, r)
}

// splitPorts are where `taskwire split` runs each process, on 127.0.0.1.
var splitPorts = map[string]int{"tasks": 8080, "web": 8081, "chat": 8082,
	"broker": 8090, "recurrence": 8091, "reminders": 8092, "notify": 8093}

// SplitEnv returns each process's environment additions in the split layout, with the
// ports offset by base: every function that writes publishes to the broker (K_SINK), the
// broker reaches every subscriber over HTTP, and it is the OpenID Connect issuer whose
// tokens the event functions require, each for the audience its Trigger gives it. The web
// function serves the page and passes the API's paths on to tasks and chat, as in a
// cluster.
func SplitEnv(base int) (map[string][]string, error) {
	addr := func(name string) string { return fmt.Sprintf("127.0.0.1:%d", splitPorts[name]+base) }
	sink := "K_SINK=http://" + addr("broker")
	issuer := "http://" + addr("broker")
	m, err := broker.LoadManifestsFS(function.Eventing(), "eventing")
	if err != nil {
		return nil, err
	}
	audience := map[string]string{}
	for _, t := range m.Triggers {
		audience[t.Subscriber] = t.Audience
	}
	oidc := func(name string) []string {
		return []string{"EVENTS_OIDC_ISSUER=" + issuer, "EVENTS_OIDC_AUDIENCE=" + audience[name]}
	}
	return map[string][]string{
		"tasks": {"LISTEN_ADDRESS=" + addr("tasks"), sink},
		"chat":  {"LISTEN_ADDRESS=" + addr("chat"), sink},
		"web": {"LISTEN_ADDRESS=" + addr("web"),
			"TASKWIRE_API_URL=http://" + addr("tasks"), "TASKWIRE_CHAT_URL=http://" + addr("chat")},
		"recurrence": append([]string{"LISTEN_ADDRESS=" + addr("recurrence"), sink}, oidc("recurrence")...),
		"reminders":  append([]string{"LISTEN_ADDRESS=" + addr("reminders"), sink}, oidc("reminders")...),
		"notify":     append([]string{"LISTEN_ADDRESS=" + addr("notify")}, oidc("notify")...),
		"broker": {"LISTEN_ADDRESS=" + addr("broker"),
			"BROKER_OIDC_ISSUER=" + issuer,
			"BROKER_TARGET_RECURRENCE=http://" + addr("recurrence"),
			"BROKER_TARGET_REMINDERS=http://" + addr("reminders"),
			"BROKER_TARGET_NOTIFY=http://" + addr("notify")},
	}, nil
}

// split runs every function as its own process, on the ports of SplitEnv(base), talking
// CloudEvents over HTTP through the local broker, until ctx is done or one of them stops
// on its own (it says which, and how); then it stops them all, and returns the first
// one's error.
func split(ctx context.Context, base int, stdout, stderr io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// One process migrates first, so the others start on a ready schema.
	if err := exec.CommandContext(ctx, self, "migrate").Run(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	layout, err := SplitEnv(base)
	if err != nil {
		return err
	}
	// The broker first: the event functions discover its issuer as they start.
	names := make([]string, 0, len(layout))
	for name := range layout {
		if name != "broker" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	names = append([]string{"broker"}, names...)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		procs []*exec.Cmd
		first error
	)
	died := make(chan struct{}) // closed when a function stops on its own: the others go too
	var dying sync.Once
	for _, name := range names {
		cmd := exec.Command(self, "serve", name)
		cmd.Env = append(os.Environ(), layout[name]...)
		cmd.Stdout, cmd.Stderr = prefixed(stdout, name), prefixed(stderr, name)
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", name, err)
		}
		procs = append(procs, cmd)
		fmt.Fprintf(stdout, "%s: pid %d, %s\n", name, cmd.Process.Pid, layout[name][0])
		wg.Add(1)
		go func(name string, cmd *exec.Cmd) {
			defer wg.Done()
			err := cmd.Wait()
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				err = errors.New("exited")
			}
			mu.Lock()
			if first == nil {
				first = fmt.Errorf("%s stopped: %w", name, err)
				fmt.Fprintf(stderr, "%s stopped (%v): stopping the others\n", name, err)
			}
			mu.Unlock()
			dying.Do(func() { close(died) })
		}(name, cmd)
		if name == "broker" {
			addr := strings.TrimPrefix(layout[name][0], "LISTEN_ADDRESS=")
			if err := waitReady(ctx, "http://"+addr, 30*time.Second); err != nil {
				_ = cmd.Process.Kill()
				wg.Wait()
				return fmt.Errorf("broker: %w", err)
			}
		}
	}
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	select {
	case <-ctx.Done():
	case <-died:
	case <-stopped:
	}
	for _, cmd := range procs {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-stopped:
	case <-time.After(15 * time.Second):
		for _, cmd := range procs {
			_ = cmd.Process.Kill()
		}
		<-stopped
	}
	mu.Lock()
	defer mu.Unlock()
	if first != nil && !errors.Is(ctx.Err(), context.Canceled) {
		return first
	}
	return nil
}

// waitReady polls base's readiness endpoint until it answers 200, ctx is done or
// timeout passes.
func waitReady(ctx context.Context, base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/health/readiness", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready at %s within %s", base, timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// prefixed writes each line with the process's name in front.
func prefixed(w io.Writer, name string) io.Writer {
	pr, pw := io.Pipe()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			fmt.Fprintf(w, "%-10s | %s\n", name, sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	return pw
}
