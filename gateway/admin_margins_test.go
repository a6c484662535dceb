package gateway

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/margins"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// TestAdminMarginReportAndOrderDetail: the order detail carries its
// margin (payment fees and supplier fees in it), and the report adds up
// the period by supplier and by channel, one row per currency.
func TestAdminMarginReportAndOrderDetail(t *testing.T) {
	r := newAdminRig(t, 0)
	r.app.Deps.PaymentFees = map[string]margin.PaymentFee{"stripe": {Percent: decimal.MustParse("2.9"), Fixed: decimal.MustParse("0.30")}}
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	mk := func(id, channel, cur, total, cost string) *model.Aggregate {
		p := money.MustParse(total, cur)
		return &model.Aggregate{Created: day,
			Order: model.Order{ID: id, Channel: channel, ChannelOrderID: id, Currency: cur, Status: model.OrderProcessing,
				Lines:  []model.OrderLine{{ID: "L1", SKU: "MUG", Quantity: 1, UnitPrice: p}},
				Totals: model.Totals{Total: p}},
			POs: []model.PurchaseOrder{{Number: "PO" + id, OrderID: id, Supplier: "feedco", Status: model.POSent, Currency: cur,
				Lines: []model.POLine{{LineNo: 1, OrderLineID: "L1", SKU: "MUG", Quantity: 1, UnitCost: money.MustParse(cost, cur)}}}},
			Payments: []model.Payment{{Provider: "stripe", ProviderID: "pi_" + id, Captured: p}},
		}
	}
	for _, a := range []*model.Aggregate{mk("o1", "shop", "USD", "100.00", "40.00"), mk("o2", "shop", "USD", "50.00", "20.00"), mk("o3", "amazon", "EUR", "10.00", "5.00")} {
		if err := r.app.Deps.Orders.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	var o struct {
		Order  model.Order    `json:"order"`
		Margin *margin.Report `json:"margin"`
	}
	if code := r.do(t, http.MethodGet, "/api/v1/orders/o1", nil, &o); code != http.StatusOK || o.Order.ID != "o1" || o.Margin == nil {
		t.Fatalf("order detail: status %d, %+v", code, o)
	}
	// 100.00 − (40.00 + 1.00 feedco shipping estimate) − (2.90 + 0.30) = 55.80
	// feedco's fee is its shipping estimate: shipping cost, not a supplier fee.
	if l := o.Margin.Currencies[0]; l.PaymentFees != usd("3.20") || l.SupplierFees != usd("0") || l.ShippingCost != usd("1.00") || l.Margin != usd("55.80") {
		t.Errorf("order margin = %+v", l)
	}

	var s margins.Summary
	if code := r.do(t, http.MethodGet, "/api/v1/reports/margin?since=2026-11-01T00:00:00Z", nil, &s); code != http.StatusOK {
		t.Fatalf("report: status %d", code)
	}
	if s.Orders != 3 || len(s.ByChannel) != 2 || len(s.BySupplier) != 2 {
		t.Fatalf("report = %+v", s)
	}
	// shop USD: revenue 150.00, cost 60.00 + 2.00 fees, payment fees 3.20 + 1.75 = 4.95, margin 83.05
	shop := s.ByChannel[1]
	if shop.Group != "shop" || shop.Currency != "USD" || shop.Orders != 2 || shop.Revenue != usd("150.00") || shop.Cost != usd("62.00") ||
		shop.PaymentFees != usd("4.95") || shop.Margin != usd("83.05") || shop.MarginPercent != "55.37" {
		t.Errorf("shop = %+v", shop)
	}
	if fe := s.BySupplier[0]; fe.Group != "feedco" || fe.Currency != "EUR" || fe.Orders != 1 {
		t.Errorf("feedco EUR = %+v", fe)
	}
	s = margins.Summary{}
	if code := r.do(t, http.MethodGet, "/api/v1/reports/margin?since=2026-11-01&until=2026-11-19&by=channel", nil, &s); code != http.StatusOK ||
		s.Orders != 0 || s.BySupplier != nil {
		t.Errorf("until before the orders, by channel: %d %+v", code, s)
	}
	for _, q := range []string{"", "?since=yesterday", "?since=720h&by=sku"} {
		if code := r.do(t, http.MethodGet, "/api/v1/reports/margin"+q, nil, &map[string]any{}); code != http.StatusBadRequest {
			t.Errorf("%q: status %d, want 400", q, code)
		}
	}
}
