// Package postgres stores Taskwire's data in PostgreSQL with pgx: it opens (or starts)
// the database, migrates it, and implements the task, user and event stores.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults for the zero fields of Config.
const (
	defaultLocalAddr = "127.0.0.1:5432"
	defaultDataDir   = ".data"
	defaultDatabase  = "taskwire"
	defaultMaxConns  = 8
)

// clusterProbeTimeout bounds each attempt to reach a server that may not be there.
const clusterProbeTimeout = 10 * time.Second

// Config says where the database is.
type Config struct {
	URL       string // DATABASE_URL; when empty, see Open
	LocalAddr string // address probed when URL is empty; default "127.0.0.1:5432"
	DataDir   string // where a private cluster lives when nothing answers; default ".data"
	Database  string // database used when URL is empty; default "taskwire"
	MaxConns  int32  // pool size; default the URL's pool_max_conns, else 8
}

// DB is Taskwire's connection pool.
type DB struct {
	Pool *pgxpool.Pool
	wake waker // announces committed outbox rows
}

// Open connects to the database described by cfg, migrates it, and returns the pool.
//
// With cfg.URL set, Open uses it as is. Otherwise it connects as user postgres to
// cfg.Database on the server at cfg.LocalAddr, creating the database when it is missing.
// When nothing answers there, Open starts (or reuses) a private cluster under
// cfg.DataDir/postgres, built with the machine's PostgreSQL binaries, and uses that.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.LocalAddr == "" {
		cfg.LocalAddr = defaultLocalAddr
	}
	if cfg.DataDir == "" {
		cfg.DataDir = defaultDataDir
	}
	if cfg.Database == "" {
		cfg.Database = defaultDatabase
	}
	connString, source := cfg.URL, "URL"
	if connString == "" {
		var err error
		source = "local server"
		connString, err = clusterConnectOrCreate(ctx, cfg.LocalAddr, cfg.Database)
		if err != nil && clusterNothingAnswers(err) {
			source = "private cluster in " + filepath.Join(cfg.DataDir, "postgres")
			var addr string
			addr, err = clusterStart(ctx, cfg.DataDir, cfg.LocalAddr)
			if err == nil {
				connString, err = clusterConnectOrCreate(ctx, addr, cfg.Database)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
	}

	poolConfig, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	switch {
	case cfg.MaxConns > 0:
		poolConfig.MaxConns = cfg.MaxConns
	case !setsMaxConns(connString):
		poolConfig.MaxConns = defaultMaxConns
	}
	poolConfig.MinConns = 0
	poolConfig.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		sendUUIDsAsBytes(conn.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, poolConfig)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{Pool: pool}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	err = Migrate(ctx, conn.Conn())
	conn.Release()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}

	cc := poolConfig.ConnConfig
	slog.Info("database ready",
		"where", net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port)))+"/"+cc.Database,
		"source", source,
		"max_conns", poolConfig.MaxConns)
	return db, nil
}

// setsMaxConns reports whether connString (a URL or key=value pairs) sets the pool's
// size with pgxpool's pool_max_conns, as a deployment behind a connection limit or a
// pooler may; pgxpool's own default is the number of CPUs.
func setsMaxConns(connString string) bool {
	cc, err := pgconn.ParseConfig(connString) // keeps pool_* settings as runtime parameters
	if err != nil {
		return false // pgxpool.ParseConfig has accepted it; this cannot happen
	}
	_, ok := cc.RuntimeParams["pool_max_conns"]
	return ok
}

// Close waits for the announcement of the last commits and closes the pool.
func (db *DB) Close() {
	db.wake.wg.Wait()
	db.Pool.Close()
}

// clusterURL is the connection string for database name, as user postgres, on addr.
func clusterURL(addr, name string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     addr,
		Path:     "/" + name,
		RawQuery: "sslmode=disable&connect_timeout=" + strconv.Itoa(int(clusterProbeTimeout/time.Second)),
	}
	return u.String()
}

