// Package funcbuild builds Taskwire's functions the way `kn func build` does: it gives
// each function directory a module proxy of the project's own modules (Vendor, which
// `make vendor` runs), and it builds a static binary from a copy of that directory
// alone, wrapped in a main module shaped like func's Go scaffolding (Build).
//
// func's scaffolding makes a main module of its own that requires the function's module
// through a replace line of its own; the replace lines of the function's go.mod (which
// point at ../../shared) are not carried over, and nothing outside the function's
// directory reaches the builder. So the project's modules travel inside the function's
// directory as a file-based module proxy (.goproxy), which the GOPROXY of each func.yaml's
// build.buildEnvs names. The package holds no function code and runs no functions.
package funcbuild

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// ProxyDir is the directory, inside a function's directory, that holds its module proxy.
const ProxyDir = ".goproxy"

// BuilderRoot is where a func builder mounts a function's directory (the Cloud Native
// Buildpacks application directory that func's pack builder uses); func.yaml's
// buildEnvs name the proxy below it.
const BuilderRoot = "/workspace"

// WholeApp is the name of the function deployed from the repository root.
const WholeApp = "taskwire"

// Function is a deployable function: a directory with a func.yaml and a Go module whose
// root package is `package function`.
type Function struct {
	Name string // the func.yaml name; WholeApp for the repository root
	Dir  string // absolute path of its directory
}

