package connectortest

// The walkthrough of docs/CONTRIBUTING.md, "Add a connector": a whole
// channel — config, spec, webhook verification, decoding — registered in
// its own registry, its YAML validated by the config loader, and passing
// the webhook and decode suites. A real connector lives in
// connectors/channel/<name>/ with its README and configs/examples/<name>.yaml.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/config"
)

// 1. The config: YAML keys, secrets as connector.Secret (never logged).
type toyConfig struct {
	WebhookSecret connector.Secret `yaml:"webhook_secret" required:"true"`
}

// 2. The connector: built from its Env and config, no I/O in New.
type toyShop struct {
	env connector.Env
	cfg *toyConfig
}

// 3. Interface guards: the capabilities it offers.
var (
	_ connector.WebhookVerifier = (*toyShop)(nil)
	_ connector.EventDecoder    = (*toyShop)(nil)
)

func (c *toyShop) Name() string { return c.env.Name }
func (c *toyShop) Type() string { return "toyshop" }

// 4. The spec, registered once (a real connector does it in init, with
// connector.Register).
func registerToy(r *connector.Registry) {
	connector.RegisterIn(r, connector.Spec[toyConfig]{
		Type: "toyshop", Kind: connector.KindChannel, Summary: "a toy shop for the walkthrough",
		New: func(env connector.Env, cfg *toyConfig) (connector.Connector, error) {
			return &toyShop{env: env, cfg: cfg}, nil
		},
	})
}

// 5. Webhooks: the signature over the raw body, compared in constant time.
func toySign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func (c *toyShop) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	got, err := hex.DecodeString(h.Get("X-Toy-Signature"))
	if err != nil || !hmac.Equal(got, hexBytes(toySign(c.cfg.WebhookSecret.Reveal(), body))) {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	var peek struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &peek) // a bad body is the decoder's to report
	return connector.Delivery{ID: h.Get("X-Toy-Delivery"), Topic: h.Get("X-Toy-Topic"), OrderRef: peek.ID}, nil
}

func hexBytes(s string) []byte { b, _ := hex.DecodeString(s); return b }

// 6. Decoding: money through money.Parse (never a float), ids as strings,
// errors permanent and saying where.
type toyOrder struct {
	ID       string    `json:"id"`
	Number   string    `json:"number"`
	Currency string    `json:"currency"`
	PlacedAt time.Time `json:"placed_at"`
	Email    string    `json:"email"`
	ShipTo   struct {
		Name, Line1, City, Region, Zip, Country string
	} `json:"ship_to"`
	Lines []struct {
		ID, SKU, Title, Price string
		Quantity              int64
	} `json:"lines"`
	Shipping, Subtotal, Total string
}

func (c *toyShop) DecodeEvent(_ context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	if topic != "order/created" {
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	var t toyOrder
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, fault.Permanentf("toyshop: $: %v", err)
	}
	if t.ID == "" {
		return nil, fault.Permanentf("toyshop: $.id: missing")
	}
	o := model.Order{ID: model.OrderID(c.env.Name, t.ID), Channel: c.env.Name, ChannelOrderID: t.ID, ChannelOrderNumber: t.Number,
		PlacedAt: t.PlacedAt, Currency: t.Currency, Customer: model.Customer{Email: t.Email},
		ShippingAddress: &model.Address{Name: t.ShipTo.Name, Line1: t.ShipTo.Line1, City: t.ShipTo.City,
			Region: t.ShipTo.Region, PostalCode: t.ShipTo.Zip, Country: t.ShipTo.Country}}
	amount := func(path, s string) (money.Money, error) {
		m, err := money.Parse(s, t.Currency)
		if err != nil {
			return m, fault.Permanentf("toyshop: %s: %v", path, err)
		}
		return m, nil
	}
	var err error
	for i, l := range t.Lines {
		line := model.OrderLine{ID: l.ID, SKU: l.SKU, Title: l.Title, Quantity: l.Quantity}
		if line.UnitPrice, err = amount(fmt.Sprintf("$.lines[%d].price", i), l.Price); err != nil {
			return nil, err
		}
		o.Lines = append(o.Lines, line)
	}
	for _, a := range []struct {
		path, v string
		to      *money.Money
	}{{"$.shipping", t.Shipping, &o.Totals.Shipping}, {"$.subtotal", t.Subtotal, &o.Totals.Subtotal}, {"$.total", t.Total, &o.Totals.Total}} {
		if *a.to, err = amount(a.path, a.v); err != nil {
			return nil, err
		}
	}
	return []connector.ChannelEvent{{Kind: connector.EventOrderCreated, ChannelOrderID: t.ID, Order: &o, At: t.PlacedAt}}, nil
}

