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
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
	"github.com/dropgate/dropgate/internal/transport"
)

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

// demoStore is the local Shopify store.
type demoStore struct {
	fake *shopifyfake.Fake
	srv  *http.Server
	done chan struct{}
}

// startStore serves a Shopify fake at the channel's base_url, or on a
// free port of its host when that one is busy; base_url is then set to it
// (before dropgate builds the channel, which reads it). Its ids differ on
// every run so each demo order is new.
func startStore(ctx context.Context, sc *shopify.Config, log *slog.Logger, out io.Writer) (*demoStore, error) {
	u, err := url.Parse(sc.BaseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("base_url %q of the demo channel is not a URL", sc.BaseURL)
	}
	ln, err := listen(u.Host, true, "the Shopify store", out)
	if err != nil {
		return nil, fmt.Errorf("%w (base_url of the demo channel)", err)
	}
	if got := ln.Addr().String(); got != u.Host {
		u.Host = got
		sc.BaseURL = u.String()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	first := uint64(1)<<53 + 1 + binary.BigEndian.Uint64(b[:])%(1<<60)*2
	st := &demoStore{
		fake: shopifyfake.New(shopifyfake.WithShop(sc.ShopDomain, sc.AccessToken.Reveal()), shopifyfake.WithFirstID(first), shopifyfake.WithLogger(log)),
		done: make(chan struct{}),
	}
	st.srv = &http.Server{Handler: st.fake, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(st.done)
		if err := st.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("shopify fake", "err", err)
		}
	}()
	return st, nil
}

func (st *demoStore) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = st.srv.Shutdown(ctx)
	<-st.done
}

// adoptWebhookOrders makes the store know every order the gateway
// receives for channel, as if it had been placed there: an order sent with
// `dropgate trigger` can then be fulfilled on the store instead of ending
// in a dead letter. The store adopts it before the gateway enqueues it.
func (st *demoStore) adoptWebhookOrders(a *app.App, channel string, log *slog.Logger) {
	v, ok := connector.As[connector.WebhookVerifier](a.Gateway.Channels[channel])
	if !ok {
		return
	}
	shop := st.fake.Shop("") // the default shop, where the demo places its order
	chans := maps.Clone(a.Gateway.Channels)
	chans[channel] = adopting{Connector: a.Gateway.Channels[channel], verify: v, adopt: func(body []byte) {
		if _, err := shop.AdoptOrder(body); err != nil {
			log.Warn("the demo store could not adopt a webhook's order", "err", err)
		}
	}}
	a.Gateway.Channels = chans
}

// adopting verifies as the channel does, then hands a verified order's
// body to the store.
type adopting struct {
	connector.Connector
	verify connector.WebhookVerifier
	adopt  func(body []byte)
}

func (ad adopting) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	d, err := ad.verify.VerifyWebhook(h, body)
	if err == nil && d.Topic == "orders/create" {
		ad.adopt(body)
	}
	return d, err
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
func (st *demoStore) placeOrder(ctx context.Context, sc *shopify.Config) (shopifyfake.Order, []byte, error) {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	o, err := st.fake.AddOrder(shopifyfake.NewOrder{
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
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/admin/api/%s/orders/%d.json", strings.TrimRight(sc.BaseURL, "/"), sc.APIVersion, o.ID), nil)
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
