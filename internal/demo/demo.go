// Package demo runs dropgate's guided tour (`dropgate demo`): the server
// on the demo config, a local Shopify store (the fake), and simulated EDI
// suppliers, then one order followed from webhook to tracking on the store.
// Nothing leaves the machine and nothing needs an account.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
	"github.com/dropgate/dropgate/internal/transport"
)

// Options tune the demo.
type Options struct {
	Config  *config.Config
	Listen  string        // gateway address (default: the config's)
	Out     io.Writer     // where the story is told
	LogFile string        // the server's logs (default var/demo.log)
	Timeout time.Duration // give up after (default 90s)
	// ShipAfter is how long the simulated suppliers take to ship.
	ShipAfter time.Duration
	// Keep leaves everything running after the order shipped, until ctx
	// ends, so the operator commands and the admin API can be tried.
	Keep bool
}

// Run tells the story and returns when the order has shipped with
// tracking on the store (or the timeout passes).
func Run(ctx context.Context, o Options) error {
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	if o.ShipAfter == 0 {
		o.ShipAfter = 2 * time.Second
	}
	out := o.Out
	ch, sc, err := shopifyChannel(o.Config)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	logPath := o.LogFile
	if logPath == "" {
		logPath = filepath.Join("var", "demo.log")
	}
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	log := slog.New(slog.NewTextHandler(logf, nil))

	// 1. The store: a local Shopify fake where the channel's base_url
	// points, with ids that differ on every run so each demo order is new.
	fake, fakeURL, err := startFake(ctx, sc, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "▸ Shopify store (local fake) for %s at %s\n", sc.ShopDomain, fakeURL)

	// 2. dropgate itself, in this process.
	a, err := app.Build(ctx, app.Options{Config: o.Config, Listen: o.Listen, Logger: log})
	if err != nil {
		return err
	}
	defer a.Close()
	runDone := make(chan error, 1)
	go func() { runDone <- a.Run(ctx) }()
	addr, err := a.Addr(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "▸ dropgate serving %s (logs in %s)\n", addr, logPath)

	// 3. The suppliers: simulated EDI partners answering in their inboxes.
	for _, s := range o.Config.Suppliers {
		sim := simulated(s, o.ShipAfter, log)
		if sim == nil {
			continue
		}
		go sim.Run(ctx, 200*time.Millisecond)
		fmt.Fprintf(out, "▸ supplier %s simulated: 997 + 855 at once, 856 with tracking after %s\n", s.Name, o.ShipAfter)
	}

	// 4. A customer orders: the store has the order, and sends the webhook.
	order, body, err := placeOrder(ctx, fake, fakeURL, sc)
	if err != nil {
		return err
	}
	orderID := model.OrderID(ch.Name, fmt.Sprint(order.ID))
	fmt.Fprintf(out, "▸ order %s placed on the store; sending orders/create to /webhooks/%s\n\n", order.Name, ch.Name)
	if err := postWebhook(ctx, ch, addr.String(), body); err != nil {
		return err
	}

	// 5. Follow the order's timeline until it shipped with tracking.
	if err := follow(ctx, a, orderID, out, o.Timeout); err != nil {
		return err
	}
	fmt.Fprintln(out)
	for _, f := range fake.Fulfillments(order.ID) {
		fmt.Fprintf(out, "✔ on the store: fulfillment %s, %d line(s), %s %s\n", f.Name, len(f.Lines), f.Tracking.Company, strings.Join(f.Tracking.Numbers, ", "))
	}
	fmt.Fprintf(out, "\nSee it again with: dropgate orders show %s --config %s\n", orderID, o.Config.File)
	if o.Keep {
		fmt.Fprintln(out, "Still running (Ctrl-C to stop): try `dropgate orders list`, `dropgate exceptions list`, /metrics.")
		<-ctx.Done()
	}
	cancel()
	if err := <-runDone; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// shopifyChannel finds the demo's Shopify channel and its config.
func shopifyChannel(cfg *config.Config) (*config.Connector, *shopify.Config, error) {
	for _, c := range cfg.Channels {
		if sc, ok := c.Settings.(*shopify.Config); ok {
			if sc.BaseURL == "" {
				return nil, nil, fmt.Errorf("channel %s has no base_url: the demo serves its Shopify fake there", c.Name)
			}
			return c, sc, nil
		}
	}
	return nil, nil, errors.New("the demo needs a shopify channel in the config")
}

func startFake(ctx context.Context, sc *shopify.Config, log *slog.Logger) (*shopifyfake.Fake, string, error) {
	u, err := url.Parse(sc.BaseURL)
	if err != nil {
		return nil, "", err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	first := uint64(1)<<53 + 1 + binary.BigEndian.Uint64(b[:])%(1<<60)*2
	fake := shopifyfake.New(shopifyfake.WithShop(sc.ShopDomain, sc.AccessToken.Reveal()), shopifyfake.WithFirstID(first), shopifyfake.WithLogger(log))
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		return nil, "", fmt.Errorf("the Shopify fake cannot listen on %s (base_url of the demo channel): %w", u.Host, err)
	}
	ln.Close()
	go func() {
		if err := fake.ListenAndServe(ctx, u.Host); err != nil {
			log.Error("shopify fake", "err", err)
		}
	}()
	// Wait until it answers.
	for i := 0; i < 50; i++ {
		if c, err := net.DialTimeout("tcp", u.Host, 100*time.Millisecond); err == nil {
			c.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fake, sc.BaseURL, nil
}

// simulated returns a simulated partner for an X12 supplier on a
// directory transport, or nil.
func simulated(s *config.Connector, shipAfter time.Duration, log *slog.Logger) *edisupplier.Supplier {
	tc, ok := s.Settings.(transport.Configured)
	if s.Type != "edi_x12" || !ok || tc.TransportConfig().Type != "directory" {
		return nil
	}
	t := tc.TransportConfig()
	return &edisupplier.Supplier{Name: s.Name, Outbox: t.Outbox, Inbox: t.Inbox, ShipAfter: shipAfter, Log: log}
}

// placeOrder creates the order on the fake store and returns the
// orders/create body Shopify would send for it: the store's own JSON.
func placeOrder(ctx context.Context, fake *shopifyfake.Fake, base string, sc *shopify.Config) (shopifyfake.Order, []byte, error) {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	o, err := fake.AddOrder(shopifyfake.NewOrder{
		Email:    "ada.lovelace@example.com",
		Currency: "USD",
		ShippingAddress: shopifyfake.Address{FirstName: "Ada", LastName: "Lovelace", Address1: "12 Analytical Row", City: "Austin",
			Province: "Texas", ProvinceCode: "TX", Country: "United States", CountryCode: "US", Zip: "78701", Phone: "+1 512-555-0134"},
		Lines: []shopifyfake.NewLineItem{
			{SKU: "MUG-BLK-11", Title: "Ceramic Mug - Black / 11oz", Quantity: 2, Price: usd("14.95")},
			{SKU: "TEE-WHT-M", Title: "Logo Tee - White / M", Quantity: 1, Price: usd("25.00")},
		},
		ShippingPrice: usd("7.00"),
	})
	if err != nil {
		return o, nil, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/admin/api/%s/orders/%d.json", strings.TrimRight(base, "/"), sc.APIVersion, o.ID), nil)
	req.Header.Set("X-Shopify-Access-Token", sc.AccessToken.Reveal())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return o, nil, err
	}
	defer resp.Body.Close()
	var wrapped struct {
		Order json.RawMessage `json:"order"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&wrapped); err != nil || len(wrapped.Order) == 0 {
		return o, nil, fmt.Errorf("reading the order back from the store: %v (%s)", err, resp.Status)
	}
	return o, wrapped.Order, nil
}

func postWebhook(ctx context.Context, ch *config.Connector, addr string, body []byte) error {
	inst, err := ch.Spec.Build(connector.Env{Name: ch.Name}, ch.Settings)
	if err != nil {
		return err
	}
	signer, ok := connector.As[connector.WebhookSigner](inst)
	if !ok {
		return fmt.Errorf("channel %s (%s) cannot sign test webhooks", ch.Name, ch.Type)
	}
	h, err := signer.SignWebhook("orders/create", body)
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/webhooks/"+ch.Name, bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the gateway answered %s", resp.Status)
	}
	return nil
}

// follow prints the timeline as it grows until every unit shipped and the
// store shows each shipment.
func follow(ctx context.Context, a *app.App, orderID string, out io.Writer, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	printed := 0
	start := time.Now()
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		agg, err := a.Engine.Load(ctx, orderID)
		if err == nil {
			for _, e := range agg.Timeline[printed:] {
				fmt.Fprintf(out, "  +%5.1fs  %-22s %s\n", e.At.Sub(start).Seconds(), e.Event, e.Message)
			}
			printed = len(agg.Timeline)
			if done(agg) {
				fmt.Fprintf(out, "\n✔ order %s: %s, with tracking on the store, in %.1fs\n", agg.Order.ChannelOrderNumber, agg.Order.Status, time.Since(start).Seconds())
				return nil
			}
			if agg.Order.Status == model.OrderOnHold {
				return fmt.Errorf("the order went on hold: %s", agg.Order.Holds[0].Reason)
			}
		}
		time.Sleep(150 * time.Millisecond)
	}
	return fmt.Errorf("the order did not ship within %s; see the logs and `dropgate orders show %s`", timeout, orderID)
}

func done(a *model.Aggregate) bool {
	if a.Order.Status != model.OrderShipped || len(a.Shipments) == 0 {
		return false
	}
	for _, s := range a.Shipments {
		if s.ChannelFulfillmentID == "" {
			return false
		}
	}
	return true
}
