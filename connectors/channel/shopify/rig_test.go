package shopify

import (
	"bytes"
	"github.com/dropgate/dropgate/internal/connenv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// rig is a connector wired to a shopifyfake through go-shopify, sharing a
// fake clock with the fake and (optionally) an embedded store whose
// limiter is the shared rate limiter.
type rig struct {
	t     *testing.T
	clk   *clock.Fake
	f     *shopifyfake.Fake
	st    *embedded.Store
	c     *Connector
	cfg   *Config
	posts *recorder
}

type rigOptions struct {
	noStore bool
	token   string
	wrap    func(http.RoundTripper) http.RoundTripper // around the fake's transport
	cfg     func(*Config)
	// baseURL, when set, returns a URL serving the fake (f.Start(), or a
	// server wrapping it): the connector gets base_url and the default
	// transport, and talks real HTTP.
	baseURL func(t *testing.T, f *shopifyfake.Fake) string
}

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	f := shopifyfake.New(shopifyfake.WithClock(clk))
	t.Cleanup(f.Close)
	r := &rig{t: t, clk: clk, f: f, posts: &recorder{}}
	env := connector.Env{
		Name: "shop", Clock: clk, Logger: slog.New(slog.DiscardHandler),
		RateLimit: store.Limit{Rate: 2, Burst: 40},
	}
	if !o.noStore {
		st, err := embedded.Open(filepath.Join(t.TempDir(), "dropgate.db"), embedded.WithClock(clk))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		r.st = st
		env = connenv.New(st, connenv.Options{Name: env.Name, Namespace: Type, Clock: clk, Logger: env.Logger, RateLimit: env.RateLimit})
	}
	token := shopifyfake.DefaultToken
	if o.token != "" {
		token = o.token
	}
	r.cfg = &Config{
		ShopDomain: shopifyfake.DefaultShop, AccessToken: connector.Secret(token),
		WebhookSecret: "secret", APIVersion: DefaultAPIVersion,
	}
	if o.cfg != nil {
		o.cfg(r.cfg)
	}
	var base http.RoundTripper
	if o.baseURL != nil {
		r.cfg.BaseURL = o.baseURL(t, f)
	} else {
		base = f.Transport()
		if o.wrap != nil {
			base = o.wrap(base)
		}
		base = r.posts.wrap(base)
	}
	c, err := newConnector(env, r.cfg, base)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	return r
}

func usd(s string) money.Money { return money.MustParse(s, "USD") }

// product seeds a product with one variant per SKU, all at price.
func (r *rig) product(price string, skus ...string) shopifyfake.Product {
	r.t.Helper()
	np := shopifyfake.NewProduct{Title: "Product " + skus[0]}
	for _, s := range skus {
		np.Variants = append(np.Variants, shopifyfake.NewVariant{Title: s, SKU: s, Price: usd(price)})
	}
	p, err := r.f.AddProduct(np)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// order seeds an order with one line per (variant, quantity) pair.
func (r *rig) order(lines ...shopifyfake.NewLineItem) (shopifyfake.Order, *model.Order) {
	r.t.Helper()
	for i := range lines {
		if lines[i].Price.Currency == "" {
			lines[i].Price = usd("10.00")
		}
	}
	o, err := r.f.AddOrder(shopifyfake.NewOrder{Email: "ada@example.com", Lines: lines,
		ShippingAddress: shopifyfake.Address{FirstName: "Ada", Address1: "1 Loop", City: "Austin", CountryCode: "US", Zip: "78701"}})
	if err != nil {
		r.t.Fatal(err)
	}
	return o, &model.Order{ID: model.OrderID("shop", formatID(o.ID)), Channel: "shop", ChannelOrderID: formatID(o.ID)}
}

func pkg(number string, lines ...model.ShipmentLine) model.Package {
	return model.Package{TrackingNumber: number, Lines: lines}
}

func shipped(li shopifyfake.LineItem, qty int64) model.ShipmentLine {
	return model.ShipmentLine{OrderLineID: formatID(li.ID), SKU: li.SKU, Quantity: qty}
}

func shipment(id, carrier string, pkgs ...model.Package) *model.Shipment {
	return &model.Shipment{ID: id, Carrier: carrier, Packages: pkgs, ShippedAt: t0}
}

// class is fault.Classify's class, for table assertions.
func class(err error) fault.Class { c, _ := fault.Classify(err); return c }

// rtFunc adapts a function to http.RoundTripper.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// recorder keeps the bodies of POST fulfillments.json requests.
type recorder struct {
	mu     sync.Mutex
	bodies []string
}

func (rec *recorder) wrap(next http.RoundTripper) http.RoundTripper {
	return rtFunc(func(req *http.Request) (*http.Response, error) {
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/fulfillments.json") && req.Body != nil {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(b))
			rec.mu.Lock()
			rec.bodies = append(rec.bodies, string(b))
			rec.mu.Unlock()
		}
		return next.RoundTrip(req)
	})
}

func (rec *recorder) all() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.bodies...)
}

// jsonResponse is a canned response for transport wrappers.
func jsonResponse(req *http.Request, status int, body string) *http.Response {
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/json")
	rec.WriteHeader(status)
	rec.WriteString(body)
	resp := rec.Result()
	resp.Request = req
	return resp
}
