package funcbuild_test

import (
	"context"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/cmd/internal/funcbuild"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
)

func TestMain(m *testing.M) { os.Exit(postgrestest.Main(m)) }

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../../.."

// MustFunction returns the function called name of the repository.
func MustFunction(tb testing.TB, name string) funcbuild.Function {
	tb.Helper()
	fns, err := funcbuild.List(repoRoot)
	require.NoError(tb, err)
	i := slices.IndexFunc(fns, func(fn funcbuild.Function) bool { return fn.Name == name })
	require.GreaterOrEqual(tb, i, 0, "got no function %q among %v", name, fns)
	return fns[i]
}

// MustCopyAlone copies fn's directory, and nothing beside it, into a fresh directory,
// without any .goproxy of its own: what a builder would receive before make vendor.
func MustCopyAlone(tb testing.TB, fn funcbuild.Function) funcbuild.Function {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), filepath.Base(fn.Dir))
	require.NoError(tb, os.CopyFS(dir, os.DirFS(fn.Dir)))
	require.NoError(tb, os.RemoveAll(filepath.Join(dir, funcbuild.ProxyDir)))
	return funcbuild.Function{Name: fn.Name, Dir: dir}
}

// MustCacheModules downloads into this machine's module cache every module of the
// module graph of the repository's directory rel (GOWORK=off, through the go command's
// own proxy): what an offline Build takes from that cache. The workspace's builds fetch
// only what they compile, and the scaffolding's -mod=mod reads the whole graph, so on a
// fresh machine the go.mod of gopkg.in/yaml.v3, which dario.cat/mergo (a module from
// before graph pruning) requires, was missing. It runs in a copy of the project, as the
// download records checksums in go.sum. The scaffolding also reads the go.mod of
// upstream's reflect2 v1.0.2, which the CloudEvents SDK requires and the project's
// replace line keeps that download from fetching, so each version the module graph
// requires of a third-party module the project replaces with its own copy is downloaded
// too.
func MustCacheModules(tb testing.TB, rel string) {
	tb.Helper()
	dir := filepath.Join(MustCopyProject(tb).Dir, rel)
	goCmd := func(dir string, args ...string) []byte {
		tb.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off")
		out, err := cmd.CombinedOutput()
		require.NoError(tb, err, "go %s in %s:\n%s", strings.Join(args, " "), dir, out)
		return out
	}
	goCmd(dir, "mod", "download", "all")

	patched := map[string]bool{}
	for _, path := range MustReplacedByDirectories(tb, dir) {
		patched[path] = !strings.HasPrefix(path, "github.com/taskwire/taskwire")
	}
	var edges [][]string // module@version requires module@version; the main module has no version
	for _, line := range strings.Split(string(goCmd(dir, "mod", "graph")), "\n") {
		if fields := strings.Fields(line); len(fields) == 2 {
			edges = append(edges, fields)
		}
	}
	var own, upstream []string // versions of the patched modules: the project's, upstream's
	for _, e := range edges {
		if path, _, _ := strings.Cut(e[1], "@"); patched[path] && !strings.Contains(e[0], "@") {
			own = append(own, e[1])
		}
	}
	for _, e := range edges {
		if path, _, _ := strings.Cut(e[1], "@"); patched[path] && !slices.Contains(own, e[1]) && !slices.Contains(upstream, e[1]) {
			upstream = append(upstream, e[1])
		}
	}
	if len(upstream) > 0 {
		goCmd(tb.TempDir(), append([]string{"mod", "download"}, upstream...)...)
	}
}

func TestList(t *testing.T) {
	fns, err := funcbuild.List(repoRoot)
	require.NoError(t, err)
	var names []string
	for _, fn := range fns {
		names = append(names, fn.Name)
	}
	// Every directory of functions/ with a func.yaml is a function, then the whole app.
	dirs, err := filepath.Glob(filepath.Join(repoRoot, "functions", "*", "func.yaml"))
	require.NoError(t, err)
	var want []string
	for _, d := range dirs {
		want = append(want, filepath.Base(filepath.Dir(d)))
	}
	assert.Equal(t, append(want, funcbuild.WholeApp), names)
}

// MustReplacedByDirectories returns the module paths that the go.mod in dir replaces with
// directories: those make vendor serves from the function's proxy.
func MustReplacedByDirectories(tb testing.TB, dir string) []string {
	tb.Helper()
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(tb, err, "go mod edit -json in %s", dir)
	var gm struct {
		Replace []struct{ Old, New struct{ Path string } }
	}
	require.NoError(tb, json.Unmarshal(out, &gm))
	var paths []string
	for _, r := range gm.Replace {
		if strings.HasPrefix(r.New.Path, ".") || filepath.IsAbs(r.New.Path) {
			paths = append(paths, r.Old.Path)
		}
	}
	require.NotEmpty(tb, paths, "%s/go.mod replaces no module with a directory", dir)
	return paths
}

