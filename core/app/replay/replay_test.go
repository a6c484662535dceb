package replay

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
)

type offers map[string][]routing.Offer

func (c offers) Offers(sku string) []routing.Offer { return c[sku] }

func usd(s string) money.Money { return money.MustParse(s, "USD") }

// order builds a stored order with one live PO per supplier of lines
// (line id → supplier), at the offers' costs.
func order(id string, lines map[string]string, cat offers, skus map[string]string) model.Aggregate {
	a := model.Aggregate{Order: model.Order{ID: id, Channel: "shop", ChannelOrderNumber: "#" + id, Currency: "USD",
		PaymentStatus: model.PaymentPaid, Status: model.OrderProcessing,
		ShippingAddress: &model.Address{Name: "A", Line1: "1 Main", City: "X", PostalCode: "1", Country: "US"}}}
	bySup := map[string]*model.PurchaseOrder{}
	var order []string
	total := usd("0.00")
	for _, lid := range []string{"1", "2", "3"} {
		sup, ok := lines[lid]
		if !ok {
			continue
		}
		sku := skus[lid]
		a.Order.Lines = append(a.Order.Lines, model.OrderLine{ID: lid, SKU: sku, Quantity: 2, UnitPrice: usd("50.00")})
		total, _ = total.Add(usd("100.00"))
		var cost money.Money
		for _, of := range cat[sku] {
			if of.Supplier == sup {
				cost = of.Cost
			}
		}
		po := bySup[sup]
		if po == nil {
			po = &model.PurchaseOrder{Number: "PO-" + id + "-" + sup, OrderID: id, Supplier: sup, Status: model.POAcknowledged, Currency: "USD"}
			bySup[sup] = po
			order = append(order, sup)
		}
		po.Lines = append(po.Lines, model.POLine{LineNo: len(po.Lines) + 1, OrderLineID: lid, SKU: sku, Quantity: 2, UnitCost: cost})
	}
	for _, s := range order {
		a.POs = append(a.POs, *bySup[s])
	}
	a.Order.Totals = model.Totals{Subtotal: total, Total: total}
	return a
}