// List returns every directory of root/functions that holds a func.yaml and a go.mod, in
// name order, followed by the whole app at root.
func List(root string) ([]Function, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	var fns []Function
	for _, e := range entries {
		dir := filepath.Join(root, "functions", e.Name())
		if !e.IsDir() || !exists(filepath.Join(dir, "func.yaml")) || !exists(filepath.Join(dir, "go.mod")) {
			continue
		}
		fns = append(fns, Function{Name: e.Name(), Dir: dir})
	}
	if !exists(filepath.Join(root, "func.yaml")) {
		return nil, fmt.Errorf("list functions: %s has no func.yaml", root)
	}
	return append(fns, Function{Name: WholeApp, Dir: root}), nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// goMod is what `go mod edit -json` prints, as far as funcbuild reads it.
type goMod struct {
	Module  struct{ Path string }
	Go      string
	Require []struct{ Path, Version string }
	Replace []struct {
		Old struct{ Path, Version string }
		New struct{ Path, Version string }
	}
}

// readGoMod parses dir/go.mod with the go command.
func readGoMod(ctx context.Context, dir string) (goMod, error) {
	var m goMod
	cmd := exec.CommandContext(ctx, "go", "mod", "edit", "-json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return m, fmt.Errorf("read %s: %w", filepath.Join(dir, "go.mod"), commandError(err))
	}
	if err := json.Unmarshal(out, &m); err != nil {
		return m, fmt.Errorf("read %s: %w", filepath.Join(dir, "go.mod"), err)
	}
	return m, nil
}

// localModule is a module the function's go.mod replaces with a directory.
type localModule struct {
	path     string
	dir      string
	versions []string // every version some go.mod of the build requires it at
}

// Vendor writes proxy, normally dir/.goproxy: a file-based module proxy (the GOPROXY
// protocol laid out on disk) serving each module that dir/go.mod replaces with a local
// directory, at every version the function's go.mod or those modules' go.mod files
// require. It replaces anything at proxy.
func Vendor(ctx context.Context, dir, proxy string) error {
	mods, err := localModules(ctx, dir)
	if err != nil {
		return fmt.Errorf("vendor %s: %w", dir, err)
	}
	if err := os.RemoveAll(proxy); err != nil {
		return fmt.Errorf("vendor %s: %w", dir, err)
	}
	for _, m := range mods {
		if err := writeModule(proxy, m); err != nil {
			return fmt.Errorf("vendor %s: %w", dir, err)
		}
	}
	return nil
}

// localModules returns the modules dir/go.mod replaces with directories.
func localModules(ctx context.Context, dir string) ([]localModule, error) {
	main, err := readGoMod(ctx, dir)
	if err != nil {
		return nil, err
	}
	var mods []localModule
	for _, r := range main.Replace {
		if !strings.HasPrefix(r.New.Path, "./") && !strings.HasPrefix(r.New.Path, "../") && !filepath.IsAbs(r.New.Path) {
			continue // a replacement by another module version travels through the proxy as is
		}
		modDir := r.New.Path
		if !filepath.IsAbs(modDir) {
			modDir = filepath.Join(dir, modDir)
		}
		mods = append(mods, localModule{path: r.Old.Path, dir: modDir})
	}
	// Versions come from every go.mod in the build, since the scaffolding's module graph
	// reads them all.
	files := []goMod{main}
	for _, m := range mods {
		gm, err := readGoMod(ctx, m.dir)
		if err != nil {
			return nil, err
		}
		if gm.Module.Path != m.path {
			return nil, fmt.Errorf("%s declares module %s, replaced as %s", m.dir, gm.Module.Path, m.path)
		}
		files = append(files, gm)
	}
	for i := range mods {
		for _, f := range files {
			for _, req := range f.Require {
				if req.Path == mods[i].path && !slices.Contains(mods[i].versions, req.Version) {
					mods[i].versions = append(mods[i].versions, req.Version)
				}
			}
		}
		slices.Sort(mods[i].versions)
	}
	return mods, nil
}

// writeModule lays m out under proxy as the GOPROXY protocol does: @v/list, and for each
// version .info, .mod and .zip.
func writeModule(proxy string, m localModule) error {
	vdir := filepath.Join(proxy, filepath.FromSlash(escapePath(m.path)), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	goModBytes, err := os.ReadFile(filepath.Join(m.dir, "go.mod"))
	if err != nil {
		return err
	}
	files, err := moduleFiles(m.dir)
	if err != nil {
		return fmt.Errorf("module %s: %w", m.path, err)
	}
	for _, v := range m.versions {
		info := fmt.Sprintf("{\"Version\":%q,\"Time\":\"2026-01-01T00:00:00Z\"}\n", v)
		if err := os.WriteFile(filepath.Join(vdir, v+".info"), []byte(info), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(vdir, v+".mod"), goModBytes, 0o644); err != nil {
			return err
		}
		if err := writeZip(filepath.Join(vdir, v+".zip"), m, v, files); err != nil {
			return fmt.Errorf("module %s: %w", m.path, err)
		}
	}
	return os.WriteFile(filepath.Join(vdir, "list"), []byte(strings.Join(m.versions, "\n")+"\n"), 0o644)
}

// escapePath escapes a module path for the proxy protocol: each upper-case letter becomes
// '!' and its lower-case form.
func escapePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// moduleFiles returns the slash-separated paths of the regular files of the module rooted
// at dir, as a module zip holds them: without nested modules, vendor directories and
// hidden directories (version control, local state, a function's own .goproxy).
func moduleFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" || exists(filepath.Join(path, "go.mod")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

// writeZip writes the module zip of m at version v: every file under "<path>@<v>/".
func writeZip(name string, m localModule, v string, files []string) (err error) {
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	zw := zip.NewWriter(out)
	prefix := m.path + "@" + v + "/"
	for _, f := range files {
		w, err := zw.Create(prefix + f)
		if err != nil {
			return err
		}
		if err := copyFile(w, filepath.Join(m.dir, filepath.FromSlash(f))); err != nil {
			return err
		}
	}
	return zw.Close()
}

func copyFile(w io.Writer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// funcYAML is the part of a func.yaml that Build reads.
type funcYAML struct {
	Name  string
	Build struct {
		BuildEnvs []struct{ Name, Value string } `yaml:"buildEnvs"`
	}
}

// BuildEnv returns the build environment dir/func.yaml sets for the builder
// (build.buildEnvs), by name.
func BuildEnv(dir string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "func.yaml"))
	if err != nil {
		return nil, fmt.Errorf("read func.yaml: %w", err)
	}
	var fy funcYAML
	if err := yaml.Unmarshal(b, &fy); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, "func.yaml"), err)
	}
	env := map[string]string{}
	for _, e := range fy.Build.BuildEnvs {
		env[e.Name] = e.Value
	}
	return env, nil
}

