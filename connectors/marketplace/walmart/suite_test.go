package walmart

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
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/walmartfake"
)

const suiteURL = "https://marketplace.walmartapis.example"

// suiteConnector is the connector on the rig, reaching base through the
// fake's transport (nil: no network).
func suiteConnector(r *connectortest.Rig, cfg *Config, base http.RoundTripper) *Connector {
	r.T.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = suiteURL
	}
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientSecret = walmartfake.ClientID, connector.Secret(walmartfake.ClientSecret)
	}
	c, err := newConnector(r.Env, cfg, base)
	if err != nil {
		r.T.Fatalf("new connector: %v", err)
	}
	return c
}

func TestSuiteDecode(t *testing.T) {
	connectortest.RunDecode(t, connectortest.DecodeHarness{
		New:             func(r *connectortest.Rig) connector.Connector { return suiteConnector(r, &Config{}, nil) },
		Render:          func(s connectortest.Synthetic) (string, []byte) { return TopicOrder, renderSynthetic(s) },
		ConformanceGlob: "channels/walmart/wm-mp-us.orders.*.200.example.json",
		Samples:         []connectortest.DecodeSample{releasedOrders(), partlyCancelled(), whollyCancelled()},
	})
}

// sampleRow is one order of Walmart's getAllReleasedOrders example, its
// values read off the file. Every order there has one line, qty "1",
// status Created, an ItemPrice of 99 USD and Shipping of 60 USD.
type sampleRow struct {
	po, customerOrder, email string
	orderDate                int64
	phone                    string
	shipBy                   int64
	method, name, line1      string
	city, state, zip, ctry   string
	line, sku, title, tax    string
	statusDate               int64
}

var releasedRows = []sampleRow{
	{"4792982839409", "5681962097195", "9336DEB95193429EA032F07770C3E48A@relay.walmart.com", 1571903550000, "7992381678", 1572069600000, "Express", "SFirst1340778269137n SLast1340778269137n", "13227 City Square Dr", "Jacksonville", "CA", "12901", "US", "3", "StressTestHome_29", "Dummystresstest_MP_Home_29", "7.92", 1571903748000},
	{"2792982839545", "5681963507621", "608603150B4049338B773566484C0591@relay.walmart.com", 1571903539000, "7998673792", 1572069600000, "Express", "SFirst1340778269137n SLast1340778269137n", "2200 Wheatsheaf Ln", "Philadelphia", "CA", "28078", "US", "11", "StressTestHome_55", "Dummystresstest_MP_Home_55", "0", 1571903763000},
	{"2792982839414", "5681962895313", "BC058103AF6C400E99FDEC95795F16AF@relay.walmart.com", 1571903538000, "7998211844", 1572069600000, "Express", "SFirst1340778912575r SLast1340778912575r", "444 Castro St", "Mountain View", "CA", "94041", "US", "4", "StressTestHome_13", "Dummystresstest_MP_Home_13", "8.89", 1571903747000},
	{"4792982839305", "5681962393943", "B100013EF5B6415E97F13A1E2F76D33E@relay.walmart.com", 1571903537000, "7997281822", 1572069600000, "Express", "SFirst1340778914882k SLast1340778914882k", "444 Castro St", "Mountain View", "CA", "94041", "US", "4", "StressTestHome_31", "Dummystresstest_MP_Home_31", "8.90", 1571903746000},
	{"4792982839157", "5681962094947", "F26C0523EB674390ABD87D8148A9CF9A@relay.walmart.com", 1571903536000, "7994363541", 1572069600000, "Express", "SFirst1340778269137n SLast1340778269137nt", "14507 Plank Rd", "Baker", "CA", "70714", "US", "3", "StressTestHome_55", "Dummystresstest_MP_Home_55", "0", 1571903732000},
	{"4792982839565", "5681963200599", "B442C0D25766479DA1D98D0BEE18AA4E@relay.walmart.com", 1571903536000, "7997678284", 1572069600000, "Express", "SFirst1340778269137n SLast1340778269137nt", "925 Keyser Ave", "Natchitoches", "CA", "43311", "US", "3", "StressTestHome_55", "Dummystresstest_MP_Home_55", "7.18", 1571903765000},
	{"4792982839536", "5681963403079", "C087D231D7F846C3BBE04B1AC869F3FB@relay.walmart.com", 1571903535000, "7998487320", 1572069600000, "Express", "SFirst1340778269137n SLast1340778269137n", "100 Mcginnis Dr", "Wayne", "CA", "33323", "US", "4", "StressTestHome_32", "Dummystresstest_MP_Home_32", "0", 1571903762000},
	{"3796673088300", "5681962299170", "A78E13850B234D4599FD6B42DB0EFB19@relay.walmart.com", 1571903535000, "7999539847", 1572069600000, "Express", "SFirst1340778269137n SLast1340778269137nt", "4542 Kenowa Ave Sw", "Grandville", "CA", "33155", "US", "3", "StressTestHome_55", "Dummystresstest_MP_Home_55", "0", 1571903716000},
	{"1796673088779", "5681963402652", "B7F3DF65F7DB47CD9F4108B5C2BA89BF@relay.walmart.com", 1571903535000, "7995572470", 1572069600000, "Express", "SFirst1340778269137n SLast1340778269137n", "1450 Johns Lake Rd", "Clermont", "CA", "30529", "US", "3", "StressTestHome_13", "Dummystresstest_MP_Home_13", "0", 1571903748000},
	{"4792982839704", "5681962096403", "B100013EF5B6415E97F13A1E2F76D33E@relay.walmart.com", 1571903535000, "7997281822", 1572069600000, "Express", "SFirst1340778914882k SLast1340778914882k", "444 Castro St", "Mountain View", "CA", "94041", "US", "1", "StressTestHome_31", "Dummystresstest_MP_Home_31", "8.91", 1571903807000},
}

