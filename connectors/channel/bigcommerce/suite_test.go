package bigcommerce

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/bigcommercefake"
	"github.com/dropgate/dropgate/internal/testutil"
)

// The capability suites of internal/connectortest, against the fake
// store (the tests in the other files are the connector's own).

// suiteLimit is the connector's default; the fake's quota is the
// Standard plan's 150 per 30 s.
var suiteLimit = store.Limit{Rate: 4, Burst: 20}

func suiteConnector(r *connectortest.Rig, f *bigcommercefake.Fake, secret string) *Connector {
	r.T.Helper()
	c, err := newConnector(r.Env, &Config{StoreHash: bigcommercefake.StoreHash, AccessToken: bigcommercefake.Token,
		ClientSecret: connector.Secret(secret), Currency: "USD", SKUCacheTTL: DefaultSKUCacheTTL}, f.Transport())
	if err != nil {
		r.T.Fatalf("new: %v", err)
	}
	return c
}

func suiteSign(secret, _ string, id string, body []byte) http.Header {
	ts := connectortest.Epoch.Unix()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Sign([]byte(secret), id, ts, body))
	return h
}

// seed puts a synthetic order on the fake as the store would hold it.
func seed(f *bigcommercefake.Fake, s connectortest.Synthetic) {
	lines := make([]bigcommercefake.Line, len(s.Lines))
	for i, l := range s.Lines {
		lines[i] = bigcommercefake.Line{ID: l.ID, SKU: l.SKU, Name: l.Title, Quantity: l.Quantity, Price: l.UnitPrice}
	}
	a := s.ShipTo
	f.AddOrder(bigcommercefake.NewOrder{ID: s.OrderID, Currency: s.Currency, Email: s.Email, Name: [2]string{"Ada", "Lovelace"},
		Street: a.Line1, City: a.City, State: a.Region, Zip: a.PostalCode, Country: a.Country, Shipping: s.Shipping,
		Lines: lines, At: s.PlacedAt})
}

