package all

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/config"
)

// TestEveryTypeIsDocumented: every registered connector type has a
// folder with a README whose YAML example configures it and validates,
// and a configs/examples/<type>.yaml, a whole config that `dropgate
// validate` accepts, using it. Adding a connector without both fails
// here (docs/CONTRIBUTING.md).
func TestEveryTypeIsDocumented(t *testing.T) {
	wd, _ := os.Getwd()
	root := filepath.Join(wd, "..", "..")
	t.Cleanup(func() { os.Chdir(wd) })
	// Examples use paths relative to the repository root, as a merchant
	// running from a checkout would.
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	lookup := exampleEnv(t)
	reg := connector.Default()
	types := 0
	for _, kind := range []connector.Kind{connector.KindChannel, connector.KindSupplier, connector.KindCarrier, connector.KindPayment, connector.KindNotifier} {
		for _, typ := range reg.Types(kind) {
			types++
			t.Run(typ, func(t *testing.T) {
				readmes, _ := filepath.Glob(filepath.Join("connectors", "*", typ, "README.md"))
				if len(readmes) != 1 {
					t.Fatalf("want one connectors/<kind>/%s/README.md, found %v", typ, readmes)
				}
				b, err := os.ReadFile(readmes[0])
				if err != nil {
					t.Fatal(err)
				}
				m := yamlBlock.FindSubmatch(b)
				if m == nil {
					t.Fatalf("%s has no ```yaml example", readmes[0])
				}
				validates(t, readmes[0], m[1], typ, lookup)
				example := filepath.Join("configs", "examples", typ+".yaml")
				b, err = os.ReadFile(example)
				if err != nil {
					t.Fatalf("no %s: every connector type ships a complete example config", example)
				}
				validates(t, example, b, typ, lookup)
			})
		}
	}
	if types == 0 {
		t.Fatal("no connector registered: connectors/all imports none?")
	}
}

// validates parses a config and asks for no problem at all, and for a
// connector of type typ in it.
func validates(t *testing.T, file string, data []byte, typ string, lookup func(string) (string, bool)) {
	t.Helper()
	cfg, probs := config.Parse(file, data, config.Options{Lookup: lookup})
	for _, p := range probs {
		t.Errorf("%s", p)
	}
	for _, list := range [][]*config.Connector{cfg.Channels, cfg.Suppliers, cfg.Carriers, cfg.Payments} {
		for _, c := range list {
			if c.Type == typ {
				return
			}
		}
	}
	t.Errorf("%s configures no connector of type %s", file, typ)
}

// exampleEnv provides the environment variables examples name: secrets
// as placeholders, and an SSH private key where one is expected (the
// loader parses it).
func exampleEnv(t *testing.T) func(string) (string, bool) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(key, "example")
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(block))
	return func(name string) (string, bool) {
		switch {
		case strings.HasSuffix(name, "_SFTP_KEY"):
			return pemKey, true
		case strings.HasSuffix(name, "_URL"):
			return "", false // ${X_URL:-default} keeps its default
		}
		return "example", true
	}
}
