package margin_test

import (
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

var stripe = margin.PaymentFee{Percent: decimal.MustParse("2.9"), Fixed: decimal.MustParse("0.30")}

func TestPaymentFeeIsExact(t *testing.T) {
	for _, c := range []struct {
		captured money.Money
		want     money.Money
	}{
		{usd("100.00"), usd("3.20")},                                   // 2.90 + 0.30
		{usd("10.01"), usd("0.59")},                                    // 0.29029 → 0.29, + 0.30
		{usd("10.35"), usd("0.60")},                                    // 0.30015 → 0.30, + 0.30
		{usd("0.50"), usd("0.31")},                                     // 0.0145 → 0.01 (half away from zero), + 0.30
		{money.MustParse("1000", "JPY"), money.MustParse("29", "JPY")}, // fixed 0.30 rounds to 0 yen
		{usd("0"), usd("0")},                                           // nothing captured, no fee
	} {
		got, err := stripe.On(c.captured)
		if err != nil || got != c.want {
			t.Errorf("fee on %s = %v, %v; want %s", c.captured, got, err, c.want)
		}
	}
	if ps := (margin.PaymentFee{Percent: decimal.MustParse("100")}).Check(); len(ps) != 1 || ps[0][0] != "percent" {
		t.Errorf("100 %% fee: problems %v", ps)
	}
	if ps := (margin.PaymentFee{Fixed: decimal.MustParse("-1")}).Check(); len(ps) != 1 || ps[0][0] != "fixed" {
		t.Errorf("negative fixed: problems %v", ps)
	}
}

// TestMarginWithPaymentFeesAndShipping: the fee is on the gross capture
// (a refund keeps it), shipping charged is its own field, and an
// invoice's freight charge is shipping cost, its other charges fees.
func TestMarginWithPaymentFeesAndShipping(t *testing.T) {
	a := order() // total 54.00, tax 4.00
	a.Order.Totals.Shipping = usd("6.00")
	a.Payments = []model.Payment{
		{Provider: "stripe", ProviderID: "pi_1", Captured: usd("54.00"), Refunded: usd("10.00")},
		{Provider: "other", ProviderID: "x", Captured: usd("1.00")}, // no schedule: no fee
	}
	a.POs = []model.PurchaseOrder{po("PO1", "a", model.POLine{LineNo: 1, Quantity: 2, UnitCost: usd("8.00")})}
	a.Invoices = []model.Invoice{{Number: "I1", PONumber: "PO1", Total: usd("21.00"), Charges: []model.Charge{
		{Code: "D240", Amount: usd("4.00")}, {Code: "D500", Amount: usd("1.00")}}}}
	r, err := margin.OfWith(a, margin.Costs{Supplier: fees, Payment: map[string]margin.PaymentFee{"stripe": stripe}})
	if err != nil {
		t.Fatal(err)
	}
	// fee 54.00 × 2.9 % = 1.566 → 1.57, + 0.30 = 1.87, not given back by the 10.00 refund.
	// revenue 50.00 − 10.00 = 40.00; cost 16.00 goods + 1.00 fees + 4.00 freight = 21.00;
	// margin 40.00 − 21.00 − 1.87 = 17.13 (42.83 % of revenue).
	want := margin.Line{Currency: "USD", Revenue: usd("40.00"), Refunds: usd("10.00"), Shipping: usd("6.00"), SupplierCost: usd("16.00"),
		SupplierFees: usd("1.00"), ShippingCost: usd("4.00"), Cost: usd("21.00"), PaymentFees: usd("1.87"), Margin: usd("17.13"), MarginPercent: "42.83"}
	if len(r.Currencies) != 1 || r.Currencies[0] != want {
		t.Fatalf("currencies = %+v\nwant %+v", r.Currencies, want)
	}
	if len(r.Payments) != 1 || r.Payments[0].Fee != usd("1.87") || r.Payments[0].Provider != "stripe" {
		t.Errorf("payments = %+v", r.Payments)
	}
}

// TestSplitOrderSharesAddUpExactly: an order split across two
// suppliers (one billing in EUR) and a line on no PO shares revenue,
// shipping and payment fees by line value, and the shares add up to the
// order's amounts to the cent.
func TestSplitOrderSharesAddUpExactly(t *testing.T) {
	a := &model.Aggregate{Order: model.Order{ID: "ord_s", Currency: "USD",
		Lines: []model.OrderLine{
			{ID: "L1", Quantity: 1, UnitPrice: usd("10.00")},
			{ID: "L2", Quantity: 1, UnitPrice: usd("10.00")},
			{ID: "L3", Quantity: 1, UnitPrice: usd("10.00")},
		},
		Totals: model.Totals{Total: usd("40.01"), Shipping: usd("10.01")}}}
	a.POs = []model.PurchaseOrder{
		po("PO1", "acme", model.POLine{LineNo: 1, OrderLineID: "L1", Quantity: 1, UnitCost: usd("4.00")}),
		po("PO2", "euro", model.POLine{LineNo: 1, OrderLineID: "L2", Quantity: 1, UnitCost: eur("5.00")}),
	}
	a.Payments = []model.Payment{{Provider: "stripe", Captured: usd("40.01"), Refunded: usd("0.01")}}
	r, err := margin.OfWith(a, margin.Costs{Supplier: fees, Payment: map[string]margin.PaymentFee{"stripe": stripe}})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]margin.Share{}
	for _, s := range r.Suppliers {
		byKey[s.Supplier+"/"+s.Currency] = s
	}
	if len(r.Suppliers) != 4 {
		t.Fatalf("shares = %+v", r.Suppliers)
	}
	// Revenue 40.00 in thirds: 13.34 to the first name by largest remainder ("(none)"), 13.33 each to the others.
	if got := byKey[margin.NoSupplier+"/USD"].Revenue; got != usd("13.34") {
		t.Errorf("(none) revenue = %s", got)
	}
	if got := byKey["acme/USD"]; got.Revenue != usd("13.33") || got.Cost != usd("5.50") {
		t.Errorf("acme = %+v", got)
	}
	if got := byKey["euro/EUR"]; got.Revenue != eur("0") || got.Cost != eur("6.50") || got.Margin != eur("-6.50") {
		t.Errorf("euro EUR = %+v", got)
	}
	// Every field of every currency adds up exactly.
	for _, l := range r.Currencies {
		var rev, ship, ref, pay, cost, mar int64
		for _, s := range r.Suppliers {
			if s.Currency != l.Currency {
				continue
			}
			rev, ship, ref, pay, cost, mar = rev+s.Revenue.Amount, ship+s.Shipping.Amount, ref+s.Refunds.Amount,
				pay+s.PaymentFees.Amount, cost+s.Cost.Amount, mar+s.Margin.Amount
		}
		if rev != l.Revenue.Amount || ship != l.Shipping.Amount || ref != l.Refunds.Amount || pay != l.PaymentFees.Amount ||
			cost != l.Cost.Amount || mar != l.Margin.Amount {
			t.Errorf("%s: shares sum to rev %d ship %d ref %d pay %d cost %d margin %d; order %+v", l.Currency, rev, ship, ref, pay, cost, mar, l)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		m, of money.Money
		want  string
	}{
		{usd("1.00"), usd("3.00"), "33.33"},
		{usd("2.00"), usd("3.00"), "66.67"},
		{usd("-1.00"), usd("8.00"), "-12.50"},
		{usd("1.00"), usd("0"), ""},
		{usd("1.00"), eur("2.00"), ""},
	} {
		if got := margin.Percent(c.m, c.of); got != c.want {
			t.Errorf("Percent(%s, %s) = %q, want %q", c.m, c.of, got, c.want)
		}
	}
}

// TestTotalsByGroupAndCurrency: rows per (group, currency), never
// converted, with order counts.
func TestTotalsByGroupAndCurrency(t *testing.T) {
	tot := margin.NewTotals()
	mk := func(id, cur, total, cost string) margin.Report {
		a := &model.Aggregate{Order: model.Order{ID: id, Currency: cur, Lines: []model.OrderLine{{ID: "L", Quantity: 1, UnitPrice: money.MustParse(total, cur)}},
			Totals: model.Totals{Total: money.MustParse(total, cur)}}}
		a.POs = []model.PurchaseOrder{po("P"+id, "acme", model.POLine{LineNo: 1, OrderLineID: "L", Quantity: 1, UnitCost: money.MustParse(cost, cur)})}
		r, err := margin.Of(a, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, x := range []struct{ ch, id, cur, total, cost string }{
		{"shop", "1", "USD", "10.00", "4.00"}, {"shop", "2", "USD", "20.00", "5.00"}, {"shop", "3", "EUR", "30.00", "10.00"}, {"amazon", "4", "USD", "5.00", "1.00"},
	} {
		if err := tot.Add(x.ch, mk(x.id, x.cur, x.total, x.cost)); err != nil {
			t.Fatal(err)
		}
	}
	ch, _ := tot.ByChannel()
	sup, _ := tot.BySupplier()
	if len(ch) != 3 || ch[0].Group != "amazon" || ch[1].Group != "shop" || ch[1].Currency != "EUR" || ch[2].Orders != 2 ||
		ch[2].Revenue != usd("30.00") || ch[2].Margin != usd("21.00") || ch[2].MarginPercent != "70.00" {
		t.Errorf("by channel = %+v", ch)
	}
	if len(sup) != 2 || sup[0].Currency != "EUR" || sup[1].Orders != 3 || sup[1].Revenue != usd("35.00") || sup[1].Cost != usd("10.00") {
		t.Errorf("by supplier = %+v", sup)
	}
	if tot.Orders != 4 {
		t.Errorf("orders = %d", tot.Orders)
	}
}

// TestShippingEstimateIsShippingCost: before the invoice, the part of a
// supplier's per-PO fees that is its shipping estimate counts as
// shipping cost; the rest as supplier fees.
func TestShippingEstimateIsShippingCost(t *testing.T) {
	a := order()
	a.POs = []model.PurchaseOrder{po("PO1", "a", model.POLine{LineNo: 1, Quantity: 1, UnitCost: usd("10.00")})}
	ship := func(_, cur string) money.Money { return money.MustParse("1.00", cur) }
	r, err := margin.OfWith(a, margin.Costs{Supplier: fees, Shipping: ship})
	if err != nil {
		t.Fatal(err)
	}
	l, pc := r.Currencies[0], r.POs[0]
	if l.SupplierCost != usd("10.00") || l.SupplierFees != usd("0.50") || l.ShippingCost != usd("1.00") || l.Cost != usd("11.50") ||
		pc.ShippingCost != usd("1.00") || pc.Cost != usd("11.50") {
		t.Errorf("line %+v, PO %+v", l, pc)
	}
}

// TestCreditMemoChargesSubtract: a credit memo takes back goods and
// freight alike.
func TestCreditMemoChargesSubtract(t *testing.T) {
	a := order()
	a.POs = []model.PurchaseOrder{po("PO1", "a", model.POLine{LineNo: 1, Quantity: 1, UnitCost: usd("10.00")})}
	a.Invoices = []model.Invoice{
		{Number: "I1", PONumber: "PO1", Total: usd("15.00"), Charges: []model.Charge{{Code: "FC", Amount: usd("5.00")}}},
		{Number: "C1", PONumber: "PO1", Total: usd("3.00"), CreditMemo: true, Charges: []model.Charge{{Code: "FC", Amount: usd("1.00")}}},
	}
	r, err := margin.Of(a, fees)
	if err != nil {
		t.Fatal(err)
	}
	if pc := r.POs[0]; pc.Basis != margin.BasisInvoice || pc.Cost != usd("12.00") || pc.ShippingCost != usd("4.00") || pc.SupplierCost != usd("8.00") || pc.SupplierFees != usd("0") {
		t.Errorf("PO = %+v", pc)
	}
}
