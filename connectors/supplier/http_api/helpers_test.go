package http_api

import (
	"context"
	"flag"
	"fmt"
	"github.com/dropgate/dropgate/internal/connenv"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/fakes/supplierapi"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

const supplierName = "acme_api"

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// readmeConfig loads the README's example through the real config loader,
// with ACME_API_URL pointing at url: the tests run the documented config.
func readmeConfig(t *testing.T, url, token string) *Config {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := yamlBlock.FindSubmatch(b)
	if m == nil {
		t.Fatal("README has no yaml block")
	}
	env := map[string]string{"ACME_API_URL": url, "ACME_API_TOKEN": token}
	cfg, probs := config.Parse("README.md", m[1], config.Options{Lookup: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	// The catalog path is relative to the repository root; only this
	// connector's own keys matter here.
	for _, p := range probs.Errors() {
		if !strings.HasPrefix(p.Path, "suppliers[0].catalog") {
			t.Fatalf("README config: %s", p)
		}
	}
	if len(cfg.Suppliers) != 1 {
		t.Fatalf("README config has %d suppliers", len(cfg.Suppliers))
	}
	return cfg.Suppliers[0].Settings.(*Config)
}

// rig is a connector talking real HTTP to a supplierapi fake, sharing a
// fake clock with it and with an embedded store whose limiter is the
// shared rate limiter.
type rig struct {
	t    *testing.T
	clk  *clock.Fake
	fake *supplierapi.Fake
	st   *embedded.Store
	conn connector.Connector
	c    *Connector
}

type rigOptions struct {
	fake  []supplierapi.Option
	token string // the connector's token (default: the fake's)
	limit store.Limit
	cfg   func(*Config)
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	f := supplierapi.New(append([]supplierapi.Option{supplierapi.WithClock(clk)}, o.fake...)...)
	url := f.Start()
	t.Cleanup(f.Close)
	st, err := embedded.Open(filepath.Join(t.TempDir(), "dropgate.db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	token := o.token
	if token == "" {
		token = supplierapi.DefaultToken
	}
	cfg := readmeConfig(t, url, token)
	if o.cfg != nil {
		o.cfg(cfg)
	}
	limit := o.limit
	if limit.Rate == 0 {
		limit = store.Limit{Rate: 1000, Burst: 1000}
	}
	env := connenv.New(st, connenv.Options{Name: supplierName, Namespace: Type, Clock: clk, RateLimit: limit, Logger: slog.New(slog.DiscardHandler)})
	conn, err := build(env, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, clk: clk, fake: f, st: st, conn: conn, c: conn}
}

// testPO is purchase order i: two lines, the second with SKU sku2.
func testPO(i int, sku2 string) (*model.PurchaseOrder, *model.Order) {
	order := &model.Order{ID: model.OrderID("shop", fmt.Sprint(1000+i)), Channel: "shop", ChannelOrderID: fmt.Sprint(1000 + i),
		ChannelOrderNumber: fmt.Sprintf("#%d", 1000+i), PlacedAt: t0, Currency: "USD", Note: "gift"}
	po := &model.PurchaseOrder{
		Number: model.PONumber(order.ID, supplierName, 1), Seq: 1, OrderID: order.ID, Supplier: supplierName,
		Status: model.PODraft, Currency: "USD", Created: t0, OrderNumber: order.ChannelOrderNumber, ShippingMethod: "ground",
		ShipTo: model.Address{Name: `Jo "JJ" O'Neil`, Line1: `1 Main St \ Back`, City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Lines: []model.POLine{
			{LineNo: 1, OrderLineID: "11", SKU: "MUG", SupplierSKU: "ACME-MUG", Quantity: 2, UnitCost: money.MustParse("4.50", "USD")},
			{LineNo: 2, OrderLineID: "12", SKU: "TEE", SupplierSKU: sku2, Quantity: 1, UnitCost: money.MustParse("12.99", "USD")},
		},
	}
	return po, order
}

// deliver does what the engine does with a send job: call SendPO, and on
// a retryable or throttled error move the clock to the error's "not
// before" (or a second on) and try again. Any other error fails.
func (r *rig) deliver(po *model.PurchaseOrder, order *model.Order) (connector.Sent, int) {
	r.t.Helper()
	sender := r.conn.(connector.POSender)
	for attempt := 1; attempt <= 100; attempt++ {
		sent, err := sender.SendPO(context.Background(), po, order)
		if err == nil {
			return sent, attempt
		}
		switch class, notBefore := fault.Classify(err); class {
		case fault.ClassRetryable, fault.ClassThrottled:
			if notBefore.After(r.clk.Now()) {
				r.clk.Set(notBefore)
			} else {
				r.clk.Advance(time.Second)
			}
		default:
			r.t.Fatalf("send %s: attempt %d: %v", po.Number, attempt, err)
		}
	}
	r.t.Fatalf("send %s: still failing after 100 attempts", po.Number)
	return connector.Sent{}, 0
}

// sent marks po as sent with the supplier's order id, as the engine does
// with Sent.Refs.
func markSent(po *model.PurchaseOrder, sent connector.Sent) {
	po.Status = model.POSent
	for _, ref := range sent.Refs {
		po.SetRef(ref.System, ref.ID)
	}
}

func refOf(po *model.PurchaseOrder) string { return po.RefValue("supplier:" + supplierName) }