func usd(s string) money.Money { return money.MustParse(s, "USD") }

func releasedOrders() connectortest.DecodeSample {
	var want []connector.ChannelEvent
	for _, r := range releasedRows {
		shipBy := time.UnixMilli(r.shipBy).UTC()
		total, _ := usd("159").Add(usd(r.tax))
		o := &model.Order{
			ID: model.OrderID(connectortest.Instance, r.po), Channel: connectortest.Instance, ChannelOrderID: r.po,
			ChannelOrderNumber: r.customerOrder, PlacedAt: time.UnixMilli(r.orderDate).UTC(), Currency: "USD",
			Customer: model.Customer{Name: r.name, Email: r.email},
			ShippingAddress: &model.Address{Name: r.name, Line1: r.line1, City: r.city, Region: r.state, PostalCode: r.zip,
				Country: r.ctry, Phone: r.phone},
			Lines: []model.OrderLine{{ID: r.line, SKU: r.sku, Title: r.title, Quantity: 1, UnitPrice: usd("99"),
				Discount: usd("0"), Tax: usd(r.tax)}},
			Totals:         model.Totals{Subtotal: usd("99"), Shipping: usd("60"), Tax: usd(r.tax), Discount: usd("0"), Total: total},
			ShippingMethod: r.method, Status: model.OrderReceived, PaymentStatus: model.PaymentPaid, ShipBy: &shipBy,
		}
		want = append(want, connector.ChannelEvent{Kind: connector.EventOrderUpdated, ChannelOrderID: r.po, Order: o,
			At: time.UnixMilli(r.statusDate).UTC()})
	}
	return connectortest.DecodeSample{Name: "Walmart getAllReleasedOrders example", Topic: TopicOrders,
		File: "channels/walmart/wm-mp-us.orders.getAllReleasedOrders.200.example.json", Want: want}
}