// Every func.yaml points its builder at the module proxy make vendor writes, and lets the
// go command hash the modules it serves itself: the project's, and the patched reflect2
// (shared/third_party/reflect2), whose version the checksum database does not know.
func TestBuildEnv_ReachesTheProxy(t *testing.T) {
	fns, err := funcbuild.List(repoRoot)
	require.NoError(t, err)
	for _, fn := range fns {
		t.Run(fn.Name, func(t *testing.T) {
			env, err := funcbuild.BuildEnv(fn.Dir)
			require.NoError(t, err)
			const how = "func.yaml's build.buildEnvs: see README, Deploying to a cluster"
			proxies := strings.Split(env["GOPROXY"], ",")
			assert.Equal(t, "file://"+funcbuild.BuilderRoot+"/"+funcbuild.ProxyDir, proxies[0], "GOPROXY's first proxy, in "+how)
			for _, path := range MustReplacedByDirectories(t, fn.Dir) {
				covered := slices.ContainsFunc(strings.Split(env["GONOSUMDB"], ","), func(prefix string) bool {
					return path == prefix || strings.HasPrefix(path, prefix+"/")
				})
				assert.True(t, covered, "GONOSUMDB %q leaves out %s, which the proxy serves, in %s", env["GONOSUMDB"], path, how)
			}
			assert.Contains(t, strings.Fields(env["GOFLAGS"]), "-mod=mod", "GOFLAGS, in "+how)
		})
	}
}

// The documented way, proven: a copy of the tasks function's directory alone plus what
// make vendor writes into it builds, as func's scaffolding builds it and without the
// workspace or the network, into a static executable that serves readiness on a real
// database and stops cleanly on SIGTERM. cmd/coldbench builds every function this way.
func TestBuild_StaticFromItsDirectoryAlone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	src := MustFunction(t, "tasks")
	MustCacheModules(t, filepath.Join("functions", src.Name))
	fn := MustCopyAlone(t, src)
	require.NoError(t, funcbuild.Vendor(ctx, src.Dir, filepath.Join(fn.Dir, funcbuild.ProxyDir)))

	bin := filepath.Join(t.TempDir(), "tasks")
	require.NoError(t, funcbuild.Build(ctx, fn, bin, funcbuild.Options{Offline: true}))
	require.NoError(t, funcbuild.CheckStatic(bin))
	MustBeStripped(t, bin)

	logs := &syncWriter{b: new(strings.Builder)}
	p, err := funcbuild.Exec(bin, []string{
		"DATABASE_URL=" + postgrestest.URL(t),
		"TASKWIRE_DATA_DIR=" + t.TempDir(),
	}, logs)
	require.NoError(t, err)
	_, err = p.WaitReady(ctx, 10*time.Millisecond)
	if err != nil {
		_ = p.Stop(10 * time.Second)
		t.Fatalf("got %v, want a 200 from %s; the function's log:\n%s", err, funcbuild.ReadinessPath, logs.String())
	}
	assert.NoError(t, p.Stop(10*time.Second), "exit after SIGTERM")
}

// MustBeStripped fails tb unless the executable at path was linked without its symbol
// table and debug information, as func.yaml's GOFLAGS (-ldflags=-s) ask: a cold start
// reads less of it from disk (the readahead ran on into them), and its image is smaller.
// Stack traces and profiles keep their function names and lines, which live in the
// pclntab the runtime loads.
func MustBeStripped(tb testing.TB, path string) {
	tb.Helper()
	f, err := elf.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	for _, name := range []string{".symtab", ".debug_info", ".zdebug_info"} {
		assert.True(tb, f.Section(name) == nil, "%s has a %s section: is -ldflags=-s in func.yaml's GOFLAGS?", path, name)
	}
	assert.NotNil(tb, f.Section(".gopclntab"), "%s keeps the pclntab, for stack traces and profiles", path)
}

// Without what make vendor writes, the function's directory alone does not build: its
// go.mod's replace lines (../../shared) do not reach func's scaffolding. This shows that
// Build is as strict as func's builder, so the test above proves something.
func TestBuild_WithoutVendorFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	src := MustFunction(t, "recurrence")
	MustCacheModules(t, filepath.Join("functions", src.Name))
	fn := MustCopyAlone(t, src)

	err := funcbuild.Build(ctx, fn, filepath.Join(t.TempDir(), "recurrence"), funcbuild.Options{Offline: true})
	require.ErrorContains(t, err, "run make vendor")

	require.NoError(t, os.Mkdir(filepath.Join(fn.Dir, funcbuild.ProxyDir), 0o755))
	err = funcbuild.Build(ctx, fn, filepath.Join(t.TempDir(), "recurrence"), funcbuild.Options{Offline: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "github.com/taskwire/taskwire/shared")
}

