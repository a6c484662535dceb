package config

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// testConn is a connector type for config tests.
type testConn struct{ connector.Env }

func (t testConn) Name() string { return t.Env.Name }
func (testConn) Type() string   { return "testchan" }

type testChanConfig struct {
	Domain  string           `yaml:"domain" required:"true"`
	Secret  connector.Secret `yaml:"secret"`
	Retries int              `yaml:"retries"`
	Wait    time.Duration    `yaml:"wait"`
	Nested  struct {
		Dir string `yaml:"dir"`
	} `yaml:"nested"`
}

func (c *testChanConfig) Check() []connector.Problem {
	if c.Nested.Dir == "forbidden" {
		return []connector.Problem{{Path: "nested.dir", Message: "must not be forbidden"}}
	}
	return nil
}

type testSupConfig struct {
	Code string `yaml:"code"`
}

func registry() *connector.Registry {
	r := connector.NewRegistry()
	connector.RegisterIn(r, connector.Spec[testChanConfig]{Type: "testchan", Kind: connector.KindChannel,
		Defaults: func() *testChanConfig { return &testChanConfig{Retries: 3} },
		New:      func(env connector.Env, _ *testChanConfig) (connector.Connector, error) { return testConn{env}, nil }})
	connector.RegisterIn(r, connector.Spec[testSupConfig]{Type: "testsup", Kind: connector.KindSupplier,
		New: func(env connector.Env, _ *testSupConfig) (connector.Connector, error) { return testConn{env}, nil }})
	return r
}

func parse(t *testing.T, yaml string, env map[string]string) (*Config, Problems) {
	t.Helper()
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return Parse("test.yaml", []byte(yaml), Options{Lookup: lookup, Registry: registry()})
}