// mainTemplate is the scaffolding's main package: func's wraps the function with
// knative.dev/func-go; this one serves it through Taskwire's host, which serves a function
// the same way (health endpoints, Start while serving, drain and Stop on SIGTERM).
var mainTemplate = template.Must(template.New("main.go").Parse(`// Command main serves the function as func's Go scaffolding does.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	f {{printf "%q" .Module}}
	"github.com/taskwire/taskwire/shared/host"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := host.Serve(ctx, f.New(), host.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`))

// goModTemplate is the scaffolding's go.mod: the function's module replaced by ./f, the
// only replace line the build sees.
var goModTemplate = template.Must(template.New("go.mod").Parse(`module s

go {{.Go}}

replace {{.Module}} => ./f

require (
	{{.Module}} v0.0.0-00010101000000-000000000000
	github.com/taskwire/taskwire/shared v0.0.0
)
`))

// Options tune Build.
type Options struct {
	// Stderr receives the go command's output; nil discards it (it is part of the error).
	Stderr io.Writer
	// Offline drops the network proxies of func.yaml's GOPROXY: modules come only from
	// the function's .goproxy and this machine's module cache.
	Offline bool
}

// Build builds fn as func's builder would, into the executable out: it copies fn.Dir
// (and nothing beside it) to a temporary directory as f/, writes the scaffolding's main
// module around it, and runs `go build` with CGO_ENABLED=0, GOWORK=off and the build
// environment of fn's func.yaml, in which /workspace names the copy. Modules beyond the
// function's .goproxy come from this machine's module cache first, then GOPROXY's list.
// Run Vendor first.
func Build(ctx context.Context, fn Function, out string, opts Options) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("build %s: %w", fn.Name, err)
		}
	}()
	if !exists(filepath.Join(fn.Dir, ProxyDir)) {
		return fmt.Errorf("%s has no %s: run make vendor", fn.Dir, ProxyDir)
	}
	out, err = filepath.Abs(out)
	if err != nil {
		return err
	}
	gm, err := readGoMod(ctx, fn.Dir)
	if err != nil {
		return err
	}
	buildEnv, err := BuildEnv(fn.Dir)
	if err != nil {
		return err
	}
	if buildEnv["GOPROXY"] == "" {
		return fmt.Errorf("%s sets no GOPROXY in build.buildEnvs, so the builder cannot reach %s", filepath.Join(fn.Dir, "func.yaml"), ProxyDir)
	}

	tmp, err := os.MkdirTemp("", "funcbuild-"+fn.Name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// As func does, the scaffolding lives in the function's own .func/builds/last, with
	// f linking back to the function, so that the go command also sees whatever lies
	// above it there: the whole app's go.work, which func.yaml must switch off.
	root := filepath.Join(tmp, "workspace")
	if err := copyTree(fn.Dir, root); err != nil {
		return fmt.Errorf("copy %s: %w", fn.Dir, err)
	}
	src := filepath.Join(root, ".func", "builds", "last")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(filepath.Join("..", "..", ".."), filepath.Join(src, "f")); err != nil {
		return err
	}
	data := struct{ Module, Go string }{gm.Module.Path, gm.Go}
	for name, t := range map[string]*template.Template{"main.go": mainTemplate, "go.mod": goModTemplate} {
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(src, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	// The function's checksums seed the scaffolding's; its own modules are not in the
	// checksum database (GONOSUMDB in func.yaml) and are hashed from the proxy.
	sums, err := os.ReadFile(filepath.Join(fn.Dir, "go.sum"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "go.sum"), sums, 0o644); err != nil {
		return err
	}

	var own []string // the modules the function's go.mod replaces with directories
	for _, r := range gm.Replace {
		if strings.HasPrefix(r.New.Path, ".") || filepath.IsAbs(r.New.Path) {
			own = append(own, r.Old.Path)
		}
	}
	env, err := buildEnviron(ctx, buildEnv, root, filepath.Join(tmp, "modcache"), served(filepath.Join(fn.Dir, ProxyDir), own), opts.Offline)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if opts.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&stderr, opts.Stderr)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, stderr.String())
	}
	return nil
}