func suiteOrder(id string) connectortest.Synthetic {
	return connectortest.Synthetic{OrderID: id, OrderNumber: id, Currency: "USD", PlacedAt: connectortest.Epoch, Email: "ada@example.com",
		ShipTo:   model.Address{Name: "Ada Lovelace", Line1: "1 Loop", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Lines:    []connectortest.SyntheticLine{{ID: id + "1", SKU: "MUG", Title: "Mug", Quantity: 1, UnitPrice: "9.00"}},
		Shipping: "1.00", Subtotal: "9.00", Total: "10.00"}
}

func TestSuiteWebhooks(t *testing.T) {
	f := bigcommercefake.New()
	seed(f, suiteOrder("7301"))
	seed(f, suiteOrder("7302"))
	at := connectortest.Epoch
	connectortest.RunWebhooks(t, connectortest.WebhookHarness{
		New: func(r *connectortest.Rig, secret string) connector.Connector {
			return suiteConnector(r, f, secret)
		},
		Sign:     suiteSign,
		Required: []string{HeaderSignature, HeaderTimestamp, HeaderID},
		Samples: []connectortest.WebhookSample{
			{Topic: "store/order/created", Body: HookBody("store/order/created", bigcommercefake.StoreHash, "7301", 11, at),
				Kind: connector.EventOrderCreated, OrderID: "7301", OrderRef: "7301"},
			{Topic: "store/order/statusUpdated", Body: HookBody("store/order/statusUpdated", bigcommercefake.StoreHash, "7302", 11, at),
				Kind: connector.EventOrderUpdated, OrderID: "7302", OrderRef: "7302"},
		},
		IgnoredTopic: "store/product/updated",
		IgnoredBody:  []byte(`{"scope":"store/product/updated","store_id":"1025646","data":{"type":"product","id":77},"hash":"5f1c","created_at":1561479335,"producer":"stores/abc123"}`),
	})
}

func TestSuiteDecode(t *testing.T) {
	f := bigcommercefake.New()
	dir := testutil.ConformanceDir(t)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, "channels", "bigcommerce", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// The docs' order example (id 218) and order-products example, served
	// as order 250, the id the docs' callbacks name.
	if err := f.AddRaw("250", read("bc-docs.orders.v2.GET-order.example.json"),
		read("bc-docs.orders.v2.GET-order-products.example.json"), []byte(conformanceAddresses)); err != nil {
		t.Fatal(err)
	}
	connectortest.RunDecode(t, connectortest.DecodeHarness{
		New: func(r *connectortest.Rig) connector.Connector { return suiteConnector(r, f, "s") },
		Render: func(s connectortest.Synthetic) (string, []byte) {
			seed(f, s)
			return "store/order/created", HookBody("store/order/created", bigcommercefake.StoreHash, s.OrderID, 11, s.PlacedAt)
		},
		ConformanceGlob: "channels/bigcommerce/bc-docs.webhook.*.json",
		Samples:         conformanceSamples(),
	})
}

// conformanceAddresses is a shipping-addresses answer in the shape of
// orders.v2.oas2.yml (the docs have no example of it).
const conformanceAddresses = `[{"id": 51, "order_id": 250, "first_name": "Jane", "last_name": "Doe", "company": "",
 "street_1": "455 Main Street", "street_2": "Suite 2", "city": "Austin", "zip": "78751", "country": "United States",
 "country_iso2": "US", "state": "Texas", "email": "janedoe@example.com", "phone": "1234567890",
 "items_total": 2, "items_shipped": 0, "shipping_method": "Flat Rate", "base_cost": "12.0000"}]`

// conformanceSamples: the docs' two callbacks, each fetching order 250,
// with every value read off the example files.
func conformanceSamples() []connectortest.DecodeSample {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	placed := time.Date(2019, 3, 5, 21, 40, 11, 0, time.UTC)
	modified := time.Date(2019, 3, 11, 15, 17, 25, 0, time.UTC)
	order := func() *model.Order {
		return &model.Order{
			ID: model.OrderID(connectortest.Instance, "250"), Channel: connectortest.Instance, ChannelOrderID: "250", ChannelOrderNumber: "#250",
			Currency: "USD", PlacedAt: placed, PaymentStatus: model.PaymentAuthorized,
			Customer: model.Customer{ID: "11", Name: "Jane Doe", Email: "janedoe@example.com", Phone: "1234567890"},
			ShippingAddress: &model.Address{Name: "Jane Doe", Line1: "455 Main Street", Line2: "Suite 2", City: "Austin", Region: "Texas",
				PostalCode: "78751", Country: "US", Phone: "1234567890", Email: "janedoe@example.com"},
			BillingAddress: &model.Address{Name: "Jane Doe", Line1: "555 East Street", City: "Austin", Region: "Texas",
				PostalCode: "78108", Country: "US", Phone: "1234567890", Email: "janedoe@example.com"},
			ShippingMethod: "Flat Rate",
			Lines: []model.OrderLine{
				{ID: "65", ChannelProductID: "77", SKU: "S-ORAN", Title: "Fog Linen Chambray Towel - Beige Stripe", Quantity: 1,
					UnitPrice: usd("55.99"), Discount: usd("1.59"), Tax: usd("9.24")},
				{ID: "66", ChannelProductID: "86", SKU: "ABS", Title: "Able Brewing System", Quantity: 1,
					UnitPrice: usd("0"), Discount: usd("0"), Tax: usd("0")},
			},
			Totals: model.Totals{Subtotal: usd("55.99"), Shipping: usd("12.00"), Tax: usd("5.31"), Discount: usd("10.00"), Total: usd("69.84")},
			Refs:   []model.Ref{{System: "bigcommerce:" + bigcommercefake.StoreHash, ID: "250"}},
		}
	}
	return []connectortest.DecodeSample{
		{Name: "store/order/created", File: "channels/bigcommerce/bc-docs.webhook.store_order_created.json", Topic: "store/order/created",
			Want: []connector.ChannelEvent{{Kind: connector.EventOrderCreated, ChannelOrderID: "250", Order: order(), At: modified}}},
		{Name: "store/order/statusUpdated", File: "channels/bigcommerce/bc-docs.webhook.store_order_statusUpdated.json", Topic: "store/order/statusUpdated",
			Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: "250", Order: order(), At: modified}}},
	}
}