// twoLines is an order of two lines, qty 2 and 1, with taxes on the
// product and the shipping charge; statuses are filled in per test.
func twoLines(status1, status2 string) []byte {
	return []byte(`{"purchaseOrderId": "9007199254740993", "customerOrderId": "200000042", "customerEmailId": "ada@relay.walmart.com",
 "orderDate": 1773500966000, "shippingInfo": {"phone": "5125550100", "estimatedShipDate": 1773673766000, "methodCode": "Standard",
  "postalAddress": {"name": "Ada Lovelace", "address1": "12 Analytical Row", "address2": "Flat 2", "city": "Austin", "state": "TX", "postalCode": "78701", "country": "USA"}},
 "orderLines": {"orderLine": [
  {"lineNumber": "1", "item": {"productName": "Mug", "sku": "MUG-BLK"},
   "charges": {"charge": [{"chargeType": "PRODUCT", "chargeName": "ItemPrice", "chargeAmount": {"currency": "USD", "amount": 39.98}, "tax": {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": 3.30}}},
                          {"chargeType": "SHIPPING", "chargeName": "Shipping", "chargeAmount": {"currency": "USD", "amount": 4.5}, "tax": {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": 0.37}}}]},
   "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": "2"}, "statusDate": 1773510000000,
   "orderLineStatuses": {"orderLineStatus": [` + status1 + `]}},
  {"lineNumber": "2", "item": {"productName": "Tee", "sku": "TEE-WHT-M"},
   "charges": {"charge": [{"chargeType": "PRODUCT", "chargeName": "ItemPrice", "chargeAmount": {"currency": "USD", "amount": 15}}]},
   "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": "1"}, "statusDate": 1773520000000,
   "orderLineStatuses": {"orderLineStatus": [` + status2 + `]}}]}}`)
}

func twoLinesOrder() *model.Order {
	shipBy := time.Date(2026, 3, 16, 15, 9, 26, 0, time.UTC)
	return &model.Order{
		ID: model.OrderID(connectortest.Instance, "9007199254740993"), Channel: connectortest.Instance, ChannelOrderID: "9007199254740993",
		ChannelOrderNumber: "200000042", PlacedAt: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC), Currency: "USD",
		Customer: model.Customer{Name: "Ada Lovelace", Email: "ada@relay.walmart.com"},
		ShippingAddress: &model.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", Line2: "Flat 2", City: "Austin", Region: "TX",
			PostalCode: "78701", Country: "US", Phone: "5125550100"},
		Lines: []model.OrderLine{
			{ID: "1", SKU: "MUG-BLK", Title: "Mug", Quantity: 2, UnitPrice: usd("19.99"), Discount: usd("0"), Tax: usd("3.67")},
			{ID: "2", SKU: "TEE-WHT-M", Title: "Tee", Quantity: 1, UnitPrice: usd("15"), Discount: usd("0"), Tax: usd("0")},
		},
		Totals:         model.Totals{Subtotal: usd("54.98"), Shipping: usd("4.50"), Tax: usd("3.67"), Discount: usd("0"), Total: usd("63.15")},
		ShippingMethod: "Standard", Status: model.OrderReceived, PaymentStatus: model.PaymentPaid, ShipBy: &shipBy,
	}
}

// partlyCancelled: line 1 acknowledged, line 2 cancelled by Walmart: an
// update whose line 2 is cancelled.
func partlyCancelled() connectortest.DecodeSample {
	o := twoLinesOrder()
	o.Lines[1].Cancelled = 1
	return connectortest.DecodeSample{Name: "a line cancelled", Topic: TopicOrder,
		Body: twoLines(`{"status": "Acknowledged", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "2"}}`,
			`{"status": "Cancelled", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"}}`),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o,
			At: time.UnixMilli(1773520000000).UTC()}}}
}