// clusterConnectOrCreate returns the connection string for database name on addr after
// checking that it connects, creating the database first when it does not exist.
func clusterConnectOrCreate(ctx context.Context, addr, name string) (string, error) {
	connString := clusterURL(addr, name)
	err := clusterPing(ctx, connString)
	if err == nil {
		return connString, nil
	}
	if clusterSQLState(err) != "3D000" { // invalid_catalog_name: no such database
		return "", err
	}
	conn, err := pgx.Connect(ctx, clusterURL(addr, "postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if err != nil && clusterSQLState(err) != "42P04" { // duplicate_database: a concurrent creator won
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return connString, clusterPing(ctx, connString)
}

// clusterPing connects to connString once and disconnects.
func clusterPing(ctx context.Context, connString string) error {
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// clusterSQLState returns the SQLSTATE of the PostgreSQL error in err's chain, or "".
func clusterSQLState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// clusterNothingAnswers reports whether err says that no server took the connection
// (refused, unreachable, timed out), as opposed to a server that answered and refused
// us (authentication, missing role, starting up).
func clusterNothingAnswers(err error) bool {
	if clusterSQLState(err) != "" {
		return false
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// clusterFindBinDir finds the directory of the PostgreSQL server binaries, or returns ""
// when there are none. Tests replace it.
var clusterFindBinDir = clusterFindBinDirOnMachine

// clusterFindBinDirOnMachine asks pg_config, then looks for the highest version under
// /usr/lib/postgresql (Debian's layout), then for initdb on PATH.
func clusterFindBinDirOnMachine() string {
	hasInitdb := func(dir string) bool {
		fi, err := os.Stat(filepath.Join(dir, "initdb"))
		return err == nil && !fi.IsDir()
	}
	if pgConfig, err := exec.LookPath("pg_config"); err == nil {
		// Debian's pg_config may come from libpq-dev without a server beside it.
		if out, err := exec.Command(pgConfig, "--bindir").Output(); err == nil {
			if dir := strings.TrimSpace(string(out)); hasInitdb(dir) {
				return dir
			}
		}
	}
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(dirs) > 0 {
		version := func(dir string) float64 {
			v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
			return v
		}
		sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
		for _, dir := range dirs {
			if hasInitdb(dir) {
				return dir
			}
		}
	}
	if initdb, err := exec.LookPath("initdb"); err == nil {
		// Follow a symlink such as /usr/local/bin/initdb to where pg_ctl and postgres are.
		if resolved, err := filepath.EvalSymlinks(initdb); err == nil {
			initdb = resolved
		}
		return filepath.Dir(initdb)
	}
	return ""
}

// clusterUser is the unprivileged account that runs initdb and postgres when we are
// root, since both refuse to run as root.
type clusterUser struct {
	name     string
	uid, gid uint32
}

// clusterRunAs returns the account to run PostgreSQL as: nil when we are not root,
// otherwise user postgres when it exists, else nobody.
func clusterRunAs() (*clusterUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err := strconv.ParseUint(u.Uid, 10, 32)
		if err != nil {
			continue
		}
		gid, err := strconv.ParseUint(u.Gid, 10, 32)
		if err != nil {
			continue
		}
		return &clusterUser{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and neither user postgres nor nobody exists to run PostgreSQL; set DATABASE_URL")
}

// command returns a command that runs as u (as ourselves when u is nil), in dir.
func (u *clusterUser) command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if u != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: u.uid, Gid: u.gid}
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// chown gives the tree at root to u; it does nothing when u is nil.
func (u *clusterUser) chown(root string) error {
	if u == nil {
		return nil
	}
	return filepath.WalkDir(root, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(u.uid), int(u.gid))
	})
}

// canTraverse checks that u can reach dir: that every directory above it lets others
// (or u, as owner or group) search it.
func (u *clusterUser) canTraverse(dir string) error {
	if u == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		if ok && !(mode&0o001 != 0 ||
			st.Uid == u.uid && mode&0o100 != 0 ||
			st.Gid == u.gid && mode&0o010 != 0) {
			return fmt.Errorf("user %s, which runs the private PostgreSQL cluster, cannot enter %s; run chmod o+x %s, choose another data directory, or set DATABASE_URL", u.name, p, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// clusterStart starts, or finds running, the private cluster under dataDir/postgres and
// returns its address. probedAddr, where nothing answered, is for the error message.
func clusterStart(ctx context.Context, dataDir, probedAddr string) (string, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(dataDir, "postgres")
	portFile := filepath.Join(dir, "taskwire.port")

	createdDataDir := false
	if _, err := os.Stat(dataDir); errors.Is(err, os.ErrNotExist) {
		createdDataDir = true
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	unlock, err := clusterLock(ctx, filepath.Join(dataDir, "postgres.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()

	port := clusterReadPort(portFile)
	if port > 0 && clusterFileExists(filepath.Join(dir, "postmaster.pid")) {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if clusterPing(ctx, clusterURL(addr, "postgres")) == nil {
			return addr, nil
		}
	}

	binDir := clusterFindBinDir()
	if binDir == "" {
		return "", fmt.Errorf("no PostgreSQL answers at %s and no PostgreSQL binaries were found; install them (Debian: apt-get install postgresql) or set DATABASE_URL", probedAddr)
	}
	runAs, err := clusterRunAs()
	if err != nil {
		return "", err
	}
	if createdDataDir && runAs != nil {
		if err := os.Chmod(dataDir, 0o711); err != nil {
			return "", err
		}
	}
	if err := runAs.canTraverse(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", err
	}
	if err := runAs.chown(dir); err != nil {
		return "", err
	}

	if !clusterFileExists(filepath.Join(dir, "PG_VERSION")) {
		slog.Debug("initializing private PostgreSQL cluster", "dir", dir, "bin", binDir)
		cmd := runAs.command(ctx, dir, filepath.Join(binDir, "initdb"),
			"-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("initdb %s: %w: %s", dir, err, strings.TrimSpace(string(out)))
		}
	}

	// Keep the remembered port unless something else has taken it meanwhile.
	if port <= 0 || !clusterPortFree(port) {
		if port, err = clusterFreePort(); err != nil {
			return "", err
		}
		if err := os.WriteFile(portFile, []byte(strconv.Itoa(port)+"\n"), 0o600); err != nil {
			return "", err
		}
	}

	// A Unix socket path must fit in about 107 bytes; fall back to a short temporary
	// directory when the data directory is deep.
	socketDir := filepath.Join(dir, "run")
	if len(socketDir)+len("/.s.PGSQL.65535.lock") > 100 {
		if socketDir, err = os.MkdirTemp("", "taskwire-pg-"); err != nil {
			return "", err
		}
	} else if err := os.MkdirAll(socketDir, 0o700); err != nil {
		return "", err
	}
	if err := runAs.chown(dir); err != nil {
		return "", err
	}
	if err := runAs.chown(socketDir); err != nil {
		return "", err
	}

	logFile := filepath.Join(dir, "server.log")
	options := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s", port, clusterShellQuote(socketDir))
	cmd := runAs.command(ctx, dir, filepath.Join(binDir, "pg_ctl"),
		"-D", dir, "-l", logFile, "-w", "-o", options, "start")
	// Keep the server out of our process group, so that it outlives an interrupted run
	// and the next run reuses it.
	cmd.SysProcAttr.Setpgid = true
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("start private PostgreSQL cluster in %s: %w: %s\n%s",
			dir, err, strings.TrimSpace(string(out)), clusterLogTail(logFile))
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}

// clusterLock takes an exclusive lock on path, so that processes sharing a data
// directory do not initialize or start its cluster twice. It returns the unlock.
func clusterLock(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// clusterReadPort returns the port remembered in path, or 0.
func clusterReadPort(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || port <= 0 || port > 65535 {
		return 0
	}
	return port
}

// clusterFreePort asks the kernel for a port nobody listens on.
func clusterFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// clusterPortFree reports whether nobody listens on port.
func clusterPortFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

// clusterFileExists reports whether path exists.
func clusterFileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// clusterShellQuote quotes s for the shell through which pg_ctl runs postgres.
func clusterShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// clusterLogTail returns the end of the server log, for error messages.
func clusterLogTail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const tail = 2048
	if fi, err := f.Stat(); err == nil && fi.Size() > tail {
		_, _ = f.Seek(-tail, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return strings.TrimSpace(string(b))
}
