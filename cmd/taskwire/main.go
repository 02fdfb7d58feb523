// Command taskwire runs Taskwire on one machine: serve (the whole app on one port, or one
// function), split (every function as its own process), token NAME (a development token),
// migrate (apply the database migrations), deadletters and replay (the local broker's
// dead letters).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/taskwire/taskwire/shared/app"
	"github.com/taskwire/taskwire/shared/auth"
	"github.com/taskwire/taskwire/shared/host"
	"github.com/taskwire/taskwire/shared/postgres"
)

const usage = `usage: taskwire <command>

commands:
  serve [NAME]    serve the whole app, or one function (tasks, chat, web, recurrence,
                  reminders, notify, broker), on $LISTEN_ADDRESS, else :$PORT, else :8080
                  (127.0.0.1:8080 with the development issuer)
  split           run every function as its own process through the local broker
                  (tasks on :8080, web :8081, chat :8082, broker :8090, recurrence :8091,
                  reminders :8092, notify :8093)
  token NAME      print a token of the local development issuer for user NAME
  migrate         apply the database migrations and exit
  deadletters     list the local broker's dead letters
  replay ID       re-queue dead letter ID (SEQ/TRIGGER, or SEQ for all of an event's),
                  or outbox/SEQ, an outbox row the sink refused
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "taskwire:", err)
		os.Exit(1)
	}
}

// localOnly returns env with LISTEN_ADDRESS set to 127.0.0.1:8080 when the development
// issuer is in use (no AUTH_JWKS_URL) and nothing says where to listen: that issuer mints
// a token for any name at POST /v1/dev/token, so by default only this machine may ask.
// LISTEN_ADDRESS or PORT opens it wider on purpose.
func localOnly(env map[string]string) map[string]string {
	if env["AUTH_JWKS_URL"] != "" || env["LISTEN_ADDRESS"] != "" || env["PORT"] != "" {
		return env
	}
	out := maps.Clone(env)
	out["LISTEN_ADDRESS"] = "127.0.0.1:8080"
	return out
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	env := host.Env()
	switch args[0] {
	case "serve":
		slog.SetDefault(slog.New(slog.NewTextHandler(stderr, nil)))
		name := ""
		if len(args) > 1 {
			name = args[1]
		}
		f, err := functionByName(name)
		if err != nil {
			return err
		}
		return host.Serve(ctx, f, host.Options{Env: localOnly(env)})
	case "split":
		return split(ctx, 0, stdout, stderr)
	case "token":
		return token(args[1:], env, stdout)
	case "migrate":
		db, err := postgres.Open(ctx, postgres.ConfigFromEnv(env, app.DataDir(env)))
		if err != nil {
			return err
		}
		db.Close()
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "deadletters":
		return deadLetters(ctx, args[1:], env, stdout)
	case "replay":
		return replay(ctx, args[1:], env, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func token(args []string, env map[string]string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: taskwire token [-ttl 24h] NAME")
	}
	if env["AUTH_JWKS_URL"] != "" {
		return errors.New("AUTH_JWKS_URL is set: tokens come from that issuer, not from taskwire token")
	}
	issuer, err := auth.LoadDevIssuer(app.DataDir(env))
	if err != nil {
		return err
	}
	tok, err := issuer.Mint(fs.Arg(0), *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