func eachOf(as []model.Aggregate) Each {
	return func(_ context.Context, _, _ time.Time, fn func(*model.Aggregate) error) error {
		for i := range as {
			if err := fn(&as[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// A new rule sends MUG-* to backup: exactly the mug lines move, the
// report names them, and the totals are the stored POs' and the new
// plan's to the cent.
func TestReplayRuleMovesLines(t *testing.T) {
	cat := offers{
		"MUG-1": {{Supplier: "acme", SKU: "MUG-1", SupplierSKU: "A-M1", Cost: usd("10.00"), Stock: 100},
			{Supplier: "backup", SKU: "MUG-1", SupplierSKU: "B-M1", Cost: usd("12.00"), Stock: 100}},
		"TEE-1": {{Supplier: "acme", SKU: "TEE-1", SupplierSKU: "A-T1", Cost: usd("5.00"), Stock: 100}},
		"CAP-1": {{Supplier: "backup", SKU: "CAP-1", SupplierSKU: "B-C1", Cost: usd("7.00"), Stock: 100}},
	}
	profiles := map[string]routing.SupplierProfile{
		"acme":   {Name: "acme", Currency: "USD", Fees: routing.Fees{Dropship: decimal.MustParse("1.50")}},
		"backup": {Name: "backup", Currency: "USD"},
	}
	skus := map[string]string{"1": "MUG-1", "2": "TEE-1", "3": "CAP-1"}
	stored := []model.Aggregate{
		order("o1", map[string]string{"1": "acme", "2": "acme"}, cat, skus),   // mug moves: 1 PO → 2
		order("o2", map[string]string{"2": "acme"}, cat, skus),                // unchanged
		order("o3", map[string]string{"1": "acme", "3": "backup"}, cat, skus), // mug moves: 2 POs → 1
	}
	cancelled := order("o4", map[string]string{"1": "acme"}, cat, skus)
	cancelled.Order.Status = model.OrderCancelled
	stored = append(stored, cancelled)

	rules := routing.Config{Rules: []routing.Rule{{Name: "mugs", When: routing.When{SKU: "MUG-*"}, Suppliers: []string{"backup"}}}}
	router := &routing.Router{Config: rules, Suppliers: profiles, Catalog: cat}
	rep, err := Run(context.Background(), eachOf(stored), time.Time{}, time.Time{},
		Rules{Router: router, Profiles: profiles, Release: func(string) lifecycle.ReleasePolicy { return lifecycle.ReleasePolicy{} }}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Orders != 3 || rep.Skipped != 1 {
		t.Fatalf("orders %d skipped %d, want 3 and 1", rep.Orders, rep.Skipped)
	}
	if len(rep.Changed) != 2 {
		t.Fatalf("changed %+v, want o1 and o3", rep.Changed)
	}
	want := map[string]struct{ before, after int }{"o1": {1, 2}, "o3": {2, 1}}
	for _, c := range rep.Changed {
		w, ok := want[c.OrderID]
		if !ok {
			t.Fatalf("order %s reported changed", c.OrderID)
		}
		if c.POsBefore != w.before || c.POsAfter != w.after {
			t.Errorf("%s: POs %d → %d, want %d → %d", c.OrderID, c.POsBefore, c.POsAfter, w.before, w.after)
		}
		if len(c.Lines) != 1 || c.Lines[0].LineID != "1" || c.Lines[0].SKU != "MUG-1" ||
			len(c.Lines[0].From) != 1 || c.Lines[0].From[0] != "acme" || len(c.Lines[0].To) != 1 || c.Lines[0].To[0] != "backup" {
			t.Errorf("%s: lines %+v, want only line 1 acme → backup", c.OrderID, c.Lines)
		}
	}
	// Before: o1 acme 2×10+2×5+1.50 = 31.50; o2 acme 2×5+1.50 = 11.50;
	// o3 acme 20+1.50 + backup 14 = 35.50. Total 78.50, 4 POs, 2 split
	// (o1 no, o3 yes → 1).
	// After: o1 backup 24 + acme 10+1.50 = 35.50; o2 11.50; o3 backup
	// 24+14 = 38.00. Total 85.00, 4 POs, o1 split.
	check := func(name string, got Totals, pos, split int, landed, margin string) {
		t.Helper()
		if got.PurchaseOrders != pos || got.SplitOrders != split {
			t.Errorf("%s: %d POs %d split, want %d and %d", name, got.PurchaseOrders, got.SplitOrders, pos, split)
		}
		if len(got.Landed) != 1 || got.Landed[0] != usd(landed) {
			t.Errorf("%s: landed %v, want %s USD", name, got.Landed, landed)
		}
		if len(got.Margin) != 1 || got.Margin[0] != usd(margin) {
			t.Errorf("%s: margin %v, want %s USD", name, got.Margin, margin)
		}
	}
	// Order values: o1 200, o2 100, o3 200 = 500.
	check("before", rep.Before, 4, 1, "78.50", "421.50")
	check("after", rep.After, 4, 1, "85.00", "415.00")
	if len(rep.Unroutable) != 0 || len(rep.Held) != 0 {
		t.Errorf("unroutable %+v held %+v, want none", rep.Unroutable, rep.Held)
	}
}

// Rules nobody can satisfy leave the order unroutable, and the release
// policy's holds are reported.
func TestReplayUnroutableAndHolds(t *testing.T) {
	cat := offers{"MUG-1": {{Supplier: "acme", SKU: "MUG-1", Cost: usd("10.00"), Stock: 100}}}
	profiles := map[string]routing.SupplierProfile{"acme": {Name: "acme", Currency: "USD"}, "backup": {Name: "backup", Currency: "USD"}}
	stored := []model.Aggregate{order("o1", map[string]string{"1": "acme"}, cat, map[string]string{"1": "MUG-1"})}
	rules := routing.Config{Rules: []routing.Rule{{Name: "mugs", When: routing.When{SKU: "MUG-*"}, Suppliers: []string{"backup"}}}}
	rep, err := Run(context.Background(), eachOf(stored), time.Time{}, time.Time{}, Rules{
		Router: &routing.Router{Config: rules, Suppliers: profiles, Catalog: cat}, Profiles: profiles,
		Release: func(string) lifecycle.ReleasePolicy { return lifecycle.ReleasePolicy{Mode: lifecycle.ReleaseManual} },
	}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Unroutable) != 1 || rep.Unroutable[0].OrderID != "o1" || len(rep.Unroutable[0].Lines) != 1 {
		t.Fatalf("unroutable %+v, want o1's one line", rep.Unroutable)
	}
	if len(rep.Held) != 1 || rep.Held[0].Holds[0].Code != model.HoldManual {
		t.Fatalf("held %+v, want o1 on a manual hold", rep.Held)
	}
	if len(rep.Changed) != 1 || rep.Changed[0].POsAfter != 0 || rep.After.PurchaseOrders != 0 || rep.After.Landed != nil {
		t.Fatalf("changed %+v after %+v: an unroutable order gets no PO", rep.Changed, rep.After)
	}
}

// A period with more than MaxOrders orders is replayed up to the bound,
// and the report says so.
func TestReplayStopsAtMaxOrders(t *testing.T) {
	yielded := 0
	each := func(_ context.Context, _, _ time.Time, fn func(*model.Aggregate) error) error {
		for i := 0; i < MaxOrders+10; i++ {
			yielded++
			a := model.Aggregate{Order: model.Order{ID: "o", Currency: "USD"}}
			if err := fn(&a); err != nil {
				return err
			}
		}
		return nil
	}
	router := &routing.Router{Catalog: offers{}}
	rep, err := Run(context.Background(), each, time.Time{}, time.Time{}, Rules{Router: router}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Orders != MaxOrders || !rep.Truncated || yielded != MaxOrders+1 {
		t.Fatalf("orders %d truncated %v yielded %d", rep.Orders, rep.Truncated, yielded)
	}
}