func TestValidConfig(t *testing.T) {
	cfg, probs := parse(t, `
server: { listen: ":9000", admin_token: "${TOKEN}" }
channels:
  - name: shop
    type: testchan
    domain: "${DOMAIN:-example.com}"
    secret: "${SECRET}"
    wait: 2d
    rate_limit: { per_second: 2, burst: 40 }
suppliers:
  - name: acme
    type: testsup
    code: X1
    priority: 2
    sla: { acknowledge_within: 4h }
`, map[string]string{"TOKEN": "t0k", "SECRET": "s3cret"})
	if len(probs) != 0 {
		t.Fatalf("unexpected problems:\n%s", probs.Error())
	}
	if cfg.Server.Listen != ":9000" || cfg.Server.AdminToken.Reveal() != "t0k" {
		t.Errorf("server = %+v", cfg.Server)
	}
	sh := cfg.Channels[0].Settings.(*testChanConfig)
	if sh.Domain != "example.com" || sh.Secret.Reveal() != "s3cret" || sh.Retries != 3 || sh.Wait != 48*time.Hour {
		t.Errorf("channel settings = %+v", sh)
	}
	if l := cfg.Channels[0].EffectiveLimit(); l.Rate != 2 || l.Burst != 40 {
		t.Errorf("limit = %+v", l)
	}
	sup := cfg.Suppliers[0]
	if sup.Supplier.Priority != 2 || sup.Supplier.SLA.AcknowledgeWithin != 4*time.Hour || sup.Supplier.Currency != "USD" {
		t.Errorf("supplier profile = %+v", sup.Supplier)
	}
	if sup.Settings.(*testSupConfig).Code != "X1" {
		t.Errorf("supplier settings = %+v", sup.Settings)
	}
	if cfg.Store.Driver != "embedded" || cfg.Server.MaxBodyBytes != 1<<20 {
		t.Errorf("defaults not applied: %+v %+v", cfg.Store, cfg.Server)
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // each must appear as a whole line
	}{
		{"unknown key", "server:\n  listen: x\n  lisen: y\n",
			[]string{`test.yaml:3: server.lisen: unknown key (known keys: admin_token, listen, max_body_bytes, read_timeout, shutdown_timeout)`}},
		{"wrong type", "server:\n  max_body_bytes: lots\n",
			[]string{`test.yaml:2: server.max_body_bytes: expected an integer, got "lots"`}},
		{"missing required", "channels:\n  - name: shop\n    type: testchan\n",
			[]string{`test.yaml:2: channels[0].domain: missing required key`}},
		{"unknown type", "channels:\n  - name: shop\n    type: shopfiy\n",
			[]string{`test.yaml:3: channels[0].type: unknown connector type "shopfiy" (known channel types: testchan)`}},
		{"duplicate names", "channels:\n  - {name: a, type: testchan, domain: x}\nsuppliers:\n  - {name: a, type: testsup}\n",
			[]string{`test.yaml:4: suppliers[0].name: duplicate connector name "a" (first defined at line 2)`}},
		{"unknown key in connector", "channels:\n  - name: a\n    type: testchan\n    domain: x\n    domian: y\n",
			[]string{`test.yaml:5: channels[0].domian: unknown key (known keys: domain, name, nested, orders, rate_limit, reconcile, retries, retry, secret, type, wait)`}},
		{"checker path to line", "channels:\n  - name: a\n    type: testchan\n    domain: x\n    nested:\n      dir: forbidden\n",
			[]string{`test.yaml:6: channels[0].nested.dir: must not be forbidden`}},
		{"unset env", "server:\n  listen: ${NOPE}\n",
			[]string{`test.yaml:2: server.listen: environment variable NOPE is not set (write ${NOPE:-default} to give a default)`}},
		{"bad duration", "workers:\n  lease: soon\n",
			[]string{`test.yaml:2: workers.lease: expected a duration such as 30s, 4h or 2d, got "soon"`}},
		{"list expected", "channels: shop\n",
			[]string{`test.yaml:1: channels: expected a list of connectors, got "shop"`}},
		{"bad name", "channels:\n  - {name: My Shop, type: testchan, domain: x}\n",
			[]string{`test.yaml:2: channels[0].name: "My Shop": use lower-case letters, digits, - and _ (it appears in URLs)`}},
		{"missing catalog", "suppliers:\n  - name: s\n    type: testsup\n    catalog: { file: /nonexistent/cat.csv }\n",
			[]string{`test.yaml:4: suppliers[0].catalog.file: cannot read /nonexistent/cat.csv: no such file or directory`}},
		{"unknown currency", "suppliers:\n  - {name: s, type: testsup, currency: ZZZ}\n",
			[]string{`test.yaml:2: suppliers[0].currency: unknown ISO 4217 currency "ZZZ"`}},
		{"yaml syntax", "server:\n  listen: [\n",
			[]string{`test.yaml:2: (root): did not find expected node content`}},
		{"duplicate yaml key", "server:\n  listen: a\n  listen: b\n",
			[]string{`test.yaml:3: server.listen: duplicate key (first at line 2)`}},
		{"unknown store driver", "store: { driver: mongo }\n",
			[]string{`test.yaml:1: store.driver: unknown driver "mongo" (known: embedded, redis)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := parse(t, tt.yaml, nil)
			got := map[string]bool{}
			for _, p := range probs.Errors() {
				got[p.String()] = true
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("missing problem\n  %s\ngot:\n  %s", w, strings.ReplaceAll(probs.Error(), "\n", "\n  "))
				}
			}
		})
	}
}

func TestSeveralProblemsInOneRun(t *testing.T) {
	_, probs := parse(t, "server:\n  lisen: x\nworkers:\n  lease: soon\nchannels:\n  - {name: a, type: nope}\n", nil)
	if n := len(probs.Errors()); n != 3 {
		t.Fatalf("want 3 problems in one run, got %d:\n%s", n, probs.Error())
	}
}

func TestInlineSecretWarns(t *testing.T) {
	cfg, probs := parse(t, "channels:\n  - name: a\n    type: testchan\n    domain: x\n    secret: hunter2\n", nil)
	if len(probs.Errors()) != 0 {
		t.Fatalf("inline secret must still load: %s", probs.Error())
	}
	w := probs.Warnings()
	if len(w) != 1 || w[0].String() != "test.yaml:5: channels[0].secret: warning: secret set inline; use ${ENV_VAR} so it stays out of the file" {
		t.Fatalf("warnings = %v", w)
	}
	if cfg.Channels[0].Settings.(*testChanConfig).Secret.Reveal() != "hunter2" {
		t.Error("inline secret not loaded")
	}
	if strings.Contains(w[0].String(), "hunter2") {
		t.Error("the warning leaks the secret")
	}
}

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "1", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct{ in, out string }{
		{"plain", "plain"},
		{"${A}", "1"},
		{"x${A}y${A}", "x1y1"},
		{"${B:-def}", "def"},
		{"${EMPTY:-def}", "def"},
		{"${EMPTY}", ""},
		{"$$", "$"},
		{"pa$word", "pa$word"},
		{"${B:-}", ""},
	}
	for _, tt := range tests {
		got, _, err := Expand(tt.in, lookup)
		if err != nil || got != tt.out {
			t.Errorf("Expand(%q) = %q, %v; want %q", tt.in, got, err, tt.out)
		}
	}
	for _, bad := range []string{"${B}", "${A", "${1A}"} {
		if _, _, err := Expand(bad, lookup); err == nil {
			t.Errorf("Expand(%q) must fail", bad)
		}
	}
}

// TestStorePartitions: store.partitions is checked where it is written.
func TestStorePartitions(t *testing.T) {
	cfg, probs := parse(t, "store: { driver: redis, addrs: [\"127.0.0.1:7000\"], partitions: { \"*\": 4, ingest: 8 } }\n", nil)
	if len(probs.Errors()) != 0 {
		t.Fatalf("problems: %s", probs.Error())
	}
	if cfg.Store.Partitions["ingest"] != 8 || cfg.Store.Partitions["*"] != 4 {
		t.Fatalf("partitions = %v", cfg.Store.Partitions)
	}
	for _, c := range []struct{ yaml, want string }{
		{"store: { driver: redis, url: \"redis://127.0.0.1:6379/0\", partitions: { ingest: 0 } }\n", "test.yaml:1: store.partitions.ingest: 0: want 1 to 1024"},
		{"store: { driver: redis, url: \"redis://127.0.0.1:6379/0\", partitions: { orderz: 2 } }\n", `store.partitions.orderz: unknown queue "orderz"`},
	} {
		_, probs := parse(t, c.yaml, nil)
		if !strings.Contains(probs.Error(), c.want) {
			t.Errorf("%q: problems %s, want one containing %q", c.yaml, probs.Error(), c.want)
		}
	}
	_, probs = parse(t, "store: { partitions: { ingest: 2 } }\n", nil)
	if w := probs.Warnings(); len(w) != 1 || !strings.Contains(w[0].String(), "ignored by the embedded store") {
		t.Errorf("embedded store with partitions: warnings %v", w)
	}
}

// TestStorePools: store.pool_size and store.enqueue_pipelines reach the
// config and are bounded where they are written.
func TestStorePools(t *testing.T) {
	cfg, probs := parse(t, "store: { driver: redis, url: \"redis://127.0.0.1:6379/0\", pool_size: 64, enqueue_pipelines: 4 }\n", nil)
	if len(probs.Errors()) != 0 {
		t.Fatalf("problems: %s", probs.Error())
	}
	if cfg.Store.PoolSize != 64 || cfg.Store.EnqueuePipelines != 4 {
		t.Fatalf("pool %d, pipelines %d", cfg.Store.PoolSize, cfg.Store.EnqueuePipelines)
	}
	for _, c := range []struct{ yaml, want string }{
		{"store: { driver: redis, url: \"redis://127.0.0.1:6379/0\", pool_size: -1 }\n", "test.yaml:1: store.pool_size: -1: want 0"},
		{"store: { driver: redis, url: \"redis://127.0.0.1:6379/0\", enqueue_pipelines: 100 }\n", "test.yaml:1: store.enqueue_pipelines: 100: want 0"},
	} {
		_, probs := parse(t, c.yaml, nil)
		if !strings.Contains(probs.Error(), c.want) {
			t.Errorf("%q: problems %s, want one containing %q", c.yaml, probs.Error(), c.want)
		}
	}
}

// TestOrdersBlock: the release policy is checked where it is written,
// and a channel's own block replaces the top-level one.
func TestOrdersBlock(t *testing.T) {
	cfg, probs := parse(t, "orders: { release: manual, hold_risk: [] }\nchannels:\n  - {name: a, type: testchan, domain: x, orders: { release: immediately }}\n", nil)
	if len(probs.Errors()) != 0 {
		t.Fatalf("problems: %s", probs.Error())
	}
	if p := cfg.Orders.Policy(); p.Mode != "manual" || len(p.HoldRisk) != 0 {
		t.Errorf("top level %+v: an explicit [] holds no risk", p)
	}
	if p := cfg.Channels[0].Orders.Policy(); p.Mode != "immediately" || len(p.HoldRisk) != 1 || p.HoldRisk[0] != "high" {
		t.Errorf("channel %+v: hold_risk defaults to [high]", p)
	}
	_, probs = parse(t, "orders: { release: later, hold_risk: [extreme], hold_after: 45d }\nsuppliers:\n  - {name: s, type: testsup, orders: { release: manual }}\n", nil)
	for _, want := range []string{
		`test.yaml:1: orders.release: "later": want on_payment, immediately, manual`,
		`test.yaml:1: orders.hold_risk[0]: "extreme": want low, medium or high`,
		`test.yaml:1: orders.hold_after: 1080h0m0s: want 0 to 30d`,
		`test.yaml:3: suppliers[0].orders: only a channel's orders have a release policy`,
	} {
		if !strings.Contains(probs.Error(), want) {
			t.Errorf("missing %q in:\n%s", want, probs.Error())
		}
	}
}

// TestOrdersRequireCapture: require_capture reaches the policy, and is
// refused where it cannot apply (a release that does not wait for
// payment).
func TestOrdersRequireCapture(t *testing.T) {
	cfg, probs := parse(t, "orders: { require_capture: true }\n", nil)
	if len(probs.Errors()) != 0 || !cfg.Orders.Policy().RequireCapture {
		t.Fatalf("policy %+v, problems %s", cfg.Orders.Policy(), probs.Error())
	}
	_, probs = parse(t, "orders: { release: immediately, require_capture: true }\n", nil)
	if want := `test.yaml:1: orders.require_capture: applies to release: on_payment only (release is immediately)`; !strings.Contains(probs.Error(), want) {
		t.Errorf("missing %q in:\n%s", want, probs.Error())
	}
}