// The whole app builds from the repository root as func builds it: in .func/builds/last
// below the root's go.work, which func.yaml switches off. Without that setting the go
// command takes the workspace and refuses func.yaml's -mod=mod, as it would in the builder.
func TestBuild_WholeAppBelowItsWorkspace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	MustCacheModules(t, ".")
	fn := MustCopyProject(t)
	require.NoError(t, funcbuild.Vendor(ctx, fn.Dir, filepath.Join(fn.Dir, funcbuild.ProxyDir)))
	require.FileExists(t, filepath.Join(fn.Dir, "go.work"))

	bin := filepath.Join(t.TempDir(), funcbuild.WholeApp)
	require.NoError(t, funcbuild.Build(ctx, fn, bin, funcbuild.Options{Offline: true}))
	require.NoError(t, funcbuild.CheckStatic(bin))
	MustBeStripped(t, bin)

	yml := filepath.Join(fn.Dir, "func.yaml")
	b, err := os.ReadFile(yml)
	require.NoError(t, err)
	without := strings.Replace(string(b), "    - name: GOWORK\n      value: \"off\"\n", "", 1)
	require.NotEqual(t, string(b), without, "func.yaml sets GOWORK")
	require.NoError(t, os.WriteFile(yml, []byte(without), 0o644))
	err = funcbuild.Build(ctx, fn, filepath.Join(t.TempDir(), funcbuild.WholeApp), funcbuild.Options{Offline: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "workspace mode")
}

// MustCopyProject copies the files of the repository a deploy from its root uploads (no
// version control, local state, builds or browser packages) into a fresh directory, and
// returns the whole app's function there.
func MustCopyProject(tb testing.TB) funcbuild.Function {
	tb.Helper()
	src, err := filepath.Abs(repoRoot)
	require.NoError(tb, err)
	dst := filepath.Join(tb.TempDir(), "taskwire")
	skip := map[string]bool{".git": true, ".data": true, ".bench": true, "bin": true, "node_modules": true, funcbuild.ProxyDir: true, ".func": true}
	err = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && skip[d.Name()]:
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	require.NoError(tb, err)
	return funcbuild.Function{Name: funcbuild.WholeApp, Dir: dst}
}

// A module cache that holds a version the function's proxy serves (a go command run
// outside Build with .goproxy put it there) would serve that old copy as if make vendor
// had written it: Build refuses it, saying what to remove. Upstream's reflect2 v1.0.2,
// which any build without the project's replace lines downloads, is another version than
// the patched copy's and may stay.
func TestBuild_RefusesACacheHoldingTheProjectsModules(t *testing.T) {
	ctx := context.Background()
	src := MustFunction(t, "recurrence")
	fn := MustCopyAlone(t, src)
	require.NoError(t, funcbuild.Vendor(ctx, src.Dir, filepath.Join(fn.Dir, funcbuild.ProxyDir)))
	cache := t.TempDir()
	download := filepath.Join(cache, "cache", "download")
	stale := filepath.Join(download, "github.com", "taskwire", "taskwire", "shared")
	MustWriteFile(t, filepath.Join(stale, "@v", "v0.0.0.info"), `{"Version":"v0.0.0"}`)
	MustWriteFile(t, filepath.Join(download, "github.com", "modern-go", "reflect2", "@v", "v1.0.2.info"), `{"Version":"v1.0.2"}`)
	t.Setenv("GOMODCACHE", cache)

	err := funcbuild.Build(ctx, fn, filepath.Join(t.TempDir(), "recurrence"), funcbuild.Options{Offline: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "holds github.com/taskwire/taskwire/shared@v0.0.0")
	assert.Contains(t, err.Error(), stale)
	assert.NotContains(t, err.Error(), "reflect2")
}

// MustWriteFile writes text to path, making its directory.
func MustWriteFile(tb testing.TB, path, text string) {
	tb.Helper()
	require.NoError(tb, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(tb, os.WriteFile(path, []byte(text), 0o644))
}

func TestCheckStatic_RefusesADynamicExecutable(t *testing.T) {
	// /bin/sh is dynamically linked on the Debian machines this project runs on.
	sh, err := filepath.EvalSymlinks("/bin/sh")
	require.NoError(t, err)
	assert.ErrorContains(t, funcbuild.CheckStatic(sh), "dynamic")
}

// syncWriter lets the function's output goroutine and the test share a builder.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.WriteString(string(p))
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
