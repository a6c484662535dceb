package gateway

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
)

func TestAdminPayablesListAndPaid(t *testing.T) {
	r := newAdminRig(t, 0)
	ctx := context.Background()
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	pays := repo.NewPayables(r.app.Deps.Records)
	for _, p := range []model.Payable{
		{ID: "pay_1", Supplier: "acme", InvoiceNumber: "I1", PONumber: "PO1", OrderID: "ord_1", InvoiceDate: day, DueDate: day.AddDate(0, 0, 30), Amount: usd("12.50"), Status: model.PayableOpen, Created: day},
		{ID: "pay_2", Supplier: "feedco", InvoiceNumber: "I2", PONumber: "PO2", OrderID: "ord_2", InvoiceDate: day, DueDate: day.AddDate(0, 0, 30), Amount: usd("3.00"), Status: model.PayableOpen, Created: day},
	} {
		if err := pays.Create(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	var res struct {
		Payables []model.Payable `json:"payables"`
	}
	if code := r.do(t, http.MethodGet, "/api/v1/payables?supplier=acme&status=open", nil, &res); code != http.StatusOK ||
		len(res.Payables) != 1 || res.Payables[0].ID != "pay_1" || res.Payables[0].Amount != usd("12.50") {
		t.Fatalf("status %d, %+v", code, res)
	}
	var p model.Payable
	if code := r.do(t, http.MethodPost, "/api/v1/payables/pay_1/paid", nil, &p); code != http.StatusOK || p.Status != model.PayablePaid || p.PaidAt == nil {
		t.Fatalf("paid: status %d, %+v", code, p)
	}
	res.Payables = nil
	if code := r.do(t, http.MethodGet, "/api/v1/payables?status=paid", nil, &res); code != http.StatusOK || len(res.Payables) != 1 || res.Payables[0].ID != "pay_1" {
		t.Fatalf("paid list: status %d, %+v", code, res)
	}
	if code := r.do(t, http.MethodPost, "/api/v1/payables/pay_nope/paid", nil, &map[string]any{}); code != http.StatusNotFound {
		t.Errorf("unknown payable: status %d", code)
	}
	if code := r.do(t, http.MethodGet, "/api/v1/payables?status=late", nil, &map[string]any{}); code != http.StatusBadRequest {
		t.Errorf("bad status: %d", code)
	}
}

func TestAdminOrderMargin(t *testing.T) {
	r := newAdminRig(t, 0)
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	a := &model.Aggregate{
		Order: model.Order{ID: "ord_m", Channel: "shop", ChannelOrderID: "m1", Currency: "USD",
			Totals: model.Totals{Total: usd("30.00"), Tax: usd("2.00")}},
		// feedco's profile charges a 1.00 shipping estimate per PO.
		POs: []model.PurchaseOrder{{Number: "POM", OrderID: "ord_m", Supplier: "feedco", Status: model.POSent, Currency: "USD",
			Lines: []model.POLine{{LineNo: 1, SKU: "MUG", Quantity: 2, UnitCost: usd("4.00")}}}},
	}
	if err := r.app.Deps.Orders.Create(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Currencies []struct {
			Currency              string
			Revenue, Cost, Margin money.Money
		}
		POs []struct{ Basis string } `json:"purchase_orders"`
	}
	if code := r.do(t, http.MethodGet, "/api/v1/orders/ord_m/margin", nil, &m); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// revenue 30.00 - 2.00 = 28.00; cost 2 × 4.00 + 1.00 = 9.00; margin 19.00
	if len(m.Currencies) != 1 || m.Currencies[0].Revenue != usd("28.00") || m.Currencies[0].Cost != usd("9.00") || m.Currencies[0].Margin != usd("19.00") {
		t.Fatalf("margin = %+v", m)
	}
	if len(m.POs) != 1 || m.POs[0].Basis != "po" {
		t.Errorf("POs = %+v", m.POs)
	}
	if code := r.do(t, http.MethodGet, "/api/v1/orders/ord_nope/margin", nil, &map[string]any{}); code != http.StatusNotFound {
		t.Errorf("unknown order: %d", code)
	}
}