// whollyCancelled: every unit cancelled: a cancellation, at the latest
// cancelled line's statusDate.
func whollyCancelled() connectortest.DecodeSample {
	o := twoLinesOrder()
	o.Lines[0].Cancelled, o.Lines[1].Cancelled = 2, 1
	at := time.Date(2026, 3, 14, 20, 26, 40, 0, time.UTC) // 1773520000000
	o.CancelledAt, o.CancelReason = &at, "cancelled by Walmart"
	return connectortest.DecodeSample{Name: "every line cancelled", Topic: TopicOrder,
		Body: twoLines(`{"status": "Cancelled", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "2"}}`,
			`{"status": "Cancelled", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"}}`),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderCancelled, ChannelOrderID: o.ChannelOrderID, Order: o,
			Reason: "cancelled by Walmart", At: at}}}
}

// renderSynthetic writes a synthetic order as Walmart does: the PRODUCT
// charge is the line's amount (unit price × quantity), shipping a
// SHIPPING charge on the first line.
func renderSynthetic(s connectortest.Synthetic) []byte {
	var lines []string
	for i, l := range s.Lines {
		amount := s.Lines[i].UnitPrice
		if p, err := money.Parse(l.UnitPrice, s.Currency); err == nil {
			m, _ := p.Mul(l.Quantity)
			amount = m.Decimal().String()
		} else if l.Quantity != 1 {
			amount = l.UnitPrice + "0" // keeps the excess precision the test wants refused
		}
		charges := fmt.Sprintf(`{"chargeType": "PRODUCT", "chargeAmount": {"currency": %q, "amount": %s}}`, s.Currency, amount)
		if i == 0 {
			charges += fmt.Sprintf(`, {"chargeType": "SHIPPING", "chargeAmount": {"currency": %q, "amount": %s}}`, s.Currency, s.Shipping)
		}
		lines = append(lines, fmt.Sprintf(`{"lineNumber": %q, "item": {"sku": %q, "productName": %q}, "charges": {"charge": [%s]},
 "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": "%d"}, "statusDate": %d,
 "orderLineStatuses": {"orderLineStatus": [{"status": "Created", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "%d"}}]}}`,
			l.ID, l.SKU, l.Title, charges, l.Quantity, s.PlacedAt.UnixMilli(), l.Quantity))
	}
	a := s.ShipTo
	return []byte(fmt.Sprintf(`{"purchaseOrderId": %q, "customerOrderId": %q, "customerEmailId": %q, "orderDate": %d,
 "shippingInfo": {"methodCode": "Standard", "postalAddress": {"name": %q, "address1": %q, "city": %q, "state": %q, "postalCode": %q, "country": %q}},
 "orderLines": {"orderLine": [%s]}}`, s.OrderID, s.OrderNumber, s.Email, s.PlacedAt.UnixMilli(),
		a.Name, a.Line1, a.City, a.Region, a.PostalCode, a.Country, strings.Join(lines, ",")))
}

// suiteLimit is the connector's limit in the HTTP cases, which the fake's
// Walmart token bucket matches.
var suiteLimit = store.Limit{Rate: 2, Burst: 10}

func newFake(r *connectortest.Rig) *walmartfake.Fake {
	return walmartfake.New(walmartfake.WithClock(r.Clock), walmartfake.WithLimit(kit.Walmart(suiteLimit.Rate, suiteLimit.Burst)))
}

// pollLimit is the poll's: every order listed is acknowledged by one
// call of its own, so the suite's sweeps (which never wait for budget)
// need a burst the size of Walmart's order-API allowance.
var pollLimit = store.Limit{Rate: 5, Burst: 60}

func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: pollLimit,
		Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
			f := walmartfake.New(walmartfake.WithClock(r.Clock), walmartfake.WithLimit(kit.Walmart(pollLimit.Rate, pollLimit.Burst)))
			c := suiteConnector(r, &Config{PageSize: 5}, f.Transport())
			return connectortest.PollOrdersFixture{
				Connector: c,
				Order:     func(id string, at time.Time) { f.PutOrder(id, at) },
				PageSize:  5,
				Fake:      f.Server(),
				List:      connectortest.Route{Method: "GET", Path: "/v3/orders"},
			}
		}})
}
