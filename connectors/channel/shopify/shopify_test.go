package shopify

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/jsonid"
	"github.com/dropgate/dropgate/internal/testutil"
)

func newTest(t *testing.T) *Connector {
	t.Helper()
	c, err := New(connector.Env{Name: "shop", Clock: clock.NewFake(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))},
		&Config{ShopDomain: "demo-shop.myshopify.com", WebhookSecret: "demo-secret", APIVersion: DefaultAPIVersion})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDecodeConformanceOrder(t *testing.T) {
	body := testutil.ConformanceFile(t, "channels/shopify/go-shopify.order.json")
	c := newTest(t)
	evs, err := c.DecodeEvent(context.Background(), "orders/create", body)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	// The sample order was cancelled (cancelled_at 2016-05-17): whatever
	// the topic says, the signed body decides.
	if len(evs) != 1 || !evs[0].ProvesCancellation() || evs[0].Reason != "customer" {
		t.Fatalf("events = %+v", evs)
	}
	o := evs[0].Order
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("channel order id", o.ChannelOrderID, "123456")
	check("order id", o.ID, model.OrderID("shop", "123456"))
	check("number", o.ChannelOrderNumber, "#9999")
	check("currency", o.Currency, "USD")
	check("email", o.Customer.Email, "jon@doe.ca")
	check("customer name", o.Customer.Name, "John Smith")
	check("total", o.Totals.Total.Amount, int64(1000))
	check("discount", o.Totals.Discount.Amount, int64(500))
	check("shipping", o.Totals.Shipping.Amount, int64(1000))
	check("tax (null)", o.Totals.Tax.Amount, int64(0))
	check("payment status", string(o.PaymentStatus), "voided")
	check("placed at", o.PlacedAt.Format(time.RFC3339), "2016-05-17T04:14:36Z")
	check("cancel reason", o.CancelReason, "customer")
	check("shipping method", o.ShippingMethod, "Generic Shipping")
	if len(o.Lines) != 2 {
		t.Fatalf("lines = %d, want 2", len(o.Lines))
	}
	l0, l1 := o.Lines[0], o.Lines[1]
	check("line 0 id", l0.ID, "254721536")
	check("line 0 title", l0.Title, "Soda")
	check("line 0 qty", l0.Quantity, int64(1))
	check("line 0 price", l0.UnitPrice.Amount, int64(0))
	check("line 0 product", l0.ChannelProductID, "111475476")
	check("line 0 ships", l0.NoShipping, false)
	check("line 1 id", l1.ID, "5")
	check("line 1 price", l1.UnitPrice.Amount, int64(500))
	check("line 1 discount", l1.Discount.Amount, int64(500))
	check("line 1 product", l1.ChannelProductID, "5410685889")
	a := o.ShippingAddress
	if a == nil {
		t.Fatal("no shipping address")
	}
	check("ship name", a.Name, "Steve Shipper")
	check("ship company", a.Company, "Shipping Company")
	check("ship line1", a.Line1, "123 Shipping Street")
	check("ship city", a.City, "Shippington")
	check("ship region", a.Region, "KY")
	check("ship zip", a.PostalCode, "K2P0S0")
	check("ship country", a.Country, "US")
	check("ship phone", a.Phone, "555-555-SHIP")
	check("bill name", o.BillingAddress.Name, "Bob Biller")
	if len(o.Holds) != 0 {
		t.Errorf("unexpected holds: %+v", o.Holds)
	}
}

