package margins_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/margins"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store/memstore"
)

func mk(id, channel, cur string, created time.Time, price, cost string, status model.OrderStatus) *model.Aggregate {
	p := money.MustParse(price, cur)
	return &model.Aggregate{Created: created,
		Order: model.Order{ID: id, Channel: channel, Currency: cur, Status: status, Totals: model.Totals{Total: p},
			Lines: []model.OrderLine{{ID: "L1", Quantity: 1, UnitPrice: p}}},
		POs: []model.PurchaseOrder{{Number: "PO" + id, Supplier: "acme", Status: model.POSent, Currency: cur,
			Lines: []model.POLine{{LineNo: 1, OrderLineID: "L1", Quantity: 1, UnitCost: money.MustParse(cost, cur)}}}},
		Payments: []model.Payment{{Provider: "stripe", Captured: p}},
	}
}

// TestReportStreamsEveryPage: more orders than a page, two currencies,
// a cancelled order and one before the period; the rows add up exactly.
func TestReportStreamsEveryPage(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	orders := repo.NewOrders(memstore.New(clk.Now), clk)
	const n = 510 // more than one page of 500
	for i := 0; i < n; i++ {
		if err := orders.Create(ctx, mk(fmt.Sprintf("u%d", i), "shop", "USD", t0.Add(time.Duration(i)*time.Minute), "10.00", "4.00", model.OrderProcessing)); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []*model.Aggregate{
		mk("e1", "amazon", "EUR", t0, "20.00", "5.00", model.OrderProcessing),
		mk("c1", "shop", "USD", t0, "99.00", "1.00", model.OrderCancelled),
		mk("old", "shop", "USD", t0.Add(-time.Hour), "99.00", "1.00", model.OrderProcessing),
	} {
		if err := orders.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	costs := margin.Costs{Payment: map[string]margin.PaymentFee{"stripe": {Percent: decimal.MustParse("2.9"), Fixed: decimal.MustParse("0.30")}}}
	s, err := margins.Report(ctx, orders, t0, time.Time{}, costs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Orders != n+1 || s.Cancelled != 1 {
		t.Fatalf("orders %d cancelled %d", s.Orders, s.Cancelled)
	}
	// Each USD order: revenue 10.00, cost 4.00, fee 0.29 + 0.30 = 0.59, margin 5.41.
	usd := func(cents int64) money.Money { return money.Money{Amount: cents, Currency: "USD"} }
	want := margin.Row{Group: "shop", Orders: n}
	if len(s.ByChannel) != 2 {
		t.Fatalf("by channel = %+v", s.ByChannel)
	}
	got := s.ByChannel[1]
	if got.Group != want.Group || got.Orders != n || got.Revenue != usd(1000*n) || got.Cost != usd(400*n) ||
		got.PaymentFees != usd(59*n) || got.Margin != usd(541*n) || got.MarginPercent != "54.10" {
		t.Errorf("shop USD = %+v", got)
	}
	if e := s.ByChannel[0]; e.Group != "amazon" || e.Currency != "EUR" || e.Margin != money.MustParse("14.12", "EUR") {
		t.Errorf("amazon EUR = %+v", e)
	}
	if len(s.BySupplier) != 2 || s.BySupplier[1].Group != "acme" || s.BySupplier[1].Margin != got.Margin || s.BySupplier[1].Orders != n {
		t.Errorf("by supplier = %+v", s.BySupplier)
	}
	// until bounds the period too.
	s, err = margins.Report(ctx, orders, t0, t0.Add(10*time.Minute), costs)
	if err != nil || s.Orders != 11 { // u0…u9 and e1
		t.Errorf("until: %d orders, %v", s.Orders, err)
	}
}

// TestSupplierRowsAddUpToChannelRows: with orders split across suppliers
// at amounts that do not divide evenly, every field of the rows by
// supplier adds up to the rows by channel, per currency, to the cent.
func TestSupplierRowsAddUpToChannelRows(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	orders := repo.NewOrders(memstore.New(clk.Now), clk)
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	for i, total := range []string{"10.01", "33.33", "7.77"} {
		id := fmt.Sprintf("s%d", i)
		a := mk(id, []string{"shop", "amazon", "shop"}[i], "USD", t0, total, "1.00", model.OrderProcessing)
		a.Order.Totals.Shipping = usd("1.01")
		a.Order.Lines = []model.OrderLine{{ID: "L1", Quantity: 1, UnitPrice: usd("3.00")}, {ID: "L2", Quantity: 2, UnitPrice: usd("1.99")}, {ID: "L3", Quantity: 1, UnitPrice: usd("0.07")}}
		a.POs = append(a.POs, model.PurchaseOrder{Number: "PB" + id, Supplier: "beta", Status: model.POSent, Currency: "USD",
			Lines: []model.POLine{{LineNo: 1, OrderLineID: "L2", Quantity: 2, UnitCost: usd("0.33")}}})
		a.Payments[0].Refunded = usd("0.01")
		if err := orders.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	costs := margin.Costs{Payment: map[string]margin.PaymentFee{"stripe": {Percent: decimal.MustParse("3.3"), Fixed: decimal.MustParse("0.07")}}}
	s, err := margins.Report(ctx, orders, t0, time.Time{}, costs)
	if err != nil {
		t.Fatal(err)
	}
	sum := func(rows []margin.Row) [8]int64 {
		var x [8]int64
		for _, r := range rows {
			for i, m := range []money.Money{r.Revenue, r.Refunds, r.Shipping, r.SupplierCost, r.SupplierFees, r.ShippingCost, r.PaymentFees, r.Margin} {
				x[i] += m.Amount
			}
		}
		return x
	}
	if len(s.BySupplier) != 3 { // acme, beta and (none) for L3 on no PO
		t.Fatalf("by supplier = %+v", s.BySupplier)
	}
	if a, b := sum(s.BySupplier), sum(s.ByChannel); a != b || a[0] == 0 || a[7] == 0 {
		t.Errorf("by supplier %v != by channel %v", a, b)
	}
}