// moduleVersion is one version of a module.
type moduleVersion struct{ path, version string }

// served returns the versions of the modules named in paths that the module proxy at
// proxy lists.
func served(proxy string, paths []string) []moduleVersion {
	var out []moduleVersion
	for _, path := range paths {
		list, err := os.ReadFile(filepath.Join(proxy, filepath.FromSlash(escapePath(path)), "@v", "list"))
		if err != nil {
			continue // not served: the build says so
		}
		for _, v := range strings.Fields(string(list)) {
			out = append(out, moduleVersion{path, v})
		}
	}
	return out
}

// buildEnviron returns the go command's environment for Build: the process environment,
// then func.yaml's build environment with /workspace standing for root, then what func's
// Go builder fixes (CGO_ENABLED=0; GOWORK is func.yaml's to set, as the builder leaves it
// alone). The module cache is private (modcache),
// so that the project's modules always come fresh from the proxy; this machine's module
// cache serves everything else without the network, and offline drops the network. It
// fails when that cache holds a module version of own, those the function's proxy
// serves: a go command run outside Build with .goproxy put it there, and the cache would
// serve that old copy as if make vendor had written it. Other versions of the same
// module (upstream's reflect2 beside the project's patched copy) may stay.
func buildEnviron(ctx context.Context, buildEnv map[string]string, root, modcache string, own []moduleVersion, offline bool) ([]string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMODCACHE").Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %w", commandError(err))
	}
	cacheDir := filepath.Join(strings.TrimSpace(string(out)), "cache", "download")
	for _, m := range own {
		dir := filepath.Join(cacheDir, filepath.FromSlash(escapePath(m.path)), "@v")
		for _, ext := range []string{".info", ".mod", ".zip"} {
			if exists(filepath.Join(dir, m.version+ext)) {
				return nil, fmt.Errorf("the module cache holds %s@%s, which must come from %s: remove %s", m.path, m.version, ProxyDir, filepath.Dir(dir))
			}
		}
	}
	localCache := "file://" + cacheDir

	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for k, v := range buildEnv {
		env[k] = strings.ReplaceAll(v, "file://"+BuilderRoot+"/", "file://"+root+"/")
	}
	// This machine's module cache goes after the proxies on disk, before the network.
	var proxies []string
	inserted := false
	for _, p := range strings.Split(env["GOPROXY"], ",") {
		if !inserted && !strings.HasPrefix(p, "file://") {
			proxies, inserted = append(proxies, localCache), true
		}
		if !offline || strings.HasPrefix(p, "file://") {
			proxies = append(proxies, p)
		}
	}
	if !inserted {
		proxies = append(proxies, localCache)
	}
	if offline {
		proxies = append(proxies, "off")
	}
	env["GOPROXY"] = strings.Join(proxies, ",")
	env["GOMODCACHE"] = modcache
	env["GOFLAGS"] = strings.TrimSpace(env["GOFLAGS"] + " -modcacherw -buildvcs=false")
	env["CGO_ENABLED"] = "0"
	if _, ok := buildEnv["GOWORK"]; !ok {
		delete(env, "GOWORK") // this process's own setting is no builder's
	}
	env["GOTOOLCHAIN"] = "local"

	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	slices.Sort(list)
	return list, nil
}

// copyTree copies the regular files of src to dst, leaving out hidden directories other
// than the module proxy (version control, local state) and bin/.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") && rel != ProxyDir || rel == "bin") {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		o, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, in); err != nil {
			o.Close()
			return err
		}
		return o.Close()
	})
}

// commandError adds an exited command's stderr to its error.
func commandError(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}
