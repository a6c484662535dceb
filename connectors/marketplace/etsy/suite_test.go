package etsy

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/etsyfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const suiteURL = "https://openapi.etsy.example"

// suiteConnector is the connector on the rig, reaching base through the
// fake's transport (nil: no network).
func suiteConnector(r *connectortest.Rig, cfg *Config, base http.RoundTripper) *Connector {
	r.T.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = suiteURL
	}
	if cfg.Keystring == "" {
		cfg.Keystring, cfg.SharedSecret = etsyfake.Keystring, connector.Secret(etsyfake.SharedSecret)
		cfg.ShopID, cfg.RefreshToken = etsyfake.ShopID, connector.Secret(etsyfake.RefreshToken)
	}
	c, err := newConnector(r.Env, cfg, base)
	if err != nil {
		r.T.Fatalf("new connector: %v", err)
	}
	return c
}

func TestSuiteDecode(t *testing.T) {
	connectortest.RunDecode(t, connectortest.DecodeHarness{
		New:           func(r *connectortest.Rig) connector.Connector { return suiteConnector(r, &Config{}, nil) },
		Render:        func(s connectortest.Synthetic) (string, []byte) { return TopicReceipt, renderSynthetic(s) },
		NoConformance: "no clean public Etsy receipt exists (research §10); samples follow the ShopReceipt schema",
		Samples:       []connectortest.DecodeSample{paidReceipt(), canceledReceipt(), receiptList()},
	})
}

// receiptBody is a receipt of two transactions in EUR, written from the
// ShopReceipt schema (l4u/go-etsy-v3 api/openapi.yaml): money as
// {amount, divisor, currency_code}, one divisor 1000 to show the
// division is exact, epoch seconds, ids above 2^53.
func receiptBody(status string, paid bool) []byte {
	return []byte(`{"receipt_id": 9007199254740993, "receipt_type": 0, "seller_user_id": 87654321, "seller_email": "shop@example.com",
 "buyer_user_id": 11223344, "buyer_email": "ada@example.com", "name": "Ada Lovelace", "first_line": "12 Analytical Row",
 "second_line": "Flat 2", "city": "Berlin", "state": "BE", "zip": "10115", "status": "` + status + `",
 "formatted_address": "Ada Lovelace\n12 Analytical Row\nFlat 2\n10115 Berlin\nGermany", "country_iso": "DE",
 "payment_method": "cc", "payment_email": "", "message_from_seller": null, "message_from_buyer": "Gift wrap, please",
 "message_from_payment": null, "is_paid": ` + fmt.Sprint(paid) + `, "is_shipped": false,
 "create_timestamp": 1773500966, "created_timestamp": 1773500966, "update_timestamp": 1773510000, "updated_timestamp": 1773510000,
 "is_gift": false, "gift_message": "", "gift_sender": "",
 "grandtotal": {"amount": 6348, "divisor": 100, "currency_code": "EUR"},
 "subtotal": {"amount": 5498, "divisor": 100, "currency_code": "EUR"},
 "total_price": {"amount": 5498, "divisor": 100, "currency_code": "EUR"},
 "total_shipping_cost": {"amount": 4500, "divisor": 1000, "currency_code": "EUR"},
 "total_tax_cost": {"amount": 0, "divisor": 100, "currency_code": "EUR"},
 "total_vat_cost": {"amount": 400, "divisor": 100, "currency_code": "EUR"},
 "discount_amt": {"amount": 0, "divisor": 100, "currency_code": "EUR"},
 "gift_wrap_price": {"amount": 0, "divisor": 100, "currency_code": "EUR"},
 "shipments": [], "refunds": [],
 "transactions": [
  {"transaction_id": 9007199254740995, "title": "Mug", "description": "A mug", "seller_user_id": 87654321, "buyer_user_id": 11223344,
   "create_timestamp": 1773500966, "created_timestamp": 1773500966, "paid_timestamp": 1773500970, "shipped_timestamp": null,
   "quantity": 2, "listing_image_id": 1, "receipt_id": 9007199254740993, "is_digital": false, "file_data": "",
   "listing_id": 1500000001, "transaction_type": "listing", "product_id": 18014398509481985, "sku": "MUG-BLK",
   "price": {"amount": 1999, "divisor": 100, "currency_code": "EUR"},
   "shipping_cost": {"amount": 450, "divisor": 100, "currency_code": "EUR"},
   "variations": [], "product_data": [], "shipping_profile_id": null, "min_processing_days": 1, "max_processing_days": 3,
   "shipping_method": null, "shipping_upgrade": null, "expected_ship_date": 1773673766, "buyer_coupon": 0, "shop_coupon": 0},
  {"transaction_id": 9007199254740997, "title": "Tee", "quantity": 1, "listing_id": 1500000002, "product_id": 18014398509481987,
   "sku": "TEE-WHT-M", "price": {"amount": 1500, "divisor": 100, "currency_code": "EUR"}}]}`)
}

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func receiptOrder() *model.Order {
	id := "9007199254740993"
	return &model.Order{
		ID: model.OrderID(connectortest.Instance, id), Channel: connectortest.Instance, ChannelOrderID: id, ChannelOrderNumber: id,
		PlacedAt: time.Unix(1773500966, 0).UTC(), Currency: "EUR", Note: "Gift wrap, please",
		Customer: model.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		ShippingAddress: &model.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", Line2: "Flat 2", City: "Berlin", Region: "BE",
			PostalCode: "10115", Country: "DE"},
		Lines: []model.OrderLine{
			{ID: "9007199254740995", SKU: "MUG-BLK", Title: "Mug", Quantity: 2, UnitPrice: eur("19.99"), Discount: eur("0"), Tax: eur("0")},
			{ID: "9007199254740997", SKU: "TEE-WHT-M", Title: "Tee", Quantity: 1, UnitPrice: eur("15"), Discount: eur("0"), Tax: eur("0")},
		},
		Totals: model.Totals{Subtotal: eur("54.98"), Shipping: eur("4.50"), Tax: eur("4.00"), Discount: eur("0"), Total: eur("63.48")},
		Status: model.OrderReceived, PaymentStatus: model.PaymentPaid,
	}
}

