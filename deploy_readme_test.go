package function_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeCreates returns, for each Secret ("secret/NAME") and ConfigMap ("configMap/NAME")
// that a `kubectl create` command of README.md makes, the keys it gives it.
func readmeCreates(tb testing.TB) map[string][]string {
	tb.Helper()
	raw, err := os.ReadFile("README.md")
	require.NoError(tb, err)
	text := strings.ReplaceAll(string(raw), "\\\n", " ") // join continued shell lines
	created := map[string][]string{}
	for line := range strings.SplitSeq(text, "\n") {
		fields := strings.Fields(line)
		var kind string
		switch {
		case len(fields) >= 5 && fields[0] == "kubectl" && fields[1] == "create" && fields[2] == "secret" && fields[3] == "generic":
			kind, fields = "secret/"+fields[4], fields[5:]
		case len(fields) >= 4 && fields[0] == "kubectl" && fields[1] == "create" && fields[2] == "configmap":
			kind, fields = "configMap/"+fields[3], fields[4:]
		default:
			continue
		}
		for _, f := range fields {
			if kv, ok := strings.CutPrefix(f, "--from-literal="); ok {
				key, _, _ := strings.Cut(kv, "=")
				created[kind] = append(created[kind], key)
			}
		}
	}
	return created
}

// TestReadme_CreatesEverySecretAndConfigMap checks that README's deploy guide creates
// every Secret and ConfigMap key that a func.yaml reads, so that a deploy that follows it
// finds its whole configuration.
func TestReadme_CreatesEverySecretAndConfigMap(t *testing.T) {
	created := readmeCreates(t)
	require.NotEmpty(t, created, "got no kubectl create secret/configmap commands in README.md")
	for _, dir := range funcDirs(t) {
		for _, env := range MustReadFuncYAML(t, dir).Run.Envs {
			var kind string
			m := secretKeyRef.FindStringSubmatch(env.Value)
			if m != nil {
				kind = "secret/" + m[1]
			} else if m = configMapKeyRef.FindStringSubmatch(env.Value); m != nil {
				kind = "configMap/" + m[1]
			} else {
				continue
			}
			assert.Contains(t, created[kind], m[2], "%s/func.yaml reads %s key %q for %s: README's deploy guide must create it with kubectl create … --from-literal=%s=…", dir, kind, m[2], env.Name, m[2])
		}
	}
}
