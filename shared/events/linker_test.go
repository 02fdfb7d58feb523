package events_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A program that links the CloudEvents SDK and calls reflect.Type.MethodByName with a
// constant name (openai-go does, in the chat function and the whole app) keeps no
// exported method it never calls. Upstream reflect2, which the SDK links through
// json-iterator, made Go's linker keep every exported method of every type there, which
// took those binaries from 52–54 to 59–61 MB and their idle memory up by 2 MB; the
// project builds with its patched copy (shared/third_party/reflect2).
func TestLinker_PrunesUncalledMethodsBesideTheSDK(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "methodbyname")
	build := exec.Command("go", "build", "-o", bin, "./testdata/methodbyname")
	build.Env = append(build.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)

	out, err = exec.Command(bin).Output()
	require.NoError(t, err)
	assert.Equal(t, "methodbyname true Default\n", string(out))

	syms, err := exec.Command("go", "tool", "nm", bin).Output()
	require.NoError(t, err, "go tool nm")
	assert.Contains(t, string(syms), "main.note.Default", "the method looked up by name stays")
	assert.False(t, strings.Contains(string(syms), "main.note.Unreached"), "main.note.Unreached, which nothing calls, is linked: the linker's method pruning is off")
}