func TestIDsAbove2To53StayExact(t *testing.T) {
	body := `{"id": 9007199254740993, "currency": "USD", "line_items": [{"id": 18446744073709551615, "sku": "A", "quantity": 1, "price": "1.00", "product_id": 9007199254740995}]}`
	c := newTest(t)
	evs, err := c.DecodeEvent(context.Background(), "orders/create", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	o := evs[0].Order
	if o.ChannelOrderID != "9007199254740993" || o.Lines[0].ID != "18446744073709551615" || o.Lines[0].ChannelProductID != "9007199254740995" {
		t.Errorf("ids lost precision: %s %s %s", o.ChannelOrderID, o.Lines[0].ID, o.Lines[0].ChannelProductID)
	}
	if got := jsonid.TopLevel([]byte(body)); got != "9007199254740993" {
		t.Errorf("topLevelID = %q", got)
	}
}

func TestDecodeErrorsSayWhere(t *testing.T) {
	c := newTest(t)
	tests := []struct{ body, want string }{
		{"{\n  \"id\": 1,\n  \"line_items\": [}\n", "invalid JSON at line 3, column 18"},
		{"{\"id\": 1, \"line_items\": [{\"quantity\": \"two\"}]}", "($.line_items.quantity): expected int, got JSON string"},
		{"{\"currency\": \"USD\"}", "$.id: missing order id"},
	}
	for _, tt := range tests {
		_, err := c.DecodeEvent(context.Background(), "orders/create", []byte(tt.body))
		if err == nil || !fault.IsPermanent(err) {
			t.Fatalf("%q: want a permanent error, got %v", tt.body, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %q does not say %q", err, tt.want)
		}
	}
}

func TestUnprocessableValuesBecomeHolds(t *testing.T) {
	c := newTest(t)
	body := `{"id": 7, "currency": "USD", "line_items": [{"id": 1, "sku": "A", "quantity": 1, "price": "1.999"}]}`
	evs, err := c.DecodeEvent(context.Background(), "orders/create", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	h := evs[0].Order.Holds
	if len(h) != 1 || h[0].Code != model.HoldInvalidOrder || !strings.Contains(h[0].Reason, "$.line_items[0].price") {
		t.Errorf("holds = %+v", h)
	}
}

func TestVerifyWebhook(t *testing.T) {
	c := newTest(t)
	body := []byte(`{"id": 820982911946154508, "email": "x@example.com"}`)
	good := func() http.Header {
		h := http.Header{}
		h.Set(HeaderHmac, Sign([]byte("demo-secret"), body))
		h.Set(HeaderTopic, "orders/create")
		h.Set(HeaderShopDomain, "demo-shop.myshopify.com")
		h.Set(HeaderWebhookID, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
		return h
	}
	d, err := c.VerifyWebhook(good(), body)
	if err != nil {
		t.Fatalf("valid delivery refused: %v", err)
	}
	if d.ID != "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" || d.Topic != "orders/create" || d.OrderRef != "820982911946154508" {
		t.Errorf("delivery = %+v", d)
	}
	// Reference value from an independent implementation (Python's hmac):
	// base64(HMAC-SHA256("hush", `{"hello":"world"}`)).
	if got := Sign([]byte("hush"), []byte(`{"hello":"world"}`)); got != "0qgAiZj+St/dOktwfRHyqrd5hPy1tVi7miu0TOYKc3s=" {
		t.Errorf("Sign = %s", got)
	}

	tampered := append([]byte{}, body...)
	tampered[len(tampered)-2] = 'X'
	cases := map[string]func() (http.Header, []byte){
		"tampered body": func() (http.Header, []byte) { return good(), tampered },
		"wrong secret": func() (http.Header, []byte) {
			h := good()
			h.Set(HeaderHmac, Sign([]byte("other"), body))
			return h, body
		},
		"missing header": func() (http.Header, []byte) { h := good(); h.Del(HeaderHmac); return h, body },
		"not base64":     func() (http.Header, []byte) { h := good(); h.Set(HeaderHmac, "%%%"); return h, body },
		"other shop": func() (http.Header, []byte) {
			h := good()
			h.Set(HeaderShopDomain, "evil.myshopify.com")
			return h, body
		},
	}
	for name, mk := range cases {
		h, b := mk()
		if _, err := c.VerifyWebhook(h, b); !errors.Is(err, connector.ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestSampleIsSignedAndDecodes(t *testing.T) {
	c := newTest(t)
	b1, err := c.SamplePayload("orders/create")
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := c.SamplePayload("orders/create")
	h, _ := c.SignWebhook("orders/create", b1)
	d, err := c.VerifyWebhook(h, b1)
	if err != nil {
		t.Fatalf("sample does not verify: %v", err)
	}
	evs, err := c.DecodeEvent(context.Background(), "orders/create", b1)
	if err != nil {
		t.Fatal(err)
	}
	o := evs[0].Order
	if o.ChannelOrderID != d.OrderRef || len(o.Lines) != 2 || o.Lines[0].SKU != "MUG-BLK-11" || o.Totals.Total.Amount != 6130 {
		t.Errorf("sample order = %+v", o)
	}
	if jsonid.TopLevel(b1) == jsonid.TopLevel(b2) {
		t.Error("two samples share an order id; each trigger must be a new order")
	}
	for _, k := range []string{HeaderTopic, HeaderShopDomain, HeaderWebhookID, HeaderAPIVersion, HeaderHmac} {
		if h.Get(k) == "" {
			t.Errorf("header %s missing", k)
		}
	}
	if _, err := c.SamplePayload("products/update"); err == nil {
		t.Error("unknown topic must fail")
	}
}

func TestRequiresShipping(t *testing.T) {
	c := newTest(t)
	body := `{"id": 1, "currency": "USD", "line_items": [{"id": 1, "sku": "A", "quantity": 1}, {"id": 2, "sku": "GIFT", "quantity": 1, "requires_shipping": false}, {"id": 3, "sku": "B", "quantity": 1, "requires_shipping": true}]}`
	evs, err := c.DecodeEvent(context.Background(), "orders/create", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	l := evs[0].Order.Lines
	if l[0].NoShipping || !l[1].NoShipping || l[2].NoShipping {
		t.Errorf("no_shipping = %v %v %v; an absent requires_shipping means the line ships", l[0].NoShipping, l[1].NoShipping, l[2].NoShipping)
	}
}

// Wrapped in {"order": …}, as a webhook sends it: every line explicitly
// shipping takes the fast path (no probe); one false among them is still
// marked.
func TestRequiresShippingWrapped(t *testing.T) {
	c := newTest(t)
	for _, tc := range []struct {
		name  string
		flags string
		want  []bool
	}{
		{"all ship", `true,true`, []bool{false, false}},
		{"second is a gift card", `true,false`, []bool{false, true}},
	} {
		var f [2]string
		copy(f[:], strings.Split(tc.flags, ","))
		body := `{"order": {"id": 7, "currency": "USD", "line_items": [` +
			`{"id": 1, "sku": "A", "quantity": 1, "requires_shipping": ` + f[0] + `},` +
			`{"id": 2, "sku": "B", "quantity": 1, "requires_shipping": ` + f[1] + `}]}}`
		evs, err := c.DecodeEvent(context.Background(), "orders/create", []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		l := evs[0].Order.Lines
		if len(l) != 2 || l[0].NoShipping != tc.want[0] || l[1].NoShipping != tc.want[1] {
			t.Errorf("%s: lines %+v, want no_shipping %v", tc.name, l, tc.want)
		}
	}
}

func TestCancelledAndIgnoredTopics(t *testing.T) {
	c := newTest(t)
	evs, err := c.DecodeEvent(context.Background(), "orders/cancelled", []byte(`{"id": 42, "currency":"USD", "cancelled_at": "2026-11-20T10:00:00-05:00", "cancel_reason": "customer"}`))
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Kind != connector.EventOrderCancelled || evs[0].Reason != "customer" || evs[0].ChannelOrderID != "42" || !evs[0].At.Equal(time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("cancel event = %+v", evs[0])
	}
	evs, err = c.DecodeEvent(context.Background(), "products/update", []byte(`not json`))
	if err != nil || evs[0].Kind != connector.EventIgnored {
		t.Errorf("ignored topic = %+v, %v", evs, err)
	}
}

func TestConfigCheck(t *testing.T) {
	c := &Config{ShopDomain: "Acme Store", APIVersion: "2025-13", BaseURL: "ftp://x"}
	ps := c.Check()
	if len(ps) != 3 {
		t.Fatalf("problems = %+v", ps)
	}
	if (&Config{ShopDomain: "acme.myshopify.com", APIVersion: "2025-07", BaseURL: "http://127.0.0.1:9999"}).Check() != nil {
		t.Error("valid config refused")
	}
}

// TestCancellationIsProvenByTheBody: Shopify signs the body, not the
// X-Shopify-Topic header. A signed orders/create body resent with the
// orders/cancelled topic must not cancel anything; an orders/updated body
// whose cancelled_at is set is a cancellation.
func TestCancellationIsProvenByTheBody(t *testing.T) {
	c := newTest(t)
	created := []byte(`{"id": 42, "currency":"USD", "name": "#1042"}`)
	evs, err := c.DecodeEvent(context.Background(), "orders/cancelled", created)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Kind == connector.EventOrderCancelled || evs[0].ProvesCancellation() {
		t.Errorf("a body without cancelled_at decoded as a cancellation: %+v", evs[0])
	}
	evs, err = c.DecodeEvent(context.Background(), "orders/updated", []byte(`{"id": 42, "currency":"USD", "cancelled_at": "2026-11-20T10:00:00-05:00", "cancel_reason": "fraud"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !evs[0].ProvesCancellation() || evs[0].Reason != "fraud" {
		t.Errorf("orders/updated with cancelled_at = %+v, want a proven cancellation", evs[0])
	}
}