func paidReceipt() connectortest.DecodeSample {
	return connectortest.DecodeSample{Name: "a paid receipt", Topic: TopicReceipt, Body: receiptBody("Paid", true),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: "9007199254740993", Order: receiptOrder(),
			At: time.Unix(1773510000, 0).UTC()}}}
}

// canceledReceipt: status "canceled" (the spec's spelling) is a
// cancellation of every line, at update_timestamp.
func canceledReceipt() connectortest.DecodeSample {
	o := receiptOrder()
	at := time.Unix(1773510000, 0).UTC()
	o.CancelledAt, o.CancelReason = &at, "canceled on Etsy"
	o.Lines[0].Cancelled, o.Lines[1].Cancelled = 2, 1
	o.PaymentStatus = model.PaymentUnknown
	return connectortest.DecodeSample{Name: "a canceled receipt", Topic: TopicReceipt, Body: receiptBody("canceled", false),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderCancelled, ChannelOrderID: o.ChannelOrderID, Order: o,
			Reason: "canceled on Etsy", At: at}}}
}

// receiptList: a list answer whose receipt is still in payment
// processing: pending payment.
func receiptList() connectortest.DecodeSample {
	o := receiptOrder()
	o.PaymentStatus = model.PaymentPending
	return connectortest.DecodeSample{Name: "a list with a receipt in payment processing", Topic: TopicReceipts,
		Body: []byte(`{"count": 1, "results": [` + string(receiptBody("payment processing", false)) + `]}`),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o,
			At: time.Unix(1773510000, 0).UTC()}}}
}

// moneyJSON writes a decimal string as Etsy's money: the digits over
// 10^(its decimals), so an amount more precise than its currency stays
// so.
func moneyJSON(s, cur string) string {
	whole, frac, _ := strings.Cut(s, ".")
	div := "1" + strings.Repeat("0", len(frac))
	amount := strings.TrimLeft(whole+frac, "0")
	if amount == "" {
		amount = "0"
	}
	return fmt.Sprintf(`{"amount": %s, "divisor": %s, "currency_code": %q}`, amount, div, cur)
}

// renderSynthetic writes a synthetic order as an Etsy receipt.
func renderSynthetic(s connectortest.Synthetic) []byte {
	var txs []string
	for _, l := range s.Lines {
		txs = append(txs, fmt.Sprintf(`{"transaction_id": %s, "title": %q, "quantity": %d, "sku": %q, "price": %s}`,
			l.ID, l.Title, l.Quantity, l.SKU, moneyJSON(l.UnitPrice, s.Currency)))
	}
	sub, total := s.Subtotal, s.Total
	if sub == "" {
		sub, total = "0", "0"
	}
	a := s.ShipTo
	return []byte(fmt.Sprintf(`{"receipt_id": %s, "status": "Paid", "is_paid": true, "buyer_email": %q, "name": %q,
 "first_line": %q, "city": %q, "state": %q, "zip": %q, "country_iso": %q, "create_timestamp": %d, "update_timestamp": %d,
 "subtotal": %s, "total_shipping_cost": %s, "grandtotal": %s, "transactions": [%s]}`,
		s.OrderID, s.Email, a.Name, a.Line1, a.City, a.Region, a.PostalCode, a.Country, s.PlacedAt.Unix(), s.PlacedAt.Unix(),
		moneyJSON(sub, s.Currency), moneyJSON(s.Shipping, s.Currency), moneyJSON(total, s.Currency), strings.Join(txs, ",")))
}

// suiteLimit is the connector's limit in the HTTP cases (a raised Etsy
// limit: the replay cases make three operations of several calls on a
// still clock): a bucket of 10 refilled at 5/s never sends more than 15
// in a second, the fake's quota.
var suiteLimit = store.Limit{Rate: 5, Burst: 10}

func newFake(r *connectortest.Rig, l store.Limit) *etsyfake.Fake {
	return etsyfake.New(etsyfake.WithClock(r.Clock), etsyfake.WithLimit(kit.Etsy(int(l.Burst)+int(l.Rate), 10000)))
}

func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
			f := newFake(r, suiteLimit)
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.PollOrdersFixture{
				Connector: c,
				Order:     func(id string, at time.Time) { f.PutReceipt(id, at) },
				PageSize:  PageSize,
				Fake:      f.Server(),
				List:      connectortest.Route{Method: "GET", Path: "/v3/application/shops/" + etsyfake.ShopID + "/receipts"},
				ID:        func(ev connector.ChannelEvent) string { return f.Name(ev.ChannelOrderID) },
			}
		}})
}
