package margin_test

import (
	"testing"

	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

func usd(s string) money.Money { return money.MustParse(s, "USD") }
func eur(s string) money.Money { return money.MustParse(s, "EUR") }

// fees charges 1.50 per PO in whatever currency the PO is in.
func fees(_, cur string) money.Money { return money.MustParse("1.50", cur) }

func order() *model.Aggregate {
	return &model.Aggregate{Order: model.Order{ID: "ord_1", Currency: "USD",
		Totals: model.Totals{Total: usd("54.00"), Tax: usd("4.00")}}}
}

func po(number, supplier string, lines ...model.POLine) model.PurchaseOrder {
	cur := ""
	if len(lines) > 0 {
		cur = lines[0].UnitCost.Currency
	}
	return model.PurchaseOrder{Number: number, Supplier: supplier, Status: model.POSent, Currency: cur, Lines: lines}
}

func TestMarginFromPOCostsAndFees(t *testing.T) {
	a := order()
	// 2 × 4.00 + 1 × 9.00 (one of 2 rejected) + 1.50 fees = 18.50
	a.POs = []model.PurchaseOrder{po("PO1", "a",
		model.POLine{LineNo: 1, Quantity: 2, UnitCost: usd("4.00")},
		model.POLine{LineNo: 2, Quantity: 2, Rejected: 1, UnitCost: usd("9.00")})}
	r, err := margin.Of(a, fees)
	if err != nil {
		t.Fatal(err)
	}
	// revenue 54.00 - 4.00 = 50.00; margin 50.00 - 18.50 = 31.50
	want := margin.Line{Currency: "USD", Revenue: usd("50.00"), Refunds: usd("0"), Shipping: usd("0"), SupplierCost: usd("17.00"),
		SupplierFees: usd("1.50"), ShippingCost: usd("0"), Cost: usd("18.50"), PaymentFees: usd("0"), Margin: usd("31.50"), MarginPercent: "63.00"}
	if len(r.Currencies) != 1 || r.Currencies[0] != want {
		t.Fatalf("currencies = %+v", r.Currencies)
	}
	if len(r.POs) != 1 || r.POs[0].Basis != margin.BasisPO || r.POs[0].Cost != usd("18.50") {
		t.Errorf("POs = %+v", r.POs)
	}
}

func TestMarginPrefersInvoicesAndSubtractsRefunds(t *testing.T) {
	a := order()
	a.POs = []model.PurchaseOrder{
		po("PO1", "a", model.POLine{LineNo: 1, Quantity: 2, UnitCost: usd("4.00")}),
		po("PO2", "b", model.POLine{LineNo: 1, Quantity: 1, UnitCost: usd("10.00")}),
	}
	// PO1 invoiced 8.75 (with freight), less a 0.25 credit memo: 8.50, no fees.
	a.Invoices = []model.Invoice{
		{Number: "I1", PONumber: "PO1", Total: usd("8.75")},
		{Number: "C1", PONumber: "PO1", Total: usd("0.25"), CreditMemo: true},
	}
	a.Payments = []model.Payment{{Refunded: usd("5.00")}}
	r, err := margin.Of(a, fees)
	if err != nil {
		t.Fatal(err)
	}
	// revenue 50.00 - 5.00 refunded = 45.00; cost 8.50 + (10.00 + 1.50) = 20.00; margin 25.00
	want := margin.Line{Currency: "USD", Revenue: usd("45.00"), Refunds: usd("5.00"), Shipping: usd("0"), SupplierCost: usd("18.50"),
		SupplierFees: usd("1.50"), ShippingCost: usd("0"), Cost: usd("20.00"), PaymentFees: usd("0"), Margin: usd("25.00"), MarginPercent: "55.56"}
	if len(r.Currencies) != 1 || r.Currencies[0] != want {
		t.Fatalf("currencies = %+v", r.Currencies)
	}
	if r.POs[0].Basis != margin.BasisInvoice || r.POs[0].Cost != usd("8.50") || r.POs[1].Basis != margin.BasisPO {
		t.Errorf("POs = %+v", r.POs)
	}
}

func TestMarginReportsEachCurrency(t *testing.T) {
	a := order()
	// A supplier billing in EUR: 3 × 5.00 + 1.50 fees, never converted.
	a.POs = []model.PurchaseOrder{
		po("PO1", "eu", model.POLine{LineNo: 1, Quantity: 3, UnitCost: eur("5.00")}),
		{Number: "PO2", Supplier: "a", Status: model.POCancelled, Currency: "USD",
			Lines: []model.POLine{{LineNo: 1, Quantity: 1, Cancelled: 1, UnitCost: usd("7.00")}}},
	}
	r, err := margin.Of(a, fees)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Currencies) != 2 {
		t.Fatalf("currencies = %+v", r.Currencies)
	}
	u, e := r.Currencies[0], r.Currencies[1]
	if u.Currency != "USD" || u.Revenue != usd("50.00") || u.Cost != usd("0") || u.Margin != usd("50.00") {
		t.Errorf("USD = %+v", u)
	}
	if e.Currency != "EUR" || e.Revenue != eur("0") || e.Cost != eur("16.50") || e.Margin != eur("-16.50") {
		t.Errorf("EUR = %+v", e)
	}
	if len(r.POs) != 2 || r.POs[1].Cost != usd("0") {
		t.Errorf("a cancelled PO costs nothing: %+v", r.POs)
	}
}

// A received return's supplier credit lowers its PO's cost; the
// customer's refund lowers revenue (it is in the payment's refunds); a
// return still requested changes neither.
func TestMarginCountsReturnCredits(t *testing.T) {
	a := order()
	a.POs = []model.PurchaseOrder{po("PO1", "a", model.POLine{LineNo: 1, Quantity: 2, UnitCost: usd("4.00")})}
	a.Invoices = []model.Invoice{{Number: "I1", PONumber: "PO1", Total: usd("8.00")}}
	a.Returns = []model.Return{
		{ID: "ret_1", PONumber: "PO1", Status: model.ReturnRefunded, Credit: usd("4.00")},
		{ID: "ret_2", PONumber: "PO1", Status: model.ReturnRequested, Credit: usd("4.00")},
	}
	a.Payments = []model.Payment{{Refunded: usd("25.00")}}
	r, err := margin.Of(a, fees)
	if err != nil {
		t.Fatal(err)
	}
	// revenue 50.00 - 25.00 = 25.00; cost 8.00 - 4.00 = 4.00; margin 21.00
	want := margin.Line{Currency: "USD", Revenue: usd("25.00"), Refunds: usd("25.00"), Shipping: usd("0"), SupplierCost: usd("4.00"),
		SupplierFees: usd("0"), ShippingCost: usd("0"), Cost: usd("4.00"), PaymentFees: usd("0"), Margin: usd("21.00"), MarginPercent: "84.00"}
	if len(r.Currencies) != 1 || r.Currencies[0] != want || r.POs[0].Cost != usd("4.00") || r.POs[0].SupplierCost != usd("4.00") {
		t.Fatalf("currencies = %+v, POs = %+v", r.Currencies, r.POs)
	}
}