// renderToy is the platform's payload of a synthetic order (the decode
// suite's edge cases).
func renderToy(s Synthetic) (string, []byte) {
	lines := make([]map[string]any, len(s.Lines))
	for i, l := range s.Lines {
		lines[i] = map[string]any{"id": l.ID, "sku": l.SKU, "title": l.Title, "quantity": l.Quantity, "price": l.UnitPrice}
	}
	b, _ := json.Marshal(map[string]any{"id": s.OrderID, "number": s.OrderNumber, "currency": s.Currency,
		"placed_at": s.PlacedAt, "email": s.Email, "lines": lines, "shipping": s.Shipping, "subtotal": s.Subtotal, "total": s.Total,
		"ship_to": map[string]string{"name": s.ShipTo.Name, "line1": s.ShipTo.Line1, "city": s.ShipTo.City,
			"region": s.ShipTo.Region, "zip": s.ShipTo.PostalCode, "country": s.ShipTo.Country}})
	return "order/created", b
}

func toySignHeaders(secret, topic, id string, body []byte) http.Header {
	h := http.Header{}
	h.Set("X-Toy-Signature", toySign(secret, body))
	h.Set("X-Toy-Topic", topic)
	h.Set("X-Toy-Delivery", id)
	return h
}

// 7. The YAML a merchant writes validates with the real loader.
const toyYAML = `
store: { driver: embedded, path: ./var/toy.db }
channels:
  - name: toy
    type: toyshop
    webhook_secret: ${TOY_WEBHOOK_SECRET}
`

func TestToyChannelWalkthrough(t *testing.T) {
	reg := connector.NewRegistry()
	registerToy(reg)
	cfg, probs := config.Parse("toy.yaml", []byte(toyYAML), config.Options{Registry: reg,
		Lookup: func(k string) (string, bool) { return "s3cret", k == "TOY_WEBHOOK_SECRET" }})
	if errs := probs.Errors(); len(errs) > 0 || len(cfg.Channels) != 1 {
		t.Fatalf("toy.yaml: %v", errs)
	}
	newToy := func(r *Rig, secret string) connector.Connector {
		spec, _ := reg.Lookup("toyshop")
		c, err := spec.Build(r.Env, &toyConfig{WebhookSecret: connector.Secret(secret)})
		if err != nil {
			r.T.Fatalf("build: %v", err)
		}
		return c
	}
	topic, body := renderToy(synthetic("1001", "USD", "9.50", "4.00", "1", "2"))
	RunWebhooks(t, WebhookHarness{New: newToy, Sign: toySignHeaders, Required: []string{"X-Toy-Signature"},
		IgnoredTopic: "customer/updated",
		Samples:      []WebhookSample{{Topic: topic, Body: body, Kind: connector.EventOrderCreated, OrderID: "1001", OrderRef: "1001"}}})
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	at := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	want := []connector.ChannelEvent{{Kind: connector.EventOrderCreated, ChannelOrderID: "1001", At: at, Order: &model.Order{
		ID: model.OrderID(Instance, "1001"), Channel: Instance, ChannelOrderID: "1001", ChannelOrderNumber: "#1001", PlacedAt: at,
		Currency: "USD", Customer: model.Customer{Email: "ada@example.com"},
		ShippingAddress: &model.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Lines: []model.OrderLine{{ID: "1", SKU: "MUG-BLK", Title: "Mug", Quantity: 2, UnitPrice: usd("9.50")},
			{ID: "2", SKU: "TEE-WHT-M", Title: "Tee", Quantity: 1, UnitPrice: usd("9.50")}},
		Totals: model.Totals{Shipping: usd("4.00"), Subtotal: usd("28.50"), Total: usd("32.50")}}}}
	RunDecode(t, DecodeHarness{New: func(r *Rig) connector.Connector { return newToy(r, "s") }, Render: renderToy,
		NoConformance: "a toy platform has no published payloads",
		Samples:       []DecodeSample{{Name: "toy order", Body: body, Topic: topic, Want: want}}})
}
