package all

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/internal/config"
)

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// TestConnectorREADMEsValidate fails when a connector's README example
// drifts from its config code: every connector folder has a README with a
// YAML example, and the example must pass `dropgate validate`.
func TestConnectorREADMEsValidate(t *testing.T) {
	readmes, err := filepath.Glob("../*/*/README.md")
	if err != nil || len(readmes) == 0 {
		t.Fatalf("no connector READMEs found: %v", err)
	}
	kinds, _ := os.ReadDir("..")
	connectors := 0
	for _, k := range kinds {
		if !k.IsDir() || k.Name() == "all" {
			continue
		}
		entries, _ := os.ReadDir(filepath.Join("..", k.Name()))
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			connectors++
			if _, err := os.Stat(filepath.Join("..", k.Name(), e.Name(), "README.md")); err != nil {
				t.Errorf("connector %s/%s has no README.md", k.Name(), e.Name())
			}
		}
	}
	if connectors != len(readmes) {
		t.Errorf("%d connector folders but %d READMEs", connectors, len(readmes))
	}
	// Examples use paths relative to the repository root, as a merchant
	// running from a checkout would.
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	root := filepath.Join(wd, "..", "..")
	for _, r := range readmes {
		r := filepath.Join(wd, r)
		t.Run(filepath.Base(filepath.Dir(r)), func(t *testing.T) {
			b, err := os.ReadFile(r)
			if err != nil {
				t.Fatal(err)
			}
			m := yamlBlock.FindSubmatch(b)
			if m == nil {
				t.Fatal("README has no ```yaml example")
			}
			if err := os.Chdir(root); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{}
			lookup := func(k string) (string, bool) {
				if strings.HasSuffix(k, "_TOKEN") || strings.HasSuffix(k, "_SECRET") || strings.HasSuffix(k, "_PASSWORD") || strings.HasSuffix(k, "_KEY") {
					return "example", true
				}
				v, ok := env[k]
				return v, ok
			}
			_, probs := config.Parse(r, m[1], config.Options{Lookup: lookup})
			for _, p := range probs {
				t.Errorf("%s", p)
			}
		})
	}
}
