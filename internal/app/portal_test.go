package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/config"
)

type toySupplier struct{ name string }

func (s toySupplier) Name() string { return s.name }
func (toySupplier) Type() string   { return "toysup" }

type toySupConfig struct{}

// buildWithSupplier builds an App with one supplier "s" whose YAML ends
// with portal (its `portal:` block, or "").
func buildWithSupplier(t *testing.T, portal string) *App {
	t.Helper()
	reg := connector.NewRegistry()
	connector.RegisterIn(reg, connector.Spec[toySupConfig]{Type: "toysup", Kind: connector.KindSupplier,
		New: func(env connector.Env, _ *toySupConfig) (connector.Connector, error) {
			return toySupplier{env.Name}, nil
		}})
	dir := t.TempDir()
	yaml := "server:\n  listen: 127.0.0.1:0\n" + "store:\n  path: " + filepath.Join(dir, "db") + "\n" +
		"suppliers:\n  - name: s\n    type: toysup\n" + portal
	cfg, probs := config.Parse(filepath.Join(dir, "dropgate.yaml"), []byte(yaml), config.Options{Registry: reg})
	if errs := probs.Errors(); len(errs) > 0 {
		t.Fatalf("config: %v", errs)
	}
	a, err := Build(context.Background(), Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// TestPortalMountedWhenASupplierHasLogins: no portal without logins; with
// them, /portal/login answers on the gateway.
func TestPortalMountedWhenASupplierHasLogins(t *testing.T) {
	if a := buildWithSupplier(t, ""); a.Gateway.Portal != nil {
		t.Fatal("a portal without any login")
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("a-long-password"), bcrypt.MinCost)
	a := buildWithSupplier(t, "    portal: { enabled: true, users: [{email: ann@s.example, password_hash: \""+string(hash)+"\"}] }\n")
	rec := httptest.NewRecorder()
	a.Gateway.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/portal/login", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/portal/login: %d", rec.Code)
	}
	if got := portalURL("http://127.0.0.1:8080/ui/"); got != "http://127.0.0.1:8080/portal/" {
		t.Fatalf("portalURL: %s", got)
	}
}
